"""System cases from the isolation review (hostile guests)."""

REVIEW_CASES = []

# A hostile FIFO guest (tests/guests/review_fifo_hostile.c): LINK loops,
# BUSY tails, wild LINKs, linked ports re-prioritised, closed and rebound,
# one frame as control block and every array page, reset while linked.
# The hypervisor must survive and leave the released frame alone.
REVIEW_CASES.append({
    "name": "review-fifo-hostile",
    "modules": [("{build}/tests/guests/review_fifo_hostile.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "forbid": [r"BUG", r"PANIC|panic"],
    "subtests": True,
    "min_subtests": 10,
})

# A hostile multicall guest (tests/guests/review_multicall_hostile.c): a
# 2048-entry batch preempted many times with nested multicalls into the
# list itself, iret and a fake preempted mmu_update; a list running into an
# unmapped page with nr_calls 0xffffffff; lists in the hypervisor's half.
REVIEW_CASES.append({
    "name": "review-multicall-hostile",
    "modules": [("{build}/tests/guests/review_multicall_hostile.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "forbid": [r"BUG", r"PANIC|panic"],
    "subtests": True,
    "min_subtests": 10,
})

# HYPERVISOR_iret to the hypervisor's ring-0 selectors
# (tests/guests/review_iret_hv_selectors.c): refused by the CPU after the
# exit forces RPL 3, so the failsafe callback runs, still in ring 3.
REVIEW_CASES.append({
    "name": "review-iret-hv-selectors",
    "modules": [("{build}/tests/guests/review_iret_hv_selectors.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "forbid": [r"BUG", r"PANIC|panic"],
    "subtests": True,
    "min_subtests": 4,
})
