"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field): the frame-ownership
audit and the hypercall fuzzer."""

FUZZ_CASES = [
    # The audit can fail: selftest_audit adds one stray general reference to
    # dom0's kernel L4 after the build, and the audit at dom0's end must name
    # that frame (and only it).
    {
        "name": "frame-audit-catches-stray-reference",
        "cmdline": "audit_frames selftest_audit",
        "audit": False,         # the problem line is expected here
        "slow_path": False,
        "modules": [("{build}/guest-kernel/guest-kernel.elf", "console=hvc0")],
        "expect_status": "poweroff",
        "expect": [
            r"^\(lamina\) selftest_audit: adding a stray reference to frame "
            r"(0x[0-9a-f]+)",
            r"^\(lamina\) frame audit FAILED: d0 frame 0x[0-9a-f]+ \(L4\): "
            r"refs (\d+) type refs \d+, expected \d+ and \d+",
            r"^\(lamina\) frame audit \(end of d0\): checked \d+ frames in "
            r"1 domain, 1 problem$",
            r"^\(lamina\) frame audit \(end of run\): checked \d+ frames in "
            r"0 domains, 0 problems$",
        ],
        "timeout": 30,
    },
]
