/*
 * Hypervisor timers: one sorted list per CPU (one CPU today), driven by the
 * local APIC timer programmed for the earliest deadline.
 */
#include <lamina/console.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <asm/apic.h>

static struct timer *timer_list;        /* sorted by expires */

void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
	t->expires = 0;
	t->fn = fn;
	t->data = data;
	t->next = NULL;
	t->active = false;
}

static void unlink_timer(struct timer *t)
{
	for (struct timer **pp = &timer_list; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->next = NULL;
	t->active = false;
}

static void program_hardware(void)
{
	if (timer_list)
		apic_timer_program(timer_list->expires);
	else
		apic_timer_stop();
}

void timer_set(struct timer *t, uint64_t expires)
{
	if (t->active)
		unlink_timer(t);
	t->expires = expires;
	struct timer **pp = &timer_list;
	while (*pp && (*pp)->expires <= expires)
		pp = &(*pp)->next;
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
