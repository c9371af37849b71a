/*
 * iret_noncanonical: HYPERVISOR_iret with VGCF_in_syscall (the path that
 * may leave by sysret) to the first non-canonical address. sysret to a
 * non-canonical rip would fault in the hypervisor's ring 0 on a guest
 * stack on Intel CPUs (the XSA-7 class of bug); Lamina must instead end
 * the domain with a "non-canonical" report. Expected: the run ends in
 * "crash" and nothing after the iret is printed.
 */
#include <libpv/string.h>
#include <libpv/usermode.h>
#include "testlib.h"

#define NON_CANONICAL_RIP 0x0000800000000000UL

void kernel_main(start_info_t *si)
{
	struct pv_trap_frame frame;
	unsigned long rsp;

	(void)si;
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	memset(&frame, 0, sizeof(frame));
	frame.vector = PV_VEC_SYSCALL;          /* return with VGCF_in_syscall */
	frame.rip = NON_CANONICAL_RIP;
	frame.cs = FLAT_KERNEL_CS & ~3;         /* RPL 0: stay in kernel mode */
	frame.rflags = 0x2;
	frame.rsp = rsp - 512;
	frame.ss = FLAT_KERNEL_SS;
	pv_printf("iret_noncanonical: HYPERVISOR_iret (VGCF_in_syscall) to rip %lx\n",
		  frame.rip);
	pv_trap_resume(&frame);
}
