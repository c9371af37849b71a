/*
 * Lamina guest kernel, first form: boots through the PV protocol, reports
 * what it was given, takes over its exceptions and callbacks, proves the
 * handlers work, and powers off.
 */
#include <libpv/console.h>
#include "kernel.h"

void kernel_main(start_info_t *si)
{
	pv_printf("Lamina guest kernel\n");
	bootinfo_print(si);
	traps_init();
	events_init();
	if (!traps_selftest())
		pv_crash("guest kernel: exception self-test failed\n");
	pv_printf("guest kernel: all done, powering off\n");
	pv_shutdown(SHUTDOWN_poweroff);
}
