/*
 * Scheduling policy: weighted proportional share by virtual time, with
 * caps per cap window. Pure accounting; see lamina/sched_policy.h for the
 * rules and how the mechanism (common/schedule.c) drives it.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "lamina/lib.h"
#include "lamina/sched_policy.h"

/* Largest ran_ns one charge turns into vtime (about 4.9 hours): keeps
 * ran_ns * SCALE below 2^61, far inside the signed comparison range. */
#define MAX_CHARGE_NS (1ULL << 44)

/* Whether vtime a is before b, modulo 2^64. */
static bool vtime_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* Clamp a configured weight into 1..65535. */
static unsigned int clamp_weight(unsigned int weight)
{
	if (weight < SCHED_MIN_WEIGHT)
		return SCHED_MIN_WEIGHT;
	if (weight > SCHED_MAX_WEIGHT)
		return SCHED_MAX_WEIGHT;
	return weight;
}

/* A configured cap as stored: 0 (none) unless 1..99. */
static unsigned int normalise_cap(unsigned int cap)
{
	return cap >= 100 ? 0 : cap;
}

/* ns u may run per cap window (only meaningful when u->cap != 0). */
static uint64_t cap_limit_ns(const struct sched_unit *u)
{
	return SCHED_CAP_WINDOW_NS / 100 * u->cap;
}

/* Whether u has used all of its cap in the current window. */
static bool used_up_cap(const struct sched_unit *u)
{
	return u->cap != 0 && u->cap_used >= cap_limit_ns(u);
}

/* Whether pick may choose u now (window already rolled). */
static bool eligible(const struct sched_unit *u)
{
	return u->runnable && !used_up_cap(u);
}

/* One slice of CPU at u's weight, in vtime: the most a sleeper or a
 * newcomer may sit below the floor. */
static uint64_t wake_boost(const struct sched_unit *u)
{
	return SCHED_SLICE_NS * SCHED_VTIME_SCALE / u->weight;
}

/* Raise u's vtime to at least floor minus its wake boost. */
static void lift_to_floor(struct sched_unit *u, uint64_t floor)
{
	uint64_t lowest = floor - wake_boost(u);

	if (vtime_before(u->vtime, lowest))
		u->vtime = lowest;
}

/* vtime for ran_ns at u's weight, carrying the division's remainder in
 * u->vtime_rem so many short charges add up exactly. */
static uint64_t vtime_delta(struct sched_unit *u, uint64_t ran_ns)
{
	uint64_t w = u->weight;
	uint64_t part;

	if (ran_ns > MAX_CHARGE_NS)
		ran_ns = MAX_CHARGE_NS;
	if (u->vtime_rem >= w)              /* weight lowered since */
		u->vtime_rem = 0;
	/* (ran % w) * SCALE + rem < 2^32: no overflow. */
	part = (ran_ns % w) * SCHED_VTIME_SCALE + u->vtime_rem;
	u->vtime_rem = (uint32_t)(part % w);
	return (ran_ns / w) * SCHED_VTIME_SCALE + part / w;
}

/* Start the window containing now if the current one is over; caps are
 * refilled, less any overshoot of the window just ended. */
static void roll_cap_window(struct sched_runqueue *rq, uint64_t now)
{
	uint64_t passed;

	if (now < rq->cap_window_start)
		return;
	passed = (now - rq->cap_window_start) / SCHED_CAP_WINDOW_NS;
	if (passed == 0)
		return;
	rq->cap_window_start += passed * SCHED_CAP_WINDOW_NS;
	for (struct sched_unit *u = rq->units; u; u = u->next) {
		uint64_t limit = cap_limit_ns(u);

		if (u->cap != 0 && passed == 1 && u->cap_used > limit)
			u->cap_used -= limit;
		else
			u->cap_used = 0;
	}
}

/* Bring the floor up to the least eligible vtime (it never falls). */
static void update_floor(struct sched_runqueue *rq)
{
	bool found = false;
	uint64_t least = 0;

	for (struct sched_unit *u = rq->units; u; u = u->next) {
		if (!eligible(u))
			continue;
		if (!found || vtime_before(u->vtime, least))
			least = u->vtime;
		found = true;
	}
	if (found && vtime_before(rq->vtime_floor, least))
		rq->vtime_floor = least;
}

/* Keep units that pick skips (asleep, capped out) near the floor, so they
 * gain no credit and no vtime drifts far enough to compare wrongly. */
static void lift_ineligible(struct sched_runqueue *rq)
{
	for (struct sched_unit *u = rq->units; u; u = u->next)
		if (!eligible(u))
			lift_to_floor(u, rq->vtime_floor);
}

/* The unit after u in list order, wrapping to the head. */
static struct sched_unit *next_wrapping(struct sched_runqueue *rq,
					struct sched_unit *u)
{
	return u->next ? u->next : rq->units;
}

/* The eligible unit with the least vtime; ties go to the first one after
 * the unit picked last. */
static struct sched_unit *least_vtime_unit(struct sched_runqueue *rq)
{
	struct sched_unit *start, *best = NULL, *u;

	if (!rq->units)
		return NULL;
	start = rq->last_picked ? next_wrapping(rq, rq->last_picked)
				: rq->units;
	u = start;
	do {
		if (eligible(u) && (!best || vtime_before(u->vtime, best->vtime)))
			best = u;
		u = next_wrapping(rq, u);
	} while (u != start);
	return best;
}

/* Whether some runnable unit waits only for the cap window to roll. */
static bool any_capped_out(const struct sched_runqueue *rq)
{
	for (const struct sched_unit *u = rq->units; u; u = u->next)
		if (u->runnable && used_up_cap(u))
			return true;
	return false;
}

/* How long u may run from now: a slice, cut at its cap and, for a capped
 * unit, at the window's end so its charge falls in one window. */
static uint64_t slice_for(const struct sched_runqueue *rq,
			  const struct sched_unit *u, uint64_t now)
{
	uint64_t slice = SCHED_SLICE_NS;
	uint64_t left, window_left;

	if (u->cap == 0)
		return slice;
	left = cap_limit_ns(u) - u->cap_used;   /* > 0: u is eligible */
	window_left = rq->cap_window_start + SCHED_CAP_WINDOW_NS - now;
	if (left < slice)
		slice = left;
	if (window_left < slice)
		slice = window_left;
	return slice;
}

/* An empty run queue with the first cap window starting at time 0. */
void sched_rq_init(struct sched_runqueue *rq)
{
	rq->units = NULL;
	rq->cap_window_start = 0;
	rq->vtime_floor = 0;
	rq->last_picked = NULL;
}

/* A fresh unit: not runnable, not queued, nothing consumed. */
void sched_unit_init(struct sched_unit *u, void *owner, unsigned int weight,
		     unsigned int cap)
{
	u->runnable = false;
	u->queued = false;
	u->vtime = 0;
	u->vtime_rem = 0;
	u->cap_used = 0;
	u->total_ns = 0;
	u->next = NULL;
	u->owner = owner;
	sched_unit_set_params(u, weight, cap);
}

/* Store a new weight and cap, clamped. */
void sched_unit_set_params(struct sched_unit *u, unsigned int weight,
			   unsigned int cap)
{
	u->weight = clamp_weight(weight);
	u->cap = normalise_cap(cap);
}

/* Append u at the tail (deterministic order) at the floor's vtime. */
void sched_unit_add(struct sched_runqueue *rq, struct sched_unit *u)
{
	struct sched_unit **link = &rq->units;

	if (u->queued)
		return;
	update_floor(rq);
	while (*link)
		link = &(*link)->next;
	u->next = NULL;
	u->vtime = rq->vtime_floor;
	u->vtime_rem = 0;
	u->cap_used = 0;
	u->queued = true;
	*link = u;
}

/* Unlink u; the round-robin point moves to its predecessor so the unit
 * after it keeps its turn. */
void sched_unit_remove(struct sched_runqueue *rq, struct sched_unit *u)
{
	struct sched_unit **link = &rq->units;
	struct sched_unit *prev = NULL;

	if (!u->queued)
		return;
	update_floor(rq);
	while (*link && *link != u) {
		prev = *link;
		link = &(*link)->next;
	}
	if (!*link)
		return;
	*link = u->next;
	if (rq->last_picked == u)
		rq->last_picked = prev;
	u->next = NULL;
	u->queued = false;
}

/* Runnable again, with at most one slice of credit below the floor. */
void sched_unit_wake(struct sched_runqueue *rq, struct sched_unit *u)
{
	if (u->runnable)
		return;
	update_floor(rq);
	lift_to_floor(u, rq->vtime_floor);
	u->runnable = true;
}

/* No longer wants the CPU (blocked or ended). */
void sched_unit_sleep(struct sched_runqueue *rq, struct sched_unit *u)
{
	if (!u->runnable)
		return;
	update_floor(rq);       /* while u still counts */
	u->runnable = false;
}

/* Advance u's vtime and totals; the part of the run inside the current cap
 * window counts against its cap. */
void sched_charge(struct sched_runqueue *rq, struct sched_unit *u,
		  uint64_t ran_ns, uint64_t now)
{
	uint64_t in_window = ran_ns;

	roll_cap_window(rq, now);
	if (now >= rq->cap_window_start && now - rq->cap_window_start < in_window)
		in_window = now - rq->cap_window_start;
	u->cap_used += in_window;
	u->vtime += vtime_delta(u, ran_ns);
	u->total_ns = u->total_ns + ran_ns < u->total_ns ? UINT64_MAX
							 : u->total_ns + ran_ns;
}

/* Choose what runs next and for how long (see the header). */
struct sched_unit *sched_pick(struct sched_runqueue *rq, uint64_t now,
			      uint64_t *slice)
{
	struct sched_unit *u;

	roll_cap_window(rq, now);
	update_floor(rq);
	lift_ineligible(rq);
	u = least_vtime_unit(rq);
	if (!u) {
		*slice = any_capped_out(rq)
			 ? rq->cap_window_start + SCHED_CAP_WINDOW_NS - now : 0;
		return NULL;
	}
	rq->last_picked = u;
	*slice = slice_for(rq, u, now);
	return u;
}

/* Whether u would be capped out at now, counting a window roll that the
 * run queue has not done yet. */
bool sched_unit_capped_out(const struct sched_runqueue *rq,
			   const struct sched_unit *u, uint64_t now)
{
	uint64_t limit = cap_limit_ns(u);

	if (u->cap == 0)
		return false;
	if (now >= rq->cap_window_start + SCHED_CAP_WINDOW_NS) {
		bool next_window = now < rq->cap_window_start +
					 2 * SCHED_CAP_WINDOW_NS;
		return next_window && u->cap_used >= 2 * limit;
	}
	return u->cap_used >= limit;
}

/* Preempt when the woken unit may run and is behind the running one. */
bool sched_wake_preempts(const struct sched_runqueue *rq,
			 const struct sched_unit *running,
			 const struct sched_unit *woken, uint64_t now)
{
	if (!woken->runnable || sched_unit_capped_out(rq, woken, now))
		return false;
	if (!running)
		return true;
	return running != woken && vtime_before(woken->vtime, running->vtime);
}
