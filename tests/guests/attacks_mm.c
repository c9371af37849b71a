/*
 * attacks_mm: the paging part of the attack suite. Domain 0 tries
 * to reach memory it must not reach through mmu_update, mmuext_op and
 * update_va_mapping, and checks each attempt is refused with the error
 * Lamina documents (lamina/pt_validate.h, arch/x86/pv/mm.c):
 *   -EINVAL bad flags, a frame beyond RAM, a hypervisor L4 slot, bad args
 *   -EPERM  a frame the domain does not own
 *   -EBUSY  a type conflict (a writable mapping of a page table, a frame
 *           used as two table levels, a loop)
 *   -EFAULT an unreadable argument, -ENOSYS an unknown command.
 * Xen 4.17 (xen/arch/x86/mm.c, pv/mm.c) mostly answers -EINVAL where Lamina
 * says -EPERM or -EBUSY: its get_page() and _get_page_type() failures all
 * surface as -EINVAL. Other differences are noted beside each attack.
 *
 * Material: the initial mapping ends at a 4 MiB boundary and the domain's
 * pages above it are free and unmapped. The suite turns some of them into
 * page tables (cleared with MMUEXT_CLEAR_PAGE, so no writable mapping of
 * them ever exists) and hooks a private L1 (the "window") into the boot L2
 * just past the mapping, through which it maps frames at will.
 *
 * Output: one "PASS <attack>: refused with <err>" (or "accepted ...") line
 * per attack, FAIL otherwise, then integrity checks and the total line.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define PTE_LEAF_RO  (PTE_P | PTE_A)
#define PTE_LEAF_RW  (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A)

#define MB(x)              ((unsigned long)(x) << 20)
#define HYPERVISOR_POINTER 0xFFFF830000000000UL  /* the direct map */
#define HYPERVISOR_IMAGE   0xFFFF82D080000000UL
#define NON_CANONICAL      0x8000000000000000UL
#define BEYOND_RAM_MFN     0xfffffffUL
#define MAX_FIELD_MFN      0xffffffffffUL        /* 40-bit frame field */
#define HV_RESERVED_MFN    1UL                   /* real-mode area: Xen's */
#define HV_LOW_IMAGE_MFN   0x100UL               /* 1 MiB */
#define BOGUS_CMD          99
#define FREE_SLOT          300                   /* an unused guest L4 slot */
#define SELF_SLOT          400                   /* the RO self-map */
#define PATTERN            0x5eed5eed0badf00dUL

/* Window slots (4 KiB pages of the window at W). */
enum { WIN_DATA, WIN_HOLE, WIN_ATTACK, WIN_DIAMOND, WIN_L1_VIEW, WIN_LEGIT };

/* What the suite knows about its own address space. */
static struct {
	unsigned long l4, l3, l2, l1;   /* boot tables mapping PV_VIRT_BASE */
	unsigned long *l4v, *l3v, *l2v; /* their read-only views */
	unsigned long *l1v;
	unsigned long upper;            /* flags of the boot L2 entry */
	unsigned long end_va;           /* end of the initial mapping */
	unsigned long next_pfn;         /* next spare pfn */
	unsigned long win;              /* the window's address */
	unsigned int win_idx;           /* its boot-L2 slot */
	unsigned long win_l1;           /* the window's L1 frame */
	unsigned long data;             /* a data frame mapped RW at WIN_DATA */
	unsigned long snap_l4[512], snap_l3[512], snap_l2[512];
} lab;

/* ---- reporting --------------------------------------------------------- */

/* A Xen errno as text. */


/* PASS "<attack>: <what>" if ok, else FAIL "<attack>: <why...>". */
__attribute__((format(printf, 4, 5)))
static void report(const char *attack, bool ok, const char *what,
		   const char *why, ...)
{
	char line[160];
	va_list ap;

	if (!ok) {
		va_start(ap, why);
		pv_vsnprintf(line, sizeof(line), why, ap);
		va_end(ap);
		test_fail(attack, "%s", line);
		return;
	}
	pv_snprintf(line, sizeof(line), "%s: %s", attack, what);
	test_pass(line);
}

/* A setup step that must work, or the suite cannot go on. */
static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("attacks_mm: setup step \"%s\" failed: %ld\n", step, rc);
}

/* ---- hypercall helpers ------------------------------------------------- */

static unsigned long pte(unsigned long mfn, unsigned long flags)
{
	return (mfn << PV_PAGE_SHIFT) | flags;
}

/* Machine address of entry idx of frame mfn, with an MMU_* command. */
static unsigned long entry_ptr(unsigned long mfn, unsigned int idx,
			       unsigned int cmd)
{
	return (mfn << PV_PAGE_SHIFT) + idx * 8UL + cmd;
}

/* One mmu_update request. */
static long mmu(unsigned long ptr, unsigned long val)
{
	mmu_update_t req = { .ptr = ptr, .val = val };

	return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

static long unpin(unsigned long mfn)
{
	return mmuext2(MMUEXT_UNPIN_TABLE, mfn, 0);
}

/* Map mfn (flags) at window slot, or unmap it with val 0. */
static long win_map(unsigned int slot, unsigned long val)
{
	return HYPERVISOR_update_va_mapping(lab.win + slot * PV_PAGE_SIZE, val,
					    UVMF_INVLPG);
}

static void *win_ptr(unsigned int slot)
{
	return (void *)(lab.win + slot * PV_PAGE_SIZE);
}

/* A spare frame of the domain, cleared, with no type and no mapping. */
static unsigned long spare_frame(void)
{
	unsigned long mfn;

	if (lab.next_pfn >= pv_start_info->nr_pages)
		pv_crash("attacks_mm: out of spare pages\n");
	mfn = pv_pfn_to_mfn(lab.next_pfn++);
	must(mmuext2(MMUEXT_CLEAR_PAGE, mfn, 0), "clear a spare frame");
	return mfn;
}

/* A spare frame cleared and pinned as a table of level. */
static unsigned long spare_table(unsigned int level)
{
	unsigned long mfn = spare_frame();

	must(pt_pin(level, mfn), "pin a spare table");
	return mfn;
}

/* ---- probes ------------------------------------------------------------ */

/* Read 8 bytes at addr; true if it faulted. */
static bool read_faults(unsigned long addr, unsigned long *out)
{
	unsigned long a = 0, c = addr, d = 0;

	PROBE_RW("mov (%%rcx), %%rax", a, c, d);
	*out = a;
	return probe_seen.hits != 0;
}

/* Write val at addr; the vector it raised, or ~0UL if none. */
static unsigned long write_vector(unsigned long addr, unsigned long val)
{
	unsigned long a = val, c = addr, d = 0;

	PROBE_RW("mov %%rax, (%%rcx)", a, c, d);
	return probe_seen.hits ? probe_seen.vector : ~0UL;
}

/* CR3 as the guest sees it (the machine address of its L4). */
static unsigned long read_cr3(void)
{
	unsigned long a = 0, c = 0, d = 0;

	PROBE_RW("mov %%cr3, %%rax", a, c, d);
	return probe_seen.hits ? ~0UL : a;
}

/* PASS if the write at addr was refused with a #PF. */
static void write_must_fault(const char *attack, unsigned long addr,
			     unsigned long val)
{
	char line[120];
	unsigned long vec = write_vector(addr, val);

	if (vec != PV_TRAP_PF) {
		test_fail(attack, "write at %lx: %s", addr,
			  vec == ~0UL ? "succeeded" : pv_trap_name(vec));
		return;
	}
	pv_snprintf(line, sizeof(line), "%s: refused with #PF", attack);
	test_pass(line);
}

/* ---- setup ------------------------------------------------------------- */

/* Index of va in a table of level (4 = L4 .. 1 = L1). */
static unsigned int pt_idx(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static unsigned long entry_mfn(unsigned long e)
{
	return (e & PTE_MFN_MASK) >> PV_PAGE_SHIFT;
}

/* Read-only view (inside the initial mapping) of a boot table frame. */
static unsigned long *table_view(unsigned long mfn)
{
	return pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
}

/* Find the boot tables mapping PV_VIRT_BASE. */
static void find_boot_tables(const start_info_t *si)
{
	unsigned long va = PV_VIRT_BASE;

	lab.l4v = (unsigned long *)si->pt_base;
	lab.l4 = pv_pfn_to_mfn(pv_virt_to_pfn(lab.l4v));
	lab.l3 = entry_mfn(lab.l4v[pt_idx(va, 4)]);
	lab.l3v = table_view(lab.l3);
	lab.l2 = entry_mfn(lab.l3v[pt_idx(va, 3)]);
	lab.l2v = table_view(lab.l2);
	lab.l1 = entry_mfn(lab.l2v[pt_idx(va, 2)]);
	lab.l1v = table_view(lab.l1);
	lab.upper = lab.l2v[pt_idx(va, 2)] & 0xfffUL;
}

/* First unmapped page after the page tables: the end of the mapping. */
static unsigned long end_of_initial_mapping(const start_info_t *si)
{
	unsigned long va = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;

	while (pv_pt_lookup(va) & PTE_P)
		va += PV_PAGE_SIZE;
	return va;
}

/* Build the window: a pinned L1 hooked 4 MiB past the mapping, a data page. */
static void build_window(void)
{
	lab.win = lab.end_va + MB(4);
	lab.win_idx = pt_idx(lab.win, 2);
	if (pt_idx(lab.win + MB(4), 3) != pt_idx(PV_VIRT_BASE, 3))
		pv_crash("attacks_mm: window leaves the boot L2\n");
	for (unsigned int i = 0; i < 3; i++)
		if (lab.l2v[lab.win_idx + i] & PTE_P)
			pv_crash("attacks_mm: boot L2 slot %u in use\n",
				 lab.win_idx + i);
	lab.win_l1 = spare_table(1);
	must(pt_set_entry(lab.l2, lab.win_idx, pte(lab.win_l1, lab.upper)),
	     "hook the window L1");
	lab.data = spare_frame();
	must(win_map(WIN_DATA, pte(lab.data, PTE_LEAF_RW)), "map the data page");
	*(volatile unsigned long *)win_ptr(WIN_DATA) = PATTERN;
}

static void setup(const start_info_t *si)
{
	find_boot_tables(si);
	lab.end_va = end_of_initial_mapping(si);
	lab.next_pfn = pv_virt_to_pfn((void *)lab.end_va);
	pv_printf("initial mapping ends at %lx (pfn %lx of %lx); L4 mfn %lx\n",
		  lab.end_va, lab.next_pfn, si->nr_pages, lab.l4);
	if (lab.end_va & (MB(4) - 1))
		pv_crash("attacks_mm: mapping does not end at 4 MiB\n");
	memcpy(lab.snap_l4, lab.l4v, sizeof(lab.snap_l4));
	memcpy(lab.snap_l3, lab.l3v, sizeof(lab.snap_l3));
	memcpy(lab.snap_l2, lab.l2v, sizeof(lab.snap_l2));
	build_window();
}

/* ---- attacks: writable mappings of page tables -------------------------- */

/*
 * An L1 entry RW to each level of the domain's own tables, through
 * mmu_update (both update commands), update_va_mapping and a second L1.
 */
static void attack_rw_map_tables(void)
{
	unsigned long slot = entry_ptr(lab.win_l1, WIN_ATTACK, 0);
	unsigned long l1_va = (unsigned long)lab.l1v;

	test_refused("mmu_update_rw_map_own_l1",
		mmu(slot, pte(lab.l1, PTE_LEAF_RW)), -XEN_EBUSY);
	test_refused("mmu_update_rw_map_own_l2",
		mmu(slot, pte(lab.l2, PTE_LEAF_RW)), -XEN_EBUSY);
	test_refused("mmu_update_rw_map_own_l3",
		mmu(slot, pte(lab.l3, PTE_LEAF_RW)), -XEN_EBUSY);
	test_refused("mmu_update_rw_map_own_l4",
		mmu(slot, pte(lab.l4, PTE_LEAF_RW)), -XEN_EBUSY);
	test_refused("mmu_update_preserve_ad_rw_map_l4",
		mmu(slot + MMU_PT_UPDATE_PRESERVE_AD, pte(lab.l4, PTE_LEAF_RW)),
		-XEN_EBUSY);
	test_refused("update_va_mapping_rw_map_l4",
		win_map(WIN_ATTACK, pte(lab.l4, PTE_LEAF_RW)), -XEN_EBUSY);
	test_refused("update_va_mapping_rw_map_window_l1_itself",
		win_map(WIN_ATTACK, pte(lab.win_l1, PTE_LEAF_RW)), -XEN_EBUSY);
	/* The boot L1 is mapped read-only in the initial mapping: upgrade it. */
	test_refused("update_va_mapping_upgrade_boot_l1_view_to_rw",
		HYPERVISOR_update_va_mapping(l1_va, pte(lab.l1, PTE_LEAF_RW),
					     UVMF_INVLPG), -XEN_EBUSY);
}

/*
 * A second L1 that maps a page-table frame RW: written as plain data,
 * then pinned or hooked in. Validation must refuse it and leave the frame
 * without a type (so it can be cleared again).
 */
static void attack_second_l1(void)
{
	unsigned long b = spare_frame();

	must(pt_set_entry(b, 7, pte(lab.l2, PTE_LEAF_RW)), "write the rogue L1");
	test_refused("second_l1_rw_map_of_l2_pin", pt_pin(1, b), -XEN_EBUSY);
	test_refused("second_l1_rw_map_of_l2_hook",
		pt_set_entry(lab.l2, lab.win_idx + 1, pte(b, lab.upper)),
		-XEN_EBUSY);
	test_expect_rc("second_l1_left_untyped", mmuext2(MMUEXT_CLEAR_PAGE, b, 0), 0);
}

/*
 * A direct write to a pinned table's entry. Writable page tables are not
 * emulated (VMASST_TYPE_writable_pagetables is only recorded), so the
 * read-only mapping of the boot L1 faults, as on Xen without the assist.
 */
static void attack_direct_write(void)
{
	unsigned long *e = &lab.l1v[511];

	write_must_fault("direct_write_to_boot_l1", (unsigned long)e, *e);
	write_must_fault("direct_write_to_boot_l4",
			 (unsigned long)&lab.l4v[FREE_SLOT], 0);
	write_must_fault("direct_write_to_m2p",
			 MACH2PHYS_VIRT_START + lab.data * 8, 0);
}

/* ---- attacks: frames the domain does not own --------------------------- */

/*
 * A frame nobody gave the domain: above its highest frame, and free (its
 * M2P entry is invalid). If that lands on a hypervisor frame instead, it
 * is not owned either.
 */
static unsigned long unowned_frame(void)
{
	unsigned long top = 0, m2p;

	for (unsigned long pfn = 0; pfn < pv_start_info->nr_pages; pfn++)
		if (pv_pfn_to_mfn(pfn) > top)
			top = pv_pfn_to_mfn(pfn);
	for (unsigned long mfn = top + 0x1000; mfn > top; mfn -= 0x100)
		if (!read_faults(MACH2PHYS_VIRT_START + mfn * 8, &m2p) &&
		    m2p == ~0UL)
			return mfn;
	return top + 1;
}

static void attack_unowned_frames(void)
{
	unsigned long hv_l3 = entry_mfn(lab.l4v[256]);
	unsigned long other = unowned_frame();

	pv_printf("unowned frame %lx, hypervisor M2P L3 %lx\n", other, hv_l3);
	test_refused("map_hypervisor_frame_1_readonly",
		win_map(WIN_ATTACK, pte(HV_RESERVED_MFN, PTE_LEAF_RO)),
		-XEN_EPERM);
	test_refused("map_hypervisor_frame_0x100",
		win_map(WIN_ATTACK, pte(HV_LOW_IMAGE_MFN, PTE_LEAF_RW)),
		-XEN_EPERM);
	test_refused("map_hypervisor_l3_named_by_l4_slot_256",
		win_map(WIN_ATTACK, pte(hv_l3, PTE_LEAF_RO)), -XEN_EPERM);
	test_refused("map_free_frame_of_no_domain",
		win_map(WIN_ATTACK, pte(other, PTE_LEAF_RW)), -XEN_EPERM);
	test_refused("map_frame_beyond_ram",
		win_map(WIN_ATTACK, pte(BEYOND_RAM_MFN, PTE_LEAF_RO)),
		-XEN_EINVAL);
	test_refused("map_largest_frame_number",
		win_map(WIN_ATTACK, pte(MAX_FIELD_MFN, PTE_LEAF_RO)),
		-XEN_EINVAL);
	test_refused("l4_entry_to_hypervisor_l3",
		pt_set_entry(lab.l4, FREE_SLOT, pte(hv_l3, PTE_TABLE)), -XEN_EPERM);
	test_refused("mmu_update_write_into_hypervisor_frame",
		pt_set_entry(HV_RESERVED_MFN, 0, 0), -XEN_EPERM);
	test_refused("mmu_update_write_into_free_frame",
		pt_set_entry(other, 0, 0), -XEN_EPERM);
	test_refused("mmu_update_write_beyond_ram",
		pt_set_entry(BEYOND_RAM_MFN, 0, 0), -XEN_EINVAL);
}

/*
 * Plain loads from hypervisor memory: the hypervisor's mappings carry no
 * user bit, so they fault even though the guest's L4 holds them.
 */
static void attack_hypervisor_reads(void)
{
	unsigned long v;
	bool dm = read_faults(HYPERVISOR_POINTER, &v);
	unsigned long dm_vec = probe_seen.vector;
	bool img = read_faults(HYPERVISOR_IMAGE, &v);
	unsigned long img_vec = probe_seen.vector;

	report("read_hypervisor_direct_map", dm && dm_vec == PV_TRAP_PF,
	       "refused with #PF", "read %s", dm ? pv_trap_name(dm_vec) : "worked");
	report("read_hypervisor_image", img && img_vec == PV_TRAP_PF,
	       "refused with #PF", "read %s", img ? pv_trap_name(img_vec) : "worked");
}

/* ---- attacks: the hypervisor's L4 slots and self-maps ------------------ */

static void attack_hypervisor_slots(void)
{
	test_refused("l4_slot_256_rewrite_same_value",
		pt_set_entry(lab.l4, 256, lab.l4v[256]), -XEN_EINVAL);
	test_refused("l4_slot_261_clear", pt_set_entry(lab.l4, 261, 0), -XEN_EINVAL);
	test_refused("l4_slot_271_to_own_l3",
		pt_set_entry(lab.l4, 271, pte(lab.l3, PTE_TABLE)), -XEN_EINVAL);
}

/* The address at which a 4-level walk through L4 slot s ends on the L4. */
static unsigned long self_map_va(unsigned long s)
{
	unsigned long va = (s << 39) | (s << 30) | (s << 21) | (s << 12);

	return s >= 256 ? va | 0xffff000000000000UL : va;
}

/*
 * Linear page tables: writable refused; read-only accepted, readable, not
 * writable through, and removable.
 */
static void attack_self_maps(void)
{
	unsigned long ro = pte(lab.l4, PTE_P | PTE_US | PTE_A);
	unsigned long va = self_map_va(SELF_SLOT), seen = 0;
	long rc;

	test_refused("l4_writable_self_map",
		pt_set_entry(lab.l4, SELF_SLOT, pte(lab.l4, PTE_TABLE)), -XEN_EBUSY);
	rc = pt_set_entry(lab.l4, SELF_SLOT, ro);
	bool fault = rc == 0 && read_faults(va + 511 * 8, &seen);
	report("l4_readonly_self_map", rc == 0 && !fault && seen == lab.l4v[511],
	       "accepted, L4 readable through it", "%s", rc ? test_err_name(rc) :
	       fault ? "read through it faulted" : "read a wrong entry");
	if (rc == 0) {
		write_must_fault("write_through_readonly_self_map",
				 va + FREE_SLOT * 8, 0);
		test_expect_rc("l4_readonly_self_map_removed",
			       pt_set_entry(lab.l4, SELF_SLOT, 0), 0);
	}
}

/* ---- attacks: pinning and base pointers -------------------------------- */

static void attack_pins(void)
{
	test_refused("pin_as_l2_the_typed_boot_l1", pt_pin(2, lab.l1), -XEN_EBUSY);
	/* Xen takes the type first and fails it with -EINVAL too. */
	test_refused("pin_as_l2_a_frame_pinned_as_l1", pt_pin(2, lab.win_l1), -XEN_EINVAL);
	test_refused("pin_as_l1_a_frame_mapped_writable", pt_pin(1, lab.data),
		-XEN_EBUSY);
	test_refused("pin_as_l4_the_boot_l3", pt_pin(4, lab.l3), -XEN_EBUSY);
	test_refused("double_pin", pt_pin(1, lab.win_l1), -XEN_EINVAL);
	test_refused("unpin_frame_not_pinned", unpin(lab.data), -XEN_EINVAL);
	test_refused("unpin_hypervisor_frame", unpin(HV_RESERVED_MFN), -XEN_EPERM);
	test_refused("pin_hypervisor_frame", pt_pin(1, HV_RESERVED_MFN), -XEN_EPERM);
	test_refused("pin_frame_beyond_ram", pt_pin(1, BEYOND_RAM_MFN), -XEN_EINVAL);
}

/*
 * Unpinning the L4 in CR3 is allowed (Xen too): CR3's own reference keeps
 * it an L4, so it still cannot be mapped writable. Then pin it again.
 */
static void attack_unpin_active_l4(void)
{
	long rc = unpin(lab.l4);
	long rw = win_map(WIN_ATTACK, pte(lab.l4, PTE_LEAF_RW));
	long repin = pt_pin(4, lab.l4);

	report("unpin_active_cr3", rc == 0 && rw == -XEN_EBUSY && repin == 0,
	       "accepted, L4 still typed (writable map -EBUSY), pinned again",
	       "unpin %ld, rw map %ld, re-pin %ld", rc, rw, repin);
}

/* Fill frame f with garbage entries through one 512-request mmu_update. */
static void fill_with_garbage(unsigned long f)
{
	static mmu_update_t reqs[512];
	unsigned int done = 0;

	for (unsigned int i = 0; i < 512; i++) {
		reqs[i].ptr = entry_ptr(f, i, MMU_NORMAL_PT_UPDATE);
		reqs[i].val = 0xdeadbeefcafe0067UL ^ ((unsigned long)i << 12);
	}
	must(HYPERVISOR_mmu_update(reqs, 512, &done, DOMID_SELF),
	     "fill a garbage frame");
	if (done != 512)
		pv_crash("attacks_mm: garbage fill did %u of 512\n", done);
}

/* NEW_BASEPTR / NEW_USER_BASEPTR to frames that cannot be an L4. */
static void attack_baseptr(void)
{
	unsigned long garbage = spare_frame(), hv_ref = spare_frame();
	unsigned long cr3 = read_cr3();

	fill_with_garbage(garbage);
	must(pt_set_entry(hv_ref, 0, pte(HV_RESERVED_MFN, PTE_TABLE)),
	     "write an entry to a hypervisor frame");
	test_refused("new_baseptr_garbage_frame",
		mmuext2(MMUEXT_NEW_BASEPTR, garbage, 0), -XEN_EINVAL);
	test_refused("new_baseptr_frame_pointing_at_hypervisor",
		mmuext2(MMUEXT_NEW_BASEPTR, hv_ref, 0), -XEN_EPERM);
	test_refused("pin_l1_garbage_frame", pt_pin(1, garbage), -XEN_EINVAL);
	test_refused("pin_l1_frame_mapping_hypervisor", pt_pin(1, hv_ref), -XEN_EPERM);
	test_refused("new_baseptr_hypervisor_frame",
		mmuext2(MMUEXT_NEW_BASEPTR, HV_RESERVED_MFN, 0), -XEN_EPERM);
	test_refused("new_baseptr_beyond_ram",
		mmuext2(MMUEXT_NEW_BASEPTR, BEYOND_RAM_MFN, 0), -XEN_EINVAL);
	test_refused("new_baseptr_l1_table", mmuext2(MMUEXT_NEW_BASEPTR, lab.win_l1, 0),
		-XEN_EBUSY);
	test_refused("new_user_baseptr_writable_data_frame",
		mmuext2(MMUEXT_NEW_USER_BASEPTR, lab.data, 0), -XEN_EBUSY);
	test_expect_eq("cr3_unchanged_after_baseptr_attacks", read_cr3(), cr3);
}

/* ---- attacks: loops and diamonds --------------------------------------- */

/* An L3 entry back to the L4 that holds it, through mmu_update. */
static void attack_loop_update(void)
{
	unsigned long l4 = spare_table(4), l3 = spare_frame();

	must(pt_set_entry(l4, 0, pte(l3, PTE_TABLE)), "hook a fresh L3");
	test_refused("l3_entry_to_its_own_l4", pt_set_entry(l3, 0, pte(l4, PTE_TABLE)),
		-XEN_EBUSY);
	test_refused("l3_readonly_entry_to_its_own_l4",
		pt_set_entry(l3, 1, pte(l4, PTE_P | PTE_US | PTE_A)), -XEN_EBUSY);
	must(pt_set_entry(l4, 0, 0), "unhook the fresh L3");
	must(unpin(l4), "unpin the fresh L4");
}

/*
 * An L4 -> L3 -> same L4 loop written as plain data and found by
 * validation; both frames must come out without a type.
 */
static void attack_loop_validation(void)
{
	unsigned long l4 = spare_frame(), l3 = spare_frame();

	must(pt_set_entry(l4, 0, pte(l3, PTE_TABLE)), "write loop L4");
	must(pt_set_entry(l3, 0, pte(l4, PTE_TABLE)), "write loop L3");
	test_refused("l4_l3_loop_found_by_validation", pt_pin(4, l4), -XEN_EBUSY);
	test_check(mmuext2(MMUEXT_CLEAR_PAGE, l4, 0) == 0 &&
		   mmuext2(MMUEXT_CLEAR_PAGE, l3, 0) == 0,
		   "loop_frames_left_untyped", "a loop frame kept a type");
}

/* Self-loops and level mixes at L2, in the live boot L2. */
static void attack_l2_loops(void)
{
	unsigned int idx = lab.win_idx + 3;

	test_refused("l2_writable_self_loop",
		pt_set_entry(lab.l2, idx, pte(lab.l2, PTE_TABLE)), -XEN_EBUSY);
	test_refused("l2_entry_to_its_parent_l3",
		pt_set_entry(lab.l2, idx, pte(lab.l3, PTE_TABLE)), -XEN_EBUSY);
	test_refused("l2_entry_to_the_l4", pt_set_entry(lab.l2, idx, pte(lab.l4, PTE_TABLE)),
		-XEN_EBUSY);
	test_refused("l3_entry_to_a_pinned_l1",
		pt_set_entry(lab.l3, FREE_SLOT % 512 + 1, pte(lab.win_l1, PTE_TABLE)),
		-XEN_EBUSY);
}

/* Read the data pattern through the second page of an L1 hooked at l2 idx. */
static bool pattern_via(unsigned int idx)
{
	unsigned long v = 0;
	unsigned long va = lab.win + (idx - lab.win_idx) * MB(2);

	return !read_faults(va, &v) && v == PATTERN;
}

/*
 * Two L2 entries to one L1 (accepted, as in Xen), undone, the L1 unpinned:
 * it has no type left and can be mapped writable again.
 */
static void attack_diamond(void)
{
	unsigned long e = spare_frame();
	unsigned int a = lab.win_idx + 1, b = lab.win_idx + 2;
	bool ok;

	must(pt_set_entry(e, 0, pte(lab.data, PTE_LEAF_RO)), "fill the shared L1");
	must(pt_pin(1, e), "pin the shared L1");
	ok = pt_set_entry(lab.l2, a, pte(e, lab.upper)) == 0 &&
	     pt_set_entry(lab.l2, b, pte(e, lab.upper)) == 0 &&
	     pattern_via(a) && pattern_via(b);
	ok = ok && pt_set_entry(lab.l2, a, 0) == 0 && pt_set_entry(lab.l2, b, 0) == 0 &&
	     unpin(e) == 0;
	long rw = win_map(WIN_DIAMOND, pte(e, PTE_LEAF_RW));
	if (rw == 0) {
		*(volatile unsigned long *)win_ptr(WIN_DIAMOND) = PATTERN;
		rw = win_map(WIN_DIAMOND, 0);
	}
	report("diamond_two_l2_entries_one_l1", ok && rw == 0,
	       "accepted, both paths read, undone, L1 writable again", "%s",
	       ok ? "freed L1 could not be mapped writable" :
		    "diamond setup or teardown failed");
}

/* ---- attacks: flag bits ------------------------------------------------ */

static void attack_flag_bits(void)
{
	unsigned long d = pte(lab.data, PTE_LEAF_RO);
	unsigned int idx = lab.win_idx + 3;

	/* Xen lets a domain with I/O rights (dom0) use PWT/PCD/PAT in L1s. */
	test_refused("l1_pwt", win_map(WIN_ATTACK, d | PTE_PWT), -XEN_EINVAL);
	test_refused("l1_pcd", win_map(WIN_ATTACK, d | PTE_PCD), -XEN_EINVAL);
	test_refused("l1_pat", win_map(WIN_ATTACK, d | PTE_PS), -XEN_EINVAL);
	/* Xen leaves bits 52-61 to software and refuses only bit 62 (GNTTAB). */
	test_refused("l1_bit_52", win_map(WIN_ATTACK, d | (1UL << 52)), -XEN_EINVAL);
	test_refused("l1_bit_62", win_map(WIN_ATTACK, d | (1UL << 62)), -XEN_EINVAL);
	test_refused("l2_superpage_ps",
		pt_set_entry(lab.l2, idx, pte(0, PTE_TABLE | PTE_PS)), -XEN_EINVAL);
	test_refused("l2_global",
		pt_set_entry(lab.l2, idx, pte(lab.win_l1, PTE_TABLE | PTE_G)),
		-XEN_EINVAL);
	test_refused("l3_1g_superpage",
		pt_set_entry(lab.l3, 1, pte(0, PTE_TABLE | PTE_PS)), -XEN_EINVAL);
}

/* ---- attacks: counts, pointers, commands -------------------------------- */

/*
 * One valid request at the very end of the data page, the next page
 * unmapped, and a count of 0x7fffffff: the first request is done, then
 * the copy faults and success_count says 1.
 */
static void attack_huge_counts(void)
{
	char *end = (char *)win_ptr(WIN_HOLE);
	mmu_update_t *req = (mmu_update_t *)end - 1;
	mmuext_op_t *op = (mmuext_op_t *)end - 1;
	unsigned int done = 0;
	long rc;

	req->ptr = entry_ptr(lab.data, 1, MMU_NORMAL_PT_UPDATE);
	req->val = PATTERN ^ 1;
	rc = HYPERVISOR_mmu_update(req, 0x7fffffff, &done, DOMID_SELF);
	report("mmu_update_huge_count", rc == -XEN_EFAULT && done == 1 &&
	       ((volatile unsigned long *)win_ptr(WIN_DATA))[1] == (PATTERN ^ 1),
	       "refused with -EFAULT after 1 done",
	       "rc %s, success_count %u", test_err_name(rc), done);
	memset(op, 0, sizeof(*op));
	op->cmd = MMUEXT_TLB_FLUSH_LOCAL;
	done = 0;
	rc = HYPERVISOR_mmuext_op(op, 0x7fffffff, &done, DOMID_SELF);
	report("mmuext_op_huge_count", rc == -XEN_EFAULT && done == 1,
	       "refused with -EFAULT after 1 done",
	       "rc %s, success_count %u", test_err_name(rc), done);
}

static void attack_bad_pointers(void)
{
	mmu_update_t ok = {
		.ptr = entry_ptr(lab.data, 2, MMU_NORMAL_PT_UPDATE), .val = 0,
	};

	test_refused("mmu_update_null_array",
		HYPERVISOR_mmu_update(NULL, 1, NULL, DOMID_SELF), -XEN_EFAULT);
	test_refused("mmu_update_hypervisor_array",
		HYPERVISOR_mmu_update((mmu_update_t *)HYPERVISOR_POINTER, 1,
				      NULL, DOMID_SELF), -XEN_EFAULT);
	/* Readable by the guest, but inside the hypervisor's range (as Xen). */
	test_refused("mmu_update_m2p_as_array",
		HYPERVISOR_mmu_update((mmu_update_t *)MACH2PHYS_VIRT_START, 1,
				      NULL, DOMID_SELF), -XEN_EFAULT);
	test_refused("mmu_update_success_count_in_hypervisor",
		HYPERVISOR_mmu_update(&ok, 1, (unsigned int *)HYPERVISOR_POINTER,
				      DOMID_SELF), -XEN_EFAULT);
	test_refused("mmuext_op_null_array",
		HYPERVISOR_mmuext_op(NULL, 1, NULL, DOMID_SELF), -XEN_EFAULT);
	test_refused("mmuext_op_hypervisor_array",
		HYPERVISOR_mmuext_op((mmuext_op_t *)HYPERVISOR_POINTER, 1, NULL,
				     DOMID_SELF), -XEN_EFAULT);
}

static void attack_commands(void)
{
	mmu_update_t req = { .ptr = entry_ptr(lab.data, 0, 5), .val = 0 };
	mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };

	test_refused("mmu_update_unknown_cmd_5",
		HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF), -XEN_ENOSYS);
	req.ptr = entry_ptr(lab.l4, 0, 7);
	test_refused("mmu_update_unknown_cmd_7_on_l4",
		HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF), -XEN_ENOSYS);
	test_refused("mmuext_op_unknown_cmd", mmuext2(BOGUS_CMD, lab.l4, 0), -XEN_ENOSYS);
	/* Xen: -ESRCH for a domain that does not exist; Lamina -EPERM. */
	req.ptr = entry_ptr(lab.data, 0, MMU_NORMAL_PT_UPDATE);
	test_refused("mmu_update_foreigndom_5",
		HYPERVISOR_mmu_update(&req, 1, NULL, 5), -XEN_EPERM);
	test_refused("mmu_update_foreigndom_xen",
		HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_XEN), -XEN_EPERM);
	test_refused("mmuext_op_foreigndom_5",
		HYPERVISOR_mmuext_op(&op, 1, NULL, 5), -XEN_EPERM);
	/* Xen: dom0 with I/O rights may flush caches; Lamina never. */
	test_refused("mmuext_flush_cache", mmuext2(MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EPERM);
	test_refused("mmuext_flush_cache_global",
		mmuext2(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -XEN_EPERM);
	test_refused("invlpg_hypervisor_address",
		mmuext2(MMUEXT_INVLPG_LOCAL, HYPERVISOR_POINTER, 0), -XEN_EINVAL);
}

static void attack_update_va_mapping(void)
{
	unsigned long d = pte(lab.data, PTE_LEAF_RO);

	test_refused("update_va_mapping_hypervisor_va",
		HYPERVISOR_update_va_mapping(HYPERVISOR_POINTER, d, UVMF_INVLPG),
		-XEN_EINVAL);
	test_refused("update_va_mapping_m2p_va",
		HYPERVISOR_update_va_mapping(MACH2PHYS_VIRT_START, d, UVMF_INVLPG),
		-XEN_EINVAL);
	test_refused("update_va_mapping_non_canonical",
		HYPERVISOR_update_va_mapping(NON_CANONICAL, d, UVMF_INVLPG),
		-XEN_EINVAL);
	test_refused("update_va_mapping_absent_l1",
		HYPERVISOR_update_va_mapping(0x1000, d, UVMF_INVLPG), -XEN_EINVAL);
	test_refused("update_va_mapping_absent_l1_past_window",
		HYPERVISOR_update_va_mapping(lab.win + MB(8), d, UVMF_INVLPG),
		-XEN_EINVAL);
}

/* MMU_MACHPHYS_UPDATE: own frames yes, others never. */
static void attack_machphys(void)
{
	unsigned long mfn = lab.data, pfn = pv_mfn_to_pfn(mfn);
	unsigned long ptr = (mfn << PV_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;

	/* Xen: -EINVAL (get_page_from_mfn fails); Lamina -EPERM. */
	test_refused("machphys_update_hypervisor_frame",
		mmu((HV_RESERVED_MFN << PV_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0),
		-XEN_EPERM);
	test_refused("machphys_update_beyond_ram",
		mmu((BEYOND_RAM_MFN << PV_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0),
		-XEN_EINVAL);
	bool ok = mmu(ptr, 0x4242) == 0 && pv_mfn_to_pfn(mfn) == 0x4242 &&
		  mmu(ptr, pfn) == 0 && pv_mfn_to_pfn(mfn) == pfn;
	report("machphys_update_own_frame", ok, "accepted, seen in the M2P, restored",
	       "own M2P update failed or not visible");
}

static long set_ldt(unsigned long base, unsigned long ents)
{
	return mmuext2(MMUEXT_SET_LDT, base, ents);
}

static void attack_set_ldt(void)
{
	unsigned long base = lab.win;

	test_refused("set_ldt_unaligned_base", set_ldt(base + 8, 1), -XEN_EINVAL);
	test_refused("set_ldt_hypervisor_base", set_ldt(HYPERVISOR_POINTER, 1),
		-XEN_EINVAL);
	test_refused("set_ldt_m2p_base", set_ldt(MACH2PHYS_VIRT_START, 16),
		-XEN_EINVAL);
	test_refused("set_ldt_8193_entries", set_ldt(base, 8193), -XEN_EINVAL);
	/* Xen checks only the base here and accepts; Lamina the whole range. */
	test_refused("set_ldt_range_runs_off_lower_half",
		set_ldt(0x00007ffffffff000UL, 8192), -XEN_EINVAL);
	test_expect_rc("set_ldt_cleared", set_ldt(0, 0), 0);
}

/* COPY_PAGE / CLEAR_PAGE into tables or from and into others' frames. */
static void attack_copy_clear(void)
{
	test_refused("copy_page_into_own_l1",
		mmuext2(MMUEXT_COPY_PAGE, lab.l1, lab.data), -XEN_EBUSY);
	test_refused("copy_page_into_own_l4",
		mmuext2(MMUEXT_COPY_PAGE, lab.l4, lab.data), -XEN_EBUSY);
	test_refused("clear_page_of_window_l1",
		mmuext2(MMUEXT_CLEAR_PAGE, lab.win_l1, 0), -XEN_EBUSY);
	test_refused("copy_page_from_hypervisor_frame",
		mmuext2(MMUEXT_COPY_PAGE, spare_frame(), HV_RESERVED_MFN), -XEN_EPERM);
	test_refused("copy_page_from_beyond_ram",
		mmuext2(MMUEXT_COPY_PAGE, spare_frame(), BEYOND_RAM_MFN), -XEN_EPERM);
	test_refused("copy_page_into_hypervisor_frame",
		mmuext2(MMUEXT_COPY_PAGE, HV_RESERVED_MFN, lab.data), -XEN_EPERM);
	test_refused("clear_page_of_hypervisor_frame",
		mmuext2(MMUEXT_CLEAR_PAGE, HV_RESERVED_MFN, 0), -XEN_EPERM);
	test_refused("clear_page_beyond_ram",
		mmuext2(MMUEXT_CLEAR_PAGE, BEYOND_RAM_MFN, 0), -XEN_EINVAL);
}

/* ---- still alive? ------------------------------------------------------ */

/* The window L1, seen read-only, holds only what the suite put there. */
static void check_window_l1(void)
{
	long rc = win_map(WIN_L1_VIEW, pte(lab.win_l1, PTE_LEAF_RO));
	const unsigned long *t = win_ptr(WIN_L1_VIEW);
	unsigned int stray = 0;

	for (unsigned int i = 0; rc == 0 && i < 512; i++)
		if (i != WIN_DATA && i != WIN_L1_VIEW && (t[i] & PTE_P))
			stray++;
	test_check(rc == 0 && entry_mfn(t[WIN_DATA]) == lab.data && stray == 0,
		   "window_l1_untouched_by_refused_updates",
		   "rc %ld, %u stray entries", rc, stray);
}

/* One more legitimate update, read through. */
static void check_legit_update(void)
{
	unsigned long v = 0;
	long rc = pt_set_entry(lab.win_l1, WIN_LEGIT, pte(lab.data, PTE_LEAF_RO));

	test_check(rc == 0 && !read_faults((unsigned long)win_ptr(WIN_LEGIT), &v) &&
		   v == PATTERN, "legitimate_update_after_attacks",
		   "rc %ld, read %lx", rc, v);
}

/* First entry that differs from the snapshot (bar A/D bits), or -1. */
static int table_differs(const unsigned long *snap, const unsigned long *now)
{
	for (int i = 0; i < 512; i++)
		if ((snap[i] ^ now[i]) & ~(PTE_A | PTE_D))
			return i;
	return -1;
}

/* Take the window down and compare the boot tables with their snapshots. */
static void check_tables_intact(void)
{
	bool down = win_map(WIN_LEGIT, 0) == 0 && win_map(WIN_L1_VIEW, 0) == 0 &&
		    win_map(WIN_DATA, 0) == 0 &&
		    pt_set_entry(lab.l2, lab.win_idx, 0) == 0 && unpin(lab.win_l1) == 0;

	test_check(down, "window_taken_down", "an unmap or unpin failed");
	int diff4 = table_differs(lab.snap_l4, lab.l4v);
	int diff3 = table_differs(lab.snap_l3, lab.l3v);
	int diff2 = table_differs(lab.snap_l2, lab.l2v);

	test_check(diff4 < 0 && diff3 < 0 && diff2 < 0, "boot_l4_l3_l2_as_at_start",
		   "first changed entry: L4 %d, L3 %d, L2 %d", diff4, diff3, diff2);
	test_expect_eq("cr3_is_boot_l4", read_cr3(), lab.l4 << PV_PAGE_SHIFT);
	test_check(pv_pt_lookup((unsigned long)&lab) & PTE_P,
		   "kernel_still_mapped", "walk of own data failed");
	test_expect_rc("window_l1_free_again",
		       mmuext2(MMUEXT_CLEAR_PAGE, lab.win_l1, 0), 0);
}

void kernel_main(start_info_t *si)
{
	pv_printf("attacks_mm: page-table attacks against the hypervisor\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install trap table / callbacks\n");
	probe_catch(PV_TRAP_GP);
	probe_catch(PV_TRAP_PF);
	setup(si);
	attack_rw_map_tables();
	attack_second_l1();
	attack_direct_write();
	attack_unowned_frames();
	attack_hypervisor_reads();
	attack_hypervisor_slots();
	attack_self_maps();
	attack_pins();
	attack_unpin_active_l4();
	attack_baseptr();
	attack_loop_update();
	attack_loop_validation();
	attack_l2_loops();
	attack_diamond();
	attack_flag_bits();
	attack_huge_counts();
	attack_bad_pointers();
	attack_commands();
	attack_update_va_mapping();
	attack_machphys();
	attack_set_ldt();
	attack_copy_clear();
	check_window_l1();
	check_legit_update();
	check_tables_intact();
	test_finish();
}
