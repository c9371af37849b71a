/*
 * bad_poll_console: hostile input to SCHEDOP_poll and to the console ring
 * the hypervisor serves (run as an unprivileged domain, which has one).
 * Every refusal must come back as the documented error, a corrupted ring
 * must be clamped rather than read past, and the domain must carry on.
 */
#include <libpv/hypercall.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/xen.h>
#include <pv/sched.h>
#include <pv/event_channel.h>
#include <pv/io/console.h>
#include "testlib.h"

#define HV_PTR 0xFFFF830000000000UL

/* A page of ours that becomes the shared_info mapping (for system time). */
static uint8_t shared_window[4096] __attribute__((aligned(4096)));

static long poll_ports(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
	struct sched_poll p = { .nr_ports = n, .timeout = timeout };

	set_xen_guest_handle(p.ports, ports);
	return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void check_poll(void)
{
	evtchn_port_t ports[5] = { 1, 1, 1, 1, 1 };

	test_expect_rc("poll_too_many_ports", poll_ports(ports, 5, 0), -22);
	ports[0] = 5000;
	test_expect_rc("poll_port_out_of_range", poll_ports(ports, 1, 0), -22);
	test_expect_rc("poll_ports_hypervisor_pointer",
		       poll_ports((evtchn_port_t *)HV_PTR, 1, 0), -14);
	test_expect_rc("poll_arg_null", HYPERVISOR_sched_op(SCHEDOP_poll, NULL), -14);
	test_expect_rc("poll_arg_hypervisor",
		       HYPERVISOR_sched_op(SCHEDOP_poll, (void *)HV_PTR), -14);

	/* A port of ours that is pending: poll returns at once. */
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	test_expect_rc("alloc_port", HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0);
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF, .remote_port = a.port };
	test_expect_rc("bind_loopback", HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b), 0);
	struct evtchn_send s = { .port = b.local_port };
	test_expect_rc("send_self", HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), 0);
	ports[0] = a.port;
	test_expect_rc("poll_pending_returns", poll_ports(ports, 1, 0), 0);

	/*
	 * A fresh unbound port has never been signalled (a bound one may be:
	 * bind_interdomain marks its new port pending, as Xen does): poll on
	 * it sleeps until the timeout.
	 */
	struct evtchn_alloc_unbound c = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	test_expect_rc("alloc_quiet_port", HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &c), 0);
	ports[0] = c.port;
	uint64_t t0 = pv_system_time_ns();
	test_expect_rc("poll_timeout_returns", poll_ports(ports, 1, t0 + 20000000), 0);
	test_check(pv_system_time_ns() - t0 >= 15000000, "poll_slept_until_timeout",
		   "woke after %lu ns", (unsigned long)(pv_system_time_ns() - t0));
}

/* Corrupt the ring indices, notify, and check the hypervisor recovered. */
static void check_console_ring(start_info_t *si)
{
	struct xencons_interface *ring =
		pv_pfn_to_virt(pv_mfn_to_pfn(si->console.domU.mfn));
	struct evtchn_send s = { .port = si->console.domU.evtchn };

	/* Newlines only: wherever the clamped read starts and ends, it leaves
	 * no partial line to merge with this domain's console_io output. */
	for (unsigned int i = 0; i < sizeof(ring->out); i++)
		ring->out[i] = '\n';

	/* Producer a million bytes ahead: at most one ring is taken. */
	ring->out_prod = ring->out_cons + 1000000;
	test_expect_rc("ring_far_ahead_notify", HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), 0);
	test_expect_eq("ring_far_ahead_consumed", ring->out_cons, ring->out_prod);

	/* Producer behind the consumer (wrapped): also clamped. */
	ring->out_prod = ring->out_cons - 5;
	test_expect_rc("ring_behind_notify", HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), 0);
	test_expect_eq("ring_behind_consumed", ring->out_cons, ring->out_prod);

	/* A normal line still gets through afterwards. */
	const char msg[] = "ring still works\n";
	for (unsigned int i = 0; msg[i]; i++)
		ring->out[MASK_XENCONS_IDX(ring->out_prod + i, ring->out)] = msg[i];
	ring->out_prod += sizeof(msg) - 1;
	test_expect_rc("ring_normal_notify", HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), 0);
	test_expect_eq("ring_normal_consumed", ring->out_cons, ring->out_prod);
}

void kernel_main(start_info_t *si)
{
	pv_printf("bad_poll_console: hostile poll arguments and console ring\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	if (!pv_map_shared_info(shared_window))
		pv_crash("could not map shared_info\n");
	check_poll();
	check_console_ring(si);
	test_finish();
}
