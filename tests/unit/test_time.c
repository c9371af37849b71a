/*
 * Host unit tests for the time arithmetic (hypervisor/common/time_math.c):
 * the Xen-style TSC scale (mul/shift), the ns->ticks inverse, the 128-bit
 * division, RTC decoding and the date->epoch conversion.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "lamina/time_math.h"
#include "hv_unit.h"

typedef unsigned __int128 u128;

/* Exact ns for ticks of a hz clock, rounded down. */
static uint64_t exact_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)((u128)ticks * NSEC_PER_SEC / hz);
}

/* Frequencies to try: a geometric sweep over 100 MHz..10 GHz, the
 * boundaries of the shift ranges, common real clocks, and random ones. */
static size_t test_frequencies(uint64_t *out, size_t max)
{
	static const uint64_t fixed[] = {
		100000000UL, 10000000000UL, 999999999UL, 1000000000UL,
		1000000001UL, 1999999999UL, 2000000000UL, 2000000001UL,
		3999999999UL, 4000000000UL, 4000000001UL, 125000000UL,
		2893299000UL, 3192000000UL, 2400000000UL, 8000000000UL,
	};
	unsigned long long seed = 0x7153;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n < max; i++)
		out[n++] = fixed[i];
	for (double f = 1e8; f <= 1e10 && n < max; f *= 1.0371)
		out[n++] = (uint64_t)f;
	while (n < max)
		out[n++] = 100000000UL + unit_rand(&seed) % 9900000001UL;
	return n;
}

#define NR_FREQS 1000

/* mul keeps 31 significant bits and shift stays small, as guests assume. */
static bool scale_is_normalised(char *why)
{
	uint64_t f[NR_FREQS];
	size_t n = test_frequencies(f, NR_FREQS);

	for (size_t i = 0; i < n; i++) {
		struct time_scale ts;

		time_scale_for_hz(f[i], &ts);
		EXPECT(ts.mul >= 0x80000000U, "hz %lu: mul %#x below 2^31",
		       (unsigned long)f[i], ts.mul);
		EXPECT(ts.shift >= -4 && ts.shift <= 4, "hz %lu: shift %d",
		       (unsigned long)f[i], ts.shift);
	}
	return true;
}

/*
 * Over spans of 1 s to 1 day, the guest formula stays within 1 ns per
 * second of the exact time (plus 2 ns for the two truncations: the shift
 * of the delta and the final >> 32).
 */
static bool scale_within_1ns_per_second(char *why)
{
	static const uint64_t spans[] = { 1, 2, 60, 1000, 3600, 86400 };
	uint64_t f[NR_FREQS];
	size_t n = test_frequencies(f, NR_FREQS);

	for (size_t i = 0; i < n; i++) {
		struct time_scale ts;

		time_scale_for_hz(f[i], &ts);
		for (size_t s = 0; s < sizeof(spans) / sizeof(spans[0]); s++) {
			uint64_t ticks = f[i] * spans[s];
			int64_t err = (int64_t)time_scale_apply(ticks, &ts) -
				      (int64_t)(spans[s] * NSEC_PER_SEC);

			EXPECT(llabs(err) <= (long long)spans[s] + 2,
			       "hz %lu over %lu s: off by %ld ns (mul %#x shift %d)",
			       (unsigned long)f[i], (unsigned long)spans[s],
			       (long)err, ts.mul, ts.shift);
		}
	}
	return true;
}

/* Arbitrary deltas, not whole seconds, match the exact value too. */
static bool scale_matches_exact_on_random_deltas(char *why)
{
	unsigned long long seed = 42;

	for (int i = 0; i < 20000; i++) {
		uint64_t hz = 100000000UL + unit_rand(&seed) % 9900000001UL;
		uint64_t ticks = unit_rand(&seed) % (hz * 100);   /* < 100 s */
		struct time_scale ts;

		time_scale_for_hz(hz, &ts);
		int64_t err = (int64_t)time_scale_apply(ticks, &ts) -
			      (int64_t)exact_ns(ticks, hz);
		EXPECT(llabs(err) <= 102, "hz %lu ticks %lu: off by %ld",
		       (unsigned long)hz, (unsigned long)ticks, (long)err);
	}
	return true;
}

/* Known values: 1 GHz is the identity; 2 GHz halves; 100 MHz is x10. */
static bool scale_known_values(char *why)
{
	struct time_scale ts;

	time_scale_for_hz(1000000000UL, &ts);
	EXPECT(time_scale_apply(123456789, &ts) == 123456789,
	       "1 GHz: %lu", (unsigned long)time_scale_apply(123456789, &ts));
	time_scale_for_hz(2000000000UL, &ts);
	EXPECT(ts.mul == 0x80000000U && ts.shift == 0, "2 GHz: mul %#x shift %d",
	       ts.mul, ts.shift);
	EXPECT(time_scale_apply(2000000000UL, &ts) == 1000000000UL, "2 GHz, 1 s");
	time_scale_for_hz(100000000UL, &ts);
	EXPECT(time_scale_apply(100000000UL, &ts) == 1000000000UL,
	       "100 MHz, 1 s: %lu", (unsigned long)time_scale_apply(100000000UL, &ts));
	/* Monotonic: a later tick never reads as an earlier time. */
	time_scale_for_hz(2893299000UL, &ts);
	uint64_t prev = 0;
	for (uint64_t t = 0; t < 100000; t++) {
		uint64_t ns = time_scale_apply(t, &ts);

		EXPECT(ns >= prev, "not monotonic at tick %lu", (unsigned long)t);
		prev = ns;
	}
	return true;
}

/* ns -> ticks: inverse of the scale within rounding; saturates. */
static bool ns_to_ticks_inverse(char *why)
{
	uint64_t f[NR_FREQS];
	size_t n = test_frequencies(f, NR_FREQS);

	for (size_t i = 0; i < n; i++) {
		uint64_t frac = ticks_per_ns_frac(f[i]);

		for (uint64_t ns = 1; ns < 1000000000000UL; ns *= 7) {
			uint64_t want = (uint64_t)((u128)ns * f[i] / NSEC_PER_SEC);
			uint64_t got = ns_to_ticks(ns, frac);
			uint64_t diff = got > want ? got - want : want - got;

			EXPECT(diff <= 1 + want / 1000000000UL,
			       "hz %lu ns %lu: %lu ticks, want %lu",
			       (unsigned long)f[i], (unsigned long)ns,
			       (unsigned long)got, (unsigned long)want);
		}
	}
	EXPECT(ns_to_ticks(UINT64_MAX, ticks_per_ns_frac(10000000000UL)) == UINT64_MAX,
	       "no saturation");
	return true;
}

/* The bitwise 128/64 division agrees with the compiler's. */
/* TSC deadlines saturate: a far deadline never wraps round to "now". */
static bool tsc_deadline_saturates(char *why)
{
	uint64_t frac = ticks_per_ns_frac(3000000000UL);        /* 3 GHz */
	uint64_t d;

	EXPECT(tsc_deadline_after(1000, 0, frac) == 1001, "zero delta: next tick");
	EXPECT(tsc_deadline_after(1000, 1000, frac) == 1000 + 3000 + 1,
	       "1 us at 3 GHz: %lu", (unsigned long)tsc_deadline_after(1000, 1000, frac));
	EXPECT(tsc_deadline_after(1000, UINT64_MAX, frac) == UINT64_MAX, "~0 ns");
	EXPECT(tsc_deadline_after(UINT64_MAX - 5, 1000, frac) == UINT64_MAX,
	       "TSC near its end");
	EXPECT(tsc_deadline_after(UINT64_MAX, 0, frac) == UINT64_MAX, "TSC at its end");
	/* Every delta from 1 s to ~0, at a large TSC: monotone, never below now. */
	uint64_t prev = 0, tsc = 1UL << 62;
	for (uint64_t delta = NSEC_PER_SEC; ; delta = delta * 3 + 7) {
		d = tsc_deadline_after(tsc, delta, frac);
		EXPECT(d > tsc && d >= prev, "delta %lu: %lu after %lu",
		       (unsigned long)delta, (unsigned long)d, (unsigned long)prev);
		prev = d;
		if (delta > UINT64_MAX / 4)
			break;
	}
	EXPECT(prev == UINT64_MAX, "the largest deltas saturate");
	return true;
}

/* One-shot counts: at least 1, at most 32 bits, exact in between. */
static bool apic_count_saturates(char *why)
{
	static const uint64_t rates[] = { 1, 62500, 1000000, 0xffffffffUL,
					  1UL << 40, UINT64_MAX };

	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		uint64_t rate = rates[r];

		EXPECT(apic_oneshot_count(0, rate) == 1, "rate %lu: 0 ns", (unsigned long)rate);
		EXPECT(apic_oneshot_count(UINT64_MAX, rate) == 0xffffffffU,
		       "rate %lu: ~0 ns", (unsigned long)rate);
		/* 3 days and beyond: delta * rate overflowed 64 bits before. */
		for (uint64_t days = 1; days < 1000000; days *= 7) {
			uint64_t ns = days * 86400UL * NSEC_PER_SEC;
			u128 want = (u128)ns * (rate > (1UL << 32) ? 1UL << 32 : rate) / 1000000;
			uint32_t got = apic_oneshot_count(ns, rate);

			if (want > 0xffffffffU)
				want = 0xffffffffU;
			if (want == 0)
				want = 1;
			EXPECT(got == want, "rate %lu, %lu days: %u, want %lu",
			       (unsigned long)rate, (unsigned long)days, got,
			       (unsigned long)want);
		}
	}
	EXPECT(apic_oneshot_count(1500000, 62500) == 93750, "1.5 ms");
	EXPECT(apic_oneshot_count(10, 62500) == 1, "sub-tick rounds up to 1");
	return true;
}

static bool div_u128_matches(char *why)
{
	unsigned long long seed = 99;

	for (int i = 0; i < 100000; i++) {
		uint64_t d = unit_rand(&seed) | 1;
		uint64_t hi = unit_rand(&seed) % d;
		uint64_t lo = unit_rand(&seed);
		u128 num;

		if (i % 3 == 0)
			d >>= unit_rand(&seed) % 63, d |= 1, hi %= d;
		num = ((u128)hi << 64) | lo;
		EXPECT(div_u128_u64(hi, lo, d) == (uint64_t)(num / d),
		       "%lx:%lx / %lx", (unsigned long)hi, (unsigned long)lo,
		       (unsigned long)d);
	}
	return true;
}

static struct civil_time civil(unsigned y, unsigned mo, unsigned d,
			       unsigned h, unsigned mi, unsigned s)
{
	return (struct civil_time){ y, mo, d, h, mi, s };
}

/* Dates with well-known epoch values, leap days and century rules. */
static bool epoch_known_dates(char *why)
{
	static const struct { struct civil_time t; uint64_t epoch; } cases[] = {
		{ { 1970, 1, 1, 0, 0, 0 }, 0 },
		{ { 1999, 12, 31, 23, 59, 59 }, 946684799 },
		{ { 2000, 1, 1, 0, 0, 0 }, 946684800 },
		{ { 2000, 2, 29, 12, 0, 0 }, 951825600 },
		{ { 2024, 2, 29, 0, 0, 0 }, 1709164800 },
		{ { 2024, 12, 31, 0, 0, 0 }, 1735603200 },
		{ { 2038, 1, 19, 3, 14, 7 }, 2147483647 },
		{ { 2099, 12, 31, 23, 59, 59 }, 4102444799UL },
		{ { 2100, 3, 1, 0, 0, 0 }, 4107542400UL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = civil_to_epoch(&cases[i].t);

		EXPECT(got == cases[i].epoch, "%u-%u-%u: %lu, want %lu",
		       cases[i].t.year, cases[i].t.mon, cases[i].t.mday,
		       (unsigned long)got, (unsigned long)cases[i].epoch);
	}
	return true;
}

/* Every day from 1970 to 2200 agrees with the C library's timegm(). */
static bool epoch_matches_timegm(char *why)
{
	for (unsigned y = 1970; y < 2200; y++)
		for (unsigned m = 1; m <= 12; m++)
			for (unsigned d = 1; d <= 31; d++) {
				struct civil_time t = civil(y, m, d, 13, 7, 42);
				struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1,
						 .tm_mday = d, .tm_hour = 13,
						 .tm_min = 7, .tm_sec = 42 };

				if (!civil_time_valid(&t))
					continue;
				uint64_t want = (uint64_t)timegm(&tm);
				EXPECT(civil_to_epoch(&t) == want, "%u-%u-%u", y, m, d);
			}
	return true;
}

/* Leap years: divisible by 4, except centuries not divisible by 400. */
static bool leap_days_validated(char *why)
{
	struct civil_time t;

	t = civil(2000, 2, 29, 0, 0, 0);
	EXPECT(civil_time_valid(&t), "2000-02-29 refused");
	t = civil(2024, 2, 29, 0, 0, 0);
	EXPECT(civil_time_valid(&t), "2024-02-29 refused");
	t = civil(2023, 2, 29, 0, 0, 0);
	EXPECT(!civil_time_valid(&t), "2023-02-29 accepted");
	t = civil(2100, 2, 29, 0, 0, 0);
	EXPECT(!civil_time_valid(&t), "2100-02-29 accepted");
	t = civil(2024, 4, 31, 0, 0, 0);
	EXPECT(!civil_time_valid(&t), "April 31 accepted");
	t = civil(2024, 13, 1, 0, 0, 0);
	EXPECT(!civil_time_valid(&t), "month 13 accepted");
	t = civil(2024, 1, 0, 0, 0, 0);
	EXPECT(!civil_time_valid(&t), "day 0 accepted");
	t = civil(2024, 1, 1, 24, 0, 0);
	EXPECT(!civil_time_valid(&t), "hour 24 accepted");
	return true;
}

/* BCD and binary encodings, 24- and 12-hour clocks, bad values. */
static bool rtc_decoding(char *why)
{
	struct civil_time t;
	/* 2024-03-09 23:59:58, BCD, 24 h */
	struct rtc_raw bcd24 = { 0x58, 0x59, 0x23, 0x09, 0x03, 0x24, RTC_STATUS_B_24H };
	/* the same, binary, 12 h: 11 PM */
	struct rtc_raw bin12 = { 58, 59, 0x80 | 11, 9, 3, 24, RTC_STATUS_B_BINARY };

	EXPECT(rtc_decode(&bcd24, &t), "BCD 24h refused");
	EXPECT(t.year == 2024 && t.mon == 3 && t.mday == 9 && t.hour == 23 &&
	       t.min == 59 && t.sec == 58, "BCD 24h decoded wrong (h %u)", t.hour);
	EXPECT(civil_to_epoch(&t) == 1710028798UL, "BCD 24h epoch %lu",
	       (unsigned long)civil_to_epoch(&t));
	EXPECT(rtc_decode(&bin12, &t) && t.hour == 23, "binary 12h PM: hour %u", t.hour);

	struct rtc_raw midnight = { 0, 0, 0x12, 1, 1, 0x25, 0 };      /* 12 AM, BCD */
	struct rtc_raw noon = { 0, 0, 0x80 | 0x12, 1, 1, 0x25, 0 };   /* 12 PM, BCD */
	struct rtc_raw one_pm = { 0, 0, 0x80 | 0x01, 1, 1, 0x25, 0 };
	EXPECT(rtc_decode(&midnight, &t) && t.hour == 0, "12 AM -> %u", t.hour);
	EXPECT(rtc_decode(&noon, &t) && t.hour == 12, "12 PM -> %u", t.hour);
	EXPECT(rtc_decode(&one_pm, &t) && t.hour == 13, "1 PM -> %u", t.hour);

	struct rtc_raw bad_bcd = { 0x5a, 0, 0, 1, 1, 0x25, RTC_STATUS_B_24H };
	struct rtc_raw bad_hour12 = { 0, 0, 0x13, 1, 1, 0x25, 0 };
	struct rtc_raw bad_date = { 0, 0, 0, 0x30, 0x02, 0x25, RTC_STATUS_B_24H };
	EXPECT(!rtc_decode(&bad_bcd, &t), "BCD digit 0xa accepted");
	EXPECT(!rtc_decode(&bad_hour12, &t), "12-hour clock hour 13 accepted");
	EXPECT(!rtc_decode(&bad_date, &t), "February 30 accepted");
	return true;
}

int main(void)
{
	RUN(scale_is_normalised);
	RUN(scale_within_1ns_per_second);
	RUN(scale_matches_exact_on_random_deltas);
	RUN(scale_known_values);
	RUN(ns_to_ticks_inverse);
	RUN(div_u128_matches);
	RUN(tsc_deadline_saturates);
	RUN(apic_count_saturates);
	RUN(epoch_known_dates);
	RUN(epoch_matches_timegm);
	RUN(leap_days_validated);
	RUN(rtc_decoding);
	return unit_exit_status();
}
