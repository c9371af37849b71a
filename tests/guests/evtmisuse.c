/*
 * evtmisuse: event channels used wrongly across two domains, each refusal
 * with Xen's error code (xen/common/event_channel.c, 4.17). One binary, two
 * roles:
 *
 *   role=host peer=<id>   (domain 0, privileged) binds VIRQ_DOM_EXC, then
 *       allocates: a port for domain 7 (not the peer), a "keep" port and a
 *       "good" port for the peer, in that order (ports 2, 3, 4 after the
 *       VIRQ on 1). When the peer signals on "good", it checks both ends
 *       with EVTCHNOP_status and closes "good". Once the peer has ended
 *       (VIRQ_DOM_EXC, status -ESRCH), "keep" must be unbound again and
 *       nothing the peer sent after the close may have arrived.
 *   role=prober peer=<id> other=<p> keep=<p> good=<p>   (unprivileged)
 *       binds "good" (retrying until the host has allocated it) and
 *       "keep", signals on "good", waits until the host closed it, then
 *       tries everything it must not do, fills its port table, and powers
 *       off.
 */
#include <libpv/hypercall.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include "mdlib.h"

#define NR_PORTS       4096
#define NOBODY         7        /* a domain id the host allocates a port for */
#define NO_SUCH_DOMAIN 9
#define BIND_ATTEMPTS  100000
#define WAIT_NS        (60000 * MD_MS)

static long reset(domid_t dom)
{
	struct evtchn_reset r = { .dom = dom };

	return HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

/* Status of a port, or EVTCHNSTAT_closed when the call fails. */
static uint32_t port_state(domid_t dom, evtchn_port_t port,
			   struct evtchn_status *st)
{
	return md_status(dom, port, st) ? EVTCHNSTAT_closed : st->status;
}

/* --- host ---------------------------------------------------------------- */

/* Allocate the three ports and check the numbers the prober was told. */
static bool host_setup(domid_t peer, evtchn_port_t *virq,
		       evtchn_port_t *keep, evtchn_port_t *good)
{
	evtchn_port_t other = 0, again = 0;

	test_expect_rc("host_bind_dom_exc", md_bind_virq(VIRQ_DOM_EXC, virq), 0);
	test_expect_rc("host_bind_dom_exc_twice_eexist",
		       md_bind_virq(VIRQ_DOM_EXC, &again), -XEN_EEXIST);
	test_expect_rc("host_alloc_for_nobody",
		       md_alloc_unbound(DOMID_SELF, NOBODY, &other), 0);
	test_expect_rc("host_alloc_keep", md_alloc_unbound(DOMID_SELF, peer, keep),
		       0);
	test_expect_rc("host_alloc_good", md_alloc_unbound(DOMID_SELF, peer, good),
		       0);
	pv_printf("evtmisuse: host ports: DOM_EXC %u, for domain %u %u, "
		  "keep %u, good %u\n", *virq, NOBODY, other, *keep, *good);
	return test_check(*virq == 1 && other == 2 && *keep == 3 && *good == 4,
			  "host_port_numbers", "ports %u %u %u %u", *virq,
			  other, *keep, *good);
}

/* The peer signalled on good: both ends say interdomain; then close. */
static void host_check_and_close(domid_t peer, evtchn_port_t good)
{
	struct evtchn_status st, rst;

	test_check(md_wait_port(good, WAIT_NS), "host_event_from_peer",
		   "no event on port %u", good);
	test_check(port_state(DOMID_SELF, good, &st) == EVTCHNSTAT_interdomain &&
		   st.u.interdomain.dom == peer, "host_good_interdomain",
		   "status %u dom %u", st.status, st.u.interdomain.dom);
	test_check(port_state(peer, st.u.interdomain.port, &rst) ==
		   EVTCHNSTAT_interdomain && rst.u.interdomain.dom == 0 &&
		   rst.u.interdomain.port == good, "host_sees_peer_port",
		   "peer port %u: status %u dom %u port %u",
		   st.u.interdomain.port, rst.status, rst.u.interdomain.dom,
		   rst.u.interdomain.port);
	test_expect_rc("host_close_good", md_close(good), 0);
}

/* Wait for the peer's end, then look at what it left behind. */
static void host_after_peer(domid_t peer, evtchn_port_t virq,
			    evtchn_port_t keep, evtchn_port_t good)
{
	struct evtchn_status st;
	unsigned long events = 0;
	uint64_t start = md_now();

	while (md_domain_alive(peer) && md_now() - start < WAIT_NS)
		if (md_wait_port(virq, 1000 * MD_MS))
			events++;
	pv_printf("evtmisuse: peer ended, %lu VIRQ_DOM_EXC events\n", events);
	test_check(!md_domain_alive(peer), "host_peer_ended", "still alive");
	test_check(events >= 1, "host_dom_exc_received", "no VIRQ_DOM_EXC");
	test_check(port_state(DOMID_SELF, keep, &st) == EVTCHNSTAT_unbound &&
		   st.u.unbound.dom == peer, "host_keep_unbound_after_peer_end",
		   "status %u dom %u", st.status, st.u.unbound.dom);
	test_check(port_state(DOMID_SELF, good, &st) == EVTCHNSTAT_closed,
		   "host_good_still_closed", "status %u", st.status);
	test_check(!md_pending(good), "host_send_after_close_dropped",
		   "port %u pending", good);
	test_expect_rc("host_bind_to_ended_domain_esrch",
		       md_bind_interdomain(peer, 1, NULL), -XEN_ESRCH);
	test_expect_rc("host_alloc_for_ended_domain_esrch",
		       md_alloc_unbound(peer, 0, NULL), -XEN_ESRCH);
	test_expect_rc("host_status_of_ended_domain_esrch",
		       md_status(peer, 1, &st), -XEN_ESRCH);
}

static void host(domid_t peer)
{
	evtchn_port_t virq = 0, keep = 0, good = 0;

	if (!host_setup(peer, &virq, &keep, &good))
		return;
	host_check_and_close(peer, good);
	host_after_peer(peer, virq, keep, good);
}

/* --- prober -------------------------------------------------------------- */

/* Bind to the host's port, retrying while it is not allocated yet. */
static long bind_retry(domid_t peer, evtchn_port_t rport, evtchn_port_t *local)
{
	long rc = -XEN_EINVAL;

	for (unsigned int i = 0; i < BIND_ATTEMPTS; i++) {
		rc = md_bind_interdomain(peer, rport, local);
		if (rc != -XEN_EINVAL)
			break;
		md_yield();
	}
	return rc;
}

/* Wait (yielding) until our port is no longer connected. */
static bool wait_unbound(evtchn_port_t port)
{
	struct evtchn_status st;
	uint64_t start = md_now();

	while (port_state(DOMID_SELF, port, &st) == EVTCHNSTAT_interdomain) {
		if (md_now() - start > WAIT_NS)
			return false;
		md_yield();
	}
	return st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0;
}

/* The peer closed its end of good: our end is unbound, sends dropped. */
static void prober_closed_port(domid_t peer, evtchn_port_t rgood,
			       evtchn_port_t lgood)
{
	test_check(wait_unbound(lgood), "prober_port_unbound_after_peer_close",
		   "port %u still connected", lgood);
	md_clear_pending(lgood);
	test_expect_rc("prober_send_on_port_peer_closed", md_send(lgood), 0);
	test_check(!md_pending(lgood), "prober_send_not_looped_back",
		   "port %u pending", lgood);
	test_expect_rc("prober_bind_closed_port_einval",
		       md_bind_interdomain(peer, rgood, NULL), -XEN_EINVAL);
}

/* Ports and domains that are not ours to use. */
static void prober_foreign(domid_t peer, evtchn_port_t other,
			   evtchn_port_t rkeep)
{
	struct evtchn_status st;
	struct sched_remote_shutdown rs = { .domain_id = peer,
					    .reason = SHUTDOWN_poweroff };

	test_expect_rc("prober_bind_port_for_other_domain_einval",
		       md_bind_interdomain(peer, other, NULL), -XEN_EINVAL);
	test_expect_rc("prober_bind_already_bound_einval",
		       md_bind_interdomain(peer, rkeep, NULL), -XEN_EINVAL);
	test_expect_rc("prober_bind_unknown_domain_esrch",
		       md_bind_interdomain(NO_SUCH_DOMAIN, 1, NULL), -XEN_ESRCH);
	test_expect_rc("prober_bind_out_of_range_einval",
		       md_bind_interdomain(peer, NR_PORTS, NULL), -XEN_EINVAL);
	test_expect_rc("prober_bind_own_console_port_einval",
		       md_bind_interdomain(DOMID_SELF,
					   pv_start_info->console.domU.evtchn,
					   NULL), -XEN_EINVAL);
	test_expect_rc("prober_status_other_domain_eperm",
		       md_status(peer, rkeep, &st), -XEN_EPERM);
	test_expect_rc("prober_alloc_for_other_domain_eperm",
		       md_alloc_unbound(peer, DOMID_SELF, NULL), -XEN_EPERM);
	test_expect_rc("prober_reset_other_domain_eperm", reset(peer),
		       -XEN_EPERM);
	test_expect_rc("prober_remote_shutdown_eperm",
		       HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs),
		       -XEN_EPERM);
}

/* Bad port numbers and a VIRQ bound twice. */
static void prober_bad_ports(void)
{
	struct evtchn_status st;
	evtchn_port_t timer = 0;

	test_expect_rc("prober_send_out_of_range_einval", md_send(NR_PORTS),
		       -XEN_EINVAL);
	test_expect_rc("prober_send_huge_port_einval", md_send(0xffffffffu),
		       -XEN_EINVAL);
	test_expect_rc("prober_close_out_of_range_einval", md_close(NR_PORTS),
		       -XEN_EINVAL);
	test_expect_rc("prober_status_out_of_range_einval",
		       md_status(DOMID_SELF, NR_PORTS, &st), -XEN_EINVAL);
	test_expect_rc("prober_unmask_out_of_range_einval", unmask(NR_PORTS),
		       -XEN_EINVAL);
	test_expect_rc("prober_send_free_port_einval", md_send(NR_PORTS - 1),
		       -XEN_EINVAL);
	test_expect_rc("prober_close_free_port_einval", md_close(NR_PORTS - 1),
		       -XEN_EINVAL);
	test_expect_rc("prober_bind_virq_timer", md_bind_virq(VIRQ_TIMER, &timer),
		       0);
	test_expect_rc("prober_bind_virq_timer_twice_eexist",
		       md_bind_virq(VIRQ_TIMER, NULL), -XEN_EEXIST);
	test_expect_rc("prober_bind_virq_out_of_range_einval",
		       md_bind_virq(NR_VIRQS, NULL), -XEN_EINVAL);
}

/* Fill the table: -ENOSPC for every way of taking a port. */
static void prober_exhaust(domid_t peer)
{
	unsigned int n = 0;
	long rc;

	while ((rc = md_alloc_unbound(DOMID_SELF, DOMID_SELF, NULL)) == 0)
		n++;
	pv_printf("evtmisuse: %u more ports allocated before the table was full\n",
		  n);
	test_expect_rc("prober_exhaust_enospc", rc, -XEN_ENOSPC);
	test_check(n >= NR_PORTS - 16, "prober_exhaust_count", "only %u", n);
	test_expect_rc("prober_bind_virq_full_enospc",
		       md_bind_virq(VIRQ_DEBUG, NULL), -XEN_ENOSPC);
	test_expect_rc("prober_bind_interdomain_full_enospc",
		       md_bind_interdomain(peer, 3, NULL), -XEN_ENOSPC);
}

static void prober(domid_t peer)
{
	evtchn_port_t other = (evtchn_port_t)md_arg("other", 2);
	evtchn_port_t rkeep = (evtchn_port_t)md_arg("keep", 3);
	evtchn_port_t rgood = (evtchn_port_t)md_arg("good", 4);
	evtchn_port_t lgood = 0, lkeep = 0;

	if (!test_expect_rc("prober_bind_good", bind_retry(peer, rgood, &lgood), 0) ||
	    !test_expect_rc("prober_bind_keep",
			    md_bind_interdomain(peer, rkeep, &lkeep), 0))
		return;
	pv_printf("evtmisuse: prober bound good %u -> %u, keep %u -> %u\n",
		  rgood, lgood, rkeep, lkeep);
	test_expect_rc("prober_send_good", md_send(lgood), 0);
	prober_closed_port(peer, rgood, lgood);
	prober_foreign(peer, other, rkeep);
	prober_bad_ports();
	prober_exhaust(peer);
}

void kernel_main(start_info_t *si)
{
	domid_t peer = (domid_t)md_arg("peer", 0);

	(void)si;
	md_init();
	if (md_arg_is("role", "host"))
		host(peer);
	else if (md_arg_is("role", "prober"))
		prober(peer);
	else
		test_fail("evtmisuse_role", "role=host or role=prober expected");
	test_finish();
}
