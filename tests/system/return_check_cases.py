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
    "min_subtests": 11,
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

# A guest's data breakpoints hit by the hypervisor's own accesses, and a
# watched `mov ss` right before `syscall` (tests/guests/db_hypervisor.c):
# absorbed in ring 0 and dropped (as on Xen), never a panic.
RETURN_CHECK_CASES.append({
    "name": "debug-breakpoint-in-hypervisor",
    "modules": [("{build}/tests/guests/db_hypervisor.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed",
               r"^\(lamina\) #DB in hypervisor context at 0x[0-9a-f]+ "
               r"\(dr6 0x[0-9a-f]+\): absorbed"],
    "subtests": True,
    "min_subtests": 21,
})

# The hardware case of a delayed #DB, forced: an instruction breakpoint on
# syscall_entry (selftest_db_entry) makes every hypercall of a guest take
# #DB in ring 0 before the stack switch, with the guest's rsp live. #DB has
# its own IST stack, and the handler absorbs it; the guest runs its tests.
RETURN_CHECK_CASES.append({
    "name": "debug-exception-at-syscall-entry",
    "cmdline": "selftest_db_entry",
    "modules": [("{build}/tests/guests/hypercalls.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed",
               r"^\(lamina\) #DB in hypervisor context at 0x[0-9a-f]+ "
               r"\(entry point, guest rsp live\)"],
})

# Guest-visible CPU state across domain switches (tests/guests/ctxswitch.c):
# two domains load different selectors, bases, x87/SSE registers and
# breakpoints every round, yield to each other, and check theirs.
RETURN_CHECK_CASES.append({
    "name": "md-cpu-state-across-switches",
    "cmdline": "dom0_mem=16M domain1=name=other,mem=16M",
    "modules": [("{build}/tests/guests/ctxswitch.elf", "seed=1"),
                ("{build}/tests/guests/ctxswitch.elf", "seed=2")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [r"^\(d0\) PASS state_survives_switches$",
               r"^\(d1\) PASS state_survives_switches$"],
    "subtests": True,
    "min_subtests": 2,
})

# The x87 error-pointer scrub of AMD CPUs without RstrFpErrPtrs, forced on
# (force_fpu_ptr_reset): it runs before every restore and leaves the
# restored state, pointers included, exactly as the domain left it.
RETURN_CHECK_CASES.append({
    "name": "md-fpu-pointer-scrub",
    "cmdline": "dom0_mem=16M domain1=name=other,mem=16M force_fpu_ptr_reset",
    "modules": [("{build}/tests/guests/ctxswitch.elf", "seed=1 fpu_ptrs=1 rounds=150"),
                ("{build}/tests/guests/ctxswitch.elf", "seed=2 fpu_ptrs=1 rounds=150")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [r"^\(lamina\) x87 error pointers cleared on every vCPU switch \(forced\)",
               r"^\(d0\) PASS state_survives_switches$",
               r"^\(d1\) PASS state_survives_switches$"],
    "subtests": True,
    "min_subtests": 2,
})
