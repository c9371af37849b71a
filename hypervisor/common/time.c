/*
 * Time: the TSC, calibrated against the PIT at boot, is the only clock.
 * System time is nanoseconds since time_init(), computed with the same
 * mul/shift scale guests are given, so the hypervisor's timers and the
 * guests' clocks agree exactly. The wall clock is read once from the CMOS
 * RTC and published as the wall time at system time 0, as Xen does.
 */
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/time.h>
#include <lamina/time_math.h>
#include <pv/xen.h>
#include <asm/cpu.h>

/* PIT: channel 2 is gated by port 0x61 bit 0; its output reads at bit 5. */
#define PIT_HZ               1193182UL
#define PIT_CH2_DATA         0x42
#define PIT_MODE             0x43
#define PIT_MODE_CH2_ONESHOT 0xb0   /* channel 2, lo/hi byte, mode 0, binary */
#define PORT_B               0x61
#define PORT_B_GATE2         0x01
#define PORT_B_SPEAKER       0x02
#define PORT_B_OUT2          0x20
#define CALIBRATE_MS         50
#define CALIBRATE_TRIES      5
#define CALIBRATE_MAX_POLLS  50000000UL

/* CMOS RTC registers. */
#define CMOS_INDEX           0x70
#define CMOS_DATA            0x71
#define RTC_REG_STATUS_A     0x0a
#define RTC_REG_STATUS_B     0x0b
#define RTC_STATUS_A_UIP     0x80   /* update in progress */

static uint64_t boot_tsc;               /* TSC at system time 0 */
static uint64_t tsc_hz;
static uint64_t tsc_ticks_per_ns;       /* fixed point, for ns_to_tsc */
static struct time_scale tsc_scale;     /* ticks -> ns, as guests use it */
static uint64_t boot_wall_ns;           /* wall time at system time 0 */

/* Keep the compiler from moving memory accesses across this point; on
 * x86 stores are not reordered with stores, so this is also the wmb the
 * version protocols need. */
static inline void write_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/*
 * Count TSC ticks while PIT channel 2 counts `pit_ticks` down in one-shot
 * mode: its output goes high at terminal count. 0 if it never did.
 */
static uint64_t tsc_ticks_during_pit(uint16_t pit_ticks)
{
	uint8_t b = inb(PORT_B);

	/* Gate high, speaker off; the count starts once it is written. */
	outb(PORT_B, (b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2_DATA, pit_ticks & 0xff);
	outb(PIT_CH2_DATA, pit_ticks >> 8);
	uint64_t start = rdtsc();

	for (uint64_t polls = 0; polls < CALIBRATE_MAX_POLLS; polls++)
		if (inb(PORT_B) & PORT_B_OUT2) {
			uint64_t end = rdtsc();

			outb(PORT_B, b & ~PORT_B_GATE2);
			return end - start;
		}
	outb(PORT_B, b & ~PORT_B_GATE2);
	return 0;
}

/* A measured frequency worth believing: 10 MHz .. 100 GHz. */
static bool plausible_hz(uint64_t hz)
{
	return hz >= 10000000UL && hz <= 100000000000UL;
}

/*
 * Measure the TSC against ~50 ms of PIT time until two consecutive tries
 * agree within 0.1% (a host hiccup or an SMI inflates one try); return
 * the lower of the two (delays only ever add ticks). 0 on failure.
 */
static uint64_t calibrate_tsc_with_pit(void)
{
	const uint16_t pit_ticks = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t prev = 0;

	for (int i = 0; i < CALIBRATE_TRIES; i++) {
		uint64_t ticks = tsc_ticks_during_pit(pit_ticks);
		uint64_t hz = ticks * PIT_HZ / pit_ticks;

		if (!ticks || !plausible_hz(hz))
			continue;
		if (prev) {
			uint64_t lo = hz < prev ? hz : prev;
			uint64_t diff = hz < prev ? prev - hz : hz - prev;

			if (diff <= lo / 1000)
				return lo;
		}
		prev = hz;
	}
	return prev;    /* no agreement: the last plausible try, if any */
}

/* CPUID leaf 0x16 base frequency (MHz), if the CPU reports one. */
static uint64_t tsc_hz_from_cpuid(void)
{
	uint32_t a, b, c, d;

	cpuid_count(0, 0, &a, &b, &c, &d);
	if (a < 0x16)
		return 0;
	cpuid_count(0x16, 0, &a, &b, &c, &d);
	return (uint64_t)(a & 0xffff) * 1000000UL;
}

/* Does this CPU say its TSC runs at a constant rate (invariant TSC)? */
static bool tsc_is_invariant(void)
{
	uint32_t a, b, c, d;

	cpuid_count(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000007)
		return false;
	cpuid_count(0x80000007, 0, &a, &b, &c, &d);
	return d & (1u << 8);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* The RTC's time registers, read while no update is in progress. */
static void rtc_read_raw(struct rtc_raw *r)
{
	for (unsigned long spins = 0; spins < 10000000UL; spins++)
		if (!(cmos_read(RTC_REG_STATUS_A) & RTC_STATUS_A_UIP))
			break;
	r->sec = cmos_read(0x00);
	r->min = cmos_read(0x02);
	r->hour = cmos_read(0x04);
	r->mday = cmos_read(0x07);
	r->mon = cmos_read(0x08);
	r->year = cmos_read(0x09);
	r->status_b = cmos_read(RTC_REG_STATUS_B);
}

static bool rtc_raw_equal(const struct rtc_raw *a, const struct rtc_raw *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour &&
	       a->mday == b->mday && a->mon == b->mon && a->year == b->year &&
	       a->status_b == b->status_b;
}

/*
 * Read the RTC twice until two reads agree (an update may slip in between
 * the UIP check and the reads) and turn it into seconds since the epoch.
 * 0 if the RTC holds nonsense.
 */
static uint64_t rtc_read_epoch(void)
{
	struct rtc_raw a, b;
	struct civil_time t;

	rtc_read_raw(&a);
	for (int i = 0; i < 5; i++) {
		rtc_read_raw(&b);
		if (rtc_raw_equal(&a, &b))
			break;
		a = b;
	}
	if (!rtc_decode(&a, &t))
		return 0;
	printk("RTC: %04u-%02u-%02u %02u:%02u:%02u UTC\n", t.year, t.mon,
	       t.mday, t.hour, t.min, t.sec);
	return civil_to_epoch(&t);
}

/* Take hz as the TSC rate: the guest scale and both conversions. */
static void set_tsc_rate(uint64_t hz)
{
	tsc_hz = hz;
	tsc_ticks_per_ns = ticks_per_ns_frac(hz);
	time_scale_for_hz(hz, &tsc_scale);
}

void time_init(void)
{
	boot_tsc = rdtsc();
	uint64_t hz = calibrate_tsc_with_pit();
	const char *how = "PIT";

	if (!hz) {
		hz = tsc_hz_from_cpuid();
		how = "CPUID 0x16";
	}
	if (!plausible_hz(hz)) {
		hz = 1000000000UL;
		how = "a guess: PIT and CPUID gave nothing";
	}
	set_tsc_rate(hz);
	printk("TSC: %lu.%03lu MHz (%s), scale mul %#x shift %d%s\n",
	       hz / 1000000, hz / 1000 % 1000, how, tsc_scale.mul,
	       tsc_scale.shift, tsc_is_invariant() ? ", invariant" : "");

	uint64_t wall = rtc_read_epoch();
	uint64_t t = now();

	if (!wall)
		printk("RTC: unreadable; wall clock starts at the epoch\n");
	boot_wall_ns = wall * NSEC_PER_SEC > t ? wall * NSEC_PER_SEC - t : 0;
}

uint64_t now(void)
{
	return time_scale_apply(rdtsc() - boot_tsc, &tsc_scale);
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	return time_scale_apply(tsc, &tsc_scale);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return ns_to_ticks(ns, tsc_ticks_per_ns);
}

uint64_t tsc_ticks_per_ns_frac(void)
{
	return tsc_ticks_per_ns;
}

uint64_t tsc_khz(void)
{
	return tsc_hz / 1000;
}

/*
 * Xen's version protocol: the version is odd while the fields change, so
 * a reader that sees an odd version, or different versions before and
 * after reading, reads again. tsc_timestamp and system_time are one
 * consistent sample: system_time is exactly now() at that TSC value.
 */
void update_vcpu_system_time(struct vcpu *v)
{
	volatile struct vcpu_time_info *t = &v->vcpu_info->time;
	uint32_t version = (t->version + 1) | 1;
	uint64_t tsc = rdtsc();

	if (v->domain->shared_info && !v->domain->shared_info->wc_version)
		update_domain_wallclock_time(v->domain);   /* first publication */

	t->version = version;
	write_barrier();
	t->tsc_timestamp = tsc;
	t->system_time = time_scale_apply(tsc - boot_tsc, &tsc_scale);
	t->tsc_to_system_mul = tsc_scale.mul;
	t->tsc_shift = tsc_scale.shift;
	/*
	 * One physical CPU and one TSC: every vCPU's clock comes from the same
	 * counter and scale, so guests may skip cross-vCPU monotonicity checks.
	 */
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	write_barrier();
	t->version = version + 1;
}

/* The wall time at system time 0, under the same odd/even protocol. */
void update_domain_wallclock_time(struct domain *d)
{
	volatile struct shared_info *s = d->shared_info;
	uint64_t sec = boot_wall_ns / NSEC_PER_SEC;
	uint32_t version = (s->wc_version + 1) | 1;

	s->wc_version = version;
	write_barrier();
	s->wc_sec = (uint32_t)sec;
	s->wc_sec_hi = (uint32_t)(sec >> 32);
	s->wc_nsec = (uint32_t)(boot_wall_ns % NSEC_PER_SEC);
	write_barrier();
	s->wc_version = version + 1;
}
