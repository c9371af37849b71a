/*
 * Lamina PV ABI: HYPERVISOR_event_channel_op(cmd, arg).
 *
 * An event channel is a port number in a domain; sending on one end sets
 * the pending bit of the other end (see shared_info) and may upcall.
 */
#ifndef LAMINA_PV_EVENT_CHANNEL_H
#define LAMINA_PV_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain  0  /* struct evtchn_bind_interdomain */
#define EVTCHNOP_bind_virq         1  /* struct evtchn_bind_virq */
#define EVTCHNOP_bind_pirq         2  /* struct evtchn_bind_pirq */
#define EVTCHNOP_close             3  /* struct evtchn_close */
#define EVTCHNOP_send              4  /* struct evtchn_send */
#define EVTCHNOP_status            5  /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound     6  /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi          7  /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu         8  /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask            9  /* struct evtchn_unmask */
#define EVTCHNOP_reset            10  /* struct evtchn_reset */
#define EVTCHNOP_init_control     11  /* struct evtchn_init_control (FIFO) */
#define EVTCHNOP_expand_array     12  /* struct evtchn_expand_array (FIFO) */
#define EVTCHNOP_set_priority     13  /* struct evtchn_set_priority (FIFO) */

/* evtchn_bind_pirq.flags: the physical IRQ may be shared. */
#define BIND_PIRQ__WILL_SHARE 1

/* evtchn_status.status values. */
#define EVTCHNSTAT_closed      0  /* not in use */
#define EVTCHNSTAT_unbound     1  /* waiting for a remote domain */
#define EVTCHNSTAT_interdomain 2  /* connected to a remote port */
#define EVTCHNSTAT_pirq        3  /* bound to a physical IRQ */
#define EVTCHNSTAT_virq        4  /* bound to a virtual IRQ */
#define EVTCHNSTAT_ipi         5  /* bound to an IPI */

/* Ports in the two-level scheme: one bit per port in a word of words. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/* FIFO scheme: priorities 0 (highest) .. 15, and event word bits. */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)
#define EVTCHN_FIFO_PENDING          31
#define EVTCHN_FIFO_MASKED           30
#define EVTCHN_FIFO_LINKED           29
#define EVTCHN_FIFO_BUSY             28
#define EVTCHN_FIFO_LINK_BITS        17
#define EVTCHN_FIFO_LINK_MASK        ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS      (1 << EVTCHN_FIFO_LINK_BITS)

#ifndef __ASSEMBLY__

typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/* Make a port in dom that remote_dom may later bind to. */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;    /* in */
	evtchn_port_t port;         /* out */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/* Connect a new local port to an unbound port of another domain. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;         /* in */
	evtchn_port_t remote_port;  /* in */
	evtchn_port_t local_port;   /* out */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/* Bind a virtual IRQ (VIRQ_*) of a vCPU to a new port. */
struct evtchn_bind_virq {
	uint32_t virq;              /* in */
	uint32_t vcpu;              /* in */
	evtchn_port_t port;         /* out */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/* Bind a physical IRQ to a new port (privileged). */
struct evtchn_bind_pirq {
	uint32_t pirq;              /* in */
	uint32_t flags;             /* in: BIND_PIRQ__* */
	evtchn_port_t port;         /* out */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

/* Make a port for inter-vCPU notification, delivered to vcpu. */
struct evtchn_bind_ipi {
	uint32_t vcpu;              /* in */
	evtchn_port_t port;         /* out */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/* Close a local port (the remote end becomes unbound). */
struct evtchn_close {
	evtchn_port_t port;
};
typedef struct evtchn_close evtchn_close_t;

/* Notify the other end of a port. */
struct evtchn_send {
	evtchn_port_t port;
};
typedef struct evtchn_send evtchn_send_t;

/* Describe a port of dom. */
struct evtchn_status {
	domid_t dom;                /* in */
	evtchn_port_t port;         /* in */
	uint32_t status;            /* out: EVTCHNSTAT_* */
	uint32_t vcpu;              /* out: vCPU notified */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};
typedef struct evtchn_status evtchn_status_t;

/* Deliver a port's notifications to another vCPU. */
struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/* Clear a port's mask bit, delivering it if it is pending. */
struct evtchn_unmask {
	evtchn_port_t port;
};
typedef struct evtchn_unmask evtchn_unmask_t;

/* Close every port of a domain. */
struct evtchn_reset {
	domid_t dom;
};
typedef struct evtchn_reset evtchn_reset_t;

/* Switch a vCPU to the FIFO scheme with its control block at control_gfn:offset. */
struct evtchn_init_control {
	uint64_t control_gfn;       /* in */
	uint32_t offset;            /* in */
	uint32_t vcpu;              /* in */
	uint8_t link_bits;          /* out */
	uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/* Add a page of FIFO event words. */
struct evtchn_expand_array {
	uint64_t array_gfn;
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/* Set the FIFO priority of a port. */
struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* The argument of the old event_channel_op_compat hypercall. */
struct evtchn_op {
	uint32_t cmd;               /* EVTCHNOP_* */
	union {
		evtchn_alloc_unbound_t alloc_unbound;
		evtchn_bind_interdomain_t bind_interdomain;
		evtchn_bind_virq_t bind_virq;
		evtchn_bind_pirq_t bind_pirq;
		evtchn_bind_ipi_t bind_ipi;
		evtchn_close_t close;
		evtchn_send_t send;
		evtchn_status_t status;
		evtchn_bind_vcpu_t bind_vcpu;
		evtchn_unmask_t unmask;
	} u;
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);

/* FIFO scheme: one event word per port, and a control block per vCPU. */
typedef uint32_t event_word_t;

struct evtchn_fifo_control_block {
	uint32_t ready;             /* bit per queue with new events */
	uint32_t _rsvd;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_EVENT_CHANNEL_H */
