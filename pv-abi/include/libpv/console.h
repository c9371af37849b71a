/*
 * Console output for libpv guests.
 *
 * In the initial domain text goes to the hypervisor console with
 * HYPERVISOR_console_io(CONSOLEIO_write), which the hypervisor shows with a
 * "(dN) " prefix. Any other domain with a console ring in its start_info
 * writes to that ring from the start (libpv's start of day calls
 * pv_console_ring_init), as Mini-OS and Linux do; the hypervisor prints it
 * with the same prefix. A guest may install its own writer with
 * pv_console_set_writer().
 */
#ifndef LIBPV_CONSOLE_H
#define LIBPV_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* A function that sends len bytes of text somewhere. */
typedef void (*pv_console_writer_t)(const char *text, size_t len);

/* Replace the console backend (NULL: back to console_io). */
void pv_console_set_writer(pv_console_writer_t writer);

/* Write len bytes to the console. */
void pv_console_write(const char *text, size_t len);

/* Write a NUL-terminated string followed by a newline. */
void pv_puts(const char *s);

/*
 * printf-style formatting. Supported: %d %i %u %x %X %p %s %c %%, length
 * modifiers l, ll, z, a field width, flags '0', '-' and '#' (0x prefix),
 * and a precision for %s (%.20s).
 * pv_vsnprintf returns the length the full output would have (like C99).
 */
int pv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int pv_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pv_vprintf(const char *fmt, va_list ap);
int pv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LIBPV_CONSOLE_H */
