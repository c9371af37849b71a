"""System-test cases of one isolation area (same dict format as CASES in
tests/system/cases.py, which documents every field)."""

TLB_CASES = []

# Stale TLB entries against lazy flushing (tests/guests/tlb_attacks.c,
# docs/memory.md "TLB"): a frame left writable in the TLB by an unmap
# without flush (update_va_mapping UVMF_NONE, mmu_update, a ptwr store) is
# pinned as an L1, loaded as LDT/GDT, given back, or reached through an
# old subtree; every access through the stale address must fault. Then the lamina_perf counters show that data-page updates
# flush nothing and that the guest's flush requests are honoured. 64 MiB
# leaves free frames above the initial mapping.
TLB_CASES.append({
    "name": "tlb-stale-translations",
    "cmdline": "dom0_mem=64M",
    "modules": [("{build}/tests/guests/tlb_attacks.elf", "")],
    "expect_status": "poweroff",
    "expect": [r"^\(d0\) \d+ passed, 0 failed"],
    "subtests": True,
    "min_subtests": 65,
})
