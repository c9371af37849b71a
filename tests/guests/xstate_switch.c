/*
 * xstate_switch: run beside other domains, each its own XCR0 and vector
 * registers, and yield often; nothing of another domain's extended state
 * may show. Arguments:
 *
 *   xcr0=<n>     3 (x87|SSE: xmm only, AVX must stay #UD), 7 (with AVX),
 *                or 0 (never touch CR4.OSXSAVE or xsetbv: a legacy kernel)
 *   seed=<n>     what the register patterns are made from
 *   rounds=<n>   yields (default 300)
 */
#include <libpv/string.h>
#include "mdlib.h"

#define X86_CR4_OSXSAVE (1UL << 18)

static unsigned long pattern[4][4] __attribute__((aligned(32)));
static unsigned long seen[4][4] __attribute__((aligned(32)));

static unsigned long xgetbv0(void)
{
	unsigned int a, d;

	asm volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return ((unsigned long)d << 32) | a;
}

static void load_regs(bool ymm)
{
	if (ymm)
		asm volatile("vmovdqu 0(%0), %%ymm0\n\tvmovdqu 32(%0), %%ymm1\n\t"
			     "vmovdqu 64(%0), %%ymm2\n\tvmovdqu 96(%0), %%ymm15"
			     : : "r"(pattern) : "memory");
	else
		asm volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 32(%0), %%xmm1\n\t"
			     "movdqu 64(%0), %%xmm2\n\tmovdqu 96(%0), %%xmm15"
			     : : "r"(pattern) : "memory");
}

static void store_regs(bool ymm)
{
	memset(seen, 0, sizeof(seen));
	if (ymm)
		asm volatile("vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\t"
			     "vmovdqu %%ymm2, 64(%0)\n\tvmovdqu %%ymm15, 96(%0)"
			     : : "r"(seen) : "memory");
	else
		asm volatile("movdqu %%xmm0, 0(%0)\n\tmovdqu %%xmm1, 32(%0)\n\t"
			     "movdqu %%xmm2, 64(%0)\n\tmovdqu %%xmm15, 96(%0)"
			     : : "r"(seen) : "memory");
}

static bool regs_match(bool ymm)
{
	for (unsigned int i = 0; i < 4; i++)
		for (unsigned int j = 0; j < (ymm ? 4u : 2u); j++)
			if (seen[i][j] != pattern[i][j])
				return false;
	return true;
}

void kernel_main(start_info_t *si)
{
	unsigned long xcr0 = md_arg("xcr0", 7), seed = md_arg("seed", 1);
	unsigned long rounds = md_arg("rounds", 300), bad_regs = 0, bad_xcr0 = 0;
	bool ymm = xcr0 == 7;

	(void)si;
	md_init();
	probe_catch(PV_TRAP_UD);
	probe_catch(PV_TRAP_GP);
	for (unsigned int i = 0; i < 4; i++)
		for (unsigned int j = 0; j < 4; j++)
			pattern[i][j] = seed * 0x0101010101010101UL + i * 4 + j;
	if (xcr0) {
		unsigned long a = 0, c = 0, d = 0;
		PROBE_RW("mov %%cr4, %%rax", a, c, d);
		PROBE("mov %%rax, %%cr4", a | X86_CR4_OSXSAVE, 0, 0);
		PROBE("xsetbv", xcr0, 0, 0);
		if (!test_check(!probe_seen.hits, "xsetbv", "%s",
				pv_trap_name(probe_seen.vector)))
			test_finish();
	}
	pv_printf("xstate_switch: xcr0 %#lx seed %lu, %lu rounds\n",
		  xgetbv0(), seed, rounds);
	for (unsigned long r = 0; r < rounds; r++) {
		load_regs(ymm);
		md_yield();
		for (volatile int spin = 0; spin < 2000; spin++)
			;
		md_yield();
		store_regs(ymm);
		if (!regs_match(ymm))
			bad_regs++;
		if (xgetbv0() != (xcr0 ? xcr0 : 3))
			bad_xcr0++;
	}
	test_check(bad_regs == 0, ymm ? "ymm_kept" : "xmm_kept",
		   "%lu of %lu rounds saw other values (%lx, want %lx)",
		   bad_regs, rounds, seen[0][ymm ? 3 : 1], pattern[0][ymm ? 3 : 1]);
	test_check(bad_xcr0 == 0, "xcr0_kept", "%lu rounds saw xcr0 %#lx",
		   bad_xcr0, xgetbv0());
	if (!ymm) {
		/* Another domain's XCR0 never leaks in: AVX stays #UD. */
		unsigned long at = PROBE("vmovdqu %%ymm0, (%%rax)", seen, 0, 0);
		expect_fault("avx_still_ud", at, PV_TRAP_UD, ~0UL);
	}
	test_finish();
}
