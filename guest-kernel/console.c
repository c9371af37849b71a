/*
 * Console: domain 0 prints with console_io (libpv's default); any other
 * domain through its PV console ring (start_info.console.domU), which the
 * hypervisor prints with the "(dN) " prefix. Input on the ring is read
 * and dropped: no process reads the console.
 */
#include <libpv/console.h>
#include <libpv/console_ring.h>
#include <libpv/events.h>
#include "kernel.h"

static bool using_ring;

void console_init(void)
{
	using_ring = pv_console_ring_init();
}

/* The ring's port fired: input arrived (or output was consumed). */
static void on_console_port(evtchn_port_t port, struct pv_trap_frame *f,
			    void *data)
{
	char discard[64];

	(void)port, (void)f, (void)data;
	while (pv_console_ring_read(discard, sizeof(discard)))
		;
}

void console_start_input(void)
{
	int rc;

	if (!using_ring)
		return;
	rc = pv_bind_port(pv_console_ring_port(), on_console_port, NULL);
	if (rc)
		pv_crash("console: cannot bind port %u: %d\n",
			 pv_console_ring_port(), rc);
	pv_printf("console: PV console ring, event channel %u\n",
		  pv_console_ring_port());
}
