/*
 * Scheduling mechanism. The policy (who runs, for how long) is
 * sched_policy.c; this file switches vCPUs, idles the CPU, and does the
 * work of every return to a guest.
 *
 * The running vCPU's registers live in the frame at the top of the
 * hypervisor stack; switching away has the architecture copy them (and the
 * FPU, segment bases and mode) into the vCPU (arch_vcpu_save), switching
 * in copies them back (arch_vcpu_restore) and enters the guest with a
 * fresh stack. So schedule() never returns: whatever called it is
 * abandoned, its work done. The architecture is reached only through
 * lamina/arch.h.
 */
#include <lamina/config.h>
#include <lamina/arch.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/schedule.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <pv/xen.h>
#include <pv/vcpu.h>

/* Runstate accounting (common/vcpu_op.c). */
void vcpu_runstate_change(struct vcpu *v, int new_state, uint64_t now);

static struct sched_runqueue runq;
static struct timer slice_timer;
static uint64_t slice_start;            /* when current began to run */
bool need_resched;
/* The fast hypercall path tests this word: (pending, mask) of the running
 * vCPU in kernel mode; the constant 1 ("pending, unmasked") forces the
 * full path in user mode or when idle. */
const uint16_t always_slow_word = 1;
const volatile uint16_t *cpu_fast_event_word = &always_slow_word;

static void slice_expired(void *data)
{
	(void)data;
	need_resched = true;
}

void sched_init(void)
{
	arch_sched_init();
	sched_rq_init(&runq);
	timer_init(&slice_timer, slice_expired, NULL);
}

void sched_request(void)
{
	need_resched = true;
}

/* SCHEDOP_poll's timeout passed: wake the poller. */
static void poll_timed_out(void *data)
{
	vcpu_kick(data);
}

/*
 * A domain's weight and cap are the domain's: split evenly over its online
 * vCPUs (each vCPU is a scheduling unit), redone whenever one goes up or
 * down. A blocked online vCPU keeps its part, so a domain whose vCPUs are
 * not all busy gets less than its whole share while others compete.
 */
static void sched_split_shares(struct domain *d)
{
	unsigned int n = 0, weight, cap;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] && !d->vcpus[i]->down)
			n++;
	if (!n)
		n = 1;
	weight = d->weight / n ? d->weight / n : 1;
	cap = d->cap && d->cap < 100 ? (d->cap / n ? d->cap / n : 1) : 0;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			sched_unit_set_params(&d->vcpus[i]->sched, weight, cap);
}

void sched_add_vcpu(struct vcpu *v)
{
	timer_init(&v->poll_timer, poll_timed_out, v);
	sched_unit_init(&v->sched, v, v->domain->weight, v->domain->cap);
	sched_unit_add(&runq, &v->sched);
	if (!v->down)
		sched_unit_wake(&runq, &v->sched);      /* ready to run */
	sched_split_shares(v->domain);
	need_resched = true;
}

void vcpu_up(struct vcpu *v)
{
	if (!v->down)
		return;
	v->down = false;
	vcpu_runstate_change(v, v->blocked ? RUNSTATE_blocked : RUNSTATE_runnable,
			     now());
	if (!v->blocked)
		sched_unit_wake(&runq, &v->sched);
	sched_split_shares(v->domain);
	need_resched = true;
}

void vcpu_down(struct vcpu *v)
{
	if (v->down)
		return;
	v->down = true;
	sched_unit_sleep(&runq, &v->sched);
	/* The running vCPU goes offline when it is switched out, at once. */
	if (v != current)
		vcpu_runstate_change(v, RUNSTATE_offline, now());
	sched_split_shares(v->domain);
	need_resched = true;
}

void sched_remove_vcpu(struct vcpu *v)
{
	sched_unit_remove(&runq, &v->sched);
	timer_stop(&v->poll_timer);
	timer_stop(&v->singleshot_timer);
	timer_stop(&v->periodic_timer);
	need_resched = true;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->blocked)
		return;
	v->blocked = false;
	v->nr_poll_ports = 0;
	timer_stop(&v->poll_timer);
	if (v->down)
		return;         /* unblocked; runs once it is up again */
	if (v->runstate == RUNSTATE_blocked && v != current)
		vcpu_runstate_change(v, RUNSTATE_runnable, now());
	sched_unit_wake(&runq, &v->sched);
	need_resched = true;
}

/* Enter v in guest context. */
static void __attribute__((noreturn)) run_vcpu(struct vcpu *v)
{
	struct vcpu *prev = current;

	if (prev != v) {
		if (!prev || prev->domain != v->domain)
			arch_switch_domain(prev ? prev->domain : NULL, v->domain);
		current = v;
		arch_vcpu_restore(v);
		vcpu_runstate_change(v, RUNSTATE_running, now());
		update_vcpu_system_time(v);
	}
	sched_update_fast_path(v);
	pv_return_to_guest(arch_guest_frame());
	arch_enter_guest();
}

/* Take the running vCPU off the CPU, keeping its state. */
static void deschedule_current(uint64_t t)
{
	struct vcpu *v = current;

	if (!v)
		return;
	/* The per-CPU counts since it came on are its domain's. */
	arch_fold_counters(v->domain);
	if (v->domain->state == DOMAIN_RUNNING) {
		arch_vcpu_save(v);
		vcpu_runstate_change(v, v->down ? RUNSTATE_offline :
				     v->blocked ? RUNSTATE_blocked : RUNSTATE_runnable, t);
	}
	current = NULL;
	sched_update_fast_path(NULL);
}

static bool any_domain_alive(void)
{
	for (int i = 0; i < MAX_DOMAINS; i++)
		if (domains[i] && domains[i]->state == DOMAIN_RUNNING)
			return true;
	return false;
}

void schedule(void)
{
	uint64_t t = now();

	hypercall_state_reset();        /* a call that ends here is abandoned */

	if (current && current->domain->state == DOMAIN_RUNNING)
		sched_charge(&runq, &current->sched, t - slice_start, t);
	slice_start = t;
	need_resched = false;
	for (;;) {
		uint64_t slice = 0;
		struct sched_unit *u = sched_pick(&runq, t, &slice);

		if (u) {
			struct vcpu *next = u->owner;
			if (next != current)
				deschedule_current(t);
			slice_start = t;
			timer_set(&slice_timer, t + (slice ? slice : SCHED_SLICE_NS));
			run_vcpu(next);
		}
		deschedule_current(t);
		if (!any_domain_alive())
			end_run();
		/* Idle: sleep until an interrupt; its timers may wake a vCPU. */
		if (slice)
			timer_set(&slice_timer, t + slice);
		else
			timer_stop(&slice_timer);
		need_resched = false;
		while (!need_resched)
			arch_cpu_idle();
		need_resched = false;
		t = now();
		slice_start = t;
	}
}

void vcpu_sleep_current(void)
{
	struct vcpu *v = current;

	v->blocked = true;
	sched_unit_sleep(&runq, &v->sched);
	need_resched = true;
}

void pv_return_to_guest_slow(struct cpu_regs *regs)
{
	struct vcpu *v = current;

	if (need_resched || v->blocked || v->domain->state != DOMAIN_RUNNING)
		schedule();
	arch_deliver_events(v, regs);
	sched_update_fast_path(v);
}
