/*
 * tlb_attacks: stale TLB entries against the hypervisor's lazy flushing
 * (docs/memory.md, "TLB").
 *
 * The hypervisor honours the guest's flush requests and flushes on its own
 * only when a stale translation could break isolation: when a frame that
 * may still be cached writable becomes a page table or descriptor page,
 * when a table that paging-structure caches may still walk becomes
 * something else, and when a frame is freed. Each attack here plays the
 * hostile kernel: map a frame writable, write through it (the TLB now
 * holds a writable translation), drop the mapping without asking for a
 * flush (update_va_mapping UVMF_NONE, mmu_update, or a store through the
 * writable-page-tables assist), turn the frame into something the guest
 * must never write, and write through the old address. The write must
 * fault.
 *
 * QEMU's TCG keeps a software TLB, so a missing flush really leaves the
 * stale translation usable: built with the safety flush disabled, every
 * attack below fails. TCG caches only final translations (no
 * paging-structure caches), so the old-subtree attack observes the flush
 * through a leaf the old L1 mapped.
 *
 * Then the other side, read from the lamina_perf counters: replacing or
 * removing a data page's mapping flushes nothing, the stale translation is
 * the guest's own business (as on Xen), and every flush request the guest
 * makes (UVMF_INVLPG, UVMF_TLB_FLUSH, MMUEXT_INVLPG_LOCAL,
 * MMUEXT_TLB_FLUSH_LOCAL) is honoured.
 *
 * Material as in attacks_mm.c: the domain's free pages above the initial
 * mapping, and a private L1 (the window) hooked into the boot L2 4 MiB past
 * the mapping; the next L2 slot is the attacks' second 2 MiB.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <lamina/perf.h>
#include <pv/errno.h>
#include <pv/memory.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define PTE_LEAF_RO  (PTE_P | PTE_A)
#define PTE_LEAF_RW  (PTE_P | PTE_RW | PTE_A | PTE_D)
#define MB(x)        ((unsigned long)(x) << 20)
#define HV_RESERVED_MFN 1UL     /* the real-mode area: the hypervisor's */
/* What an attacker would store: an L1 entry giving it a hypervisor frame,
 * and a ring-0 64-bit code descriptor. */
#define FORGED_PTE   ((HV_RESERVED_MFN << 12) | PTE_LEAF_RW)
#define FORGED_DESC  0x00209a000000ffffUL
#define MARK_A       0xa1a1a1a1a1a1a1a1UL
#define MARK_B       0xb2b2b2b2b2b2b2b2UL

/* Window slots (4 KiB pages at lab.win). */
enum { S_PIN, S_VIEW, S_LDT, S_GDT, S_FREE, S_RETYPE, S_DATA, S_DATA_RW,
       S_L1VIEW };

static struct {
	unsigned long l2;               /* boot L2 mapping PV_VIRT_BASE */
	unsigned long *l2v;             /* its read-only view */
	unsigned long upper;            /* flags of the boot L2 entry */
	unsigned long end_va;           /* end of the initial mapping */
	unsigned long next_pfn;         /* next spare pfn */
	unsigned long win;              /* the window's address */
	unsigned int win_idx;           /* its boot-L2 slot */
	unsigned long win_l1;           /* the window's L1 frame */
} lab;

/* ---- helpers ------------------------------------------------------------ */

static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("tlb_attacks: setup step \"%s\" failed: %ld\n", step, rc);
}

static unsigned long pte(unsigned long mfn, unsigned long flags)
{
	return (mfn << PV_PAGE_SHIFT) | flags;
}

static unsigned long entry_mfn(unsigned long e)
{
	return (e & PTE_MFN_MASK) >> PV_PAGE_SHIFT;
}

static unsigned long slot_va(unsigned int slot)
{
	return lab.win + slot * PV_PAGE_SIZE;
}

/* Map val at window slot with the given flush flags. */
static long win_map(unsigned int slot, unsigned long val, unsigned long flags)
{
	return HYPERVISOR_update_va_mapping(slot_va(slot), val, flags);
}

/* A spare frame of the domain, cleared, with no mapping. */
static unsigned long spare_frame(void)
{
	unsigned long mfn;

	if (lab.next_pfn >= pv_start_info->nr_pages)
		pv_crash("tlb_attacks: out of spare pages\n");
	mfn = pv_pfn_to_mfn(lab.next_pfn++);
	must(mmuext2(MMUEXT_CLEAR_PAGE, mfn, 0), "clear a spare frame");
	return mfn;
}

/* The hypervisor's counters for this domain (lamina/perf.h). */
static struct lamina_perf_counters perf(void)
{
	struct lamina_perf_counters c;

	memset(&c, 0, sizeof(c));
	if (PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ, &c, 0, 0, 0))
		pv_crash("tlb_attacks: cannot read the perf counters\n");
	return c;
}

static unsigned long flushes(void)
{
	return perf().tlb_flushes;
}

/* Write val at addr; the vector it raised, or ~0UL if none. */
static unsigned long write_vector(unsigned long addr, unsigned long val)
{
	unsigned long a = val, c = addr, d = 0;

	PROBE_RW("mov %%rax, (%%rcx)", a, c, d);
	return probe_seen.hits ? probe_seen.vector : ~0UL;
}

/* Read 8 bytes at addr; ~0UL on a fault (the probe records it). */
static unsigned long read_word(unsigned long addr)
{
	unsigned long a = 0, c = addr, d = 0;

	PROBE_RW("mov (%%rcx), %%rax", a, c, d);
	return probe_seen.hits ? ~0UL : a;
}

/* PASS if writing val at addr raised #PF. */
static void write_must_fault(const char *name, unsigned long addr,
			     unsigned long val)
{
	unsigned long vec = write_vector(addr, val);

	test_check(vec == PV_TRAP_PF, name, "write at %lx %s", addr,
		   vec == ~0UL ? "succeeded through a stale translation"
			       : pv_trap_name(vec));
}

/* Fill the TLB with a writable translation of addr. */
static void touch_rw(unsigned long addr, unsigned long val)
{
	if (write_vector(addr, val) != ~0UL)
		pv_crash("tlb_attacks: cannot write %lx\n", addr);
}

/* PASS if the domain's full-flush count is now want. */
static void expect_flushes(const char *name, unsigned long want)
{
	test_expect_eq(name, flushes(), want);
}

/* ---- setup -------------------------------------------------------------- */

static unsigned int pt_idx(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static unsigned long *table_view(unsigned long mfn)
{
	return pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
}

static void setup(const start_info_t *si)
{
	unsigned long va = PV_VIRT_BASE;
	unsigned long *l4v = (unsigned long *)si->pt_base;
	unsigned long *l3v = table_view(entry_mfn(l4v[pt_idx(va, 4)]));

	lab.l2 = entry_mfn(l3v[pt_idx(va, 3)]);
	lab.l2v = table_view(lab.l2);
	lab.upper = lab.l2v[pt_idx(va, 2)] & 0xfffUL;

	lab.end_va = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;
	while (pv_pt_lookup(lab.end_va) & PTE_P)
		lab.end_va += PV_PAGE_SIZE;
	lab.next_pfn = pv_virt_to_pfn((void *)lab.end_va);
	if (lab.end_va & (MB(4) - 1))
		pv_crash("tlb_attacks: mapping does not end at 4 MiB\n");

	lab.win = lab.end_va + MB(4);
	lab.win_idx = pt_idx(lab.win, 2);
	if (pt_idx(lab.win + MB(2), 3) != pt_idx(PV_VIRT_BASE, 3))
		pv_crash("tlb_attacks: window leaves the boot L2\n");
	for (unsigned int i = 0; i < 2; i++)
		if (lab.l2v[lab.win_idx + i] & PTE_P)
			pv_crash("tlb_attacks: boot L2 slot %u in use\n",
				 lab.win_idx + i);
	lab.win_l1 = spare_frame();
	must(mmuext2(MMUEXT_PIN_L1_TABLE, lab.win_l1, 0), "pin the window L1");
	must(pt_set_entry(lab.l2, lab.win_idx, pte(lab.win_l1, lab.upper)),
	     "hook the window L1");
}

/* A spare frame mapped writable at slot and written (with zero, so it can
 * still become a table): the TLB holds a writable translation. */
static unsigned long cached_rw_frame(unsigned int slot)
{
	unsigned long mfn = spare_frame();

	must(win_map(slot, pte(mfn, PTE_LEAF_RW), UVMF_INVLPG), "map a frame RW");
	touch_rw(slot_va(slot), 0);     /* stays a valid table or LDT */
	return mfn;
}

/* ---- attacks: a stale writable translation and a promotion ------------- */

/*
 * Pin as an L1 a frame whose writable mapping was just removed with
 * UVMF_NONE. A surviving translation would let the guest write entries
 * into a validated page table: here one mapping a hypervisor frame.
 */
static void attack_pin_l1_after_unmap(void)
{
	unsigned long f = cached_rw_frame(S_PIN), n = flushes();

	test_expect_rc("unmap_uvmf_none", win_map(S_PIN, 0, UVMF_NONE), 0);
	expect_flushes("unmap_uvmf_none_flushes_nothing", n);
	test_expect_rc("pin_l1_stale_frame", mmuext2(MMUEXT_PIN_L1_TABLE, f, 0), 0);
	expect_flushes("pin_l1_stale_frame_flushes_once", n + 1);
	write_must_fault("pin_l1_stale_write_faults", slot_va(S_PIN), FORGED_PTE);
	must(win_map(S_VIEW, pte(f, PTE_LEAF_RO), UVMF_INVLPG), "view the L1");
	test_expect_eq("pinned_l1_entry_intact", read_word(slot_va(S_VIEW)), 0);
	must(win_map(S_VIEW, 0, UVMF_INVLPG), "drop the view");
	must(mmuext2(MMUEXT_UNPIN_TABLE, f, 0), "unpin");
}

/*
 * The pattern kernels use (and a hostile one abuses): RW -> RO with no
 * flush, then pin. The stale writable translation must not survive.
 */
static void attack_pin_l1_after_downgrade(void)
{
	unsigned long f = cached_rw_frame(S_PIN), n = flushes();

	test_expect_rc("downgrade_uvmf_none",
		       win_map(S_PIN, pte(f, PTE_LEAF_RO), UVMF_NONE), 0);
	expect_flushes("downgrade_uvmf_none_flushes_nothing", n);
	test_expect_rc("pin_l1_downgraded_frame", mmuext2(MMUEXT_PIN_L1_TABLE, f, 0), 0);
	write_must_fault("pin_l1_downgraded_write_faults", slot_va(S_PIN),
			 FORGED_PTE);
	test_expect_eq("downgraded_l1_entry_intact", read_word(slot_va(S_PIN)), 0);
	must(win_map(S_PIN, 0, UVMF_INVLPG), "unmap");
	must(mmuext2(MMUEXT_UNPIN_TABLE, f, 0), "unpin");
}

/*
 * The same against descriptor pages: a frame downgraded RW -> RO with no
 * flush becomes the LDT; a stale write would plant a ring-0 code segment
 * that validation never sees.
 */
static void attack_ldt_after_downgrade(void)
{
	unsigned long f = cached_rw_frame(S_LDT), n = flushes();

	must(win_map(S_LDT, pte(f, PTE_LEAF_RO), UVMF_NONE), "downgrade");
	expect_flushes("ldt_downgrade_flushes_nothing", n);
	test_expect_rc("set_ldt_on_stale_frame",
		       mmuext2(MMUEXT_SET_LDT, slot_va(S_LDT), 512), 0);
	expect_flushes("set_ldt_on_stale_frame_flushes_once", n + 1);
	write_must_fault("ldt_stale_write_faults", slot_va(S_LDT) + 8,
			 FORGED_DESC);
	test_expect_eq("ldt_descriptor_intact", read_word(slot_va(S_LDT) + 8), 0);
	must(mmuext2(MMUEXT_SET_LDT, 0, 0), "clear the LDT");
	must(win_map(S_LDT, 0, UVMF_INVLPG), "unmap");
}

/* And the GDT: a frame unmapped with UVMF_NONE handed to set_gdt. */
static void attack_gdt_after_unmap(void)
{
	unsigned long f = cached_rw_frame(S_GDT), n = flushes();

	must(win_map(S_GDT, 0, UVMF_NONE), "unmap");
	expect_flushes("gdt_unmap_flushes_nothing", n);
	test_expect_rc("set_gdt_on_stale_frame",
		       PV_HYPERCALL(__HYPERVISOR_set_gdt, &f, 512, 0, 0, 0), 0);
	expect_flushes("set_gdt_on_stale_frame_flushes_once", n + 1);
	write_must_fault("gdt_stale_write_faults", slot_va(S_GDT) + 8,
			 FORGED_DESC);
	must(PV_HYPERCALL(__HYPERVISOR_set_gdt, &f, 0, 0, 0, 0), "drop the GDT");
}

/*
 * The same through the writable-page-tables assist: the kernel clears the
 * window L1's entry with a plain store (emulated, flushing nothing, as on
 * Xen), then pins the frame it mapped.
 */
static void attack_pin_l1_after_ptwr_unmap(void)
{
	unsigned long f = cached_rw_frame(S_PIN), n;
	unsigned long e = slot_va(S_L1VIEW) + S_PIN * 8;

	must(win_map(S_L1VIEW, pte(lab.win_l1, PTE_LEAF_RO), UVMF_INVLPG),
	     "view the window L1");
	must(HYPERVISOR_vm_assist(VMASST_CMD_enable,
				  VMASST_TYPE_writable_pagetables), "assist on");
	n = flushes();
	test_check(write_vector(e, 0) == ~0UL, "ptwr_unmap_emulated",
		   "the store into the L1 faulted");
	expect_flushes("ptwr_unmap_flushes_nothing", n);
	test_expect_rc("pin_l1_after_ptwr_unmap", mmuext2(MMUEXT_PIN_L1_TABLE, f, 0), 0);
	expect_flushes("pin_l1_after_ptwr_unmap_flushes_once", n + 1);
	write_must_fault("ptwr_unmap_stale_write_faults", slot_va(S_PIN),
			 FORGED_PTE);
	must(HYPERVISOR_vm_assist(VMASST_CMD_disable,
				  VMASST_TYPE_writable_pagetables), "assist off");
	must(win_map(S_L1VIEW, 0, UVMF_INVLPG), "drop the view");
	must(mmuext2(MMUEXT_UNPIN_TABLE, f, 0), "unpin");
}

/* ---- attacks: a freed frame --------------------------------------------- */

static long give_back(unsigned long mfn)
{
	xen_pfn_t one = mfn;
	struct xen_memory_reservation r = {
		.nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, &one);
	return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

/*
 * Give back a frame whose mappings were removed with UVMF_NONE: neither
 * a write nor a read through the old address may reach it afterwards (it
 * will belong to the hypervisor or another domain).
 */
static void attack_write_after_free(void)
{
	unsigned long f = cached_rw_frame(S_FREE), n = flushes();

	must(win_map(S_FREE, 0, UVMF_NONE), "unmap");
	expect_flushes("free_unmap_flushes_nothing", n);
	test_expect_eq("decrease_reservation_stale_frame", give_back(f), 1);
	expect_flushes("decrease_reservation_flushes_once", n + 1);
	write_must_fault("freed_frame_stale_write_faults", slot_va(S_FREE), MARK_B);
}

static void attack_read_after_free(void)
{
	unsigned long f = spare_frame();

	must(win_map(S_FREE, pte(f, PTE_LEAF_RO), UVMF_INVLPG), "map RO");
	(void)read_word(slot_va(S_FREE));
	must(win_map(S_FREE, 0, UVMF_NONE), "unmap");
	test_expect_eq("decrease_reservation_read_only_frame", give_back(f), 1);
	(void)read_word(slot_va(S_FREE));
	test_check(probe_seen.hits && probe_seen.vector == PV_TRAP_PF,
		   "freed_frame_stale_read_faults",
		   "read through a stale translation of a freed frame worked");
}

/* ---- attacks: an old subtree -------------------------------------------- */

/*
 * An L1 hooked into the second L2 slot maps g writable at v; v is written.
 * Returns the L1 (pinned) and g.
 */
static unsigned long hooked_subtree(unsigned long *g, unsigned long *v)
{
	unsigned long t = spare_frame();

	*g = spare_frame();
	*v = lab.win + MB(2);
	must(mmuext2(MMUEXT_PIN_L1_TABLE, t, 0), "pin the subtree L1");
	must(pt_set_entry(t, 0, pte(*g, PTE_LEAF_RW)), "map g in it");
	must(pt_set_entry(lab.l2, lab.win_idx + 1, pte(t, lab.upper)), "hook it");
	touch_rw(*v, 0);
	return t;
}

/*
 * Unhook the L1 from the L2 with no flush, unpin it and map it writable:
 * a walk cached through the old L2 entry would now read entries the guest
 * writes at will, so becoming writable flushes. (TCG shows the flush
 * through the leaf translation of v.)
 */
static void attack_old_l1_made_writable(void)
{
	unsigned long g, v, t = hooked_subtree(&g, &v), n = flushes();

	test_expect_rc("unhook_l1_mmu_update", pt_set_entry(lab.l2, lab.win_idx + 1, 0), 0);
	test_expect_rc("unpin_unhooked_l1", mmuext2(MMUEXT_UNPIN_TABLE, t, 0), 0);
	expect_flushes("unhook_and_unpin_flush_nothing", n);
	test_expect_rc("map_old_l1_writable",
		       win_map(S_RETYPE, pte(t, PTE_LEAF_RW), UVMF_NONE), 0);
	expect_flushes("old_l1_writable_flushes_once", n + 1);
	write_must_fault("old_subtree_stale_write_faults", v, MARK_B);
	must(win_map(S_RETYPE, 0, UVMF_INVLPG), "unmap the old L1");
}

/*
 * Same start, then the page the old L1 mapped writable becomes an L1
 * itself: the write through the old subtree would edit a page table.
 */
static void attack_old_subtree_page_pinned(void)
{
	unsigned long g, v, t = hooked_subtree(&g, &v), n = flushes();

	must(pt_set_entry(lab.l2, lab.win_idx + 1, 0), "unhook");
	must(mmuext2(MMUEXT_UNPIN_TABLE, t, 0), "unpin");
	expect_flushes("subtree_release_flushes_nothing", n);
	test_expect_rc("pin_page_of_old_subtree", mmuext2(MMUEXT_PIN_L1_TABLE, g, 0), 0);
	expect_flushes("pin_page_of_old_subtree_flushes_once", n + 1);
	write_must_fault("old_subtree_page_stale_write_faults", v, FORGED_PTE);
	must(mmuext2(MMUEXT_UNPIN_TABLE, g, 0), "unpin g");
}

/* ---- the guest's business: no flush, and its requests honoured ---------- */

/* Two data frames holding MARK_A and MARK_B. */
static void two_data_frames(unsigned long *a, unsigned long *b)
{
	*a = spare_frame();
	*b = spare_frame();
	must(win_map(S_DATA, pte(*a, PTE_LEAF_RW), UVMF_INVLPG), "map a");
	touch_rw(slot_va(S_DATA), MARK_A);
	must(win_map(S_DATA, pte(*b, PTE_LEAF_RW), UVMF_INVLPG), "map b");
	touch_rw(slot_va(S_DATA), MARK_B);
}

static void check_guest_flushes(void)
{
	unsigned long a, b, va = slot_va(S_DATA);
	struct lamina_perf_counters c0, c1;

	two_data_frames(&a, &b);
	must(win_map(S_DATA, pte(a, PTE_LEAF_RO), UVMF_INVLPG), "map a RO");
	test_expect_eq("data_a_visible", read_word(va), MARK_A);

	/* UVMF_NONE replacing a read-only data mapping: nothing flushed. */
	c0 = perf();
	test_expect_rc("uvmf_none_ro_remap", win_map(S_DATA, pte(b, PTE_LEAF_RO),
						     UVMF_NONE), 0);
	c1 = perf();
	test_expect_eq("uvmf_none_ro_remap_no_flush", c1.tlb_flushes - c0.tlb_flushes, 0);
	test_expect_eq("uvmf_none_ro_remap_no_invlpg", c1.invlpgs - c0.invlpgs, 0);
	/* Xen semantics: the old translation is the guest's to drop. */
	test_expect_eq("uvmf_none_stale_translation_left_to_guest",
		       read_word(va), MARK_A);
	test_expect_rc("uvmf_invlpg_same_entry",
		       win_map(S_DATA, pte(b, PTE_LEAF_RO), UVMF_INVLPG), 0);
	test_expect_eq("uvmf_invlpg_honoured", read_word(va), MARK_B);
	c0 = perf();
	test_expect_eq("uvmf_invlpg_counted", c0.invlpgs - c1.invlpgs, 1);

	/* mmu_update replacing a present entry: nothing flushed either. */
	test_expect_rc("mmu_update_replace_present",
		       pt_set_entry(lab.win_l1, S_DATA, pte(a, PTE_LEAF_RO)), 0);
	c1 = perf();
	test_expect_eq("mmu_update_replace_no_flush",
		       c1.tlb_flushes - c0.tlb_flushes, 0);
	test_expect_eq("mmu_update_stale_translation_left_to_guest",
		       read_word(va), MARK_B);
	test_expect_rc("mmuext_invlpg_local", mmuext2(MMUEXT_INVLPG_LOCAL, va, 0), 0);
	test_expect_eq("mmuext_invlpg_local_honoured", read_word(va), MARK_A);

	/* Full flushes on request. */
	c0 = perf();
	test_expect_rc("uvmf_tlb_flush",
		       win_map(S_DATA, pte(b, PTE_LEAF_RO), UVMF_TLB_FLUSH), 0);
	test_expect_eq("uvmf_tlb_flush_honoured", read_word(va), MARK_B);
	test_expect_eq("uvmf_tlb_flush_counted", flushes() - c0.tlb_flushes, 1);
	must(pt_set_entry(lab.win_l1, S_DATA, pte(a, PTE_LEAF_RO)), "back to a");
	test_expect_rc("mmuext_tlb_flush_local", mmuext2(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
	test_expect_eq("mmuext_tlb_flush_local_honoured", read_word(va), MARK_A);
	test_expect_eq("mmuext_tlb_flush_local_counted",
		       flushes() - c0.tlb_flushes, 2);

	/* A writable data mapping replaced and made writable elsewhere:
	 * still a plain page, still no flush. */
	must(win_map(S_DATA_RW, pte(a, PTE_LEAF_RW), UVMF_INVLPG), "a RW");
	touch_rw(slot_va(S_DATA_RW), MARK_A);
	c0 = perf();
	test_expect_rc("uvmf_none_rw_remap",
		       win_map(S_DATA_RW, pte(b, PTE_LEAF_RW), UVMF_NONE), 0);
	test_expect_rc("uvmf_none_rw_map_again",
		       win_map(S_DATA, pte(a, PTE_LEAF_RW), UVMF_NONE), 0);
	test_expect_eq("uvmf_none_rw_remap_no_flush", flushes() - c0.tlb_flushes, 0);
	must(win_map(S_DATA, 0, UVMF_INVLPG), "unmap");
	must(win_map(S_DATA_RW, 0, UVMF_INVLPG), "unmap");

	/* After the guest's own full flush a promotion needs none. */
	unsigned long f = cached_rw_frame(S_PIN);
	must(win_map(S_PIN, 0, UVMF_TLB_FLUSH), "unmap with a flush");
	c0 = perf();
	test_expect_rc("pin_after_guest_flush", mmuext2(MMUEXT_PIN_L1_TABLE, f, 0), 0);
	test_expect_eq("pin_after_guest_flush_needs_none",
		       flushes() - c0.tlb_flushes, 0);
	must(mmuext2(MMUEXT_UNPIN_TABLE, f, 0), "unpin");
}

void kernel_main(start_info_t *si)
{
	pv_printf("tlb_attacks: stale translations against lazy flushing\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install trap table / callbacks\n");
	probe_catch(PV_TRAP_GP);
	probe_catch(PV_TRAP_PF);
	setup(si);
	attack_pin_l1_after_unmap();
	attack_pin_l1_after_downgrade();
	attack_ldt_after_downgrade();
	attack_gdt_after_unmap();
	attack_pin_l1_after_ptwr_unmap();
	attack_write_after_free();
	attack_read_after_free();
	attack_old_l1_made_writable();
	attack_old_subtree_page_pinned();
	check_guest_flushes();
	test_finish();
}
