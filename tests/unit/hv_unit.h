/*
 * Tiny harness for the hypervisor's host unit tests.
 *
 * A case is `static bool name(char *why)`: it returns true on success, or
 * fills why (UNIT_WHY_MAX bytes) and returns false. RUN(name) runs it and
 * prints "PASS name" or "FAIL name: why"; unit_exit_status() is nonzero if
 * any case failed.
 */
#ifndef HV_UNIT_H
#define HV_UNIT_H

#include <stdbool.h>
#include <stdio.h>

#define UNIT_WHY_MAX 512

/* Fail the current case with a printf-style reason unless cond holds. */
#define EXPECT(cond, ...)                                              \
	do {                                                           \
		if (!(cond)) {                                         \
			snprintf(why, UNIT_WHY_MAX, __VA_ARGS__);      \
			return false;                                  \
		}                                                      \
	} while (0)

static int unit_failures;

/* Run one case and report it. */
static inline void unit_run(const char *name, bool (*fn)(char *why))
{
	char why[UNIT_WHY_MAX] = "no reason given";

	if (fn(why)) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, why);
		unit_failures++;
	}
	fflush(stdout);
}

#define RUN(fn) unit_run(#fn, fn)

/* Exit status for main(). */
static inline int unit_exit_status(void)
{
	return unit_failures ? 1 : 0;
}

/* Small deterministic PRNG (xorshift64*), so failures reproduce. */
static inline unsigned long long unit_rand(unsigned long long *state)
{
	unsigned long long x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

#endif
