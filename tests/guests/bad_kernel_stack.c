/*
 * bad_kernel_stack: stack_switch names an unmapped kernel stack, then user
 * code executes int3. Entering the kernel from user mode always switches
 * to that stack, so the hypervisor cannot write the #BP frame: the domain
 * must be crashed with a "fault while delivering" report.
 */
#include <libpv/hypercall.h>
#include <libpv/usermode.h>
#include "testlib.h"
#include "usermode_lab.h"

#define UNMAPPED_KERNEL_STACK 0xffffffffc0000000UL

extern const char bks_user_page[], bks_user_int3[];

/* The user code: int3, forever. */
asm(".pushsection .text\n"
    ".balign 4096\n"
    "bks_user_page:\n"
    "bks_user_int3:\n\t"
    "int3\n\t"
    "jmp bks_user_int3\n"
    ".balign 4096\n"
    ".popsection");

/* Must never run: the frame cannot be written. */
static void on_bp(struct pv_trap_frame *f)
{
	pv_printf("bad_kernel_stack: #BP handler ran at rsp %lx\n", f->rsp);
	pv_shutdown(SHUTDOWN_poweroff);
}

void kernel_main(start_info_t *si)
{
	long rc;

	(void)si;
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	pv_trap_set_handler(PV_TRAP_BP, on_bp);
	user_space_init(bks_user_page);
	rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, UNMAPPED_KERNEL_STACK);
	if (rc)
		pv_crash("bad_kernel_stack: stack_switch failed: %ld\n", rc);
	pv_printf("bad_kernel_stack: user int3 with kernel stack at unmapped %lx\n",
		  UNMAPPED_KERNEL_STACK);
	enter_user(user_va_of(bks_user_page, bks_user_int3));
}
