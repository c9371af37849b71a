/*
 * console_io: the hypervisor console as a hypercall. Writes appear on the
 * serial line with the domain's prefix; reads take what serial input is
 * waiting (0 when there is none: the call never blocks).
 */
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <pv/xen.h>
#include <pv/errno.h>

#define CONSOLE_CHUNK 128

static long console_write(uint64_t buf, uint64_t count)
{
	char chunk[CONSOLE_CHUNK];

	/* Validate the whole range first: nothing is printed from a bad buffer. */
	if (!guest_range_ok(buf, count))
		return -XEN_EFAULT;
	while (count) {
		size_t n = count < CONSOLE_CHUNK ? count : CONSOLE_CHUNK;
		if (copy_from_guest(chunk, buf, n))
			return -XEN_EFAULT;
		console_domain_write(current->domain, chunk, n);
		buf += n;
		count -= n;
	}
	return 0;
}

static long console_read(uint64_t buf, uint64_t count)
{
	long done = 0;

	/* The result is a count or an error: counts must stay positive ints. */
	if ((int32_t)count < 0)
		return -XEN_E2BIG;
	while ((uint64_t)done < count) {
		int c = console_try_getc();
		if (c < 0)
			break;
		char ch = (char)c;
		if (copy_to_guest(buf + done, &ch, 1))
			return done ? done : -XEN_EFAULT;
		done++;
	}
	return done;
}

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buf, uint64_t a4,
		   uint64_t a5)
{
	(void)a4, (void)a5;
	count &= 0xffffffff;    /* the count is an unsigned int */

	switch (cmd) {
	case CONSOLEIO_write:
		return console_write(buf, count);
	case CONSOLEIO_read:
		return console_read(buf, count);
	}
	return -XEN_ENOSYS;
}
