/*
 * The guest kernel's clock: VIRQ_TIMER bound to an event channel, a 10 ms
 * periodic tick (VCPUOP_set_periodic_timer) that drives preemption, and a
 * singleshot deadline (set_timer_op) for the earliest sleeping process.
 * The hypervisor runs the periodic timer only while this vCPU runs, so
 * when the kernel blocks idle only the deadline wakes it.
 */
#include <libpv/console.h>
#include <libpv/events.h>
#include <libpv/time.h>
#include "kernel.h"

static volatile bool timer_fired;

/* Port handler: only note it; the scheduler acts once all ports are done. */
static void on_timer_port(evtchn_port_t port, struct pv_trap_frame *f, void *data)
{
	(void)port, (void)f, (void)data;
	timer_fired = true;
}

void timer_init(void)
{
	long port = pv_bind_virq(VIRQ_TIMER, on_timer_port, NULL);
	long rc;

	if (port < 0)
		pv_crash("timer: binding VIRQ_TIMER failed: %ld\n", port);
	if ((rc = pv_set_periodic_timer(TICK_NS)))
		pv_crash("timer: set_periodic_timer failed: %ld\n", rc);
	pv_printf("timer: VIRQ_TIMER on port %ld, tick %llu ms\n", port,
		  TICK_NS / PV_NS_PER_MS);
}

void timer_stop(void)
{
	(void)pv_set_periodic_timer(0);
	(void)pv_set_timer(0);
}

bool timer_take_event(void)
{
	bool fired = timer_fired;

	timer_fired = false;
	return fired;
}

void timer_wake_at(uint64_t deadline_ns)
{
	long rc = pv_set_timer(deadline_ns);

	if (rc)
		pv_crash("timer: set_timer_op failed: %ld\n", rc);
}
