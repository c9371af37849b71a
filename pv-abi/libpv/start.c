/*
 * libpv start of day: record start_info, pick the console (the ring in a
 * domain that is not the initial one, as Mini-OS and Linux do), hand over
 * to the guest's kernel_main, and power off if it returns.
 */
#include <libpv/console.h>
#include <libpv/console_ring.h>
#include <libpv/pv.h>
#include <libpv/traps.h>

start_info_t *pv_start_info;

/* Registers at pv_entry, filled in by entry.S before anything else runs. */
struct pv_trap_frame pv_boot_regs;

void pv_start(start_info_t *si)
{
	pv_start_info = si;
	(void)pv_console_ring_init();
	kernel_main(si);
	pv_shutdown(SHUTDOWN_poweroff);
}
