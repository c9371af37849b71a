/*
 * boot_info: checks the start-of-day state the domain builder gives a
 * domain 0 (Xen PV boot protocol, public xen.h "start of day" comment):
 * start_info fields, entry registers, the order of the bootstrap
 * elements, the bootstrap page tables, the hypercall page and the M2P.
 *
 * Command line: expect_pages=<N> marker=lamina-boot-info
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define PAGE PV_PAGE_SIZE

/* Hypervisor-owned L4 slots (0xffff800000000000-0xffff87ffffffffff). */
#define L4_HYPERVISOR_FIRST 256
#define L4_HYPERVISOR_LAST  271

/* Machine frames the p2m distinctness bitmap can track (4 GiB of RAM). */
#define MFN_BITMAP_FRAMES (1UL << 20)

extern char __pv_image_end[];

static unsigned char mfn_seen[MFN_BITMAP_FRAMES / 8];

static bool page_aligned(unsigned long x)
{
	return (x & (PAGE - 1)) == 0;
}

/* First address after the boot stack: pt_base + page tables + one page. */
static unsigned long stack_end(const start_info_t *si)
{
	return si->pt_base + si->nr_pt_frames * PAGE + PAGE;
}

static void check_magic(const start_info_t *si)
{
	test_check(memcmp(si->magic, "xen-3.0-x86_64", 15) == 0, "magic",
		   "start_info.magic is \"%.32s\"", si->magic);
}

/* rsi = start_info, rsp = end of the boot stack, other GPRs zero. */
static void check_entry_registers(const start_info_t *si)
{
	const struct pv_trap_frame *r = &pv_boot_regs;
	unsigned long others = r->rax | r->rbx | r->rcx | r->rdx | r->rdi |
			       r->rbp | r->r8 | r->r9 | r->r10 | r->r11 |
			       r->r12 | r->r13 | r->r14 | r->r15;

	test_expect_eq("entry_rsi_is_start_info", r->rsi, (unsigned long)si);
	test_expect_eq("entry_rsp_is_stack_end", r->rsp, stack_end(si));
	test_check(others == 0, "entry_other_gprs_zero",
		   "OR of the other registers is %#lx", others);
	test_expect_eq("entry_cs", r->cs, FLAT_KERNEL_CS);
	test_expect_eq("entry_ss", r->ss, FLAT_KERNEL_SS);
}

static void check_nr_pages(const start_info_t *si)
{
	unsigned long want;

	if (!pv_cmdline_ulong("expect_pages", &want))
		test_fail("nr_pages", "no expect_pages=N on the command line");
	else
		test_expect_eq("nr_pages", si->nr_pages, want);
}

/* role=domU on the command line: booted as an unprivileged domain. */
static bool as_domU(void)
{
	char role[8];

	return pv_cmdline_get("role", role, sizeof(role)) && strcmp(role, "domU") == 0;
}

static void check_flags(const start_info_t *si)
{
	unsigned int want = SIF_PRIVILEGED | SIF_INITDOMAIN;

	if (as_domU()) {
		test_check((si->flags & want) == 0, "flags_domU",
			   "flags %#x has SIF_PRIVILEGED or SIF_INITDOMAIN", si->flags);
		return;
	}
	test_check((si->flags & want) == want, "flags_dom0",
		   "flags %#x lack SIF_PRIVILEGED|SIF_INITDOMAIN", si->flags);
}

/*
 * The rings: a domU's xenstore and console pages follow start_info in
 * that order (libxenguest's layout), each with its own event channel; the
 * initial domain has neither (its console fields describe a VGA console,
 * none here).
 */
static void check_rings(const start_info_t *si)
{
	unsigned long si_pfn = pv_virt_to_pfn(si);

	if (!as_domU()) {
		test_expect_eq("dom0_no_store_mfn", si->store_mfn, 0);
		test_expect_eq("dom0_no_store_evtchn", si->store_evtchn, 0);
		test_expect_eq("dom0_no_vga_console",
			       si->console.dom0.info_off | si->console.dom0.info_size, 0);
		return;
	}
	unsigned long store_pfn = pv_mfn_to_pfn(si->store_mfn);
	unsigned long cons_pfn = pv_mfn_to_pfn(si->console.domU.mfn);
	test_expect_eq("domU_store_page_after_start_info", store_pfn, si_pfn + 1);
	test_expect_eq("domU_console_page_after_store", cons_pfn, si_pfn + 2);
	test_check(si->store_evtchn && si->console.domU.evtchn &&
		   si->store_evtchn != si->console.domU.evtchn,
		   "domU_ring_event_channels", "store %u console %u",
		   si->store_evtchn, si->console.domU.evtchn);
	const unsigned char *store = pv_pfn_to_virt(store_pfn);
	bool zero = true;
	for (int i = 0; i < 4096; i++)
		zero &= store[i] == 0;
	test_check(zero, "domU_store_ring_empty", "xenstore page not zeroed");
	test_check(cons_pfn * PAGE + PV_VIRT_BASE < si->pt_base,
		   "domU_rings_before_page_tables", "console pfn %lx pt_base %lx",
		   cons_pfn, si->pt_base);
}

static void check_cmdline(const start_info_t *si)
{
	char marker[32];
	bool terminated = strnlen((const char *)si->cmd_line,
				  MAX_GUEST_CMDLINE) < MAX_GUEST_CMDLINE;

	test_check(terminated && pv_cmdline_get("marker", marker,
						sizeof(marker)) &&
		   strcmp(marker, "lamina-boot-info") == 0,
		   "cmd_line", "cmd_line is \"%.80s\"", pv_cmdline());
}

/*
 * xen.h start of day: kernel, [module], p2m, start_info, page tables,
 * stack, each page aligned and in that order.
 */
static void check_layout(const start_info_t *si)
{
	unsigned long kend = (unsigned long)__pv_image_end;
	unsigned long p2m_end = si->mfn_list + si->nr_pages * sizeof(long);
	unsigned long si_va = (unsigned long)si;
	bool aligned = page_aligned(si->mfn_list) && page_aligned(si_va) &&
		       page_aligned(si->pt_base);

	test_check(aligned, "layout_aligned",
		   "mfn_list %lx start_info %lx pt_base %lx", si->mfn_list,
		   si_va, si->pt_base);
	unsigned long rings = as_domU() ? 2 * PAGE : 0;
	unsigned long sep = 0;
	bool separate = pv_cmdline_ulong("init_p2m", &sep) && sep;
	test_check((separate || (kend <= si->mfn_list && p2m_end <= si_va)) &&
		   si_va + PAGE + rings <= si->pt_base, "layout_order",
		   "kernel end %lx, p2m %lx-%lx, start_info %lx, pt_base %lx",
		   kend, si->mfn_list, p2m_end, si_va, si->pt_base);
	if (si->mod_len)
		test_check(kend <= si->mod_start &&
			   si->mod_start + si->mod_len <= si->mfn_list,
			   "layout_module", "module %lx+%lx", si->mod_start,
			   si->mod_len);
	else
		test_expect_eq("layout_no_module", si->mod_start, 0);
	test_check(si->nr_pt_frames > 0 && si->nr_pt_frames < 64,
		   "nr_pt_frames", "nr_pt_frames %lu", si->nr_pt_frames);
	unsigned long init_p2m = 0;
	if (pv_cmdline_ulong("init_p2m", &init_p2m) && init_p2m) {
		/* INIT_P2M: the p2m at that address, in frames after the
		 * initial mapping that start_info names. */
		test_expect_eq("init_p2m_address", si->mfn_list, init_p2m);
		test_check(si->nr_p2m_frames > 0 && si->first_p2m_pfn > 0,
			   "init_p2m_frames", "first %lx nr %lx",
			   si->first_p2m_pfn, si->nr_p2m_frames);
	} else {
		/* No INIT_P2M note: no separately mapped p2m (Xen still fills
		 * first_p2m_pfn with the first pfn after the initial mapping). */
		test_expect_eq("no_separate_p2m", si->nr_p2m_frames, 0);
	}
	test_check(si->shared_info && page_aligned(si->shared_info),
		   "shared_info_maddr", "shared_info %lx", si->shared_info);
}

/* Every pfn has its own machine frame. */
static void check_p2m_distinct(const start_info_t *si)
{
	const unsigned long *p2m = (const unsigned long *)si->mfn_list;
	unsigned long i, mfn;

	for (i = 0; i < si->nr_pages; i++) {
		mfn = p2m[i];
		if (mfn >= MFN_BITMAP_FRAMES) {
			test_fail("p2m_distinct", "mfn %lx of pfn %lx beyond "
				  "the test's bitmap", mfn, i);
			return;
		}
		if (mfn_seen[mfn / 8] & (1u << (mfn % 8))) {
			test_fail("p2m_distinct", "mfn %lx appears twice "
				  "(again at pfn %lx)", mfn, i);
			return;
		}
		mfn_seen[mfn / 8] |= (unsigned char)(1u << (mfn % 8));
	}
	test_pass("p2m_distinct");
}

/* The read-only M2P maps every mfn of ours back to its pfn. */
static void check_m2p(const start_info_t *si)
{
	const unsigned long *p2m = (const unsigned long *)si->mfn_list;
	unsigned long i;

	for (i = 0; i < si->nr_pages; i++) {
		if (pv_mfn_to_pfn(p2m[i]) != i) {
			test_fail("m2p_inverse_of_p2m", "M2P[%lx] = %lx, want "
				  "%lx", p2m[i], pv_mfn_to_pfn(p2m[i]), i);
			return;
		}
	}
	test_pass("m2p_inverse_of_p2m");
}

/* Guest L4 slots point into the bootstrap page-table frames; 256 is present. */
static void check_l4(const start_info_t *si)
{
	const unsigned long *l4 = (const unsigned long *)si->pt_base;
	unsigned long first = pv_virt_to_pfn((void *)si->pt_base);
	unsigned long slot, pfn;

	test_check(l4[L4_HYPERVISOR_FIRST] & PTE_P, "l4_hypervisor_slot",
		   "L4[256] (M2P) is %lx", l4[L4_HYPERVISOR_FIRST]);
	test_check(l4[511] & PTE_P, "l4_kernel_slot",
		   "L4[511] (the kernel) is %lx", l4[511]);
	for (slot = 0; slot < 512; slot++) {
		if (slot >= L4_HYPERVISOR_FIRST && slot <= L4_HYPERVISOR_LAST)
			continue;
		if (!(l4[slot] & PTE_P))
			continue;
		pfn = pv_mfn_to_pfn(PTE_MFN(l4[slot]));
		/* With INIT_P2M, the p2m's own tables follow the p2m frames. */
		bool p2m_table = si->nr_p2m_frames && pfn >= si->first_p2m_pfn &&
				 pfn < si->first_p2m_pfn + si->nr_p2m_frames;
		if (((pfn < first || pfn >= first + si->nr_pt_frames) && !p2m_table) ||
		    (!p2m_table && pv_pfn_to_mfn(pfn) != PTE_MFN(l4[slot]))) {
			test_fail("l4_guest_slots", "L4[%lu] = %lx is not one "
				  "of the bootstrap page tables", slot, l4[slot]);
			return;
		}
	}
	test_pass("l4_guest_slots");
}

/*
 * Every page from the image base to the end of the boot stack is mapped to
 * the frame the p2m names; page tables read-only, everything else writable.
 */
static void check_initial_mapping(const start_info_t *si)
{
	unsigned long pt_end = si->pt_base + si->nr_pt_frames * PAGE;
	unsigned long va, pte, pfn;
	bool is_pt;

	for (va = PV_VIRT_BASE; va < stack_end(si); va += PAGE) {
		pte = pv_pt_lookup(va);
		pfn = pv_virt_to_pfn((void *)va);
		is_pt = va >= si->pt_base && va < pt_end;
		if (!(pte & PTE_P) || PTE_MFN(pte) != pv_pfn_to_mfn(pfn)) {
			test_fail("initial_mapping", "va %lx: pte %lx, p2m "
				  "says mfn %lx", va, pte, pv_pfn_to_mfn(pfn));
			return;
		}
		if (is_pt == !!(pte & PTE_RW)) {
			test_fail("initial_mapping", "va %lx: pte %lx should "
				  "be %s", va, pte, is_pt ? "read-only" :
				  "writable");
			return;
		}
	}
	test_pass("initial_mapping");
}

/* Entry i: push rcx; push r11; mov $i,%eax; syscall; pop r11; pop rcx; ret. */
static bool hypercall_entry_ok(unsigned int i)
{
	const unsigned char *p = (const unsigned char *)hypercall_page + i * 32;
	const unsigned char head[] = { 0x51, 0x41, 0x53, 0xb8 };
	const unsigned char tail[] = { 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
	unsigned int nr = p[4] | p[5] << 8 | p[6] << 16 | (unsigned int)p[7] << 24;

	return memcmp(p, head, 4) == 0 && nr == i && memcmp(p + 8, tail, 6) == 0;
}

static void check_hypercall_page(void)
{
	const unsigned char iret[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, 0x17,
				       0x00, 0x00, 0x00, 0x0f, 0x05 };
	unsigned int i;

	test_check(hypercall_entry_ok(0), "hypercall_page_entry0",
		   "entry 0 starts %02x %02x %02x %02x",
		   (unsigned char)hypercall_page[0],
		   (unsigned char)hypercall_page[1],
		   (unsigned char)hypercall_page[2],
		   (unsigned char)hypercall_page[3]);
	test_check(memcmp(hypercall_page + __HYPERVISOR_iret * 32, iret,
			  sizeof(iret)) == 0, "hypercall_page_iret",
		   "entry 23 is not push rcx/r11/rax; mov $23; syscall");
	for (i = 0; i < PV_HYPERCALL_PAGE_ENTRIES; i++) {
		if (i != __HYPERVISOR_iret && !hypercall_entry_ok(i)) {
			test_fail("hypercall_page_all", "entry %u is wrong", i);
			return;
		}
	}
	test_pass("hypercall_page_all");
}

void kernel_main(start_info_t *si)
{
	pv_printf("boot_info: checking the start-of-day state\n");
	check_magic(si);
	check_entry_registers(si);
	check_nr_pages(si);
	check_flags(si);
	check_rings(si);
	check_cmdline(si);
	check_layout(si);
	check_hypercall_page();
	check_p2m_distinct(si);
	check_m2p(si);
	check_l4(si);
	check_initial_mapping(si);
	test_finish();
}
