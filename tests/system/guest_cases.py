"""System-test cases for the PV test guests in tests/guests/ (same dict
format as CASES in tests/system/cases.py, which documents every field).

Each guest prints "PASS <check>" / "FAIL <check>: why" lines, which appear
on the serial console as "(d0) ...". All of these guests also pass on
Xen 4.17 booted the same way (xen.gz with console=com1 dom0_mem=128M,max:128M).
"""

from case_shapes import subtest_guest_case

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
    {
        # The bench guest's two-domain rows (make bench's second Lamina
        # boot): domain 0 measures the ping-pong and the yield switches,
        # domain 1 answers, domain 0 shuts it down. No timing is checked.
        "name": "bench-guest-two-domain-smoke",
        "modules": [("{build}/bench/bench-guest.elf", "iterations=10 twodom=1"),
                    ("{build}/bench/bench-guest.elf", "iterations=10 peer=1")],
        "extra": ["-icount shift=0,sleep=off"],
        "expect_status": "poweroff",
        "expect": [
            r"^\(d1\) BENCH peer port=\d+ answering 26 round trips",
            r"^\(d0\) BENCH row=evtchn_roundtrip_2dom iters=10 insns_per_op=[1-9]\d*\.\d\b",
            r"^\(d0\) BENCH row=context_switch iters=20 insns_per_op=[1-9]\d*\.\d\b",
            r"^\(d0\) BENCH done",
        ],
        "forbid": [r"BENCH peer error", r"insns_per_op=n/a"],
    },
]

GUEST_CASES.append(subtest_guest_case("guest-ptwr", "ptwr", 25))

# memory_op queries and reservation changes (tests/guests/memory_op.c);
# 64 MiB so the frames above the initial mapping can be given back.
GUEST_CASES.append(subtest_guest_case("guest-memory-op", "memory_op", 80, cmdline="dom0_mem=64M"))

# The paging part of the attack suite (tests/guests/attacks_mm.c): one line
# per attack, each a subtest; 64 MiB leaves free frames above the initial
# mapping for the suite's own tables.
GUEST_CASES.append(subtest_guest_case("guest-attacks-mm", "attacks_mm", 115, cmdline="dom0_mem=64M"))

# Batches longer than one hypervisor chunk are continued (tests/guests/mmu_batch.c).
GUEST_CASES.append(subtest_guest_case("guest-mmu-batch", "mmu_batch", 11))

# The descriptor-table and multicall part of the attack suite
# (tests/guests/attacks_desc.c): set_gdt, update_descriptor, SET_LDT and
# multicall, one line per check.
GUEST_CASES.append(subtest_guest_case("guest-attacks-desc", "attacks_desc", 71))

# HYPERVISOR_iret to a non-canonical rip (with and without VGCF_in_syscall):
# #GP(0) in the guest at that rip, as on Xen 4.17 (checked there too, in
# xen_behaviour_cases.py); the hypervisor never returns to it.
GUEST_CASES.append({
    "name": "guest-iret-noncanonical",
    "modules": [("{build}/tests/guests/iret_noncanonical.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) 2 passed, 0 failed"],
    "subtests": True,
    "min_subtests": 2,
})

# Attacks that must end the domain, each in its own guest: the hypervisor
# reports why on its "(lamina) domain 0 (dom0) crashed: ..." line and stays
# up to end the run with status crash.
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
GUEST_CASES.append(subtest_guest_case("guest-user-attacks", "user_attacks", 7))

# A return the CPU refuses goes to the failsafe callback (tests/guests/failsafe.c).
GUEST_CASES.append(subtest_guest_case("guest-failsafe", "failsafe", 4))

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
GUEST_CASES.append(subtest_guest_case("guest-evtchn", "evtchn", 103))

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

# --- Several domains (tests/guests/mdlib.c and the guests using it) -------

# Two domains bounce 10,000 events over one interdomain event channel:
# domain 0 allocates an unbound port for domain 1 (port 1: domain 0 has no
# console or xenstore ports), domain 1 binds to it, then each waits for the
# other with SCHEDOP_poll and answers with EVTCHNOP_send.
GUEST_CASES.append({
    "name": "md-pingpong",
    "cmdline": "dom0_mem=32M domain1=name=pong,mem=16M",
    "modules": [("{build}/tests/guests/pingpong.elf", "role=ping peer=1"),
                ("{build}/tests/guests/pingpong.elf",
                 "role=pong peer=0 port=1")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [
        r"^\(d0\) pingpong: ping allocated port 1 for domain 1$",
        r"^\(d1\) pingpong: pong bound local port \d+ to domain 0 port 1$",
        r"^\(d0\) pingpong: 10000 round trips$",
        r"^\(d1\) pingpong: 10000 round trips$",
        r"^\(d0\) PASS pingpong_all_rounds$",
        r"^\(d1\) PASS pingpong_all_rounds$",
        r"^\(lamina\) domain 0 \(dom0\) ended: shut down \(poweroff\)",
        r"^\(lamina\) domain 1 \(pong\) ended: shut down \(poweroff\)",
    ],
    "subtests": True,
    "min_subtests": 5,
})

# The guest's wall clock against the host's date (tests/guests/wallclock.c):
# the host's time is taken when this list is loaded, before any QEMU runs,
# so the guest's clock may be at most 2 s earlier (RTC seconds) and later by
# no more than the time the case can wait for its turn.
import time as _time  # noqa: E402  (only this case needs it)

GUEST_CASES.append({
    "name": "md-wallclock",
    "cmdline": "dom0_mem=16M",
    "modules": [("{build}/tests/guests/wallclock.elf",
                 f"host_epoch={int(_time.time())} slack_s=600")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) wallclock: guest \d+, host \d+ when set up, -?\d+ s off$",
               r"^\(d0\) PASS wallclock_matches_host$"],
    "subtests": True,
    "min_subtests": 2,
})

# Weighted shares (tests/guests/spinshare.c): two domains spin side by side,
# weights 256 and 512; over the same 2 s window of system time (1 s to 3 s
# after boot) each must get its share of 1/3 and 2/3 within +-10%.
GUEST_CASES.append({
    "name": "md-shares-weights",
    "cmdline": "dom0_mem=16M domain0=name=light,weight=256 "
               "domain1=name=heavy,mem=16M,weight=512",
    "modules": [("{build}/tests/guests/spinshare.elf",
                 "name=light expect_share=333 start_ms=1000 duration_ms=2000"),
                ("{build}/tests/guests/spinshare.elf",
                 "name=heavy expect_share=667 start_ms=1000 duration_ms=2000")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [r"^\(d0\) spinshare: light ran \d+ ms of \d+ ms",
               r"^\(d1\) spinshare: heavy ran \d+ ms of \d+ ms",
               r"^\(d0\) PASS light_expected$",
               r"^\(d1\) PASS heavy_expected$"],
    "subtests": True,
    "min_subtests": 4,
})

# A cap (tests/guests/spinshare.c): a domain capped at 25% spins beside an
# uncapped one; it gets at most 25% (+3% for the accounting's granularity)
# and the other at least 70%.
GUEST_CASES.append({
    "name": "md-shares-cap",
    "cmdline": "dom0_mem=16M domain0=name=capped,cap=25 "
               "domain1=name=free,mem=16M",
    "modules": [("{build}/tests/guests/spinshare.elf",
                 "name=capped max_share=280 start_ms=1000 duration_ms=2000"),
                ("{build}/tests/guests/spinshare.elf",
                 "name=free min_share=700 start_ms=1000 duration_ms=2000")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [r"^\(d0\) spinshare: capped ran \d+ ms of \d+ ms",
               r"^\(d1\) spinshare: free ran \d+ ms of \d+ ms",
               r"^\(d0\) PASS capped_at_most$",
               r"^\(d1\) PASS free_at_least$"],
    "subtests": True,
    "min_subtests": 4,
})

# Isolation (tests/guests/isolation.c): domain 1 loops forever without a
# hypercall, domain 2 floods its console ring with 2000 long lines, domain 3
# crashes (ud2, no trap table). Domain 0 waits for 2 and 3 to end (blocked
# on VIRQ_DOM_EXC), ends domain 1 with SCHEDOP_remote_shutdown and powers
# off; the run ends as a crash because domain 3 crashed.
GUEST_CASES.append({
    "name": "md-isolation",
    "cmdline": "dom0_mem=16M domain0=name=orchestrator "
               "domain1=name=loop,mem=16M domain2=name=flood,mem=16M "
               "domain3=name=crasher,mem=16M",
    "modules": [("{build}/tests/guests/isolation.elf",
                 "role=orchestrator loop=1 flood=2 crash=3"),
                ("{build}/tests/guests/isolation.elf", "role=loop"),
                ("{build}/tests/guests/isolation.elf", "role=flood lines=2000"),
                ("{build}/tests/guests/isolation.elf", "role=crash")],
    "expect_status": "crash",
    "timeout": 120,
    "expect": [
        r"^\(d1\) loop: spinning forever, no hypercalls$",
        r"^\(d2\) flood: line 0 abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
        r"qrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv$",
        r"^\(d2\) flood: line 1999 abcdefghijklmnopqrstuvwxyzabcdefghijklmnop"
        r"qrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv$",
        r"^\(d2\) flood: 2000 lines written in \d+ ms$",
        r"^\(d3\) crash: executing ud2 without a trap table$",
        r"^\(lamina\) domain 3 \(crasher\) crashed: ",
        r"^\(d0\) isolation: domains 2 and 3 ended, [1-9]\d* VIRQ_DOM_EXC",
        r"^\(d0\) PASS loop_still_running$",
        r"^\(d0\) PASS remote_shutdown_loop$",
        r"^\(d0\) isolation: domain 1 shut down, powering off$",
        r"^\(lamina\) domain 0 \(orchestrator\) ended: shut down \(poweroff\)",
        r"^\(lamina\) domain 1 \(loop\) ended: shut down \(poweroff\)",
        r"^\(lamina\) domain 2 \(flood\) ended: shut down \(poweroff\)",
        r"^\(lamina\) domain 3 \(crasher\) ended: crashed",
        r"^\(lamina\) run ended: crash \(status 2\)",
    ],
    "forbid": [r"^\(d1\) .*(PASS|FAIL)", r"no console ring"],
    "subtests": True,
    "min_subtests": 8,
})

# Event channels misused across two domains (tests/guests/evtmisuse.c):
# domain 0 (host) allocates ports 2 (for domain 7), 3 and 4 (for domain 1)
# after binding VIRQ_DOM_EXC on port 1; domain 1 (prober, unprivileged)
# binds 4 and 3, the host closes 4, and the prober gets Xen's errors for
# the closed port, a port meant for another domain, an unknown domain,
# another domain's ports and table, out-of-range and free ports, a VIRQ
# bound twice and a full port table; sends on the port the host closed are
# dropped (0). After the prober ends, the host got VIRQ_DOM_EXC and its
# port 3 is unbound again.
GUEST_CASES.append({
    "name": "md-evtchn-misuse",
    "cmdline": "dom0_mem=16M domain0=name=host domain1=name=prober,mem=16M",
    "modules": [("{build}/tests/guests/evtmisuse.elf", "role=host peer=1"),
                ("{build}/tests/guests/evtmisuse.elf",
                 "role=prober peer=0 other=2 keep=3 good=4")],
    "expect_status": "poweroff",
    "timeout": 90,
    "expect": [r"^\(d0\) \d+ passed, 0 failed$",
               r"^\(d1\) \d+ passed, 0 failed$",
               r"^\(d1\) PASS prober_send_on_port_peer_closed$",
               r"^\(d0\) PASS host_keep_unbound_after_peer_end$",
               r"^\(lamina\) run ended: poweroff"],
    "subtests": True,
    "min_subtests": 48,
})

# Grant-table set-up (tests/guests/gnttab.c).
GUEST_CASES.append(subtest_guest_case("guest-gnttab", "gnttab", 26))

# INIT_P2M (as Linux's kernel asks): the p2m list mapped at 512 GiB, outside
# the initial mapping (tests/guests/boot_info_init_p2m.mk).
GUEST_CASES.append({
    "name": "guest-boot-info-init-p2m",
    "cmdline": "dom0_mem=128M",
    "modules": [("{build}/tests/guests/boot_info_init_p2m.elf",
                 "expect_pages=32768 marker=lamina-boot-info init_p2m=549755813888")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed", r"^\(d0\) PASS init_p2m_address"],
    "subtests": True,
    "min_subtests": 28,
})

# Hardware breakpoints for guests (tests/guests/debugreg.c).
GUEST_CASES.append(subtest_guest_case("guest-debugreg", "debugreg", 18))

# Every CPUID leaf a PV kernel sees (tests/guests/cpuid_dump.c); the same
# binary on Xen gives the reference to diff against (docs/debugging.md).
GUEST_CASES.append({
    "name": "guest-cpuid-dump",
    "modules": [("{build}/tests/guests/cpuid_dump.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) cpuid 00000000\.0: ", r"^\(d0\) cpuid 40000000\.0: [0-9a-f]{8} 566e6558 65584d4d 4d4d566e",
               r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 2,
})

# Hostile SCHEDOP_poll arguments and console-ring indices, as an
# unprivileged domain (tests/guests/bad_poll_console.c).
GUEST_CASES.append({
    "name": "guest-bad-poll-console",
    "cmdline": "domain0=role=unpriv,mem=64M",
    "modules": [("{build}/tests/guests/bad_poll_console.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed", r"^\(d0\) ring still works$"],
    "subtests": True,
    "min_subtests": 18,
})

# Page-table sequences whose results must not depend on the hypercall path
# (tests/guests/fast_slow_parity.c); the suite's second pass runs it with
# the fast path off.
GUEST_CASES.append(subtest_guest_case("guest-fast-slow-parity", "fast_slow_parity", 10))
