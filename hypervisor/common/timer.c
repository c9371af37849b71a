/*
 * Hypervisor timers: one sorted list per CPU (one CPU today), driven by the
 * local APIC timer programmed for the earliest deadline.
 */
#include <lamina/arch.h>
#include <lamina/console.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <asm/apic.h>
#include <asm/traps.h>

static struct timer *timer_list;        /* sorted by expires */

static void unlink_timer(struct timer *t);

/* Harmless on an armed timer: it is taken off the list first, never left
 * linked with its link cleared (which would lose every timer behind it). */
void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
	if (t->active)
		timer_stop(t);
	t->expires = 0;
	t->fn = fn;
	t->data = data;
	t->next = NULL;
	t->active = false;
}

static void unlink_timer(struct timer *t)
{
	struct timer **pp = &timer_list;

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (!*pp)
		panic("timer %p marked active but not on the timer list", (void *)t);
	*pp = t->next;
	t->next = NULL;
	t->active = false;
}

static void program_hardware(void)
{
	if (timer_list)
		arch_timer_program(timer_list->expires);
	else
		arch_timer_stop();
}

void timer_set(struct timer *t, uint64_t expires)
{
	if (t->active)
		unlink_timer(t);
	t->expires = expires;
	struct timer **pp = &timer_list;
	/* An inactive timer is unlinked (timer_init and unlink_timer see to
	 * it): a link left set, or t met on the way, means a broken list. */
	if (t->next)
		panic("timer %p inactive but linked", (void *)t);
	while (*pp && (*pp)->expires <= expires) {
		if (*pp == t)
			panic("timer %p on the timer list while inactive", (void *)t);
		pp = &(*pp)->next;
	}
	t->next = *pp;
	*pp = t;
	t->active = true;
	if (timer_list == t)
		program_hardware();
}

void timer_stop(struct timer *t)
{
	if (!t->active)
		return;
	bool was_first = timer_list == t;
	unlink_timer(t);
	if (was_first)
		program_hardware();
}

bool timer_due(void)
{
	return timer_list && timer_list->expires <= now();
}

void timers_run(void)
{
	uint64_t t_now = now();

	while (timer_list && timer_list->expires <= t_now) {
		struct timer *t = timer_list;
		unlink_timer(t);
		t->fn(t->data);
		t_now = now();
	}
	program_hardware();
}
