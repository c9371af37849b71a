"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field).

Speculative-execution hygiene (docs/security.md). QEMU's TCG CPU ("-cpu max",
an AMD model without IBPB, MD_CLEAR or ARCH_CAPABILITIES) is affected by
nothing, so the mitigations are forced on with their boot options: the
L1TF check of not-present page-table entries on every path that writes a
page table, VERW on every exit (counted), and IBPB, which this CPU cannot
do: forcing it must be refused with a boot message, not a #GP.
"""

L1TF = "{build}/tests/guests/spec_l1tf.elf"
COUNTERS = "{build}/tests/guests/spec_counters.elf"
BOOT_LINE = r"^\(lamina\) spec-ctrl: \w+ \d+:0x[0-9a-f]+:\d+ paddr \d+ l1d \d+ caps "

SPEC_HYGIENE_CASES = [
    {
        # Default on an unaffected CPU: one boot line, everything off, and
        # not-present entries are free-form, as on Xen without pv-l1tf.
        "name": "spec-default-line",
        "modules": [(L1TF, "l1tf=off")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [BOOT_LINE + r".*: l1tf pv-check off \(not affected; safe from "
                   r"0x[0-9a-f]+\), ibpb on switch off \(no IBPB\), "
                   r"verw on exit off \(not affected\)$"],
        "forbid": [r"verw at \d+ exits"],
    },
    {
        "name": "spec-l1tf-forced-on",
        "cmdline": "pv-l1tf=on",
        "modules": [(L1TF, "l1tf=on")],
        "expect_status": "poweroff",
        "subtests": True,
        "min_subtests": 50,
        "expect": [r"l1tf pv-check on \(forced; safe from 0x[0-9a-f]+\)",
                   r"^\(d0\) PASS pin_l1_with_own_frame: refused with -EINVAL",
                   r"^\(d0\) PASS update_va_mapping_inverted_swap"],
    },
    {
        "name": "spec-l1tf-forced-off",
        "cmdline": "pv-l1tf=off",
        "modules": [(L1TF, "l1tf=off")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [r"l1tf pv-check off \(forced"],
    },
    {
        # Per domain, as Xen's dom0=/domu=: the initial domain unchecked,
        # the unprivileged one checked.
        "name": "spec-l1tf-domu-only",
        "cmdline": "pv-l1tf=dom0=off,domu=on",
        "modules": [(L1TF, "l1tf=off"), (L1TF, "l1tf=on")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [r"l1tf pv-check dom0 off domU on \(forced",
                   r"^\(d0\) \d+ passed, 0 failed",
                   r"^\(d1\) PASS mmu_update_l1_own_frame: refused with -EINVAL",
                   r"^\(d1\) \d+ passed, 0 failed"],
    },
    {
        # VERW forced on: the three exits are patched, the guests still run,
        # and every exit they make is counted.
        "name": "spec-verw-forced-on",
        "cmdline": "spec-ctrl=md-clear=on",
        "modules": [(COUNTERS, "verw=yes ibpb=no"), (COUNTERS, "verw=yes ibpb=no")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [r"verw on exit on \(forced\)",
                   r"^\(lamina\) spec-ctrl: verw at 3 exits to guests$",
                   r"^\(d0\) PASS verw_counted_on_every_exit",
                   r"^\(d1\) PASS verw_counted_on_every_exit"],
    },
    {
        "name": "spec-verw-off-counts-nothing",
        "cmdline": "spec-ctrl=verw=off",
        "modules": [(COUNTERS, "verw=no ibpb=no"), (COUNTERS, "verw=no ibpb=no")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [r"verw on exit off \(forced\)", r"^\(d1\) PASS no_verw"],
        "forbid": [r"verw at \d+ exits"],
    },
    {
        # IBPB forced on a CPU without it: refused at boot with a message,
        # never a wrmsr that would #GP; two domains switch freely.
        "name": "spec-ibpb-forced-without-cpu-support",
        "cmdline": "spec-ctrl=ibpb=on",
        "modules": [(COUNTERS, "verw=no ibpb=no"), (COUNTERS, "verw=no ibpb=no")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [r"ibpb on switch off \(forced on, but the CPU has no IBPB\)",
                   r"^\(d0\) PASS no_ibpb", r"^\(d1\) PASS no_ibpb"],
    },
    {
        # spec-ctrl=no turns everything off, but an explicit pv-l1tf wins.
        "name": "spec-ctrl-no-keeps-explicit-l1tf",
        "cmdline": "pv-l1tf=on spec-ctrl=no",
        "modules": [(L1TF, "l1tf=on")],
        "expect_status": "poweroff",
        "subtests": True,
        "expect": [r"l1tf pv-check on \(forced.*ibpb on switch off \(forced\), "
                   r"verw on exit off \(forced\)"],
    },
    {
        "name": "spec-ctrl-bad-option",
        "cmdline": "spec-ctrl=ibpb=sometimes",
        "modules": [(L1TF, "l1tf=off")],
        "expect_status": "boot-error",
        "expect": [r"spec-ctrl: <bool> is on/off"],
    },
]
