/*
 * yielder: a bit of work, then yield(), for a number of rounds. Started
 * after spin, it can only finish because the timer preempts spin.
 */
#include "ulib.h"

#define ROUNDS 10

int main(long pid)
{
	char num[24];
	unsigned long sum = (unsigned long)pid;

	for (unsigned long i = 1; i <= ROUNDS; i++) {
		for (unsigned long j = 0; j < 10000; j++)
			sum = sum * 31 + j;
		print("yielder: round ");
		print(fmt_dec(num, i));
		print("\n");
		sys_yield();
	}
	print("yielder: done, checksum ");
	print(fmt_hex(num, sum));
	print("\n");
	return 0;
}
