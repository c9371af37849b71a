/*
 * A small printf formatter for libpv: enough for diagnostics and tests,
 * with no floating point. Output goes through a sink so the same code
 * serves snprintf (a buffer) and printf (the console, in chunks).
 */
#include <stdbool.h>
#include <stdint.h>
#include <libpv/console.h>
#include <libpv/string.h>

/* Where formatted characters go. flush, if set, empties a full buffer. */
struct sink {
	char *buf;
	size_t size;      /* capacity of buf */
	size_t used;      /* characters currently in buf */
	size_t total;     /* characters produced in all */
	void (*flush)(struct sink *sink);
};

/* One parsed conversion: flags, width and length modifier. */
struct spec {
	bool left;        /* '-': pad on the right */
	bool zero;        /* '0': pad numbers with zeros */
	bool alt;         /* '#': 0x prefix for %x */
	unsigned int width;
	int precision;    /* %.Ns: at most N characters; -1 when absent */
	int longs;        /* 0: int, 1: long, 2: long long, 3: size_t */
};

/* Emit one character into the sink. */
static void put_char(struct sink *s, char c)
{
	if (s->used + 1 >= s->size && s->flush)
		s->flush(s);
	if (s->used + 1 < s->size)
		s->buf[s->used++] = c;
	s->total++;
}

/* Emit n copies of c. */
static void put_repeat(struct sink *s, char c, unsigned int n)
{
	while (n--)
		put_char(s, c);
}

/* Emit a string padded to the spec's width. */
static void put_padded(struct sink *s, const struct spec *sp,
		       const char *str, size_t len)
{
	unsigned int pad = sp->width > len ? sp->width - (unsigned int)len : 0;

	if (!sp->left)
		put_repeat(s, ' ', pad);
	while (len--)
		put_char(s, *str++);
	if (sp->left)
		put_repeat(s, ' ', pad);
}

/* Emit an unsigned number in base 10 or 16, with sign and padding. */
static void put_number(struct sink *s, const struct spec *sp,
		       unsigned long long v, unsigned int base, bool negative,
		       bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int n = 0, len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (negative ? 1 : 0);
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->left && !sp->zero)
		put_repeat(s, ' ', pad);
	if (negative)
		put_char(s, '-');
	if (!sp->left && sp->zero)
		put_repeat(s, '0', pad);
	while (n)
		put_char(s, tmp[--n]);
	if (sp->left)
		put_repeat(s, ' ', pad);
}

/* Parse flags, width and length modifier at *fmt; advance past them. */
static void parse_spec(const char **fmt, struct spec *sp)
{
	const char *p = *fmt;

	*sp = (struct spec){ .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else if (*p == '#')
			sp->alt = true;
		else
			break;
	}
	while (*p >= '0' && *p <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*p++ - '0');
	if (*p == '.') {
		sp->precision = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			sp->precision = sp->precision * 10 + (*p - '0');
	}
	if (*p == 'z') {
		sp->longs = 3;
		p++;
	}
	while (*p == 'l') {
		sp->longs++;
		p++;
	}
	*fmt = p;
}

/* Fetch a signed integer argument of the spec's length. */
static long long arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->longs) {
	case 0:
		return va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	case 3:
		return (long long)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, long long);
	}
}

/* Fetch an unsigned integer argument of the spec's length. */
static unsigned long long arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->longs) {
	case 0:
		return va_arg(*ap, unsigned int);
	case 1:
		return va_arg(*ap, unsigned long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned long long);
	}
}

/* Handle one conversion character c with its parsed spec. */
static void convert(struct sink *s, struct spec *sp, char c, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		long long v = arg_signed(sp, ap);
		unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v
					       : (unsigned long long)v;

		put_number(s, sp, mag, 10, v < 0, false);
		break;
	}
	case 'u':
		put_number(s, sp, arg_unsigned(sp, ap), 10, false, false);
		break;
	case 'x':
	case 'X': {
		unsigned long long v = arg_unsigned(sp, ap);

		if (sp->alt && v) {
			put_char(s, '0');
			put_char(s, c);
		}
		put_number(s, sp, v, 16, false, c == 'X');
		break;
	}
	case 'p':
		put_char(s, '0');
		put_char(s, 'x');
		put_number(s, sp, (uintptr_t)va_arg(*ap, void *), 16, false,
			   false);
		break;
	case 's': {
		const char *str = va_arg(*ap, const char *);

		if (!str)
			str = "(null)";
		put_padded(s, sp, str, sp->precision < 0 ? strlen(str) :
			   strnlen(str, (size_t)sp->precision));
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		put_padded(s, sp, &ch, 1);
		break;
	}
	case '%':
		put_char(s, '%');
		break;
	default:                /* unknown: print it literally */
		put_char(s, '%');
		put_char(s, c);
		break;
	}
}

/* Format fmt with ap into the sink. */
static void format(struct sink *s, const char *fmt, va_list ap)
{
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put_char(s, *fmt++);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &sp);
		if (!*fmt)
			break;
		convert(s, &sp, *fmt++, &args);
	}
	va_end(args);
}

int pv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	char dummy = 0;
	struct sink s = { .buf = size ? buf : &dummy, .size = size ? size : 1 };

	format(&s, fmt, ap);
	s.buf[s.used] = '\0';
	return (int)s.total;
}

int pv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Console sink: write out what has been collected. */
static void console_flush(struct sink *s)
{
	pv_console_write(s->buf, s->used);
	s->used = 0;
}

int pv_vprintf(const char *fmt, va_list ap)
{
	char chunk[256];
	struct sink s = { .buf = chunk, .size = sizeof(chunk),
			  .flush = console_flush };

	format(&s, fmt, ap);
	console_flush(&s);
	return (int)s.total;
}

int pv_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pv_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
