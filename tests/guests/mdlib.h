/*
 * mdlib: helpers shared by the multi-domain test guests (pingpong,
 * spinshare, isolation, evtmisuse, wallclock). Built on libpv and testlib.
 *
 * Event ports are used without the upcall: vCPU 0 keeps events masked
 * (evtchn_upcall_mask = 1, as started), and a guest waits for a port with
 * SCHEDOP_poll, then reads and clears the port's pending bit itself.
 */
#ifndef MDLIB_H
#define MDLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <pv/event_channel.h>
#include "testlib.h"

#define MD_MS 1000000UL         /* ns per ms */

/* Install the trap table and map shared_info; crash the domain if not. */
void md_init(void);

/* System time in ns (vCPU 0's pvclock). */
uint64_t md_now(void);

/* Number key=value from the command line, or def when absent. */
unsigned long md_arg(const char *key, unsigned long def);

/* Is key=value on the command line with exactly this value? */
bool md_arg_is(const char *key, const char *value);

/* VCPUOP_get_runstate_info of vCPU 0: ns spent running (0 on error). */
uint64_t md_running_ns(void);

/* EVTCHNOP wrappers: the hypercall's result; out-pointers may be NULL. */
long md_alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port);
long md_bind_interdomain(domid_t rdom, evtchn_port_t rport,
			 evtchn_port_t *local);
long md_bind_virq(uint32_t virq, evtchn_port_t *port);
long md_send(evtchn_port_t port);
long md_close(evtchn_port_t port);
long md_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

/* The two-level pending bit of a port of ours: read, and clear. */
bool md_pending(evtchn_port_t port);
void md_clear_pending(evtchn_port_t port);

/*
 * Wait until port is pending (SCHEDOP_poll), then clear it. Gives up after
 * timeout_ns of system time: true if the event came.
 */
bool md_wait_port(evtchn_port_t port, uint64_t timeout_ns);

/* Does domain id still exist (EVTCHNOP_status answers, not -ESRCH)? */
bool md_domain_alive(domid_t id);

/* SCHEDOP_yield. */
void md_yield(void);

#endif /* MDLIB_H */
