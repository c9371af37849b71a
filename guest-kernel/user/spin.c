/*
 * spin: computes forever without a system call that gives up the CPU, so
 * only the kernel's timer tick lets the others run. It reports its
 * progress at every power of two of rounds from 2^16 on; the kernel kills
 * it when its CPU limit (programs.c) is used up.
 */
#include "ulib.h"

#define FIRST_REPORT (1UL << 16)

/* One step of a 64-bit linear congruential generator: the "work". */
static unsigned long step(unsigned long x)
{
	return x * 6364136223846793005UL + 1442695040888963407UL;
}

/* "spin: <rounds> rounds, x=<hex>" */
static void report(unsigned long rounds, unsigned long x)
{
	char num[24];

	print("spin: ");
	print(fmt_dec(num, rounds));
	print(" rounds, x=");
	print(fmt_hex(num, x));
	print("\n");
}

int main(long pid)
{
	unsigned long x = (unsigned long)pid, rounds = 0, next = FIRST_REPORT;

	print("spin: computing without ever yielding\n");
	for (;;) {
		x = step(x);
		if (++rounds == next) {
			report(rounds, x);
			next <<= 1;
		}
	}
}
