"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field)."""

SPEC_HYGIENE_CASES = []
