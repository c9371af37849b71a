/*
 * Local APIC, xAPIC mode through its MMIO page. The timer runs in
 * TSC-deadline mode when the CPU has it (the deadline is a TSC value, no
 * calibration needed), else in one-shot mode with the APIC's tick rate
 * measured against the TSC at boot.
 */
#include <lamina/arch.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/mm.h>
#include <lamina/time.h>
#include <lamina/time_math.h>
#include <lamina/timer.h>
#include <asm/apic.h>
#include <asm/cpu.h>

#define MSR_APIC_BASE      0x1b
#define MSR_TSC_DEADLINE   0x6e0
#define APIC_EOI           0xb0
#define APIC_SVR           0xf0
#define APIC_LVT_TIMER     0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE  0x3e0
#define LVT_MASKED         (1u << 16)
#define LVT_TSC_DEADLINE   (2u << 17)

static volatile uint32_t *apic;
static bool tsc_deadline;
static uint64_t apic_ticks_per_ms;

static uint32_t apic_read(unsigned int reg)
{
	return apic[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t v)
{
	apic[reg / 4] = v;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/* Ticks of the one-shot timer (divide by 16) per millisecond, via the TSC. */
static void calibrate_apic_timer(void)
{
	apic_write(APIC_TIMER_DIVIDE, 0x3);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	apic_write(APIC_TIMER_INITIAL, 0xffffffff);
	uint64_t start = rdtsc(), span = ns_to_tsc(10 * 1000 * 1000);
	while (rdtsc() - start < span)
		;
	uint32_t elapsed = 0xffffffff - apic_read(APIC_TIMER_CURRENT);
	apic_write(APIC_TIMER_INITIAL, 0);
	apic_ticks_per_ms = elapsed / 10 ? elapsed / 10 : 1;
}

void arch_timer_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base = rdmsr(MSR_APIC_BASE);

	apic = paging_map_mmio(base & 0xfffff000, PAGE_SIZE);
	wrmsr(MSR_APIC_BASE, base | (1u << 11));        /* global enable */
	apic_write(APIC_SVR, 0x100 | VECTOR_SPURIOUS);  /* software enable */
	cpuid_count(1, 0, &a, &b, &c, &d);
	tsc_deadline = c & (1u << 24);
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VECTOR_TIMER);
		printk("apic: timer in TSC-deadline mode\n");
	} else {
		calibrate_apic_timer();
		apic_write(APIC_LVT_TIMER, VECTOR_TIMER);
		printk("apic: timer one-shot, %lu ticks/ms\n", apic_ticks_per_ms);
	}
}

void arch_timer_program(uint64_t when)
{
	uint64_t t = now();
	uint64_t delta = when > t ? when - t : 0;

	/* Saturating (time_math.c): a far deadline must not wrap to "now". */
	if (tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, tsc_deadline_after(rdtsc(), delta,
							   tsc_ticks_per_ns_frac()));
		return;
	}
	apic_write(APIC_TIMER_INITIAL, apic_oneshot_count(delta, apic_ticks_per_ms));
}

void arch_timer_stop(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		apic_write(APIC_TIMER_INITIAL, 0);
}
