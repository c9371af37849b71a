/*
 * Bootstrap page tables of a new PV domain; see lamina/boot_pagetables.h.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/frame_alloc.h"
#include "lamina/boot_layout.h"
#include "lamina/boot_pagetables.h"

#define PAGE_SHIFT     12
#define ENTRIES        512
#define MAX_MFN        (PV_PTE_MFN_MASK >> PAGE_SHIFT)

/* Everything the writing helpers share. */
struct pt_writer {
	const struct pv_boot_layout *layout;
	const mfn_t *p2m;
	pv_map_frame_fn map_frame;
	void *ctx;
};

/* True if pfn lies in one level's table range. */
static bool in_level(const struct pv_boot_pt_level *lvl, uint64_t pfn)
{
	return pfn >= lvl->pfn && pfn - lvl->pfn < lvl->count;
}

bool pv_boot_pfn_is_pagetable(const struct pv_boot_layout *l, uint64_t pfn)
{
	if (pfn >= l->pt_pfn && pfn - l->pt_pfn < l->nr_pt_frames)
		return true;
	for (unsigned lvl = 0; lvl < 4; lvl++)
		if (in_level(&l->p2m_pt[lvl], pfn))
			return true;
	return false;
}

/* Shift of the VA bits that index entries of a table at level lvl
 * (0 = L1 ... 3 = L4). */
static unsigned entry_shift(unsigned lvl)
{
	return PAGE_SHIFT + 9 * lvl;
}

/*
 * pfn of the level-lvl table covering va (lvl 0..2; level 3 is the L4),
 * taken from the initial tables or else the INIT_P2M ones.
 */
static bool table_pfn(const struct pv_boot_layout *l, unsigned lvl,
		      uint64_t va, uint64_t *pfn)
{
	const struct pv_boot_pt_level *sets[2] = { &l->init_pt[lvl],
						   &l->p2m_pt[lvl] };
	uint64_t index = (lvl == 3) ? 0 : va >> entry_shift(lvl + 1);

	for (unsigned i = 0; i < 2; i++) {
		const struct pv_boot_pt_level *s = sets[i];

		if (s->count && index >= s->first && index - s->first < s->count) {
			*pfn = s->pfn + (index - s->first);
			return true;
		}
	}
	return false;
}

/* Machine frame of pfn; false if it cannot go into a page-table entry. */
static bool frame_of(const struct pt_writer *w, uint64_t pfn, mfn_t *mfn)
{
	*mfn = w->p2m[pfn];
	return *mfn <= MAX_MFN;
}

/* Write entry index of the table held by pfn. */
static int set_entry(const struct pt_writer *w, uint64_t table_pfn,
		     unsigned index, uint64_t value)
{
	mfn_t mfn;
	uint64_t *table;

	if (!frame_of(w, table_pfn, &mfn))
		return PV_BOOT_PT_EINVAL;
	table = w->map_frame(w->ctx, mfn);
	if (!table)
		return PV_BOOT_PT_EFAULT;
	table[index] = value;
	return 0;
}

/* Entry pointing at the frame of pfn with the given flags. */
static int make_entry(const struct pt_writer *w, uint64_t pfn, uint64_t flags,
		      uint64_t *entry)
{
	mfn_t mfn;

	if (!frame_of(w, pfn, &mfn))
		return PV_BOOT_PT_EINVAL;
	*entry = (mfn << PAGE_SHIFT) | flags;
	return 0;
}

/*
 * Map one page: link the tables above it where va starts a new lower table
 * (or is the first page of the area), then write its L1 entry.
 */
static int map_page(const struct pt_writer *w, uint64_t va, uint64_t pfn,
		    bool first)
{
	uint64_t flags = pv_boot_pfn_is_pagetable(w->layout, pfn)
			 ? PV_PTE_L1_TABLE : PV_PTE_L1_DATA;
	uint64_t parent, child, entry;
	int rc;

	for (unsigned lvl = 3; lvl >= 1; lvl--) {
		if (!first && (va & ((1ull << entry_shift(lvl)) - 1)))
			continue;       /* same lower table as the last page */
		if (!table_pfn(w->layout, lvl, va, &parent) ||
		    !table_pfn(w->layout, lvl - 1, va, &child))
			return PV_BOOT_PT_EINVAL;
		rc = make_entry(w, child, PV_PTE_UPPER, &entry);
		if (!rc)
			rc = set_entry(w, parent,
				       (va >> entry_shift(lvl)) & (ENTRIES - 1),
				       entry);
		if (rc)
			return rc;
	}
	if (!table_pfn(w->layout, 0, va, &parent))
		return PV_BOOT_PT_EINVAL;
	rc = make_entry(w, pfn, flags, &entry);
	if (!rc)
		rc = set_entry(w, parent, (va >> PAGE_SHIFT) & (ENTRIES - 1),
			       entry);
	return rc;
}

/* Map [start, end) onto consecutive pfns from first_pfn. */
static int map_area(const struct pt_writer *w, uint64_t start, uint64_t end,
		    uint64_t first_pfn)
{
	for (uint64_t va = start; va < end; va += PV_PAGE_SIZE) {
		int rc = map_page(w, va, first_pfn + ((va - start) >> PAGE_SHIFT),
				  va == start);
		if (rc)
			return rc;
	}
	return 0;
}

/* Zero count table frames from pfn. */
static int clear_tables(const struct pt_writer *w, uint64_t pfn,
			uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		mfn_t mfn;
		void *page;

		if (!frame_of(w, pfn + i, &mfn))
			return PV_BOOT_PT_EINVAL;
		page = w->map_frame(w->ctx, mfn);
		if (!page)
			return PV_BOOT_PT_EFAULT;
		memset(page, 0, PV_PAGE_SIZE);
	}
	return 0;
}

/* Copy the hypervisor's entries into L4 slots 256..271. */
static int copy_xen_slots(const struct pt_writer *w,
			  const uint64_t xen_l4e[PV_XEN_L4_SLOTS])
{
	for (unsigned i = 0; i < PV_XEN_L4_SLOTS; i++) {
		int rc = set_entry(w, w->layout->pt_pfn,
				   PV_XEN_L4_FIRST_SLOT + i, xen_l4e[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int pv_boot_pagetables_write(const struct pv_boot_layout *l,
			     const mfn_t *p2m, uint64_t p2m_len,
			     pv_map_frame_fn map_frame, void *ctx,
			     const uint64_t xen_l4e[PV_XEN_L4_SLOTS],
			     mfn_t *l4_mfn)
{
	struct pt_writer w = { l, p2m, map_frame, ctx };
	int rc;

	if (p2m_len < l->nr_pfns_used || l->nr_pt_frames == 0)
		return PV_BOOT_PT_EINVAL;
	rc = clear_tables(&w, l->pt_pfn, l->nr_pt_frames);
	if (!rc)
		rc = clear_tables(&w, l->p2m_pt_pfn, l->nr_p2m_pt_frames);
	if (!rc)
		rc = copy_xen_slots(&w, xen_l4e);
	if (!rc)
		rc = map_area(&w, l->v_start, l->v_end, 0);
	if (!rc && l->p2m_separate)
		rc = map_area(&w, l->p2m_start, l->p2m_end, l->p2m_pfn);
	if (rc)
		return rc;
	*l4_mfn = p2m[l->pt_pfn];
	return 0;
}
