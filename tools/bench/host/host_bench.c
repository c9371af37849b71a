/*
 * bench-host: host-side figures for `make bench`'s wall-clock mode
 * (tools/bench/wallclock.py, docs/benchmarks.md). Runs on the host, not in
 * a guest.
 *
 *   bench-host syscall [runs] [iterations]
 *       Times `iterations` raw `syscall` instructions (getppid, issued by
 *       inline assembly: no libc wrapper) between two rdtsc reads, minus
 *       the same loop without the syscall, `runs` times. Prints one line
 *       per run:
 *         BENCH row=host_syscall_getppid run=<k> iters=<n> cycles_per_op=<x.y>
 *   bench-host tsc-khz [milliseconds]
 *       Calibrates the TSC against CLOCK_MONOTONIC_RAW over a busy-waited
 *       interval (default 100 ms) and prints "BENCH tsc_khz=<khz>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#define DEFAULT_RUNS        5
#define DEFAULT_ITERATIONS  100000UL
#define DEFAULT_CALIBRATE_MS 100

/* Read the TSC after every earlier instruction has completed. */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* TSC ticks for n passes of the loop with one raw getppid syscall each. */
static uint64_t time_syscalls(uint64_t n)
{
	uint64_t start = rdtsc_ordered();

	asm volatile("1: mov %[nr], %%eax\n\t"
		     "syscall\n\t"
		     "dec %[n]\n\t"
		     "jnz 1b"
		     : [n] "+r"(n)
		     : [nr] "i"(SYS_getppid)
		     : "rax", "rcx", "r11", "memory");
	return rdtsc_ordered() - start;
}

/* TSC ticks for n passes of the same loop without the syscall. */
static uint64_t time_empty(uint64_t n)
{
	uint64_t start = rdtsc_ordered();

	asm volatile("1: mov %[nr], %%eax\n\t"
		     "dec %[n]\n\t"
		     "jnz 1b"
		     : [n] "+r"(n)
		     : [nr] "i"(SYS_getppid)
		     : "rax", "memory");
	return rdtsc_ordered() - start;
}

/* Print one run's figure: (loop - empty loop) / iterations, one decimal. */
static void print_syscall_run(unsigned long run, uint64_t iterations,
			      uint64_t loop, uint64_t empty)
{
	uint64_t net = loop > empty ? loop - empty : 0;
	uint64_t tenths = (net * 10 + iterations / 2) / iterations;

	printf("BENCH row=host_syscall_getppid run=%lu iters=%lu "
	       "cycles_per_op=%lu.%lu\n", run, (unsigned long)iterations,
	       (unsigned long)(tenths / 10), (unsigned long)(tenths % 10));
}

/* The syscall round-trip measurement: one warm-up, then `runs` runs. */
static int measure_syscall(unsigned long runs, uint64_t iterations)
{
	unsigned long run;

	time_syscalls(iterations / 10 + 1);
	for (run = 1; run <= runs; run++) {
		uint64_t empty = time_empty(iterations);
		uint64_t loop = time_syscalls(iterations);

		print_syscall_run(run, iterations, loop, empty);
	}
	return 0;
}

/* Nanoseconds of CLOCK_MONOTONIC_RAW (not slewed by NTP). */
static uint64_t monotonic_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* TSC frequency in kHz: TSC ticks over a busy-waited interval of wall time. */
static int calibrate_tsc(unsigned long milliseconds)
{
	uint64_t ns0 = monotonic_raw_ns();
	uint64_t tsc0 = rdtsc_ordered();
	uint64_t ns1, tsc1;

	do {
		ns1 = monotonic_raw_ns();
	} while (ns1 - ns0 < milliseconds * 1000000ULL);
	tsc1 = rdtsc_ordered();
	ns1 = monotonic_raw_ns();
	printf("BENCH tsc_khz=%lu\n",
	       (unsigned long)((tsc1 - tsc0) * 1000000ULL / (ns1 - ns0)));
	return 0;
}

/* argv[i] as a positive number, or fallback when absent. */
static unsigned long arg_or(int argc, char **argv, int i, unsigned long fallback)
{
	unsigned long value;

	if (i >= argc)
		return fallback;
	value = strtoul(argv[i], NULL, 0);
	return value ? value : fallback;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "syscall") == 0)
		return measure_syscall(arg_or(argc, argv, 2, DEFAULT_RUNS),
				       arg_or(argc, argv, 3, DEFAULT_ITERATIONS));
	if (argc >= 2 && strcmp(argv[1], "tsc-khz") == 0)
		return calibrate_tsc(arg_or(argc, argv, 2, DEFAULT_CALIBRATE_MS));
	fprintf(stderr, "usage: %s syscall [runs] [iterations] | "
		"tsc-khz [milliseconds]\n", argv[0]);
	return 2;
}
