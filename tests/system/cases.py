"""System tests: each case boots the hypervisor in QEMU (through tools/run,
under TCG) and checks how the run ended and what it printed.

CASES is a list of dicts. Fields (only name, modules and expect_status are
required):

  name           unique name; the log goes to $BUILD/tests/system/<name>.log
  modules        list of (path, args) boot modules; the first is domain 0.
                 "{build}" in a path or in args becomes the build directory
  cmdline        hypervisor command line (default "")
  memory         QEMU RAM size (default "512M")
  timeout        seconds before QEMU is killed (default 60)
  expect_status  how the run must end: "poweroff", "reboot", "crash",
                 "panic", "boot-error" or "timeout"
  expect         regexes; each must match some output line (default [])
  forbid         regexes; none may match any output line (default []).
                 Always forbidden as well: r"^\\(d\\d+\\) FAIL" (a guest check
                 failed) and, unless expect_status is "panic",
                 r"^\\(lamina\\) PANIC"
  subtests       if true, each guest line "(dN) PASS x" / "(dN) FAIL x: why"
                 is also reported as its own result "<name>/x" (default False)
  min_subtests   fewest guest PASS/FAIL lines the case must print
                 (default 1 with subtests, else 0)
  hypervisor     hypervisor image (default "{build}/hypervisor/lamina.elf")
  extra          list of raw QEMU arguments for tools/run --extra (default [])
  expect_count   list of (regex, n): exactly n output lines match regex
                 (default [])
  input          list of (regex, text): once a serial line matches regex,
                 text is typed on the serial line (tools/run --input-after);
                 in order (default [])
  skip           if a non-empty string, the case is skipped for that reason
  audit          if true, "audit_frames" is appended to cmdline and
                 r"^\\(lamina\\) frame audit FAILED" is forbidden: the
                 hypervisor checks every frame's counts at each domain's end
                 and at the end of the run (default True)
  slow_path      if true, the case runs a second time as "<name> [slow-path]"
                 with "no_fast_hypercalls" appended to cmdline, so every guest
                 also runs with every hypercall on the full-frame path
                 (default True; never for boot-error cases or cases whose
                 cmdline has trace_hypercalls, which already turns it off)
  command        instead of a boot through tools/run: a command (list of
                 arguments, "{build}" substituted) run from the source
                 tree within timeout seconds. Only name (and optionally
                 timeout and skip) apply. It prints "PASS x", "FAIL x: why"
                 and "SKIP x: why" lines, each reported as "<name>/x", and
                 fails if it exits non-zero without a FAIL line or prints
                 no result at all (tests/system/xen_ref.py's cases use it
                 to run guests on Xen 4.17 too)

Regexes are Python `re` patterns matched with re.search against each output
line (serial output and tools/run's messages, "\\r" stripped).
"""

from boot_cases import BOOT_CASES
from guest_cases import GUEST_CASES
from frame_rule_cases import FRAME_RULE_CASES
from return_check_cases import RETURN_CHECK_CASES
from sched_bounds_cases import SCHED_BOUNDS_CASES
from fuzz_cases import FUZZ_CASES
from spec_hygiene_cases import SPEC_HYGIENE_CASES
from tlb_cases import TLB_CASES
from console_cases import CONSOLE_CASES
from fifo_cases import FIFO_CASES
from xen_behaviour_cases import XEN_BEHAVIOUR_CASES
from vcpu_cases import VCPU_CASES
from review_cases import REVIEW_CASES

CASES = [
    {
        "name": "boot-guest-kernel",
        "modules": [("{build}/guest-kernel/guest-kernel.elf", "console=hvc0")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) Lamina guest kernel"],
    },
]

CASES += GUEST_CASES + BOOT_CASES + FRAME_RULE_CASES + RETURN_CHECK_CASES + \
    SCHED_BOUNDS_CASES + FUZZ_CASES + SPEC_HYGIENE_CASES + TLB_CASES + \
    CONSOLE_CASES + FIFO_CASES + XEN_BEHAVIOUR_CASES + VCPU_CASES + \
    REVIEW_CASES + [
    {
        "name": "hypervisor-fault-report",
        "cmdline": "selftest_fault",
        "slow_path": False,     # the hypervisor faults before any guest runs
        "modules": [("{build}/guest-kernel/guest-kernel.elf", "")],
        "expect_status": "panic",
        "expect": [
            r"^\(lamina\) PANIC: hypervisor fault: vector 14 \(#PF page fault\), "
            r"error 0x0, cr2 0xffff8700deadb000",
            r"^\(lamina\)   rip ffff82d0[0-9a-f]{8}  cs e008",
            r"^\(lamina\)   r13 [0-9a-f]{16}  r14 [0-9a-f]{16}  r15",
            r"^\(lamina\)   cr0 [0-9a-f]{16}  cr2 ffff8700deadb000",
            r"^\(lamina\)   backtrace:",
            r"^\(lamina\) run ended: panic \(status 3\)",
        ],
        "timeout": 30,
    },
]
