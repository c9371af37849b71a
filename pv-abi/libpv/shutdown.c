/* Ending the domain: SCHEDOP_shutdown with a reason code. */
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>

void pv_shutdown(unsigned int reason)
{
	struct sched_shutdown arg = { .reason = reason };

	for (;;) {
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &arg);
		/* Refused or not yet acted on: give the CPU away and retry. */
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
}

void pv_crash(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pv_vprintf(fmt, ap);
	va_end(ap);
	pv_shutdown(SHUTDOWN_crash);
}
