/*
 * cpuid_dump: print every CPUID leaf a PV kernel sees through the
 * forced-emulation prefix, one line per leaf/subleaf, so the same binary's
 * output on Lamina and on Xen can be compared line by line
 * (docs/debugging.md). Checks only that leaf 0 and the hypervisor leaves
 * answer.
 */
#include <pv/xen.h>
#include "testlib.h"

struct regs4 { uint32_t a, b, c, d; };

static struct regs4 fep_cpuid(uint32_t leaf, uint32_t sub)
{
	struct regs4 r;

	__asm__ volatile("ud2a; .ascii \"xen\"; cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(sub));
	return r;
}

static void dump(uint32_t leaf, uint32_t sub)
{
	struct regs4 r = fep_cpuid(leaf, sub);

	pv_printf("cpuid %08x.%u: %08x %08x %08x %08x\n", leaf, sub, r.a, r.b,
		  r.c, r.d);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	struct regs4 l0 = fep_cpuid(0, 0), x0 = fep_cpuid(0x80000000, 0);
	struct regs4 h0 = fep_cpuid(0x40000000, 0);

	for (uint32_t leaf = 0; leaf <= l0.a && leaf <= 0x20; leaf++)
		for (uint32_t sub = 0; sub < ((leaf == 4 || leaf == 7 || leaf == 0xb ||
					       leaf == 0xd) ? 3 : 1); sub++)
			dump(leaf, sub);
	for (uint32_t leaf = 0x40000000; leaf <= h0.a && leaf < 0x40000010; leaf++)
		dump(leaf, 0);
	for (uint32_t leaf = 0x80000000; leaf <= x0.a && leaf < 0x80000030; leaf++)
		dump(leaf, 0);
	test_check(l0.a > 0, "leaf0_answers", "max leaf %u", l0.a);
	test_check(h0.b == 0x566e6558, "hypervisor_leaf_answers", "ebx %#x", h0.b);
	test_finish();
}
