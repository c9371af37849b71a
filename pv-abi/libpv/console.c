/*
 * libpv console: text output through HYPERVISOR_console_io, or through a
 * writer the guest installs (the hook for a PV console ring).
 */
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>

/* Largest chunk handed to one console_io call. */
#define CONSOLE_IO_CHUNK 1024

/* Send text to the hypervisor console, in chunks it accepts. */
static void console_io_write(const char *text, size_t len)
{
	while (len > 0) {
		int chunk = len > CONSOLE_IO_CHUNK ? CONSOLE_IO_CHUNK : (int)len;

		if (HYPERVISOR_console_io(CONSOLEIO_write, chunk,
					  (char *)text) < 0)
			return;
		text += chunk;
		len -= (size_t)chunk;
	}
}

static pv_console_writer_t console_writer = console_io_write;

void pv_console_set_writer(pv_console_writer_t writer)
{
	console_writer = writer ? writer : console_io_write;
}

void pv_console_write(const char *text, size_t len)
{
	console_writer(text, len);
}

void pv_puts(const char *s)
{
	pv_console_write(s, strlen(s));
	pv_console_write("\n", 1);
}
