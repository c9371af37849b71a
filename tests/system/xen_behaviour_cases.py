"""Xen behaviours real PV kernels rely on, each checked on Lamina and, with
the same guest binary, on Xen 4.17 (the reference; tests/system/xen_ref.py
fetches it with tools/fetch-xen and the Xen cases are skipped, saying why,
when it cannot be downloaded)."""

XEN_REF = "tests/system/xen_ref.py"

XEN_BEHAVIOUR_CASES = []


def on_both(name, guest, min_subtests, timeout=120):
    """A guest case on Lamina and the same guest checked on Xen."""
    XEN_BEHAVIOUR_CASES.append({
        "name": name,
        "modules": [("{build}/tests/guests/" + guest + ".elf", "")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "subtests": True,
        "min_subtests": min_subtests,
    })
    XEN_BEHAVIOUR_CASES.append({
        "name": name + "-on-xen",
        "command": [XEN_REF, "--build", "{build}", "--check", guest,
                    "{build}/tests/guests/" + guest + ".elf"],
        "timeout": timeout + 600,     # the first run may download Xen
    })


# mov to/from %dr0-%dr7 by the guest kernel (emulated like set_debugreg /
# get_debugreg), and far call/jmp through absent, non-code, not-present,
# beyond-limit and call-gate selectors: #GP/#NP with the selector as error
# code; XSAVE enabled through CR4 and xsetbv with its checks, AVX state kept
# (tests/guests/xen_behaviour.c).
on_both("xen-behaviour", "xen_behaviour", 73)

# The same privileged instructions from guest user mode: #GP(0), never
# emulated (tests/guests/user_priv.c; its Lamina case is in
# return_check_cases.py).
XEN_BEHAVIOUR_CASES.append({
    "name": "user-mode-privileged-insns-on-xen",
    "command": [XEN_REF, "--build", "{build}", "--check", "user_priv",
                "{build}/tests/guests/user_priv.elf"],
    "timeout": 720,
})

# HYPERVISOR_iret to a non-canonical rip: #GP(0) at that rip in the guest
# (tests/guests/iret_noncanonical.c; its Lamina case is in guest_cases.py).
XEN_BEHAVIOUR_CASES.append({
    "name": "guest-iret-noncanonical-on-xen",
    "command": [XEN_REF, "--build", "{build}", "--check", "iret_noncanonical",
                "{build}/tests/guests/iret_noncanonical.elf"],
    "timeout": 720,
})

# CPUID as a PV kernel sees it, Lamina against Xen 4.17 in the same run:
# tests/guests/cpuid_dump.elf on both; any difference not listed (with the
# values each side shows) in tests/system/cpuid_xen_differences.txt fails.
# The list is explained in docs/abi.md ("CPUID").
XEN_BEHAVIOUR_CASES.append({
    "name": "cpuid-matches-xen",
    "command": ["tests/system/cpuid_diff.py", "--build", "{build}"],
    "timeout": 900,
})

# Extended state across domain switches (tests/guests/xstate_switch.c):
# one domain with AVX (XCR0 7), one with XCR0 3 set by xsetbv, one that
# never enables XSAVE; each keeps its registers and XCR0, and AVX stays #UD
# where the domain did not enable it. (Lamina only: Xen's dom0 is alone.)
XEN_BEHAVIOUR_CASES.append({
    "name": "md-xstate-switch",
    "cmdline": "dom0_mem=16M domain1=mem=16M domain2=mem=16M",
    "modules": [("{build}/tests/guests/xstate_switch.elf", "xcr0=7 seed=1"),
                ("{build}/tests/guests/xstate_switch.elf", "xcr0=3 seed=2"),
                ("{build}/tests/guests/xstate_switch.elf", "xcr0=0 seed=3")],
    "expect_status": "poweroff",
    "timeout": 120,
    "expect": [r"^\(d0\) 3 passed, 0 failed", r"^\(d1\) 4 passed, 0 failed",
               r"^\(d2\) 3 passed, 0 failed"],
    "subtests": True,
    "min_subtests": 10,
})
