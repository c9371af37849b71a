"""Shapes shared by the system-case files (fields: tests/system/cases.py)."""


def subtest_guest_case(name, guest, min_subtests, args="", **fields):
    """A test guest that prints PASS/FAIL lines and "N passed, 0 failed"
    as domain 0, then powers off: each line is a subtest."""
    case = {
        "name": name,
        "modules": [(f"{{build}}/tests/guests/{guest}.elf", args)],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "subtests": True,
        "min_subtests": min_subtests,
    }
    case.update(fields)
    return case
