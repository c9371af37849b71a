"""System tests of several vCPUs per domain (tests/guests/vcpus.c): Xen's
VCPUOP_initialise/up/down/is_up, per-vCPU event targets, timers and
runstate, and the refusals of bad vCPU contexts (same dict format as CASES
in cases.py)."""

VCPU_CASES = [
    {
        "name": f"vcpus-{n}",
        "cmdline": f"domain0=vcpus={n}",
        "modules": [("{build}/tests/guests/vcpus.elf", f"vcpus={n}")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed",
                   r"^\(d0\) vcpus: vCPU 1 up on its own stack"],
        "subtests": True,
        "min_subtests": 50,
        "timeout": 90,
    }
    for n in (2, 4, 8)
] + [
    {
        # Xen's option name works too; one vCPU is the default.
        "name": "vcpus-dom0-max-vcpus",
        "cmdline": "dom0_max_vcpus=3",
        "modules": [("{build}/tests/guests/vcpus.elf", "vcpus=3")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed",
                   r"^\(lamina\) domain 0 \(dom0\): .* 3 vCPUs"],
        "subtests": True,
        "min_subtests": 50,
        "timeout": 90,
    },
    {
        "name": "vcpus-bad-count",
        "cmdline": "domain0=vcpus=9",
        "modules": [("{build}/tests/guests/vcpus.elf", "")],
        "expect_status": "boot-error",
        "expect": [r"domain<N>=vcpus=: 1 to 8"],
        "timeout": 30,
    },
    {
        # Domain 1 takes all its vCPUs down: as in Xen it is powered off
        # when the last goes; domain 0 runs its whole test meanwhile and
        # the run ends normally.
        "name": "vcpus-all-down",
        "cmdline": "domain0=vcpus=2 domain1=vcpus=2",
        "modules": [("{build}/tests/guests/vcpus.elf", "vcpus=2"),
                    ("{build}/tests/guests/vcpus.elf", "vcpus=2 mode=alldown")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed",
                   r"^\(d1\) vcpus: down\(0\) = 0, is_up\(0\) = 0; now down\(1\)",
                   r"^\(lamina\) domain 1 \(d1\) shut down: poweroff \(its last vCPU went down\)"],
        "forbid": [r"FAIL alldown"],
        "subtests": True,
        "min_subtests": 50,
        "timeout": 120,
    },
    {
        # One vCPU taking itself down, as Linux's shutdown and panic paths
        # do: the domain is powered off (Xen's rule), not left looping.
        "name": "vcpus-single-self-down",
        "modules": [("{build}/tests/guests/vcpus.elf", "mode=selfdown")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) vcpus: selfdown: vCPU 0 of 1 goes down",
                   r"^\(lamina\) domain 0 \(dom0\) shut down: poweroff \(its last vCPU went down\)"],
        "forbid": [r"FAIL selfdown"],
        "timeout": 30,
    },
    {
        # A domain's weight is the domain's, split over its vCPUs: two
        # spinning vCPUs beside a one-vCPU domain of the same weight get
        # half of the CPU between them, not two thirds.
        "name": "vcpus-share-is-per-domain",
        "cmdline": "dom0_mem=16M domain0=name=two,vcpus=2 domain1=name=one,mem=16M",
        "modules": [("{build}/tests/guests/vcpus.elf",
                     "vcpus=2 mode=spin expect_share=500 start_ms=1000 duration_ms=2000"),
                    ("{build}/tests/guests/spinshare.elf",
                     "name=one expect_share=500 start_ms=1000 duration_ms=2000")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) vcpus: spin: 2 vCPUs ran \d+ ms",
                   r"^\(d0\) PASS domain_share_expected$",
                   r"^\(d1\) PASS one_expected$"],
        "subtests": True,
        "min_subtests": 3,
        "timeout": 90,
    },
    {
        # Contexts that pass VCPUOP_initialise's checks but could hurt the
        # hypervisor when the vCPU is switched in: an FXSAVE image with
        # reserved MXCSR bits (its fxrstor would fault in ring 0) and
        # selectors that cannot be loaded (the vCPU gets its failsafe).
        "name": "vcpus-bad-context-attacks",
        "cmdline": "domain0=vcpus=3",
        "modules": [("{build}/tests/guests/vcpus.elf", "vcpus=3 mode=badctx")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed",
                   r"^\(d0\) PASS fpu_context_reserved_mxcsr_harmless",
                   r"^\(d0\) PASS unloadable_selectors_give_failsafe"],
        "subtests": True,
        "min_subtests": 7,
        "timeout": 60,
    },
]

# Teardown must give back every frame of every vCPU (registered vcpu_info,
# runstate areas): the hypervisor reports any it could not account for.
for _case in VCPU_CASES:
    _case.setdefault("forbid", []).append(r"^\(lamina\) BUG")
