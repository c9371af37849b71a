/*
 * FIFO event delivery (see lamina/evtchn_fifo.h), as Xen's
 * common/event_fifo.c: the same bits, the same queue rules and the same
 * bounded retry when the guest changes the tail's word under us.
 */
#include <lamina/evtchn_fifo.h>

#define BIT(n)          ((event_word_t)1 << (n))
/* Compare-and-swap attempts on a tail word once it is marked BUSY. */
#define LINK_TRIES      4

static bool word_test_and_set(event_word_t *w, unsigned int bit)
{
	return __atomic_fetch_or(w, BIT(bit), __ATOMIC_SEQ_CST) & BIT(bit);
}

static void word_clear(event_word_t *w, unsigned int bit)
{
	__atomic_fetch_and(w, ~BIT(bit), __ATOMIC_SEQ_CST);
}

static bool word_test(const event_word_t *w, unsigned int bit)
{
	return __atomic_load_n(w, __ATOMIC_SEQ_CST) & BIT(bit);
}

event_word_t *evtchn_fifo_word(const struct evtchn_fifo_array *a,
			       unsigned int port)
{
	unsigned int pg = port / EVTCHN_FIFO_WORDS_PER_PAGE;

	if (pg >= a->nr_pages || pg >= EVTCHN_FIFO_MAX_PAGES)
		return 0;
	return a->page[pg] + port % EVTCHN_FIFO_WORDS_PER_PAGE;
}

/*
 * One attempt to point the tail's LINK at port, if the tail is still
 * LINKED (else the guest consumed it and the queue is empty): 1 linked,
 * 0 not linked, -1 the word changed under us.
 */
static int try_link(event_word_t *tw, unsigned int port)
{
	event_word_t old = __atomic_load_n(tw, __ATOMIC_SEQ_CST), new;

	if (!(old & BIT(EVTCHN_FIFO_LINKED)))
		return 0;
	new = (old & ~(BIT(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | port;
	return __atomic_compare_exchange_n(tw, &old, new, false,
					   __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST) ? 1 : -1;
}

/*
 * Link port after the tail's word tw. The guest may only set or clear
 * MASKED, clear PENDING and clear LINKED on a linked word; BUSY tells it
 * not to unmask by itself, so a cooperating guest makes the swap fail a few
 * times at most. A hostile one gets its event dropped: like Xen, report it
 * linked after LINK_TRIES more attempts.
 */
static bool link_after(event_word_t *tw, unsigned int port)
{
	int r = try_link(tw, port);

	if (r >= 0)
		return r;
	__atomic_fetch_or(tw, BIT(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < LINK_TRIES; i++) {
		r = try_link(tw, port);
		if (r >= 0) {
			if (r == 0)
				word_clear(tw, EVTCHN_FIFO_BUSY);
			return r;
		}
	}
	word_clear(tw, EVTCHN_FIFO_BUSY);
	return true;
}

unsigned int evtchn_fifo_set_pending(const struct evtchn_fifo_array *a,
				     struct evtchn_fifo_vcpu *fv,
				     unsigned int vcpu_id,
				     struct evtchn_fifo_vcpu *last,
				     struct vcpu_info *vi,
				     struct evtchn_fifo_port *p,
				     unsigned int port)
{
	event_word_t *w = evtchn_fifo_word(a, port);
	unsigned int q = p->priority % EVTCHN_FIFO_MAX_QUEUES;
	unsigned int r = 0;
	bool linked = true;

	if (!w) {
		p->pending = true;
		return 0;
	}
	/* No control block: the guest cannot have unmasked anything yet. */
	if (!fv->cb)
		return 0;
	if (!word_test_and_set(w, EVTCHN_FIFO_PENDING))
		r |= EVTCHN_FIFO_NEWLY_PENDING;
	if (!word_test(w, EVTCHN_FIFO_MASKED) &&
	    !word_test_and_set(w, EVTCHN_FIFO_LINKED)) {
		unsigned int lq = p->last_priority % EVTCHN_FIFO_MAX_QUEUES;
		event_word_t *tw;

		/* The guest consumed it: a queue it ended is empty now. */
		if (last && last->tail[lq] == port)
			last->tail[lq] = 0;
		p->last_vcpu = (uint8_t)vcpu_id;
		p->last_priority = (uint8_t)q;
		tw = fv->tail[q] ? evtchn_fifo_word(a, fv->tail[q]) : 0;
		linked = tw && link_after(tw, port);
		if (!linked)
			__atomic_store_n(&fv->cb->head[q], port, __ATOMIC_SEQ_CST);
		fv->tail[q] = port;
	}
	/* A queue that was empty: tell the guest it has news. */
	if (!linked &&
	    !(__atomic_fetch_or(&fv->cb->ready, 1u << q, __ATOMIC_SEQ_CST) &
	      (1u << q)) &&
	    !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
		r |= EVTCHN_FIFO_UPCALL;
	return r;
}

unsigned int evtchn_fifo_unmask(const struct evtchn_fifo_array *a,
				struct evtchn_fifo_vcpu *fv,
				unsigned int vcpu_id,
				struct evtchn_fifo_vcpu *last,
				struct vcpu_info *vi,
				struct evtchn_fifo_port *p,
				unsigned int port)
{
	event_word_t *w = evtchn_fifo_word(a, port);

	if (!w)
		return 0;
	word_clear(w, EVTCHN_FIFO_MASKED);
	if (!word_test(w, EVTCHN_FIFO_PENDING))
		return 0;
	return evtchn_fifo_set_pending(a, fv, vcpu_id, last, vi, p, port);
}

void evtchn_fifo_clear_pending(const struct evtchn_fifo_array *a,
			       struct evtchn_fifo_port *p, unsigned int port)
{
	event_word_t *w = evtchn_fifo_word(a, port);

	p->pending = false;
	if (w)
		word_clear(w, EVTCHN_FIFO_PENDING);
}

bool evtchn_fifo_is_pending(const struct evtchn_fifo_array *a,
			    unsigned int port)
{
	const event_word_t *w = evtchn_fifo_word(a, port);

	return w && word_test(w, EVTCHN_FIFO_PENDING);
}

bool evtchn_fifo_is_busy(const struct evtchn_fifo_array *a, unsigned int port)
{
	const event_word_t *w = evtchn_fifo_word(a, port);

	return w && word_test(w, EVTCHN_FIFO_LINKED);
}
