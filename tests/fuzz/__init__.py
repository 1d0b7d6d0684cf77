"""Fuzzing the live stack: generated hostile traffic (generate.py), what to look for (check.py),
sending and reporting (run.py; `python -m tests.fuzz`, make fuzz)."""
