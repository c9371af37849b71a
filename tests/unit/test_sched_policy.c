/*
 * Host unit tests for the scheduling policy (hypervisor/common/sched_policy.c):
 * a small simulator plays the mechanism's part (pick, run for the slice,
 * charge) over simulated time and the tests check shares, caps, wake-ups,
 * starvation and determinism.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/sched_policy.h"
#include "hv_unit.h"

#define MS (1000 * 1000ULL)
#define SEC (1000 * MS)
#define MAX_UNITS 8

/* The simulated CPU: a run queue, its units, the clock and a pick trace. */
struct sim {
	struct sched_runqueue rq;
	struct sched_unit units[MAX_UNITS];
	uint64_t now;
	uint64_t idle_ns;
	uint64_t last_run_end[MAX_UNITS];   /* when each unit last ran */
	uint64_t max_wait[MAX_UNITS];       /* longest wait while runnable */
	uint64_t trace_hash;                /* of every (unit, run) choice */
	unsigned int picks;
};

/* A simulator with n units of the given weights and caps, all runnable,
 * and the clock at start. */
static void sim_init(struct sim *s, unsigned int n, const unsigned int *weights,
		     const unsigned int *caps, uint64_t start)
{
	memset(s, 0, sizeof(*s));
	sched_rq_init(&s->rq);
	s->now = start;
	for (unsigned int i = 0; i < n; i++) {
		sched_unit_init(&s->units[i], (void *)(uintptr_t)(i + 1),
				weights[i], caps ? caps[i] : 0);
		sched_unit_add(&s->rq, &s->units[i]);
		sched_unit_wake(&s->rq, &s->units[i]);
		s->last_run_end[i] = start;
	}
}

/* Index of u in s->units. */
static unsigned int sim_index(const struct sim *s, const struct sched_unit *u)
{
	return (unsigned int)(u - s->units);
}

/* Note that unit i ran [start, end): track its longest wait and the trace. */
static void sim_note_run(struct sim *s, unsigned int i, uint64_t start,
			 uint64_t end)
{
	uint64_t wait = start - s->last_run_end[i];

	if (wait > s->max_wait[i])
		s->max_wait[i] = wait;
	s->last_run_end[i] = end;
	s->trace_hash = (s->trace_hash ^ (i + 1)) * 0x100000001b3ULL;
	s->trace_hash = (s->trace_hash ^ (end - start)) * 0x100000001b3ULL;
	s->picks++;
}

/* Play the mechanism until the clock reaches end: pick, run for the slice
 * (cut at end), charge; idle for the slice pick gives when it has nothing. */
static void sim_run_until(struct sim *s, uint64_t end)
{
	while (s->now < end) {
		uint64_t slice, run;
		struct sched_unit *u = sched_pick(&s->rq, s->now, &slice);

		run = slice == 0 || slice > end - s->now ? end - s->now : slice;
		if (!u) {
			s->idle_ns += run;
			s->now += run;
			continue;
		}
		sched_charge(&s->rq, u, run, s->now + run);
		sim_note_run(s, sim_index(s, u), s->now, s->now + run);
		s->now += run;
	}
}

/* Whether got/total is within rel (relative) of want. */
static bool share_near(uint64_t got, uint64_t total, double want, double rel)
{
	double share = (double)got / (double)total;

	return share >= want * (1 - rel) && share <= want * (1 + rel);
}

/* Units' run time since a snapshot. */
static uint64_t ran_since(const struct sim *s, unsigned int i, uint64_t before)
{
	return s->units[i].total_ns - before;
}

static bool weights_1_2_share(char *why)
{
	static const unsigned int w[] = { 1, 2 };
	struct sim s;

	sim_init(&s, 2, w, NULL, 0);
	sim_run_until(&s, 3 * SEC);
	EXPECT(share_near(s.units[0].total_ns, 3 * SEC, 1.0 / 3, 0.02),
	       "weight 1 ran %llu ns of 3 s",
	       (unsigned long long)s.units[0].total_ns);
	EXPECT(share_near(s.units[1].total_ns, 3 * SEC, 2.0 / 3, 0.02),
	       "weight 2 ran %llu ns of 3 s",
	       (unsigned long long)s.units[1].total_ns);
	EXPECT(s.idle_ns == 0, "idle %llu ns", (unsigned long long)s.idle_ns);
	return true;
}

static bool weights_1_1_2_share(char *why)
{
	static const unsigned int w[] = { 256, 256, 512 };
	static const double want[] = { 0.25, 0.25, 0.5 };
	struct sim s;

	sim_init(&s, 3, w, NULL, 0);
	sim_run_until(&s, 3 * SEC);
	for (unsigned int i = 0; i < 3; i++)
		EXPECT(share_near(s.units[i].total_ns, 3 * SEC, want[i], 0.02),
		       "unit %u ran %llu ns of 3 s", i,
		       (unsigned long long)s.units[i].total_ns);
	return true;
}

static bool extreme_weights_share(char *why)
{
	static const unsigned int w[] = { 1, 99 };
	struct sim s;

	sim_init(&s, 2, w, NULL, 0);
	sim_run_until(&s, 10 * SEC);
	EXPECT(share_near(s.units[0].total_ns, 10 * SEC, 0.01, 0.02),
	       "weight 1 of 100 ran %llu ns of 10 s",
	       (unsigned long long)s.units[0].total_ns);
	return true;
}

static bool equal_weights_round_robin(char *why)
{
	static const unsigned int w[] = { 7, 7, 7 };
	struct sim s;
	uint64_t slice;

	sim_init(&s, 3, w, NULL, 0);
	for (unsigned int round = 0; round < 4; round++) {
		for (unsigned int i = 0; i < 3; i++) {
			struct sched_unit *u = sched_pick(&s.rq, s.now, &slice);

			EXPECT(u == &s.units[i], "round %u: expected unit %u, got %d",
			       round, i, u ? (int)sim_index(&s, u) : -1);
			EXPECT(slice == SCHED_SLICE_NS, "slice %llu",
			       (unsigned long long)slice);
			sched_charge(&s.rq, u, slice, s.now + slice);
			s.now += slice;
		}
	}
	return true;
}

static bool cap_with_uncapped_peer(char *why)
{
	static const unsigned int w[] = { 256, 256 };
	static const unsigned int caps[] = { 25, 0 };
	uint64_t before = 0;
	struct sim s;

	sim_init(&s, 2, w, caps, 0);
	for (unsigned int win = 0; win < 30; win++) {
		sim_run_until(&s, (win + 1) * SCHED_CAP_WINDOW_NS);
		EXPECT(ran_since(&s, 0, before) <= 25 * MS,
		       "window %u: capped unit ran %llu ns", win,
		       (unsigned long long)ran_since(&s, 0, before));
		before = s.units[0].total_ns;
	}
	EXPECT(s.units[0].total_ns <= 3 * SEC / 4 + SCHED_SLICE_NS &&
	       s.units[0].total_ns >= 3 * SEC / 4 - SCHED_SLICE_NS,
	       "capped unit ran %llu ns of 3 s",
	       (unsigned long long)s.units[0].total_ns);
	EXPECT(s.units[1].total_ns + s.units[0].total_ns == 3 * SEC &&
	       s.idle_ns == 0, "uncapped %llu ns, idle %llu ns",
	       (unsigned long long)s.units[1].total_ns,
	       (unsigned long long)s.idle_ns);
	return true;
}

static bool cap_alone_idles_to_window_end(char *why)
{
	static const unsigned int w[] = { 256 };
	static const unsigned int caps[] = { 25 };
	struct sched_unit *u;
	uint64_t slice, used = 0;
	struct sim s;

	sim_init(&s, 1, w, caps, 0);
	while ((u = sched_pick(&s.rq, s.now, &slice)) != NULL) {
		EXPECT(slice > 0 && used + slice <= 25 * MS, "slice %llu after %llu",
		       (unsigned long long)slice, (unsigned long long)used);
		sched_charge(&s.rq, u, slice, s.now + slice);
		s.now += slice;
		used += slice;
	}
	EXPECT(used == 25 * MS && s.now == 25 * MS, "ran %llu ns",
	       (unsigned long long)used);
	EXPECT(slice == 75 * MS, "idle slice %llu, want 75 ms",
	       (unsigned long long)slice);
	EXPECT(sched_unit_capped_out(&s.rq, &s.units[0], s.now), "not capped out");
	EXPECT(!sched_unit_capped_out(&s.rq, &s.units[0], 100 * MS),
	       "still capped out in the next window");
	u = sched_pick(&s.rq, 100 * MS, &slice);
	EXPECT(u == &s.units[0] && slice == SCHED_SLICE_NS,
	       "not picked again when the window rolled");

	sim_init(&s, 1, w, caps, 0);
	sim_run_until(&s, 3 * SEC);
	EXPECT(s.units[0].total_ns == 3 * SEC / 4 && s.idle_ns == 3 * SEC / 4 * 3,
	       "ran %llu ns, idle %llu ns",
	       (unsigned long long)s.units[0].total_ns,
	       (unsigned long long)s.idle_ns);
	return true;
}

static bool cap_slice_stops_at_window_end(char *why)
{
	static const unsigned int w[] = { 256 };
	static const unsigned int caps[] = { 50 };
	struct sched_unit *u;
	uint64_t slice;
	struct sim s;

	sim_init(&s, 1, w, caps, 0);
	u = sched_pick(&s.rq, 95 * MS, &slice);
	EXPECT(u && slice == 5 * MS, "slice %llu at 95 ms, want 5 ms",
	       (unsigned long long)slice);
	sched_charge(&s.rq, u, slice, 100 * MS);
	EXPECT(u->cap_used == 0, "run in the old window counted in the new one");
	return true;
}

static bool cap_overshoot_is_paid_back(char *why)
{
	static const unsigned int w[] = { 256 };
	static const unsigned int caps[] = { 25 };
	struct sched_unit *u;
	uint64_t slice;
	struct sim s;

	sim_init(&s, 1, w, caps, 0);
	u = sched_pick(&s.rq, 0, &slice);
	sched_charge(&s.rq, u, 45 * MS, 45 * MS);   /* timer came 20 ms late */
	EXPECT(!sched_pick(&s.rq, 45 * MS, &slice) && slice == 55 * MS,
	       "picked while over cap");
	u = sched_pick(&s.rq, 100 * MS, &slice);
	EXPECT(u && slice == 5 * MS, "next window slice %llu, want 5 ms",
	       (unsigned long long)slice);
	return true;
}

static bool idle_without_caps_needs_no_timer(char *why)
{
	static const unsigned int w[] = { 256, 256 };
	struct sim s;
	uint64_t slice = 123;

	sim_init(&s, 2, w, NULL, 5 * SEC);
	sched_unit_sleep(&s.rq, &s.units[0]);
	sched_unit_sleep(&s.rq, &s.units[1]);
	EXPECT(!sched_pick(&s.rq, s.now, &slice) && slice == 0,
	       "nothing runnable: slice %llu", (unsigned long long)slice);
	sched_rq_init(&s.rq);
	EXPECT(!sched_pick(&s.rq, s.now, &slice) && slice == 0, "empty queue");
	return true;
}

static bool sleeper_does_not_monopolise(char *why)
{
	static const unsigned int w[] = { 256, 256 };
	uint64_t a0, b0;
	struct sim s;

	sim_init(&s, 2, w, NULL, 0);
	sim_run_until(&s, 1 * SEC);
	sched_unit_sleep(&s.rq, &s.units[1]);
	sim_run_until(&s, 3 * SEC);             /* B sleeps 2 s */
	sched_unit_wake(&s.rq, &s.units[1]);
	EXPECT(sched_wake_preempts(&s.rq, &s.units[0], &s.units[1], s.now),
	       "woken unit does not preempt");
	a0 = s.units[0].total_ns;
	b0 = s.units[1].total_ns;
	sim_run_until(&s, 4 * SEC);
	EXPECT(ran_since(&s, 1, b0) <= SEC / 2 + SCHED_SLICE_NS + MS,
	       "woken unit ran %llu ns of the next second",
	       (unsigned long long)ran_since(&s, 1, b0));
	EXPECT(ran_since(&s, 0, a0) >= SEC / 2 - SCHED_SLICE_NS - MS,
	       "running unit got only %llu ns of the next second",
	       (unsigned long long)ran_since(&s, 0, a0));
	EXPECT(s.max_wait[0] <= SCHED_SLICE_NS * 2,
	       "running unit waited %llu ns", (unsigned long long)s.max_wait[0]);
	return true;
}

static bool frequent_sleeper_gains_little(char *why)
{
	static const unsigned int w[] = { 256, 256 };
	struct sim s;
	uint64_t b0;

	/* B runs 1 ms, sleeps 1 ms, over and over; A always wants the CPU. */
	sim_init(&s, 2, w, NULL, 0);
	b0 = s.units[1].total_ns;
	for (unsigned int i = 0; i < 2000; i++) {
		uint64_t step_end = s.now + 2 * MS;

		sched_unit_wake(&s.rq, &s.units[1]);
		sim_run_until(&s, s.now + 1 * MS);
		sched_unit_sleep(&s.rq, &s.units[1]);
		sim_run_until(&s, step_end);
	}
	EXPECT(ran_since(&s, 1, b0) <= s.now / 2 + SCHED_SLICE_NS,
	       "sleepy unit ran %llu ns of %llu",
	       (unsigned long long)ran_since(&s, 1, b0),
	       (unsigned long long)s.now);
	return true;
}

static bool wake_after_long_charge_gains_little(char *why)
{
	static const unsigned int w[] = { 256, 256 };
	struct sched_unit *u;
	uint64_t slice, b0;
	struct sim s;

	/* B sleeps while A is charged 2 s in one go, with no pick between. */
	sim_init(&s, 2, w, NULL, 0);
	sched_unit_sleep(&s.rq, &s.units[1]);
	u = sched_pick(&s.rq, 0, &slice);
	EXPECT(u == &s.units[0], "sleeper picked");
	sched_charge(&s.rq, u, 2 * SEC, 2 * SEC);
	s.now = 2 * SEC;
	s.last_run_end[0] = s.now;
	sched_unit_wake(&s.rq, &s.units[1]);
	s.last_run_end[1] = s.now;
	b0 = s.units[1].total_ns;
	sim_run_until(&s, 3 * SEC);
	EXPECT(ran_since(&s, 1, b0) <= SEC / 2 + SCHED_SLICE_NS + MS,
	       "woken unit ran %llu ns of the next second",
	       (unsigned long long)ran_since(&s, 1, b0));
	EXPECT(s.max_wait[0] <= 2 * SCHED_SLICE_NS, "A waited %llu ns",
	       (unsigned long long)s.max_wait[0]);
	return true;
}

static bool runnable_unit_added_at_floor(char *why)
{
	static const unsigned int w[] = { 256 };
	struct sim s;
	uint64_t d0;

	/* A unit marked runnable before it is added gets no back credit. */
	sim_init(&s, 1, w, NULL, 0);
	sim_run_until(&s, 2 * SEC);
	sched_unit_init(&s.units[1], (void *)2, 256, 0);
	s.units[1].runnable = true;
	sched_unit_add(&s.rq, &s.units[1]);
	s.last_run_end[1] = s.now;
	d0 = s.units[0].total_ns;
	sim_run_until(&s, 3 * SEC);
	EXPECT(share_near(ran_since(&s, 0, d0), SEC, 0.5, 0.03),
	       "old unit ran %llu ns of 1 s after the add",
	       (unsigned long long)ran_since(&s, 0, d0));
	return true;
}

static bool zero_charge_passes_turn_on_tie(char *why)
{
	static const unsigned int w[] = { 256, 256, 256 };
	struct sched_unit *u;
	uint64_t slice;
	struct sim s;

	/* Each unit yields at once (charged 0 ns): the turn still goes round. */
	sim_init(&s, 3, w, NULL, 0);
	for (unsigned int i = 0; i < 6; i++) {
		u = sched_pick(&s.rq, 0, &slice);
		EXPECT(u == &s.units[i % 3], "yield %u: expected unit %u, got %d",
		       i, i % 3, u ? (int)sim_index(&s, u) : -1);
		sched_charge(&s.rq, u, 0, 0);
	}
	return true;
}

static bool remove_running_and_add(char *why)
{
	static const unsigned int w[] = { 256, 256, 256 };
	struct sched_unit *u, *gone;
	uint64_t slice, a0, d0;
	struct sim s;

	sim_init(&s, 3, w, NULL, 0);
	sim_run_until(&s, SEC);
	gone = sched_pick(&s.rq, s.now, &slice);
	EXPECT(gone != NULL, "nothing picked");
	sched_charge(&s.rq, gone, 3 * MS, s.now + 3 * MS);   /* partly ran */
	s.now += 3 * MS;
	sched_unit_remove(&s.rq, gone);
	sched_charge(&s.rq, gone, 0, s.now);                /* harmless */
	sched_unit_remove(&s.rq, gone);                     /* twice: no-op */
	for (unsigned int i = 0; i < 100; i++) {
		u = sched_pick(&s.rq, s.now, &slice);
		EXPECT(u && u != gone, "removed unit picked");
		sched_charge(&s.rq, u, slice, s.now + slice);
		s.now += slice;
	}

	/* A new unit joins the two left at the least vtime: a third, no burst. */
	sched_unit_init(&s.units[3], (void *)4, 256, 0);
	sched_unit_add(&s.rq, &s.units[3]);
	sched_unit_add(&s.rq, &s.units[3]);                 /* twice: no-op */
	sched_unit_wake(&s.rq, &s.units[3]);
	a0 = s.now;
	d0 = s.units[3].total_ns;
	s.last_run_end[3] = a0;
	sim_run_until(&s, a0 + 3 * SEC);
	EXPECT(share_near(ran_since(&s, 3, d0), 3 * SEC, 1.0 / 3, 0.02),
	       "new unit ran %llu ns of 3 s",
	       (unsigned long long)ran_since(&s, 3, d0));
	EXPECT(s.max_wait[3] <= 2 * SCHED_SLICE_NS, "new unit waited %llu ns",
	       (unsigned long long)s.max_wait[3]);

	/* Removing every unit leaves an idle queue. */
	for (unsigned int i = 0; i < 4; i++)
		sched_unit_remove(&s.rq, &s.units[i]);
	EXPECT(!sched_pick(&s.rq, s.now, &slice) && slice == 0,
	       "empty queue picked something");
	return true;
}

static bool endless_loop_cannot_starve(char *why)
{
	static const unsigned int w[] = { 256, 256, 256 };
	static const unsigned int w2[] = { 65535, 16384 };
	struct sim s;

	sim_init(&s, 3, w, NULL, 0);
	sim_run_until(&s, 5 * SEC);
	for (unsigned int i = 0; i < 3; i++)
		EXPECT(s.max_wait[i] <= 2 * SCHED_SLICE_NS,
		       "unit %u waited %llu ns", i,
		       (unsigned long long)s.max_wait[i]);

	sim_init(&s, 2, w2, NULL, 0);              /* weights about 4:1 */
	sim_run_until(&s, 5 * SEC);
	EXPECT(s.max_wait[1] <= 5 * SCHED_SLICE_NS,
	       "light unit waited %llu ns", (unsigned long long)s.max_wait[1]);
	EXPECT(s.max_wait[0] <= SCHED_SLICE_NS,
	       "heavy unit waited %llu ns", (unsigned long long)s.max_wait[0]);
	return true;
}

static bool weight_and_cap_clamps(char *why)
{
	struct sched_unit u;

	sched_unit_init(&u, NULL, 0, 0);
	EXPECT(u.weight == 1 && u.cap == 0, "weight 0 -> %u", u.weight);
	sched_unit_set_params(&u, 1000000, 100);
	EXPECT(u.weight == 65535 && u.cap == 0, "weight 1e6 -> %u, cap 100 -> %u",
	       u.weight, u.cap);
	sched_unit_set_params(&u, 300, 250);
	EXPECT(u.weight == 300 && u.cap == 0, "cap 250 -> %u", u.cap);
	sched_unit_set_params(&u, 300, 99);
	EXPECT(u.cap == 99, "cap 99 -> %u", u.cap);
	EXPECT(!u.runnable && !u.queued, "fresh unit runnable or queued");
	return true;
}

static bool wraparound_is_harmless(char *why)
{
	static const unsigned int w[] = { 1, 2 };
	struct sim s;

	/* Virtual times just below 2^64 wrap during the run. */
	sim_init(&s, 2, w, NULL, 0);
	s.rq.vtime_floor = UINT64_MAX - 1000;
	s.units[0].vtime = UINT64_MAX - 1000;
	s.units[1].vtime = UINT64_MAX - 1000;
	sim_run_until(&s, 3 * SEC);
	EXPECT(share_near(s.units[0].total_ns, 3 * SEC, 1.0 / 3, 0.02),
	       "weight 1 ran %llu ns of 3 s after wrap",
	       (unsigned long long)s.units[0].total_ns);
	EXPECT(s.units[0].vtime < 1ULL << 62, "vtime did not wrap");
	return true;
}

static bool huge_charge_is_safe(char *why)
{
	static const unsigned int w[] = { 1, 1 };
	struct sched_unit *u;
	uint64_t slice;
	struct sim s;

	sim_init(&s, 2, w, NULL, 0);
	u = sched_pick(&s.rq, 0, &slice);
	sched_charge(&s.rq, u, UINT64_MAX - 5, UINT64_MAX - 5);
	sched_charge(&s.rq, u, 100, UINT64_MAX - 5);
	EXPECT(u->total_ns == UINT64_MAX, "total did not saturate");
	/* The other unit runs now, and a later start still works. */
	u = sched_pick(&s.rq, UINT64_MAX - 5, &slice);
	EXPECT(u == &s.units[1], "starved unit not picked");
	return true;
}

/* Run a random mix of sleeps, wakes, weight changes, adds and removes and
 * return the trace hash. */
static uint64_t random_run(unsigned long long seed)
{
	static const unsigned int w[] = { 100, 200, 300, 400, 500, 600 };
	static const unsigned int caps[] = { 0, 30, 0, 60, 0, 10 };
	struct sim s;

	sim_init(&s, 6, w, caps, 12345);
	for (unsigned int step = 0; step < 3000; step++) {
		unsigned long long r = unit_rand(&seed);
		struct sched_unit *u = &s.units[r % 6];

		switch ((r >> 8) % 6) {
		case 0: sched_unit_sleep(&s.rq, u); break;
		case 1: sched_unit_wake(&s.rq, u); break;
		case 2: sched_unit_set_params(u, (unsigned int)(r >> 16) % 1000,
					      (unsigned int)(r >> 32) % 120);
			break;
		case 3: sched_unit_remove(&s.rq, u); break;
		case 4: sched_unit_add(&s.rq, u); break;
		default: break;
		}
		sim_run_until(&s, s.now + (r >> 40) % (15 * MS) + 1);
	}
	return s.trace_hash ^ s.idle_ns ^ ((uint64_t)s.picks << 32);
}

static bool deterministic(char *why)
{
	uint64_t a = random_run(42), b = random_run(42), c = random_run(43);

	EXPECT(a == b, "same seed gave different traces");
	EXPECT(a != c, "different seeds gave the same trace (suspicious)");
	return true;
}

int main(void)
{
	RUN(weights_1_2_share);
	RUN(weights_1_1_2_share);
	RUN(extreme_weights_share);
	RUN(equal_weights_round_robin);
	RUN(cap_with_uncapped_peer);
	RUN(cap_alone_idles_to_window_end);
	RUN(cap_slice_stops_at_window_end);
	RUN(cap_overshoot_is_paid_back);
	RUN(idle_without_caps_needs_no_timer);
	RUN(sleeper_does_not_monopolise);
	RUN(frequent_sleeper_gains_little);
	RUN(wake_after_long_charge_gains_little);
	RUN(runnable_unit_added_at_floor);
	RUN(zero_charge_passes_turn_on_tie);
	RUN(remove_running_and_add);
	RUN(endless_loop_cannot_starve);
	RUN(weight_and_cap_clamps);
	RUN(wraparound_is_harmless);
	RUN(huge_charge_is_safe);
	RUN(deterministic);
	return unit_exit_status();
}
