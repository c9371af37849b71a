/*
 * Hypervisor callbacks. The event callback runs libpv's two-level
 * demultiplexer (port handlers: timer.c, console.c), then lets the
 * scheduler act on a timer event, which may switch the interrupted user
 * process for another. A failsafe callback is unexpected: report it with
 * the interrupted registers and crash. The syscall callback is replaced by
 * the real one in syscall_init().
 */
#include <libpv/console.h>
#include <libpv/events.h>
#include <libpv/traps.h>
#include "kernel.h"

/* Any callback arriving now is a bug somewhere: say which and stop. */
static void unexpected_callback(struct pv_trap_frame *f)
{
	pv_printf("guest kernel: unexpected %s\n", pv_trap_name(f->vector));
	pv_trap_dump(f);
	pv_shutdown(SHUTDOWN_crash);
}

/* Event upcall: every pending port first, then scheduling decisions. */
static void on_event(struct pv_trap_frame *f)
{
	pv_events_handle(f);
	if (timer_take_event())
		sched_timer_event(f);
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

void events_start(void)
{
	if (!pv_events_init())
		pv_crash("events: shared_info is not mapped\n");
	pv_trap_set_handler(PV_VEC_EVENT, on_event);
}
