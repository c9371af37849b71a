"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field)."""

FIFO_CASES = []

# FIFO event channels in one domain (tests/guests/evtchn_fifo.c): Xen's
# error codes for init_control / expand_array / set_priority, delivery in
# priority then arrival order, mask / unmask, a two-level pending port
# carried over, VIRQ_TIMER waking a block, and the frame rule on the
# control-block and event-array frames (pin, GDT/LDT, give back), which
# reset releases. The teardown accounting check prints "BUG" if a frame
# escaped.
FIFO_CASES.append({
    "name": "evtchn-fifo",
    "modules": [("{build}/tests/guests/evtchn_fifo.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "forbid": [r"BUG"],
    "subtests": True,
    "min_subtests": 80,
})
