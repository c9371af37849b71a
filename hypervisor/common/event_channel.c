/*
 * Event channels: HYPERVISOR_event_channel_op and the hypervisor's own
 * ways of raising events (lamina/event.h), with Xen 4.17's semantics
 * (common/event_channel.c) over the two-level ABI (common/evtchn_2l.c) or,
 * once the guest asks with EVTCHNOP_init_control, the FIFO ABI
 * (common/evtchn_fifo.c).
 *
 * Each domain has a table of NR_EVTCHN_PORTS ports; port 0 is reserved and
 * never handed out. A port is free, unbound (waiting for remote_dom to
 * bind to it), interdomain (connected to a port of a domain, maybe the
 * same one), a VIRQ or an IPI. Refusals and their order follow Xen:
 *  - a port number >= NR_EVTCHN_PORTS is -EINVAL; every port below it is
 *    "valid" (status says closed; unmask works on its bits). Xen's valid
 *    range grows in buckets, so it may say -EINVAL for an unused high port
 *    where Lamina says closed.
 *  - send on an unbound port is dropped and returns 0 (also when the peer
 *    closed an interdomain channel: this end is then unbound); on a free,
 *    reserved or VIRQ port it is -EINVAL.
 *  - acting on another domain (alloc_unbound, status, reset) needs the
 *    privileged domain, else -EPERM, checked before anything about that
 *    domain's ports (Xen looks for a free port first, and so tells an
 *    unprivileged caller whether another domain's table is full); reset
 *    of another domain is -EINVAL even then, since Lamina has no
 *    controller pause (Xen's condition).
 *  - global VIRQs (VIRQ_DOM_EXC) reach the initial domain only.
 *  - bind_pirq is -EINVAL (a PV domain has no pirqs).
 *
 * FIFO: init_control maps a vCPU's control block and switches the domain
 * from the two-level bits to event words; ports pending then are raised
 * again as expand_array adds the pages holding their words. reset closes
 * every port and returns to two-level, as in Xen. The control block and
 * array frames hold the frame rule's writable reference (docs/memory.md)
 * until then or until teardown.
 *
 * Hypervisor ports (console and xenstore rings of a domain the hypervisor
 * serves) are unbound to DOMID_XEN and marked as served: a send on one calls
 * the hypervisor's function, evtchn_notify_port() raises it. Towards the
 * guest they behave like the interdomain port to a backend they are in Xen:
 * it may close or move them; once closed the hypervisor's end is gone.
 *
 * One CPU runs everything, and no hypercall is preempted, so the table has
 * no lock; only the shared_info bits, which the guest writes too, are
 * updated atomically.
 */
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/evtchn_2l.h>
#include <lamina/evtchn_fifo.h>
#include <lamina/guest_access.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <pv/errno.h>
#include <pv/event_channel.h>
#include <pv/xen.h>

enum evtchn_state {
	ECS_FREE,
	ECS_RESERVED,           /* port 0 */
	ECS_UNBOUND,            /* remote_dom may bind to it */
	ECS_INTERDOMAIN,        /* connected to remote_dom's remote_port */
	ECS_VIRQ,
	ECS_IPI,
};

typedef void evtchn_hv_fn(struct domain *d, unsigned int port);

struct evtchn {
	uint8_t state;          /* enum evtchn_state */
	uint8_t virq;           /* ECS_VIRQ */
	bool hv_served;         /* the hypervisor is the remote end */
	domid_t remote_dom;     /* ECS_UNBOUND, ECS_INTERDOMAIN */
	uint32_t remote_port;   /* ECS_INTERDOMAIN */
	uint32_t notify_vcpu;   /* vCPU whose selector and upcall it raises */
	struct evtchn_fifo_port fifo;
	evtchn_hv_fn *hv_fn;    /* hv_served: called on a guest send, or NULL */
};

struct evtchn_table {
	struct evtchn port[NR_EVTCHN_PORTS];
	bool fifo;                              /* FIFO ABI, else two-level */
	struct evtchn_fifo_array fifo_array;
	uint64_t fifo_array_mfn[EVTCHN_FIFO_MAX_PAGES];
	struct evtchn_fifo_vcpu fifo_vcpu[MAX_VCPUS_PER_DOM];
	uint64_t fifo_cb_mfn[MAX_VCPUS_PER_DOM];
};

/* Table pages, as alloc_xenheap rounds them. */
#define EVTCHN_TABLE_PAGES \
	((sizeof(struct evtchn_table) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/* VIRQs bound per vCPU; all others (DOM_EXC, CONSOLE, ARCH_*...) are global
 * and bound on vCPU 0 only (Xen's virq_is_global, x86 arch VIRQs global). */
static bool virq_is_global(unsigned int virq)
{
	switch (virq) {
	case VIRQ_TIMER:
	case VIRQ_DEBUG:
	case VIRQ_XENOPROF:
	case VIRQ_XENPMU:
		return false;
	}
	return true;
}

/* A domain with an event table, by real id. NULL if none. */
static struct domain *evtchn_domain(domid_t id)
{
	struct domain *d = id < MAX_DOMAINS ? domains[id] : NULL;

	return d && d->evtchn ? d : NULL;
}

/* As evtchn_domain, DOMID_SELF naming the caller. */
static struct domain *evtchn_domain_any(domid_t id)
{
	return evtchn_domain(id == DOMID_SELF ? current->domain->domain_id : id);
}

/* May the caller act on d's ports (Xen's XSM_TARGET default)? */
static bool may_control(const struct domain *d)
{
	return d == current->domain || current->domain->privileged;
}

static struct evtchn *port_chn(struct domain *d, unsigned int port)
{
	return &d->evtchn->port[port];
}

/* The vCPU of d with this id, or NULL. */
static struct vcpu *domain_vcpu(struct domain *d, unsigned int id)
{
	return id < d->nr_vcpus && id < MAX_VCPUS_PER_DOM ? d->vcpus[id] : NULL;
}

/* Lowest free port of d (never 0), or -ENOSPC. A FIFO port still on a
 * queue (LINKED) is not reused until the guest consumes it, as in Xen. */
static int get_free_port(struct domain *d)
{
	struct evtchn_table *t = d->evtchn;

	for (unsigned int port = 1; port < NR_EVTCHN_PORTS; port++)
		if (t->port[port].state == ECS_FREE &&
		    !(t->fifo && evtchn_fifo_is_busy(&t->fifo_array, port)))
			return (int)port;
	return -XEN_ENOSPC;
}

/* Is v blocked in SCHEDOP_poll on port? */
static bool vcpu_polls(const struct vcpu *v, unsigned int port)
{
	unsigned int n = sizeof(v->poll_ports) / sizeof(v->poll_ports[0]);

	if (!v->blocked)
		return false;
	for (unsigned int i = 0; i < v->nr_poll_ports && i < n; i++)
		if (v->poll_ports[i] == port)
			return true;
	return false;
}

/* The FIFO queues chn was last linked on (NULL if that vCPU is gone). */
static struct evtchn_fifo_vcpu *fifo_last(struct domain *d,
					  const struct evtchn *chn)
{
	unsigned int id = chn->fifo.last_vcpu;

	return domain_vcpu(d, id) ? &d->evtchn->fifo_vcpu[id] : NULL;
}

/* Raise or unmask port in FIFO mode for v; the evtchn_fifo.h result. */
static unsigned int fifo_raise(struct domain *d, struct vcpu *v,
			       unsigned int port, bool unmask)
{
	struct evtchn_table *t = d->evtchn;
	struct evtchn *chn = port_chn(d, port);
	struct evtchn_fifo_vcpu *fv = &t->fifo_vcpu[v->vcpu_id];

	if (unmask)
		return evtchn_fifo_unmask(&t->fifo_array, fv, v->vcpu_id,
					  fifo_last(d, chn), v->vcpu_info,
					  &chn->fifo, port);
	return evtchn_fifo_set_pending(&t->fifo_array, fv, v->vcpu_id,
				       fifo_last(d, chn), v->vcpu_info,
				       &chn->fifo, port);
}

/*
 * evtchn_set_pending and unmask_port in FIFO mode: kick the vCPU if it got
 * an upcall or polls a newly pending port. Out of line, so the two-level
 * path pays only the mode test.
 */
static __attribute__((noinline)) void fifo_set_pending(struct domain *d,
						       unsigned int port,
						       bool unmask)
{
	struct vcpu *v = domain_vcpu(d, port_chn(d, port)->notify_vcpu);
	unsigned int r;

	if (!v || !v->vcpu_info || !d->shared_info)
		return;
	r = fifo_raise(d, v, port, unmask);
	if ((r & EVTCHN_FIFO_UPCALL) ||
	    ((r & EVTCHN_FIFO_NEWLY_PENDING) && vcpu_polls(v, port)))
		vcpu_kick(v);
}

/*
 * Mark d's port pending for the vCPU it notifies (its selector and upcall
 * flag): an upcall if unmasked wakes that vCPU; a newly pending port also
 * wakes every vCPU of d polling it, whichever vCPU it notifies (Xen's
 * evtchn_check_pollers).
 */
static void evtchn_set_pending(struct domain *d, unsigned int port)
{
	struct vcpu *v;
	enum evtchn_2l_raise r;

	if (__builtin_expect(d->evtchn->fifo, 0)) {
		fifo_set_pending(d, port, false);
		return;
	}
	v = domain_vcpu(d, port_chn(d, port)->notify_vcpu);
	if (!v || !v->vcpu_info || !d->shared_info)
		return;
	r = evtchn_2l_set_pending(d->shared_info, v->vcpu_info, port);
	if (r == EVTCHN_2L_UPCALL)
		vcpu_kick(v);
	if (r == EVTCHN_2L_ALREADY_PENDING)
		return;
	for (unsigned int i = 0; i < d->nr_vcpus && i < MAX_VCPUS_PER_DOM; i++)
		if (d->vcpus[i] && vcpu_polls(d->vcpus[i], port))
			vcpu_kick(d->vcpus[i]);
}

/*
 * Return a port to the free state, its pending bit cleared (Xen's
 * evtchn_free). The queue it was last linked on is kept: if it is still
 * that queue's tail, its next raise must know to start the queue afresh.
 */
static void free_port(struct domain *d, unsigned int port)
{
	struct evtchn *chn = port_chn(d, port);
	struct evtchn_fifo_port fifo = chn->fifo;

	if (d->evtchn->fifo)
		evtchn_fifo_clear_pending(&d->evtchn->fifo_array, &fifo, port);
	else if (d->shared_info)
		evtchn_2l_clear_pending(d->shared_info, port);
	fifo.pending = false;
	fifo.priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	*chn = (struct evtchn){ .state = ECS_FREE, .fifo = fifo };
}

/* Forget every vCPU's binding of chn's VIRQ to port. */
static void unbind_virq(struct domain *d, const struct evtchn *chn,
			unsigned int port)
{
	for (unsigned int i = 0; i < d->nr_vcpus && i < MAX_VCPUS_PER_DOM; i++)
		if (d->vcpus[i] && d->vcpus[i]->virq_to_port[chn->virq] == port)
			d->vcpus[i]->virq_to_port[chn->virq] = 0;
}

/* The peer of an interdomain port goes back to unbound, for d to rebind. */
static void disconnect_peer(struct domain *d, const struct evtchn *chn)
{
	struct domain *peer = evtchn_domain(chn->remote_dom);
	struct evtchn *rchn;

	if (!peer || chn->remote_port >= NR_EVTCHN_PORTS)
		return;
	rchn = port_chn(peer, chn->remote_port);
	if (rchn->state != ECS_INTERDOMAIN || rchn->remote_dom != d->domain_id)
		return;
	rchn->state = ECS_UNBOUND;
	rchn->remote_port = 0;
}

/* Close d's port (EVTCHNOP_close, reset, teardown). */
static long close_port(struct domain *d, unsigned int port)
{
	struct evtchn *chn;

	if (port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	chn = port_chn(d, port);
	switch (chn->state) {
	case ECS_FREE:
	case ECS_RESERVED:
		return -XEN_EINVAL;
	case ECS_VIRQ:
		unbind_virq(d, chn, port);
		break;
	case ECS_INTERDOMAIN:
		disconnect_peer(d, chn);
		break;
	}
	free_port(d, port);
	return 0;
}

/* EVTCHNOP_alloc_unbound: a port of dom that remote_dom may bind to. */
static long alloc_unbound(struct evtchn_alloc_unbound *a)
{
	struct domain *d = evtchn_domain_any(a->dom);
	struct evtchn *chn;
	int port;

	if (!d)
		return -XEN_ESRCH;
	/* Permission first: -ENOSPC would tell a stranger d's table is full. */
	if (!may_control(d))
		return -XEN_EPERM;
	if ((port = get_free_port(d)) < 0)
		return port;
	chn = port_chn(d, (unsigned int)port);
	chn->state = ECS_UNBOUND;
	chn->remote_dom = a->remote_dom == DOMID_SELF
		? current->domain->domain_id : a->remote_dom;
	a->port = (evtchn_port_t)port;
	return 0;
}

/*
 * EVTCHNOP_bind_interdomain: connect a new port to remote_dom's unbound
 * port that was allocated for us. The new port starts pending, since
 * sends on the unbound end were dropped.
 */
static long bind_interdomain(struct evtchn_bind_interdomain *b)
{
	struct domain *ld = current->domain, *rd;
	struct evtchn *lchn, *rchn;
	int lport;

	rd = evtchn_domain_any(b->remote_dom);
	if (!rd)
		return -XEN_ESRCH;
	if ((lport = get_free_port(ld)) < 0)
		return lport;
	if (b->remote_port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	rchn = port_chn(rd, b->remote_port);
	if (rchn->state != ECS_UNBOUND || rchn->hv_served ||
	    rchn->remote_dom != ld->domain_id)
		return -XEN_EINVAL;

	lchn = port_chn(ld, (unsigned int)lport);
	lchn->state = ECS_INTERDOMAIN;
	lchn->remote_dom = rd->domain_id;
	lchn->remote_port = b->remote_port;
	rchn->state = ECS_INTERDOMAIN;
	rchn->remote_port = (uint32_t)lport;
	evtchn_set_pending(ld, (unsigned int)lport);
	b->local_port = (evtchn_port_t)lport;
	return 0;
}

/* EVTCHNOP_bind_virq: a VIRQ of one of our vCPUs to a new port. */
static long bind_virq(struct evtchn_bind_virq *b)
{
	struct domain *d = current->domain;
	struct evtchn *chn;
	struct vcpu *v;
	int port;

	if (b->virq >= NR_VIRQS)
		return -XEN_EINVAL;
	if (virq_is_global(b->virq) && b->vcpu != 0)
		return -XEN_EINVAL;
	if (!(v = domain_vcpu(d, b->vcpu)))
		return -XEN_ENOENT;
	if (v->virq_to_port[b->virq])
		return -XEN_EEXIST;
	if ((port = get_free_port(d)) < 0)
		return port;
	chn = port_chn(d, (unsigned int)port);
	chn->state = ECS_VIRQ;
	chn->virq = (uint8_t)b->virq;
	chn->notify_vcpu = b->vcpu;
	v->virq_to_port[b->virq] = (uint32_t)port;
	b->port = (evtchn_port_t)port;
	return 0;
}

/* EVTCHNOP_bind_ipi: a port that notifies one of our vCPUs. */
static long bind_ipi(struct evtchn_bind_ipi *b)
{
	struct domain *d = current->domain;
	struct evtchn *chn;
	int port;

	if (!domain_vcpu(d, b->vcpu))
		return -XEN_ENOENT;
	if ((port = get_free_port(d)) < 0)
		return port;
	chn = port_chn(d, (unsigned int)port);
	chn->state = ECS_IPI;
	chn->notify_vcpu = b->vcpu;
	b->port = (evtchn_port_t)port;
	return 0;
}

/* EVTCHNOP_send from d's port. */
static long send_port(struct domain *d, unsigned int port)
{
	struct evtchn *chn;

	if (port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	chn = port_chn(d, port);
	switch (chn->state) {
	case ECS_INTERDOMAIN: {
		struct domain *rd = evtchn_domain(chn->remote_dom);

		if (rd)
			evtchn_set_pending(rd, chn->remote_port);
		return 0;
	}
	case ECS_IPI:
		evtchn_set_pending(d, port);
		return 0;
	case ECS_UNBOUND:
		if (chn->hv_served && chn->hv_fn)
			chn->hv_fn(d, port);
		return 0;       /* nobody bound yet: dropped, as in Xen */
	}
	return -XEN_EINVAL;
}

/* Fill st's status fields from chn. */
static void describe_port(const struct evtchn *chn, struct evtchn_status *st)
{
	switch (chn->state) {
	case ECS_FREE:
	case ECS_RESERVED:
		st->status = EVTCHNSTAT_closed;
		break;
	case ECS_UNBOUND:
		st->status = EVTCHNSTAT_unbound;
		st->u.unbound.dom = chn->hv_served ? DOMID_XEN : chn->remote_dom;
		break;
	case ECS_INTERDOMAIN:
		st->status = EVTCHNSTAT_interdomain;
		st->u.interdomain.dom = chn->remote_dom;
		st->u.interdomain.port = chn->remote_port;
		break;
	case ECS_VIRQ:
		st->status = EVTCHNSTAT_virq;
		st->u.virq = chn->virq;
		break;
	case ECS_IPI:
		st->status = EVTCHNSTAT_ipi;
		break;
	}
	st->vcpu = chn->notify_vcpu;
}

/* EVTCHNOP_status: a port of dom (ours, or any for the privileged domain). */
static long port_status(struct evtchn_status *st)
{
	struct domain *d = evtchn_domain_any(st->dom);

	if (!d)
		return -XEN_ESRCH;
	if (!may_control(d))
		return -XEN_EPERM;
	if (st->port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	describe_port(port_chn(d, st->port), st);
	return 0;
}

/* EVTCHNOP_bind_vcpu: notify another of our vCPUs (per Xen: unbound,
 * interdomain and global-VIRQ ports only). */
static long bind_vcpu(const struct evtchn_bind_vcpu *b)
{
	struct domain *d = current->domain;
	struct evtchn *chn;

	if (!domain_vcpu(d, b->vcpu))
		return -XEN_ENOENT;
	if (b->port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	chn = port_chn(d, b->port);
	switch (chn->state) {
	case ECS_VIRQ:
		if (!virq_is_global(chn->virq))
			return -XEN_EINVAL;
		/* fall through */
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		chn->notify_vcpu = b->vcpu;
		return 0;
	}
	return -XEN_EINVAL;
}

/* EVTCHNOP_unmask: clear the mask bit; a pending port is delivered. */
static long unmask_port(struct domain *d, unsigned int port)
{
	struct vcpu *v;

	if (port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	if (d->evtchn->fifo) {
		fifo_set_pending(d, port, true);
		return 0;
	}
	v = domain_vcpu(d, port_chn(d, port)->notify_vcpu);
	if (!v || !v->vcpu_info || !d->shared_info)
		return 0;
	if (evtchn_2l_unmask(d->shared_info, v->vcpu_info, port))
		vcpu_kick(v);
	return 0;
}

/* Close every port of d but 0. */
static void close_all(struct domain *d)
{
	for (unsigned int port = 1; port < NR_EVTCHN_PORTS; port++)
		if (port_chn(d, port)->state != ECS_FREE)
			close_port(d, port);
}

/*
 * Back to two-level: drop every FIFO frame's reference and forget the
 * queues (reset, teardown). The ports keep their state; their FIFO fields
 * start over.
 */
static void fifo_destroy(struct domain *d)
{
	struct evtchn_table *t = d->evtchn;

	for (unsigned int i = 0; i < MAX_VCPUS_PER_DOM; i++)
		if (t->fifo_vcpu[i].cb)
			arch_put_writable_frame_ref(d, t->fifo_cb_mfn[i]);
	for (unsigned int i = 0; i < t->fifo_array.nr_pages; i++)
		arch_put_writable_frame_ref(d, t->fifo_array_mfn[i]);
	memset(&t->fifo_array, 0, sizeof(t->fifo_array));
	memset(t->fifo_vcpu, 0, sizeof(t->fifo_vcpu));
	memset(t->fifo_cb_mfn, 0, sizeof(t->fifo_cb_mfn));
	memset(t->fifo_array_mfn, 0, sizeof(t->fifo_array_mfn));
	for (unsigned int port = 0; port < NR_EVTCHN_PORTS; port++)
		t->port[port].fifo = (struct evtchn_fifo_port){
			.priority = EVTCHN_FIFO_PRIORITY_DEFAULT };
	t->fifo = false;
}

/*
 * Take guest frame mfn (a PV gfn is a machine frame) writable for the
 * hypervisor's own use. Xen answers -EINVAL for any frame it cannot take.
 */
static void *fifo_map_frame(struct domain *d, uint64_t mfn)
{
	if (arch_get_writable_frame_ref(d, mfn))
		return NULL;
	return mfn_to_virt(mfn);
}

/*
 * The first init_control: every port in use takes the default priority and
 * keeps its two-level pending state, to be raised when its word arrives.
 * Bounded by the port table.
 */
static void fifo_switch(struct domain *d)
{
	struct evtchn_table *t = d->evtchn;

	for (unsigned int port = 1; port < NR_EVTCHN_PORTS; port++) {
		struct evtchn *chn = &t->port[port];

		chn->fifo.priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
		chn->fifo.pending = chn->state != ECS_FREE &&
			evtchn_2l_is_pending(d->shared_info, port);
	}
	t->fifo = true;
}

/* EVTCHNOP_init_control: a vCPU's control block; the first switches to FIFO. */
static long init_control(struct evtchn_init_control *ic)
{
	struct domain *d = current->domain;
	struct evtchn_table *t = d->evtchn;
	struct evtchn_fifo_control_block *cb;
	char *page;

	ic->link_bits = EVTCHN_FIFO_LINK_BITS;
	if (!domain_vcpu(d, ic->vcpu))
		return -XEN_ENOENT;
	if (ic->offset > PAGE_SIZE - sizeof(*cb))
		return -XEN_EINVAL;
	if (ic->offset & 7)
		return -XEN_EINVAL;
	if (!d->shared_info)
		return -XEN_EINVAL;
	if (t->fifo_vcpu[ic->vcpu].cb)
		return -XEN_EINVAL;     /* once per vCPU, as Xen */
	if (!(page = fifo_map_frame(d, ic->control_gfn)))
		return -XEN_EINVAL;
	cb = (void *)(page + ic->offset);
	if (!t->fifo)
		fifo_switch(d);
	t->fifo_cb_mfn[ic->vcpu] = ic->control_gfn;
	t->fifo_vcpu[ic->vcpu].cb = cb;
	return 0;
}

/*
 * EVTCHNOP_expand_array: one more page of event words. Ports pending while
 * their word was missing are raised now (at most one page's worth).
 */
static long expand_array(const struct evtchn_expand_array *ea)
{
	struct domain *d = current->domain;
	struct evtchn_table *t = d->evtchn;
	unsigned int n = t->fifo_array.nr_pages, first, last;
	event_word_t *page;

	if (!t->fifo)
		return -XEN_EOPNOTSUPP;
	if (n >= EVTCHN_FIFO_MAX_PAGES)
		return -XEN_ENOSPC;
	if (!(page = fifo_map_frame(d, ea->array_gfn)))
		return -XEN_EINVAL;
	t->fifo_array_mfn[n] = ea->array_gfn;
	t->fifo_array.page[n] = page;
	t->fifo_array.nr_pages = n + 1;
	first = n * EVTCHN_FIFO_WORDS_PER_PAGE;
	last = first + EVTCHN_FIFO_WORDS_PER_PAGE;
	for (unsigned int port = first; port < last; port++) {
		if (!t->port[port].fifo.pending)
			continue;
		t->port[port].fifo.pending = false;
		evtchn_set_pending(d, port);
	}
	return 0;
}

/* EVTCHNOP_set_priority: the queue of a port's future events. */
static long set_priority(const struct evtchn_set_priority *sp)
{
	struct domain *d = current->domain;
	struct evtchn *chn;

	if (sp->port >= NR_EVTCHN_PORTS)
		return -XEN_EINVAL;
	chn = port_chn(d, sp->port);
	/* Xen: -ENOSYS for a free port and on two-level (no priorities). */
	if (chn->state == ECS_FREE || chn->state == ECS_RESERVED ||
	    !d->evtchn->fifo)
		return -XEN_ENOSYS;
	if (sp->priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -XEN_EINVAL;
	chn->fifo.priority = (uint8_t)sp->priority;
	return 0;
}

/* EVTCHNOP_reset: close every port of dom (in practice: our own). */
static long reset_domain(domid_t dom)
{
	struct domain *d = evtchn_domain_any(dom);

	if (!d)
		return -XEN_ESRCH;
	if (!may_control(d))
		return -XEN_EPERM;
	if (d != current->domain)
		return -XEN_EINVAL;     /* Xen: only a paused domain */
	close_all(d);
	if (d->evtchn->fifo)
		fifo_destroy(d);        /* back to two-level, as Xen */
	return 0;
}

/* Copy in an argument of the given size, run op, copy it back on success. */
#define INOUT_OP(type, fn, arg) ({                                        \
	type __a;                                                         \
	long __rc = copy_from_guest(&__a, arg, sizeof(__a));              \
	if (!__rc) {                                                      \
		__rc = fn(&__a);                                          \
		if (!__rc && copy_to_guest(arg, &__a, sizeof(__a)))       \
			__rc = -XEN_EFAULT;                               \
	}                                                                 \
	__rc;                                                             \
})

/* The operations that only read their argument. */
static long in_op(uint64_t cmd, uint64_t arg)
{
	struct domain *d = current->domain;
	union {
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_unmask unmask;
		struct evtchn_bind_vcpu bind_vcpu;
		struct evtchn_reset reset;
		struct evtchn_bind_pirq bind_pirq;
	} a;
	size_t size = cmd == EVTCHNOP_bind_vcpu ? sizeof(a.bind_vcpu)
		    : cmd == EVTCHNOP_reset ? sizeof(a.reset)
		    : cmd == EVTCHNOP_bind_pirq ? sizeof(a.bind_pirq)
		    : sizeof(a.close);

	if (copy_from_guest(&a, arg, size))
		return -XEN_EFAULT;
	switch (cmd) {
	case EVTCHNOP_close:
		return close_port(d, a.close.port);
	case EVTCHNOP_send:
		return send_port(d, a.send.port);
	case EVTCHNOP_unmask:
		return unmask_port(d, a.unmask.port);
	case EVTCHNOP_bind_vcpu:
		return bind_vcpu(&a.bind_vcpu);
	case EVTCHNOP_reset:
		return reset_domain(a.reset.dom);
	}
	return -XEN_EINVAL;     /* bind_pirq: a PV domain has no pirqs */
}

/* expand_array and set_priority, kept out of in_op's path for send. */
static long fifo_in_op(uint64_t cmd, uint64_t arg)
{
	union {
		struct evtchn_expand_array expand;
		struct evtchn_set_priority prio;
	} a;

	if (copy_from_guest(&a, arg, cmd == EVTCHNOP_expand_array
			    ? sizeof(a.expand) : sizeof(a.prio)))
		return -XEN_EFAULT;
	return cmd == EVTCHNOP_expand_array ? expand_array(&a.expand)
					    : set_priority(&a.prio);
}

long do_event_channel_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;

	if (!current->domain->evtchn && evtchn_domain_init(current->domain))
		return -XEN_ENOMEM;
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return INOUT_OP(struct evtchn_alloc_unbound, alloc_unbound, arg);
	case EVTCHNOP_bind_interdomain:
		return INOUT_OP(struct evtchn_bind_interdomain,
				bind_interdomain, arg);
	case EVTCHNOP_bind_virq:
		return INOUT_OP(struct evtchn_bind_virq, bind_virq, arg);
	case EVTCHNOP_bind_ipi:
		return INOUT_OP(struct evtchn_bind_ipi, bind_ipi, arg);
	case EVTCHNOP_status:
		return INOUT_OP(struct evtchn_status, port_status, arg);
	case EVTCHNOP_init_control:
		return INOUT_OP(struct evtchn_init_control, init_control, arg);
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
	case EVTCHNOP_bind_vcpu:
	case EVTCHNOP_reset:
	case EVTCHNOP_bind_pirq:
		return in_op(cmd, arg);
	case EVTCHNOP_expand_array:
	case EVTCHNOP_set_priority:
		return fifo_in_op(cmd, arg);
	}
	return -XEN_ENOSYS;
}

/* Called when the domain is built; the first event-channel use of a domain
 * built without it allocates the table then. A second call keeps the table. */
int evtchn_domain_init(struct domain *d)
{
	struct evtchn_table *t;

	if (d->evtchn)
		return 0;
	if (!(t = alloc_xenheap(sizeof(*t))))
		return -XEN_ENOMEM;
	t->port[0].state = ECS_RESERVED;
	for (unsigned int port = 0; port < NR_EVTCHN_PORTS; port++)
		t->port[port].fifo.priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	d->evtchn = t;
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	struct evtchn_table *t = d->evtchn;

	if (!t)
		return;
	close_all(d);
	fifo_destroy(d);
	d->evtchn = NULL;
	free_frames(virt_to_maddr(t) >> PAGE_SHIFT, EVTCHN_TABLE_PAGES);
}

unsigned int evtchn_fifo_frames(const struct domain *d, uint64_t *mfns,
				unsigned int max)
{
	const struct evtchn_table *t = d->evtchn;
	unsigned int n = 0;

	if (!t)
		return 0;
	for (unsigned int i = 0; i < MAX_VCPUS_PER_DOM && n < max; i++)
		if (t->fifo_vcpu[i].cb)
			mfns[n++] = t->fifo_cb_mfn[i];
	for (unsigned int i = 0; i < t->fifo_array.nr_pages && n < max; i++)
		mfns[n++] = t->fifo_array_mfn[i];
	return n;
}

/* The port a VIRQ of v is bound to (global VIRQs live on vCPU 0), or 0. */
static unsigned int virq_port(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;

	if (virq >= NR_VIRQS || !d->evtchn)
		return 0;
	if (virq_is_global(virq))
		v = domain_vcpu(d, 0);
	return v ? v->virq_to_port[virq] : 0;
}

void send_guest_virq(struct vcpu *v, unsigned int virq)
{
	unsigned int port = virq_port(v, virq);

	if (port)
		evtchn_set_pending(v->domain, port);
}

/*
 * Global VIRQs (VIRQ_DOM_EXC: some domain ended) go to the initial domain
 * only, Xen's hardware domain when no other handler is named: another
 * domain may bind them but never hears of the others' lives.
 */
void send_global_virq(unsigned int virq)
{
	for (unsigned int id = 0; id < MAX_DOMAINS; id++) {
		struct domain *d = evtchn_domain((domid_t)id);
		struct vcpu *v = d && d->initial ? domain_vcpu(d, 0) : NULL;

		if (v)
			send_guest_virq(v, virq);
	}
}

/* Only ports the hypervisor serves: a port the guest closed (and maybe
 * reused) is no longer the hypervisor's to raise. */
void evtchn_notify_port(struct domain *d, unsigned int port)
{
	if (!d->evtchn || port >= NR_EVTCHN_PORTS)
		return;
	if (port_chn(d, port)->state == ECS_UNBOUND &&
	    port_chn(d, port)->hv_served)
		evtchn_set_pending(d, port);
}

int evtchn_alloc_hypervisor_port(struct domain *d, void (*fn)(struct domain *d,
				 unsigned int port))
{
	struct evtchn *chn;
	int port;

	if (!d->evtchn && evtchn_domain_init(d))
		return -XEN_ENOMEM;
	if ((port = get_free_port(d)) < 0)
		return port;
	chn = port_chn(d, (unsigned int)port);
	chn->state = ECS_UNBOUND;
	chn->remote_dom = DOMID_XEN;
	chn->hv_served = true;
	chn->hv_fn = fn;
	return port;
}

bool evtchn_port_is_pending(struct domain *d, unsigned int port)
{
	if (port >= NR_EVTCHN_PORTS || !d->shared_info)
		return false;
	if (d->evtchn && d->evtchn->fifo)
		return evtchn_fifo_is_pending(&d->evtchn->fifo_array, port);
	return evtchn_2l_is_pending(d->shared_info, port);
}
