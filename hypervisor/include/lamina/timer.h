/*
 * Hypervisor timers (common/timer.c): callbacks run at a system time, in
 * hypervisor context with interrupts off, from the local APIC's interrupt
 * (or when the CPU next enters the hypervisor after they expire). A
 * callback must be short: mark something pending, wake a vCPU.
 */
#ifndef LAMINA_TIMER_H
#define LAMINA_TIMER_H

#include <stdint.h>
#include <stdbool.h>

struct timer {
	uint64_t expires;               /* system time, ns */
	void (*fn)(void *data);
	void *data;
	struct timer *next;             /* in the CPU's sorted list */
	bool active;
};

/* Set up t (once, where its owner is created); an armed t is stopped first. */
void timer_init(struct timer *t, void (*fn)(void *data), void *data);
/* (Re)arm t for absolute system time `expires` (ns). */
void timer_set(struct timer *t, uint64_t expires);
void timer_stop(struct timer *t);
/* Has the earliest timer's deadline passed (its interrupt still pending)? */
bool timer_due(void);
/* Run every expired timer and reprogram the hardware for the next one. */
void timers_run(void);

/* Acknowledge the interrupt being handled. */
void apic_eoi(void);

#define VECTOR_TIMER     0xf0   /* the local APIC timer */
#define VECTOR_SPURIOUS  0xff

#endif
