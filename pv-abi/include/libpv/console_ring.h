/*
 * The PV console ring of an unprivileged domain (start_info.console.domU:
 * a struct xencons_interface page, pv/io/console.h, and an event channel).
 * Output: bytes go into out[], out_prod advances, the port is notified;
 * the console backend prints them and advances out_cons. Input arrives in
 * in[] with a notification on the same port.
 */
#ifndef LIBPV_CONSOLE_RING_H
#define LIBPV_CONSOLE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <pv/event_channel.h>

/*
 * In a domain without SIF_INITDOMAIN, map the console ring (it lies in the
 * initial mapping) and make it libpv's console writer. Returns true when
 * the ring is in use; false in domain 0, which keeps console_io. libpv's
 * start of day calls it before kernel_main; calling it again is harmless.
 */
bool pv_console_ring_init(void);

/* The ring's event channel (valid once pv_console_ring_init returned true). */
evtchn_port_t pv_console_ring_port(void);

/* Write len bytes to the ring, waiting (SCHEDOP_yield) while it is full;
 * gives up on the rest if the ring's port no longer reaches the backend. */
void pv_console_ring_write(const char *text, size_t len);

/* Take up to size bytes of input from the ring: the count taken. */
size_t pv_console_ring_read(char *buf, size_t size);

#endif /* LIBPV_CONSOLE_RING_H */
