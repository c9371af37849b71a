/*
 * Time for libpv guests: the hypervisor's system time (ns since it booted)
 * from vcpu_info.time, and timer hypercall helpers. Needs the shared_info
 * mapping (pv_map_shared_info, usermode.h).
 *
 * system time = time.system_time + scale(rdtsc - time.tsc_timestamp),
 * scale(d) = ((d << tsc_shift, or >> -tsc_shift) * tsc_to_system_mul) >> 32,
 * read under the version protocol (odd version: update in progress).
 */
#ifndef LIBPV_TIME_H
#define LIBPV_TIME_H

#include <stdint.h>

#define PV_NS_PER_MS 1000000ULL

/* Current system time in ns (vCPU 0's time record); 0 without shared_info. */
uint64_t pv_system_time_ns(void);

/* Raise VIRQ_TIMER every period_ns (VCPUOP_set_periodic_timer); 0 stops it. */
long pv_set_periodic_timer(uint64_t period_ns);

/* Raise VIRQ_TIMER once at system time deadline_ns (set_timer_op); 0 cancels. */
long pv_set_timer(uint64_t deadline_ns);

#endif /* LIBPV_TIME_H */
