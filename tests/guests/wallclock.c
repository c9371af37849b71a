/*
 * wallclock: the wall clock a guest reads (shared_info wc_sec/wc_nsec/
 * wc_sec_hi plus system time, as Xen defines it) against the host's date.
 *
 *   host_epoch=<s>  the host's Unix time when the test was set up (before
 *                   QEMU started, so the guest's clock cannot be earlier)
 *   slack_s=<s>     how much later the guest may run (default 1800: the
 *                   case may wait in a queue of other system tests)
 *
 * Checks host_epoch - 2 <= guest wall clock <= host_epoch + slack_s and
 * prints the difference. Catches a wrong date, year, hour (time zone) or a
 * clock that forgot the system time since boot.
 */
#include <libpv/usermode.h>
#include "mdlib.h"

#define EARLY_S 2       /* the RTC has whole seconds; the host may round up */

/* wc_* under the version protocol, plus system time now: seconds. */
static uint64_t wall_seconds(void)
{
	shared_info_t *si = pv_shared_info();
	uint32_t version, sec, sec_hi, nsec;
	uint64_t now;

	do {
		version = si->wc_version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = si->wc_sec;
		sec_hi = si->wc_sec_hi;
		nsec = si->wc_nsec;
		now = md_now();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != si->wc_version);
	return ((uint64_t)sec_hi << 32 | sec) + (nsec + now) / 1000000000UL;
}

void kernel_main(start_info_t *start)
{
	unsigned long host = md_arg("host_epoch", 0);
	unsigned long slack = md_arg("slack_s", 1800);

	(void)start;
	md_init();
	uint64_t wall = wall_seconds();
	long diff = (long)wall - (long)host;

	pv_printf("wallclock: guest %lu, host %lu when set up, %ld s off\n", wall,
		  host, diff);
	if (test_check(host != 0, "wallclock_host_epoch_given",
		       "no host_epoch= on the command line"))
		test_check(diff >= -EARLY_S && diff <= (long)slack,
			   "wallclock_matches_host",
			   "guest %lu s, host %lu s: %ld s off", wall, host,
			   diff);
	test_finish();
}
