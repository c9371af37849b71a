/*
 * timeguest: the PV clock and the time hypercalls, seen from a guest.
 *
 *  - vcpu_time_info in shared_info: even version, a usable mul/shift;
 *    system time computed from rdtsc advances;
 *  - the wall clock (wc_sec/wc_nsec + system time) is a plausible date;
 *  - vcpu_op: is_up, get_runstate_info, the runstate area, the timer ops
 *    and their errors (-ENOENT, -EINVAL, -ETIME, -EFAULT, -ENOSYS);
 *  - register_vcpu_info: refused for a bad offset, a foreign frame and a
 *    page table; accepted once, then refused;
 *  - with "sleep=1" on the command line: bind VIRQ_TIMER, set_timer_op 100 ms
 *    ahead, SCHEDOP_block, and measure the sleep (100 ms +- 10%).
 */
#include <libpv/hypercall.h>
#include <libpv/usermode.h>
#include <pv/event_channel.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include <pv/vcpu.h>
#include <pv/xen.h>
#include "testlib.h"

#define MS              1000000UL
#define EPOCH_2024      1704067200UL    /* 2024-01-01 00:00:00 UTC */
#define HV_ADDRESS      0xffff800000001000UL

static char shared_page[4096] __attribute__((aligned(4096)));
static char vcpu_info_page[4096] __attribute__((aligned(4096)));
static struct vcpu_runstate_info runstate_area;

static shared_info_t *si;
static volatile struct vcpu_info *vi;   /* where vcpu_info lives now */

static unsigned int timer_port;
static volatile unsigned long timer_events;
static volatile uint64_t timer_event_time;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The guest's half of the pvclock: a consistent copy of vcpu_time_info. */
static void read_time_info(struct vcpu_time_info *out)
{
	uint32_t version;

	do {
		version = vi->time.version;
		__asm__ volatile("" ::: "memory");
		out->tsc_timestamp = vi->time.tsc_timestamp;
		out->system_time = vi->time.system_time;
		out->tsc_to_system_mul = vi->time.tsc_to_system_mul;
		out->tsc_shift = vi->time.tsc_shift;
		out->flags = vi->time.flags;
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) || version != vi->time.version);
	out->version = version;
}

/* System time now: system_time + scaled TSC delta since tsc_timestamp. */
static uint64_t system_time(void)
{
	struct vcpu_time_info t;

	read_time_info(&t);
	uint64_t delta = rdtsc() - t.tsc_timestamp;

	if (t.tsc_shift >= 0)
		delta <<= t.tsc_shift;
	else
		delta >>= -t.tsc_shift;
	return t.system_time +
	       (uint64_t)(((unsigned __int128)delta * t.tsc_to_system_mul) >> 32);
}

/* Wall-clock seconds now: the boot wall time plus system time. */
static uint64_t wall_seconds(uint32_t *nsec)
{
	uint32_t version, sec, sec_hi, ns;

	do {
		version = si->wc_version;
		__asm__ volatile("" ::: "memory");
		sec = si->wc_sec;
		sec_hi = si->wc_sec_hi;
		ns = si->wc_nsec;
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) || version != si->wc_version);
	uint64_t total_ns = ns + system_time();

	*nsec = (uint32_t)(total_ns % 1000000000UL);
	return ((uint64_t)sec_hi << 32 | sec) + total_ns / 1000000000UL;
}

static void check_clock(void)
{
	struct vcpu_time_info t;

	read_time_info(&t);
	test_check(!(t.version & 1) && t.version != 0, "time_version_even",
		   "version %u", t.version);
	test_check(t.tsc_to_system_mul != 0, "time_mul_set", "mul 0");
	test_check(t.tsc_shift >= -31 && t.tsc_shift <= 31, "time_shift_sane",
		   "shift %d", t.tsc_shift);

	uint64_t a = system_time();
	for (volatile int i = 0; i < 200000; i++)
		;
	uint64_t b = system_time();
	test_check(a > 0 && b > a, "system_time_advances", "%lu then %lu", a, b);
	test_check(b < 3600UL * 1000 * MS, "system_time_since_boot",
		   "%lu ns since boot", b);
}

static void check_wallclock(void)
{
	uint32_t nsec;
	uint64_t sec = wall_seconds(&nsec);

	test_check(!(si->wc_version & 1) && si->wc_version != 0,
		   "wc_version_even", "wc_version %u", si->wc_version);
	test_check(sec >= EPOCH_2024 && nsec < 1000000000U, "wallclock_plausible",
		   "wall clock %lu.%09u s", sec, nsec);
	pv_printf("wallclock %lu.%09u\n", sec, nsec);
}

static void check_vcpu_op_basics(void)
{
	struct vcpu_runstate_info rs;

	test_expect_rc("vcpu_is_up_0", HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	test_expect_rc("vcpu_is_up_1_enoent",
		       HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), -XEN_ENOENT);
	test_expect_rc("vcpu_is_up_huge_enoent",
		       HYPERVISOR_vcpu_op(VCPUOP_is_up, 4096, NULL), -XEN_ENOENT);
	test_expect_rc("vcpu_op_unknown_enosys",
		       HYPERVISOR_vcpu_op(999, 0, NULL), -XEN_ENOSYS);

	uint64_t before = system_time();
	long rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs);
	uint64_t total = rs.time[0] + rs.time[1] + rs.time[2] + rs.time[3];
	test_expect_rc("get_runstate_info", rc, 0);
	test_check(rs.state == RUNSTATE_running, "runstate_running", "state %d",
		   rs.state);
	test_check(rs.time[RUNSTATE_running] > 0 && total <= before + 50 * MS,
		   "runstate_times_sane", "running %lu total %lu now %lu",
		   rs.time[RUNSTATE_running], total, before);
	test_expect_rc("get_runstate_info_bad_address",
		       HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0,
					  (void *)HV_ADDRESS), -XEN_EFAULT);
}

static void check_runstate_area(void)
{
	struct vcpu_register_runstate_memory_area area = { .addr.v = &runstate_area };
	struct vcpu_register_runstate_memory_area bad = { .addr.p = HV_ADDRESS };

	runstate_area.state = 0x55;
	test_expect_rc("register_runstate_area_bad",
		       HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0,
					  &bad), -XEN_EFAULT);
	test_expect_rc("register_runstate_area",
		       HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0,
					  &area), 0);
	test_check(runstate_area.state == RUNSTATE_running &&
		   runstate_area.state_entry_time <= system_time(),
		   "runstate_area_written", "state %d entry %lu",
		   runstate_area.state, runstate_area.state_entry_time);
}

static void check_timer_ops(void)
{
	uint64_t t = system_time();
	struct vcpu_set_singleshot_timer past = { t - MS, VCPU_SSHOTTMR_future };
	struct vcpu_set_singleshot_timer future = { t + 1000 * MS, VCPU_SSHOTTMR_future };
	struct vcpu_set_periodic_timer too_short = { MS - 1 }, ok = { 5 * MS };

	test_expect_rc("singleshot_past_future_flag_etime",
		       HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &past),
		       -XEN_ETIME);
	test_expect_rc("singleshot_future", HYPERVISOR_vcpu_op(
			       VCPUOP_set_singleshot_timer, 0, &future), 0);
	test_expect_rc("singleshot_bad_address", HYPERVISOR_vcpu_op(
			       VCPUOP_set_singleshot_timer, 0, (void *)HV_ADDRESS),
		       -XEN_EFAULT);
	test_expect_rc("singleshot_stop",
		       HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
	test_expect_rc("singleshot_other_vcpu_enoent",
		       HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL),
		       -XEN_ENOENT);
	test_expect_rc("periodic_below_1ms_einval", HYPERVISOR_vcpu_op(
			       VCPUOP_set_periodic_timer, 0, &too_short), -XEN_EINVAL);
	test_expect_rc("periodic_5ms", HYPERVISOR_vcpu_op(
			       VCPUOP_set_periodic_timer, 0, &ok), 0);
	test_expect_rc("periodic_stop",
		       HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
	test_expect_rc("set_timer_op_past", HYPERVISOR_set_timer_op(t - MS), 0);
	test_expect_rc("set_timer_op_cancel", HYPERVISOR_set_timer_op(0), 0);
}

static long register_vcpu_info(unsigned long mfn, unsigned int offset)
{
	struct vcpu_register_vcpu_info info = { .mfn = mfn, .offset = offset };

	return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
}

static void check_register_vcpu_info(start_info_t *si_boot)
{
	unsigned long mfn = pv_pfn_to_mfn(pv_virt_to_pfn(vcpu_info_page));
	unsigned long pt_mfn = pv_pfn_to_mfn(pv_virt_to_pfn((void *)si_boot->pt_base));
	unsigned int offset = 4096 - 64 - 128;   /* inside the page, unaligned-ish */

	test_expect_rc("vcpu_info_crossing_page_einval",
		       register_vcpu_info(mfn, 4096 - 32), -XEN_EINVAL);
	test_expect_rc("vcpu_info_foreign_frame_einval",
		       register_vcpu_info(0, 0), -XEN_EINVAL);
	test_expect_rc("vcpu_info_page_table_einval",
		       register_vcpu_info(pt_mfn, 0), -XEN_EINVAL);
	test_expect_rc("vcpu_info_register", register_vcpu_info(mfn, offset), 0);
	vi = (volatile struct vcpu_info *)(vcpu_info_page + offset);
	test_check(vi->evtchn_upcall_mask == 1 && vi->time.version != 0 &&
		   !(vi->time.version & 1), "vcpu_info_copied",
		   "mask %u version %u", vi->evtchn_upcall_mask, vi->time.version);
	test_expect_rc("vcpu_info_register_twice_einval",
		       register_vcpu_info(mfn, 0), -XEN_EINVAL);
	uint64_t a = system_time();
	for (volatile int i = 0; i < 100000; i++)
		;
	test_check(system_time() > a, "system_time_from_moved_vcpu_info",
		   "clock stopped");
}

/* The event upcall: note VIRQ_TIMER, clear whatever else is pending. */
static void on_event(struct pv_trap_frame *frame)
{
	(void)frame;
	vi->evtchn_upcall_pending = 0;
	unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0,
						__ATOMIC_SEQ_CST);

	for (unsigned int w = 0; w < 64; w++) {
		if (!(sel & (1UL << w)))
			continue;
		unsigned long bits = si->evtchn_pending[w] & ~si->evtchn_mask[w];

		for (unsigned int b = 0; b < 64; b++) {
			if (!(bits & (1UL << b)))
				continue;
			__atomic_fetch_and(&si->evtchn_pending[w], ~(1UL << b),
					   __ATOMIC_SEQ_CST);
			if (w * 64 + b == timer_port) {
				timer_events++;
				timer_event_time = system_time();
			}
		}
	}
}

/* Sleep 100 ms on a singleshot timer, blocking; measure in system time. */
static void check_sleep(void)
{
	struct evtchn_bind_virq bind = { .virq = VIRQ_TIMER, .vcpu = 0 };

	if (pv_callbacks_init() != 0)
		pv_crash("could not register the event callback\n");
	pv_trap_set_handler(PV_VEC_EVENT, on_event);
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);
	if (!test_expect_rc("bind_virq_timer", rc, 0))
		return;
	timer_port = bind.port;
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);

	uint64_t start = system_time(), deadline = start + 100 * MS;
	unsigned int blocks = 0;
	test_expect_rc("sleep_set_timer_op", HYPERVISOR_set_timer_op(deadline), 0);
	while (!timer_events && system_time() - start < 2000 * MS && blocks < 1000) {
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);   /* unmasks events */
		blocks++;
	}
	vi->evtchn_upcall_mask = 1;
	uint64_t slept = (timer_events ? timer_event_time : system_time()) - start;

	test_check(timer_events == 1, "sleep_timer_event_once", "%lu events",
		   timer_events);
	test_check(slept >= 90 * MS && slept <= 110 * MS, "sleep_100ms",
		   "slept %lu.%03lu ms over %u blocks", slept / MS,
		   slept % MS / 1000, blocks);
}

void kernel_main(start_info_t *start)
{
	pv_printf("timeguest: the PV clock and time hypercalls\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	si = pv_map_shared_info(shared_page);
	if (!si)
		pv_crash("could not map shared_info\n");
	vi = &si->vcpu_info[0];

	check_clock();
	check_wallclock();
	check_vcpu_op_basics();
	check_runstate_area();
	check_timer_ops();
	check_register_vcpu_info(start);
	unsigned long sleep = 0;
	if (pv_cmdline_ulong("sleep", &sleep) && sleep)
		check_sleep();
	test_finish();
}
