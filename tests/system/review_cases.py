"""System cases from the isolation review (hostile guests)."""

from case_shapes import subtest_guest_case

FORBID = [r"BUG", r"PANIC|panic"]

REVIEW_CASES = [
    # A hostile FIFO guest (tests/guests/review_fifo_hostile.c): LINK loops,
    # BUSY tails, wild LINKs, linked ports re-prioritised, closed and
    # rebound, one frame as control block and every array page, reset while
    # linked. The hypervisor must survive and leave the released frame alone.
    subtest_guest_case("review-fifo-hostile", "review_fifo_hostile", 10,
                       forbid=FORBID),
    # A hostile multicall guest (tests/guests/review_multicall_hostile.c): a
    # 2048-entry batch preempted many times with nested multicalls into the
    # list itself, iret and a fake preempted mmu_update; a list running into
    # an unmapped page with nr_calls 0xffffffff; lists in the hypervisor's
    # half.
    subtest_guest_case("review-multicall-hostile", "review_multicall_hostile",
                       10, forbid=FORBID),
    # HYPERVISOR_iret to the hypervisor's ring-0 selectors
    # (tests/guests/review_iret_hv_selectors.c): refused by the CPU after the
    # exit forces RPL 3, so the failsafe callback runs, still in ring 3.
    subtest_guest_case("review-iret-hv-selectors", "review_iret_hv_selectors",
                       4, forbid=FORBID),
]
