/*
 * Pure time arithmetic: TSC scale factors and the calendar. No hardware
 * access, no libgcc: 128-bit products use the CPU's 64x64 multiply, and
 * the one 128-by-64 division is done bit by bit (only at set-up time).
 */
#include <lamina/time_math.h>

typedef unsigned __int128 u128;

/*
 * Long division of the 128-bit value hi:lo by d, for hi < d (so the
 * quotient fits in 64 bits): one quotient bit per step, remainder kept
 * below d.
 */
uint64_t div_u128_u64(uint64_t hi, uint64_t lo, uint64_t d)
{
	uint64_t rem = hi, q = 0;

	for (int bit = 63; bit >= 0; bit--) {
		uint64_t carry = rem >> 63;

		rem = (rem << 1) | ((lo >> bit) & 1);
		q <<= 1;
		if (carry || rem >= d) {
			rem -= d;
			q |= 1;
		}
	}
	return q;
}

/* hz * 2^shift compared with limit, exactly (128-bit on both sides). */
static bool scaled_hz_above(uint64_t hz, int shift, uint64_t limit)
{
	if (shift >= 0)
		return ((u128)hz << shift) > limit;
	return hz > ((u128)limit << -shift);
}

/*
 * Pick shift so that hz * 2^shift lies in (1e9, 2e9]; then the exact
 * multiplier 1e9 * 2^32 / (hz * 2^shift) lies in [2^31, 2^32) and keeps 31
 * significant bits. Unlike a normalise-then-divide, the multiplier is
 * computed from the exact frequency and rounded to nearest, so the scale is
 * off by at most 2^-32 relative (0.24 ns per second).
 */
void time_scale_for_hz(uint64_t hz, struct time_scale *ts)
{
	int shift = 0;
	u128 num, den;

	while (scaled_hz_above(hz, shift, 2 * NSEC_PER_SEC))
		shift--;
	while (!scaled_hz_above(hz, shift, NSEC_PER_SEC))
		shift++;

	if (shift <= 0) {
		num = (u128)NSEC_PER_SEC << (32 - shift);
		den = hz;
	} else {
		num = (u128)NSEC_PER_SEC << 32;
		den = (u128)hz << shift;
	}
	num += den / 2;
	uint64_t mul = div_u128_u64((uint64_t)(num >> 64), (uint64_t)num,
				    (uint64_t)den);
	ts->mul = mul > 0xffffffffUL ? 0xffffffffU : (uint32_t)mul;
	ts->shift = (int8_t)shift;
}

/* The guest's formula: shift the delta, multiply, keep the high part. */
uint64_t time_scale_apply(uint64_t delta, const struct time_scale *ts)
{
	if (ts->shift >= 0)
		delta <<= ts->shift;
	else
		delta >>= -ts->shift;
	return (uint64_t)(((u128)delta * ts->mul) >> 32);
}

/* hz * 2^48 / 1e9: ticks per ns with 48 fraction bits (fits for hz up to
 * 2^16 GHz; the 128-bit product with any ns cannot overflow). */
uint64_t ticks_per_ns_frac(uint64_t hz)
{
	return div_u128_u64(hz >> (64 - TICKS_FRAC_BITS), hz << TICKS_FRAC_BITS,
			    NSEC_PER_SEC);
}

/* ns * frac >> 48, saturating at the largest tick count. */
uint64_t ns_to_ticks(uint64_t ns, uint64_t frac)
{
	u128 ticks = ((u128)ns * frac) >> TICKS_FRAC_BITS;

	return ticks >> 64 ? UINT64_MAX : (uint64_t)ticks;
}

/* A BCD byte (two decimal digits) as binary; -1 if a digit is not 0-9. */
static int bcd_to_bin(uint8_t v)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

/* One RTC field in the encoding status B names. */
static int rtc_field(uint8_t v, uint8_t status_b)
{
	return (status_b & RTC_STATUS_B_BINARY) ? v : bcd_to_bin(v);
}

/*
 * The hour register: in 12-hour mode bit 7 means PM and the value is
 * 1-12 (12 AM is midnight, 12 PM is noon).
 */
static int rtc_hour(uint8_t v, uint8_t status_b)
{
	if (status_b & RTC_STATUS_B_24H)
		return rtc_field(v, status_b);

	bool pm = v & 0x80;
	int h = rtc_field(v & 0x7f, status_b);

	if (h < 1 || h > 12)
		return -1;
	return h % 12 + (pm ? 12 : 0);
}

bool rtc_decode(const struct rtc_raw *raw, struct civil_time *out)
{
	int sec = rtc_field(raw->sec, raw->status_b);
	int min = rtc_field(raw->min, raw->status_b);
	int hour = rtc_hour(raw->hour, raw->status_b);
	int mday = rtc_field(raw->mday, raw->status_b);
	int mon = rtc_field(raw->mon, raw->status_b);
	int year = rtc_field(raw->year, raw->status_b);

	if (sec < 0 || min < 0 || hour < 0 || mday < 0 || mon < 0 ||
	    year < 0 || year > 99)
		return false;
	/* The century register's place is not standard: assume 20xx. */
	*out = (struct civil_time){ .year = 2000 + year, .mon = mon,
				    .mday = mday, .hour = hour, .min = min,
				    .sec = sec };
	return civil_time_valid(out);
}

/* Gregorian leap year. */
static bool is_leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in 1..y (inclusive). */
static uint64_t leap_years_through(unsigned int y)
{
	return y / 4 - y / 100 + y / 400;
}

static unsigned int days_in_month(unsigned int y, unsigned int m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30,
					  31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && is_leap(y));
}

bool civil_time_valid(const struct civil_time *t)
{
	return t->year >= 1970 && t->mon >= 1 && t->mon <= 12 &&
	       t->mday >= 1 && t->mday <= days_in_month(t->year, t->mon) &&
	       t->hour < 24 && t->min < 60 && t->sec < 60;
}

/*
 * Whole days before the year, then before the month, then before the day;
 * each day 86400 s (UTC without leap seconds, as POSIX time counts).
 */
uint64_t civil_to_epoch(const struct civil_time *t)
{
	static const uint16_t days_before_month[12] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	uint64_t days = 365 * (uint64_t)(t->year - 1970) +
			leap_years_through(t->year - 1) - leap_years_through(1969);

	days += days_before_month[t->mon - 1] + (t->mon > 2 && is_leap(t->year));
	days += t->mday - 1;
	return days * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}
