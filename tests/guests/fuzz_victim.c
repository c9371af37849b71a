/*
 * fuzz_victim: the domain a hypercall fuzzer must not disturb.
 *
 *   fuzzer=<domid> [period_ms=50] [max_gap_ms=500] [max_s=3600]
 *
 * Beats every period_ms of its own timer (set_timer_op + SCHEDOP_poll on
 * VIRQ_TIMER), printing every 20th beat, and on each beat checks that its
 * memory is untouched: a 64 KiB pattern buffer, its start_info page, and
 * its start-of-day page tables. It stops when the fuzzer's domain is gone
 * (or after max_s) and reports
 *   "victim alive, N heartbeats, max gap X ms"
 * with PASS/FAIL lines: memory intact, largest gap below max_gap_ms, and
 * that it outlived the fuzzer.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/time.h>
#include <pv/errno.h>
#include "mdlib.h"

#define PATTERN_WORDS (64 * 1024 / 8)

static unsigned long pattern[PATTERN_WORDS];
static start_info_t start_copy;
static unsigned long l4_copy[512];

static unsigned long pattern_word(unsigned long i)
{
	return (i * 0x9e3779b97f4a7c15UL) ^ 0x5eed5eedUL;
}

/* The first difference from what was set up, or NULL. */
static const char *memory_damage(const start_info_t *si)
{
	for (unsigned long i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != pattern_word(i))
			return "pattern buffer";
	if (memcmp(&start_copy, si, sizeof(start_copy)))
		return "start_info";
	if (memcmp(l4_copy, (const void *)si->pt_base, sizeof(l4_copy)))
		return "L4 page table";
	return NULL;
}

void kernel_main(start_info_t *si)
{
	domid_t fuzzer = (domid_t)md_arg("fuzzer", 1);
	uint64_t period = md_arg("period_ms", 50) * MD_MS;
	uint64_t max_gap_allowed = md_arg("max_gap_ms", 500) * MD_MS;
	uint64_t max_ns = md_arg("max_s", 3600) * 1000 * MD_MS;
	evtchn_port_t port;
	unsigned long beats = 0;
	uint64_t max_gap = 0;
	const char *damage = NULL;
	bool fuzzer_gone = false;

	md_init();
	for (unsigned long i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = pattern_word(i);
	memcpy(&start_copy, si, sizeof(start_copy));
	memcpy(l4_copy, (const void *)si->pt_base, sizeof(l4_copy));
	if (md_bind_virq(VIRQ_TIMER, &port))
		pv_crash("fuzz_victim: cannot bind VIRQ_TIMER\n");
	pv_printf("fuzz_victim: watching domain %u, a beat every %lu ms\n",
		  fuzzer, (unsigned long)(period / MD_MS));

	uint64_t start = md_now(), last = start;
	while (md_now() - start < max_ns) {
		pv_set_timer(last + period);
		md_wait_port(port, 10 * period + 1000 * MD_MS);
		uint64_t now = md_now();
		if (now - last > max_gap)
			max_gap = now - last;
		last = now;
		beats++;
		if (!damage && (damage = memory_damage(si)))
			pv_printf("fuzz_victim: beat %lu: %s changed\n", beats, damage);
		if (beats % 20 == 0)
			pv_printf("fuzz_victim: heartbeat %lu, max gap %lu ms\n",
				  beats, (unsigned long)(max_gap / MD_MS));
		if (!md_domain_alive(fuzzer)) {
			fuzzer_gone = true;
			break;
		}
	}
	pv_printf("fuzz_victim: victim alive, %lu heartbeats, max gap %lu ms\n",
		  beats, (unsigned long)(max_gap / MD_MS));
	test_check(!damage, "victim_memory_intact", "%s changed", damage);
	test_check(max_gap < max_gap_allowed, "victim_heartbeat",
		   "max gap %lu ms (limit %lu ms)", (unsigned long)(max_gap / MD_MS),
		   (unsigned long)(max_gap_allowed / MD_MS));
	test_check(fuzzer_gone, "victim_outlived_fuzzer",
		   "domain %u still there after %lu s", fuzzer,
		   (unsigned long)(max_ns / 1000 / MD_MS));
	test_finish();
}
