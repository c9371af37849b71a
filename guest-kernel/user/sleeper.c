/*
 * sleeper: sleeps 100 ms while the others run (the timer wakes it even
 * though spin never yields), then waits until it is the last process and
 * sleeps 100 ms again, so that the kernel has nothing to run and blocks in
 * its idle loop. Each sleep is measured in system time; waking early is an
 * error (exit code 1).
 */
#include "ulib.h"

#define SLEEP_MS 100
#define POLL_MS  20
#define NS_PER_MS 1000000UL

/* Sleep ms and report the measured time; nonzero if it was too short. */
static int measured_sleep(const char *when)
{
	char num[24];
	unsigned long start = sys_time(), slept_ms;

	sys_sleep(SLEEP_MS);
	slept_ms = (sys_time() - start) / NS_PER_MS;
	print("sleeper: slept ");
	print(fmt_dec(num, SLEEP_MS));
	print(" ms ");
	print(when);
	print(", measured ");
	print(fmt_dec(num, slept_ms));
	print(slept_ms >= SLEEP_MS ? " ms\n" : " ms: too early\n");
	return slept_ms < SLEEP_MS;
}

int main(long pid)
{
	int early;

	(void)pid;
	early = measured_sleep("beside the others");
	while (sys_nprocs() > 1)
		sys_sleep(POLL_MS);
	early |= measured_sleep("alone (kernel idle)");
	return early;
}
