/*
 * Time (common/time.c): the TSC calibrated at boot is the clock; system time
 * is nanoseconds since boot. Guests see it through each vCPU's
 * vcpu_time_info (Xen's version/tsc_timestamp/system_time/mul/shift
 * protocol) and the wall clock in shared_info, from the CMOS RTC at boot.
 */
#ifndef LAMINA_TIME_H
#define LAMINA_TIME_H

#include <stdint.h>

struct vcpu;
struct domain;

/* Calibrate the TSC (against the PIT) and read the RTC. Call once, early. */
void time_init(void);
/* System time: ns since boot. */
uint64_t now(void);
uint64_t tsc_to_ns(uint64_t tsc);
uint64_t ns_to_tsc(uint64_t ns);
/* TSC ticks per ns, fixed point (time_math.h's ticks_per_ns_frac). */
uint64_t tsc_ticks_per_ns_frac(void);
uint64_t tsc_khz(void);
/* Publish a fresh vcpu_time_info to the guest (version protocol). */
void update_vcpu_system_time(struct vcpu *v);
/* Publish the wall clock (wc_sec/wc_nsec/wc_sec_hi) to a domain. */
void update_domain_wallclock_time(struct domain *d);

#endif
