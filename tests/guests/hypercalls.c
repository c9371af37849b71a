/*
 * hypercalls: the positive paths of every implemented hypercall, each
 * expectation taken from Xen 4.17 (the reference this project follows):
 *  - xen_version (xen/common/kernel.c do_xen_version): 4.17, the x86_64
 *    capability string, 4 KiB pages, virt_start = HYPERVISOR_VIRT_START,
 *    XENFEAT_dom0 for the hardware domain, XENFEAT_pae_pgdir_above_4gb
 *    only once VMASST_TYPE_pae_extended_cr3 is on, submap 1 -EINVAL.
 *  - console_io (xen/drivers/char/console.c): empty write 0, read 0 when
 *    no input is queued.
 *  - fpu_taskswitch (xen/arch/x86/traps.c do_device_not_available): the
 *    first FPU use after fpu_taskswitch(1) raises #NM once, and Xen
 *    clears the virtual TS as it delivers it; CR0 reads show the virtual
 *    TS (xen/arch/x86/pv/emul-priv-op.c read_cr), clts clears it.
 *  - set_segment_base (xen/arch/x86/pv/misc-hypercalls.c): FS, kernel GS
 *    and user GS bases; the shadow GS MSR reads back the user GS base.
 *  - stack_switch, vm_assist, callback_op, set_trap_table and iret: the
 *    calls succeed and exceptions keep working afterwards.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include <pv/version.h>
#include "testlib.h"

#define XEN_417_VERSION      0x40011UL
#define HYPERVISOR_VIRT_BASE 0xFFFF800000000000UL
#define NON_CANONICAL        0x8000000000000000UL
#define X86_CR0_TS           (1UL << 3)
#define MSR_GS_BASE          0xc0000101
#define MSR_SHADOW_GS_BASE   0xc0000102
#define FNOP_LENGTH          2

extern char pv_boot_stack_top[];

/* True if s holds a NUL within its size bytes. */
static bool nul_terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

/* Fetch feature submap idx; returns the hypercall's result. */
static long get_features(unsigned int idx, uint32_t *submap)
{
	struct xen_feature_info fi = { .submap_idx = idx, .submap = 0 };
	long rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);

	*submap = fi.submap;
	return rc;
}

/* Version number, extraversion and capability string. */
static void check_version_strings(void)
{
	static xen_extraversion_t extra;
	static xen_capabilities_info_t caps;
	static xen_changeset_info_t changeset;
	long rc;

	test_expect_eq("xen_version_is_4_17",
		       HYPERVISOR_xen_version(XENVER_version, NULL),
		       XEN_417_VERSION);
	memset(extra, 0xff, sizeof(extra));
	rc = HYPERVISOR_xen_version(XENVER_extraversion, extra);
	test_check(rc == 0 && nul_terminated(extra, sizeof(extra)) &&
		   extra[0] != '\0', "xen_version_extraversion",
		   "rc %ld, first byte %#x", rc, (unsigned char)extra[0]);
	memset(caps, 0xff, sizeof(caps));
	rc = HYPERVISOR_xen_version(XENVER_capabilities, caps);
	test_check(rc == 0 && nul_terminated(caps, sizeof(caps)) &&
		   strstr(caps, "xen-3.0-x86_64") != NULL,
		   "xen_version_capabilities", "rc %ld, \"%.40s\"", rc, caps);
	memset(changeset, 0xff, sizeof(changeset));
	rc = HYPERVISOR_xen_version(XENVER_changeset, changeset);
	test_check(rc == 0 && nul_terminated(changeset, sizeof(changeset)),
		   "xen_version_changeset", "rc %ld", rc);
}

/* Page size, hypervisor area start, hypervisor command line. */
static void check_version_platform(void)
{
	static struct xen_platform_parameters params;
	static xen_commandline_t cmdline;
	long rc;

	test_expect_eq("xen_version_pagesize",
		       HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096);
	rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &params);
	test_check(rc == 0 && params.virt_start == HYPERVISOR_VIRT_BASE,
		   "xen_version_virt_start", "rc %ld, virt_start %#lx", rc,
		   (unsigned long)params.virt_start);
	memset(cmdline, 0xff, sizeof(cmdline));
	rc = HYPERVISOR_xen_version(XENVER_commandline, cmdline);
	test_check(rc == 0 && nul_terminated(cmdline, sizeof(cmdline)),
		   "xen_version_commandline", "rc %ld", rc);
	if (rc == 0 && nul_terminated(cmdline, sizeof(cmdline)))
		pv_printf("hypervisor command line: \"%s\"\n", cmdline);
}

/* compile_info fields, guest handle, feature bitmap. */
static void check_version_build(void)
{
	static struct xen_compile_info info;
	static xen_domain_handle_t handle;
	uint32_t submap = 0;
	long rc;

	memset(&info, 0xff, sizeof(info));
	rc = HYPERVISOR_xen_version(XENVER_compile_info, &info);
	test_check(rc == 0 && nul_terminated(info.compiler, sizeof(info.compiler)) &&
		   nul_terminated(info.compile_by, sizeof(info.compile_by)) &&
		   nul_terminated(info.compile_domain,
				  sizeof(info.compile_domain)) &&
		   nul_terminated(info.compile_date, sizeof(info.compile_date)),
		   "xen_version_compile_info", "rc %ld or a field lacks a NUL",
		   rc);
	test_expect_rc("xen_version_guest_handle",
		       HYPERVISOR_xen_version(XENVER_guest_handle, handle), 0);
	rc = get_features(0, &submap);
	test_check(rc == 0 && (submap & (1u << XENFEAT_dom0)),
		   "xen_version_features_dom0", "rc %ld, submap %#x", rc,
		   submap);
	test_expect_rc("xen_version_features_submap1_einval",
		       get_features(1, &submap), -XEN_EINVAL);
}

/* Empty write and a read with no input queued. */
static void check_console_io(void)
{
	char buf[16];

	test_expect_rc("console_io_write_empty",
		       HYPERVISOR_console_io(CONSOLEIO_write, 0, buf), 0);
	test_expect_rc("console_io_read_nothing",
		       HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf),
		       0);
}

static void check_sched_op(void)
{
	struct sched_shutdown code = { .reason = SHUTDOWN_poweroff };

	test_expect_rc("sched_op_yield", HYPERVISOR_sched_op(SCHEDOP_yield, NULL),
		       0);
	test_expect_rc("sched_op_shutdown_code",
		       HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &code), 0);
}

/* #NM deliveries seen and where, for the FPU checks. */
static volatile unsigned long nm_hits, nm_rip;

/*
 * #NM handler: count it and retry the instruction. A second #NM for the
 * same instruction means the virtual TS was not cleared: skip the
 * instruction then rather than loop forever.
 */
static void nm_handler(struct pv_trap_frame *f)
{
	nm_hits++;
	nm_rip = f->rip;
	if (nm_hits > 1)
		f->rip += FNOP_LENGTH;
}

/* Run one fnop (x87: #NM while CR0.TS is set); returns its address. */
static unsigned long run_fnop(void)
{
	unsigned long at;

	nm_hits = 0;
	nm_rip = 0;
	asm volatile("lea 1f(%%rip), %0\n"
		     "1:\tfnop"
		     : "=r"(at) : : "memory");
	return at;
}

/* Read CR0 through the emulator; ~0 if the read faulted. */
static unsigned long read_cr0(void)
{
	unsigned long a = 0, c = 0, d = 0;

	PROBE_RW("mov %%cr0, %%rax", a, c, d);
	return probe_seen.hits ? ~0UL : a;
}

/* PASS if CR0 reads without faulting and TS is as wanted. */
static void expect_cr0_ts(const char *name, bool want_set)
{
	unsigned long cr0 = read_cr0();

	test_check(cr0 != ~0UL && !!(cr0 & X86_CR0_TS) == want_set, name,
		   "cr0 %#lx (read %s), want TS %s", cr0,
		   cr0 == ~0UL ? "faulted" : "ok", want_set ? "set" : "clear");
}

/* PASS if an fnop ran without #NM. */
static void expect_fnop_no_nm(const char *name)
{
	run_fnop();
	test_check(nm_hits == 0, name, "%lu #NM", nm_hits);
}

static void check_fpu_taskswitch(void)
{
	unsigned long at;

	pv_trap_set_handler(PV_TRAP_NM, nm_handler);
	expect_fnop_no_nm("fpu_no_nm_initially");
	test_expect_rc("fpu_taskswitch_set", HYPERVISOR_fpu_taskswitch(1), 0);
	expect_cr0_ts("fpu_cr0_ts_set", true);
	at = run_fnop();
	test_check(nm_hits == 1 && nm_rip == at, "fpu_nm_once_then_retried",
		   "%lu #NM, rip %lx, fnop at %lx", nm_hits, nm_rip, at);
	expect_cr0_ts("fpu_cr0_ts_cleared_by_nm", false);
	expect_fnop_no_nm("fpu_second_insn_no_nm");

	HYPERVISOR_fpu_taskswitch(1);
	test_expect_rc("fpu_taskswitch_clear", HYPERVISOR_fpu_taskswitch(0), 0);
	expect_cr0_ts("fpu_cr0_ts_clear", false);
	expect_fnop_no_nm("fpu_no_nm_after_clear");

	HYPERVISOR_fpu_taskswitch(1);
	PROBE("clts", 0, 0, 0);
	expect_no_fault("clts_emulated");
	expect_cr0_ts("fpu_cr0_ts_clear_after_clts", false);
	expect_fnop_no_nm("fpu_no_nm_after_clts");
	pv_trap_set_handler(PV_TRAP_NM, NULL);
}

/* Targets read through %fs and %gs. */
static volatile unsigned long fs_target = 0xf5f5f5f5a1a2a3a4UL;
static volatile unsigned long gs_target = 0x6565656512345678UL;

/* Read an MSR through the emulator; ~0 if it faulted. */
static unsigned long read_msr(unsigned int msr)
{
	unsigned long a = 0, c = msr, d = 0;

	PROBE_RW("rdmsr", a, c, d);
	if (probe_seen.hits)
		return ~0UL;
	return (d << 32) | (a & 0xffffffffUL);
}

static void check_segment_bases(void)
{
	const unsigned long user_gs = 0x7654321000UL;
	unsigned long v = 0;
	long rc;

	rc = HYPERVISOR_set_segment_base(SEGBASE_FS, (unsigned long)&fs_target);
	asm volatile("mov %%fs:0, %0" : "=r"(v) : : "memory");
	test_check(rc == 0 && v == fs_target, "segbase_fs_read_through",
		   "rc %ld, %%fs:0 = %#lx", rc, v);
	HYPERVISOR_set_segment_base(SEGBASE_FS, 0);

	rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL,
					 (unsigned long)&gs_target);
	asm volatile("mov %%gs:0, %0" : "=r"(v) : : "memory");
	test_check(rc == 0 && v == gs_target, "segbase_gs_kernel_read_through",
		   "rc %ld, %%gs:0 = %#lx", rc, v);
	test_expect_eq("segbase_gs_kernel_msr", read_msr(MSR_GS_BASE),
		       (unsigned long)&gs_target);
	HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0);

	test_expect_rc("segbase_gs_user",
		       HYPERVISOR_set_segment_base(SEGBASE_GS_USER, user_gs), 0);
	test_expect_eq("segbase_gs_user_shadow_msr",
		       read_msr(MSR_SHADOW_GS_BASE), user_gs);
	HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0);
	test_expect_rc("segbase_gs_user_non_canonical",
		       HYPERVISOR_set_segment_base(SEGBASE_GS_USER,
						   NON_CANONICAL),
		       -XEN_EINVAL);
}

static void check_stack_switch(void)
{
	static char spare_stack[4096] __attribute__((aligned(16)));

	test_expect_rc("stack_switch",
		       HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
			       (unsigned long)(spare_stack + sizeof(spare_stack))),
		       0);
	test_expect_rc("stack_switch_back",
		       HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
					       (unsigned long)pv_boot_stack_top),
		       0);
}

static void check_vm_assist(void)
{
	uint32_t submap = 0;
	long rc;

	test_expect_rc("vm_assist_enable_writable_pagetables",
		       HYPERVISOR_vm_assist(VMASST_CMD_enable,
					    VMASST_TYPE_writable_pagetables), 0);
	test_expect_rc("vm_assist_disable_writable_pagetables",
		       HYPERVISOR_vm_assist(VMASST_CMD_disable,
					    VMASST_TYPE_writable_pagetables), 0);
	test_expect_rc("vm_assist_enable_pae_extended_cr3",
		       HYPERVISOR_vm_assist(VMASST_CMD_enable,
					    VMASST_TYPE_pae_extended_cr3), 0);
	rc = get_features(0, &submap);
	test_check(rc == 0 && (submap & (1u << XENFEAT_pae_pgdir_above_4gb)),
		   "vm_assist_pae_pgdir_feature", "rc %ld, submap %#x", rc,
		   submap);
}

/* Register one callback type at entry; returns the hypercall result. */
static long register_callback(unsigned int type, void (*entry)(void))
{
	struct callback_register cb = {
		.type = (uint16_t)type,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)entry,
	};

	return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static void check_callback_op(void)
{
	struct callback_unregister nmi = { .type = CALLBACKTYPE_nmi };

	test_expect_rc("callback_register_event",
		       register_callback(CALLBACKTYPE_event,
					 pv_event_callback_entry), 0);
	test_expect_rc("callback_register_failsafe",
		       register_callback(CALLBACKTYPE_failsafe,
					 pv_failsafe_callback_entry), 0);
	test_expect_rc("callback_register_syscall",
		       register_callback(CALLBACKTYPE_syscall,
					 pv_syscall_callback_entry), 0);
	test_expect_rc("callback_unregister_nmi",
		       HYPERVISOR_callback_op(CALLBACKOP_unregister, &nmi), 0);
}

static void check_set_trap_table(void)
{
	unsigned long at;

	test_expect_rc("set_trap_table_reinstall", pv_traps_init(), 0);
	at = PROBE("int3", 0, 0, 0);
	/* #BP is a trap: rip is after the one-byte int3. */
	expect_fault("set_trap_table_int3_still_caught", at + 1, PV_TRAP_BP,
		     ~0UL);
}

/*
 * Register round trip through #BP and HYPERVISOR_iret. Order of the
 * arrays: rax rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15.
 * They are global because the assembly names them directly.
 */
#define NR_GPRS 15
unsigned long hc_reg_pattern[NR_GPRS] = {
	0xa0a0a0a0a0a0a001UL, 0xb1b1b1b1b1b1b102UL, 0xc2c2c2c2c2c2c203UL,
	0xd3d3d3d3d3d3d304UL, 0x5e5e5e5e5e5e5e05UL, 0xd1d1d1d1d1d1d106UL,
	0xbbbbbbbbbbbbbb07UL, 0x0808080808080808UL, 0x0909090909090909UL,
	0x1010101010101010UL, 0x1111111111111111UL, 0x1212121212121212UL,
	0x1313131313131313UL, 0x1414141414141414UL, 0x1515151515151515UL,
};
unsigned long hc_reg_seen[NR_GPRS];
unsigned long hc_rsp_before, hc_rsp_after;
static unsigned long frame_seen[NR_GPRS];
static volatile unsigned long bp_hits;

/* #BP handler for the round trip: record the frame's registers. */
static void regs_bp_handler(struct pv_trap_frame *f)
{
	const unsigned long regs[NR_GPRS] = {
		f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp,
		f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
	};

	bp_hits++;
	memcpy(frame_seen, regs, sizeof(regs));
}

/*
 * Load every general register (but rsp) from hc_reg_pattern, int3, and
 * store them all into hc_reg_seen. rbp is the frame pointer, so it is
 * saved and restored by hand instead of being named as clobbered.
 */
static void int3_with_all_registers(void)
{
	asm volatile(
		"push %%rbp\n\t"
		"mov %%rsp, hc_rsp_before(%%rip)\n\t"
		"mov hc_reg_pattern+0(%%rip), %%rax\n\t"
		"mov hc_reg_pattern+8(%%rip), %%rbx\n\t"
		"mov hc_reg_pattern+16(%%rip), %%rcx\n\t"
		"mov hc_reg_pattern+24(%%rip), %%rdx\n\t"
		"mov hc_reg_pattern+32(%%rip), %%rsi\n\t"
		"mov hc_reg_pattern+40(%%rip), %%rdi\n\t"
		"mov hc_reg_pattern+48(%%rip), %%rbp\n\t"
		"mov hc_reg_pattern+56(%%rip), %%r8\n\t"
		"mov hc_reg_pattern+64(%%rip), %%r9\n\t"
		"mov hc_reg_pattern+72(%%rip), %%r10\n\t"
		"mov hc_reg_pattern+80(%%rip), %%r11\n\t"
		"mov hc_reg_pattern+88(%%rip), %%r12\n\t"
		"mov hc_reg_pattern+96(%%rip), %%r13\n\t"
		"mov hc_reg_pattern+104(%%rip), %%r14\n\t"
		"mov hc_reg_pattern+112(%%rip), %%r15\n\t"
		"int3\n\t"
		"mov %%rax, hc_reg_seen+0(%%rip)\n\t"
		"mov %%rbx, hc_reg_seen+8(%%rip)\n\t"
		"mov %%rcx, hc_reg_seen+16(%%rip)\n\t"
		"mov %%rdx, hc_reg_seen+24(%%rip)\n\t"
		"mov %%rsi, hc_reg_seen+32(%%rip)\n\t"
		"mov %%rdi, hc_reg_seen+40(%%rip)\n\t"
		"mov %%rbp, hc_reg_seen+48(%%rip)\n\t"
		"mov %%r8, hc_reg_seen+56(%%rip)\n\t"
		"mov %%r9, hc_reg_seen+64(%%rip)\n\t"
		"mov %%r10, hc_reg_seen+72(%%rip)\n\t"
		"mov %%r11, hc_reg_seen+80(%%rip)\n\t"
		"mov %%r12, hc_reg_seen+88(%%rip)\n\t"
		"mov %%r13, hc_reg_seen+96(%%rip)\n\t"
		"mov %%r14, hc_reg_seen+104(%%rip)\n\t"
		"mov %%r15, hc_reg_seen+112(%%rip)\n\t"
		"mov %%rsp, hc_rsp_after(%%rip)\n\t"
		"pop %%rbp"
		:
		:
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		  "r11", "r12", "r13", "r14", "r15", "memory", "cc");
}

/* Index of the first register in got that differs from want, or -1. */
static int first_mismatch(const unsigned long *got)
{
	int i;

	for (i = 0; i < NR_GPRS; i++)
		if (got[i] != hc_reg_pattern[i])
			return i;
	return -1;
}

static void check_iret_round_trip(void)
{
	static const char *const names[NR_GPRS] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9",
		"r10", "r11", "r12", "r13", "r14", "r15",
	};
	int bad;

	bp_hits = 0;
	pv_trap_set_handler(PV_TRAP_BP, regs_bp_handler);
	int3_with_all_registers();
	probe_catch(PV_TRAP_BP);
	test_expect_eq("iret_int3_handled_once", bp_hits, 1);
	bad = first_mismatch(frame_seen);
	test_check(bad < 0, "iret_frame_has_registers", "%s = %#lx, want %#lx",
		   bad < 0 ? "" : names[bad], bad < 0 ? 0 : frame_seen[bad],
		   bad < 0 ? 0 : hc_reg_pattern[bad]);
	bad = first_mismatch(hc_reg_seen);
	test_check(bad < 0, "iret_registers_preserved", "%s = %#lx, want %#lx",
		   bad < 0 ? "" : names[bad], bad < 0 ? 0 : hc_reg_seen[bad],
		   bad < 0 ? 0 : hc_reg_pattern[bad]);
	test_expect_eq("iret_rsp_preserved", hc_rsp_after, hc_rsp_before);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("hypercalls: positive paths of the implemented hypercalls\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install trap table / callbacks\n");
	probe_catch(PV_TRAP_GP);
	probe_catch(PV_TRAP_BP);
	check_version_strings();
	check_version_platform();
	check_version_build();
	check_console_io();
	check_sched_op();
	check_fpu_taskswitch();
	check_segment_bases();
	check_stack_switch();
	check_vm_assist();
	check_callback_op();
	check_set_trap_table();
	check_iret_round_trip();
	test_finish();
}
