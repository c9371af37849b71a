/*
 * Event channels, Xen's two-level ABI (common/event_channel.c), and how the
 * rest of the hypervisor raises events.
 */
#ifndef LAMINA_EVENT_H
#define LAMINA_EVENT_H

#include <stdint.h>
#include <stdbool.h>

struct domain;
struct vcpu;

#define NR_EVTCHN_PORTS  4096   /* 64-bit two-level: 64 x 64 */
#define NR_VIRQS         24

/* Per-domain set-up and teardown (teardown closes every port and
 * closes the remote end of interdomain channels). */
int evtchn_domain_init(struct domain *d);
void evtchn_domain_destroy(struct domain *d);
/* The FIFO control-block and event-array frames d's table holds writable
 * (the frame audit counts them); at most max, returns how many. */
unsigned int evtchn_fifo_frames(const struct domain *d, uint64_t *mfns,
				unsigned int max);

/* Raise a virtual IRQ bound on v (no-op if unbound). */
void send_guest_virq(struct vcpu *v, unsigned int virq);
/* Raise a global VIRQ (VIRQ_DOM_EXC) on the initial domain, if it bound it. */
void send_global_virq(unsigned int virq);
/* Mark a port of d pending and notify its vCPU (used for console rings). */
void evtchn_notify_port(struct domain *d, unsigned int port);
/* Allocate a port of d bound to the hypervisor itself (console, xenstore);
 * returns the port or a negative errno. Sends from the guest on it call fn. */
int evtchn_alloc_hypervisor_port(struct domain *d, void (*fn)(struct domain *d,
				 unsigned int port));
/* Is any of these ports pending (for SCHEDOP_poll)? */
bool evtchn_port_is_pending(struct domain *d, unsigned int port);

long do_event_channel_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
			 uint64_t a5);

/*
 * Provided by the scheduler side (common/schedule.c): make sure v notices
 * pending events soon — wake it if blocked or polling; if it is running,
 * the event is delivered on its next return to guest context.
 */
void vcpu_kick(struct vcpu *v);

#endif
