/*
 * vsnprintf for the hypervisor: the subset of printf formatting that
 * console messages and fault reports need.
 */
#include <stdint.h>
#include <stdbool.h>
#include <lamina/lib.h>

struct out_buf {
	char *buf;
	size_t size;
	size_t len;     /* characters the full result needs */
};

static void put_char(struct out_buf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	bool left, zero, alt;
	int width;
	int precision;  /* strings: at most this many characters; -1 = all */
};

/* Emit a number in the given base, honouring width, zero padding and '#'. */
static void put_number(struct out_buf *o, uint64_t v, unsigned base, bool neg,
		       bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);

	int prefix = (neg ? 1 : 0) + (sp->alt && base == 16 ? 2 : 0);
	int pad = sp->width > n + prefix ? sp->width - n - prefix : 0;

	if (!sp->left && !sp->zero)
		while (pad-- > 0)
			put_char(o, ' ');
	if (neg)
		put_char(o, '-');
	if (sp->alt && base == 16) {
		put_char(o, '0');
		put_char(o, 'x');
	}
	if (!sp->left && sp->zero)
		while (pad-- > 0)
			put_char(o, '0');
	while (n)
		put_char(o, tmp[--n]);
	while (sp->left && pad-- > 0)
		put_char(o, ' ');
}

static void put_string(struct out_buf *o, const char *s, const struct spec *sp)
{
	if (!s)
		s = "(null)";
	int n = sp->precision >= 0 ? (int)strnlen(s, (size_t)sp->precision)
				   : (int)strlen(s);
	int pad = sp->width > n ? sp->width - n : 0;

	while (!sp->left && pad-- > 0)
		put_char(o, ' ');
	for (int i = 0; i < n; i++)
		put_char(o, s[i]);
	while (sp->left && pad-- > 0)
		put_char(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out_buf o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put_char(&o, *fmt);
			continue;
		}
		struct spec sp = { .precision = -1 };
		for (;; fmt++) {
			if (fmt[1] == '-')
				sp.left = true;
			else if (fmt[1] == '0')
				sp.zero = true;
			else if (fmt[1] == '#')
				sp.alt = true;
			else
				break;
		}
		while (fmt[1] >= '0' && fmt[1] <= '9')
			sp.width = sp.width * 10 + (*++fmt - '0');
		if (fmt[1] == '.') {
			fmt++;
			sp.precision = 0;
			if (fmt[1] == '*') {
				sp.precision = va_arg(ap, int);
				fmt++;
			} else {
				while (fmt[1] >= '0' && fmt[1] <= '9')
					sp.precision = sp.precision * 10 + (*++fmt - '0');
			}
		}
		int longs = 0;
		while (fmt[1] == 'l' || fmt[1] == 'z') {
			longs = fmt[1] == 'z' ? 2 : longs + 1;
			fmt++;
		}
		char c = *++fmt;
		uint64_t u;
		int64_t s;
		switch (c) {
		case 'd':
		case 'i':
			s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_number(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10,
				   s < 0, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_number(&o, u, c == 'u' ? 10 : 16, false, c == 'X', &sp);
			break;
		case 'p':
			sp.alt = true;
			put_number(&o, (uint64_t)va_arg(ap, void *), 16, false,
				   false, &sp);
			break;
		case 's':
			put_string(&o, va_arg(ap, const char *), &sp);
			break;
		case 'c':
			put_char(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put_char(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put_char(&o, '%');
			put_char(&o, c);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
