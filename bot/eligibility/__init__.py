"""Eligibility checks: the conditions in policies/*.yml evaluated against the store."""
