/*
 * Host unit test of the event channels (hypervisor/common/event_channel.c
 * and evtchn_2l.c): every EVTCHNOP and each of its refusals, with the
 * error codes of Xen 4.17, and the two-level pending / mask / selector /
 * upcall bits in a shared_info kept in ordinary memory.
 *
 * Three domains: 0 (privileged), 1 and 2, one vCPU each. Hypercall
 * arguments are host pointers; the copy stub fails on BAD_ADDR and on
 * writes to ro_arg, to test -EFAULT.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hv_unit.h"
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/evtchn_2l.h>
#include <lamina/mm.h>
#include <pv/errno.h>
#include <pv/event_channel.h>

#define NR_TEST_DOMAINS 3
#define BAD_ADDR        0x1000UL
#define SEL(port)       (1UL << ((port) / 64))

struct vcpu *current;
struct domain *domains[MAX_DOMAINS];

static unsigned long kicks[NR_TEST_DOMAINS];
static unsigned long hv_calls;
static unsigned int hv_call_port;
static char ro_arg[64];

/* --- stubs for what the hypervisor provides ------------------------------ */

void *alloc_xenheap(uint64_t bytes)
{
	size_t size = (bytes + PAGE_SIZE - 1) & PAGE_MASK;
	void *p = aligned_alloc(PAGE_SIZE, size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* The table is the only xenheap user here: give it back to libc. */
void free_frames(uint64_t mfn, uint64_t count)
{
	(void)count;
	free(mfn_to_virt(mfn));
}

/* As common/schedule.c: count, and wake a blocked vCPU. */
void vcpu_kick(struct vcpu *v)
{
	kicks[v->domain->domain_id]++;
	v->blocked = false;
	v->nr_poll_ports = 0;
}

size_t raw_copy_checked(void *dst, const void *src, size_t len)
{
	if ((uintptr_t)src == BAD_ADDR || (uintptr_t)dst == BAD_ADDR ||
	    dst == ro_arg)
		return len;
	memcpy(dst, src, len);
	return 0;
}

/* --- set-up -------------------------------------------------------------- */

static struct domain *make_domain(domid_t id)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct vcpu *v = calloc(1, sizeof(*v));

	d->domain_id = id;
	d->privileged = id == 0;
	d->initial = id == 0;
	d->shared_info = alloc_xenheap(sizeof(struct shared_info));
	d->vcpus[0] = v;
	d->nr_vcpus = 1;
	v->domain = d;
	v->vcpu_info = &d->shared_info->vcpu_info[0];
	domains[id] = d;
	if (evtchn_domain_init(d))
		abort();
	return d;
}

static void free_domain(struct domain *d)
{
	evtchn_domain_destroy(d);
	domains[d->domain_id] = NULL;
	free(d->shared_info);
	free(d->vcpus[0]);
	free(d);
}

/* Fresh domains 0..2, running as domain `self`. */
static void setup(domid_t self)
{
	for (unsigned int i = 0; i < NR_TEST_DOMAINS; i++) {
		if (domains[i])
			free_domain(domains[i]);
		make_domain((domid_t)i);
		kicks[i] = 0;
	}
	hv_calls = 0;
	current = domains[self]->vcpus[0];
}

static void run_as(domid_t id)
{
	current = domains[id]->vcpus[0];
}

static long op(unsigned int cmd, void *arg)
{
	return do_event_channel_op(cmd, (uint64_t)(uintptr_t)arg, 0, 0, 0);
}

/* --- hypercall wrappers -------------------------------------------------- */

static long alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = op(EVTCHNOP_alloc_unbound, &a);

	if (port)
		*port = a.port;
	return rc;
}

static long bind_interdomain(domid_t rdom, evtchn_port_t rport,
			     evtchn_port_t *local)
{
	struct evtchn_bind_interdomain b = { .remote_dom = rdom,
					     .remote_port = rport };
	long rc = op(EVTCHNOP_bind_interdomain, &b);

	if (local)
		*local = b.local_port;
	return rc;
}

static long bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = op(EVTCHNOP_bind_virq, &b);

	if (port)
		*port = b.port;
	return rc;
}

static long bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = op(EVTCHNOP_bind_ipi, &b);

	if (port)
		*port = b.port;
	return rc;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return op(EVTCHNOP_close, &c);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return op(EVTCHNOP_unmask, &u);
}

static long bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return op(EVTCHNOP_bind_vcpu, &b);
}

static long reset(domid_t dom)
{
	struct evtchn_reset r = { .dom = dom };

	return op(EVTCHNOP_reset, &r);
}

static long status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
	memset(st, 0, sizeof(*st));
	st->dom = dom;
	st->port = port;
	return op(EVTCHNOP_status, st);
}

/* --- shared_info views --------------------------------------------------- */

static bool pending(domid_t id, unsigned int port)
{
	return evtchn_port_is_pending(domains[id], port);
}

static struct vcpu_info *vinfo(domid_t id)
{
	return domains[id]->vcpus[0]->vcpu_info;
}

static void set_mask(domid_t id, unsigned int port)
{
	domains[id]->shared_info->evtchn_mask[port / 64] |= 1UL << (port % 64);
}

/* Forget delivered events: what a guest's handler would clear. */
static void ack_all(domid_t id)
{
	struct shared_info *si = domains[id]->shared_info;

	memset(si->evtchn_pending, 0, sizeof(si->evtchn_pending));
	vinfo(id)->evtchn_pending_sel = 0;
	vinfo(id)->evtchn_upcall_pending = 0;
	kicks[id] = 0;
}

/* --- cases --------------------------------------------------------------- */

static bool port_zero_reserved(char *why)
{
	struct evtchn_status st;
	evtchn_port_t p;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, &p) == 0 && p == 1,
	       "first port %u, want 1", p);
	EXPECT(status(DOMID_SELF, 0, &st) == 0 &&
	       st.status == EVTCHNSTAT_closed, "port 0 status %u", st.status);
	EXPECT(close_port(0) == -XEN_EINVAL, "close 0");
	EXPECT(send(0) == -XEN_EINVAL, "send 0");
	EXPECT(bind_interdomain(DOMID_SELF, 0, NULL) == -XEN_EINVAL,
	       "bind to port 0");
	return true;
}

static bool alloc_unbound_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t p;
	long rc;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, &p) == 0, "self/self");
	EXPECT(status(DOMID_SELF, p, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 1 &&
	       st.vcpu == 0, "status %u dom %u", st.status, st.u.unbound.dom);
	EXPECT(alloc_unbound(1, 2, &p) == 0 && p == 2, "own id: port %u", p);
	EXPECT(status(1, p, &st) == 0 && st.u.unbound.dom == 2, "remote 2");
	EXPECT(alloc_unbound(1, 0x1234, &p) == 0, "any remote id is kept");
	EXPECT(status(1, p, &st) == 0 && st.u.unbound.dom == 0x1234,
	       "remote %#x", st.u.unbound.dom);
	rc = alloc_unbound(2, DOMID_SELF, &p);
	EXPECT(rc == -XEN_EPERM, "unprivileged for dom 2: %ld", rc);
	rc = alloc_unbound(7, DOMID_SELF, NULL);
	EXPECT(rc == -XEN_ESRCH, "unknown dom: %ld", rc);
	EXPECT(alloc_unbound(DOMID_XEN, DOMID_SELF, NULL) == -XEN_ESRCH,
	       "DOMID_XEN");

	run_as(0);
	EXPECT(alloc_unbound(2, DOMID_SELF, &p) == 0 && p == 1,
	       "privileged for dom 2: port %u", p);
	EXPECT(status(2, p, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
	       st.u.unbound.dom == 0, "dom 2 port for dom 0");
	return true;
}

static bool bind_interdomain_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t r, l, other;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r) == 0, "alloc for 2");
	EXPECT(alloc_unbound(DOMID_SELF, 0, &other) == 0, "alloc for 0");
	run_as(2);
	EXPECT(bind_interdomain(9, r, NULL) == -XEN_ESRCH, "unknown dom");
	EXPECT(bind_interdomain(1, NR_EVTCHN_PORTS, NULL) == -XEN_EINVAL,
	       "out of range");
	EXPECT(bind_interdomain(1, 0xffffffffu, NULL) == -XEN_EINVAL,
	       "port ~0");
	EXPECT(bind_interdomain(1, 100, NULL) == -XEN_EINVAL, "free port");
	EXPECT(bind_interdomain(1, other, NULL) == -XEN_EINVAL,
	       "port meant for domain 0");
	EXPECT(bind_interdomain(1, r, &l) == 0, "bind");
	EXPECT(l == 1, "local port %u", l);
	EXPECT(pending(2, l) && kicks[2] == 1,
	       "a new binding starts pending (Xen)");
	EXPECT(!pending(1, r), "remote end not raised");
	EXPECT(status(DOMID_SELF, l, &st) == 0 &&
	       st.status == EVTCHNSTAT_interdomain &&
	       st.u.interdomain.dom == 1 && st.u.interdomain.port == r,
	       "local status %u %u %u", st.status, st.u.interdomain.dom,
	       st.u.interdomain.port);
	run_as(1);
	EXPECT(status(DOMID_SELF, r, &st) == 0 &&
	       st.status == EVTCHNSTAT_interdomain &&
	       st.u.interdomain.dom == 2 && st.u.interdomain.port == l,
	       "remote status");
	run_as(2);
	EXPECT(bind_interdomain(1, r, NULL) == -XEN_EINVAL, "bound twice");
	EXPECT(bind_interdomain(1, other, NULL) == -XEN_EINVAL,
	       "still not ours");
	return true;
}

static bool loopback_channel(char *why)
{
	evtchn_port_t a, b;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, &a) == 0, "alloc");
	EXPECT(bind_interdomain(DOMID_SELF, a, &b) == 0 && b != a, "bind");
	ack_all(1);
	EXPECT(send(b) == 0 && pending(1, a) && !pending(1, b), "b -> a");
	EXPECT(send(a) == 0 && pending(1, b), "a -> b");
	EXPECT(vinfo(1)->evtchn_upcall_pending == 1 && kicks[1] == 1,
	       "one upcall, one kick (%lu)", kicks[1]);
	return true;
}

static bool two_level_delivery(char *why)
{
	evtchn_port_t r, l;
	struct vcpu_info *vi;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r) == 0, "alloc");
	run_as(2);
	EXPECT(bind_interdomain(1, r, &l) == 0, "bind");
	vi = vinfo(1);
	EXPECT(send(l) == 0, "send");
	EXPECT(pending(1, r) && (vi->evtchn_pending_sel & SEL(r)) &&
	       vi->evtchn_upcall_pending == 1 && kicks[1] == 1,
	       "pending %d sel %#lx upcall %u kicks %lu", pending(1, r),
	       vi->evtchn_pending_sel, vi->evtchn_upcall_pending, kicks[1]);
	EXPECT(send(l) == 0 && kicks[1] == 1, "already pending: nothing new");

	/* Masked: the bit is set, nothing else. */
	ack_all(1);
	set_mask(1, r);
	EXPECT(send(l) == 0 && pending(1, r), "masked still pending");
	EXPECT(vi->evtchn_pending_sel == 0 && vi->evtchn_upcall_pending == 0 &&
	       kicks[1] == 0, "masked raised sel %#lx upcall %u",
	       vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
	run_as(1);
	EXPECT(unmask(r) == 0, "unmask");
	EXPECT((vi->evtchn_pending_sel & SEL(r)) &&
	       vi->evtchn_upcall_pending == 1 && kicks[1] == 1,
	       "unmask of a pending port delivers it");
	EXPECT(!evtchn_2l_is_masked(domains[1]->shared_info, r), "mask left");
	EXPECT(unmask(r) == 0 && kicks[1] == 1, "second unmask: no re-raise");

	/* Selector already set: bit only; upcall already pending: no kick. */
	ack_all(1);
	vi->evtchn_pending_sel = SEL(r);
	run_as(2);
	EXPECT(send(l) == 0 && pending(1, r) && vi->evtchn_upcall_pending == 0,
	       "selector set: no new upcall");
	ack_all(1);
	vi->evtchn_upcall_pending = 1;
	EXPECT(send(l) == 0 && (vi->evtchn_pending_sel & SEL(r)) &&
	       kicks[1] == 0, "upcall already pending: no kick");
	return true;
}

static bool high_ports_select_their_word(char *why)
{
	struct shared_info *si = calloc(1, sizeof(*si));
	struct vcpu_info *vi = &si->vcpu_info[0];
	bool ok;

	ok = evtchn_2l_set_pending(si, vi, 4095) == EVTCHN_2L_UPCALL;
	ok = ok && si->evtchn_pending[63] == 1UL << 63 &&
	     vi->evtchn_pending_sel == 1UL << 63;
	ok = ok && evtchn_2l_set_pending(si, vi, 4094) == EVTCHN_2L_PENDING;
	ok = ok && evtchn_2l_set_pending(si, vi, 4094) ==
		   EVTCHN_2L_ALREADY_PENDING;
	evtchn_2l_clear_pending(si, 4095);
	ok = ok && !evtchn_2l_is_pending(si, 4095) &&
	     evtchn_2l_is_pending(si, 4094);
	ok = ok && !evtchn_2l_unmask(si, vi, 64);
	free(si);
	EXPECT(ok, "bit logic at the top of the table");
	return true;
}

static bool send_refusals(char *why)
{
	evtchn_port_t u, v, r, l;

	setup(1);
	EXPECT(send(5) == -XEN_EINVAL, "free port");
	EXPECT(send(NR_EVTCHN_PORTS) == -XEN_EINVAL, "out of range");
	EXPECT(send(0xffffffffu) == -XEN_EINVAL, "port ~0");
	EXPECT(bind_virq(VIRQ_TIMER, 0, &v) == 0, "bind virq");
	EXPECT(send(v) == -XEN_EINVAL, "virq port");
	EXPECT(alloc_unbound(DOMID_SELF, 2, &u) == 0, "alloc");
	EXPECT(send(u) == 0 && !pending(1, u), "unbound: dropped, 0 (Xen)");
	EXPECT(close_port(u) == 0 && send(u) == -XEN_EINVAL, "closed port");

	/* A port of another domain is just a number in our own table. */
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r) == 0, "alloc for 2");
	run_as(2);
	EXPECT(send(r + 7) == -XEN_EINVAL, "another domain's port number");
	EXPECT(bind_interdomain(1, r, &l) == 0, "bind");
	run_as(1);
	EXPECT(close_port(r) == 0, "peer closes");
	run_as(2);
	ack_all(1);
	ack_all(2);
	EXPECT(send(l) == 0, "send after peer closed: dropped, 0 (Xen)");
	EXPECT(!pending(1, r) && !pending(2, l), "nothing raised");
	return true;
}

static bool close_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t r, l, l2;

	setup(1);
	EXPECT(close_port(9) == -XEN_EINVAL, "free port");
	EXPECT(close_port(NR_EVTCHN_PORTS) == -XEN_EINVAL, "out of range");
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r) == 0, "alloc");
	run_as(2);
	EXPECT(bind_interdomain(1, r, &l) == 0, "bind");
	EXPECT(pending(2, l), "pending after bind");
	EXPECT(close_port(l) == 0, "close");
	EXPECT(!pending(2, l), "closing clears the pending bit");
	EXPECT(status(DOMID_SELF, l, &st) == 0 &&
	       st.status == EVTCHNSTAT_closed, "closed");
	EXPECT(close_port(l) == -XEN_EINVAL, "close twice");
	run_as(1);
	EXPECT(status(DOMID_SELF, r, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 2,
	       "remote end unbound for the closer: %u %u", st.status,
	       st.u.unbound.dom);
	run_as(2);
	EXPECT(bind_interdomain(1, r, &l2) == 0, "the closer may rebind");
	return true;
}

static bool bind_virq_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t t, e, c;
	struct vcpu *v;

	setup(1);
	v = domains[1]->vcpus[0];
	EXPECT(bind_virq(VIRQ_TIMER, 0, &t) == 0, "timer");
	EXPECT(v->virq_to_port[VIRQ_TIMER] == t, "virq_to_port");
	EXPECT(bind_virq(VIRQ_TIMER, 0, NULL) == -XEN_EEXIST, "twice");
	EXPECT(bind_virq(NR_VIRQS, 0, NULL) == -XEN_EINVAL, "NR_VIRQS");
	EXPECT(bind_virq(0xffffffffu, 0, NULL) == -XEN_EINVAL, "virq ~0");
	EXPECT(bind_virq(VIRQ_DOM_EXC, 1, NULL) == -XEN_EINVAL,
	       "global virq on vcpu 1");
	EXPECT(bind_virq(VIRQ_DEBUG, 1, NULL) == -XEN_ENOENT,
	       "per-vcpu virq on a missing vcpu");
	EXPECT(bind_virq(VIRQ_DEBUG, 0xffffffffu, NULL) == -XEN_ENOENT,
	       "vcpu ~0");
	EXPECT(bind_virq(VIRQ_DOM_EXC, 0, &e) == 0, "dom_exc");
	EXPECT(bind_virq(VIRQ_CONSOLE, 0, &c) == 0, "console");
	EXPECT(bind_virq(VIRQ_DEBUG, 0, NULL) == 0, "debug");
	EXPECT(bind_virq(VIRQ_ARCH_0, 0, NULL) == 0, "arch 0");
	EXPECT(status(DOMID_SELF, t, &st) == 0 &&
	       st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
	       st.vcpu == 0, "status");

	ack_all(1);
	send_guest_virq(v, VIRQ_TIMER);
	EXPECT(pending(1, t) && kicks[1] == 1, "send_guest_virq");
	send_guest_virq(v, VIRQ_XENPMU);
	send_guest_virq(v, NR_VIRQS);
	send_guest_virq(v, 1000);
	EXPECT(kicks[1] == 1, "unbound virqs do nothing");

	EXPECT(close_port(t) == 0 && v->virq_to_port[VIRQ_TIMER] == 0,
	       "close unbinds");
	ack_all(1);
	send_guest_virq(v, VIRQ_TIMER);
	EXPECT(!pending(1, t) && kicks[1] == 0, "closed virq not raised");
	EXPECT(bind_virq(VIRQ_TIMER, 0, NULL) == 0, "rebind after close");
	return true;
}

static bool global_virqs(char *why)
{
	evtchn_port_t e0, e2;

	setup(0);
	EXPECT(bind_virq(VIRQ_DOM_EXC, 0, &e0) == 0, "dom0 binds");
	run_as(2);
	EXPECT(alloc_unbound(DOMID_SELF, 0, NULL) == 0, "shift ports");
	EXPECT(bind_virq(VIRQ_DOM_EXC, 0, &e2) == 0, "dom2 binds");
	ack_all(0);
	ack_all(1);
	ack_all(2);
	send_global_virq(VIRQ_DOM_EXC);
	/* The initial domain only: the others may bind but never hear. */
	EXPECT(pending(0, e0) && !pending(2, e2), "initial domain only");
	EXPECT(kicks[0] == 1 && kicks[1] == 0 && kicks[2] == 0, "kicks");
	send_global_virq(NR_VIRQS);
	return true;
}

static bool bind_ipi_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t p;

	setup(1);
	EXPECT(bind_ipi(1, NULL) == -XEN_ENOENT, "vcpu 1");
	EXPECT(bind_ipi(0xffffffffu, NULL) == -XEN_ENOENT, "vcpu ~0");
	EXPECT(bind_ipi(0, &p) == 0, "vcpu 0");
	EXPECT(status(DOMID_SELF, p, &st) == 0 &&
	       st.status == EVTCHNSTAT_ipi && st.vcpu == 0, "status");
	EXPECT(send(p) == 0 && pending(1, p) && kicks[1] == 1, "send to self");
	EXPECT(close_port(p) == 0 && send(p) == -XEN_EINVAL, "closed");
	return true;
}

static bool status_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t p;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, &p) == 0, "alloc");
	EXPECT(status(DOMID_SELF, NR_EVTCHN_PORTS, &st) == -XEN_EINVAL,
	       "out of range");
	EXPECT(status(5, 1, &st) == -XEN_ESRCH, "unknown dom");
	EXPECT(status(2, 1, &st) == -XEN_EPERM, "another domain's port");
	EXPECT(status(2, NR_EVTCHN_PORTS, &st) == -XEN_EPERM,
	       "permission is checked before the range (Xen: range first)");
	EXPECT(status(1, 77, &st) == 0 && st.status == EVTCHNSTAT_closed,
	       "unused port");
	run_as(0);
	EXPECT(status(1, p, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
	       st.u.unbound.dom == 1, "privileged reads any domain");
	return true;
}

static bool bind_vcpu_cases(char *why)
{
	evtchn_port_t u, t, e, i;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, 2, &u) == 0, "alloc");
	EXPECT(bind_virq(VIRQ_TIMER, 0, &t) == 0, "timer");
	EXPECT(bind_virq(VIRQ_DOM_EXC, 0, &e) == 0, "dom_exc");
	EXPECT(bind_ipi(0, &i) == 0, "ipi");
	EXPECT(bind_vcpu(u, 1) == -XEN_ENOENT, "vcpu 1");
	EXPECT(bind_vcpu(NR_EVTCHN_PORTS, 0) == -XEN_EINVAL, "out of range");
	EXPECT(bind_vcpu(NR_EVTCHN_PORTS, 1) == -XEN_ENOENT,
	       "vcpu checked first (Xen)");
	EXPECT(bind_vcpu(99, 0) == -XEN_EINVAL, "free port");
	EXPECT(bind_vcpu(0, 0) == -XEN_EINVAL, "port 0");
	EXPECT(bind_vcpu(t, 0) == -XEN_EINVAL, "per-vcpu virq");
	EXPECT(bind_vcpu(i, 0) == -XEN_EINVAL, "ipi");
	EXPECT(bind_vcpu(e, 0) == 0, "global virq");
	EXPECT(bind_vcpu(u, 0) == 0, "unbound");
	return true;
}

static bool unmask_cases(char *why)
{
	evtchn_port_t p;

	setup(1);
	EXPECT(unmask(NR_EVTCHN_PORTS) == -XEN_EINVAL, "out of range");
	EXPECT(unmask(300) == 0, "unused port: 0 (Xen)");
	EXPECT(bind_ipi(0, &p) == 0, "ipi");
	set_mask(1, p);
	EXPECT(unmask(p) == 0 && kicks[1] == 0, "not pending: no upcall");
	EXPECT(send(p) == 0 && kicks[1] == 1, "unmasked now");
	ack_all(1);
	domains[1]->shared_info->evtchn_pending[p / 64] |= 1UL << (p % 64);
	EXPECT(unmask(p) == 0 && kicks[1] == 0,
	       "pending but not masked: no re-raise (Xen)");
	return true;
}

static bool reset_cases(char *why)
{
	struct evtchn_status st;
	evtchn_port_t r, l, t;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r) == 0, "alloc");
	EXPECT(bind_virq(VIRQ_TIMER, 0, &t) == 0, "timer");
	run_as(2);
	EXPECT(bind_interdomain(1, r, &l) == 0, "bind");
	EXPECT(reset(1) == -XEN_EPERM, "unprivileged reset of another");
	EXPECT(reset(9) == -XEN_ESRCH, "unknown dom");
	run_as(0);
	EXPECT(reset(1) == -XEN_EINVAL, "privileged: domain not paused");
	run_as(1);
	EXPECT(reset(DOMID_SELF) == 0, "own reset");
	EXPECT(status(DOMID_SELF, r, &st) == 0 &&
	       st.status == EVTCHNSTAT_closed, "closed");
	EXPECT(domains[1]->vcpus[0]->virq_to_port[VIRQ_TIMER] == 0,
	       "virq unbound");
	run_as(2);
	EXPECT(status(DOMID_SELF, l, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 1,
	       "peer unbound");
	run_as(1);
	EXPECT(reset(1) == 0, "own id");
	return true;
}

static bool exhaustion(char *why)
{
	evtchn_port_t p, r;
	unsigned int n = 0;

	setup(2);
	EXPECT(alloc_unbound(DOMID_SELF, 1, &r) == 0, "port for 1");
	run_as(1);
	while (alloc_unbound(DOMID_SELF, DOMID_SELF, &p) == 0)
		n++;
	EXPECT(n == NR_EVTCHN_PORTS - 1, "%u ports", n);
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, NULL) == -XEN_ENOSPC,
	       "alloc_unbound");
	EXPECT(bind_virq(VIRQ_TIMER, 0, NULL) == -XEN_ENOSPC, "bind_virq");
	EXPECT(bind_ipi(0, NULL) == -XEN_ENOSPC, "bind_ipi");
	EXPECT(bind_interdomain(2, r, NULL) == -XEN_ENOSPC, "bind_interdomain");
	EXPECT(bind_interdomain(2, 4000, NULL) == -XEN_ENOSPC,
	       "no port comes before a bad remote (Xen)");
	EXPECT(close_port(1234) == 0, "close one");
	EXPECT(bind_ipi(0, &p) == 0 && p == 1234, "reused: %u", p);
	EXPECT(evtchn_alloc_hypervisor_port(domains[1], NULL) == -XEN_ENOSPC,
	       "hypervisor port");
	/* A stranger learns nothing of the full table: permission comes first. */
	EXPECT(bind_ipi(0, NULL) == -XEN_ENOSPC, "full again");
	run_as(2);
	EXPECT(alloc_unbound(1, DOMID_SELF, NULL) == -XEN_EPERM,
	       "unprivileged on a full table: -EPERM, not -ENOSPC");
	struct evtchn_status st;
	EXPECT(status(1, NR_EVTCHN_PORTS, &st) == -XEN_EPERM,
	       "unprivileged status, bad port: -EPERM first");
	run_as(0);
	EXPECT(alloc_unbound(1, DOMID_SELF, NULL) == -XEN_ENOSPC,
	       "privileged: -ENOSPC");
	return true;
}

static bool fifo_and_unknown(char *why)
{
	char buf[64] = { 0 };

	setup(1);
	EXPECT(op(EVTCHNOP_init_control, buf) == -XEN_ENOSYS, "init_control");
	EXPECT(op(EVTCHNOP_expand_array, buf) == -XEN_ENOSYS, "expand_array");
	EXPECT(op(EVTCHNOP_set_priority, buf) == -XEN_ENOSYS, "set_priority");
	EXPECT(op(14, buf) == -XEN_ENOSYS, "14");
	EXPECT(op(0x80000000u, buf) == -XEN_ENOSYS, "huge");
	EXPECT(op(EVTCHNOP_bind_pirq, buf) == -XEN_EINVAL, "bind_pirq");
	return true;
}

static bool bad_pointers(char *why)
{
	static const unsigned int cmds[] = {
		EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain,
		EVTCHNOP_bind_virq, EVTCHNOP_bind_ipi, EVTCHNOP_close,
		EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_bind_vcpu,
		EVTCHNOP_unmask, EVTCHNOP_reset, EVTCHNOP_bind_pirq,
	};
	struct evtchn_status st;
	struct evtchn_alloc_unbound *a = (void *)ro_arg;

	setup(1);
	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		EXPECT(op(cmds[i], (void *)BAD_ADDR) == -XEN_EFAULT,
		       "cmd %u", cmds[i]);
	EXPECT(op(EVTCHNOP_send, (void *)0xFFFF830000000000UL) == -XEN_EFAULT,
	       "hypervisor address");
	a->dom = DOMID_SELF;
	a->remote_dom = DOMID_SELF;
	EXPECT(op(EVTCHNOP_alloc_unbound, a) == -XEN_EFAULT, "copy back");
	EXPECT(status(DOMID_SELF, 1, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound,
	       "the port stays allocated (Xen)");
	return true;
}

static void hv_port_fn(struct domain *d, unsigned int port)
{
	(void)d;
	hv_calls++;
	hv_call_port = port;
}

static bool hypervisor_ports(char *why)
{
	struct evtchn_status st;
	int hp;

	setup(1);
	hp = evtchn_alloc_hypervisor_port(domains[1], hv_port_fn);
	EXPECT(hp == 1, "port %d", hp);
	EXPECT(status(DOMID_SELF, hp, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == DOMID_XEN,
	       "status %u dom %#x", st.status, st.u.unbound.dom);
	EXPECT(send(hp) == 0 && hv_calls == 1 && hv_call_port == (unsigned)hp,
	       "guest send calls the hypervisor");
	EXPECT(!pending(1, hp), "the guest's send raises nothing in it");
	evtchn_notify_port(domains[1], hp);
	EXPECT(pending(1, hp) && kicks[1] == 1, "notify");
	evtchn_notify_port(domains[1], NR_EVTCHN_PORTS);
	EXPECT(bind_vcpu(hp, 0) == 0, "guest may route it");
	run_as(2);
	EXPECT(bind_interdomain(1, hp, NULL) == -XEN_EINVAL,
	       "another domain cannot take it");
	run_as(1);
	EXPECT(close_port(hp) == 0, "guest closes it");
	EXPECT(bind_ipi(0, NULL) == 0, "port reused as an IPI");
	ack_all(1);
	evtchn_notify_port(domains[1], hp);
	EXPECT(!pending(1, hp), "notify of a port no longer served");
	EXPECT(send(hp) == 0 && hv_calls == 1, "no call for the IPI");
	EXPECT(evtchn_alloc_hypervisor_port(domains[1], NULL) == 2,
	       "NULL function");
	EXPECT(send(2) == 0, "send on it");
	return true;
}

static bool poll_wakeup(char *why)
{
	struct vcpu *v;
	evtchn_port_t a, b;

	setup(1);
	v = domains[1]->vcpus[0];
	EXPECT(bind_ipi(0, &a) == 0 && bind_ipi(0, &b) == 0, "ipis");
	set_mask(1, a);
	set_mask(1, b);
	v->blocked = true;
	v->poll_ports[0] = a;
	v->nr_poll_ports = 1;
	EXPECT(send(b) == 0 && kicks[1] == 0 && v->blocked,
	       "masked port not polled: stays blocked");
	EXPECT(send(a) == 0 && kicks[1] == 1 && !v->blocked,
	       "masked polled port wakes");
	v->blocked = true;
	EXPECT(send(a) == 0 && kicks[1] == 1, "already pending: no wake");
	return true;
}

static bool teardown(char *why)
{
	struct evtchn_status st;
	evtchn_port_t r, l, r2;

	setup(1);
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r) == 0, "alloc");
	EXPECT(alloc_unbound(DOMID_SELF, 2, &r2) == 0, "alloc 2");
	run_as(2);
	EXPECT(bind_interdomain(1, r, &l) == 0, "bind");
	evtchn_domain_destroy(domains[2]);
	EXPECT(domains[2]->evtchn == NULL, "table freed");
	evtchn_domain_destroy(domains[2]);      /* twice is harmless */
	send_guest_virq(domains[2]->vcpus[0], VIRQ_TIMER);
	evtchn_notify_port(domains[2], 1);
	EXPECT(!evtchn_port_is_pending(domains[2], NR_EVTCHN_PORTS), "range");
	run_as(1);
	EXPECT(status(DOMID_SELF, r, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 2,
	       "peer's end unbound to the dead domain: %u %u", st.status,
	       st.u.unbound.dom);
	ack_all(1);
	EXPECT(send(r) == 0 && !pending(1, r), "send dropped");
	EXPECT(bind_interdomain(2, 1, NULL) == -XEN_ESRCH, "dead domain");
	EXPECT(alloc_unbound(2, DOMID_SELF, NULL) == -XEN_ESRCH, "no table");
	EXPECT(status(DOMID_SELF, r2, &st) == 0 &&
	       st.status == EVTCHNSTAT_unbound, "unbound port untouched");
	return true;
}

static bool lazy_table(char *why)
{
	struct domain *d;
	evtchn_port_t p;

	setup(1);
	d = domains[1];
	evtchn_domain_destroy(d);
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, &p) == 0 && p == 1,
	       "a domain built without a table gets one on first use");
	EXPECT(evtchn_domain_init(d) == 0, "second init");
	EXPECT(alloc_unbound(DOMID_SELF, DOMID_SELF, &p) == 0 && p == 2,
	       "a second init keeps the table: port %u", p);
	return true;
}

int main(void)
{
	RUN(port_zero_reserved);
	RUN(alloc_unbound_cases);
	RUN(bind_interdomain_cases);
	RUN(loopback_channel);
	RUN(two_level_delivery);
	RUN(high_ports_select_their_word);
	RUN(send_refusals);
	RUN(close_cases);
	RUN(bind_virq_cases);
	RUN(global_virqs);
	RUN(bind_ipi_cases);
	RUN(status_cases);
	RUN(bind_vcpu_cases);
	RUN(unmask_cases);
	RUN(reset_cases);
	RUN(exhaustion);
	RUN(fifo_and_unknown);
	RUN(bad_pointers);
	RUN(hypervisor_ports);
	RUN(poll_wakeup);
	RUN(teardown);
	RUN(lazy_table);
	for (unsigned int i = 0; i < NR_TEST_DOMAINS; i++)
		if (domains[i])
			free_domain(domains[i]);
	return unit_exit_status();
}
