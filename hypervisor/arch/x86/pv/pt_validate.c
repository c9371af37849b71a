/*
 * Page-table validation and reference counting (rules: pt_validate.h).
 */
#include "lamina/pt_validate.h"
#include "pv/errno.h"

#define L1_DISALLOWED  (PTE_PWT | PTE_PCD | PTE_PSE | PTE_HIGH_RSVD)
#define LN_DISALLOWED  (PTE_PWT | PTE_PCD | PTE_PSE | PTE_GLOBAL | PTE_HIGH_RSVD)
#define PTE_AD         (PTE_ACCESSED | PTE_DIRTY)

static int get_page_type(const struct pt_ctx *c, uint64_t mfn, enum frame_type t);
static void put_page_type(const struct pt_ctx *c, uint64_t mfn);

static unsigned int level_of(enum frame_type t)
{
	return frame_type_is_pagetable(t) ? (unsigned int)(t - FRAME_TYPE_L1 + 1) : 0;
}

static enum frame_type type_of_level(unsigned int level)
{
	return (enum frame_type)(FRAME_TYPE_L1 + level - 1);
}

static bool is_xen_slot(unsigned int level, unsigned int idx)
{
	return level == 4 && idx >= PT_XEN_FIRST_SLOT &&
	       idx < PT_XEN_FIRST_SLOT + PT_XEN_NR_SLOTS;
}

/* The frame a domain may reference: it exists and the domain owns it. */
static int owned_frame(const struct pt_ctx *c, uint64_t mfn, struct frame_info **out)
{
	if (mfn >= c->nr_frames)
		return -XEN_EINVAL;     /* beyond RAM */
	if (c->frames[mfn].owner != c->domid)
		return -XEN_EPERM;      /* the hypervisor's, free, or another domain's */
	*out = &c->frames[mfn];
	return 0;
}

int pt_check_l1e(const struct pt_ctx *c, uint64_t *l1e)
{
	struct frame_info *fi;

	if (!(*l1e & PTE_PRESENT))
		return pt_l1tf_safe(c, *l1e, 1) ? 0 : -XEN_EINVAL;
	if (*l1e & L1_DISALLOWED)
		return -XEN_EINVAL;
	*l1e = (*l1e | PTE_USER) & ~PTE_GLOBAL;
	return owned_frame(c, (*l1e & PTE_MFN_MASK) >> 12, &fi);
}

/* References an L1 entry holds: general, plus WRITABLE type if RW. */
static int get_l1e(const struct pt_ctx *c, uint64_t l1e)
{
	struct frame_info *fi;
	uint64_t mfn = (l1e & PTE_MFN_MASK) >> 12;
	int rc;

	if (!(l1e & PTE_PRESENT))
		return 0;
	if ((rc = owned_frame(c, mfn, &fi)))
		return rc;
	if (!frame_get_ref(fi))
		return -XEN_EOVERFLOW;
	if ((l1e & PTE_WRITE) && frame_get_type(fi, FRAME_TYPE_WRITABLE)) {
		frame_put_ref(fi);
		return -XEN_EBUSY;     /* a page table or descriptor page */
	}
	return 0;
}

static void put_l1e(const struct pt_ctx *c, uint64_t l1e)
{
	uint64_t mfn = (l1e & PTE_MFN_MASK) >> 12;

	if (!(l1e & PTE_PRESENT) || mfn >= c->nr_frames)
		return;
	/* The TLB may keep the translation until the guest flushes. */
	frame_tlb_stamp(&c->frames[mfn]);
	if (l1e & PTE_WRITE)
		frame_put_type(&c->frames[mfn]);
	frame_put_ref(&c->frames[mfn]);
}

/* An L2-L4 entry: a validated table of the next level down, or a RO self-map. */
static int get_upper_entry(const struct pt_ctx *c, uint64_t e, unsigned int level,
			   uint64_t self)
{
	struct frame_info *fi;
	uint64_t mfn = (e & PTE_MFN_MASK) >> 12;
	int rc;

	if (!(e & PTE_PRESENT))
		return 0;
	if (e & LN_DISALLOWED)
		return -XEN_EINVAL;
	if ((rc = owned_frame(c, mfn, &fi)))
		return rc;
	if (mfn == self && !(e & PTE_WRITE))
		return frame_get_ref(fi) ? 0 : -75;     /* linear self-map */
	if (!frame_get_ref(fi))
		return -XEN_EOVERFLOW;
	if ((rc = get_page_type(c, mfn, type_of_level(level - 1)))) {
		frame_put_ref(fi);
		return rc;
	}
	return 0;
}

static void put_upper_entry(const struct pt_ctx *c, uint64_t e, uint64_t self)
{
	uint64_t mfn = (e & PTE_MFN_MASK) >> 12;

	if (!(e & PTE_PRESENT) || mfn >= c->nr_frames)
		return;
	/* Paging-structure caches may keep walking it until a flush. */
	frame_tlb_stamp(&c->frames[mfn]);
	if (mfn != self)
		put_page_type(c, mfn);
	frame_put_ref(&c->frames[mfn]);
}

static int get_entry(const struct pt_ctx *c, uint64_t e, unsigned int level,
		     uint64_t self)
{
	return level == 1 ? get_l1e(c, e) : get_upper_entry(c, e, level, self);
}

static void put_entry(const struct pt_ctx *c, uint64_t e, unsigned int level,
		      uint64_t self)
{
	if (level == 1)
		put_l1e(c, e);
	else
		put_upper_entry(c, e, self);
}

/* Drop the references of entries [0, upto) of a table. */
static void release_entries(const struct pt_ctx *c, uint64_t mfn,
			    unsigned int level, unsigned int upto)
{
	uint64_t *t = c->map(c->cookie, mfn);

	for (unsigned int i = 0; i < upto; i++)
		if ((t[i] & PTE_PRESENT) && !is_xen_slot(level, i))
			put_entry(c, t[i], level, mfn);
}

/* Check every entry of a table and take the references they need. */
static int validate_table(const struct pt_ctx *c, uint64_t mfn, unsigned int level)
{
	uint64_t *t = c->map(c->cookie, mfn);
	bool l1tf = c->l1tf_addr_mask != 0;

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		int rc;
		if (is_xen_slot(level, i)) {
			t[i] = c->xen_l4e[i - PT_XEN_FIRST_SLOT];
			continue;
		}
		uint64_t e = t[i];
		if (!(e & PTE_PRESENT)) {
			/* Holds no reference; only L1TF cares what it says. */
			if (!l1tf || pt_l1tf_safe(c, e, level))
				continue;
			rc = -XEN_EINVAL;
		} else if (level == 1) {
			if (e & PTE_PRESENT && (e & L1_DISALLOWED))
				rc = -XEN_EINVAL;
			else
				rc = get_l1e(c, e);
			if (!rc && (e & PTE_PRESENT))
				t[i] = (e | PTE_USER) & ~PTE_GLOBAL;
		} else {
			rc = get_upper_entry(c, e, level, mfn);
			if (!rc && (e & PTE_PRESENT))
				t[i] = e | PTE_USER;
		}
		if (rc) {
			release_entries(c, mfn, level, i);
			return rc;
		}
	}
	return 0;
}

/*
 * Take a type reference. The first reference of a page-table type validates
 * the frame; while that runs the frame holds its type with the validated
 * flag clear, and any other reference to it fails (no loops, no reentry).
 */
static int get_page_type(const struct pt_ctx *c, uint64_t mfn, enum frame_type t)
{
	struct frame_info *fi = &c->frames[mfn];
	int rc;

	if (fi->type == t && fi->type_count > 0 && frame_type_is_pagetable(t) &&
	    !frame_is_validated(fi))
		return -XEN_EBUSY;     /* being validated: a loop */
	if ((rc = frame_get_type(fi, t)))
		return rc == FRAME_ETYPE ? -16 : rc;
	if (!frame_type_is_pagetable(t) || frame_is_validated(fi))
		return 0;
	if ((rc = validate_table(c, mfn, level_of(t)))) {
		frame_put_type(fi);
		return rc;
	}
	frame_set_validated(fi);
	return 0;
}

static void put_page_type(const struct pt_ctx *c, uint64_t mfn)
{
	struct frame_info *fi = &c->frames[mfn];
	bool was_table = frame_type_is_pagetable((enum frame_type)fi->type) &&
			 frame_is_validated(fi);

	if (frame_put_type(fi) == 1 && was_table)
		release_entries(c, mfn, level_of((enum frame_type)fi->type),
				PT_ENTRIES);
}

int pt_get_page_and_type(const struct pt_ctx *c, uint64_t mfn, enum frame_type t)
{
	struct frame_info *fi;
	int rc;

	if ((rc = owned_frame(c, mfn, &fi)))
		return rc;
	if (!frame_get_ref(fi))
		return -XEN_EOVERFLOW;
	if ((rc = get_page_type(c, mfn, t)))
		frame_put_ref(fi);
	return rc;
}

void pt_put_page_and_type(const struct pt_ctx *c, uint64_t mfn)
{
	if (mfn >= c->nr_frames)
		return;
	put_page_type(c, mfn);
	frame_put_ref(&c->frames[mfn]);
}

int pt_mod_entry(const struct pt_ctx *c, uint64_t table_mfn, unsigned int idx,
		 uint64_t new_entry, bool preserve_ad)
{
	struct frame_info *fi;
	int rc;

	if (idx >= PT_ENTRIES)
		return -XEN_EINVAL;
	if ((rc = owned_frame(c, table_mfn, &fi)))
		return rc;
	unsigned int level = level_of((enum frame_type)fi->type);
	if (!level || !fi->type_count || !frame_is_validated(fi))
		return -XEN_EINVAL;     /* not a page table in use */
	if (is_xen_slot(level, idx))
		return -XEN_EINVAL;     /* the hypervisor's slots */

	uint64_t *t = c->map(c->cookie, table_mfn);
	uint64_t old = t[idx];
	if (preserve_ad)
		new_entry = (new_entry & ~PTE_AD) | (old & PTE_AD);
	if ((new_entry & PTE_PRESENT) &&
	    (new_entry & (level == 1 ? L1_DISALLOWED : LN_DISALLOWED)))
		return -XEN_EINVAL;
	if (!pt_l1tf_safe(c, new_entry, level))
		return -XEN_EINVAL;
	if (new_entry & PTE_PRESENT)
		new_entry |= PTE_USER;
	if (level == 1)
		new_entry &= ~PTE_GLOBAL;

	if ((rc = get_entry(c, new_entry, level, table_mfn)))
		return rc;
	t[idx] = new_entry;
	put_entry(c, old, level, table_mfn);
	return 0;
}
