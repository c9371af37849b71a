/*
 * iret_noncanonical: HYPERVISOR_iret to the first non-canonical address,
 * both with VGCF_in_syscall (the path that may leave by sysret) and
 * without. sysret to a non-canonical rip would fault in the hypervisor's
 * ring 0 on a guest stack on Intel CPUs (the XSA-7 class of bug); as in
 * Xen 4.17, the return instead raises #GP(0) in the guest, at the
 * non-canonical rip, with the frame it could not return to, and the
 * guest's handler may carry on.
 */
#include <libpv/string.h>
#include <libpv/usermode.h>
#include "testlib.h"

#define NON_CANONICAL_RIP 0x0000800000000000UL

static volatile unsigned long gp_hits, gp_rip, gp_error, gp_rsp;
static volatile unsigned long resume_rip, resume_rsp, saved_rsp;
static struct pv_trap_frame frame;

static void on_gp(struct pv_trap_frame *f)
{
	gp_hits++;
	gp_rip = f->rip;
	gp_error = f->error_code;
	gp_rsp = f->rsp;
	f->rip = resume_rip;
	f->rsp = resume_rsp;
}

static void iret_to_noncanonical(const char *name, bool in_syscall)
{
	unsigned long rsp;
	void *fp = &frame;

	gp_hits = 0;
	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	memset(&frame, 0, sizeof(frame));
	if (in_syscall)
		frame.vector = PV_VEC_SYSCALL;  /* return with VGCF_in_syscall */
	frame.rip = NON_CANONICAL_RIP;
	frame.cs = FLAT_KERNEL_CS & ~3;         /* RPL 0: stay in kernel mode */
	frame.rflags = 0x2;
	frame.rsp = rsp - 512;
	frame.ss = FLAT_KERNEL_SS;
	resume_rsp = rsp - 1024;
	/* The #GP handler resumes at 1: on a scratch stack; take ours back. */
	asm volatile("push %%rbp\n\t"
		     "mov %%rsp, saved_rsp(%%rip)\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, resume_rip(%%rip)\n\t"
		     "call pv_trap_resume\n"
		     "1:\tmov saved_rsp(%%rip), %%rsp\n\t"
		     "pop %%rbp"
		     : "+D"(fp)
		     :
		     : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9",
		       "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc");
	test_check(gp_hits == 1 && gp_rip == NON_CANONICAL_RIP && gp_error == 0 &&
		   gp_rsp == rsp - 512, name,
		   "%lu #GP, rip %lx error %#lx rsp %lx (want 1 #GP(0) at %lx, rsp %lx)",
		   gp_hits, gp_rip, gp_error, gp_rsp, NON_CANONICAL_RIP, rsp - 512);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	pv_trap_set_handler(PV_TRAP_GP, on_gp);
	pv_printf("iret_noncanonical: HYPERVISOR_iret to rip %lx\n", NON_CANONICAL_RIP);
	iret_to_noncanonical("iret_in_syscall_noncanonical_rip_gp0", true);
	iret_to_noncanonical("iret_noncanonical_rip_gp0", false);
	test_finish();
}
