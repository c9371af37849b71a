/*
 * Event channels for libpv guests (Xen's two-level ABI).
 *
 * The hypervisor marks a port pending by setting its bit in
 * shared_info.evtchn_pending[], the bit of its word in
 * vcpu_info.evtchn_pending_sel, and vcpu_info.evtchn_upcall_pending; when
 * evtchn_upcall_mask is clear it enters the event callback (PV_VEC_EVENT)
 * with the mask set. pv_events_handle() is the demultiplexer: it consumes
 * those bits and calls the handler bound to each pending, unmasked port.
 *
 * Set-up: pv_map_shared_info() (usermode.h), pv_callbacks_init() (traps.h),
 * then pv_events_init(), then bind ports. Only vCPU 0 is handled.
 */
#ifndef LIBPV_EVENTS_H
#define LIBPV_EVENTS_H

#include <stdbool.h>
#include <libpv/traps.h>
#include <pv/event_channel.h>

/* Ports a handler can be bound to: 0 .. PV_EVENTS_MAX_PORTS-1. */
#define PV_EVENTS_MAX_PORTS 1024

/*
 * A port's handler, called from the event callback with events masked.
 * frame is the interrupted context (user or kernel, see frame->cs RPL); a
 * handler should only record what happened, as further ports may still be
 * pending: act on the frame after pv_events_handle() returns.
 */
typedef void (*pv_event_handler_t)(evtchn_port_t port,
				   struct pv_trap_frame *frame, void *data);

/*
 * Start demultiplexing: install pv_events_handle() as the PV_VEC_EVENT
 * handler. Needs the shared_info mapping; false without it.
 */
bool pv_events_init(void);

/*
 * Consume every pending, unmasked port and call its handler; ports with no
 * handler are cleared and counted in pv_events_spurious. A guest with its
 * own PV_VEC_EVENT handler calls this first.
 */
void pv_events_handle(struct pv_trap_frame *frame);

/* Events that arrived on a port without a handler. */
extern unsigned long pv_events_spurious;

/* Call fn(port, frame, data) for events on an existing port, then unmask it. */
int pv_bind_port(evtchn_port_t port, pv_event_handler_t fn, void *data);

/* Bind virtual IRQ virq (VIRQ_*) of vCPU 0 to a new port with handler fn:
 * the port, or a negative XEN_E* error. */
long pv_bind_virq(unsigned int virq, pv_event_handler_t fn, void *data);

/* Stop a port's upcalls (set its mask bit) / restart them (EVTCHNOP_unmask,
 * which delivers an event that became pending while masked). */
void pv_mask_port(evtchn_port_t port);
long pv_unmask_port(evtchn_port_t port);

/* Notify the other end of a port (EVTCHNOP_send). */
long pv_notify_port(evtchn_port_t port);

/*
 * The vCPU's event mask (its virtual interrupt flag). pv_events_enable
 * clears it and, if an event is already pending, has it delivered at once;
 * pv_events_disable sets it and says whether events were enabled before.
 */
void pv_events_enable(void);
bool pv_events_disable(void);

#endif /* LIBPV_EVENTS_H */
