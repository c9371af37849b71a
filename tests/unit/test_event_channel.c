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
#include <pthread.h>
#include <sched.h>
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

size_t arch_copy_checked(void *dst, const void *src, size_t len)
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
	EXPECT(op(EVTCHNOP_init_control, buf) == -XEN_EINVAL,
	       "init_control on frame 0");
	EXPECT(op(EVTCHNOP_expand_array, buf) == -XEN_EOPNOTSUPP,
	       "expand_array before init_control");
	EXPECT(op(EVTCHNOP_set_priority, buf) == -XEN_ENOSYS,
	       "set_priority of port 0");
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

/* --- FIFO ABI ------------------------------------------------------------ */

/*
 * Guest frames for the FIFO tests: page-aligned host pages whose "mfn" is
 * what mfn_to_virt() maps back to them. The frame-rule stubs count the
 * references; one frame plays a page table (-EBUSY), any other number is
 * no frame of the domain.
 */
#define NR_FIFO_FRAMES 8
#define PT_FRAME       7

static void *fifo_frame[NR_FIFO_FRAMES];
static int fifo_refs[NR_FIFO_FRAMES];

static uint64_t frame_mfn(unsigned int i)
{
	return virt_to_maddr(fifo_frame[i]) >> PAGE_SHIFT;
}

static int frame_index(uint64_t mfn)
{
	for (unsigned int i = 0; i < NR_FIFO_FRAMES; i++)
		if (fifo_frame[i] && frame_mfn(i) == mfn)
			return (int)i;
	return -1;
}

int arch_get_writable_frame_ref(const struct domain *d, uint64_t mfn)
{
	int i = frame_index(mfn);

	(void)d;
	if (i < 0)
		return -XEN_EINVAL;
	if (i == PT_FRAME)
		return -XEN_EBUSY;
	fifo_refs[i]++;
	return 0;
}

void arch_put_writable_frame_ref(const struct domain *d, uint64_t mfn)
{
	int i = frame_index(mfn);

	(void)d;
	if (i < 0 || --fifo_refs[i] < 0)
		abort();
}

static void fifo_frames_reset(void)
{
	for (unsigned int i = 0; i < NR_FIFO_FRAMES; i++) {
		if (!fifo_frame[i])
			fifo_frame[i] = alloc_xenheap(PAGE_SIZE);
		memset(fifo_frame[i], 0, PAGE_SIZE);
		fifo_refs[i] = 0;
	}
}

static int total_refs(void)
{
	int n = 0;

	for (unsigned int i = 0; i < NR_FIFO_FRAMES; i++)
		n += fifo_refs[i];
	return n;
}

static long init_control(uint64_t mfn, uint32_t offset, uint32_t vcpu,
			 uint8_t *link_bits)
{
	struct evtchn_init_control ic = { .control_gfn = mfn, .offset = offset,
					  .vcpu = vcpu };
	long rc = op(EVTCHNOP_init_control, &ic);

	if (link_bits)
		*link_bits = ic.link_bits;
	return rc;
}

static long expand(uint64_t mfn)
{
	struct evtchn_expand_array e = { .array_gfn = mfn };

	return op(EVTCHNOP_expand_array, &e);
}

static long set_prio(evtchn_port_t port, uint32_t prio)
{
	struct evtchn_set_priority s = { .port = port, .priority = prio };

	return op(EVTCHNOP_set_priority, &s);
}

#define CB_FRAME  0     /* control block at offset 0 */
#define ARR_FRAME 1     /* first event-array page; 2..4 the others */
#define FW(n)     ((event_word_t)1 << EVTCHN_FIFO_##n)

static struct evtchn_fifo_control_block *cb(void)
{
	return fifo_frame[CB_FRAME];
}

static event_word_t *word(unsigned int port)
{
	return (event_word_t *)fifo_frame[ARR_FRAME + port / 1024] + port % 1024;
}

/* Domain 1 on FIFO with one array page, all words masked as Linux does. */
static void fifo_setup(void)
{
	setup(1);
	fifo_frames_reset();
	if (init_control(frame_mfn(CB_FRAME), 0, 0, NULL) ||
	    expand(frame_mfn(ARR_FRAME)))
		abort();
	for (unsigned int p = 0; p < 1024; p++)
		*word(p) = FW(MASKED);
}

/* A consuming guest: take one event from the highest-priority ready queue,
 * Linux's way. Returns the port, 0 if none is ready. */
static uint32_t local_head[EVTCHN_FIFO_MAX_QUEUES], local_ready;

static uint32_t consume_one(void)
{
	unsigned int q;
	uint32_t port, next;
	event_word_t w, nw;

	local_ready |= __atomic_exchange_n(&cb()->ready, 0, __ATOMIC_SEQ_CST);
	if (!local_ready)
		return 0;
	q = (unsigned int)__builtin_ctz(local_ready);
	port = local_head[q] ? local_head[q]
			     : __atomic_load_n(&cb()->head[q], __ATOMIC_SEQ_CST);
	do {
		w = *word(port);
		nw = w & ~(FW(LINKED) | EVTCHN_FIFO_LINK_MASK);
	} while (!__atomic_compare_exchange_n(word(port), &w, nw, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	next = w & EVTCHN_FIFO_LINK_MASK;
	if (!next)
		local_ready &= ~(1u << q);
	local_head[q] = next;
	if ((w & FW(PENDING)) && !(w & FW(MASKED))) {
		__atomic_fetch_and(word(port), ~FW(PENDING), __ATOMIC_SEQ_CST);
		return port;
	}
	return 0xffffffff;      /* consumed a stale entry */
}

static bool fifo_refusals(char *why)
{
	uint8_t lb = 0;
	evtchn_port_t p;
	uint64_t cbm;

	setup(1);
	fifo_frames_reset();
	cbm = frame_mfn(CB_FRAME);
	EXPECT(bind_ipi(0, &p) == 0, "ipi");
	EXPECT(set_prio(p, 3) == -XEN_ENOSYS, "set_priority on two-level");
	EXPECT(expand(frame_mfn(ARR_FRAME)) == -XEN_EOPNOTSUPP,
	       "expand before init");
	EXPECT(init_control(cbm, 0, 1, NULL) == -XEN_ENOENT, "vcpu 1");
	EXPECT(init_control(cbm, 0, 0x80000000u, NULL) == -XEN_ENOENT, "vcpu huge");
	EXPECT(init_control(cbm, 4, 0, NULL) == -XEN_EINVAL, "misaligned");
	EXPECT(init_control(cbm, PAGE_SIZE - 64, 0, NULL) == -XEN_EINVAL,
	       "crosses the page");
	EXPECT(init_control(cbm, 0xfffffff8u, 0, NULL) == -XEN_EINVAL,
	       "huge offset");
	EXPECT(init_control(12345, 0, 0, NULL) == -XEN_EINVAL, "not a frame");
	EXPECT(init_control(frame_mfn(PT_FRAME), 0, 0, NULL) == -XEN_EINVAL,
	       "a page table");
	EXPECT(expand(frame_mfn(ARR_FRAME)) == -XEN_EOPNOTSUPP &&
	       total_refs() == 0, "refusals leave two-level and hold nothing");
	EXPECT(op(EVTCHNOP_init_control, (void *)BAD_ADDR) == -XEN_EFAULT, "efault");
	EXPECT(init_control(cbm, PAGE_SIZE - sizeof(evtchn_fifo_control_block_t),
			    0, &lb) == 0 && lb == EVTCHN_FIFO_LINK_BITS,
	       "last offset that fits, link_bits %u", lb);
	EXPECT(fifo_refs[CB_FRAME] == 1, "control block holds a reference");
	EXPECT(init_control(frame_mfn(2), 0, 0, NULL) == -XEN_EINVAL,
	       "second init of vCPU 0");
	EXPECT(fifo_refs[2] == 0, "refused second init holds nothing");
	EXPECT(expand(12345) == -XEN_EINVAL, "expand with a bad frame");
	EXPECT(expand(frame_mfn(PT_FRAME)) == -XEN_EINVAL, "expand a page table");
	for (unsigned int i = 0; i < 4; i++)
		EXPECT(expand(frame_mfn(ARR_FRAME + i)) == 0, "expand %u", i);
	EXPECT(expand(frame_mfn(5)) == -XEN_ENOSPC, "past the limit");
	EXPECT(total_refs() == 5, "refs %d", total_refs());
	EXPECT(set_prio(p, EVTCHN_FIFO_MAX_QUEUES) == -XEN_EINVAL, "priority 16");
	EXPECT(set_prio(p, 0xffffffffu) == -XEN_EINVAL, "priority huge");
	EXPECT(set_prio(NR_EVTCHN_PORTS, 0) == -XEN_EINVAL, "port out of range");
	EXPECT(set_prio(p + 1, 0) == -XEN_ENOSYS, "free port");
	EXPECT(set_prio(0, 0) == -XEN_ENOSYS, "reserved port");
	EXPECT(set_prio(p, EVTCHN_FIFO_PRIORITY_MIN) == 0, "lowest priority");
	EXPECT(set_prio(p, EVTCHN_FIFO_PRIORITY_MAX) == 0, "highest priority");
	EXPECT(reset(DOMID_SELF) == 0 && total_refs() == 0,
	       "reset drops the frames: refs %d", total_refs());
	EXPECT(expand(frame_mfn(ARR_FRAME)) == -XEN_EOPNOTSUPP,
	       "expand after reset");
	EXPECT(init_control(cbm, 0, 0, NULL) == 0, "init again after reset");
	free_domain(domains[1]);
	domains[1] = NULL;
	EXPECT(total_refs() == 0, "teardown drops refs: %d", total_refs());
	return true;
}

static bool fifo_priority_order(char *why)
{
	evtchn_port_t p[6];
	static const uint32_t prio[6] = { 7, 7, 2, 9, 2, 7 };
	static const unsigned int want[6] = { 2, 4, 0, 1, 5, 3 };

	fifo_setup();
	memset(local_head, 0, sizeof(local_head));
	local_ready = 0;
	for (unsigned int i = 0; i < 6; i++) {
		EXPECT(bind_ipi(0, &p[i]) == 0, "ipi %u", i);
		EXPECT(set_prio(p[i], prio[i]) == 0, "prio %u", i);
		*word(p[i]) = 0;        /* unmasked */
	}
	EXPECT(send(p[0]) == 0, "send");
	EXPECT(*word(p[0]) == (FW(PENDING) | FW(LINKED)), "word %#x", *word(p[0]));
	EXPECT(cb()->head[7] == p[0] && cb()->ready == 1u << 7,
	       "head %u ready %#x", cb()->head[7], cb()->ready);
	EXPECT(vinfo(1)->evtchn_upcall_pending == 1 && kicks[1] == 1,
	       "upcall and kick");
	EXPECT(vinfo(1)->evtchn_pending_sel == 0, "no two-level selector");
	for (unsigned int i = 1; i < 6; i++)
		EXPECT(send(p[i]) == 0, "send %u", i);
	EXPECT(kicks[1] == 1, "one kick while the upcall is pending: %lu",
	       kicks[1]);
	EXPECT((*word(p[0]) & EVTCHN_FIFO_LINK_MASK) == p[1] &&
	       (*word(p[1]) & EVTCHN_FIFO_LINK_MASK) == p[5],
	       "queue 7 chained");
	EXPECT(cb()->ready == ((1u << 7) | (1u << 2) | (1u << 9)),
	       "ready %#x", cb()->ready);
	EXPECT(send(p[0]) == 0 && (*word(p[1]) & EVTCHN_FIFO_LINK_MASK) == p[5],
	       "a linked port is not linked twice");
	for (unsigned int i = 0; i < 6; i++) {
		uint32_t got = consume_one();
		EXPECT(got == p[want[i]], "event %u: port %u, want %u", i, got,
		       p[want[i]]);
	}
	EXPECT(consume_one() == 0 && cb()->ready == 0, "all consumed");
	vinfo(1)->evtchn_upcall_pending = 0;
	EXPECT(send(p[3]) == 0 && cb()->head[9] == p[3] &&
	       cb()->ready == 1u << 9 && vinfo(1)->evtchn_upcall_pending,
	       "an emptied queue starts at HEAD again");
	EXPECT(consume_one() == p[3], "consumed");
	/* Moved to another queue after its last link: the old one empties. */
	EXPECT(set_prio(p[3], 1) == 0 && send(p[3]) == 0 &&
	       cb()->head[1] == p[3] && cb()->ready == 1u << 1, "requeued");
	EXPECT(consume_one() == p[3], "consumed from queue 1");
	EXPECT(send(p[0]) == 0 && cb()->head[7] == p[0], "queue 7 restarts");
	return true;
}

static bool fifo_mask_unmask(char *why)
{
	evtchn_port_t a, b;

	fifo_setup();
	memset(local_head, 0, sizeof(local_head));
	local_ready = 0;
	EXPECT(bind_ipi(0, &a) == 0 && bind_ipi(0, &b) == 0, "ipis");
	EXPECT(send(a) == 0 && *word(a) == (FW(PENDING) | FW(MASKED)),
	       "masked: pending, not linked: %#x", *word(a));
	EXPECT(cb()->ready == 0 && !vinfo(1)->evtchn_upcall_pending &&
	       kicks[1] == 0, "no upcall while masked");
	EXPECT(pending(1, a), "poll sees it pending");
	EXPECT(unmask(a) == 0 && *word(a) == (FW(PENDING) | FW(LINKED)) &&
	       cb()->head[EVTCHN_FIFO_PRIORITY_DEFAULT] == a && kicks[1] == 1,
	       "unmask links it: %#x", *word(a));
	EXPECT(unmask(b) == 0 && *word(b) == 0, "unmask a quiet port: %#x",
	       *word(b));
	EXPECT(consume_one() == a, "consumed");
	EXPECT(!pending(1, a), "acked");
	EXPECT(close_port(a) == 0, "close");
	EXPECT(unmask(NR_EVTCHN_PORTS) == -XEN_EINVAL, "unmask range");
	return true;
}

/* Ports pending before init_control arrive when their page does. */
static bool fifo_pending_carried(char *why)
{
	evtchn_port_t a, b;

	setup(1);
	fifo_frames_reset();
	EXPECT(bind_ipi(0, &a) == 0 && bind_ipi(0, &b) == 0, "ipis");
	EXPECT(send(a) == 0 && pending(1, a), "two-level pending");
	EXPECT(init_control(frame_mfn(CB_FRAME), 0, 0, NULL) == 0, "init");
	EXPECT(!pending(1, a), "no word yet");
	EXPECT(send(b) == 0 && !pending(1, b), "raised without a word");
	ack_all(1);
	EXPECT(expand(frame_mfn(ARR_FRAME)) == 0, "expand");
	EXPECT(pending(1, a) && pending(1, b), "both raised by expand");
	EXPECT(cb()->head[EVTCHN_FIFO_PRIORITY_DEFAULT] == a &&
	       (*word(a) & EVTCHN_FIFO_LINK_MASK) == b &&
	       vinfo(1)->evtchn_upcall_pending && kicks[1] == 1,
	       "queued in port order, one upcall");
	return true;
}

/* A LINKED port is not reused; closing clears PENDING but leaves the link. */
static bool fifo_busy_port(char *why)
{
	evtchn_port_t a, b;

	fifo_setup();
	EXPECT(bind_ipi(0, &a) == 0, "ipi");
	*word(a) = 0;
	EXPECT(send(a) == 0 && close_port(a) == 0, "send, close");
	EXPECT(*word(a) == FW(LINKED), "word %#x", *word(a));
	EXPECT(bind_ipi(0, &b) == 0 && b != a, "linked port skipped: %u", b);
	*word(a) = 0;
	EXPECT(close_port(b) == 0 && bind_ipi(0, &b) == 0 && b == a,
	       "reused once consumed: %u", b);
	return true;
}

/* A guest that writes garbage: the hypervisor only touches the tail's
 * word and HEAD, never walks the guest's links, and always returns. */
static bool fifo_hostile_words(char *why)
{
	evtchn_port_t p[3];

	fifo_setup();
	for (unsigned int i = 0; i < 3; i++) {
		EXPECT(bind_ipi(0, &p[i]) == 0, "ipi");
		*word(p[i]) = 0;
	}
	EXPECT(send(p[0]) == 0, "send");
	*word(p[0]) = FW(LINKED) | p[0];        /* a loop */
	EXPECT(send(p[1]) == 0 && (*word(p[0]) & EVTCHN_FIFO_LINK_MASK) == p[1],
	       "the tail's link is rewritten, not followed");
	*word(p[1]) = 0;                        /* unlinked behind our back */
	cb()->ready = 0;
	EXPECT(send(p[2]) == 0 && cb()->head[7] == p[2] && cb()->ready == 1u << 7,
	       "an unlinked tail starts a new queue");
	/* Garbage everywhere: masked words with LINK bits, all priorities. */
	for (unsigned int i = 0; i < 1024; i++)
		*word(i) = 0xffffffffu;
	for (unsigned int i = 0; i < 3; i++)
		EXPECT(send(p[i]) == 0 && unmask(p[i]) == 0, "send %u", i);
	cb()->head[7] = 0xffffffffu;
	for (unsigned int i = 0; i < 1024; i++)
		*word(i) = FW(LINKED) | 0x1ffff;
	for (unsigned int i = 0; i < 3; i++)
		EXPECT(send(p[i]) == 0 && close_port(p[i]) == 0, "close %u", i);
	return true;
}

/*
 * The guest consumes on another CPU while the hypervisor links: a consumer
 * thread takes events off the queues the way Linux does while this thread
 * sends to 8 ports and moves them between priorities. Once both stop and
 * the queues are drained, no event may be left pending (none lost).
 */
static volatile bool stress_stop;

static void *stress_consumer(void *arg)
{
	unsigned long *taken = arg;

	while (!__atomic_load_n(&stress_stop, __ATOMIC_SEQ_CST)) {
		uint32_t p = consume_one();

		if (p && p != 0xffffffff)
			(*taken)++;
	}
	return NULL;
}

/* A hostile guest: garbage in every word and in the control block. */
static void *stress_vandal(void *arg)
{
	uint64_t x = 88172645463325252ULL;

	(void)arg;
	while (!__atomic_load_n(&stress_stop, __ATOMIC_SEQ_CST)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__atomic_store_n(word((unsigned int)(x % 64)), (event_word_t)(x >> 32),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&cb()->head[(x >> 8) % 16], (uint32_t)x,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&cb()->ready, (uint32_t)(x >> 16),
				 __ATOMIC_RELAXED);
	}
	return NULL;
}

static bool fifo_concurrent_consumer(char *why)
{
	evtchn_port_t p[8];
	unsigned long taken = 0;
	pthread_t t;

	fifo_setup();
	memset(local_head, 0, sizeof(local_head));
	local_ready = 0;
	for (unsigned int i = 0; i < 8; i++) {
		EXPECT(bind_ipi(0, &p[i]) == 0, "ipi");
		*word(p[i]) = 0;
	}
	stress_stop = false;
	EXPECT(pthread_create(&t, NULL, stress_consumer, &taken) == 0, "thread");
	for (unsigned int i = 0; i < 50000; i++) {
		/* Mostly let the consumer catch up, so links and unlinks race. */
		for (unsigned int spin = 0; spin < 200 &&
		     (__atomic_load_n(word(p[i % 8]), __ATOMIC_SEQ_CST) &
		      FW(PENDING)); spin++)
			sched_yield();
		send(p[i % 8]);
		if (i % 97 == 0)
			set_prio(p[(i / 97) % 8], (i / 13) % EVTCHN_FIFO_MAX_QUEUES);
	}
	__atomic_store_n(&stress_stop, true, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	/* What the thread had not reached when it saw the stop. */
	for (uint32_t got; (got = consume_one()) != 0;)
		if (got != 0xffffffff)
			taken++;
	for (unsigned int i = 0; i < 8; i++)
		EXPECT(!(*word(p[i]) & (FW(PENDING) | FW(LINKED))),
		       "port %u left %#x (event lost)", p[i], *word(p[i]));
	EXPECT(taken > 0, "nothing consumed");
	printf("  %lu events taken for 50000 sends\n", taken);

	/* Against garbage: every call returns; nothing else is checked. */
	stress_stop = false;
	EXPECT(pthread_create(&t, NULL, stress_vandal, NULL) == 0, "thread");
	for (unsigned int i = 0; i < 100000; i++) {
		send(p[i % 8]);
		unmask(p[(i + 3) % 8]);
	}
	__atomic_store_n(&stress_stop, true, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
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
	RUN(fifo_refusals);
	RUN(fifo_priority_order);
	RUN(fifo_mask_unmask);
	RUN(fifo_pending_carried);
	RUN(fifo_busy_port);
	RUN(fifo_hostile_words);
	RUN(fifo_concurrent_consumer);
	for (unsigned int i = 0; i < NR_TEST_DOMAINS; i++)
		if (domains[i])
			free_domain(domains[i]);
	return unit_exit_status();
}
