/*
 * bench: the hypercall benchmark guest. The same binary runs as domain 0
 * on Lamina and on Xen 4.17 (see docs/benchmarks.md).
 *
 * For each row it runs the operation's timed loop and prints
 *   BENCH row=<name> iters=<n> insns_per_op=<x.y>
 *   BENCH counters row=<name> entries=<x.yyy> hcalls=... invlpg=...
 * where insns_per_op = (loop TSC delta - empty loop TSC delta) / operations
 * and iters counts operations. Under QEMU -icount shift=0,sleep=off the
 * TSC counts instructions. The counters are Lamina's event counters
 * (lamina/perf.h, in field order) per operation, or "n/a" on a hypervisor
 * without them. A row whose hypercall returns
 * -ENOSYS prints insns_per_op=n/a. The last line is "BENCH done".
 *
 * Command line: iterations=<n> (default 1000). The rows that need two
 * domains (bench_row.two_domains) print n/a reason=needs-a-second-domain,
 * unless the guest runs as domain 0 of the two-domain boot (twodom=1),
 * where it runs only them and shuts the peer down at the end; the peer is
 * the same binary with peer=1 and the same iterations= (events.c).
 */
#include <stdbool.h>
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <libpv/string.h>
#include <libpv/traps.h>
#include <lamina/perf.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include <pv/version.h>
#include "bench.h"

#define DEFAULT_ITERATIONS 1000

/* The counters in struct lamina_perf_counters, in order, with names. */
static const char *const counter_names[] = {
	"entries", "hcalls", "excs", "bounces", "cr3", "tlbflush", "invlpg",
	"ibpb", "verw",
};
#define NR_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))
_Static_assert(sizeof(struct lamina_perf_counters) == NR_COUNTERS * 8,
	       "counter_names must list every lamina_perf_counters field");

/* Counters seen around an empty loop: the cost of reset + read itself. */
static uint64_t counter_floor[NR_COUNTERS];
static bool have_counters;

/* Reset Lamina's counters; false on a hypervisor without them. */
static bool counters_reset(void)
{
	return PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_RESET,
			    0, 0, 0, 0) == 0;
}

/* Read Lamina's counters into out[] (zeros if unavailable). */
static void counters_read(uint64_t out[NR_COUNTERS])
{
	struct lamina_perf_counters c;

	memset(&c, 0, sizeof(c));
	PV_HYPERCALL(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ, &c, 0, 0, 0);
	memcpy(out, &c, sizeof(c));
}

/* Print " name=value/divisor" with one (insns) or three (counters) decimals. */
static void print_ratio(const char *name, uint64_t value, uint64_t divisor,
			bool counter)
{
	uint64_t scale = counter ? 1000 : 10;
	uint64_t scaled = (value * scale + divisor / 2) / divisor;
	unsigned long whole = (unsigned long)(scaled / scale);
	unsigned long frac = (unsigned long)(scaled % scale);

	if (counter)
		pv_printf(" %s=%lu.%03lu", name, whole, frac);
	else
		pv_printf(" %s=%lu.%lu", name, whole, frac);
}

/* Print a row that could not be measured. */
static void print_not_available(const char *name, const char *why, long rc)
{
	if (why)
		pv_printf("BENCH row=%s iters=0 insns_per_op=n/a reason=%s\n",
			  name, why);
	else if (rc == -XEN_ENOSYS)
		pv_printf("BENCH row=%s iters=0 insns_per_op=n/a reason=ENOSYS\n",
			  name);
	else
		pv_printf("BENCH row=%s iters=0 insns_per_op=n/a reason=error%ld\n",
			  name, rc);
}

/* Time one row and print its line (two_domains: the two-domain boot). */
static void measure_row(const struct bench_row *row, uint64_t iterations,
			bool two_domains)
{
	uint64_t counts[NR_COUNTERS], empty, delta, ops;
	unsigned int i;
	long rc = 0;

	if (row->two_domains != two_domains) {
		if (row->two_domains)
			print_not_available(row->name,
					    "needs-a-second-domain", 0);
		return;
	}
	if (row->not_yet) {
		print_not_available(row->name, row->not_yet, 0);
		return;
	}
	iterations /= row->iteration_divisor;
	if (iterations == 0)
		iterations = 1;
	if (row->setup)
		rc = row->setup();
	if (rc) {
		print_not_available(row->name, NULL, rc);
		return;
	}
	ops = iterations * row->ops_per_iteration;
	empty = (row->baseline ? row->baseline : bench_loop_empty)(iterations);
	counters_reset();
	delta = row->loop(iterations);
	counters_read(counts);
	delta = delta > empty ? delta - empty : 0;

	pv_printf("BENCH row=%s iters=%lu", row->name, (unsigned long)ops);
	print_ratio("insns_per_op", delta, ops, false);
	/* Counters on a line of their own: console lines have a length limit. */
	pv_printf("\nBENCH counters row=%s", row->name);
	for (i = 0; i < NR_COUNTERS; i++) {
		if (!have_counters) {
			pv_printf(" %s=n/a", counter_names[i]);
			continue;
		}
		counts[i] -= counts[i] > counter_floor[i] ? counter_floor[i]
							  : counts[i];
		print_ratio(counter_names[i], counts[i], ops, true);
	}
	pv_printf("\n");
}

/* Measure what reset + empty loop + read counts by itself. */
static void measure_counter_floor(void)
{
	have_counters = counters_reset();
	if (!have_counters)
		return;
	bench_loop_empty(1);
	counters_read(counter_floor);
}

/* Name the hypervisor: Lamina's extraversion ends in "-lamina". */
static const char *hypervisor_name(char extra[XEN_EXTRAVERSION_LEN])
{
	memset(extra, 0, XEN_EXTRAVERSION_LEN);
	HYPERVISOR_xen_version(XENVER_extraversion, extra);
	extra[XEN_EXTRAVERSION_LEN - 1] = 0;
	return strstr(extra, "lamina") ? "lamina" : "xen";
}

/* End of the two-domain boot: power the peer off (domain 0 may). */
static void shut_down_peer(void)
{
	struct sched_remote_shutdown rs = {
		.domain_id = BENCH_PEER_DOMID, .reason = SHUTDOWN_poweroff,
	};

	HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs);
}

void kernel_main(start_info_t *si)
{
	char extra[XEN_EXTRAVERSION_LEN];
	unsigned long iterations = DEFAULT_ITERATIONS, two_domains = 0, peer = 0;
	long version = HYPERVISOR_xen_version(XENVER_version, NULL);
	const char *name = hypervisor_name(extra);
	unsigned int i;

	(void)si;
	pv_cmdline_ulong("iterations", &iterations);
	pv_cmdline_ulong("twodom", &two_domains);
	pv_cmdline_ulong("peer", &peer);
	if (iterations == 0)
		iterations = 1;
	pv_traps_init();
	bench_stop_periodic_timer();
	if (peer)
		bench_peer_main(iterations);
	pv_printf("BENCH hypervisor=%s version=%ld.%ld%s iterations=%lu%s\n",
		  name, version >> 16, version & 0xffff, extra, iterations,
		  two_domains ? " two-domains" : "");
	measure_counter_floor();
	for (i = 0; i < bench_nr_rows; i++)
		measure_row(&bench_rows[i], iterations, two_domains != 0);
	if (two_domains)
		shut_down_peer();
	pv_printf("BENCH done\n");
	pv_shutdown(SHUTDOWN_poweroff);
}
