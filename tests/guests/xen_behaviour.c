/*
 * xen_behaviour: behaviours of Xen 4.17 that real PV kernels rely on, each
 * checked against Xen running this same binary (docs/debugging.md).
 *
 *  - `mov` to and from %dr0-%dr7 in the guest kernel is emulated with the
 *    checks of set_debugreg/get_debugreg; a refused value is #GP(0). The
 *    registers the instructions touch are the ones the hypercalls see.
 *  - A far call/jmp through a selector the CPU cannot use (absent, past
 *    the table's limit, not code) faults with the selector as error code,
 *    as on hardware; never #GP(0).
 *  - XSAVE: the kernel turns CR4.OSXSAVE on with a (filtered) CR4 write,
 *    then sets XCR0 with xsetbv, checked as Xen checks it; AVX then works
 *    and CPUID follows.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/xen.h>
#include "testlib.h"

#define PTE_RW        0x002UL
#define DR6_INIT      0xffff0ff0UL
#define DR7_INIT      0x400UL
#define DR7_GD        (1UL << 13)
#define HYPERVISOR_VA 0xffff830000000000UL

/* LDT material: index 0 empty, 1 data, 2 non-present code, 3 code. */
#define DATA_DPL3      0x00cff2000000ffffUL
#define CODE64_NP      0x00af7a000000ffffUL  /* DPL 3, code, L, not present */
#define CODE64_DPL3    0x00affa000000ffffUL
#define LDT_ENTRIES    6                     /* 4-5: room for a call gate */
#define CALL_GATE_LO(sel, off) (((off) & 0xffffUL) | ((unsigned long)(sel) << 16) | \
			       (0xecUL << 40) | (((off) & 0xffff0000UL) << 32))
#define LDT_SEL(i)     (((i) << 3) | 4 | 3)
#define GDT_PAST_LIMIT 0x1ff0                /* GDT index 1022: guest has none */

static uint64_t ldt_page[512] __attribute__((aligned(4096)));
static uint64_t gdt_page[512] __attribute__((aligned(4096)));
static volatile unsigned long watched;

static long setdr(unsigned int reg, unsigned long value)
{
	return pv_hypercall6(__HYPERVISOR_set_debugreg, reg, value, 0, 0, 0);
}

static long getdr(unsigned int reg)
{
	return pv_hypercall6(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

/* mov %rax, %drN / mov %drN, %rax, with the probe catching any fault. */
#define WRITE_DR(n, v)  PROBE("mov %%rax, %%db" #n, (v), 0, 0)
#define READ_DR(n, out) ({                                                   \
	unsigned long __a = 0, __c = 0, __d = 0, __at;                      \
	__at = PROBE_RW("mov %%db" #n ", %%rax", __a, __c, __d);            \
	(out) = __a;                                                        \
	__at;                                                               \
})

static void check_no_fault(const char *name)
{
	test_check(probe_seen.hits == 0, name, "%s error %#lx at %lx",
		   pv_trap_name(probe_seen.vector), probe_seen.error_code,
		   probe_seen.rip);
}

static void debug_registers(void)
{
	unsigned long val, at;

	/* Initial values read through mov. */
	READ_DR(6, val);
	check_no_fault("mov_from_dr6_runs");
	test_expect_eq("mov_from_dr6_initial", val, DR6_INIT);
	READ_DR(7, val);
	check_no_fault("mov_from_dr7_runs");
	test_expect_eq("mov_from_dr7_initial", val, DR7_INIT);

	/* A write through mov is what get_debugreg returns, and back. */
	WRITE_DR(0, (unsigned long)&watched);
	check_no_fault("mov_to_dr0_runs");
	test_expect_eq("mov_to_dr0_seen_by_get_debugreg",
		       (unsigned long)getdr(0), (unsigned long)&watched);
	test_expect_rc("set_debugreg_dr1", setdr(1, (unsigned long)&watched + 8), 0);
	READ_DR(1, val);
	test_expect_eq("set_debugreg_dr1_seen_by_mov", val,
		       (unsigned long)&watched + 8);
	WRITE_DR(3, 0x1000);
	READ_DR(3, val);
	test_expect_eq("mov_dr3_round_trip", val, 0x1000);

	/* A write watchpoint armed through mov %dr7 fires. */
	probe_catch(PV_TRAP_DB);
	WRITE_DR(7, 1UL | (1UL << 16) | (3UL << 18));   /* L0, write, 4 bytes */
	check_no_fault("mov_to_dr7_arms_runs");
	READ_DR(7, val);
	test_expect_eq("mov_from_dr7_after_arm", val,
		       DR7_INIT | 1UL | (1UL << 16) | (3UL << 18));
	at = PROBE("movl $1, (%%rax)", &watched, 0, 0);
	test_check(probe_seen.hits == 1 && probe_seen.vector == PV_TRAP_DB,
		   "mov_dr7_watchpoint_fires", "%s at %lx (store at %lx)",
		   probe_seen.hits ? pv_trap_name(probe_seen.vector) : "nothing",
		   probe_seen.rip, at);
	READ_DR(6, val);
	test_check(val & 1, "mov_from_dr6_reports_bp0", "dr6 %#lx", val);
	WRITE_DR(6, DR6_INIT);
	READ_DR(6, val);
	test_expect_eq("mov_to_dr6_reset", val, DR6_INIT);
	WRITE_DR(7, 0);
	READ_DR(7, val);
	test_expect_eq("mov_to_dr7_disarm", val, DR7_INIT);

	/* Values set_debugreg refuses are #GP(0) through mov. */
	at = WRITE_DR(0, HYPERVISOR_VA);
	expect_fault("mov_to_dr0_hypervisor_address_gp0", at, PV_TRAP_GP, 0);
	at = WRITE_DR(2, 0x0000800000000000UL);
	expect_fault("mov_to_dr2_noncanonical_gp0", at, PV_TRAP_GP, 0);
	at = WRITE_DR(7, DR7_GD);
	expect_fault("mov_to_dr7_general_detect_gp0", at, PV_TRAP_GP, 0);
	at = WRITE_DR(7, 1UL << 40);
	expect_fault("mov_to_dr7_upper_bits_gp0", at, PV_TRAP_GP, 0);
	at = WRITE_DR(7, 1UL | (2UL << 16));
	expect_fault("mov_to_dr7_io_breakpoint_gp0", at, PV_TRAP_GP, 0);
	at = WRITE_DR(6, 1UL << 40);
	expect_fault("mov_to_dr6_upper_bits_gp0", at, PV_TRAP_GP, 0);
	test_expect_eq("refused_dr0_unchanged", (unsigned long)getdr(0),
		       (unsigned long)&watched);

	/* DR4/DR5 alias DR6/DR7 (the guest's CR4.DE is clear). */
	READ_DR(4, val);
	check_no_fault("mov_from_dr4_runs");
	test_expect_eq("mov_from_dr4_is_dr6", val, DR6_INIT);
	READ_DR(5, val);
	check_no_fault("mov_from_dr5_runs");
	test_expect_eq("mov_from_dr5_is_dr7", val, DR7_INIT);
	WRITE_DR(5, 0);
	check_no_fault("mov_to_dr5_runs");

	/*
	 * The ModRM mod field is ignored: mod 0 is still the register form
	 * (0f 21 38: mov %dr7, %rax; 0f 20 20: mov %cr4, %rax).
	 */
	{
		unsigned long a = 0, c = 0, d = 0;
		PROBE_RW(".byte 0x0f, 0x21, 0x38", a, c, d);
		check_no_fault("mov_from_dr7_mod0_runs");
		test_expect_eq("mov_from_dr7_mod0_value", a, DR7_INIT);
		a = 0;
		PROBE_RW(".byte 0x0f, 0x20, 0x20", a, c, d);
		check_no_fault("mov_from_cr4_mod0_runs");
	}

	/* %dr8 does not exist: #UD. */
	at = PROBE(".byte 0x44, 0x0f, 0x21, 0xc0", 0, 0, 0);  /* mov %dr8, %rax */
	expect_fault("mov_from_dr8_ud", at, PV_TRAP_UD, ~0UL);
	at = PROBE(".byte 0x44, 0x0f, 0x23, 0xc0", 0, 0, 0);  /* mov %rax, %dr8 */
	expect_fault("mov_to_dr8_ud", at, PV_TRAP_UD, ~0UL);
	setdr(0, 0);
	setdr(1, 0);
	setdr(3, 0);
}

/* ---- far call/jmp through unusable selectors -------------------------- */

static long set_ldt(unsigned long base, unsigned long ents)
{
	mmuext_op_t op;

	memset(&op, 0, sizeof(op));
	op.cmd = MMUEXT_SET_LDT;
	op.arg1.linear_addr = base;
	op.arg2.nr_ents = (unsigned int)ents;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* The m16:32 operand of a far call/jmp through memory. */
static struct __attribute__((packed)) {
	uint32_t offset;
	uint16_t sel;
} far_ptr;

static struct __attribute__((packed)) {
	uint64_t offset;
	uint16_t sel;
} far_ptr64;

static void far_transfer(const char *name, bool jmp, unsigned long sel,
			 unsigned int want_vector)
{
	unsigned long at;

	far_ptr.offset = 0x1000;
	far_ptr.sel = (uint16_t)sel;
	if (jmp)
		at = PROBE("ljmpl *(%%rax)", &far_ptr, 0, 0);
	else
		at = PROBE("lcalll *(%%rax)", &far_ptr, 0, 0);
	/* The error code names the selector: index and TI, no RPL. */
	expect_fault(name, at, want_vector, sel & ~3UL);
}

static void far_transfers(void)
{
	unsigned long va = (unsigned long)ldt_page;

	ldt_page[1] = DATA_DPL3;
	ldt_page[2] = CODE64_NP;
	ldt_page[3] = CODE64_DPL3;
	if (HYPERVISOR_update_va_mapping(va, pv_pt_lookup(va) & ~PTE_RW,
					 UVMF_INVLPG))
		pv_crash("cannot make the LDT page read-only\n");
	if (set_ldt(va, LDT_ENTRIES))
		pv_crash("MMUEXT_SET_LDT failed\n");
	probe_catch(PV_TRAP_NP);

	far_transfer("lcall_ldt_empty_descriptor", false, LDT_SEL(0), PV_TRAP_GP);
	far_transfer("ljmp_ldt_empty_descriptor", true, LDT_SEL(0), PV_TRAP_GP);
	far_transfer("lcall_ldt_data_descriptor", false, LDT_SEL(1), PV_TRAP_GP);
	far_transfer("ljmp_ldt_data_descriptor", true, LDT_SEL(1), PV_TRAP_GP);
	far_transfer("lcall_ldt_not_present", false, LDT_SEL(2), PV_TRAP_NP);
	far_transfer("ljmp_ldt_not_present", true, LDT_SEL(2), PV_TRAP_NP);
	far_transfer("lcall_ldt_past_limit", false, LDT_SEL(LDT_ENTRIES + 5), PV_TRAP_GP);
	far_transfer("ljmp_ldt_past_limit", true, LDT_SEL(LDT_ENTRIES + 5), PV_TRAP_GP);
	/*
	 * A call gate: Xen accepts it (and keeps 64-bit guests from using it:
	 * the call faults), Lamina refuses it and the slot stays empty. Either
	 * way the far call is #GP(selector).
	 */
	unsigned long gate_ma = (pv_pfn_to_mfn(pv_virt_to_pfn(ldt_page)) << PV_PAGE_SHIFT) + 4 * 8;
	long rc = PV_HYPERCALL(__HYPERVISOR_update_descriptor, gate_ma,
			       CALL_GATE_LO(FLAT_KERNEL_CS, 0x1000UL), 0, 0, 0);
	pv_printf("call gate in the LDT: update_descriptor returned %ld\n", rc);
	far_transfer("lcall_ldt_call_gate", false, LDT_SEL(4), PV_TRAP_GP);
	far_transfer("ljmp_ldt_call_gate", true, LDT_SEL(4), PV_TRAP_GP);
	far_transfer("lcall_gdt_past_limit", false, GDT_PAST_LIMIT | 3, PV_TRAP_GP);
	far_transfer("ljmp_gdt_past_limit", true, GDT_PAST_LIMIT | 3, PV_TRAP_GP);
	far_transfer("lcall_gdt_rpl0_past_limit", false, GDT_PAST_LIMIT, PV_TRAP_GP);
	/* The hypervisor's own selectors: ring-0 code and data, never usable. */
	far_transfer("lcall_hypervisor_cs", false, 0xe008, PV_TRAP_GP);
	far_transfer("ljmp_hypervisor_cs", true, 0xe008, PV_TRAP_GP);
	far_transfer("lcall_hypervisor_ds", false, 0xe010, PV_TRAP_GP);
	/* The m16:64 form (REX.W) through the data descriptor. */
	far_ptr64.offset = 0x1000;
	far_ptr64.sel = LDT_SEL(1);
	unsigned long at = PROBE("rex.w lcall *(%%rax)", &far_ptr64, 0, 0);
	expect_fault("lcall_m16_64_ldt_data_descriptor", at, PV_TRAP_GP,
		     LDT_SEL(1) & ~3UL);
	set_ldt(0, 0);
	far_transfer("lcall_no_ldt", false, LDT_SEL(0), PV_TRAP_GP);

	/*
	 * A one-frame guest GDT of 16 entries: a selector past the entries in
	 * that frame, and one in the next (absent) frame, below the
	 * hypervisor's reserved pages.
	 */
	unsigned long gva = (unsigned long)gdt_page;
	gdt_page[4] = CODE64_DPL3;
	if (HYPERVISOR_update_va_mapping(gva, pv_pt_lookup(gva) & ~PTE_RW,
					 UVMF_INVLPG))
		pv_crash("cannot make the GDT page read-only\n");
	unsigned long gmfn = pv_pfn_to_mfn(pv_virt_to_pfn(gdt_page));
	if (PV_HYPERCALL(__HYPERVISOR_set_gdt, &gmfn, 16, 0, 0, 0))
		pv_crash("set_gdt failed\n");
	far_transfer("lcall_gdt_past_entries_same_frame", false, (100 << 3) | 3,
		     PV_TRAP_GP);
	far_transfer("lcall_gdt_next_frame", false, (600 << 3) | 3, PV_TRAP_GP);
	far_transfer("ljmp_gdt_last_guest_frame", true, ((14 * 512 - 1) << 3) | 3,
		     PV_TRAP_GP);
}

/* ---- XSAVE ------------------------------------------------------------- */

#define X86_CR4_OSXSAVE (1UL << 18)
#define CPUID1_ECX_XSAVE   (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX     (1u << 28)

static unsigned int fep_cpuid_ecx(unsigned int leaf)
{
	unsigned int a = leaf, b, c = 0, d;

	asm volatile("ud2a; .ascii \"xen\"; cpuid"
		     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return c;
}

static unsigned long xgetbv0(void)
{
	unsigned long a = 0, c = 0, d = 0;

	PROBE_RW("xgetbv", a, c, d);
	return probe_seen.hits ? ~0UL : ((d << 32) | (a & 0xffffffffUL));
}

static unsigned long xsetbv(unsigned int reg, unsigned long val)
{
	return PROBE("xsetbv", val & 0xffffffffUL, reg, val >> 32);
}

static void xsave(void)
{
	unsigned long cr4, at, a = 0, c = 0, d = 0;
	unsigned long ymm[4] = { 0 };
	static const unsigned long pattern[4] = {
		0x1111111111111111UL, 0x2222222222222222UL,
		0x3333333333333333UL, 0x4444444444444444UL };

	if (!(fep_cpuid_ecx(1) & CPUID1_ECX_XSAVE) ||
	    !(fep_cpuid_ecx(1) & CPUID1_ECX_AVX)) {
		pv_printf("SKIP xsave: no XSAVE/AVX offered\n");
		return;
	}
	PROBE_RW("mov %%cr4, %%rax", a, c, d);
	cr4 = a;
	test_check(!probe_seen.hits && !(cr4 & X86_CR4_OSXSAVE),
		   "cr4_osxsave_initially_clear", "cr4 %#lx", cr4);
	/* Without CR4.OSXSAVE, xsetbv is #UD. */
	at = xsetbv(0, 3);
	expect_fault("xsetbv_without_osxsave_ud", at, PV_TRAP_UD, ~0UL);

	PROBE("mov %%rax, %%cr4", cr4 | X86_CR4_OSXSAVE, 0, 0);
	check_no_fault("write_cr4_osxsave");
	a = 0;
	PROBE_RW("mov %%cr4, %%rax", a, c, d);
	test_check(a & X86_CR4_OSXSAVE, "cr4_osxsave_reads_back", "cr4 %#lx", a);
	test_check(fep_cpuid_ecx(1) & CPUID1_ECX_OSXSAVE, "cpuid_osxsave_set",
		   "leaf 1 ecx %#x", fep_cpuid_ecx(1));
	test_expect_eq("xgetbv_initial", xgetbv0(), 3);

	/* Xen's checks: XCR0 only, x87 on, YMM needs SSE, offered bits only. */
	at = xsetbv(0, 0);
	expect_fault("xsetbv_zero_gp0", at, PV_TRAP_GP, 0);
	at = xsetbv(0, 2);
	expect_fault("xsetbv_without_x87_gp0", at, PV_TRAP_GP, 0);
	at = xsetbv(0, 5);
	expect_fault("xsetbv_ymm_without_sse_gp0", at, PV_TRAP_GP, 0);
	at = xsetbv(0, 3 | (1UL << 9));         /* PKRU: not offered to PV */
	expect_fault("xsetbv_pkru_gp0", at, PV_TRAP_GP, 0);
	at = xsetbv(0, 3 | (1UL << 40));
	expect_fault("xsetbv_high_bit_gp0", at, PV_TRAP_GP, 0);
	at = xsetbv(1, 3);
	expect_fault("xsetbv_xcr1_gp0", at, PV_TRAP_GP, 0);
	test_expect_eq("xgetbv_after_refusals", xgetbv0(), 3);

	xsetbv(0, 7);
	check_no_fault("xsetbv_x87_sse_ymm");
	test_expect_eq("xgetbv_after_xsetbv", xgetbv0(), 7);

	/* AVX now runs, and the state survives a hypercall and a trap. */
	PROBE("vmovdqu (%%rax), %%ymm3", pattern, 0, 0);
	check_no_fault("avx_load_runs");
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	PROBE("int3", 0, 0, 0);
	PROBE("vmovdqu %%ymm3, (%%rax)", ymm, 0, 0);
	test_check(!memcmp(ymm, pattern, sizeof(ymm)), "ymm_state_kept",
		   "ymm3 %lx %lx %lx %lx", ymm[0], ymm[1], ymm[2], ymm[3]);

	xsetbv(0, 3);
	check_no_fault("xsetbv_back_to_sse");
	test_expect_eq("xgetbv_back_to_sse", xgetbv0(), 3);
	at = PROBE("vmovdqu %%ymm3, (%%rax)", ymm, 0, 0);
	expect_fault("avx_after_ymm_off_ud", at, PV_TRAP_UD, ~0UL);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("xen_behaviour: debug registers by mov, far transfers\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	probe_catch(PV_TRAP_GP);
	probe_catch(PV_TRAP_UD);
	debug_registers();
	far_transfers();
	probe_catch(PV_TRAP_BP);
	xsave();
	test_finish();
}
