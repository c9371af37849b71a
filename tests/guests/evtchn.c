/*
 * evtchn: HYPERVISOR_event_channel_op in one domain, each expectation taken
 * from Xen 4.17 (xen/common/event_channel.c, event_2l.c):
 *  - a loopback channel (alloc_unbound to ourselves, bind_interdomain to
 *    it) carries sends both ways; a new binding starts pending;
 *  - the two-level bits in shared_info: pending, mask, the vCPU's selector
 *    and evtchn_upcall_pending; unmasking a pending port raises it again;
 *  - close leaves the other end unbound, and a send there is dropped (0);
 *  - refusals: closed, unbound, VIRQ and out-of-range ports, ports meant
 *    for another domain, unknown domains, a VIRQ bound twice, vCPUs that
 *    do not exist, exhaustion of all 4096 ports, bad argument pointers;
 *  - FIFO operations before init_control: init_control of frame 0 is
 *    -EINVAL, expand_array -EOPNOTSUPP, set_priority -ENOSYS (the domain
 *    stays on two-level; tests/guests/evtchn_fifo.c covers FIFO);
 *  - delivery: with events unmasked, a send enters the event callback.
 * Runs with events masked (vcpu_info.evtchn_upcall_mask = 1, as started)
 * until the delivery part at the end.
 */
#include <libpv/hypercall.h>
#include <libpv/usermode.h>
#include <pv/errno.h>
#include <pv/event_channel.h>
#include "testlib.h"

#define NR_PORTS      4096
#define BITS          64
#define HV_POINTER    0xFFFF830000000000UL
#define BOGUS_DOMID   1234

static char shared_page[4096] __attribute__((aligned(4096)));
static shared_info_t *sh;
static struct vcpu_info *vi;

static volatile unsigned long upcalls;
static volatile unsigned long upcall_port;      /* last port the callback saw */

/* --- hypercall wrappers -------------------------------------------------- */

static long alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	if (port)
		*port = a.port;
	return rc;
}

static long bind_interdomain(domid_t rdom, evtchn_port_t rport,
			     evtchn_port_t *local)
{
	struct evtchn_bind_interdomain b = { .remote_dom = rdom,
					     .remote_port = rport };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

	if (local)
		*local = b.local_port;
	return rc;
}

static long bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

	if (port)
		*port = b.port;
	return rc;
}

static long bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

	if (port)
		*port = b.port;
	return rc;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

static long bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &b);
}

static long reset(domid_t dom)
{
	struct evtchn_reset r = { .dom = dom };

	return HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r);
}

static long status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
	*st = (struct evtchn_status){ .dom = dom, .port = port };
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

/* --- shared_info bits ---------------------------------------------------- */

static bool is_pending(evtchn_port_t port)
{
	return (sh->evtchn_pending[port / BITS] >> (port % BITS)) & 1;
}

static bool sel_set(evtchn_port_t port)
{
	return (vi->evtchn_pending_sel >> (port / BITS)) & 1;
}

static void mask(evtchn_port_t port)
{
	__atomic_fetch_or(&sh->evtchn_mask[port / BITS], 1UL << (port % BITS),
			  __ATOMIC_SEQ_CST);
}

/* Forget every pending event, as a handler would after processing them. */
static void clear_all(void)
{
	vi->evtchn_upcall_pending = 0;
	vi->evtchn_pending_sel = 0;
	for (unsigned int w = 0; w < BITS; w++)
		sh->evtchn_pending[w] = 0;
}

/* The event callback: take the words the selector names, record a port. */
static void on_event(struct pv_trap_frame *frame)
{
	unsigned long sel;

	(void)frame;
	upcalls++;
	vi->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int w = (unsigned int)__builtin_ctzl(sel);
		unsigned long bits = sh->evtchn_pending[w] & ~sh->evtchn_mask[w];

		sel &= sel - 1;
		if (bits)
			upcall_port = w * BITS + (unsigned int)__builtin_ctzl(bits);
		__atomic_fetch_and(&sh->evtchn_pending[w], ~bits,
				   __ATOMIC_SEQ_CST);
	}
}

/* --- checks -------------------------------------------------------------- */

static void fifo_not_initialised(void)
{
	struct evtchn_init_control ic = { 0 };
	struct evtchn_expand_array ea = { 0 };
	struct evtchn_set_priority sp = { 0 };

	test_expect_rc("init_control_frame_0_einval",
		       HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic),
		       -XEN_EINVAL);
	test_expect_rc("expand_array_before_init_eopnotsupp",
		       HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea),
		       -XEN_EOPNOTSUPP);
	test_expect_rc("set_priority_two_level_enosys",
		       HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &sp),
		       -XEN_ENOSYS);
	test_expect_rc("unknown_op_enosys",
		       HYPERVISOR_event_channel_op(99, &sp), -XEN_ENOSYS);
}

/* Loopback: a (unbound, for us) <- bind_interdomain -> b. */
static void loopback(void)
{
	struct evtchn_status st;
	evtchn_port_t a = 0, b = 0;

	test_expect_rc("alloc_unbound_self", alloc_unbound(DOMID_SELF,
							   DOMID_SELF, &a), 0);
	test_check(a > 0 && a < NR_PORTS, "alloc_unbound_port", "port %u", a);
	test_expect_rc("status_unbound", status(DOMID_SELF, a, &st), 0);
	test_check(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0 &&
		   st.vcpu == 0, "status_unbound_fields", "status %u dom %u",
		   st.status, st.u.unbound.dom);

	clear_all();
	test_expect_rc("bind_interdomain_self", bind_interdomain(DOMID_SELF,
								 a, &b), 0);
	test_check(b != a && b > 0, "bind_interdomain_port", "%u, %u", a, b);
	test_check(is_pending(b), "bind_sets_local_pending",
		   "new binding not pending");
	test_expect_rc("status_interdomain", status(DOMID_SELF, b, &st), 0);
	test_check(st.status == EVTCHNSTAT_interdomain &&
		   st.u.interdomain.dom == 0 && st.u.interdomain.port == a,
		   "status_interdomain_fields", "status %u dom %u port %u",
		   st.status, st.u.interdomain.dom, st.u.interdomain.port);
	test_expect_rc("rebind_bound_port", bind_interdomain(DOMID_SELF, a,
							     NULL),
		       -XEN_EINVAL);

	/* Sends both ways: pending bit, selector, upcall flag. */
	clear_all();
	test_expect_rc("send_b_to_a", send(b), 0);
	test_check(is_pending(a) && !is_pending(b), "send_sets_remote_pending",
		   "a %d b %d", is_pending(a), is_pending(b));
	test_check(sel_set(a) && vi->evtchn_upcall_pending == 1,
		   "send_sets_selector_and_upcall", "sel %lx upcall %u",
		   vi->evtchn_pending_sel, vi->evtchn_upcall_pending);
	test_expect_rc("send_a_to_b", send(a), 0);
	test_check(is_pending(b), "send_reverse", "b not pending");

	/* Masked: only the pending bit. Unmask raises it. */
	clear_all();
	mask(a);
	test_expect_rc("send_masked", send(b), 0);
	test_check(is_pending(a) && !sel_set(a) && !vi->evtchn_upcall_pending,
		   "masked_sets_only_pending", "pending %d sel %lx upcall %u",
		   is_pending(a), vi->evtchn_pending_sel,
		   vi->evtchn_upcall_pending);
	test_expect_rc("unmask", unmask(a), 0);
	test_check(!(sh->evtchn_mask[a / BITS] >> (a % BITS) & 1) &&
		   sel_set(a) && vi->evtchn_upcall_pending == 1,
		   "unmask_raises_pending", "sel %lx upcall %u",
		   vi->evtchn_pending_sel, vi->evtchn_upcall_pending);

	/* Close one end: the other is unbound again, sends on it dropped. */
	test_expect_rc("close", close_port(a), 0);
	test_expect_rc("status_closed", status(DOMID_SELF, a, &st), 0);
	test_expect_eq("status_closed_value", st.status, EVTCHNSTAT_closed);
	test_check(!is_pending(a), "close_clears_pending", "still pending");
	test_expect_rc("status_peer", status(DOMID_SELF, b, &st), 0);
	test_check(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
		   "peer_unbound_after_close", "status %u dom %u", st.status,
		   st.u.unbound.dom);
	clear_all();
	test_expect_rc("send_on_unbound_dropped", send(b), 0);
	test_check(!is_pending(a) && !is_pending(b), "unbound_send_raises_nothing",
		   "a %d b %d", is_pending(a), is_pending(b));
	test_expect_rc("send_on_closed", send(a), -XEN_EINVAL);
	test_expect_rc("close_closed", close_port(a), -XEN_EINVAL);
	test_expect_rc("close_unbound", close_port(b), 0);
	test_expect_rc("send_on_closed_peer", send(b), -XEN_EINVAL);
}

static void virqs(void)
{
	struct evtchn_status st;
	evtchn_port_t t = 0;

	test_expect_rc("bind_virq_timer", bind_virq(VIRQ_TIMER, 0, &t), 0);
	test_expect_rc("bind_virq_twice", bind_virq(VIRQ_TIMER, 0, NULL),
		       -XEN_EEXIST);
	test_expect_rc("bind_virq_out_of_range", bind_virq(NR_VIRQS, 0, NULL),
		       -XEN_EINVAL);
	test_expect_rc("bind_global_virq_vcpu1",
		       bind_virq(VIRQ_DOM_EXC, 1, NULL), -XEN_EINVAL);
	test_expect_rc("bind_virq_missing_vcpu", bind_virq(VIRQ_DEBUG, 1, NULL),
		       -XEN_ENOENT);
	test_expect_rc("bind_virq_dom_exc", bind_virq(VIRQ_DOM_EXC, 0, NULL), 0);
	test_expect_rc("bind_virq_console", bind_virq(VIRQ_CONSOLE, 0, NULL), 0);
	test_expect_rc("bind_virq_debug", bind_virq(VIRQ_DEBUG, 0, NULL), 0);
	test_expect_rc("status_virq", status(DOMID_SELF, t, &st), 0);
	test_check(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER,
		   "status_virq_fields", "status %u virq %u", st.status,
		   st.u.virq);
	test_expect_rc("send_on_virq", send(t), -XEN_EINVAL);
	test_expect_rc("bind_vcpu_per_vcpu_virq", bind_vcpu(t, 0), -XEN_EINVAL);
	test_expect_rc("close_virq", close_port(t), 0);
	test_expect_rc("rebind_virq_after_close", bind_virq(VIRQ_TIMER, 0, &t),
		       0);
	test_expect_rc("close_virq_again", close_port(t), 0);
}

static void ipis_and_vcpus(void)
{
	struct evtchn_status st;
	evtchn_port_t p = 0, u = 0;

	test_expect_rc("bind_ipi_vcpu1", bind_ipi(1, NULL), -XEN_ENOENT);
	test_expect_rc("bind_ipi", bind_ipi(0, &p), 0);
	test_expect_rc("status_ipi", status(DOMID_SELF, p, &st), 0);
	test_expect_eq("status_ipi_value", st.status, EVTCHNSTAT_ipi);
	clear_all();
	test_expect_rc("send_ipi", send(p), 0);
	test_check(is_pending(p) && vi->evtchn_upcall_pending,
		   "ipi_raises_own_port", "not pending");
	test_expect_rc("bind_vcpu_ipi", bind_vcpu(p, 0), -XEN_EINVAL);
	test_expect_rc("alloc_unbound_for_vcpu", alloc_unbound(DOMID_SELF,
							       DOMID_SELF, &u),
		       0);
	test_expect_rc("bind_vcpu_unbound", bind_vcpu(u, 0), 0);
	test_expect_rc("bind_vcpu_missing_vcpu", bind_vcpu(u, 1), -XEN_ENOENT);
	test_expect_rc("bind_vcpu_free_port", bind_vcpu(4000, 0), -XEN_EINVAL);
	test_expect_rc("close_ipi", close_port(p), 0);
	test_expect_rc("close_for_vcpu", close_port(u), 0);
}

static void refusals(void)
{
	struct evtchn_status st;
	evtchn_port_t other = 0;

	test_expect_rc("send_port0", send(0), -XEN_EINVAL);
	test_expect_rc("close_port0", close_port(0), -XEN_EINVAL);
	test_expect_rc("send_free_port", send(77), -XEN_EINVAL);
	test_expect_rc("send_out_of_range", send(NR_PORTS), -XEN_EINVAL);
	test_expect_rc("send_huge_port", send(0xffffffffu), -XEN_EINVAL);
	test_expect_rc("close_out_of_range", close_port(NR_PORTS), -XEN_EINVAL);
	test_expect_rc("unmask_out_of_range", unmask(NR_PORTS), -XEN_EINVAL);
	test_expect_rc("status_out_of_range", status(DOMID_SELF, NR_PORTS, &st),
		       -XEN_EINVAL);
	test_expect_rc("bind_vcpu_out_of_range", bind_vcpu(NR_PORTS, 0),
		       -XEN_EINVAL);
	test_expect_rc("bind_interdomain_out_of_range",
		       bind_interdomain(DOMID_SELF, NR_PORTS, NULL),
		       -XEN_EINVAL);
	test_expect_rc("bind_interdomain_free_port",
		       bind_interdomain(DOMID_SELF, 300, NULL), -XEN_EINVAL);
	test_expect_rc("bind_interdomain_unknown_dom",
		       bind_interdomain(BOGUS_DOMID, 1, NULL), -XEN_ESRCH);
	test_expect_rc("alloc_unbound_unknown_dom",
		       alloc_unbound(BOGUS_DOMID, DOMID_SELF, NULL), -XEN_ESRCH);
	test_expect_rc("status_unknown_dom", status(BOGUS_DOMID, 1, &st),
		       -XEN_ESRCH);
	test_expect_rc("reset_unknown_dom", reset(BOGUS_DOMID), -XEN_ESRCH);

	/* A port allocated for another domain is not ours to bind. */
	test_expect_rc("alloc_for_other", alloc_unbound(DOMID_SELF, 7, &other), 0);
	test_expect_rc("bind_port_for_other",
		       bind_interdomain(DOMID_SELF, other, NULL), -XEN_EINVAL);
	test_expect_rc("status_for_other", status(DOMID_SELF, other, &st), 0);
	test_expect_eq("status_for_other_dom", st.u.unbound.dom, 7);
	test_expect_rc("send_for_other_dropped", send(other), 0);
	test_expect_rc("close_for_other", close_port(other), 0);

	test_expect_rc("send_bad_pointer",
		       HYPERVISOR_event_channel_op(EVTCHNOP_send,
						   (void *)HV_POINTER),
		       -XEN_EFAULT);
	test_expect_rc("status_bad_pointer",
		       HYPERVISOR_event_channel_op(EVTCHNOP_status,
						   (void *)HV_POINTER),
		       -XEN_EFAULT);
}

/* Fill the table, then reset closes everything. */
static void exhaustion(void)
{
	evtchn_port_t p = 0;
	unsigned int n = 0;
	long rc;

	while ((rc = alloc_unbound(DOMID_SELF, DOMID_SELF, &p)) == 0)
		n++;
	test_expect_rc("exhaust_enospc", rc, -XEN_ENOSPC);
	test_check(n >= NR_PORTS - 8, "exhaust_count", "only %u ports", n);
	test_expect_rc("bind_ipi_enospc", bind_ipi(0, NULL), -XEN_ENOSPC);
	test_expect_rc("bind_virq_enospc", bind_virq(VIRQ_TIMER, 0, NULL),
		       -XEN_ENOSPC);
	test_expect_rc("reset_self", reset(DOMID_SELF), 0);
	test_expect_rc("alloc_after_reset", alloc_unbound(DOMID_SELF,
							  DOMID_SELF, &p), 0);
	test_expect_eq("alloc_after_reset_port", p, 1);
	test_expect_rc("close_after_reset", close_port(p), 0);
}

/*
 * The upcall. Needs the hypervisor's event delivery on return to the
 * guest (common/schedule.c); the checks are named delivery_*.
 */
static void delivery(void)
{
	evtchn_port_t p = 0;

	pv_trap_set_handler(PV_VEC_EVENT, on_event);
	test_expect_rc("delivery_bind_ipi", bind_ipi(0, &p), 0);
	clear_all();
	upcalls = 0;
	__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);

	send(p);
	test_check(upcalls == 1 && upcall_port == p, "delivery_upcall_on_send",
		   "%lu upcalls, port %lu (want %u)", upcalls, upcall_port, p);
	test_check(!is_pending(p) && vi->evtchn_upcall_mask == 0,
		   "delivery_handler_ran_and_returned", "pending %d mask %u",
		   is_pending(p), vi->evtchn_upcall_mask);

	mask(p);
	send(p);
	test_check(upcalls == 1 && is_pending(p), "delivery_masked_port_waits",
		   "%lu upcalls", upcalls);
	unmask(p);
	test_check(upcalls == 2 && !is_pending(p), "delivery_unmask_delivers",
		   "%lu upcalls", upcalls);

	__atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
	send(p);
	test_check(upcalls == 2 && vi->evtchn_upcall_pending,
		   "delivery_upcall_mask_holds", "%lu upcalls", upcalls);
	__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	HYPERVISOR_xen_version(0, NULL);        /* any hypercall: an exit */
	test_check(upcalls == 3, "delivery_after_clearing_upcall_mask",
		   "%lu upcalls", upcalls);
	__atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
	close_port(p);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("evtchn: event channel operations and two-level delivery\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install the trap table / callbacks\n");
	sh = pv_map_shared_info(shared_page);
	if (!test_check(sh != NULL, "map_shared_info", "update_va_mapping"))
		test_finish();
	vi = &sh->vcpu_info[0];
	test_expect_eq("events_masked_at_start", vi->evtchn_upcall_mask, 1);

	fifo_not_initialised();
	loopback();
	virqs();
	ipis_and_vcpus();
	refusals();
	exhaustion();
	delivery();
	test_finish();
}
