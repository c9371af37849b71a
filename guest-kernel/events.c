/*
 * Hypervisor callbacks. The kernel binds no event channel, so an event or
 * failsafe callback is unexpected: report it with the interrupted
 * registers and crash. The syscall callback is replaced by the real one
 * in syscall_init().
 */
#include <libpv/console.h>
#include <libpv/traps.h>
#include "kernel.h"

/* Any callback arriving now is a bug somewhere: say which and stop. */
static void unexpected_callback(struct pv_trap_frame *f)
{
	pv_printf("guest kernel: unexpected %s\n", pv_trap_name(f->vector));
	pv_trap_dump(f);
	pv_shutdown(SHUTDOWN_crash);
}

void events_init(void)
{
	long rc;

	pv_trap_set_handler(PV_VEC_EVENT, unexpected_callback);
	pv_trap_set_handler(PV_VEC_FAILSAFE, unexpected_callback);
	pv_trap_set_handler(PV_VEC_SYSCALL, unexpected_callback);
	rc = pv_callbacks_init();
	if (rc)
		pv_crash("callback registration failed: %ld\n", rc);
}
