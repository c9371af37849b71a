/*
 * The scheduler's policy (common/sched_policy.c): weighted proportional
 * share with optional caps, as pure accounting over "units" (one per vCPU)
 * so it can be unit tested on the host. common/schedule.c does the
 * mechanism: switching, blocking, the time slice timer.
 *
 * Policy in short:
 *  - Every unit has a virtual time. Running ran_ns advances it by
 *    ran_ns * SCHED_VTIME_SCALE / weight, so a unit of twice the weight
 *    ages half as fast and gets twice the CPU. sched_pick runs the eligible
 *    unit with the least virtual time; ties go round robin (the first tied
 *    unit after the one picked last, in list order).
 *  - Eligible = runnable and not capped out. A unit that was not eligible
 *    (asleep, capped out) or is new never starts far behind the others:
 *    its vtime is raised to at least the run queue's floor (the least
 *    vtime of the eligible units) minus one slice's worth at its own
 *    weight. Sleeping earns at most that small latency boost.
 *  - Caps: a unit with cap c (1..99) may run c% of every cap window of
 *    SCHED_CAP_WINDOW_NS (windows are aligned on multiples of it). Once it
 *    has used that it is not picked until the window rolls over; a run that
 *    overshot (late timer) is paid back in the next window. cap 0 or >= 100
 *    means no cap and is stored as 0.
 *  - Virtual times are compared modulo 2^64 (signed difference), and all
 *    units are kept within a small distance of the floor, so wrap-around
 *    after a long uptime is harmless.
 *
 * Use by the mechanism: u = sched_pick(rq, now, &slice); run u for at most
 * slice ns (arm a timer); when it stops (slice over, blocks, yields, is
 * preempted) call sched_charge(rq, u, ran_ns, now) and pick again. If pick
 * returns NULL, halt; slice != 0 means "pick again after slice ns" (a cap
 * window ends), slice == 0 means only a wake-up can make work. After
 * sched_unit_wake, sched_wake_preempts says whether the running unit
 * should be stopped (charged) and the choice made again.
 *
 * Nothing here is locked: the caller serialises access to a run queue.
 */
#ifndef LAMINA_SCHED_POLICY_H
#define LAMINA_SCHED_POLICY_H

#include <stdint.h>
#include <stdbool.h>

#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_MIN_WEIGHT     1
#define SCHED_MAX_WEIGHT     65535
#define SCHED_SLICE_NS       (10 * 1000 * 1000ULL)   /* 10 ms */
#define SCHED_CAP_WINDOW_NS  (100 * 1000 * 1000ULL)  /* 100 ms */
/* vtime units per ns of CPU at weight 1 (> SCHED_MAX_WEIGHT, so every
 * weight advances vtime by at least 1 per ns). */
#define SCHED_VTIME_SCALE    65536ULL

struct sched_unit {
	unsigned int weight;            /* relative share, 1..65535 */
	unsigned int cap;               /* % of one CPU, 1..99; 0 = no cap */
	bool runnable;                  /* wants the CPU (not blocked / ended) */
	bool queued;                    /* on a run queue's list */
	uint64_t vtime;                 /* weighted virtual time consumed */
	uint32_t vtime_rem;             /* remainder of the last division, < weight */
	uint64_t cap_used;              /* ns used in the current cap window */
	uint64_t total_ns;              /* ns run since it started (saturates) */
	struct sched_unit *next;        /* on the run queue */
	void *owner;                    /* the vCPU */
};

struct sched_runqueue {
	struct sched_unit *units;       /* every unit, runnable or not */
	uint64_t cap_window_start;      /* system time the cap window began */
	uint64_t vtime_floor;           /* least eligible vtime seen, never falls */
	struct sched_unit *last_picked; /* round-robin point for ties, or NULL */
};

void sched_rq_init(struct sched_runqueue *rq);
/* Set up a unit (not runnable, not queued); weight and cap as in
 * sched_unit_set_params. */
void sched_unit_init(struct sched_unit *u, void *owner, unsigned int weight,
		     unsigned int cap);
/* Change a unit's weight (clamped to 1..65535) and cap (0 or >= 100 =
 * none); takes effect from its next charge / pick. */
void sched_unit_set_params(struct sched_unit *u, unsigned int weight,
			   unsigned int cap);
/* Put u on the run queue (at any time). It starts at the current floor
 * vtime with an empty cap window; its runnable flag is left as it is. A
 * unit already queued is left alone. */
void sched_unit_add(struct sched_runqueue *rq, struct sched_unit *u);
/* Take u off the run queue, also while it is the one running (the caller
 * must then stop it and pick again; charging it afterwards is harmless). */
void sched_unit_remove(struct sched_runqueue *rq, struct sched_unit *u);
/* A unit becomes runnable again (wake): it must not gain credit by sleeping. */
void sched_unit_wake(struct sched_runqueue *rq, struct sched_unit *u);
void sched_unit_sleep(struct sched_runqueue *rq, struct sched_unit *u);
/* Charge ran_ns of CPU time, ending at system time now, to u. */
void sched_charge(struct sched_runqueue *rq, struct sched_unit *u,
		  uint64_t ran_ns, uint64_t now);
/*
 * The unit to run at system time now, or NULL (idle), and in *slice how
 * long before the scheduler must be asked again (the time slice, shortened
 * so a capped unit stops at its cap and the cap window rolls over). When
 * idle, *slice is the time to the next cap window if a runnable unit is
 * capped out, else 0 (no timer needed).
 */
struct sched_unit *sched_pick(struct sched_runqueue *rq, uint64_t now,
			      uint64_t *slice);
/* Whether the just woken unit should preempt the running one (running may
 * be NULL: the CPU is idle). Decided on vtimes (running's as of its last
 * charge) and on woken being eligible now. */
bool sched_wake_preempts(const struct sched_runqueue *rq,
			 const struct sched_unit *running,
			 const struct sched_unit *woken, uint64_t now);
/* Whether u has used its cap in the cap window containing now. */
bool sched_unit_capped_out(const struct sched_runqueue *rq,
			   const struct sched_unit *u, uint64_t now);

#endif
