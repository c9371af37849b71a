/*
 * libpv's FIFO event consumer (see libpv/events_fifo.h).
 */
#include <libpv/events_fifo.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <pv/errno.h>

#define WORDS_PER_PAGE 1024u
#define FW(bit)        ((event_word_t)1 << EVTCHN_FIFO_##bit)

unsigned long pv_fifo_mfn(const void *va)
{
	return pv_pfn_to_mfn(pv_virt_to_pfn(va));
}

long pv_fifo_init(struct pv_fifo *f, void *page, unsigned int offset)
{
	struct evtchn_init_control ic = {
		.control_gfn = pv_fifo_mfn(page), .offset = offset, .vcpu = 0,
	};
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic);

	if (rc)
		return rc;
	f->cb = (void *)((char *)page + offset);
	f->nr_pages = 0;
	f->ready = 0;
	for (unsigned int q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
		f->head[q] = 0;
	return 0;
}

long pv_fifo_expand(struct pv_fifo *f, void *page)
{
	struct evtchn_expand_array ea = { .array_gfn = pv_fifo_mfn(page) };
	event_word_t *w = page;
	long rc;

	if (f->nr_pages >= PV_FIFO_MAX_PAGES)
		return -XEN_ENOSPC;
	for (unsigned int i = 0; i < WORDS_PER_PAGE; i++)
		w[i] = FW(MASKED);
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea);
	if (!rc)
		f->page[f->nr_pages++] = w;
	return rc;
}

event_word_t *pv_fifo_word(const struct pv_fifo *f, evtchn_port_t port)
{
	unsigned int pg = port / WORDS_PER_PAGE;

	return pg < f->nr_pages ? f->page[pg] + port % WORDS_PER_PAGE : 0;
}

/* Clear LINKED and LINK of w atomically; the old word. */
static event_word_t unlink(event_word_t *w)
{
	event_word_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST), new;

	do
		new = old & ~(FW(LINKED) | EVTCHN_FIFO_LINK_MASK);
	while (!__atomic_compare_exchange_n(w, &old, new, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return old;
}

evtchn_port_t pv_fifo_next(struct pv_fifo *f)
{
	event_word_t *w, old;
	evtchn_port_t port;
	unsigned int q;

	f->ready |= __atomic_exchange_n(&f->cb->ready, 0, __ATOMIC_SEQ_CST);
	if (!f->ready)
		return 0;
	q = (unsigned int)__builtin_ctz(f->ready);
	port = f->head[q];
	if (!port)
		port = __atomic_load_n(&f->cb->head[q], __ATOMIC_SEQ_CST);
	if (!(w = pv_fifo_word(f, port))) {
		/* A head we cannot read: drop the queue rather than loop. */
		f->ready &= ~(1u << q);
		f->head[q] = 0;
		return ~0u;
	}
	old = unlink(w);
	f->head[q] = old & EVTCHN_FIFO_LINK_MASK;
	if (!f->head[q])
		f->ready &= ~(1u << q);
	if ((old & FW(PENDING)) && !(old & FW(MASKED))) {
		__atomic_fetch_and(w, ~FW(PENDING), __ATOMIC_SEQ_CST);
		return port;
	}
	return ~0u;
}
