/*
 * isolation: domains that misbehave must not stop the others. One binary,
 * four roles (role=...):
 *
 *   orchestrator  (domain 0, privileged) binds VIRQ_DOM_EXC and waits,
 *                 blocked in SCHEDOP_poll, until the domains named by
 *                 flood=<id> and crash=<id> have ended; the domain named by
 *                 loop=<id> must still be there; it then ends that one
 *                 with SCHEDOP_remote_shutdown and powers off.
 *   loop          never gives up the CPU and never makes a hypercall.
 *   flood         writes lines=<n> (default 2000) long lines through its
 *                 PV console ring as fast as it can, then powers off.
 *   crash         executes ud2 without a trap table: the domain crashes.
 *
 * A domain "has ended" when EVTCHNOP_status on it answers -ESRCH (its
 * event channels are gone with it).
 */
#include <libpv/console_ring.h>
#include <libpv/hypercall.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include "mdlib.h"

#define WAIT_LIMIT_NS   (60000 * MD_MS)
#define LINE_PAD        100

static long remote_shutdown(domid_t id, unsigned int reason)
{
	struct sched_remote_shutdown rs = { .domain_id = id, .reason = reason };

	return HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs);
}

/* Wait (blocked on the VIRQ_DOM_EXC port) until a and b have both ended. */
static unsigned long wait_for_ends(evtchn_port_t virq, domid_t a, domid_t b)
{
	uint64_t start = md_now();
	unsigned long events = 0;

	while (md_domain_alive(a) || md_domain_alive(b)) {
		if (md_now() - start > WAIT_LIMIT_NS)
			break;
		if (md_wait_port(virq, 1000 * MD_MS))
			events++;
	}
	return events;
}

static void orchestrate(void)
{
	domid_t loop = (domid_t)md_arg("loop", 1);
	domid_t flood = (domid_t)md_arg("flood", 2);
	domid_t crash = (domid_t)md_arg("crash", 3);
	evtchn_port_t virq = 0;

	test_expect_rc("bind_virq_dom_exc", md_bind_virq(VIRQ_DOM_EXC, &virq), 0);
	unsigned long events = wait_for_ends(virq, flood, crash);
	bool ended = !md_domain_alive(flood) && !md_domain_alive(crash);

	pv_printf("isolation: domains %u and %u %s, %lu VIRQ_DOM_EXC events, "
		  "at %lu ms\n", flood, crash, ended ? "ended" : "still running",
		  events, md_now() / MD_MS);
	test_check(ended, "flood_and_crash_ended", "still running after 60 s");
	test_check(events >= 1, "dom_exc_seen", "no VIRQ_DOM_EXC");
	test_check(md_domain_alive(loop), "loop_still_running",
		   "domain %u is gone", loop);
	test_expect_rc("remote_shutdown_ended_domain",
		       remote_shutdown(flood, SHUTDOWN_poweroff), -XEN_ESRCH);
	test_expect_rc("remote_shutdown_loop",
		       remote_shutdown(loop, SHUTDOWN_poweroff), 0);
	test_check(!md_domain_alive(loop), "loop_ended", "domain %u still there",
		   loop);
	test_check(md_wait_port(virq, 1000 * MD_MS), "dom_exc_for_loop",
		   "no VIRQ_DOM_EXC after remote_shutdown");
	pv_printf("isolation: domain %u shut down, powering off\n", loop);
}

/* lines long lines, numbered, through the console ring. */
static void flood(void)
{
	unsigned long lines = md_arg("lines", 2000);
	char pad[LINE_PAD + 1];

	for (unsigned int i = 0; i < LINE_PAD; i++)
		pad[i] = (char)('a' + i % 26);
	pad[LINE_PAD] = 0;
	if (!pv_console_ring_init())
		pv_printf("flood: no console ring, using console_io\n");
	uint64_t start = md_now();
	for (unsigned long i = 0; i < lines; i++)
		pv_printf("flood: line %lu %s\n", i, pad);
	pv_printf("flood: %lu lines written in %lu ms\n", lines,
		  (md_now() - start) / MD_MS);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	if (md_arg_is("role", "crash")) {
		pv_printf("crash: executing ud2 without a trap table\n");
		__asm__ volatile("ud2" ::: "memory");
		test_fail("crash_ud2", "execution went on after ud2");
		test_finish();
	}
	md_init();
	if (md_arg_is("role", "loop")) {
		pv_printf("loop: spinning forever, no hypercalls\n");
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	if (md_arg_is("role", "flood"))
		flood();
	else if (md_arg_is("role", "orchestrator"))
		orchestrate();
	else
		test_fail("isolation_role", "unknown role");
	test_finish();
}
