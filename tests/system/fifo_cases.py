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

# An interdomain channel with FIFO on both ends (tests/guests/fifo_pingpong.c):
# each side polls its port's event word (SCHEDOP_poll sees FIFO PENDING)
# and takes exactly that port off its queue, 1000 times.
FIFO_CASES.append({
    "name": "md-fifo-pingpong",
    "cmdline": "dom0_mem=32M domain1=name=pong,mem=16M",
    "modules": [("{build}/tests/guests/fifo_pingpong.elf", "role=ping peer=1"),
                ("{build}/tests/guests/fifo_pingpong.elf",
                 "role=pong peer=0 port=1")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [
        r"^\(d0\) fifo_pingpong: ping \(fifo\): 1000 round trips$",
        r"^\(d1\) fifo_pingpong: pong \(fifo\): 1000 round trips$",
        r"^\(d0\) PASS fifo_queue_held_only_our_port$",
        r"^\(d1\) PASS fifo_queue_held_only_our_port$",
    ],
    "subtests": True,
    "min_subtests": 10,
})

# The same channel between a FIFO domain and a two-level one.
FIFO_CASES.append({
    "name": "md-fifo-pingpong-mixed",
    "cmdline": "dom0_mem=32M domain1=name=pong,mem=16M",
    "modules": [("{build}/tests/guests/fifo_pingpong.elf", "role=ping peer=1"),
                ("{build}/tests/guests/fifo_pingpong.elf",
                 "role=pong peer=0 port=1 fifo=0")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [
        r"^\(d0\) fifo_pingpong: ping \(fifo\): 1000 round trips$",
        r"^\(d1\) fifo_pingpong: pong \(two-level\): 1000 round trips$",
    ],
    "subtests": True,
    "min_subtests": 6,
})
