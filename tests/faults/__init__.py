"""Fault tests of the supervised stack (`make test-faults`; `python -m tests.faults`). See run.py."""
