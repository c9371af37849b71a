/*
 * User address spaces: one L4 per process, built through the hypervisor's
 * validated page-table interface.
 *
 * A table frame is prepared while the kernel still maps it writable
 * (zeroed by frame_alloc), made read-only in the linear map, and only then
 * becomes a page table: the L4 by MMUEXT_PIN_L4_TABLE, the tables below it
 * when mmu_update writes the entry pointing at them (the hypervisor
 * validates them at that moment). Entries are always written with
 * mmu_update; the kernel reads the tables through its read-only mappings.
 *
 * A user L4 maps only user memory in slot 0 (the low 512 GiB); the
 * hypervisor fills its own slots 256-271 when it validates the L4. Nothing
 * of the kernel is mapped, so user code touching a kernel address faults.
 */
#include <libpv/console.h>
#include <libpv/string.h>
#include "kernel.h"

/* Record a frame the address space owns, for vs_destroy. */
static int vs_track(struct vspace *vs, unsigned long pfn, bool table)
{
	if (vs->nr_frames == VS_MAX_FRAMES)
		return -1;
	vs->frames[vs->nr_frames] = pfn;
	vs->is_table[vs->nr_frames] = table;
	vs->nr_frames++;
	return 0;
}

int vs_create(struct vspace *vs)
{
	unsigned long pfn = pt_frame_alloc();
	long rc;

	memset(vs, 0, sizeof(*vs));
	if (!pfn)
		return -1;
	if ((rc = mmuext(MMUEXT_PIN_L4_TABLE, pv_pfn_to_mfn(pfn)))) {
		pv_printf("vspace: pinning the L4 failed: %ld\n", rc);
		pt_frame_free(pfn);
		return -1;
	}
	vs->l4_pfn = pfn;
	vs_track(vs, pfn, true);
	return 0;
}

unsigned long vs_l4_mfn(const struct vspace *vs)
{
	return pv_pfn_to_mfn(vs->l4_pfn);
}

/*
 * The table below entry idx of table_pfn (level > 1), created empty when
 * missing. Returns its pfn, or 0 when out of frames or refused.
 */
static unsigned long vs_next_table(struct vspace *vs, unsigned long table_pfn,
				   unsigned int idx)
{
	const uint64_t *table = pv_pfn_to_virt(table_pfn);
	unsigned long pfn;
	long rc;

	if (table[idx] & PTE_P)
		return pv_mfn_to_pfn(pte_mfn(table[idx]));
	if (!(pfn = pt_frame_alloc()))
		return 0;
	if (vs_track(vs, pfn, true)) {
		pt_frame_free(pfn);
		return 0;
	}
	rc = mmu_set_entry(pv_pfn_to_mfn(table_pfn), idx,
			   (pv_pfn_to_mfn(pfn) << PV_PAGE_SHIFT) | PTE_TABLE);
	if (rc) {
		pv_printf("vspace: linking a new table failed: %ld\n", rc);
		return 0;
	}
	return pfn;
}

/* Map pfn at user address va, creating tables on the way. */
static int vs_map(struct vspace *vs, unsigned long va, unsigned long pfn,
		  bool writable)
{
	unsigned long table = vs->l4_pfn;
	long rc;

	if (va >= USER_VA_END || (va & (PV_PAGE_SIZE - 1)))
		return -1;
	for (int level = 4; level > 1; level--)
		if (!(table = vs_next_table(vs, table, pt_index(va, level))))
			return -1;
	rc = mmu_set_entry(pv_pfn_to_mfn(table), pt_index(va, 1),
			   (pv_pfn_to_mfn(pfn) << PV_PAGE_SHIFT) |
			   (writable ? PTE_USER_RW : PTE_USER_RO));
	if (rc)
		pv_printf("vspace: mapping %lx failed: %ld\n", va, rc);
	return rc ? -1 : 0;
}

unsigned long vs_map_new(struct vspace *vs, unsigned long va, bool writable)
{
	unsigned long pfn = frame_alloc();

	if (!pfn)
		return 0;
	if (vs_track(vs, pfn, false)) {
		frame_free(pfn);
		return 0;
	}
	if (vs_map(vs, va, pfn, writable))
		return 0;       /* the frame is tracked: vs_destroy frees it */
	return pfn;
}

/* The L1 entry for user address va, or 0 when va is not mapped. */
static uint64_t vs_lookup(const struct vspace *vs, unsigned long va)
{
	const uint64_t *table = pv_pfn_to_virt(vs->l4_pfn);

	if (va >= USER_VA_END)
		return 0;
	for (int level = 4; level > 1; level--) {
		uint64_t e = table[pt_index(va, level)];
		if (!(e & PTE_P))
			return 0;
		table = pte_to_virt(e);
	}
	return table[pt_index(va, 1)];
}

long vs_copy_from(const struct vspace *vs, void *dst, unsigned long va, size_t len)
{
	size_t done = 0;

	while (done < len) {
		unsigned long at = va + done;
		size_t off = at & (PV_PAGE_SIZE - 1);
		size_t chunk = PV_PAGE_SIZE - off;
		uint64_t pte = vs_lookup(vs, at & ~(PV_PAGE_SIZE - 1));

		if (at < va || !(pte & PTE_P) || !(pte & PTE_US))
			return -1;
		if (chunk > len - done)
			chunk = len - done;
		memcpy((char *)dst + done,
		       (char *)pte_to_virt(pte) + off, chunk);
		done += chunk;
	}
	return (long)done;
}

void vs_destroy(struct vspace *vs)
{
	long rc;

	if (!vs->l4_pfn)
		return;
	/* Unpinning drops the L4's last type reference and, with it, the
	 * references it held on every table and frame below it. */
	if ((rc = mmuext(MMUEXT_UNPIN_TABLE, vs_l4_mfn(vs))))
		pv_crash("vspace: unpinning the L4 failed: %ld\n", rc);
	for (unsigned int i = 0; i < vs->nr_frames; i++) {
		if (vs->is_table[i])
			pt_frame_free(vs->frames[i]);
		else
			frame_free(vs->frames[i]);
	}
	vs->l4_pfn = 0;
	vs->nr_frames = 0;
}
