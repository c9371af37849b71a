"""System-test cases for the PV test guests in tests/guests/ (same dict
format as CASES in tests/system/cases.py, which documents every field).

Each guest prints "PASS <check>" / "FAIL <check>: why" lines, which appear
on the serial console as "(d0) ...". All of these guests also pass on
Xen 4.17 booted the same way (xen.gz with console=com1 dom0_mem=128M,max:128M).
"""

# 128 MiB for domain 0, as Xen's dom0_mem option spells it; boot_info is
# told the page count it must find in start_info.nr_pages.
DOM0_MEM = "dom0_mem=128M"
DOM0_PAGES = 128 * 1024 * 1024 // 4096

GUEST_CASES = [
    {
        "name": "guest-kernel-traps",
        "modules": [("{build}/guest-kernel/guest-kernel.elf", "console=hvc0")],
        "expect_status": "poweroff",
        "expect": [
            r"^\(d0\) Lamina guest kernel",
            r"^\(d0\) start_info at 0x[0-9a-f]+: magic \"xen-3\.0-x86_64\"",
            r"^\(d0\) int3 caught at rip=[0-9a-f]+",
            r"^\(d0\) ud2 caught at rip=[0-9a-f]+",
            # User processes, each in its own address space (guest-kernel/
            # proc.c): ping and pong take turns through yield(), pong
            # entering the kernel by int $0x80; the other four are killed
            # for touching kernel memory, ping's private page, the M2P
            # (writing; reading is allowed) and for executing hlt.
            r"^\(d0\) mm: \d+ free frames",
            r"^\(d0\) spawned pid 6 \(priv_insn\)",
            r"^\(d0\) pid 1: hello from ping, pid 1$",
            r"^\(d0\) pid 1: ping 3$",
            r"^\(d0\) pid 2: pong 3 \(int \$0x80\)$",
            r"^\(d0\) pid 1: my private page says: ping's private page$",
            r"^\(d0\) pid 2: pong: bad calls refused$",
            r"^\(d0\) pid 3: page fault at ffffffff80000000 \(rip=[0-9a-f]+, "
            r"read not present\), killed$",
            r"^\(d0\) pid 4: page fault at 600000 \(rip=[0-9a-f]+, "
            r"read not present\), killed$",
            r"^\(d0\) pid 5: M2P entry 0 reads as 0x[0-9a-f]+; writing it$",
            r"^\(d0\) pid 5: page fault at ffff800000000000 \(rip=[0-9a-f]+, "
            r"write protection violation\), killed$",
            r"^\(d0\) pid 6: #GP at rip=[0-9a-f]+ \(error 0\), killed$",
            r"^\(d0\) pid 1 \(ping\) exited with code 0$",
            r"^\(d0\) pid 2 \(pong\) exited with code 7$",
            # Preemption by the PV timer (VIRQ_TIMER, 10 ms tick): spin
            # never yields, yet yielder and sleeper finish beside it; spin
            # is killed once it used its 30 ticks. sleeper's second sleep
            # happens alone, so the kernel blocks in its idle loop.
            r"^\(d0\) timer: VIRQ_TIMER on port \d+, tick 10 ms$",
            r"^\(d0\) pid 7: spin: computing without ever yielding$",
            r"^\(d0\) pid 7: spin: 65536 rounds, x=0x[0-9a-f]+$",
            r"^\(d0\) pid 8: yielder: round 10$",
            r"^\(d0\) pid 8 \(yielder\) exited with code 0$",
            r"^\(d0\) pid 9: sleeper: slept 100 ms beside the others, "
            r"measured \d+ ms$",
            r"^\(d0\) pid 9: sleeper: slept 100 ms alone \(kernel idle\), "
            r"measured \d+ ms$",
            r"^\(d0\) pid 9 \(sleeper\) exited with code 0$",
            r"^\(d0\) pid 7: CPU limit of 30 ticks used up, killed$",
            r"^\(d0\) scheduler: \d+ switches between processes, "
            r"[1-9]\d* preemptions$",
            r"^\(d0\) timer: \d+ events, idle blocked [1-9]\d* times$",
            r"^\(d0\) processes: 9 started, 4 exited, 5 killed$",
            r"^\(d0\) guest kernel: all done, powering off",
        ],
        "forbid": [r"BUG", r"leaked", r"too early"],
    },
    {
        "name": "guest-boot-info",
        "cmdline": DOM0_MEM,
        "modules": [("{build}/tests/guests/boot_info.elf",
                     f"expect_pages={DOM0_PAGES} marker=lamina-boot-info")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "subtests": True,
        "min_subtests": 24,
    },
    {
        "name": "guest-priv-insns",
        "modules": [("{build}/tests/guests/priv_insns.elf", "")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "subtests": True,
        "min_subtests": 31,
    },
    {
        "name": "guest-bad-hypercalls",
        "modules": [("{build}/tests/guests/bad_hypercalls.elf", "")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "subtests": True,
        "min_subtests": 28,
    },
    {
        "name": "guest-no-handler",
        "modules": [("{build}/tests/guests/no_handler.elf", "")],
        "expect_status": "crash",
        "expect": [r"^\(d0\) no_handler: executing ud2 with no trap table"],
        "forbid": [r"execution continued after ud2"],
    },
    {
        "name": "guest-hypercalls",
        "modules": [("{build}/tests/guests/hypercalls.elf", "")],
        "expect_status": "poweroff",
        "expect": [r"^\(d0\) \d+ passed, 0 failed"],
        "subtests": True,
        "min_subtests": 49,
    },
    {
        # make bench's guest (tools/bench) with few iterations: every row
        # must print a positive figure or n/a. No timing is checked.
        "name": "bench-guest-smoke",
        "modules": [("{build}/bench/bench-guest.elf", "iterations=10")],
        "extra": ["-icount shift=0,sleep=off"],
        "expect_status": "poweroff",
        "expect": [
            r"^\(d0\) BENCH hypervisor=lamina ",
            r"^\(d0\) BENCH row=null_hypercall iters=\d+ insns_per_op=\d",
            r"^\(d0\) BENCH row=exception_bounce iters=\d+ insns_per_op=\d",
            # Guest user mode: user syscall -> callback -> iret, measured.
            r"^\(d0\) BENCH row=user_syscall iters=\d+ insns_per_op=\d",
            r"^\(d0\) BENCH done",
        ],
        # A row is bad when its figure is zero or not a number (n/a is fine).
        "forbid": [
            r"^\(d0\) BENCH row=\S+ iters=\d+ insns_per_op=0\.0\b",
            r"^\(d0\) BENCH row=\S+ iters=\d+ insns_per_op=(?!n/a\b)(?!\d+\.\d\b)",
            r"^\(d0\) BENCH row=\S+ iters=\d+ insns_per_op=n/a reason=error",
        ],
    },
]

GUEST_CASES.append({
    "name": "guest-ptwr",
    "modules": [("{build}/tests/guests/ptwr.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 25,
})

# memory_op queries and reservation changes (tests/guests/memory_op.c);
# 64 MiB so the frames above the initial mapping can be given back.
GUEST_CASES.append({
    "name": "guest-memory-op",
    "cmdline": "dom0_mem=64M",
    "modules": [("{build}/tests/guests/memory_op.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 80,
})

# The paging part of the attack suite (tests/guests/attacks_mm.c): one line
# per attack, each a subtest; 64 MiB leaves free frames above the initial
# mapping for the suite's own tables.
GUEST_CASES.append({
    "name": "guest-attacks-mm",
    "cmdline": "dom0_mem=64M",
    "modules": [("{build}/tests/guests/attacks_mm.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 115,
})

# Batches longer than one hypervisor chunk are continued (tests/guests/mmu_batch.c).
GUEST_CASES.append({
    "name": "guest-mmu-batch",
    "modules": [("{build}/tests/guests/mmu_batch.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 11,
})

# The descriptor-table and multicall part of the attack suite
# (tests/guests/attacks_desc.c): set_gdt, update_descriptor, SET_LDT and
# multicall, one line per check.
GUEST_CASES.append({
    "name": "guest-attacks-desc",
    "modules": [("{build}/tests/guests/attacks_desc.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 71,
})

# Attacks that must end the domain, each in its own guest: the hypervisor
# reports why on its "(lamina) domain 0 (dom0) crashed: ..." line and stays
# up to end the run with status crash.
GUEST_CASES.append({
    "name": "guest-iret-noncanonical",
    "modules": [("{build}/tests/guests/iret_noncanonical.elf", "")],
    "expect_status": "crash",
    "expect": [
        r"^\(d0\) iret_noncanonical: HYPERVISOR_iret \(VGCF_in_syscall\) "
        r"to rip 800000000000",
        r"^\(lamina\) domain 0 \(dom0\) crashed: .*non-canonical.*"
        r"rip 0x800000000000",
    ],
})

GUEST_CASES.append({
    "name": "guest-iret-user-no-l4",
    "modules": [("{build}/tests/guests/iret_user_no_l4.elf", "")],
    "expect_status": "crash",
    "expect": [
        r"^\(d0\) iret_user_no_l4: HYPERVISOR_iret to user mode, no user L4",
        r"^\(lamina\) domain 0 \(dom0\) crashed: .*without user page tables",
    ],
    "forbid": [r"execution continued in user mode"],
})

GUEST_CASES.append({
    "name": "guest-bad-kernel-stack",
    "modules": [("{build}/tests/guests/bad_kernel_stack.elf", "")],
    "expect_status": "crash",
    "expect": [
        r"^\(d0\) bad_kernel_stack: user int3 with kernel stack at unmapped "
        r"ffffffffc0000000",
        r"^\(lamina\) domain 0 \(dom0\) crashed: fault while delivering #BP",
    ],
    "forbid": [r"#BP handler ran"],
})

GUEST_CASES.append({
    "name": "guest-bounce-bad-stack",
    "modules": [("{build}/tests/guests/bounce_bad_stack.elf", "")],
    "expect_status": "crash",
    "expect": [
        r"^\(d0\) bounce_bad_stack: ud2 with rsp at unmapped 10000000",
        r"^\(lamina\) domain 0 \(dom0\) crashed: fault while delivering #UD",
    ],
    "forbid": [r"#UD handler ran", r"execution continued after ud2"],
})

# Trap paths from guest user mode (tests/guests/user_attacks.c): syscall
# without a callback, int n through DPL-0 / missing / DPL-3 entries, a
# kernel read, int3; each trap checked on the kernel's side.
GUEST_CASES.append({
    "name": "guest-user-attacks",
    "modules": [("{build}/tests/guests/user_attacks.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 7,
})

# A return the CPU refuses goes to the failsafe callback (tests/guests/failsafe.c).
GUEST_CASES.append({
    "name": "guest-failsafe",
    "modules": [("{build}/tests/guests/failsafe.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 4,
})

# The PV clock, wall clock and time hypercalls (tests/guests/timeguest.c).
GUEST_CASES.append({
    "name": "guest-time",
    "modules": [("{build}/tests/guests/timeguest.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) wallclock \d+\.\d{9}$", r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 35,
})

# Sleeping 100 ms: VIRQ_TIMER bound, set_timer_op, SCHEDOP_block, measured
# in system time (100 ms +- 10%).
GUEST_CASES.append({
    "name": "guest-time-sleep",
    "modules": [("{build}/tests/guests/timeguest.elf", "sleep=1")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) PASS sleep_100ms$", r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 39,
})

# Event channels in one domain (tests/guests/evtchn.c): every EVTCHNOP and
# its refusals with Xen's error codes, the two-level bits in shared_info,
# and the upcall on send / unmask once events are unmasked.
GUEST_CASES.append({
    "name": "guest-evtchn",
    "modules": [("{build}/tests/guests/evtchn.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 103,
})

# make run's system: the guest kernel as domain 0 and again as domain 1,
# unprivileged (no SIF_INITDOMAIN), which prints through its PV console
# ring; the hypervisor shows each domain's lines with its own prefix and
# ends the run once both have powered off.
GUEST_CASES.append({
    "name": "guest-kernel-two-domains",
    "cmdline": "domain1=name=guest,mem=64M",
    "modules": [("{build}/guest-kernel/guest-kernel.elf", "console=hvc0"),
                ("{build}/guest-kernel/guest-kernel.elf", "console=hvc0")],
    "expect_status": "poweroff",
    "timeout": 120,
    "expect": [
        r"^\(d0\) Lamina guest kernel$",
        r"^\(d1\) Lamina guest kernel$",
        r"^\(d0\)   console\.dom0: ",
        r"^\(d1\)   console\.domU: mfn=[0-9a-f]+ evtchn=\d+$",
        r"^\(d1\) console: PV console ring, event channel \d+$",
        r"^\(d0\) pid 2: pong: bad calls refused$",
        r"^\(d1\) pid 2: pong: bad calls refused$",
        r"^\(d0\) pid 7: CPU limit of 30 ticks used up, killed$",
        r"^\(d1\) pid 7: CPU limit of 30 ticks used up, killed$",
        r"^\(d0\) pid 9 \(sleeper\) exited with code 0$",
        r"^\(d1\) pid 9 \(sleeper\) exited with code 0$",
        r"^\(d0\) processes: 9 started, 4 exited, 5 killed$",
        r"^\(d1\) processes: 9 started, 4 exited, 5 killed$",
        r"^\(d0\) guest kernel: all done, powering off",
        r"^\(d1\) guest kernel: all done, powering off",
        r"^\(lamina\) domain 1 \(guest\) ended: shut down \(poweroff\)",
    ],
    "forbid": [r"BUG", r"leaked", r"too early", r"unexpected"],
})

# start_info in both roles: the same guest as the initial domain and, beside
# it, as unprivileged domain 1 (console and xenstore rings, no SIF flags).
GUEST_CASES.append({
    "name": "guest-boot-info-both-roles",
    "cmdline": "dom0_mem=128M domain1=mem=64M",
    "modules": [("{build}/tests/guests/boot_info.elf",
                 "expect_pages=32768 marker=lamina-boot-info"),
                ("{build}/tests/guests/boot_info.elf",
                 "expect_pages=16384 marker=lamina-boot-info role=domU")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed", r"^\(d1\) \d+ passed, 0 failed",
               r"^\(d1\) PASS domU_console_page_after_store",
               r"^\(d0\) PASS dom0_no_store_mfn"],
    "subtests": True,
    "min_subtests": 56,
})

# The first module itself can be started unprivileged.
GUEST_CASES.append({
    "name": "guest-boot-info-unprivileged-dom0",
    "cmdline": "domain0=role=unpriv,mem=64M",
    "modules": [("{build}/tests/guests/boot_info.elf",
                 "expect_pages=16384 marker=lamina-boot-info role=domU")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed", r"^\(d0\) PASS flags_domU"],
    "subtests": True,
    "min_subtests": 29,
})
