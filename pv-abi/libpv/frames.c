/*
 * Frame-number translation for the initial mapping: p2m (start_info's
 * mfn_list), the hypervisor's read-only M2P table, and the page-table walk
 * built on them.
 */
#include <libpv/pv.h>
#include <libpv/pagetable.h>


unsigned long pv_pfn_to_mfn(unsigned long pfn)
{
	return ((const unsigned long *)pv_start_info->mfn_list)[pfn];
}

unsigned long pv_mfn_to_pfn(unsigned long mfn)
{
	return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

void *pv_pfn_to_virt(unsigned long pfn)
{
	return (void *)(PV_VIRT_BASE + (pfn << PV_PAGE_SHIFT));
}

unsigned long pv_virt_to_pfn(const void *va)
{
	return ((unsigned long)va - PV_VIRT_BASE) >> PV_PAGE_SHIFT;
}

/* Index of va in the page table at level (4 = L4 .. 1 = L1). */
static unsigned int pt_index(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

unsigned long pv_pt_lookup(unsigned long va)
{
	const unsigned long *table = (const unsigned long *)pv_start_info->pt_base;
	unsigned long entry;
	int level;

	for (level = 4;; level--) {
		entry = table[pt_index(va, level)];
		if (!(entry & PTE_P))
			return 0;
		if (level == 1 || ((level == 2 || level == 3) &&
				   (entry & PTE_PS)))
			return entry;
		table = pv_pfn_to_virt(
			pv_mfn_to_pfn((entry & PTE_MFN_MASK) >> PV_PAGE_SHIFT));
	}
}
