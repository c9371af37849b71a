/*
 * XSAVE for guests. When the CPU has XSAVE the hypervisor turns
 * CR4.OSXSAVE on at boot (its own code never touches FPU or vector
 * registers) and runs every vCPU with the XCR0 it chose through the
 * emulated xsetbv, x87|SSE until then. The scheduler then switches vCPU
 * state with xsave64/xrstor64 in the standard (uncompacted) format, which
 * for x87|SSE is the fxsave image plus a header. Guests may enable x87,
 * SSE and AVX (YMM); larger components (AVX-512, AMX, ...) stay hidden so
 * the per-vCPU area stays XSTATE_AREA_SIZE bytes.
 */
#include <lamina/console.h>
#include <lamina/lib.h>
#include <asm/cpu.h>
#include <asm/xstate.h>

#define CPUID1_ECX_XSAVE (1u << 26)

bool xstate_enabled;
uint64_t xstate_guest_mask;
static uint64_t cpu_xcr0;              /* what XCR0 holds (one CPU) */

static inline void xsetbv(uint32_t reg, uint64_t val)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)val),
			 "d"((uint32_t)(val >> 32)));
}

void xstate_init(void)
{
	uint32_t a, b, c, d, max;

	cpuid_count(0, 0, &max, &b, &c, &d);
	cpuid_count(1, 0, &a, &b, &c, &d);
	if (max < 0xd || !(c & CPUID1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	xsetbv(0, XSTATE_LEGACY);
	cpu_xcr0 = XSTATE_LEGACY;
	xstate_enabled = true;

	cpuid_count(0xd, 0, &a, &b, &c, &d);
	xstate_guest_mask = a & XSTATE_LEGACY;
	if (xstate_guest_mask != XSTATE_LEGACY) {
		xstate_guest_mask = 0;
		return;
	}
	/* YMM only where its standard offset fits the area. */
	uint32_t ymm_size, ymm_off;
	cpuid_count(0xd, 2, &ymm_size, &ymm_off, &c, &d);
	if ((a & XSTATE_YMM) && ymm_off == XSTATE_YMM_OFFSET &&
	    ymm_off + ymm_size <= XSTATE_AREA_SIZE)
		xstate_guest_mask |= XSTATE_YMM;
	printk("XSAVE on; guests may enable XCR0 %#lx\n", xstate_guest_mask);
}

void xstate_load_xcr0(uint64_t xcr0)
{
	if (xcr0 != cpu_xcr0) {
		xsetbv(0, xcr0);
		cpu_xcr0 = xcr0;
	}
}

void xstate_save(uint8_t *area, uint64_t xcr0)
{
	xcr0 = xcr0 ? xcr0 : XSTATE_LEGACY;
	if (!xstate_enabled) {
		__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t (*)[512])area));
		return;
	}
	__asm__ volatile("xsave64 %0"
			 : "=m"(*(uint8_t (*)[XSTATE_AREA_SIZE])area)
			 : "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
}

void xstate_restore(const uint8_t *area, uint64_t xcr0)
{
	xcr0 = xcr0 ? xcr0 : XSTATE_LEGACY;
	if (!xstate_enabled) {
		__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t (*)[512])area));
		return;
	}
	xstate_load_xcr0(xcr0);
	__asm__ volatile("xrstor64 %0"
			 : : "m"(*(const uint8_t (*)[XSTATE_AREA_SIZE])area),
			 "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
}

/* xsetbv's rules: x87 always on, AVX only with SSE, nothing unoffered. */
bool xstate_guest_xcr0_ok(uint64_t xcr0)
{
	if (!xstate_guest_mask || (xcr0 & ~xstate_guest_mask))
		return false;
	if (!(xcr0 & XSTATE_X87))
		return false;
	if ((xcr0 & XSTATE_YMM) && !(xcr0 & XSTATE_SSE))
		return false;
	return true;
}
