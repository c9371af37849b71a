/*
 * attacks_desc: the descriptor-table and multicall part of the attack suite
 * Domain 0 installs GDTs and LDTs with set_gdt, update_descriptor
 * and MMUEXT_SET_LDT, uses their selectors, and tries to slip call gates,
 * system descriptors, ring-0 code and writable descriptor frames past the
 * hypervisor (rules: hypervisor/arch/x86/pv/descriptor.c). It then checks
 * multicall's per-entry results and refusals (pv/multicall.c).
 *
 * Material: page-aligned pages of this image's .bss. A page becomes a
 * descriptor frame after its only mapping (the initial mapping) is made
 * read-only with update_va_mapping; while it is in use it cannot be made
 * writable again.
 *
 * Differences from Xen 4.17 noted beside the checks: Xen accepts checked
 * call gates (Lamina refuses every system descriptor but type 0), and Xen
 * validates LDT pages lazily on first use, so its SET_LDT does not refuse
 * a writable page or a call gate at the time of the call.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include <pv/version.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define HYPERVISOR_POINTER 0xFFFF830000000000UL
#define HV_RESERVED_MFN    1UL
#define BEYOND_RAM_MFN     0xfffffffUL
#define DESCS_PER_PAGE     512
#define MAX_GDT_ENTRIES    (14 * DESCS_PER_PAGE)

/* Descriptors (flat 4 GiB where a limit applies). */
#define CODE64_DPL3  0x00affa000000ffffUL  /* P, DPL 3, code exec/read, L */
#define CODE64_DPL0  0x00af9a000000ffffUL
#define DATA_DPL3    0x00cff2000000ffffUL  /* P, DPL 3, data read/write */
#define DATA_DPL0    0x00cf92000000ffffUL
#define CALL_GATE    (0x0000ec0000000000UL | (0xe033UL << 16) | 0x1000UL)
#define TSS64_DESC   0x0000e90000000067UL  /* P, DPL 3, type 9 */
#define LDT_DESC     0x0000e20000000fffUL  /* P, DPL 3, type 2 */
#define DESC_DPL(d)  (((d) >> 45) & 3)
#define DESC_ACCESSED (1UL << 40)          /* set by the CPU on a load */

/* GDT slots the suite uses, and their RPL-3 selectors. */
enum { CODE_IDX = 4, DATA_IDX = 5, CODE0_IDX = 6, BAD_IDX = 8, UPD_IDX = 9,
       UPD0_IDX = 10, MC_IDX = 16 };
#define SEL(idx)     (((idx) << 3) | 3)
#define LDT_SEL0     0x7                   /* LDT index 0, TI, RPL 3 */
#define LDT_SEL1     0xf

typedef uint64_t desc_page_t[DESCS_PER_PAGE];

/* Pages that become descriptor frames, and two plain data pages. */
static desc_page_t gdt_a __attribute__((aligned(4096)));
static desc_page_t gdt_b __attribute__((aligned(4096)));
static desc_page_t bad_page __attribute__((aligned(4096)));
static desc_page_t ldt_page __attribute__((aligned(4096)));
static desc_page_t ldt_rw_page __attribute__((aligned(4096)));
static desc_page_t data_page __attribute__((aligned(4096)));
static char kstack[4096] __attribute__((aligned(16)));

/* ---- reporting ---------------------------------------------------------- */

/* A Xen errno as text. */


/* A setup step that must work, or the suite cannot go on. */
static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("attacks_desc: setup step \"%s\" failed: %ld\n", step, rc);
}

/* ---- hypercalls and mappings -------------------------------------------- */

/* HYPERVISOR_set_gdt(frame_list, entries) (no libpv wrapper). */
static long set_gdt(const unsigned long *frames, unsigned long entries)
{
	return PV_HYPERCALL(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0);
}

/* HYPERVISOR_update_descriptor(machine address, descriptor). */
static long update_descriptor(unsigned long maddr, uint64_t desc)
{
	return PV_HYPERCALL(__HYPERVISOR_update_descriptor, maddr, desc, 0, 0, 0);
}

/* MMUEXT_SET_LDT: ents descriptors at kernel address base. */
static long set_ldt(unsigned long base, unsigned long ents)
{
	mmuext_op_t op;

	memset(&op, 0, sizeof(op));
	op.cmd = MMUEXT_SET_LDT;
	op.arg1.linear_addr = base;
	op.arg2.nr_ents = (unsigned int)ents;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* The machine frame of a page of the initial mapping. */
static unsigned long page_mfn(const void *page)
{
	return pv_pfn_to_mfn(pv_virt_to_pfn(page));
}

/* Machine address of descriptor idx of page. */
static unsigned long desc_maddr(const void *page, unsigned int idx)
{
	return (page_mfn(page) << PV_PAGE_SHIFT) + idx * 8UL;
}

/* Map page (in the initial mapping) read-only or writable. */
static long map_page(const void *page, bool writable)
{
	unsigned long va = (unsigned long)page;
	unsigned long pte = pv_pt_lookup(va) & ~PTE_RW;

	return HYPERVISOR_update_va_mapping(va, pte | (writable ? PTE_RW : 0),
					    UVMF_INVLPG);
}

/* Clear page, put desc at idx, and leave it mapped read-only. */
static void prepare_page(desc_page_t *page, unsigned int idx, uint64_t desc)
{
	must(map_page(page, true), "map a descriptor page writable");
	memset(page, 0, sizeof(*page));
	(*page)[idx] = desc;
	must(map_page(page, false), "map a descriptor page read-only");
}

/* A GDT page with the suite's code and data descriptors, read-only. */
static void prepare_gdt(desc_page_t *page)
{
	must(map_page(page, true), "map a GDT page writable");
	memset(page, 0, sizeof(*page));
	(*page)[CODE_IDX] = CODE64_DPL3;
	(*page)[DATA_IDX] = DATA_DPL3;
	(*page)[CODE0_IDX] = CODE64_DPL0;
	must(map_page(page, false), "map a GDT page read-only");
}

/* Install one page as the whole GDT. */
static long use_gdt(const desc_page_t *page, unsigned long entries)
{
	unsigned long mfn = page_mfn(page);

	return set_gdt(&mfn, entries);
}

/* ---- segment probes ----------------------------------------------------- */

/* Put the null selector back into ds, es and fs. */
static void reset_segments(void)
{
	asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs" : : "r"(0));
}

/* Load sel into ds (es or fs with which 'e' / 'f'); value read back or ~0. */
static unsigned long load_seg(char which, unsigned long sel)
{
	unsigned long got = 0;

	if (which == 'e')
		PROBE("mov %%ax, %%es", sel, 0, 0);
	else if (which == 'f')
		PROBE("mov %%ax, %%fs", sel, 0, 0);
	else
		PROBE("mov %%ax, %%ds", sel, 0, 0);
	if (probe_seen.hits)
		return ~0UL;
	if (which == 'e')
		asm volatile("mov %%es, %0" : "=r"(got));
	else if (which == 'f')
		asm volatile("mov %%fs, %0" : "=r"(got));
	else
		asm volatile("mov %%ds, %0" : "=r"(got));
	return got & 0xffff;
}

/* PASS if sel loads into the register and reads back, then reset it. */
static void expect_loads(const char *name, char which, unsigned long sel)
{
	unsigned long got = load_seg(which, sel);

	if (got == ~0UL)
		test_fail(name, "loading %#lx raised %s (error %#lx)", sel,
			  pv_trap_name(probe_seen.vector), probe_seen.error_code);
	else
		test_expect_eq(name, got, sel);
	probe_resume = 0;
	reset_segments();
}

/* PASS if loading sel raises #GP with error code ec. */
static void expect_load_gp(const char *name, char which, unsigned long sel,
			   unsigned long ec)
{
	unsigned long got = load_seg(which, sel);

	if (got != ~0UL)
		test_fail(name, "selector %#lx loaded", sel);
	else
		test_check(probe_seen.vector == PV_TRAP_GP &&
			   probe_seen.error_code == ec, name,
			   "%s error %#lx, want #GP error %#lx",
			   pv_trap_name(probe_seen.vector),
			   probe_seen.error_code, ec);
	probe_resume = 0;
	reset_segments();
}

/*
 * lretq to sel:label, read cs there, then lretq back to the flat kernel
 * selector. Returns the cs seen, or ~0 if the first lretq faulted (the
 * fault is in probe_seen, *at is the lretq's address).
 */
static unsigned long far_return_to(unsigned long sel, unsigned long *at)
{
	unsigned long cs = ~0UL;

	probe_reset();
	asm volatile("lea 1f(%%rip), %[at]\n\t"
		     "movq $2f, %[resume]\n\t"
		     "mov %%rsp, %%rbx\n\t"
		     "lea 3f(%%rip), %%rax\n\t"
		     "push %[sel]\n\t"
		     "push %%rax\n"
		     "1:\tlretq\n"
		     "3:\tmov %%cs, %[cs]\n\t"
		     "lea 2f(%%rip), %%rax\n\t"
		     "pushq $0xe033\n\t"
		     "push %%rax\n\t"
		     "lretq\n"
		     "2:\tmov %%rbx, %%rsp"
		     : [cs] "+r"(cs), [at] "=&r"(*at), [resume] "=m"(probe_resume)
		     : [sel] "r"(sel)
		     : "rax", "rbx", "memory");
	probe_resume = 0;
	return probe_seen.hits ? ~0UL : (cs & 0xffff);
}

/* A native iretq from CPL 3 to CPL 3 on the flat selectors. */
static bool native_iretq_works(void)
{
	unsigned long done = 0;

	probe_reset();
	asm volatile("movq $2f, %[resume]\n\t"
		     "mov %%rsp, %%rbx\n\t"
		     "pushq $0xe02b\n\t"
		     "push %%rbx\n\t"
		     "pushfq\n\t"
		     "pushq $0xe033\n\t"
		     "lea 3f(%%rip), %%rax\n\t"
		     "push %%rax\n\t"
		     "iretq\n"
		     "3:\tmov $1, %[done]\n"
		     "2:\tmov %%rbx, %%rsp"
		     : [done] "+r"(done), [resume] "=m"(probe_resume)
		     :
		     : "rax", "rbx", "memory", "cc");
	probe_resume = 0;
	return done == 1 && !probe_seen.hits;
}

/* ---- set_gdt ------------------------------------------------------------ */

/* A valid GDT: its selectors work, and so do the flat ones. */
static void gdt_positive(void)
{
	unsigned long at, cs;

	prepare_gdt(&gdt_a);
	test_expect_rc("set_gdt_valid_frame", use_gdt(&gdt_a, 512), 0);
	expect_loads("gdt_data_selector_into_ds", 'd', SEL(DATA_IDX));
	expect_loads("gdt_data_selector_into_es", 'e', SEL(DATA_IDX));
	test_check(native_iretq_works(), "native_iretq_flat_after_set_gdt",
		   "iretq to e033:/e02b faulted (%s)",
		   pv_trap_name(probe_seen.vector));
	cs = far_return_to(FLAT_KERNEL_CS, &at);
	test_check(cs == FLAT_KERNEL_CS, "lret_flat_selector_after_set_gdt",
		   "cs %#lx (%s)", cs, pv_trap_name(probe_seen.vector));
	cs = far_return_to(SEL(CODE_IDX), &at);
	test_check(cs == SEL(CODE_IDX), "lret_to_gdt_code_selector",
		   "cs %#lx (%s error %#lx)", cs, pv_trap_name(probe_seen.vector),
		   probe_seen.error_code);
}

/* DPL-0 code: accepted but raised to DPL 3, and it runs at CPL 3. */
static void gdt_dpl0_code(void)
{
	unsigned long at, cs;

	test_check(DESC_DPL(gdt_a[CODE0_IDX]) == 3, "gdt_dpl0_code_raised_to_dpl3",
		   "descriptor reads %#lx", gdt_a[CODE0_IDX]);
	test_check(DESC_DPL(gdt_a[CODE_IDX]) == 3 &&
		   (gdt_a[DATA_IDX] & ~DESC_ACCESSED) == DATA_DPL3,
		   "gdt_valid_descriptors_unchanged", "code %#lx data %#lx",
		   gdt_a[CODE_IDX], gdt_a[DATA_IDX]);
	cs = far_return_to(SEL(CODE0_IDX), &at);
	test_check(cs == SEL(CODE0_IDX) && (cs & 3) == 3,
		   "gdt_dpl0_code_selector_runs_at_cpl3", "cs %#lx (%s error %#lx)",
		   cs, pv_trap_name(probe_seen.vector), probe_seen.error_code);
	/* A return to RPL 0 would raise the privilege level: #GP(selector). */
	cs = far_return_to(SEL(CODE0_IDX) & ~3UL, &at);
	expect_fault("lret_to_rpl0_selector_refused", at, PV_TRAP_GP,
		     SEL(CODE0_IDX) & ~3UL);
}

/* A frame with one bad descriptor is refused and left without a type. */
static void gdt_bad_descriptor(const char *attack, uint64_t desc)
{
	char name[96];

	prepare_page(&bad_page, BAD_IDX, desc);
	test_refused(attack, use_gdt(&bad_page, 512), -XEN_EINVAL);
	pv_snprintf(name, sizeof(name), "%s_frame_writable_again", attack);
	test_expect_rc(name, map_page(&bad_page, true), 0);
}

/* Frames, counts and pointers set_gdt must refuse. */
static void gdt_refusals(void)
{
	unsigned long list[2];

	gdt_bad_descriptor("set_gdt_call_gate", CALL_GATE);
	gdt_bad_descriptor("set_gdt_tss_descriptor", TSS64_DESC);
	gdt_bad_descriptor("set_gdt_ldt_descriptor", LDT_DESC);
	/* The call gate in the last slot, in a multi-page GDT's second page. */
	prepare_gdt(&gdt_b);
	prepare_page(&bad_page, 511, CALL_GATE);
	list[0] = page_mfn(&gdt_b);
	list[1] = page_mfn(&bad_page);
	test_refused("set_gdt_call_gate_in_second_frame", set_gdt(list, 1024),
		-XEN_EINVAL);
	test_expect_rc("set_gdt_refused_list_releases_first_frame",
		       map_page(&gdt_b, true), 0);
	test_refused("set_gdt_frame_mapped_writable", use_gdt(&gdt_b, 512), -XEN_EINVAL);
	list[0] = HV_RESERVED_MFN;
	test_refused("set_gdt_hypervisor_frame_mfn_1", set_gdt(list, 512), -XEN_EINVAL);
	list[0] = BEYOND_RAM_MFN;
	test_refused("set_gdt_frame_beyond_ram", set_gdt(list, 512), -XEN_EINVAL);
	list[0] = page_mfn(&gdt_a);
	test_refused("set_gdt_7169_entries", set_gdt(list, MAX_GDT_ENTRIES + 1),
		-XEN_EINVAL);
	test_refused("set_gdt_huge_entries", set_gdt(list, 1UL << 40), -XEN_EINVAL);
	test_refused("set_gdt_null_list", set_gdt(NULL, 512), -XEN_EFAULT);
	test_refused("set_gdt_hypervisor_list",
		set_gdt((unsigned long *)HYPERVISOR_POINTER, 512), -XEN_EFAULT);
	/* Every refusal left the installed GDT alone. */
	expect_loads("gdt_intact_after_refused_set_gdt", 'd', SEL(DATA_IDX));
}

/* The GDT in use cannot be written; once replaced it is free again. */
static void gdt_in_use(void)
{
	mmu_update_t req = { .ptr = desc_maddr(&gdt_a, BAD_IDX), .val = CALL_GATE };
	mmuext_op_t clear = { .cmd = MMUEXT_CLEAR_PAGE };
	unsigned long before = gdt_a[BAD_IDX];

	test_refused("map_gdt_frame_writable", map_page(&gdt_a, true), -XEN_EBUSY);
	test_refused("mmu_update_write_into_gdt_frame",
		HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF), -XEN_EBUSY);
	clear.arg1.mfn = page_mfn(&gdt_a);
	test_refused("clear_page_of_gdt_frame",
		HYPERVISOR_mmuext_op(&clear, 1, NULL, DOMID_SELF), -XEN_EBUSY);
	test_check(gdt_a[BAD_IDX] == before &&
		   (gdt_a[CODE_IDX] & ~DESC_ACCESSED) == CODE64_DPL3,
		   "gdt_frame_unchanged", "slot %u reads %#lx", BAD_IDX,
		   gdt_a[BAD_IDX]);
	prepare_gdt(&gdt_b);
	test_expect_rc("set_gdt_second_frame", use_gdt(&gdt_b, 512), 0);
	expect_loads("second_gdt_data_selector", 'd', SEL(DATA_IDX));
	test_expect_rc("old_gdt_frame_writable_again", map_page(&gdt_a, true), 0);
	/* Reused after a change: checked again, not trusted from before. */
	gdt_a[BAD_IDX] = CALL_GATE;
	must(map_page(&gdt_a, false), "map the old GDT read-only");
	test_refused("set_gdt_reused_frame_with_new_call_gate", use_gdt(&gdt_a, 512),
		-XEN_EINVAL);
}

/* ---- update_descriptor -------------------------------------------------- */

/* update_descriptor on the GDT in use, on other frames, with bad input. */
static void descriptor_updates(void)
{
	unsigned long l4_mfn = pv_pfn_to_mfn(pv_virt_to_pfn(
		(void *)pv_start_info->pt_base));

	/* gdt_b is the GDT in use. */
	test_expect_rc("update_descriptor_gdt_data",
		       update_descriptor(desc_maddr(&gdt_b, UPD_IDX), DATA_DPL3), 0);
	expect_loads("updated_gdt_selector_loads", 'd', SEL(UPD_IDX));
	test_expect_rc("update_descriptor_gdt_dpl0_data",
		       update_descriptor(desc_maddr(&gdt_b, UPD0_IDX), DATA_DPL0), 0);
	test_check(DESC_DPL(gdt_b[UPD0_IDX]) == 3, "updated_dpl0_data_raised_to_dpl3",
		   "descriptor reads %#lx", gdt_b[UPD0_IDX]);
	test_refused("update_descriptor_call_gate",
		update_descriptor(desc_maddr(&gdt_b, BAD_IDX), CALL_GATE), -XEN_EINVAL);
	test_refused("update_descriptor_tss",
		update_descriptor(desc_maddr(&gdt_b, BAD_IDX), TSS64_DESC), -XEN_EINVAL);
	test_refused("update_descriptor_unaligned",
		update_descriptor(desc_maddr(&gdt_b, BAD_IDX) + 4, DATA_DPL3),
		-XEN_EINVAL);
	test_refused("update_descriptor_hypervisor_frame",
		update_descriptor(HV_RESERVED_MFN << PV_PAGE_SHIFT, DATA_DPL3),
		-XEN_EINVAL);
	test_refused("update_descriptor_beyond_ram",
		update_descriptor(BEYOND_RAM_MFN << PV_PAGE_SHIFT, DATA_DPL3),
		-XEN_EINVAL);
	test_refused("update_descriptor_into_own_l4",
		update_descriptor((l4_mfn << PV_PAGE_SHIFT) + 300 * 8, DATA_DPL3),
		-XEN_EINVAL);
	test_check(gdt_b[BAD_IDX] == 0, "gdt_slot_untouched_by_refused_updates",
		   "slot reads %#lx", gdt_b[BAD_IDX]);
	test_check(update_descriptor(desc_maddr(&data_page, 3), DATA_DPL3) == 0 &&
		   data_page[3] == DATA_DPL3, "update_descriptor_plain_data_frame",
		   "not written (reads %#lx)", data_page[3]);
}

/* ---- SET_LDT ------------------------------------------------------------ */

/* An LDT installed, used, protected, refused when unsafe, cleared. */
static void ldt_checks(void)
{
	unsigned long base = (unsigned long)&ldt_page;

	prepare_page(&ldt_page, 0, DATA_DPL3);
	test_expect_rc("set_ldt_one_entry", set_ldt(base, 1), 0);
	expect_loads("ldt_selector_7_into_fs", 'f', LDT_SEL0);
	expect_load_gp("ldt_selector_past_limit", 'f', LDT_SEL1, LDT_SEL1 & ~3UL);
	test_refused("map_ldt_frame_writable", map_page(&ldt_page, true), -XEN_EBUSY);
	/* Xen checks LDT pages on first use; Lamina at SET_LDT. */
	memset(&ldt_rw_page, 0, sizeof(ldt_rw_page));
	test_refused("set_ldt_writable_page", set_ldt((unsigned long)&ldt_rw_page, 1),
		-XEN_EINVAL);
	prepare_page(&bad_page, 1, CALL_GATE);
	test_refused("set_ldt_with_call_gate", set_ldt((unsigned long)&bad_page, 2),
		-XEN_EINVAL);
	expect_loads("ldt_intact_after_refused_set_ldt", 'f', LDT_SEL0);
	test_expect_rc("set_ldt_clear", set_ldt(0, 0), 0);
	expect_load_gp("ldt_selector_after_clear", 'f', LDT_SEL0, LDT_SEL0 & ~3UL);
	test_expect_rc("ldt_frame_writable_after_clear", map_page(&ldt_page, true), 0);
	must(map_page(&bad_page, true), "map the bad page writable");
}

/* ---- multicall ---------------------------------------------------------- */

/* Fill a multicall entry. */
static void mc_set(multicall_entry_t *e, unsigned long op, unsigned long a0,
		   unsigned long a1, unsigned long a2, unsigned long a3)
{
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->result = 0xdeadUL;
	e->args[0] = a0;
	e->args[1] = a1;
	e->args[2] = a2;
	e->args[3] = a3;
}

/* An entry's result as a signed value. */
static long res(const multicall_entry_t *e)
{
	return (long)e->result;
}

/* Three ordinary calls in one batch, each with its own result. */
static void multicall_valid(void)
{
	static multicall_entry_t mc[3];
	static char buf[4];
	long version = HYPERVISOR_xen_version(XENVER_version, NULL);
	long rc;

	mc_set(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	mc_set(&mc[1], __HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
	       (unsigned long)kstack + sizeof(kstack), 0, 0);
	mc_set(&mc[2], __HYPERVISOR_console_io, CONSOLEIO_write, 0,
	       (unsigned long)buf, 0);
	rc = HYPERVISOR_multicall(mc, 3);
	test_check(rc == 0 && res(&mc[0]) == version && res(&mc[1]) == 0 &&
		   res(&mc[2]) == 0, "multicall_three_valid_calls",
		   "rc %ld results %#lx %ld %ld (version %#lx)", rc, res(&mc[0]),
		   res(&mc[1]), res(&mc[2]), version);
}

/*
 * Entries refused one by one (iret, nested multicall, unknown op) while
 * the rest run; errors of inner calls in their results; bad lists.
 */
static void multicall_refusals(void)
{
	static multicall_entry_t mc[5];
	static mmu_update_t bad_cmd = { .ptr = 5, .val = 0 };
	long version = HYPERVISOR_xen_version(XENVER_version, NULL);
	long rc;

	mc_set(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	mc_set(&mc[1], __HYPERVISOR_iret, 0, 0, 0, 0);
	mc_set(&mc[2], __HYPERVISOR_multicall, (unsigned long)mc, 1, 0, 0);
	mc_set(&mc[3], 99, 0, 0, 0, 0);
	mc_set(&mc[4], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	rc = HYPERVISOR_multicall(mc, 5);
	test_expect_rc("multicall_returns_0_with_refused_entries", rc, 0);
	test_expect_rc("multicall_entry_iret", res(&mc[1]), -XEN_EINVAL);
	test_expect_rc("multicall_entry_nested_multicall", res(&mc[2]), -XEN_EINVAL);
	test_expect_rc("multicall_entry_unknown_op", res(&mc[3]), -XEN_ENOSYS);
	test_check(res(&mc[0]) == version && res(&mc[4]) == version,
		   "multicall_entries_around_refusals_run", "results %#lx %#lx",
		   res(&mc[0]), res(&mc[4]));
	bad_cmd.ptr = desc_maddr(&data_page, 0) + 5;
	mc_set(&mc[0], __HYPERVISOR_mmu_update, 0, 1, 0, DOMID_SELF);
	mc_set(&mc[1], __HYPERVISOR_mmu_update, (unsigned long)&bad_cmd, 1, 0,
	       DOMID_SELF);
	mc_set(&mc[2], __HYPERVISOR_mmuext_op, HYPERVISOR_POINTER, 1, 0, DOMID_SELF);
	rc = HYPERVISOR_multicall(mc, 3);
	test_check(rc == 0 && res(&mc[0]) == -XEN_EFAULT &&
		   res(&mc[1]) == -XEN_ENOSYS && res(&mc[2]) == -XEN_EFAULT,
		   "multicall_mmu_update_errors_in_results",
		   "rc %ld results %ld %ld %ld", rc, res(&mc[0]), res(&mc[1]),
		   res(&mc[2]));
	test_refused("multicall_null_list", HYPERVISOR_multicall(NULL, 1), -XEN_EFAULT);
	test_refused("multicall_hypervisor_list",
		HYPERVISOR_multicall((multicall_entry_t *)HYPERVISOR_POINTER, 1),
		-XEN_EFAULT);
}

/*
 * A multicall list inside the GDT frame in use (read-only to the guest):
 * the call runs, but its result cannot be written back there.
 */
static void multicall_into_gdt(void)
{
	multicall_entry_t *e = (multicall_entry_t *)&gdt_a[MC_IDX];
	long rc;

	must(map_page(&gdt_a, true), "map the old GDT writable");
	prepare_gdt(&gdt_a);
	must(map_page(&gdt_a, true), "map the GDT writable");
	mc_set(e, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	e->result = 0;
	must(map_page(&gdt_a, false), "map the GDT read-only");
	must(use_gdt(&gdt_a, 512), "install the GDT holding a multicall");
	rc = HYPERVISOR_multicall(e, 1);
	test_check(rc == -XEN_EFAULT && e->result == 0,
		   "multicall_result_into_gdt_frame",
		   "rc %s, result slot reads %#lx", test_err_name(rc),
		   (unsigned long)e->result);
	expect_loads("gdt_with_multicall_still_works", 'd', SEL(DATA_IDX));
}

/* set_gdt with 0 entries drops the frames; the selectors stop working. */
static void gdt_release(void)
{
	unsigned long list[1] = { 0 };

	test_expect_rc("set_gdt_zero_entries", set_gdt(list, 0), 0);
	expect_load_gp("gdt_selector_after_release", 'd', SEL(DATA_IDX),
		       SEL(DATA_IDX) & ~3UL);
	test_expect_rc("gdt_frame_writable_after_release", map_page(&gdt_a, true), 0);
	test_check(native_iretq_works(), "native_iretq_flat_after_release",
		   "iretq faulted (%s)", pv_trap_name(probe_seen.vector));
}

/* Run every section in order (each builds on the state left before it). */
void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("attacks_desc: descriptor-table and multicall attacks\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install trap table / callbacks\n");
	probe_catch(PV_TRAP_GP);
	probe_catch(PV_TRAP_NP);
	probe_catch(PV_TRAP_PF);
	gdt_positive();
	gdt_dpl0_code();
	gdt_refusals();
	gdt_in_use();
	descriptor_updates();
	ldt_checks();
	multicall_valid();
	multicall_refusals();
	multicall_into_gdt();
	gdt_release();
	test_finish();
}
