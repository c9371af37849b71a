"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field): the CPU state a guest
gets back (return frames, debug exceptions, emulation in user mode, state
across domain switches)."""

RETURN_CHECK_CASES = []

# A hypercall whose return rip is 0x800000000000 (tests/guests/
# sysret_noncanonical.c): #GP(0) to the guest on the fast and full paths,
# never a return to the non-canonical address.
RETURN_CHECK_CASES.append({
    "name": "return-noncanonical-rip",
    "modules": [("{build}/tests/guests/sysret_noncanonical.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 10,
})

# Privileged instructions from guest user mode (tests/guests/user_priv.c):
# #GP(0) for the MSR, control-register and clts emulations the kernel has;
# the forced-emulation cpuid still works.
RETURN_CHECK_CASES.append({
    "name": "user-mode-privileged-insns",
    "modules": [("{build}/tests/guests/user_priv.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 14,
})
