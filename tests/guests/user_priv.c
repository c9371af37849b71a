/*
 * user_priv: privileged instructions from guest user mode. The hypervisor
 * emulates a few of them for the guest kernel (segment-base MSRs, reads of
 * CR0/2/3/4, clts, mov to/from debug registers, xsetbv); user code runs
 * in ring 3 as the kernel does, but must get #GP(0) for every one, as on
 * Xen, or it could read and replace the kernel's GS base. (xsetbv is #UD
 * while the guest's CR4.OSXSAVE is clear, as Xen's emulator checks that
 * first.) The forced-emulation cpuid is allowed in user mode.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/usermode.h>
#include "testlib.h"
#include "usermode_lab.h"

#define KERNEL_GS_SECRET 0xffff80beefca0000UL  /* canonical, not mapped */
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

extern const char up_page[], up_rdmsr_kgs[], up_rdmsr_gs[], up_rdmsr_fs[],
	up_wrmsr_kgs[], up_wrmsr_fs[], up_cr0[], up_cr2[], up_cr3[], up_cr4[],
	up_clts[], up_dr0[], up_dr7[], up_dr6w[], up_xsetbv[], up_cpuid[], up_int3[];

asm(".pushsection .text\n"
    ".balign 4096\n"
    "up_page:\n\t"
    "mov $0xc0000102, %ecx\n"
    "up_rdmsr_kgs:\n\trdmsr\n\t"
    "mov $0xc0000101, %ecx\n"
    "up_rdmsr_gs:\n\trdmsr\n\t"
    "mov $0xc0000100, %ecx\n"
    "up_rdmsr_fs:\n\trdmsr\n\t"
    "mov $0xc0000102, %ecx\n\t"
    "mov $0x1000, %eax\n\t"
    "xor %edx, %edx\n"
    "up_wrmsr_kgs:\n\twrmsr\n\t"
    "mov $0xc0000100, %ecx\n"
    "up_wrmsr_fs:\n\twrmsr\n"
    "up_cr0:\n\tmov %cr0, %rax\n"
    "up_cr2:\n\tmov %cr2, %rax\n"
    "up_cr3:\n\tmov %cr3, %rax\n"
    "up_cr4:\n\tmov %cr4, %rax\n"
    "up_clts:\n\tclts\n"
    "up_dr0:\n\tmov %dr0, %rax\n"
    "up_dr7:\n\tmov %dr7, %rax\n\t"
    "xor %eax, %eax\n"
    "up_dr6w:\n\tmov %rax, %dr6\n\t"
    "mov $3, %eax\n\t"
    "xor %ecx, %ecx\n\t"
    "xor %edx, %edx\n"
    "up_xsetbv:\n\txsetbv\n\t"
    "xor %eax, %eax\n\t"
    "xor %ecx, %ecx\n"
    "up_cpuid:\n\tud2a\n\t.ascii \"xen\"\n\tcpuid\n"
    "up_int3:\n\tint3\n"
    "1:\tjmp 1b\n"
    ".balign 4096\n"
    ".popsection");

struct step {
	const char *name;
	const char *at;
	unsigned long len;
	unsigned long vector;           /* 0: #GP(0) */
};

static const struct step steps[] = {
	{ "user_rdmsr_kernel_gs_base_is_gp0", up_rdmsr_kgs, 2, 0 },
	{ "user_rdmsr_gs_base_is_gp0", up_rdmsr_gs, 2, 0 },
	{ "user_rdmsr_fs_base_is_gp0", up_rdmsr_fs, 2, 0 },
	{ "user_wrmsr_kernel_gs_base_is_gp0", up_wrmsr_kgs, 2, 0 },
	{ "user_wrmsr_fs_base_is_gp0", up_wrmsr_fs, 2, 0 },
	{ "user_read_cr0_is_gp0", up_cr0, 3, 0 },
	{ "user_read_cr2_is_gp0", up_cr2, 3, 0 },
	{ "user_read_cr3_is_gp0", up_cr3, 3, 0 },
	{ "user_read_cr4_is_gp0", up_cr4, 3, 0 },
	{ "user_clts_is_gp0", up_clts, 2, 0 },
	/* Emulated for the kernel, never for user code. */
	{ "user_read_dr0_is_gp0", up_dr0, 3, 0 },
	{ "user_read_dr7_is_gp0", up_dr7, 3, 0 },
	{ "user_write_dr6_is_gp0", up_dr6w, 3, 0 },
	{ "user_xsetbv_without_osxsave_is_ud", up_xsetbv, 3, PV_TRAP_UD },
};
#define NR_STEPS (sizeof(steps) / sizeof(steps[0]))

struct seen {
	unsigned long vector, rip, error_code, rax, rdx;
};
static struct seen log[NR_STEPS + 4];
static unsigned int nr_seen;
static char kstack[16384] __attribute__((aligned(16)));
static char shared_page[4096] __attribute__((aligned(4096)));

static unsigned long uva(const char *at)
{
	return user_va_of(up_page, at);
}

static unsigned long kernel_rdmsr(unsigned int msr)
{
	unsigned int lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((unsigned long)hi << 32) | lo;
}

/* Any trap from user code: log it; skip a known instruction. */
static void on_trap(struct pv_trap_frame *f)
{
	if (nr_seen < sizeof(log) / sizeof(log[0]))
		log[nr_seen++] = (struct seen){ f->vector, f->rip, f->error_code,
						f->rax, f->rdx };
	for (unsigned int i = 0; i < NR_STEPS; i++)
		if (f->rip == uva(steps[i].at)) {
			f->rip += steps[i].len;
			return;
		}
	/* Anything else (a #UD at the cpuid, say): skip to the end. */
	f->rip = uva(up_int3);
}

static void on_bp(struct pv_trap_frame *f)
{
	unsigned int i;

	for (i = 0; i < NR_STEPS; i++) {
		const struct seen *s = &log[i];
		if (i >= nr_seen)
			test_fail(steps[i].name, "only %u traps seen", nr_seen);
		else
			test_check(s->vector == (steps[i].vector ?: PV_TRAP_GP) &&
				   s->error_code == 0 && s->rip == uva(steps[i].at),
				   steps[i].name, "%s at %lx error %#lx (want %s at %lx)",
				   pv_trap_name(s->vector), s->rip, s->error_code,
				   steps[i].vector ? "#UD" : "#GP(0)", uva(steps[i].at));
	}
	test_check(nr_seen == NR_STEPS, "user_forced_cpuid_allowed",
		   "%u traps (want %u, none at the forced-emulation cpuid)",
		   nr_seen, (unsigned)NR_STEPS);
	test_check(f->rax != 0 && f->rip == uva(up_int3) + 1,
		   "user_forced_cpuid_result", "eax %#lx at rip %lx", f->rax, f->rip);
	/* Back in kernel mode: the kernel's own bases are untouched. */
	test_expect_eq("kernel_gs_base_unchanged", kernel_rdmsr(MSR_GS_BASE),
		       KERNEL_GS_SECRET);
	test_expect_eq("kernel_fs_base_unchanged", kernel_rdmsr(MSR_FS_BASE), 0);
	test_finish();
}

void kernel_main(start_info_t *si)
{
	long rc;

	(void)si;
	pv_printf("user_priv: privileged instructions from guest user mode\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	if (!pv_map_shared_info(shared_page))
		pv_crash("could not map shared_info\n");
	for (unsigned int v = 0; v < 20; v++)
		if (v != PV_TRAP_BP && v != PV_TRAP_NMI && v != PV_TRAP_DF)
			pv_trap_set_handler(v, on_trap);
	pv_trap_set_handler(PV_TRAP_BP, on_bp);
	if ((rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, KERNEL_GS_SECRET)) ||
	    (rc = HYPERVISOR_set_segment_base(SEGBASE_FS, 0)))
		pv_crash("set_segment_base failed: %ld\n", rc);
	user_space_init(up_page);
	rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
				     (unsigned long)kstack + sizeof(kstack));
	if (rc)
		pv_crash("stack_switch failed: %ld\n", rc);
	enter_user(uva(up_page));
}
