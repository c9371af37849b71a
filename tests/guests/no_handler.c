/*
 * no_handler: installs no trap table and executes ud2. With no handler to
 * bounce the #UD to, the hypervisor must end the domain as crashed and
 * report it (xen/arch/x86/pv/traps.c pv_inject_event: a null handler
 * address crashes the domain). Reaching the line after ud2 is a failure.
 */
#include <libpv/console.h>
#include <libpv/pv.h>

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("no_handler: executing ud2 with no trap table\n");
	asm volatile("ud2" ::: "memory");
	pv_printf("FAIL no_handler: execution continued after ud2\n");
	pv_shutdown(SHUTDOWN_poweroff);
}
