/* libpv time: system time from vcpu_time_info, timer helpers (libpv/time.h). */
#include <libpv/hypercall.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/vcpu.h>

static inline uint64_t read_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* TSC ticks to ns with the record's shift and 32.32 multiplier. */
static uint64_t tsc_delta_to_ns(uint64_t delta, int8_t shift, uint32_t mul)
{
	if (shift >= 0)
		delta <<= shift;
	else
		delta >>= -shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/*
 * Copy the record between two reads of an even, unchanged version, then
 * extrapolate from its TSC stamp.
 */
uint64_t pv_system_time_ns(void)
{
	shared_info_t *si = pv_shared_info();
	const volatile vcpu_time_info_t *t;
	uint32_t version;
	uint64_t stamp, base, tsc;
	uint32_t mul;
	int8_t shift;

	if (!si)
		return 0;
	t = &si->vcpu_info[0].time;
	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		stamp = t->tsc_timestamp;
		base = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		tsc = read_tsc();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != t->version);
	return base + (tsc > stamp ? tsc_delta_to_ns(tsc - stamp, shift, mul) : 0);
}

long pv_set_periodic_timer(uint64_t period_ns)
{
	struct vcpu_set_periodic_timer set = { .period_ns = period_ns };

	if (!period_ns)
		return HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &set);
}

long pv_set_timer(uint64_t deadline_ns)
{
	return HYPERVISOR_set_timer_op(deadline_ns);
}
