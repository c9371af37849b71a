/*
 * frame_rule: the frames the hypervisor reads and writes on its own
 * (shared_info, the console ring, grant-table frames, a registered
 * vcpu_info) must never become page tables or descriptor pages, nor be
 * given back, while it uses them (docs/memory.md, "The frame rule").
 * Run as an unprivileged domain, so it has a console ring.
 *
 * For each frame, as a hostile kernel would: pin it as L1-L4, load it as a
 * GDT frame and (mapped read-only) as an LDT, link it under an L2, L3 and
 * L4 entry, give it back with decrease_reservation. Expected errors:
 *   pin, link    -EBUSY: Lamina's answer to a type conflict (Xen: -EINVAL,
 *                as attacks_mm.c notes for every type conflict)
 *   set_gdt/ldt  -EINVAL, as Xen
 *   decrease     0 extents done (Lamina refuses a frame something still
 *                holds; Xen would take it and free it later)
 * (update_va_mapping writes only L1 entries, i.e. leaf mappings, which the
 * rule allows: a writable mapping of each frame is checked to work.)
 * A frame that starts mapped writable by the guest (the console ring, in
 * the initial mapping) is unmapped first: with the mapping the guest's own
 * reference would hide the hole.
 *
 * Then the end-to-end attack: pin shared_info as an L1, hook it into a free
 * L2 slot and take a #PF at an address that reads as a page-table entry,
 * so the hypervisor's write of vcpu_info.arch.cr2 would map a hypervisor
 * frame. The read through that slot must fault.
 *
 * mode=rereg: register vcpu_info at offset 0 of shared_info (the default
 * slot), then again elsewhere: the second must be refused and hold nothing.
 */
#include <libpv/console_ring.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include <pv/grant_table.h>
#include <pv/memory.h>
#include <pv/vcpu.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define PTE_LEAF_RO  (PTE_P | PTE_US | PTE_A)
#define PTE_LEAF_RW  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A)
#define MB(x)        ((unsigned long)(x) << 20)
#define FREE_L4_SLOT 300
#define HV_IMAGE_MFN 0x100UL        /* 1 MiB: the hypervisor's */
#define CR2_OFFSET   16             /* vcpu_info.arch.cr2 */

/* Window slots (4 KiB pages of the window L1). */
enum { WIN_VIEW, WIN_LDT };

static struct {
	unsigned long l4, l3, l2;       /* boot tables mapping PV_VIRT_BASE */
	unsigned long *l3v, *l2v;
	unsigned long upper;            /* flags of the boot L2 entry */
	unsigned long next_pfn;         /* next spare pfn */
	unsigned long win;              /* the window (one L1) */
	unsigned int win_idx;           /* its boot-L2 slot; +1 is free */
	unsigned int free_l3;           /* a free slot of the boot L3 */
	unsigned long win_l1;
	unsigned long gdt_dummy;
} lab;

/* ---- hypercall helpers ------------------------------------------------- */

static unsigned long pte(unsigned long mfn, unsigned long flags)
{
	return (mfn << PV_PAGE_SHIFT) | flags;
}

static long set_gdt(const unsigned long *frames, unsigned long entries)
{
	return PV_HYPERCALL(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0);
}

static long win_map(unsigned int slot, unsigned long val)
{
	return HYPERVISOR_update_va_mapping(lab.win + slot * PV_PAGE_SIZE, val,
					    UVMF_INVLPG);
}

/* Extents decrease_reservation did for one frame (0 or 1). */
static long give_back(unsigned long mfn)
{
	xen_pfn_t list[1] = { mfn };
	struct xen_memory_reservation r = {
		.nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, list);
	return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

static long reservation(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static long register_vcpu_info(unsigned long mfn, unsigned int offset)
{
	struct vcpu_register_vcpu_info info = { .mfn = mfn, .offset = offset };

	return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
}

static long setup_table(unsigned int n, xen_pfn_t *frames)
{
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = n };
	long rc;

	set_xen_guest_handle(st.frame_list, frames);
	rc = PV_HYPERCALL(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table,
			  &st, 1, 0, 0);
	return rc ? rc : st.status;
}

static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("frame_rule: setup step \"%s\" failed: %ld\n", step, rc);
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

/* Read 8 bytes of frame mfn at offset through a read-only window view. */
static unsigned long peek(unsigned long mfn, unsigned int offset)
{
	unsigned long v;

	must(win_map(WIN_VIEW, pte(mfn, PTE_LEAF_RO)), "map a view");
	v = *(volatile unsigned long *)(lab.win + WIN_VIEW * PV_PAGE_SIZE + offset);
	must(win_map(WIN_VIEW, 0), "unmap the view");
	return v;
}

/* ---- setup ------------------------------------------------------------- */

static unsigned int pt_idx(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static unsigned long entry_mfn(unsigned long e)
{
	return (e & PTE_MFN_MASK) >> PV_PAGE_SHIFT;
}

static unsigned long *table_view(unsigned long mfn)
{
	return pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
}

static unsigned long spare_frame(void)
{
	unsigned long mfn;

	if (lab.next_pfn >= pv_start_info->nr_pages)
		pv_crash("frame_rule: out of spare pages\n");
	mfn = pv_pfn_to_mfn(lab.next_pfn++);
	must(mmuext2(MMUEXT_CLEAR_PAGE, mfn, 0), "clear a spare frame");
	return mfn;
}

static void setup(const start_info_t *si)
{
	unsigned long *l4v = (unsigned long *)si->pt_base;
	unsigned long va = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;

	lab.l4 = pv_pfn_to_mfn(pv_virt_to_pfn(l4v));
	lab.l3 = entry_mfn(l4v[pt_idx(PV_VIRT_BASE, 4)]);
	lab.l3v = table_view(lab.l3);
	lab.l2 = entry_mfn(lab.l3v[pt_idx(PV_VIRT_BASE, 3)]);
	lab.l2v = table_view(lab.l2);
	lab.upper = lab.l2v[pt_idx(PV_VIRT_BASE, 2)] & 0xfffUL;
	while (pv_pt_lookup(va) & PTE_P)
		va += PV_PAGE_SIZE;
	lab.next_pfn = pv_virt_to_pfn((void *)va);
	/* The window: the second 2 MiB slot after the mapping, and one more. */
	lab.win = ((va + MB(2) - 1) & ~(MB(2) - 1)) + MB(2);
	lab.win_idx = pt_idx(lab.win, 2);
	if (pt_idx(lab.win + MB(2), 3) != pt_idx(PV_VIRT_BASE, 3) ||
	    (lab.l2v[lab.win_idx] & PTE_P) || (lab.l2v[lab.win_idx + 1] & PTE_P))
		pv_crash("frame_rule: no free boot-L2 slots for the window\n");
	lab.free_l3 = pt_idx(PV_VIRT_BASE, 3) - 1;
	if (lab.l3v[lab.free_l3] & PTE_P || (l4v[FREE_L4_SLOT] & PTE_P))
		pv_crash("frame_rule: no free L3/L4 slot\n");
	lab.win_l1 = spare_frame();
	must(pt_pin(1, lab.win_l1), "pin the window L1");
	must(pt_set_entry(lab.l2, lab.win_idx, pte(lab.win_l1, lab.upper)),
	     "hook the window");
	lab.gdt_dummy = spare_frame();
	pv_printf("frame_rule: window at %lx, spare frames from pfn %lx\n",
		  lab.win, lab.next_pfn);
}

/* ---- the battery ------------------------------------------------------- */

static void name_of(char *out, const char *kind, const char *what)
{
	pv_snprintf(out, 64, "%s_%s", kind, what);
}

/* Every way to make frame mfn a page table or descriptor page, or free it. */
static void battery(const char *kind, unsigned long mfn)
{
	char n[64];
	long rc;

	for (unsigned int level = 1; level <= 4; level++) {
		char what[16];
		pv_snprintf(what, sizeof(what), "pin_l%u", level);
		name_of(n, kind, what);
		if ((rc = pt_pin(level, mfn)) == 0)
			mmuext2(MMUEXT_UNPIN_TABLE, mfn, 0);
		test_refused(n, rc, -XEN_EBUSY);
	}

	name_of(n, kind, "set_gdt");
	if ((rc = set_gdt(&mfn, 512)) == 0)
		set_gdt(&lab.gdt_dummy, 0);
	test_refused(n, rc, -XEN_EINVAL);

	name_of(n, kind, "set_ldt");
	must(win_map(WIN_LDT, pte(mfn, PTE_LEAF_RO)), "map read-only for the LDT");
	if ((rc = mmuext2(MMUEXT_SET_LDT, lab.win + WIN_LDT * PV_PAGE_SIZE, 512)) == 0)
		mmuext2(MMUEXT_SET_LDT, 0, 0);
	test_refused(n, rc, -XEN_EINVAL);
	must(win_map(WIN_LDT, 0), "unmap the LDT view");

	name_of(n, kind, "link_as_l1");
	if ((rc = pt_set_entry(lab.l2, lab.win_idx + 1, pte(mfn, PTE_TABLE))) == 0)
		pt_set_entry(lab.l2, lab.win_idx + 1, 0);
	test_refused(n, rc, -XEN_EBUSY);

	name_of(n, kind, "link_as_l2");
	if ((rc = pt_set_entry(lab.l3, lab.free_l3, pte(mfn, PTE_TABLE))) == 0)
		pt_set_entry(lab.l3, lab.free_l3, 0);
	test_refused(n, rc, -XEN_EBUSY);

	name_of(n, kind, "link_as_l3");
	if ((rc = pt_set_entry(lab.l4, FREE_L4_SLOT, pte(mfn, PTE_TABLE))) == 0)
		pt_set_entry(lab.l4, FREE_L4_SLOT, 0);
	test_refused(n, rc, -XEN_EBUSY);

	/* A writable mapping is what the rule allows: the guest may use it. */
	name_of(n, kind, "map_writable_allowed");
	rc = win_map(WIN_VIEW, pte(mfn, PTE_LEAF_RW));
	test_expect_rc(n, rc, 0);
	if (!rc)
		must(win_map(WIN_VIEW, 0), "unmap the writable view");

	name_of(n, kind, "decrease_reservation");
	rc = give_back(mfn);
	test_check(rc == 0, n, "%ld extents given back, want 0", rc);
}

/* ---- shared_info and the cr2 exploit ----------------------------------- */

static void attack_shared_info(unsigned long si_mfn)
{
	unsigned long hook = lab.win + MB(2), got;
	/* An address that, stored as an L1 entry, maps a hypervisor frame RW. */
	unsigned long bait = pte(HV_IMAGE_MFN, PTE_P | PTE_RW | PTE_US);
	long rc;

	long cleared = mmuext2(MMUEXT_CLEAR_PAGE, si_mfn, 0);
	/* The clear unmasked events; this suite has no event handler. Mask
	 * them again before printing: the console ring answers a write with
	 * an event. */
	must(win_map(WIN_VIEW, pte(si_mfn, PTE_LEAF_RW)), "map shared_info");
	((volatile uint8_t *)(lab.win + WIN_VIEW * PV_PAGE_SIZE))[1] = 1;
	must(win_map(WIN_VIEW, 0), "unmap shared_info");
	test_expect_rc("shared_info_clear_page", cleared, 0);
	rc = pt_pin(1, si_mfn);
	test_refused("exploit_pin_shared_info_l1", rc, -XEN_EBUSY);
	long hooked = pt_set_entry(lab.l2, lab.win_idx + 1, pte(si_mfn, lab.upper));
	test_refused("exploit_hook_shared_info_l1", hooked, -XEN_EBUSY);

	/* The #PF makes the hypervisor store bait in vcpu_info.arch.cr2. */
	bool faulted = read_faults(bait, &got);
	test_check(faulted && probe_seen.vector == PV_TRAP_PF, "exploit_bait_fault",
		   "no #PF at %lx", bait);
	test_check(peek(si_mfn, CR2_OFFSET) == bait, "shared_info_cr2_written",
		   "cr2 in shared_info is %lx", peek(si_mfn, CR2_OFFSET));
	bool mapped = !read_faults(hook + (CR2_OFFSET / 8) * PV_PAGE_SIZE, &got);
	test_check(!mapped, "exploit_cr2_no_mapping",
		   "the cr2 slot maps a hypervisor frame: read %lx", got);

	if (hooked == 0)
		pt_set_entry(lab.l2, lab.win_idx + 1, 0);
	if (rc == 0)
		mmuext2(MMUEXT_UNPIN_TABLE, si_mfn, 0);
	battery("shared_info", si_mfn);
}

/* ---- the console ring (and the xenstore ring, an ordinary page) -------- */

/* Output held back while the console ring (libpv's writer) is unmapped. */
static char held[8192];
static size_t held_len;

static void hold_write(const char *text, size_t len)
{
	for (size_t i = 0; i < len && held_len < sizeof(held); i++)
		held[held_len++] = text[i];
}

static void attack_console(const start_info_t *si)
{
	unsigned long mfn = si->console.domU.mfn;
	unsigned long va = (unsigned long)pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
	long rc;

	/* Drop the guest's own writable mapping, which would hide the hole. */
	pv_console_set_writer(hold_write);
	must(HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG), "unmap the ring");
	battery("console_ring", mfn);
	rc = HYPERVISOR_update_va_mapping(va, pte(mfn, PTE_LEAF_RW), UVMF_INVLPG);
	/* Without the ring, console_io (shown only with guest_console_io=show). */
	pv_console_set_writer(rc ? NULL : pv_console_ring_write);
	pv_console_write(held, held_len);
	test_expect_rc("console_ring_remap", rc, 0);
	if (rc)
		pv_shutdown(SHUTDOWN_crash);
}

/*
 * The hypervisor never touches the xenstore ring (a xenstore service in a
 * domain will), so it holds nothing on it: the guest may retype it.
 */
static void check_xenstore_ring(const start_info_t *si)
{
	unsigned long mfn = si->store_mfn;
	unsigned long va = (unsigned long)pv_pfn_to_virt(pv_mfn_to_pfn(mfn));

	must(HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG), "unmap the store");
	test_expect_rc("xenstore_ring_pin_l1_ordinary_page", pt_pin(1, mfn), 0);
	test_expect_rc("xenstore_ring_unpin", mmuext2(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
	test_expect_rc("xenstore_ring_remap",
		       HYPERVISOR_update_va_mapping(va, pte(mfn, PTE_LEAF_RW),
						    UVMF_INVLPG), 0);
}

/* ---- grant-table frames ------------------------------------------------ */

static void attack_grant_frames(void)
{
	xen_pfn_t frames[2] = { 0, 0 }, again[2] = { 0, 0 };
	long before = reservation();

	test_expect_rc("grant_setup_table", setup_table(2, frames), 0);
	test_check(reservation() == before, "grant_frames_not_in_reservation",
		   "reservation %ld, was %ld", reservation(), before);
	battery("grant_frame", frames[0]);
	test_check(give_back(frames[1]) == 0, "grant_frame2_decrease_reservation",
		   "second grant frame given back");
	test_check(reservation() == before, "grant_decrease_keeps_reservation",
		   "reservation %ld, was %ld", reservation(), before);
	test_expect_rc("grant_setup_table_again", setup_table(2, again), 0);
	test_check(again[0] == frames[0] && again[1] == frames[1],
		   "grant_frames_stable", "%lx %lx now %lx %lx", frames[0],
		   frames[1], again[0], again[1]);
	/* The numbers setup_table reports are still frames of ours. */
	for (unsigned int i = 0; i < 2; i++) {
		long rc = win_map(WIN_VIEW, pte(again[i], PTE_LEAF_RW));
		test_check(rc == 0, i ? "grant_frame2_still_ours" : "grant_frame_still_ours",
			   "mapping frame %lx: %ld", again[i], rc);
		if (!rc)
			must(win_map(WIN_VIEW, 0), "unmap the grant frame");
	}
}

/* ---- registered vcpu_info ---------------------------------------------- */

static void attack_vcpu_info(void)
{
	unsigned long table = spare_frame(), v = spare_frame(), other = spare_frame();
	unsigned long got;

	must(pt_pin(1, table), "pin a table");
	test_expect_rc("vcpu_info_on_page_table_refused",
		       register_vcpu_info(table, 0), -XEN_EINVAL);
	must(mmuext2(MMUEXT_UNPIN_TABLE, table, 0), "unpin the table");
	test_expect_rc("vcpu_info_register", register_vcpu_info(v, 64), 0);
	test_expect_rc("vcpu_info_reregister_refused",
		       register_vcpu_info(other, 0), -XEN_EINVAL);
	test_expect_rc("vcpu_info_reregister_same_frame_refused",
		       register_vcpu_info(v, 0), -XEN_EINVAL);
	battery("vcpu_info", v);
	/* The hypervisor's writes now land in the registered frame. */
	read_faults(0x5a5000UL, &got);
	test_check(peek(v, 64 + CR2_OFFSET) == 0x5a5000UL,
		   "vcpu_info_cr2_lands_in_registered_frame", "cr2 %lx",
		   peek(v, 64 + CR2_OFFSET));
	test_check(give_back(other) == 1, "vcpu_info_refused_frame_holds_nothing",
		   "a refused registration kept a reference");
}

/* mode=rereg: the first registration lands on the default slot. */
static void rereg(const start_info_t *si)
{
	unsigned long v = spare_frame();

	test_expect_rc("vcpu_info_register_shared_info_offset_0",
		       register_vcpu_info(si->shared_info >> PV_PAGE_SHIFT, 0), 0);
	test_expect_rc("vcpu_info_reregister_after_default_slot_refused",
		       register_vcpu_info(v, 0), -XEN_EINVAL);
	test_check(give_back(v) == 1, "vcpu_info_second_frame_holds_nothing",
		   "the refused frame cannot be given back");
}

void kernel_main(start_info_t *si)
{
	char mode[16] = "";

	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("frame_rule: trap set-up failed\n");
	probe_catch(PV_TRAP_PF);
	setup(si);
	pv_cmdline_get("mode", mode, sizeof(mode));
	if (!strcmp(mode, "rereg")) {
		rereg(si);
		test_finish();
	}
	if (!si->console.domU.mfn || !si->store_mfn)
		pv_crash("frame_rule: run me as an unprivileged domain\n");
	attack_shared_info(si->shared_info >> PV_PAGE_SHIFT);
	attack_console(si);
	check_xenstore_ring(si);
	attack_grant_frames();
	attack_vcpu_info();
	/* The hypervisor still serves the ring it holds. */
	if (!pv_console_ring_init())
		test_fail("console_ring_init", "refused");
	pv_printf("frame_rule: ring still works\n");
	test_finish();
}
