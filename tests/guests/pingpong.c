/*
 * pingpong: two domains bounce events over one interdomain event channel.
 *
 *   role=ping peer=<domid> [rounds=N]   allocates an unbound port for peer
 *       (EVTCHNOP_alloc_unbound), prints it, waits for pong's hello, then
 *       N times: send, wait for the answer.
 *   role=pong peer=<domid> port=<p> [rounds=N]   binds to ping's port p
 *       (EVTCHNOP_bind_interdomain, retried with SCHEDOP_yield until ping
 *       has allocated it), says hello, then N times: wait, answer.
 *
 * Waiting is SCHEDOP_poll on the port with events masked (mdlib.h). Each
 * side prints "pingpong: N round trips" and PASS/FAIL lines, then powers
 * off. rounds defaults to 10000.
 */
#include <pv/errno.h>
#include <lamina/perf.h>
#include <libpv/hypercall.h>
#include "mdlib.h"

#define WAIT_NS        (5000 * MD_MS)   /* one event may take this long */
#define BIND_ATTEMPTS  100000

/* Wait for one event on port; report a timeout once. */
static bool wait_or_fail(evtchn_port_t port, unsigned long round)
{
	if (md_wait_port(port, WAIT_NS))
		return true;
	test_fail("pingpong_event", "no event on port %u in round %lu", port,
		  round);
	return false;
}

/* Print the count and judge it. */
static void report(const char *role, unsigned long done, unsigned long rounds,
		   uint64_t start)
{
	uint64_t ns = md_now() - start;

	pv_printf("pingpong: %lu round trips\n", done);
	pv_printf("pingpong: %s took %lu ms, %lu ns per round trip\n", role,
		  ns / MD_MS, done ? ns / done : 0);
	test_check(done == rounds, "pingpong_all_rounds", "%lu of %lu", done,
		   rounds);
}

static void ping(domid_t peer, unsigned long rounds)
{
	evtchn_port_t port = 0;
	unsigned long done = 0;

	if (!test_expect_rc("ping_alloc_unbound",
			    md_alloc_unbound(DOMID_SELF, peer, &port), 0))
		return;
	pv_printf("pingpong: ping allocated port %u for domain %u\n", port, peer);
	if (!test_check(md_wait_port(port, 60000 * MD_MS), "ping_hello",
			"pong never bound port %u", port))
		return;
	struct lamina_perf_counters before, after;
	long have_perf = PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ,
				      &before, 0, 0, 0);
	uint64_t start = md_now();
	while (done < rounds) {
		md_send(port);
		if (!wait_or_fail(port, done))
			break;
		done++;
	}
	report("ping", done, rounds, start);
	/* Each round trip is at least its send (the answer may already be
	 * pending when ping looks, sparing the poll): the domain's counters
	 * must see them although the CPU switched to the other domain in
	 * between (Lamina only: Xen has no such hypercall). */
	if (have_perf == 0 &&
	    !PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ, &after, 0, 0, 0))
		test_check(after.hypercalls - before.hypercalls >= done,
			   "perf_counts_survive_switches",
			   "%lu hypercalls counted for %lu round trips",
			   (unsigned long)(after.hypercalls - before.hypercalls), done);
}

/* Bind to ping's port, retrying while ping has not allocated it yet. */
static long bind_to_ping(domid_t peer, evtchn_port_t rport,
			 evtchn_port_t *local)
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

static void pong(domid_t peer, evtchn_port_t rport, unsigned long rounds)
{
	evtchn_port_t port = 0;
	unsigned long done = 0;

	if (!test_expect_rc("pong_bind_interdomain",
			    bind_to_ping(peer, rport, &port), 0))
		return;
	pv_printf("pingpong: pong bound local port %u to domain %u port %u\n",
		  port, peer, rport);
	md_clear_pending(port);         /* a new binding starts pending */
	md_send(port);                  /* hello */
	uint64_t start = md_now();
	while (done < rounds) {
		if (!wait_or_fail(port, done))
			break;
		md_send(port);
		done++;
	}
	report("pong", done, rounds, start);
}

void kernel_main(start_info_t *si)
{
	unsigned long rounds = md_arg("rounds", 10000);
	domid_t peer = (domid_t)md_arg("peer", 0);

	(void)si;
	md_init();
	if (md_arg_is("role", "ping"))
		ping(peer, rounds);
	else if (md_arg_is("role", "pong"))
		pong(peer, (evtchn_port_t)md_arg("port", 1), rounds);
	else
		test_fail("pingpong_role", "role=ping or role=pong expected");
	test_finish();
}
