"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field)."""

SCHED_BOUNDS_CASES = []

# The attacks of tests/guests/schedbound.c. Domain 0 ("victim") measures
# its own 5 ms singleshot timer for 2 s while domain 1 attacks; every
# wake-up must be within 100 ms of its deadline and the median within
# 10 ms (under 1 ms on an idle host; TCG on a host shared by several QEMUs
# is some ms late by itself; an unbounded hypercall makes it seconds
# late). Then domain 0 ends domain 1.
_SB = "{build}/tests/guests/schedbound.elf"
_SB_CMD = "dom0_mem=16M domain0=name=victim domain1=name=attacker,mem=16M"


def _attack_case(mode, expect, busy, timeout=60):
    return {
        "name": "sched-bound-" + mode.replace("_", "-"),
        "cmdline": _SB_CMD,
        "modules": [(_SB, "role=victim window_ms=2000 expect_busy=%d" % busy),
                    (_SB, "role=attack mode=" + mode)],
        "expect_status": "poweroff",
        "timeout": timeout,
        "expect": [r"^\(d0\) PASS victim_timer_on_time$",
                   r"^\(d0\) PASS victim_timer_mostly_prompt$",
                   r"^\(d0\) PASS victim_kept_running$",
                   r"^\(d0\) \d+ passed, 0 failed"] + expect,
        "subtests": True,
    }


SCHED_BOUNDS_CASES += [
    # Two polls with timeouts in one multicall: each blocks (Xen), and the
    # timer list survives the second (it used to re-initialise an armed
    # timer and lose every other timer).
    _attack_case("mc_polls", [r"^\(d1\) PASS mc_polls_blocked$",
                              r"^\(d1\) \d+ passed, 0 failed"], 0),
    # 2^26 - 1 cheap entries aliased from one frame: the multicall continues
    # itself between entries.
    _attack_case("mc_huge", [r"^\(d1\) attack: multicall of \d+ entries",
                             r"^\(d0\) PASS attacker_still_busy$"], 1),
    # One mmu_update of 2^28 - 1 requests inside a multicall: its
    # continuation is folded into the multicall's.
    _attack_case("mmu_nested", [r"^\(d1\) attack: mmu_update of \d+ requests",
                                r"^\(d0\) PASS attacker_still_busy$"], 1),
    # A 4 GiB console write (aliased '\r' bytes): written in pieces.
    _attack_case("console_4g", [r"^\(d1\) attack: console_io write of 4 GiB",
                                r"^\(d0\) PASS attacker_still_busy$"], 1),
    # Far timers (singleshot at ~0, periodic 2^63-1 ns): no interrupt storm,
    # the domain's own and the other domain's timers keep time.
    _attack_case("far_timers", [r"^\(d1\) PASS far_timers_sleep_on_time$",
                                r"^\(d1\) \d+ passed, 0 failed"], 0),
]

# A domain shuts itself down from inside a multicall; afterwards domain 0's
# poll still blocks and a long mmu_update still continues (the multicall's
# per-call state did not outlive the call).
SCHED_BOUNDS_CASES.append({
    "name": "sched-bound-shutdown-in-multicall",
    "cmdline": "dom0_mem=16M domain0=name=checker domain1=name=quitter,mem=16M",
    "modules": [(_SB, "role=after_quit"), (_SB, "role=quitter")],
    "expect_status": "poweroff",
    "timeout": 60,
    "expect": [r"^\(d1\) quitter: shutting down inside a multicall$",
               r"^\(d0\) PASS poll_still_blocks$",
               r"^\(d0\) PASS mmu_update_still_continues$",
               r"^\(d0\) \d+ passed, 0 failed"],
    "forbid": [r"still running after SCHEDOP_shutdown"],
    "subtests": True,
})

# VIRQ_DOM_EXC reaches the initial domain only; an unprivileged domain gets
# -EPERM (not -ENOSPC) for another domain's full port table, and -EPERM
# for console_io read.
SCHED_BOUNDS_CASES.append({
    "name": "sched-bound-dom-exc-and-permissions",
    "cmdline": "dom0_mem=16M domain0=name=host domain1=name=peer,mem=16M "
               "domain2=name=quitter,mem=16M",
    "modules": [(_SB, "role=exc_host"), (_SB, "role=exc_peer"),
                (_SB, "role=exc_quitter")],
    "expect_status": "poweroff",
    "timeout": 60,
    "expect": [r"^\(d0\) PASS host_hears_dom_exc$",
               r"^\(d1\) PASS peer_never_hears_dom_exc$",
               r"^\(d1\) PASS peer_alloc_on_full_foreign_table$",
               r"^\(d1\) PASS peer_console_read$",
               r"^\(d1\) \d+ passed, 0 failed",
               r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
})
