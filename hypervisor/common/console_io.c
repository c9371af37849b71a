/*
 * console_io: the hypervisor console as a hypercall. Writes appear on the
 * serial line with the domain's prefix; reads take what serial input is
 * waiting (0 when there is none: the call never blocks).
 *
 * Who may: reading is the privileged domain's alone (-EPERM for others, as
 * Xen's default policy says): the serial input it takes is domain 0's.
 * Writing is accepted from every domain, as in a Xen debug build, but only
 * a privileged domain's text reaches the serial line by default: an
 * unprivileged domain has its console ring, and a kernel that writes its
 * early messages here and then again through the ring (Linux does) would
 * show them twice. Its text is counted, not shown, unless the hypervisor
 * runs with guest_console_io=show (then with its (dN) prefix).
 *
 * A long write is done in pieces: after each piece the call continues
 * itself (Xen does the same) when hypercall_preempt_check() says so, and
 * after CONSOLE_WRITE_MAX bytes in any case, so one entry's work is bounded
 * even for a 4 GiB buffer.
 */
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <pv/xen.h>
#include <pv/errno.h>

#define CONSOLE_CHUNK 128
#define CONSOLE_WRITE_MAX 4096  /* bytes per hypervisor entry at most */

static long console_write(uint64_t buf, uint64_t count)
{
	struct domain *d = current->domain;
	bool show = d->privileged || hv_options.guest_console_io_show;
	char chunk[CONSOLE_CHUNK];
	uint64_t done = 0;

	/* Validate the whole range first: nothing is printed from a bad buffer. */
	if (!guest_range_ok(buf, count))
		return -XEN_EFAULT;
	while (count) {
		if (done && hypercall_may_continue() &&
		    (done >= CONSOLE_WRITE_MAX || hypercall_preempt_check()))
			return hypercall_create_continuation(__HYPERVISOR_console_io,
				CONSOLEIO_write, count, buf, 0, 0);
		size_t n = count < CONSOLE_CHUNK ? count : CONSOLE_CHUNK;
		if (copy_from_guest(chunk, buf, n))
			return -XEN_EFAULT;
		if (show)
			console_domain_write(d, chunk, n);
		else
			d->console_io_hidden += n;
		buf += n;
		count -= n;
		done += n;
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
		if (!current->domain->privileged)
			return -XEN_EPERM;
		return console_read(buf, count);
	}
	return -XEN_ENOSYS;
}
