/*
 * schedbound: hostile domains against the scheduler, the timers, the
 * bounds on hypercall work and the permission checks. One image, several
 * roles (role=<name> on the command line):
 *
 *   victim      (domain 0) measures its own timer: a singleshot timer
 *               every period_ms (default 5) over window_ms (default 2000),
 *               waited for with SCHEDOP_poll on the VIRQ_TIMER port. Every
 *               wake-up must come within max_late_ms (default 100) of its
 *               deadline, the median within median_ms (default 10), and
 *               at least a quarter of the ideal number must happen. On an
 *               idle host the median is under 1 ms; the limits leave room
 *               for QEMU's TCG on a host shared by several QEMUs, while a
 *               hypercall that is not bounded makes the victim seconds
 *               late. Then it ends domain 1 (remote_shutdown) if that
 *               still runs, and powers off.
 *   attack      (domain 1) mode=<m> does one of the worst things a guest
 *               can ask of the hypervisor while the victim measures:
 *      mc_polls    two SCHEDOP_poll with timeouts in one multicall (each
 *                  must really block, as in Xen; the timer list survives)
 *      mc_huge     a multicall of 2^26 cheap entries (4 GiB of entries,
 *                  aliased from one frame)
 *      mmu_nested  a multicall holding one mmu_update of 2^28 requests
 *      console_4g  console_io write of 4 GiB - 1 bytes ('\r', which prints
 *                  nothing)
 *      far_timers  a singleshot timer at ~0 ns and a periodic timer of
 *                  2^63 - 1 ns; its own short timers must still work
 *   quitter     (domain 1) shuts itself down from inside a multicall
 *   after_quit  (domain 0) waits until domain 1 ended, then checks that
 *               SCHEDOP_poll still blocks and a long mmu_update still
 *               continues (the per-call state did not outlive the call)
 *   exc_host    (domain 0) binds VIRQ_DOM_EXC, fills its event table, and
 *               must hear of domain 2's end; console_io read works for it
 *   exc_peer    (domain 1) binds VIRQ_DOM_EXC too but must never hear of
 *               domain 2's end; alloc_unbound on domain 0's full table is
 *               -EPERM (not -ENOSPC); console_io read is -EPERM
 *   exc_quitter (domain 2) ends after 300 ms
 *
 * The 4 GiB regions are one data frame mapped 512 times by one L1, which
 * one L2 maps 512 times, which an L3 maps 4 times: three frames of page
 * tables, hooked into a free slot of the L4.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <lamina/perf.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include <pv/vcpu.h>
#include <pv/version.h>
#include "mdlib.h"
#include <libpv/pagetable.h>

#define PTE_LEAF_RW  (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A)
#define ALIAS_SLOT   300                        /* a free guest L4 slot */
#define ALIAS_BASE   (0xffff000000000000UL | ((unsigned long)ALIAS_SLOT << 39))
#define ALIAS_GIB    4
#define GIB          (1UL << 30)

static mmu_update_t reqs[512];
static uint8_t spot[4096] __attribute__((aligned(4096)));

/* ---- small helpers ------------------------------------------------------ */

static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("schedbound: %s failed: %ld\n", step, rc);
}

/* A new port of ours that nothing will ever signal. */
static evtchn_port_t quiet_port(void)
{
	evtchn_port_t p;

	must(md_alloc_unbound(DOMID_SELF, DOMID_SELF, &p), "alloc a quiet port");
	return p;
}

/* SCHEDOP_poll on port until abs_timeout (0: none); its result. */
static long poll_once(evtchn_port_t *port, uint64_t abs_timeout)
{
	struct sched_poll poll = { .nr_ports = 1, .timeout = abs_timeout };

	poll.ports.p = port;
	return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/* Sleep ms (poll with a timeout on a quiet port, repeated if woken early). */
static void sleep_ms(evtchn_port_t quiet, unsigned long ms)
{
	uint64_t until = md_now() + ms * MD_MS;

	while (md_now() < until)
		poll_once(&quiet, until);
}

/* ---- the aliased region -------------------------------------------------- */

static unsigned long next_pfn;

static void spare_init(const start_info_t *si)
{
	unsigned long va = si->pt_base + si->nr_pt_frames * 4096UL;

	while (pv_pt_lookup(va) & PTE_P)
		va += 4096;
	next_pfn = pv_virt_to_pfn((void *)va);
}

/* A cleared, unmapped frame of ours. */
static unsigned long spare_frame(void)
{
	unsigned long mfn;

	if (next_pfn >= pv_start_info->nr_pages)
		pv_crash("schedbound: out of spare pages\n");
	mfn = pv_pfn_to_mfn(next_pfn++);
	must(mmuext1(MMUEXT_CLEAR_PAGE, mfn), "clear a frame");
	return mfn;
}

/* Entries 0..n-1 of the table frame mfn all set to val. */
static void fill_table(unsigned long mfn, unsigned int n, unsigned long val)
{
	for (unsigned int i = 0; i < n; i++) {
		reqs[i].ptr = (mfn << 12) + i * 8UL + MMU_NORMAL_PT_UPDATE;
		reqs[i].val = val;
	}
	must(HYPERVISOR_mmu_update(reqs, n, NULL, DOMID_SELF), "fill a table");
}

/* Map ALIAS_GIB GiB at ALIAS_BASE, every page the same data frame. */
static void *build_alias(const start_info_t *si)
{
	unsigned long data = spare_frame(), l1 = spare_frame();
	unsigned long l2 = spare_frame(), l3 = spare_frame();
	unsigned long l4 = pv_pfn_to_mfn(pv_virt_to_pfn((void *)si->pt_base));

	must(mmuext1(MMUEXT_PIN_L1_TABLE, l1), "pin the L1");
	fill_table(l1, 512, (data << 12) | PTE_LEAF_RW);
	must(mmuext1(MMUEXT_PIN_L2_TABLE, l2), "pin the L2");
	fill_table(l2, 512, (l1 << 12) | PTE_TABLE);
	must(mmuext1(MMUEXT_PIN_L3_TABLE, l3), "pin the L3");
	fill_table(l3, ALIAS_GIB, (l2 << 12) | PTE_TABLE);
	reqs[0].ptr = (l4 << 12) + ALIAS_SLOT * 8UL + MMU_NORMAL_PT_UPDATE;
	reqs[0].val = (l3 << 12) | PTE_TABLE;
	must(HYPERVISOR_mmu_update(reqs, 1, NULL, DOMID_SELF), "hook the L3");
	return (void *)ALIAS_BASE;
}

/* Machine address of the L1 entry mapping va, and its value. */
static uint64_t l1e_of(const start_info_t *si, unsigned long va, uint64_t *value)
{
	uint64_t *table = (uint64_t *)si->pt_base;
	uint64_t mfn = 0;

	for (int shift = 39; shift > 12; shift -= 9) {
		mfn = (table[(va >> shift) & 511] & PTE_MFN_MASK) >> 12;
		table = pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
	}
	*value = table[(va >> 12) & 511];
	return (mfn << 12) + ((va >> 12) & 511) * 8;
}

/* ---- victim ------------------------------------------------------------- */

#define MAX_SAMPLES 1024
static uint64_t lateness[MAX_SAMPLES];

/* Sort the first n samples (insertion sort: n is small). */
static void sort_samples(unsigned long n)
{
	for (unsigned long i = 1; i < n; i++) {
		uint64_t v = lateness[i];
		unsigned long j = i;

		for (; j && lateness[j - 1] > v; j--)
			lateness[j] = lateness[j - 1];
		lateness[j] = v;
	}
}

static void victim(void)
{
	unsigned long period = md_arg("period_ms", 5) * MD_MS;
	unsigned long window = md_arg("window_ms", 2000) * MD_MS;
	unsigned long max_late = md_arg("max_late_ms", 100) * MD_MS;
	unsigned long prompt = md_arg("median_ms", 10) * MD_MS;
	uint64_t start, end;
	unsigned long wakeups = 0, n;
	evtchn_port_t tport;

	must(md_bind_virq(VIRQ_TIMER, &tport), "bind VIRQ_TIMER");
	must(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL),
	     "stop the periodic timer");
	start = md_now();
	end = start + window;
	while (md_now() < end) {
		struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = md_now() + period };

		md_clear_pending(tport);
		must(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t),
		     "set the singleshot timer");
		while (!md_pending(tport))
			poll_once(&tport, 0);
		uint64_t at = md_now();

		if (wakeups < MAX_SAMPLES)
			lateness[wakeups] = at > t.timeout_abs_ns ? at - t.timeout_abs_ns : 0;
		wakeups++;
	}
	n = wakeups < MAX_SAMPLES ? wakeups : MAX_SAMPLES;
	sort_samples(n);
	uint64_t median = lateness[n / 2], p90 = lateness[n * 9 / 10];
	uint64_t worst = lateness[n - 1];

	pv_printf("schedbound: victim woke %lu times in %lu ms; lateness median %lu us, "
		  "90%% %lu us, worst %lu us\n", wakeups,
		  (md_now() - start) / MD_MS, median / 1000, p90 / 1000,
		  worst / 1000);
	test_check(worst <= max_late, "victim_timer_on_time",
		   "a wake-up %lu us late (limit %lu ms)", worst / 1000,
		   max_late / MD_MS);
	test_check(median <= prompt, "victim_timer_mostly_prompt",
		   "median lateness %lu us (limit %lu ms)", median / 1000,
		   prompt / MD_MS);
	test_check(wakeups >= window / period / 4, "victim_kept_running",
		   "only %lu wake-ups", wakeups);
	if (md_arg("expect_busy", 0))
		test_check(md_domain_alive(1), "attacker_still_busy",
			   "domain 1 ended before the window did");
	if (md_domain_alive(1)) {
		struct sched_remote_shutdown rs = { .domain_id = 1,
						    .reason = SHUTDOWN_poweroff };
		test_expect_rc("victim_ends_attacker",
			       HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), 0);
	}
	test_finish();
}

/* ---- attacks ------------------------------------------------------------- */

static void mc_entry(multicall_entry_t *e, unsigned long op, unsigned long a0,
		     unsigned long a1, unsigned long a2, unsigned long a3)
{
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->result = 0xdeadUL;
	e->args[0] = a0;
	e->args[1] = a1;
	e->args[2] = a2;
	e->args[3] = a3;
}

static void attack_mc_polls(void)
{
	evtchn_port_t quiet = quiet_port();
	multicall_entry_t mc[2];
	struct sched_poll p1 = { .nr_ports = 1 }, p2 = { .nr_ports = 1 };

	p1.ports.p = &quiet;
	p2.ports.p = &quiet;
	/* Round 0 checks the semantics; then short timeouts, which sort
	 * before the victim's timer and so used to cut it off the list. */
	pv_printf("attack: two polls in one multicall, 300 rounds\n");
	for (int round = 0; round < 300; round++) {
		uint64_t t0 = md_now();

		p1.timeout = t0 + (round ? 1 : 100) * MD_MS;
		p2.timeout = t0 + (round ? 2 : 200) * MD_MS;
		mc_entry(&mc[0], __HYPERVISOR_sched_op, SCHEDOP_poll,
			 (unsigned long)&p1, 0, 0);
		mc_entry(&mc[1], __HYPERVISOR_sched_op, SCHEDOP_poll,
			 (unsigned long)&p2, 0, 0);
		long rc = HYPERVISOR_multicall(mc, 2);
		uint64_t took = md_now() - t0;

		if (round)
			continue;
		test_expect_rc("mc_polls_rc", rc, 0);
		test_expect_rc("mc_polls_first", (long)mc[0].result, 0);
		test_expect_rc("mc_polls_second", (long)mc[1].result, 0);
		/* Xen: each poll blocks until its timeout; the batch goes on after. */
		test_check(took >= 190 * MD_MS, "mc_polls_blocked",
			   "returned after %lu ms", took / MD_MS);
	}
	test_finish();
}

static void attack_mc_huge(const start_info_t *si)
{
	multicall_entry_t *e = build_alias(si);
	unsigned long n = ALIAS_GIB * GIB / sizeof(*e);

	for (unsigned int i = 0; i < 4096 / sizeof(*e); i++)
		mc_entry(&e[i], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	pv_printf("attack: multicall of %lu entries\n", n);
	long rc = HYPERVISOR_multicall(e, (unsigned int)(n - 1));
	pv_printf("attack: multicall returned %ld\n", rc);
	for (;;)
		md_yield();
}

static void attack_mmu_nested(const start_info_t *si)
{
	mmu_update_t *r = build_alias(si);
	uint64_t value, ptr = l1e_of(si, (unsigned long)spot, &value);
	unsigned long n = ALIAS_GIB * GIB / sizeof(*r);
	unsigned int done = 0;
	multicall_entry_t mc;

	for (unsigned int i = 0; i < 4096 / sizeof(*r); i++) {
		r[i].ptr = ptr | MMU_NORMAL_PT_UPDATE;
		r[i].val = value;
	}
	mc_entry(&mc, __HYPERVISOR_mmu_update, (unsigned long)r, n - 1,
		 (unsigned long)&done, DOMID_SELF);
	pv_printf("attack: mmu_update of %lu requests inside a multicall\n", n - 1);
	long rc = HYPERVISOR_multicall(&mc, 1);
	pv_printf("attack: multicall returned %ld, %u done\n", rc, done);
	for (;;)
		md_yield();
}

static void attack_console_4g(const start_info_t *si)
{
	char *buf = build_alias(si);

	memset(buf, '\r', 4096);
	pv_printf("attack: console_io write of 4 GiB - 1 bytes\n");
	long rc = pv_hypercall6(__HYPERVISOR_console_io, CONSOLEIO_write,
				0xffffffffUL, (unsigned long)buf, 0, 0);
	pv_printf("attack: console_io returned %ld\n", rc);
	for (;;)
		md_yield();
}

static void attack_far_timers(void)
{
	evtchn_port_t quiet = quiet_port();
	struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = ~0UL };
	struct vcpu_set_periodic_timer per = { .period_ns = 0x7fffffffffffffffUL };

	pv_printf("attack: singleshot at ~0, periodic every 2^63-1 ns\n");
	test_expect_rc("far_singleshot",
		       HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), 0);
	test_expect_rc("far_periodic",
		       HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), 0);
	/* Its own short sleeps still end on time. */
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = md_now();

		sleep_ms(quiet, 100);
		uint64_t took = md_now() - t0;

		if (i == 4)
			test_check(took < 120 * MD_MS, "far_timers_sleep_on_time",
				   "100 ms sleep took %lu ms", took / MD_MS);
	}
	/* The far singleshot never fired. */
	test_finish();
}

static void attacker(const start_info_t *si)
{
	/* Attack inside the victim's window, which opens as it boots. */
	sleep_ms(quiet_port(), 300);
	if (md_arg_is("mode", "mc_polls"))
		attack_mc_polls();
	else if (md_arg_is("mode", "mc_huge"))
		attack_mc_huge(si);
	else if (md_arg_is("mode", "mmu_nested"))
		attack_mmu_nested(si);
	else if (md_arg_is("mode", "console_4g"))
		attack_console_4g(si);
	else if (md_arg_is("mode", "far_timers"))
		attack_far_timers();
	pv_crash("schedbound: unknown mode\n");
}

/* ---- a shutdown inside a multicall ------------------------------------------ */

static void quitter(void)
{
	multicall_entry_t mc[3];
	struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };

	mc_entry(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	mc_entry(&mc[1], __HYPERVISOR_sched_op, SCHEDOP_shutdown,
		 (unsigned long)&sd, 0, 0);
	mc_entry(&mc[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	pv_printf("quitter: shutting down inside a multicall\n");
	HYPERVISOR_multicall(mc, 3);
	pv_crash("schedbound: still running after SCHEDOP_shutdown\n");
}

#define N_UPDATES 1500

static void after_quit(const start_info_t *si)
{
	evtchn_port_t quiet = quiet_port();
	uint64_t t0 = md_now();

	while (md_domain_alive(1) && md_now() < t0 + 5000 * MD_MS)
		md_yield();
	test_check(!md_domain_alive(1), "quitter_ended", "domain 1 still runs");

	/* A poll with a timeout sleeps until it. */
	t0 = md_now();
	test_expect_rc("poll_rc", poll_once(&quiet, t0 + 50 * MD_MS), 0);
	uint64_t took = md_now() - t0;
	test_check(took >= 45 * MD_MS, "poll_still_blocks",
		   "50 ms poll returned after %lu us", took / 1000);

	/* A long mmu_update still continues: four entries for 1500 updates. */
	uint64_t value, ptr = l1e_of(si, (unsigned long)spot, &value);
	static mmu_update_t batch[N_UPDATES];
	struct lamina_perf_counters perf;
	unsigned int done = 0;

	for (int i = 0; i < N_UPDATES; i++) {
		batch[i].ptr = ptr | MMU_NORMAL_PT_UPDATE;
		batch[i].val = value;
	}
	pv_hypercall6(__HYPERVISOR_lamina_perf, LAMINA_PERF_RESET, 0, 0, 0, 0);
	long rc = HYPERVISOR_mmu_update(batch, N_UPDATES, &done, DOMID_SELF);
	long have = pv_hypercall6(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ,
				  (unsigned long)&perf, 0, 0, 0);
	test_expect_rc("mmu_update_rc", rc, 0);
	test_expect_eq("mmu_update_done", done, N_UPDATES);
	if (have == 0)
		test_expect_eq("mmu_update_still_continues", perf.hypercalls, 4);
	test_finish();
}

/* ---- VIRQ_DOM_EXC, foreign ports, console input ----------------------------- */

static void exc_host(void)
{
	evtchn_port_t exc;
	unsigned long filled = 0;
	char c;

	must(md_bind_virq(VIRQ_DOM_EXC, &exc), "bind VIRQ_DOM_EXC");
	while (md_alloc_unbound(DOMID_SELF, DOMID_SELF, NULL) == 0)
		filled++;
	pv_printf("exc_host: event table full after %lu more ports\n", filled);
	test_check(HYPERVISOR_console_io(CONSOLEIO_read, 1, &c) >= 0,
		   "host_console_read_allowed", "refused");
	test_check(md_wait_port(exc, 5000 * MD_MS), "host_hears_dom_exc",
		   "no VIRQ_DOM_EXC within 5 s");
	test_finish();
}

static void exc_peer(void)
{
	evtchn_port_t exc, quiet;
	char buf[16];
	uint64_t t0;

	test_expect_rc("peer_may_bind_dom_exc", md_bind_virq(VIRQ_DOM_EXC, &exc), 0);
	quiet = quiet_port();
	sleep_ms(quiet, 200);           /* domain 0's table is full by now */
	test_expect_rc("peer_alloc_on_full_foreign_table",
		       md_alloc_unbound(0, DOMID_SELF, NULL), -XEN_EPERM);
	struct evtchn_status st;
	test_expect_rc("peer_status_foreign_bad_port",
		       md_status(0, 0xffffff, &st), -XEN_EPERM);
	test_expect_rc("peer_console_read",
		       HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf),
		       -XEN_EPERM);
	t0 = md_now();
	while (md_domain_alive(2) && md_now() < t0 + 5000 * MD_MS)
		sleep_ms(quiet, 10);
	test_check(!md_domain_alive(2), "peer_sees_quitter_gone", "still there");
	sleep_ms(quiet, 100);
	test_check(!md_pending(exc), "peer_never_hears_dom_exc",
		   "VIRQ_DOM_EXC raised in an unprivileged domain");
	test_finish();
}

static void exc_quitter(void)
{
	sleep_ms(quiet_port(), 300);
	test_finish();
}

void kernel_main(start_info_t *si)
{
	md_init();
	spare_init(si);
	if (md_arg_is("role", "victim"))
		victim();
	else if (md_arg_is("role", "attack"))
		attacker(si);
	else if (md_arg_is("role", "quitter"))
		quitter();
	else if (md_arg_is("role", "after_quit"))
		after_quit(si);
	else if (md_arg_is("role", "exc_host"))
		exc_host();
	else if (md_arg_is("role", "exc_peer"))
		exc_peer();
	else if (md_arg_is("role", "exc_quitter"))
		exc_quitter();
	pv_crash("schedbound: unknown role\n");
}
