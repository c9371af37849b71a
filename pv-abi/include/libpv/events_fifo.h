/*
 * A minimal FIFO event-channel consumer for libpv guests (Xen's FIFO ABI,
 * EVTCHNOP_init_control / expand_array). The guest gives it a page for
 * vCPU 0's control block and pages for the event array; pv_fifo_next()
 * takes events off the queues the way Linux does: highest priority first,
 * in arrival order within a priority.
 *
 * It only consumes; the caller decides what to do with each port (and
 * handles masking through pv_fifo_word / EVTCHNOP_unmask).
 */
#ifndef LIBPV_EVENTS_FIFO_H
#define LIBPV_EVENTS_FIFO_H

#include <stdbool.h>
#include <pv/event_channel.h>

#define PV_FIFO_MAX_PAGES 4     /* 4096 ports */

struct pv_fifo {
	evtchn_fifo_control_block_t *cb;
	event_word_t *page[PV_FIFO_MAX_PAGES];
	unsigned int nr_pages;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES];  /* where each queue resumes */
	uint32_t ready;                         /* queues taken from cb->ready */
};

/* The machine frame behind an address of the initial mapping. */
unsigned long pv_fifo_mfn(const void *va);

/* EVTCHNOP_init_control for vCPU 0 with the block at page + offset. */
long pv_fifo_init(struct pv_fifo *f, void *page, unsigned int offset);

/* Mask every word of page, then EVTCHNOP_expand_array with it. */
long pv_fifo_expand(struct pv_fifo *f, void *page);

/* The event word of port, or NULL beyond the pages added. */
event_word_t *pv_fifo_word(const struct pv_fifo *f, evtchn_port_t port);

/*
 * Take one entry off the highest-priority ready queue and clear its
 * PENDING bit. The control block's READY word is taken whole with an
 * atomic exchange (clearing one bit there could erase a bit the hypervisor
 * sets meanwhile for a queue it restarts). Returns its port if it was pending and unmasked, 0 if no
 * queue is ready, ~0u for an entry the guest had already dealt with.
 */
evtchn_port_t pv_fifo_next(struct pv_fifo *f);

#endif /* LIBPV_EVENTS_FIFO_H */
