/*
 * Guest descriptor tables: set_gdt, update_descriptor and MMUEXT_SET_LDT.
 *
 * A frame holding guest descriptors is typed SEG_DESC for as long as it is
 * in use, so the guest can never map it writable; it changes only through
 * update_descriptor, which checks each descriptor first. The frames are
 * mapped (supervisor-only) into the hypervisor's GDT pages 0-13 and its LDT
 * area; GDT pages 14-15 keep Xen's reserved selectors, so the flat ring-3
 * selectors stay valid whatever the guest loads.
 *
 * A descriptor is accepted if it is not present, or a code/data segment
 * (its DPL raised to 3, as Xen does, so a guest can never describe ring-0
 * code), or system type 0 (the upper half of a 16-byte descriptor).
 * Every other system descriptor — call gates, TSS, LDT — is refused;
 * Xen accepts checked call gates, Lamina does not.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv.h>
#include <lamina/pv_mm.h>
#include <pv/xen.h>
#include <pv/errno.h>
#include <asm/cpu.h>
#include <asm/desc.h>

#define DESC_P        (1UL << 47)
#define DESC_S        (1UL << 44)
#define DESC_DPL      (3UL << 45)
#define DESC_TYPE     (0xfUL << 40)
#define DESCS_PER_PAGE 512
#define GDT_GUEST_FRAMES 14             /* FIRST_RESERVED_GDT_PAGE */
#define GDT_GUEST_ENTRIES (GDT_GUEST_FRAMES * DESCS_PER_PAGE)

/* Check one descriptor; may raise its DPL. 0 or -EINVAL. */
static int check_descriptor(uint64_t *desc)
{
	uint64_t d = *desc;

	if (!(d & DESC_P))
		return 0;
	if (d & DESC_S) {
		*desc = d | DESC_DPL;
		return 0;
	}
	return (d & DESC_TYPE) == 0 ? 0 : -XEN_EINVAL;
}

/* Take a frame as a descriptor page, checking all 512 entries the first time. */
static int get_desc_frame(struct domain *d, uint64_t mfn)
{
	struct pt_ctx c;
	int rc;

	pv_pt_ctx(d, &c);
	if ((rc = pt_get_page_and_type(&c, mfn, FRAME_TYPE_SEG_DESC)))
		return rc;
	struct frame_info *fi = &frame_table[mfn];
	if (frame_is_validated(fi))
		return 0;
	uint64_t *descs = mfn_to_virt(mfn);
	for (int i = 0; i < DESCS_PER_PAGE; i++) {
		uint64_t v = descs[i];
		if (check_descriptor(&v)) {
			pt_put_page_and_type(&c, mfn);
			return -XEN_EINVAL;
		}
		descs[i] = v;
	}
	frame_set_validated(fi);
	return 0;
}

static void put_desc_frame(struct domain *d, uint64_t mfn)
{
	struct pt_ctx c;

	pv_pt_ctx(d, &c);
	pt_put_page_and_type(&c, mfn);
}

/* Map n frames (or, past them, the area's own zero pages) into an area. */
static void map_area(void *area, unsigned int pages, const uint64_t *frames,
		     unsigned int n)
{
	for (unsigned int i = 0; i < pages; i++) {
		void *va = (char *)area + i * PAGE_SIZE;
		uint64_t *l1e = hv_l1e_of(va);
		uint64_t ma = i < n ? frames[i] << PAGE_SHIFT : virt_to_maddr(va);
		*l1e = ma | PTE_PRESENT | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY | PTE_NX_BIT;
		invlpg(va);
	}
}

void pv_load_descriptor_tables(struct vcpu *v)
{
	map_area(gdt_guest_area(), GDT_GUEST_FRAMES, v->gdt_frames, v->gdt_nr_frames);
	map_area(ldt_guest_area(), 16, v->ldt_frames, v->ldt_nr_frames);
	load_guest_ldt(v->ldt_ents);
}

void pv_unload_descriptor_tables(void)
{
	map_area(gdt_guest_area(), GDT_GUEST_FRAMES, NULL, 0);
	map_area(ldt_guest_area(), 16, NULL, 0);
	load_guest_ldt(0);
}

long do_set_gdt(uint64_t frame_list, uint64_t entries, uint64_t a3, uint64_t a4,
		uint64_t a5)
{
	uint64_t frames[GDT_GUEST_FRAMES];
	unsigned int n;
	(void)a3, (void)a4, (void)a5;

	if (entries > GDT_GUEST_ENTRIES)
		return -XEN_EINVAL;
	n = (unsigned int)((entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE);
	if (copy_from_guest(frames, frame_list, n * sizeof(uint64_t)))
		return -XEN_EFAULT;
	return pv_set_gdt(current, frames, entries);
}

/* Also VCPUOP_initialise's, for a vCPU that is not running (then nothing
 * is mapped: it is loaded when the vCPU is switched in). */
long pv_set_gdt(struct vcpu *v, const uint64_t *frames, uint64_t entries)
{
	unsigned int n, i;

	if (entries > GDT_GUEST_ENTRIES)
		return -XEN_EINVAL;
	n = (unsigned int)((entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE);
	for (i = 0; i < n; i++) {
		if (frames[i] >= max_mfn || get_desc_frame(v->domain, frames[i])) {
			while (i--)
				put_desc_frame(v->domain, frames[i]);
			return -XEN_EINVAL;
		}
	}
	for (i = 0; i < v->gdt_nr_frames; i++)
		put_desc_frame(v->domain, v->gdt_frames[i]);
	memcpy(v->gdt_frames, frames, n * sizeof(uint64_t));
	v->gdt_nr_frames = n;
	v->gdt_ents = (unsigned int)entries;
	if (v == current)
		map_area(gdt_guest_area(), GDT_GUEST_FRAMES, v->gdt_frames, n);
	return 0;
}

void pv_destroy_descriptor_tables(struct vcpu *v)
{
	for (unsigned int i = 0; i < v->gdt_nr_frames; i++)
		put_desc_frame(v->domain, v->gdt_frames[i]);
	for (unsigned int i = 0; i < v->ldt_nr_frames; i++)
		put_desc_frame(v->domain, v->ldt_frames[i]);
	v->gdt_nr_frames = v->gdt_ents = 0;
	v->ldt_nr_frames = v->ldt_ents = 0;
}

long do_update_descriptor(uint64_t maddr, uint64_t desc, uint64_t a3,
			  uint64_t a4, uint64_t a5)
{
	struct domain *d = current->domain;
	uint64_t mfn = maddr >> PAGE_SHIFT;
	struct pt_ctx c;
	(void)a3, (void)a4, (void)a5;

	if ((maddr & 7) || check_descriptor(&desc) || mfn >= max_mfn ||
	    frame_table[mfn].owner != d->domain_id)
		return -XEN_EINVAL;
	pv_pt_ctx(d, &c);
	/* A descriptor page in use stays one; any other page must be writable. */
	bool in_use = frame_table[mfn].type == FRAME_TYPE_SEG_DESC &&
		      frame_table[mfn].type_count;
	if (pt_get_page_and_type(&c, mfn, in_use ? FRAME_TYPE_SEG_DESC
						   : FRAME_TYPE_WRITABLE))
		return -XEN_EINVAL;
	((uint64_t *)mfn_to_virt(mfn))[(maddr & (PAGE_SIZE - 1)) / 8] = desc;
	pt_put_page_and_type(&c, mfn);
	return 0;
}

/* The machine frame behind a guest kernel virtual address, or ~0. */
static uint64_t guest_va_to_mfn(const struct vcpu *v, uint64_t va)
{
	uint64_t mfn = v->kernel_l4_mfn;

	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = ((uint64_t *)mfn_to_virt(mfn))[(va >> shift) & 511];
		if (!(e & PTE_PRESENT) || (shift > 12 && (e & PTE_PSE)))
			return ~0UL;
		mfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
		if (mfn >= max_mfn)
			return ~0UL;
	}
	return mfn;
}

/*
 * MMUEXT_SET_LDT: the frames behind [base, base + ents * 8) in the guest's
 * kernel address space become the LDT, as they are mapped now (Xen maps
 * them lazily on first use; the difference is visible only to a guest that
 * remaps its LDT's pages without a new SET_LDT).
 */
int pv_set_ldt(struct vcpu *v, uint64_t base, uint64_t ents)
{
	uint64_t frames[16];
	unsigned int n, i;

	if (ents > 8192 || (base & (PAGE_SIZE - 1)) ||
	    (ents && !guest_va_range_ok(base, ents * 8)))
		return -XEN_EINVAL;
	n = (unsigned int)((ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE);
	for (i = 0; i < n; i++) {
		frames[i] = guest_va_to_mfn(v, base + i * PAGE_SIZE);
		if (frames[i] == ~0UL || get_desc_frame(v->domain, frames[i])) {
			while (i--)
				put_desc_frame(v->domain, frames[i]);
			return -XEN_EINVAL;
		}
	}
	for (i = 0; i < v->ldt_nr_frames; i++)
		put_desc_frame(v->domain, v->ldt_frames[i]);
	memcpy(v->ldt_frames, frames, n * sizeof(uint64_t));
	v->ldt_nr_frames = n;
	v->ldt_ents = (unsigned int)ents;
	if (v == current) {
		map_area(ldt_guest_area(), 16, v->ldt_frames, n);
		load_guest_ldt(v->ldt_ents);
	}
	return 0;
}
