/*
 * consolering: the console ring service as an unprivileged domain sees it
 * (run with domain0=role=unpriv, or as domain 1).
 *
 * role=main (default):
 *   quiet_notify      N sends on the console port with both rings empty
 *                     bring no event back (the service answers only when
 *                     data moved; answering always ping-pongs forever with
 *                     a handler that always notifies, as Linux's does)
 *   write_notified    a real write is consumed and notified back
 *   eager_handler     an upcall handler that looks at the input ring and
 *                     notifies after every event (Linux's hvc_xen does)
 *                     runs once or twice after a write, not forever
 *   console_io_write  CONSOLEIO_write is accepted (returns 0); the case
 *                     checks whether its text reached the serial line
 *   console_io_read   CONSOLEIO_read is -EPERM
 * role=leftover: writes to the ring without notifying, then powers off:
 *   the service must print it as the domain ends.
 * role=input: waits for serial input in its ring (the case feeds it).
 * role=dom0read (privileged domain 0, no ring): reads serial input with
 *   CONSOLEIO_read; role=domUread (domain 1) tries CONSOLEIO_read meanwhile
 *   and must be refused without taking domain 0's input.
 */
#include <libpv/console_ring.h>
#include <libpv/events.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include <pv/io/console.h>
#include "mdlib.h"

#define EAGER_CAP 1000          /* a ping-pong is cut here, then reported */

static struct xencons_interface *ring;
static evtchn_port_t port;

/* Bytes straight into out[] (no notification). */
static void raw_put(const char *s)
{
	XENCONS_RING_IDX prod = ring->out_prod;

	for (; *s; s++)
		ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *s;
	__atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
}

static void quiet_notify(void)
{
	unsigned long n = md_arg("sends", 1000), back = 0;

	md_clear_pending(port);
	for (unsigned long i = 0; i < n; i++) {
		md_send(port);
		if (md_pending(port)) {
			back++;
			md_clear_pending(port);
		}
	}
	test_check(back == 0, "quiet_notify", "%lu of %lu sends on empty rings "
		   "were answered with an event", back, n);
}

static void write_notified(void)
{
	md_clear_pending(port);
	raw_put("console: a real write\n");
	md_send(port);
	test_check(md_pending(port), "write_notified",
		   "no event after the output was consumed");
	test_expect_eq("write_consumed", ring->out_cons, ring->out_prod);
	md_clear_pending(port);
	md_send(port);
	test_check(!md_pending(port), "write_then_quiet",
		   "an empty send after the write was answered");
}

static volatile unsigned long eager_calls;

/* Linux-like: look at the input ring, then always notify the other end. */
static void eager_handler(evtchn_port_t p, struct pv_trap_frame *f, void *data)
{
	char buf[16];

	(void)f, (void)data;
	while (pv_console_ring_read(buf, sizeof(buf)))
		;
	if (++eager_calls < EAGER_CAP)
		pv_notify_port(p);
}

static void eager(void)
{
	if (pv_callbacks_init() != 0 || !pv_events_init()) {
		test_fail("eager_handler", "cannot set up upcalls");
		return;
	}
	md_clear_pending(port);
	if (pv_bind_port(port, eager_handler, NULL) != 0) {
		test_fail("eager_handler", "cannot bind the console port");
		return;
	}
	pv_events_enable();
	raw_put("console: written with an eager handler bound\n");
	pv_notify_port(port);
	for (int i = 0; i < 20; i++)
		md_yield();
	(void)pv_events_disable();
	pv_mask_port(port);
	test_check(eager_calls >= 1 && eager_calls <= 2, "eager_handler",
		   "the handler ran %lu times (cut at %u)", eager_calls,
		   EAGER_CAP);
}

static void console_io(void)
{
	static const char early[] = "console: early boot line\n";
	char c;

	test_expect_rc("console_io_write",
		       HYPERVISOR_console_io(CONSOLEIO_write,
					     (int)strlen(early), (char *)early), 0);
	/* What a PV kernel does next: the same text again through the ring. */
	pv_console_write(early, strlen(early));
	test_expect_rc("console_io_read",
		       HYPERVISOR_console_io(CONSOLEIO_read, 1, &c), -XEN_EPERM);
}

/* Left in the ring, un-notified, when the domain powers off. */
static void leftover(void)
{
	pv_printf("console: leaving output in the ring\n");
	raw_put("console: unflushed line\nconsole: partial line");
	(void)HYPERVISOR_sched_op(SCHEDOP_shutdown,
				  &(struct sched_shutdown){ SHUTDOWN_poweroff });
}

/* Wait for serial input in the ring: "expect" bytes, then print them. */
static void input(void)
{
	unsigned long want = md_arg("expect", 5), events = 0;
	char got[64];
	size_t n = 0;

	pv_printf("console: waiting for input\n");
	while (n < want && n < sizeof(got) - 1) {
		if (!md_wait_port(port, 20000 * MD_MS))
			break;
		events++;
		n += pv_console_ring_read(got + n, sizeof(got) - 1 - n);
	}
	got[n] = 0;
	pv_printf("console: input '%s' with %lu events\n", got, events);
	test_check(n == want, "input_received", "%lu of %lu bytes",
		   (unsigned long)n, want);
}

/* Domain 0 reads "expect" bytes of serial input with console_io. */
static void dom0_read(void)
{
	unsigned long want = md_arg("expect", 5);
	uint64_t end = md_now() + 30000 * MD_MS;
	char got[64];
	long n = 0;

	pv_printf("console: dom0 waiting for input\n");
	while ((unsigned long)n < want && md_now() < end) {
		long rc = HYPERVISOR_console_io(CONSOLEIO_read,
						(int)(sizeof(got) - 1 - n), got + n);
		if (rc < 0) {
			test_fail("dom0_read", "CONSOLEIO_read: %ld", rc);
			break;
		}
		n += rc;
		md_yield();
	}
	got[n] = 0;
	pv_printf("console: dom0 read '%s'\n", got);
	test_check((unsigned long)n == want, "dom0_read_all", "%ld of %lu bytes",
		   n, want);
}

/* An unprivileged domain keeps trying CONSOLEIO_read for a while. */
static void domU_read(void)
{
	uint64_t end = md_now() + 1000 * MD_MS;
	unsigned long tries = 0, refused = 0;
	char buf[8];

	pv_printf("console: domU reading\n");
	while (md_now() < end) {
		tries++;
		if (HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf) ==
		    -XEN_EPERM)
			refused++;
		md_yield();
	}
	test_check(refused == tries, "domU_read_refused",
		   "%lu of %lu reads not refused", tries - refused, tries);
}

void kernel_main(start_info_t *si)
{
	md_init();
	if (md_arg_is("role", "dom0read")) {
		dom0_read();
		test_finish();
	}
	if (md_arg_is("role", "domUread")) {
		domU_read();
		test_finish();
	}
	if (!pv_console_ring_init())
		pv_crash("consolering: no console ring (run it unprivileged)\n");
	ring = pv_pfn_to_virt(pv_mfn_to_pfn(si->console.domU.mfn));
	port = pv_console_ring_port();
	if (md_arg_is("role", "leftover"))
		leftover();
	if (md_arg_is("role", "input")) {
		input();
		test_finish();
	}
	pv_printf("consolering: console port %u\n", port);
	quiet_notify();
	write_notified();
	console_io();
	eager();
	test_finish();
}
