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

# The hypercall fuzzer (tests/guests/hcall_fuzz.c) in an unprivileged domain
# beside a victim (tests/guests/fuzz_victim.c) that beats every 50 ms and
# checks its own memory. The fuzzer must finish its quota without a fault of
# its own, the victim must keep beating (largest gap under 500 ms: under TCG
# with two busy domains it is about 100 ms) and the audit must stay clean.
# A failing seed from the long run (`make fuzz`) becomes a case here.
FUZZ_SEEDS = [1, 2, 3]


def fuzz_case(seed, calls=10000, timeout=120, holes="", prefix="hcall-fuzz"):
    """One fuzzer run: the seed, the number of calls, and optionally the
    fuzzer's known-hole mask (holes=0: steer around nothing)."""
    extra = f" holes={holes}" if holes else ""
    return {
        "name": f"{prefix}-seed{seed}",
        "cmdline": "dom0_mem=32M domain0=name=victim "
                   "domain1=name=fuzzer,mem=16M",
        "modules": [("{build}/tests/guests/fuzz_victim.elf",
                     "fuzzer=1 max_gap_ms=500"),
                    ("{build}/tests/guests/hcall_fuzz.elf",
                     f"seed={seed} calls={calls}{extra}")],
        "expect_status": "poweroff",
        "timeout": timeout,
        "expect": [
            rf"^\(d1\) hcall_fuzz: seed {seed}, calls {calls}, known_holes",
            rf"hcall_fuzz: done, {calls} calls, 0 faults$",
            r"^\(d0\) fuzz_victim: victim alive, \d+ heartbeats, max gap \d+ ms",
            r"^\(d0\) PASS victim_heartbeat$",
            r"^\(d0\) PASS victim_memory_intact$",
            r"^\(d0\) PASS victim_outlived_fuzzer$",
            r"^\(d1\) PASS fuzz_quota$",
            r"^\(lamina\) domain 1 \(fuzzer\) ended: shut down \(poweroff\)",
        ],
        "forbid": [r"crashed"],
        "subtests": True,
        "min_subtests": 5,
    }


FUZZ_CASES += [fuzz_case(seed) for seed in FUZZ_SEEDS]
