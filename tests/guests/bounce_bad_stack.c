/*
 * bounce_bad_stack: in guest kernel mode, move rsp to an unmapped address
 * and execute ud2 with a #UD handler registered. The hypervisor cannot
 * write the exception frame on that stack; it must crash the domain with
 * a "fault while delivering" report, not fault itself.
 */
#include <libpv/traps.h>
#include "testlib.h"

#define UNMAPPED_STACK 0x10000000UL

/* Must never run: the frame cannot be written. */
static void on_ud(struct pv_trap_frame *f)
{
	pv_printf("bounce_bad_stack: #UD handler ran at rsp %lx\n", f->rsp);
	pv_shutdown(SHUTDOWN_poweroff);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	pv_trap_set_handler(PV_TRAP_UD, on_ud);
	pv_printf("bounce_bad_stack: ud2 with rsp at unmapped %lx\n",
		  UNMAPPED_STACK);
	asm volatile("mov %0, %%rsp\n\tud2" : : "r"(UNMAPPED_STACK) : "memory");
	pv_crash("bounce_bad_stack: execution continued after ud2\n");
}
