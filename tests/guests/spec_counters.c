/*
 * spec_counters: the cost of the speculative-execution mitigations, as the
 * guest sees it through Lamina's counters (lamina/perf.h).
 *
 * Exits of three kinds are made: fast-path hypercalls (sysret), full-frame
 * hypercalls (sched_op yield: sysret or iret) and an exception bounce
 * returning with HYPERVISOR_iret (iret). With VERW on every exit the verws
 * counter must count at least one per exit made; with it off, none. The
 * ibpbs counter counts branch-predictor flushes on switches to this domain:
 * with two such domains yielding to each other and IBPB on, at least one;
 * with it off (or refused because the CPU has none), none.
 *
 * Command line: verw=yes|no ibpb=yes|no (what to expect).
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <lamina/perf.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include <pv/version.h>
#include "testlib.h"

#define ROUNDS 50

static bool expect_flag(const char *key)
{
	char v[8] = "";

	if (!pv_cmdline_get(key, v, sizeof(v)) || (strcmp(v, "yes") && strcmp(v, "no")))
		pv_crash("spec_counters: say %s=yes or %s=no\n", key, key);
	return !strcmp(v, "yes");
}

static void read_counters(struct lamina_perf_counters *c)
{
	memset(c, 0, sizeof(*c));
	if (PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ, c, 0, 0, 0))
		pv_crash("spec_counters: no lamina_perf counters\n");
}

void kernel_main(start_info_t *si)
{
	struct lamina_perf_counters c;
	bool want_verw = expect_flag("verw"), want_ibpb = expect_flag("ibpb");
	(void)si;

	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	probe_catch(PV_TRAP_BP);
	pv_printf("spec_counters: expecting verw=%s ibpb=%s\n",
		  want_verw ? "yes" : "no", want_ibpb ? "yes" : "no");

	test_expect_rc("perf_reset",
		       PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_RESET, 0, 0, 0, 0), 0);
	for (int i = 0; i < ROUNDS; i++) {
		HYPERVISOR_xen_version(XENVER_version, NULL);   /* fast path */
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);       /* full frame */
		unsigned long at = PROBE("int3", 0, 0, 0);      /* bounce + iret */
		(void)at;
	}
	read_counters(&c);
	pv_printf("spec_counters: entries %lu hypercalls %lu exceptions %lu "
		  "ibpbs %lu verws %lu\n", (unsigned long)c.guest_entries,
		  (unsigned long)c.hypercalls, (unsigned long)c.exceptions,
		  (unsigned long)c.ibpbs, (unsigned long)c.verws);
	/* Counts made just before a switch away can be dropped by the
	 * scheduler's bookkeeping, entries and VERWs alike; what is kept is
	 * whole: each kept exit follows a kept entry, so verws >= entries. */
	test_check(c.guest_entries > 0, "exits_made", "%lu entries",
		   (unsigned long)c.guest_entries);
	if (want_verw)
		test_check(c.verws >= c.guest_entries, "verw_counted_on_every_exit",
			   "%lu verws for %lu entries", (unsigned long)c.verws,
			   (unsigned long)c.guest_entries);
	else
		test_expect_eq("no_verw", c.verws, 0);
	if (want_ibpb)
		test_check(c.ibpbs > 0, "ibpb_on_switch", "no IBPB counted");
	else
		test_expect_eq("no_ibpb", c.ibpbs, 0);
	test_pass("still_running");
	test_finish();
}
