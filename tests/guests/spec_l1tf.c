/*
 * spec_l1tf: not-present page-table entries and L1 Terminal Fault.
 *
 * On an L1TF-affected CPU a guest that can write a not-present entry whose
 * address bits point at host memory can read that memory from the L1 cache
 * speculatively. With the hypervisor's pv-l1tf check on, such entries must
 * be refused (-EINVAL) on every path that writes a page table (mmu_update
 * at L1 and L2, update_va_mapping, the writable-page-tables assist, and
 * validation when a table is pinned), while safe not-present entries (zero
 * address, or a high inverted address as Linux writes for swap entries)
 * keep working. With the check off every not-present entry is accepted,
 * as on Xen without pv-l1tf.
 *
 * Command line: l1tf=on (expect refusals) or l1tf=off (expect acceptance).
 *
 * Material, as attacks_mm does: the domain's pages past the initial mapping
 * are spare; one becomes a private L1 (the "window") hooked into the boot
 * L2 past the mapping, and is also mapped read-only at window slot 1 so
 * direct stores into it exercise the assist.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define MB(x)        ((unsigned long)(x) << 20)
#define HV_IMAGE_MFN 0x200UL    /* the hypervisor image is loaded at 2 MiB */

enum { WIN_TARGET, WIN_L1_VIEW, WIN_PROBE };

static struct {
	bool on;                        /* l1tf=on: expect refusals */
	unsigned long l2;               /* boot L2 mapping PV_VIRT_BASE */
	unsigned long *l2v;
	unsigned long upper;            /* flags of a boot L2 entry */
	unsigned long next_pfn;         /* next spare pfn */
	unsigned long win;              /* the window's address */
	unsigned int win_idx;           /* its boot-L2 slot */
	unsigned long win_l1;           /* the window's L1 frame */
	volatile unsigned long *l1view; /* the window L1, read-only */
	unsigned long own;              /* a data frame of ours */
} lab;

static unsigned long pte(unsigned long mfn, unsigned long flags)
{
	return (mfn << PV_PAGE_SHIFT) | flags;
}

/* Linux's swap entry for offset o: the address bits inverted. */
static unsigned long inverted(unsigned long o)
{
	return ~(o << PV_PAGE_SHIFT) & 0x7ffffffffffff000UL;
}

static long mmu(unsigned long mfn, unsigned int idx, unsigned long val)
{
	mmu_update_t req = { .ptr = (mfn << PV_PAGE_SHIFT) + idx * 8UL +
				    MMU_NORMAL_PT_UPDATE, .val = val };

	return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("spec_l1tf: setup step \"%s\" failed: %ld\n", step, rc);
}

static unsigned long spare_frame(void)
{
	unsigned long mfn;

	if (lab.next_pfn >= pv_start_info->nr_pages)
		pv_crash("spec_l1tf: out of spare pages\n");
	mfn = pv_pfn_to_mfn(lab.next_pfn++);
	must(mmuext1(MMUEXT_CLEAR_PAGE, mfn), "clear a spare frame");
	return mfn;
}

static unsigned int pt_idx(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static unsigned long *view(unsigned long e)
{
	return pv_pfn_to_virt(pv_mfn_to_pfn((e & PTE_MFN_MASK) >> PV_PAGE_SHIFT));
}

static void setup(const start_info_t *si)
{
	unsigned long *l4v = (unsigned long *)si->pt_base;
	unsigned long *l3v = view(l4v[pt_idx(PV_VIRT_BASE, 4)]);
	unsigned long l2e = l3v[pt_idx(PV_VIRT_BASE, 3)];
	unsigned long end = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;

	lab.l2 = (l2e & PTE_MFN_MASK) >> PV_PAGE_SHIFT;
	lab.l2v = view(l2e);
	lab.upper = lab.l2v[pt_idx(PV_VIRT_BASE, 2)] & 0xfffUL;
	while (pv_pt_lookup(end) & PTE_P)
		end += PV_PAGE_SIZE;
	lab.next_pfn = pv_virt_to_pfn((void *)end);
	lab.win = end + MB(4);
	lab.win_idx = pt_idx(lab.win, 2);
	if (lab.l2v[lab.win_idx] & PTE_P || lab.l2v[lab.win_idx + 1] & PTE_P)
		pv_crash("spec_l1tf: boot L2 slots in use\n");
	lab.win_l1 = spare_frame();
	must(mmuext1(MMUEXT_PIN_L1_TABLE, lab.win_l1), "pin the window L1");
	must(mmu(lab.l2, lab.win_idx, pte(lab.win_l1, lab.upper)), "hook the window");
	must(HYPERVISOR_update_va_mapping(lab.win + WIN_L1_VIEW * PV_PAGE_SIZE,
					  pte(lab.win_l1, PTE_P | PTE_A), UVMF_INVLPG),
	     "map the window L1 read-only");
	lab.l1view = (volatile unsigned long *)(lab.win + WIN_L1_VIEW * PV_PAGE_SIZE);
	lab.own = spare_frame();
	must(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables),
	     "enable the writable page tables assist");
	probe_catch(PV_TRAP_PF);
}

/* An unsafe entry: refused with -EINVAL if the check is on, else accepted. */
static void unsafe(const char *what, long rc)
{
	if (lab.on)
		test_refused(what, rc, -XEN_EINVAL);
	else
		test_expect_rc(what, rc, 0);
}

/* The unsafe not-present values every path is tried with. */
static unsigned long unsafe_values[4];
static const char *const unsafe_names[] = {
	"hypervisor_frame", "own_frame", "below_top_quarter", "rw_dirty_host_addr",
};

static void init_values(void)
{
	unsafe_values[0] = pte(HV_IMAGE_MFN, PTE_RW);
	unsafe_values[1] = pte(lab.own, 0);
	/* 2^39: below the top quarter of a 40-bit (TCG) address space. */
	unsafe_values[2] = 1UL << 39;
	unsafe_values[3] = pte(HV_IMAGE_MFN + 1, PTE_RW | PTE_D | PTE_A | PTE_NX);
}

static const unsigned long safe_values[] = {
	0, PTE_RW, PTE_RW | PTE_D | PTE_NX,
	0x7ffffffffffff000UL,   /* every address bit: "above RAM" */
};

static void name(char *buf, const char *path, const char *what)
{
	pv_snprintf(buf, 80, "%s_%s", path, what);
}

/* mmu_update on the window L1 and on a boot L2 slot. */
static void via_mmu_update(void)
{
	char n[80];

	for (unsigned int i = 0; i < 4; i++) {
		name(n, "mmu_update_l1", unsafe_names[i]);
		unsafe(n, mmu(lab.win_l1, 7, unsafe_values[i]));
		name(n, "mmu_update_l2", unsafe_names[i]);
		unsafe(n, mmu(lab.l2, lab.win_idx + 1, unsafe_values[i]));
	}
	/* PSE in a not-present L2 entry: a speculative 2 MiB page from 0. */
	unsafe("mmu_update_l2_pse_zero_address", mmu(lab.l2, lab.win_idx + 1, PTE_PS));
	for (unsigned int i = 0; i < 4; i++) {
		pv_snprintf(n, sizeof(n), "mmu_update_l1_safe_%u", i);
		test_expect_rc(n, mmu(lab.win_l1, 7, safe_values[i]), 0);
		pv_snprintf(n, sizeof(n), "mmu_update_l2_safe_%u", i);
		test_expect_rc(n, mmu(lab.l2, lab.win_idx + 1, safe_values[i]), 0);
	}
	test_expect_rc("mmu_update_l1_inverted_swap", mmu(lab.win_l1, 7, inverted(lab.own)), 0);
	test_expect_rc("mmu_update_l2_inverted_swap",
		       mmu(lab.l2, lab.win_idx + 1, inverted(1234)), 0);
	/* PAT (bit 7) is only a cache attribute at L1: fine there. */
	test_expect_rc("mmu_update_l1_pat_safe_address",
		       mmu(lab.win_l1, 7, inverted(5) | PTE_PS), 0);
	/* Other bits of a not-present entry are free, as on Xen. */
	test_expect_rc("mmu_update_l1_other_bits_free",
		       mmu(lab.win_l1, 7, PTE_PWT | PTE_PCD | PTE_G | (0x7ffUL << 52)), 0);
	must(mmu(lab.win_l1, 7, 0), "clear L1 entry");
	must(mmu(lab.l2, lab.win_idx + 1, 0), "clear L2 entry");
}

static long uvm(unsigned long val)
{
	return HYPERVISOR_update_va_mapping(lab.win + WIN_PROBE * PV_PAGE_SIZE,
					    val, UVMF_INVLPG);
}

static void via_update_va_mapping(void)
{
	char n[80];

	for (unsigned int i = 0; i < 4; i++) {
		name(n, "update_va_mapping", unsafe_names[i]);
		unsafe(n, uvm(unsafe_values[i]));
	}
	test_expect_rc("update_va_mapping_inverted_swap", uvm(inverted(lab.own)), 0);
	test_expect_rc("update_va_mapping_zero", uvm(0), 0);
	/* A present mapping still works and still goes away. */
	test_expect_rc("update_va_mapping_present", uvm(pte(lab.own, PTE_P | PTE_RW)), 0);
	test_expect_rc("update_va_mapping_unmap", uvm(0), 0);
}

/* A direct store into the window L1 through its read-only view. */
static void store(unsigned int idx, unsigned long v, const char *n, bool want_refused)
{
	unsigned long at = PROBE("movq %%rcx, (%%rax)", &lab.l1view[idx], v, 0);

	if (want_refused)
		expect_fault(n, at, PV_TRAP_PF, ~0UL);
	else
		expect_no_fault(n);
}

static void via_ptwr(void)
{
	char n[80];

	for (unsigned int i = 0; i < 4; i++) {
		name(n, "ptwr_store", unsafe_names[i]);
		store(9, unsafe_values[i], n, lab.on);
	}
	if (lab.on)
		test_expect_eq("ptwr_refused_entry_unchanged", lab.l1view[9], 0);
	store(9, inverted(lab.own), "ptwr_store_inverted_swap", false);
	test_expect_eq("ptwr_inverted_stored", lab.l1view[9], inverted(lab.own));
	/* A 4-byte store of the low half: the result is what is checked. */
	unsigned long at = PROBE("movl %%ecx, (%%rax)", &lab.l1view[9],
				 (uint32_t)pte(lab.own, 0), 0);
	(void)at;
	if (lab.on) {
		/* low half own frame, high half inverted: still far above RAM */
		expect_no_fault("ptwr_movl_low_half_keeps_high_bits_safe");
	} else {
		expect_no_fault("ptwr_movl_low_half");
	}
	store(9, 0, "ptwr_store_zero", false);
	at = PROBE("movl %%ecx, (%%rax)", &lab.l1view[9], (uint32_t)pte(lab.own, 0), 0);
	if (lab.on)
		expect_fault("ptwr_movl_low_half_own_frame", at, PV_TRAP_PF, ~0UL);
	else
		expect_no_fault("ptwr_movl_low_half_own_frame");
	store(9, 0, "ptwr_store_zero_again", false);
}

/* Fill a plain frame's entry idx (a checked write to a non-table frame). */
static unsigned long frame_with(unsigned int idx, unsigned long v)
{
	unsigned long f = spare_frame();

	must(mmu(f, idx, v), "plain write into a spare frame");
	return f;
}

static void via_pin(void)
{
	char n[80];

	for (unsigned int i = 0; i < 4; i++) {
		name(n, "pin_l1_with", unsafe_names[i]);
		unsigned long f = frame_with(100, unsafe_values[i]);
		long rc = mmuext1(MMUEXT_PIN_L1_TABLE, f);
		unsafe(n, rc);
		if (!rc)
			mmuext1(MMUEXT_UNPIN_TABLE, f);
	}
	unsigned long f = frame_with(3, PTE_PS);
	long rc = mmuext1(MMUEXT_PIN_L2_TABLE, f);
	unsafe("pin_l2_with_pse_not_present", rc);
	if (!rc)
		mmuext1(MMUEXT_UNPIN_TABLE, f);
	f = frame_with(4, pte(lab.own, PTE_RW));
	rc = mmuext1(MMUEXT_PIN_L3_TABLE, f);
	unsafe("pin_l3_with_own_frame", rc);
	if (!rc)
		mmuext1(MMUEXT_UNPIN_TABLE, f);
	f = frame_with(5, pte(HV_IMAGE_MFN, 0));
	rc = mmuext1(MMUEXT_PIN_L4_TABLE, f);
	unsafe("pin_l4_with_hypervisor_frame", rc);
	if (!rc)
		mmuext1(MMUEXT_UNPIN_TABLE, f);

	f = frame_with(100, inverted(lab.own));
	must(mmu(f, 101, PTE_RW | PTE_D), "second safe entry");
	test_expect_rc("pin_l1_with_safe_entries", mmuext1(MMUEXT_PIN_L1_TABLE, f), 0);
	test_expect_rc("unpin_l1", mmuext1(MMUEXT_UNPIN_TABLE, f), 0);
	f = frame_with(3, inverted(99));
	test_expect_rc("pin_l2_with_inverted_entry", mmuext1(MMUEXT_PIN_L2_TABLE, f), 0);
	test_expect_rc("unpin_l2", mmuext1(MMUEXT_UNPIN_TABLE, f), 0);
}

void kernel_main(start_info_t *si)
{
	char mode[8] = "";

	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	if (!pv_cmdline_get("l1tf", mode, sizeof(mode)) ||
	    (strcmp(mode, "on") && strcmp(mode, "off")))
		pv_crash("spec_l1tf: say l1tf=on or l1tf=off\n");
	lab.on = !strcmp(mode, "on");
	pv_printf("spec_l1tf: not-present entries, check expected %s\n", mode);
	setup(si);
	init_values();
	via_mmu_update();
	via_update_va_mapping();
	via_ptwr();
	via_pin();
	/* The domain's own mappings still work. */
	*(volatile unsigned long *)pv_pfn_to_virt(0) += 0;
	test_pass("still_running");
	test_finish();
}
