"""System cases of the console ring service and console_io
(tests/guests/consolering.c)."""

GUEST = "{build}/tests/guests/consolering.elf"
EARLY = r"^\(d0\) console: early boot line$"

CONSOLE_CASES = [
    # Notifications only when data moved; console_io of an unprivileged
    # domain kept off the serial line, so early text printed both ways
    # appears once.
    {
        "name": "console-ring-domU",
        "cmdline": "domain0=role=unpriv,mem=64M",
        "modules": [(GUEST, "")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) consolering: console port \d+$",
                   r"^\(d0\) console: a real write$",
                   r"^\(d0\) console: written with an eager handler bound$",
                   r"^\(lamina\) domain 0: \d+ bytes of console_io output "
                   r"not shown",
                   r"^\(d0\) \d+ passed, 0 failed"],
        "expect_count": [(EARLY, 1)],
        "subtests": True,
        "min_subtests": 7,
    },
    # guest_console_io=show: the console_io text is shown too, prefixed.
    {
        "name": "console-ring-domU-show",
        "cmdline": "domain0=role=unpriv,mem=64M guest_console_io=show",
        "modules": [(GUEST, "")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "forbid": [r"console_io output not shown"],
        "expect_count": [(EARLY, 2)],
        "subtests": True,
        "min_subtests": 7,
    },
    # Output left in the ring (never notified) is printed as the domain ends.
    {
        "name": "console-ring-leftover",
        "cmdline": "domain0=role=unpriv,mem=64M",
        "modules": [(GUEST, "role=leftover")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) console: leaving output in the ring$",
                   r"^\(d0\) console: unflushed line$",
                   r"^\(d0\) console: partial line$"],
    },
    # Serial input reaches the focused unprivileged domain through its ring.
    {
        "name": "console-input-ring",
        "cmdline": "domain0=role=unpriv,mem=64M",
        "modules": [(GUEST, "role=input expect=5")],
        "expect_status": "poweroff",
        "input": [(r"^\(d0\) console: waiting for input$", "hello")],
        "expect": [r"^\(d0\) console: input 'hello' with [12] events$"],
        "subtests": True,
    },
    # Domain 0's serial input: a domU's CONSOLEIO_read is refused and takes
    # none of it; domain 0 reads all of it.
    {
        "name": "console-input-dom0",
        "cmdline": "dom0_mem=32M domain1=mem=16M",
        "modules": [(GUEST, "role=dom0read expect=6"),
                    (GUEST, "role=domUread")],
        "expect_status": "poweroff",
        "input": [(r"^\(d1\) console: domU reading$", "abc123")],
        "expect": [r"^\(d0\) console: dom0 read 'abc123'$",
                   r"^\(d1\) PASS domU_read_refused$"],
        "subtests": True,
        "min_subtests": 2,
    },
    # Ctrl-A three times moves serial input from domain 0 (console_io) to
    # domain 1 (its ring): each gets only the text typed for it.
    {
        "name": "console-input-focus",
        "cmdline": "dom0_mem=32M domain1=mem=16M",
        "modules": [(GUEST, "role=dom0read expect=3"),
                    (GUEST, "role=input expect=3")],
        "expect_status": "poweroff",
        "input": [(r"^\(d1\) console: waiting for input$", "abc"),
                  (r"^\(d0\) console: dom0 read ", "\x01\x01\x01xyz")],
        "expect": [r"^\(d0\) console: dom0 read 'abc'$",
                   r"^\(lamina\) serial input now goes to domain 1",
                   r"^\(d1\) console: input 'xyz' with [1-3] events$"],
        "subtests": True,
        "min_subtests": 2,
    },
    {
        "name": "bad-cmdline-guest-console-io",
        "cmdline": "guest_console_io=maybe",
        "modules": [("{build}/guest-kernel/guest-kernel.elf", "")],
        "expect_status": "boot-error",
        "expect": [r"^\(lamina\) boot error: guest_console_io: show or hide"],
        "timeout": 30,
    },
]
