/*
 * Serial console on COM1 (16550 UART, polled: the hypervisor never waits
 * for an interrupt to print, so a fault report always gets out).
 */
#include <stdarg.h>
#include <lamina/lib.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <asm/cpu.h>

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

int console_try_getc(void)
{
	if (inb(COM1 + UART_LSR) & LSR_DATA_READY)
		return inb(COM1 + UART_DATA);
	return -1;
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

void console_domain_flush(struct domain *d)
{
	if (d->console_len)
		emit_domain_line(d);
}
