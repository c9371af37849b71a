/*
 * Page-table walk for the benchmark guest (see pagetable.h). Tables are
 * reached through the M2P (machine frame -> guest pfn) and the initial
 * mapping (guest pfn -> virtual address), as for any Xen PV guest.
 */
#include <libpv/pv.h>
#include "pagetable.h"
#include <libpv/pagetable.h>

#define PT_ENTRIES     512

/* Index of va's entry in the level (1..4) table. */
static unsigned int pt_index(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) &
	       (PT_ENTRIES - 1);
}

/* Virtual address of the page-table page in machine frame mfn. */
static uint64_t *table_of_mfn(unsigned long mfn)
{
	return pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
}

bool bench_find_l1(unsigned long va, struct l1_slot *slot)
{
	uint64_t *table = (uint64_t *)pv_start_info->pt_base;
	unsigned long mfn = pv_pfn_to_mfn(pv_virt_to_pfn(table));
	int level;

	for (level = 4; level > 1; level--) {
		uint64_t entry = table[pt_index(va, level)];

		if (!(entry & PTE_P) || (level < 4 && (entry & PTE_PS)))
			return false;
		mfn = (entry & PTE_MFN_MASK) >> PV_PAGE_SHIFT;
		table = table_of_mfn(mfn);
	}
	slot->table = table;
	slot->table_maddr = (uint64_t)mfn << PV_PAGE_SHIFT;
	slot->entry = &table[pt_index(va, 1)];
	slot->entry_maddr = slot->table_maddr + pt_index(va, 1) * 8UL;
	return (*slot->entry & PTE_P) != 0;
}
