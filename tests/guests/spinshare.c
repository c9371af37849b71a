/*
 * spinshare: a CPU-bound domain that measures the share of the CPU it got.
 *
 * It spins without ever giving up the CPU and samples its own running time
 * (VCPUOP_get_runstate_info) at two instants of system time, the same for
 * every domain running this guest: start_ms and start_ms + duration_ms
 * after the hypervisor booted. Its share is running time / elapsed system
 * time over that window, in per-mille. Arguments:
 *
 *   start_ms=<ms>      window start (default 500; if the guest starts
 *                      later, the window starts when it does)
 *   duration_ms=<ms>   window length (default 2000)
 *   expect_share=<pm>  expected share, per-mille: PASS when within tol
 *   tol=<pm>           relative tolerance, per-mille of expect_share
 *                      (default 100: +-10%)
 *   max_share=<pm>     at most this share (a cap)
 *   min_share=<pm>     at least this share
 *   name=<text>        name used in the check names (default "share")
 *
 * The first sample must come within 100 ms of start_ms (<name>_window_on_
 * time), else the domains' windows would not be the same.
 */
#include <libpv/string.h>
#include "mdlib.h"

struct sample {
	uint64_t at;            /* system time */
	uint64_t running;       /* running time until then */
};

/* Spin until system time reaches t, then sample. */
static struct sample spin_until(uint64_t t)
{
	struct sample s;

	while (md_now() < t)
		__asm__ volatile("pause");
	s.running = md_running_ns();
	s.at = md_now();
	return s;
}

/* Check the share against expect_share/tol, min_share and max_share. */
static void judge(const char *name, unsigned long share)
{
	char check[48];
	unsigned long expect = md_arg("expect_share", 0);
	unsigned long tol = md_arg("tol", 100);
	unsigned long min = md_arg("min_share", 0), max = md_arg("max_share", 0);

	if (expect) {
		unsigned long lo = expect * (1000 - tol) / 1000;
		unsigned long hi = expect * (1000 + tol) / 1000;

		pv_snprintf(check, sizeof(check), "%s_expected", name);
		test_check(share >= lo && share <= hi, check,
			   "share %lu, want %lu..%lu per-mille", share, lo, hi);
	}
	if (max) {
		pv_snprintf(check, sizeof(check), "%s_at_most", name);
		test_check(share <= max, check, "share %lu > %lu per-mille",
			   share, max);
	}
	if (min) {
		pv_snprintf(check, sizeof(check), "%s_at_least", name);
		test_check(share >= min, check, "share %lu < %lu per-mille",
			   share, min);
	}
}

void kernel_main(start_info_t *si)
{
	char name[24] = "share";
	uint64_t start = md_arg("start_ms", 500) * MD_MS;
	uint64_t end = start + md_arg("duration_ms", 2000) * MD_MS;

	(void)si;
	md_init();
	pv_cmdline_get("name", name, sizeof(name));
	pv_printf("spinshare: %s starts at %lu ms of system time\n", name,
		  md_now() / MD_MS);
	struct sample a = spin_until(start);
	struct sample b = spin_until(end);
	uint64_t ran = b.running - a.running, window = b.at - a.at;
	unsigned long share = window ? (unsigned long)(ran * 1000 / window) : 0;

	pv_printf("spinshare: %s ran %lu ms of %lu ms (%lu..%lu): %lu per-mille\n",
		  name, ran / MD_MS, window / MD_MS, a.at / MD_MS, b.at / MD_MS,
		  share);
	char check[48];

	pv_snprintf(check, sizeof(check), "%s_window_on_time", name);
	test_check(a.at < start + 100 * MD_MS, check,
		   "sampled at %lu ms, window starts at %lu ms", a.at / MD_MS,
		   start / MD_MS);
	judge(name, share);
	test_finish();
}
