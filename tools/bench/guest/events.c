/*
 * The event rows of the benchmark: event-channel send to self, a timer
 * wake-up, and the two-domain rows (ping-pong over an interdomain channel,
 * context switches by SCHEDOP_yield), with the peer domain's program.
 *
 * Every event row works on one port, bench_event_port: the guest maps
 * shared_info, masks every other port, and handles upcalls with
 * bench_event_callback (loops.S), which consumes the port's event as a
 * kernel's handler would and counts it in bench_events_seen. Outside the
 * callback vCPU 0 runs with events masked (evtchn_upcall_mask = 1):
 * SCHEDOP_block unmasks them, the callback's iret masks them again.
 *
 * The two-domain rows need the bench guest twice: as domain 0 (command
 * line twodom=1) and as domain BENCH_PEER_DOMID (peer=1). The peer
 * allocates an unbound port for domain 0; domain 0 finds it by trying
 * EVTCHNOP_bind_interdomain on the peer's ports (there is no xenstore to
 * publish it), yielding until the peer has made it.
 */
#include <stddef.h>
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <libpv/usermode.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include <pv/event_channel.h>
#include <pv/sched.h>
#include <pv/vcpu.h>
#include <pv/xen.h>
#include "bench.h"

_Static_assert(offsetof(shared_info_t, vcpu_info[0].evtchn_upcall_pending) ==
	       SHINFO_UPCALL_PENDING, "SHINFO_UPCALL_PENDING");
_Static_assert(offsetof(shared_info_t, vcpu_info[0].evtchn_pending_sel) ==
	       SHINFO_PENDING_SEL, "SHINFO_PENDING_SEL");
_Static_assert(offsetof(shared_info_t, evtchn_pending) ==
	       SHINFO_EVTCHN_PENDING, "SHINFO_EVTCHN_PENDING");

/* Ports of the peer domain that domain 0 tries, and how often it tries. */
#define PEER_SCAN_PORTS   64
#define PEER_SCAN_ROUNDS  100000
/* context_switch warm-up: TSC ticks of alternating yields first (32 ms
 * under icount), so that the scheduler's virtual times, up to a slice plus
 * a wake-up boost apart after the ping-pong, have met. */
#define YIELD_WARMUP_TICKS (32ULL * 1000 * 1000)

/* Read by loops.S. */
evtchn_send_t bench_evtchn_send;
evtchn_port_t bench_event_port;
volatile uint64_t bench_events_seen;
/* The page shared_info is mapped over (its own frame is left unused). */
char bench_shared_page[4096] __attribute__((aligned(4096)));

static shared_info_t *shinfo;
static bool peer_connected;

/* The time stamp counter (instructions under icount). */
static inline uint64_t read_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Stop vCPU 0's periodic timer: no ticks in the timed loops. */
void bench_stop_periodic_timer(void)
{
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
}

/* Map shared_info, mask events, install bench_event_callback (once). */
static long events_init(void)
{
	struct callback_register cb = {
		.type = CALLBACKTYPE_event,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)bench_event_callback,
	};

	if (shinfo)
		return 0;
	shinfo = pv_map_shared_info(bench_shared_page);
	if (!shinfo)
		return -XEN_EFAULT;
	shinfo->vcpu_info[0].evtchn_upcall_mask = 1;
	return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

/* Make port the only unmasked port, with nothing pending for it. */
static long use_port(evtchn_port_t port)
{
	evtchn_unmask_t unmask = { .port = port };
	const unsigned int words = sizeof(shinfo->evtchn_mask) /
				   sizeof(shinfo->evtchn_mask[0]);

	for (unsigned int i = 0; i < words; i++)
		shinfo->evtchn_mask[i] = ~(xen_ulong_t)0;
	bench_event_port = port;
	bench_evtchn_send.port = port;
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &unmask);
	__atomic_and_fetch(&shinfo->evtchn_pending[port / 64],
			   ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
	shinfo->vcpu_info[0].evtchn_pending_sel = 0;
	shinfo->vcpu_info[0].evtchn_upcall_pending = 0;
	bench_events_seen = 0;
	return rc;
}

/*
 * evtchn_send_self: an IPI port bound to vCPU 0; each timed send finds it
 * idle (loops.S clears it after every send), so every send marks it
 * pending, selects its word and raises the upcall flag. Events stay
 * masked: no upcall is delivered.
 */
long bench_setup_evtchn_send(void)
{
	static evtchn_port_t ipi_port;
	evtchn_bind_ipi_t bind = { .vcpu = 0 };
	long rc = events_init();

	if (rc)
		return rc;
	if (!ipi_port) {
		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bind);
		if (rc)
			return rc;
		ipi_port = bind.port;
	}
	if ((rc = use_port(ipi_port)))
		return rc;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &bench_evtchn_send);
	bench_loop_evtchn_clear(1);
	return rc;
}

/*
 * timer_wakeup: VIRQ_TIMER on a port, then one untimed pass of the loop
 * (set_timer_op in the past, block, upcall, iret).
 */
long bench_setup_timer_wakeup(void)
{
	static evtchn_port_t timer_port;
	evtchn_bind_virq_t bind = { .virq = VIRQ_TIMER, .vcpu = 0 };
	long rc = events_init();

	if (rc)
		return rc;
	if (!timer_port) {
		rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);
		if (rc)
			return rc;
		timer_port = bind.port;
	}
	if ((rc = use_port(timer_port)))
		return rc;
	if ((rc = HYPERVISOR_set_timer_op(1)))
		return rc;
	bench_loop_timer_wakeup(1);
	return 0;
}

/* Connect to the peer's unbound port; its number is found by trying. */
static long connect_to_peer(void)
{
	evtchn_bind_interdomain_t bind;

	for (unsigned int round = 0; round < PEER_SCAN_ROUNDS; round++) {
		for (uint32_t port = 1; port < PEER_SCAN_PORTS; port++) {
			bind = (evtchn_bind_interdomain_t){
				.remote_dom = BENCH_PEER_DOMID,
				.remote_port = port,
			};
			if (HYPERVISOR_event_channel_op(
				    EVTCHNOP_bind_interdomain, &bind) == 0)
				return use_port(bind.local_port);
		}
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	return -XEN_ESRCH;
}

/* evtchn_roundtrip_2dom: connect, then BENCH_PINGPONG_WARMUP round trips. */
long bench_setup_roundtrip_2dom(void)
{
	long rc = events_init();

	if (rc || (rc = connect_to_peer()))
		return rc;
	peer_connected = true;
	bench_loop_pingpong(BENCH_PINGPONG_WARMUP);
	return 0;
}

/* context_switch: the peer yields for ever after the ping-pong; alternate
 * with it until the scheduler's virtual times have met. */
long bench_setup_context_switch(void)
{
	uint64_t start = read_tsc();

	if (!peer_connected)
		return -XEN_ESRCH;
	while (read_tsc() - start < YIELD_WARMUP_TICKS)
		bench_loop_yield(64);
	return 0;
}

/*
 * The peer domain: offer domain 0 an unbound port, answer the ping-pong's
 * warm-up and timed round trips (domain 0 runs as many: the same
 * iterations= on both command lines), then yield for context_switch until
 * domain 0 shuts it down.
 */
void bench_peer_main(uint64_t iterations)
{
	evtchn_alloc_unbound_t alloc = { .dom = DOMID_SELF, .remote_dom = 0 };
	long rc = events_init();

	if (!rc)
		rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (!rc)
		rc = use_port(alloc.port);
	if (rc) {
		pv_printf("BENCH peer error %ld\n", rc);
		pv_shutdown(SHUTDOWN_crash);
	}
	pv_printf("BENCH peer port=%u answering %lu round trips\n",
		  alloc.port, (unsigned long)(iterations + BENCH_PINGPONG_WARMUP));
	bench_peer_answer(iterations + BENCH_PINGPONG_WARMUP);
	bench_peer_yield_forever();
}
