/*
 * fifo_pingpong: two domains bounce events over one interdomain channel,
 * with the FIFO ABI on one or both ends.
 *
 *   role=ping peer=<domid> [rounds=N] [fifo=0|1]   allocates an unbound
 *       port for peer, waits for pong's hello, then N times: send, wait.
 *   role=pong peer=<domid> port=<p> [rounds=N] [fifo=0|1]   binds to
 *       ping's port p (retried until ping has allocated it), says hello,
 *       then N times: wait, answer.
 *
 * With fifo=1 (the default) the domain switches to FIFO first and waits
 * with SCHEDOP_poll until the port's event word is PENDING, then takes the
 * event off its queue, which must be that port and nothing else; with
 * fifo=0 it stays on two-level (mdlib's md_wait_port). Events stay masked
 * (evtchn_upcall_mask), so nothing enters a callback.
 */
#include <libpv/events_fifo.h>
#include <libpv/hypercall.h>
#include <pv/errno.h>
#include "mdlib.h"

#define WAIT_NS        (5000 * MD_MS)
#define BIND_ATTEMPTS  100000
#define FW(bit)        ((event_word_t)1 << EVTCHN_FIFO_##bit)

static char cb_page[4096] __attribute__((aligned(4096)));
static char arr_page[4096] __attribute__((aligned(4096)));
static struct pv_fifo fifo;
static bool use_fifo;
static unsigned long wrong;     /* events taken off the queue for another port */

static void fifo_setup(void)
{
	test_expect_rc("fifo_init_control", pv_fifo_init(&fifo, cb_page, 0), 0);
	test_expect_rc("fifo_expand_array", pv_fifo_expand(&fifo, arr_page), 0);
}

/*
 * A port of ours from now on: unmasked, and linked by EVTCHNOP_unmask if
 * an event came while it was masked (the peer may already have sent);
 * fresh drops a pending state that means nothing (a new binding's).
 */
static void adopt(evtchn_port_t port, bool fresh)
{
	struct evtchn_unmask u = { .port = port };

	if (!use_fifo) {
		if (fresh)
			md_clear_pending(port);
		return;
	}
	if (fresh)
		__atomic_fetch_and(pv_fifo_word(&fifo, port), ~FW(PENDING),
				   __ATOMIC_SEQ_CST);
	__atomic_fetch_and(pv_fifo_word(&fifo, port), ~FW(MASKED),
			   __ATOMIC_SEQ_CST);
	HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

static bool fifo_wait(evtchn_port_t port, uint64_t timeout_ns)
{
	uint64_t deadline = md_now() + timeout_ns;
	struct sched_poll poll = { .nr_ports = 1, .timeout = deadline };
	event_word_t *w = pv_fifo_word(&fifo, port);
	evtchn_port_t got;

	poll.ports.p = &port;
	while (!(__atomic_load_n(w, __ATOMIC_SEQ_CST) & FW(PENDING))) {
		if (md_now() >= deadline)
			return false;
		HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	}
	got = pv_fifo_next(&fifo);
	if (got != port)
		wrong++;
	/* Nothing else may be queued. */
	if (pv_fifo_next(&fifo))
		wrong++;
	return true;
}

static bool wait_port(evtchn_port_t port, uint64_t timeout_ns)
{
	return use_fifo ? fifo_wait(port, timeout_ns)
			: md_wait_port(port, timeout_ns);
}

static bool wait_or_fail(evtchn_port_t port, unsigned long round)
{
	if (wait_port(port, WAIT_NS))
		return true;
	test_fail("fifo_pingpong_event", "no event on port %u in round %lu",
		  port, round);
	return false;
}

static void report(const char *role, unsigned long done, unsigned long rounds)
{
	pv_printf("fifo_pingpong: %s (%s): %lu round trips\n", role,
		  use_fifo ? "fifo" : "two-level", done);
	test_check(done == rounds, "fifo_pingpong_all_rounds", "%lu of %lu",
		   done, rounds);
	if (use_fifo)
		test_check(wrong == 0, "fifo_queue_held_only_our_port",
			   "%lu unexpected entries", wrong);
}

static void ping(domid_t peer, unsigned long rounds)
{
	evtchn_port_t port = 0;
	unsigned long done = 0;

	if (!test_expect_rc("ping_alloc_unbound",
			    md_alloc_unbound(DOMID_SELF, peer, &port), 0))
		return;
	adopt(port, false);
	pv_printf("fifo_pingpong: ping allocated port %u for domain %u\n",
		  port, peer);
	if (!test_check(wait_port(port, 60000 * MD_MS), "ping_hello",
			"pong never bound port %u", port))
		return;
	while (done < rounds) {
		md_send(port);
		if (!wait_or_fail(port, done))
			break;
		done++;
	}
	report("ping", done, rounds);
}

static void pong(domid_t peer, evtchn_port_t rport, unsigned long rounds)
{
	evtchn_port_t port = 0;
	unsigned long done = 0;
	long rc = -XEN_EINVAL;

	for (unsigned int i = 0; i < BIND_ATTEMPTS && rc == -XEN_EINVAL; i++)
		if ((rc = md_bind_interdomain(peer, rport, &port)) == -XEN_EINVAL)
			md_yield();
	if (!test_expect_rc("pong_bind_interdomain", rc, 0))
		return;
	adopt(port, true);      /* a new binding starts pending */
	pv_printf("fifo_pingpong: pong bound local port %u\n", port);
	md_send(port);          /* hello */
	while (done < rounds) {
		if (!wait_or_fail(port, done))
			break;
		md_send(port);
		done++;
	}
	report("pong", done, rounds);
}

void kernel_main(start_info_t *si)
{
	unsigned long rounds = md_arg("rounds", 1000);
	domid_t peer = (domid_t)md_arg("peer", 0);

	(void)si;
	md_init();
	use_fifo = md_arg("fifo", 1) != 0;
	if (use_fifo)
		fifo_setup();
	if (md_arg_is("role", "ping"))
		ping(peer, rounds);
	else if (md_arg_is("role", "pong"))
		pong(peer, (evtchn_port_t)md_arg("port", 1), rounds);
	else
		test_fail("fifo_pingpong_role", "role=ping or role=pong expected");
	test_finish();
}
