/*
 * Serial console on COM1 (16550 UART, polled: the hypervisor never waits
 * for an interrupt to print, so a fault report always gets out).
 */
#include <stdarg.h>
#include <lamina/lib.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <asm/cpu.h>
#include <lamina/config.h>
#include <lamina/event.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <pv/io/console.h>

#define COM1            0x3f8
#define UART_DATA       0
#define UART_IER        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LSR_DATA_READY  0x01
#define LSR_THR_EMPTY   0x20

static bool at_line_start = true;

void console_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);    /* divisor latch */
	outb(COM1 + UART_DATA, 0x01);   /* 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03);    /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);    /* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);
}

static void serial_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	for (int spin = 0; spin < 100000; spin++)
		if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

static void serial_puts(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

static int serial_getc(void)
{
	if (inb(COM1 + UART_LSR) & LSR_DATA_READY)
		return inb(COM1 + UART_DATA);
	return -1;
}

/*
 * Serial input goes to one domain at a time. Three Ctrl-A in a row move it
 * to the next live domain, as Xen's console switch does. Domain 0 reads its
 * input with console_io; any other domain gets it in its console ring.
 * Each poll hands over a batch and notifies the domain once for it.
 */
#define CTRL_A          0x01
#define INPUT_POLL_NS   (20 * 1000 * 1000ULL)
static unsigned int input_focus;
static unsigned int ctrl_a_count;
static char dom0_input[256];
static unsigned int dom0_in_head, dom0_in_tail;
static struct timer input_timer;
/* Who got input in this batch and is still to be told. */
static struct domain *ring_input_to_notify, *virq_input_to_notify;

int console_try_getc(void)
{
	if (dom0_in_head == dom0_in_tail)
		return -1;
	return (unsigned char)dom0_input[dom0_in_tail++ % sizeof(dom0_input)];
}

/* Tell the domains that got input in this batch, once each. */
static void notify_input(void)
{
	struct domain *d = ring_input_to_notify;

	if (d && d->state == DOMAIN_RUNNING && d->console_mfn)
		evtchn_notify_port(d, d->console_port);
	d = virq_input_to_notify;
	if (d && d->state == DOMAIN_RUNNING)
		send_guest_virq(d->vcpus[0], VIRQ_CONSOLE);
	ring_input_to_notify = virq_input_to_notify = NULL;
}

static void switch_input_focus(void)
{
	notify_input();
	for (unsigned int i = 1; i <= MAX_DOMAINS; i++) {
		unsigned int id = (input_focus + i) % MAX_DOMAINS;
		if (domains[id] && domains[id]->state == DOMAIN_RUNNING) {
			input_focus = id;
			break;
		}
	}
	printk("serial input now goes to domain %u (%s); Ctrl-A three times to switch\n",
	       input_focus, domains[input_focus] ? domains[input_focus]->name : "?");
}

/* Put one input byte in the focused domain's console ring. */
static void input_to_ring(struct domain *d, char c)
{
	struct xencons_interface *intf = mfn_to_virt(d->console_mfn);
	XENCONS_RING_IDX cons = intf->in_cons, prod = intf->in_prod;

	if (prod - cons >= sizeof(intf->in))
		return;                         /* ring full: drop */
	intf->in[MASK_XENCONS_IDX(prod, intf->in)] = c;
	__asm__ volatile("" ::: "memory");      /* byte before index */
	intf->in_prod = prod + 1;
	ring_input_to_notify = d;
}

static void deliver_input(char c)
{
	struct domain *d = domains[input_focus];

	if (!d || d->state != DOMAIN_RUNNING)
		return;
	if (d->console_mfn) {
		input_to_ring(d, c);
	} else if (dom0_in_head - dom0_in_tail < sizeof(dom0_input)) {
		dom0_input[dom0_in_head++ % sizeof(dom0_input)] = c;
		virq_input_to_notify = d;
	}
}

static void poll_input(void *data)
{
	int c;
	(void)data;

	while ((c = serial_getc()) >= 0) {
		if (c == CTRL_A) {
			if (++ctrl_a_count == 3) {
				ctrl_a_count = 0;
				switch_input_focus();
			}
			continue;
		}
		for (; ctrl_a_count; ctrl_a_count--)
			deliver_input(CTRL_A);
		deliver_input((char)c);
	}
	notify_input();
	timer_set(&input_timer, now() + INPUT_POLL_NS);
}

void console_start_input(void)
{
	timer_init(&input_timer, poll_input, NULL);
	timer_set(&input_timer, now() + INPUT_POLL_NS);
}

/*
 * Print what output the domain's console ring holds: at most one ring's
 * worth (so a flood costs the flooder's own time slices). True if out_cons
 * moved.
 */
static bool ring_take_output(struct domain *d)
{
	struct xencons_interface *intf = mfn_to_virt(d->console_mfn);
	XENCONS_RING_IDX start = intf->out_cons, prod = intf->out_prod;
	XENCONS_RING_IDX cons = start;
	char chunk[64];

	__asm__ volatile("" ::: "memory");      /* index before bytes */
	if (prod - cons > sizeof(intf->out))
		cons = prod - sizeof(intf->out);        /* a corrupt ring */
	while (cons != prod) {
		size_t n = 0;
		while (cons != prod && n < sizeof(chunk))
			chunk[n++] = intf->out[MASK_XENCONS_IDX(cons++, intf->out)];
		console_domain_write(d, chunk, n);
	}
	__asm__ volatile("" ::: "memory");
	intf->out_cons = cons;
	return cons != start;
}

/*
 * The guest notified its console port. As Xen's console daemon, answer
 * only if data moved: a guest's handler that notifies after every event
 * (Linux's does, after looking at the input ring) would otherwise ping-pong
 * with this service forever. Input is only produced by serial polling,
 * which notifies for itself.
 */
void console_ring_notified(struct domain *d, unsigned int port)
{
	if (d->console_mfn && ring_take_output(d))
		evtchn_notify_port(d, port);
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;

	for (int i = 0; i < n; i++) {
		if (at_line_start)
			serial_puts("(lamina) ", 9);
		serial_putc(buf[i]);
		at_line_start = buf[i] == '\n';
	}
}

/* Print one guest line with its domain prefix, making unprintable bytes visible. */
static void emit_domain_line(struct domain *d)
{
	char prefix[16];
	int n = snprintf(prefix, sizeof(prefix), "(d%u) ", d->domain_id);

	if (!at_line_start)
		serial_putc('\n');
	serial_puts(prefix, (size_t)n);
	for (size_t i = 0; i < d->console_len; i++) {
		char c = d->console_line[i];
		serial_putc((c >= 0x20 && c < 0x7f) || c == '\t' ? c : '.');
	}
	serial_putc('\n');
	at_line_start = true;
	d->console_len = 0;
}

void console_domain_write(struct domain *d, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\r')
			continue;
		if (c == '\n') {
			emit_domain_line(d);
			continue;
		}
		d->console_line[d->console_len++] = c;
		if (d->console_len == sizeof(d->console_line))
			emit_domain_line(d);
	}
}

/*
 * The domain is ending: print what its console ring still holds (output it
 * never notified about) and its partial line, then say how much console_io
 * text was kept off the serial line.
 */
void console_domain_flush(struct domain *d)
{
	if (d->console_mfn)
		(void)ring_take_output(d);
	if (d->console_len)
		emit_domain_line(d);
	if (d->console_io_hidden) {
		printk("domain %u: %lu bytes of console_io output not shown "
		       "(guest_console_io=show shows them)\n", d->domain_id,
		       d->console_io_hidden);
		d->console_io_hidden = 0;
	}
}
