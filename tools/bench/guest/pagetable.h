/*
 * Page-table lookups the benchmark guest needs to build valid mmu_update,
 * update_va_mapping and pin requests (so the paging rows measure real work
 * on a hypervisor that implements them).
 */
#ifndef BENCH_PAGETABLE_H
#define BENCH_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Where the L1 entry mapping a virtual address lives. */
struct l1_slot {
	uint64_t *entry;        /* the entry, through the initial mapping */
	uint64_t entry_maddr;   /* its machine address (for mmu_update) */
	uint64_t *table;        /* the whole L1 table it belongs to */
	uint64_t table_maddr;   /* machine address of that table */
};

/*
 * Walk the current page tables (start_info.pt_base) for va. False when va
 * is not mapped by a 4 KiB page or a table lies outside the initial mapping.
 */
bool bench_find_l1(unsigned long va, struct l1_slot *slot);

#endif /* BENCH_PAGETABLE_H */
