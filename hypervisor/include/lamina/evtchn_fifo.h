/*
 * The FIFO event ABI's queue logic (common/evtchn_fifo.c), Xen 4.17's
 * semantics (common/event_fifo.c). Each port has a 32-bit event word in a
 * guest page of the event array (PENDING, MASKED, LINKED, BUSY and a 17-bit
 * LINK to the next port); each vCPU has a control block in a guest page
 * with a READY bit and a HEAD port per priority queue.
 *
 * The guest consumes the queues on other CPUs at any time and owns those
 * pages, so every update is atomic and nothing read from them is trusted:
 * the hypervisor keeps each queue's tail itself, only ever writes the
 * tail's LINK and the HEAD, never follows a LINK, and gives up after a
 * bounded number of compare-and-swap attempts.
 *
 * Pure: it touches only the memory it is given, so host tests use it as is.
 */
#ifndef LAMINA_EVTCHN_FIFO_H
#define LAMINA_EVTCHN_FIFO_H

#include <stdbool.h>
#include <stdint.h>
#include <lamina/event.h>
#include <pv/event_channel.h>
#include <pv/xen.h>

#define EVTCHN_FIFO_WORDS_PER_PAGE  1024u   /* 4 KiB of 4-byte words */
/* Event-array pages a domain may add: enough for every port it can have
 * (Xen allows 128 for its 2^17 ports; Lamina's port table stops at 4096). */
#define EVTCHN_FIFO_MAX_PAGES (NR_EVTCHN_PORTS / EVTCHN_FIFO_WORDS_PER_PAGE)

/* The event array: pages the guest added with EVTCHNOP_expand_array. */
struct evtchn_fifo_array {
	unsigned int nr_pages;
	event_word_t *page[EVTCHN_FIFO_MAX_PAGES];
};

/* One vCPU's queues. */
struct evtchn_fifo_vcpu {
	struct evtchn_fifo_control_block *cb;   /* NULL: no init_control yet */
	uint32_t tail[EVTCHN_FIFO_MAX_QUEUES];  /* last port linked; 0: none */
};

/* A port's FIFO state, kept in the hypervisor's port table. */
struct evtchn_fifo_port {
	uint8_t priority;       /* queue its next event goes to */
	uint8_t last_priority;  /* queue it was last linked on ... */
	uint8_t last_vcpu;      /* ... of this vCPU */
	bool pending;           /* raised while it had no event word */
};

/* What raising a port changed (bits). */
#define EVTCHN_FIFO_NEWLY_PENDING 1u    /* PENDING went 0 -> 1: wake pollers */
#define EVTCHN_FIFO_UPCALL        2u    /* evtchn_upcall_pending went 0 -> 1 */

/* The event word of port, or NULL if its page was not added yet. */
event_word_t *evtchn_fifo_word(const struct evtchn_fifo_array *a,
			       unsigned int port);

/*
 * Mark port pending and, if it is neither masked nor already linked, link
 * it at the tail of its priority queue on vCPU vcpu_id (fv, whose
 * vcpu_info is vi); last is the vCPU it was last linked on. A port without
 * an event word only records p->pending, raised again by expand_array.
 */
unsigned int evtchn_fifo_set_pending(const struct evtchn_fifo_array *a,
				     struct evtchn_fifo_vcpu *fv,
				     unsigned int vcpu_id,
				     struct evtchn_fifo_vcpu *last,
				     struct vcpu_info *vi,
				     struct evtchn_fifo_port *p,
				     unsigned int port);
/* EVTCHNOP_unmask: clear MASKED, and link the port if it is pending. */
unsigned int evtchn_fifo_unmask(const struct evtchn_fifo_array *a,
				struct evtchn_fifo_vcpu *fv,
				unsigned int vcpu_id,
				struct evtchn_fifo_vcpu *last,
				struct vcpu_info *vi,
				struct evtchn_fifo_port *p,
				unsigned int port);
/* Clear PENDING (the guest unlinks non-pending events itself). */
void evtchn_fifo_clear_pending(const struct evtchn_fifo_array *a,
			       struct evtchn_fifo_port *p, unsigned int port);
bool evtchn_fifo_is_pending(const struct evtchn_fifo_array *a,
			    unsigned int port);
/* Still on a queue (LINKED): not reusable yet, as in Xen. */
bool evtchn_fifo_is_busy(const struct evtchn_fifo_array *a, unsigned int port);

#endif
