/*
 * iret_user_no_l4: HYPERVISOR_iret with an RPL-3 code selector (a return
 * to guest user mode) before any user L4 was given with
 * MMUEXT_NEW_USER_BASEPTR. There is no address space to return to; as in
 * Xen the domain is crashed ("without user page tables").
 */
#include <libpv/string.h>
#include <libpv/usermode.h>
#include "testlib.h"

/* Somewhere to "return" to; never reached. */
static void unreachable(void)
{
	pv_printf("iret_user_no_l4: execution continued in user mode\n");
	pv_shutdown(SHUTDOWN_poweroff);
}

void kernel_main(start_info_t *si)
{
	struct pv_trap_frame frame;
	unsigned long rsp;

	(void)si;
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	memset(&frame, 0, sizeof(frame));
	frame.rip = (unsigned long)unreachable;
	frame.cs = FLAT_USER_CS;                /* RPL 3: user mode */
	frame.rflags = 0x2;
	frame.rsp = (rsp - 512) & ~15UL;
	frame.ss = FLAT_USER_SS;
	pv_printf("iret_user_no_l4: HYPERVISOR_iret to user mode, no user L4\n");
	pv_trap_resume(&frame);
}
