/*
 * The pure arithmetic behind Lamina's clock (common/time_math.c), kept apart
 * from the hardware so host unit tests can check it.
 *
 * TSC scaling, as guests see it in vcpu_time_info: a TSC delta becomes
 * nanoseconds by
 *     ns = (shift >= 0 ? delta << shift : delta >> -shift) * mul >> 32
 * with mul a 32.32 fixed-point fraction (Xen's tsc_to_system_mul) and shift
 * a small signed power of two (Xen's tsc_shift).
 *
 * Calendar: the CMOS RTC's fields, decoded (BCD or binary, 12 or 24 hour),
 * and a civil date turned into seconds since 1970-01-01 00:00:00 UTC.
 */
#ifndef LAMINA_TIME_MATH_H
#define LAMINA_TIME_MATH_H

#include <stdint.h>
#include <stdbool.h>

#define NSEC_PER_SEC  1000000000UL

struct time_scale {
	uint32_t mul;       /* 32.32 fixed-point ns per (shifted) tick */
	int8_t shift;       /* applied to the tick count before mul */
};

/* The scale that turns ticks of a hz clock into ns (hz > 0). */
void time_scale_for_hz(uint64_t hz, struct time_scale *ts);
/* ns for delta ticks, computed exactly as a guest does with ts. */
uint64_t time_scale_apply(uint64_t delta, const struct time_scale *ts);
/* The inverse direction: ticks per ns of a hz clock, in fixed point with
 * TICKS_FRAC_BITS fraction bits. */
#define TICKS_FRAC_BITS 48
uint64_t ticks_per_ns_frac(uint64_t hz);
/* Ticks in ns given ticks_per_ns_frac() (rounded down, saturating). */
uint64_t ns_to_ticks(uint64_t ns, uint64_t frac);
/*
 * Local APIC timer arithmetic (arch/x86/apic.c), saturating so a far
 * deadline is "later" and never wraps into "now":
 * the TSC-deadline value for delta_ns after tsc_now (at least tsc_now + 1;
 * UINT64_MAX, which the TSC never reaches, when it would not fit), and
 * the one-shot initial count for delta_ns at ticks_per_ms (1..0xffffffff).
 */
static inline uint64_t tsc_deadline_after(uint64_t tsc_now, uint64_t delta_ns,
					  uint64_t frac)
{
	uint64_t ticks = ns_to_ticks(delta_ns, frac);

	if (ticks >= UINT64_MAX - tsc_now)
		return UINT64_MAX;
	return tsc_now + ticks + 1;
}

/* ticks = delta_ns * ticks_per_ms / 1e6. A rate is at most 2^32 ticks per
 * ms (the count register's width), so below 2^32 ns one 64-bit product
 * suffices; longer deltas are split in whole ms and the rest. */
static inline uint32_t apic_oneshot_count(uint64_t delta_ns,
					  uint64_t ticks_per_ms)
{
	uint64_t rate = ticks_per_ms > (1UL << 32) ? 1UL << 32 : ticks_per_ms;
	unsigned __int128 ticks;

	if (!(delta_ns >> 32))
		ticks = delta_ns * rate / 1000000;
	else
		ticks = (unsigned __int128)(delta_ns / 1000000) * rate +
			delta_ns % 1000000 * rate / 1000000;
	if (ticks > 0xffffffffU)
		return 0xffffffffU;
	return ticks ? (uint32_t)ticks : 1;
}
/* floor(((hi << 64) | lo) / d) when it fits in 64 bits (d > hi). */
uint64_t div_u128_u64(uint64_t hi, uint64_t lo, uint64_t d);

/* The CMOS RTC's time registers as read (before decoding). */
struct rtc_raw {
	uint8_t sec, min, hour, mday, mon, year;   /* registers 0,2,4,7,8,9 */
	uint8_t status_b;                           /* register 0x0b */
};

#define RTC_STATUS_B_24H     0x02   /* hours 0-23 (else 1-12 with bit 7 = PM) */
#define RTC_STATUS_B_BINARY  0x04   /* binary values (else BCD) */

/* A decoded civil date and time (UTC). */
struct civil_time {
	unsigned int year, mon, mday, hour, min, sec;   /* mon 1-12, mday 1-31 */
};

/* Decode RTC registers (years 2000-2099 assumed); false if out of range. */
bool rtc_decode(const struct rtc_raw *raw, struct civil_time *out);
/* Seconds since the epoch of a valid date from 1970 on. */
uint64_t civil_to_epoch(const struct civil_time *t);
/* True if t names a real date and time (year >= 1970). */
bool civil_time_valid(const struct civil_time *t);

#endif
