/*
 * The scheduler's mechanism (common/schedule.c): which vCPU runs, switching
 * between them, blocking and waking, and the work done on every return to a
 * guest (preemption, event delivery).
 */
#ifndef LAMINA_SCHEDULE_H
#define LAMINA_SCHEDULE_H

#include <stdbool.h>
#include <lamina/domain.h>

void sched_init(void);
void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);
/* VCPUOP_up / VCPUOP_down: v becomes schedulable / stops (at once if it
 * is the running vCPU: it is switched out on its way back to the guest). */
void vcpu_up(struct vcpu *v);
void vcpu_down(struct vcpu *v);
/* Block the current vCPU until vcpu_kick() (event.h); the switch to
 * something else happens at the next return to the guest. */
void vcpu_sleep_current(void);
/* Ask for a scheduling decision at the next return to a guest. */
void sched_request(void);
/*
 * On every return to guest context from the full-frame paths: switch away
 * if a decision is pending (does not return then), else deliver pending
 * events to the guest's event callback by rewriting regs.
 */
void pv_return_to_guest_slow(struct cpu_regs *regs);
extern bool need_resched;

static inline void pv_return_to_guest(struct cpu_regs *regs)
{
	/*
	 * The common case: no scheduling decision pending (blocking, ending
	 * a domain and waking another all set need_resched) and no event to
	 * deliver: (pending, mask) read as one word equals 1 only when an
	 * event is pending and unmasked.
	 */
	if (__builtin_expect(need_resched ||
			     *(const volatile uint16_t *)&current->vcpu_info->evtchn_upcall_pending == 1, 0))
		pv_return_to_guest_slow(regs);
}
/*
 * Keep the fast hypercall path's view of the current vCPU up to date: it
 * tests the (pending, mask) word of the vCPU in kernel mode, and a constant
 * 1 ("pending, unmasked": take the full path) in user mode or when idle.
 */
extern const uint16_t always_slow_word;
extern const volatile uint16_t *cpu_fast_event_word;

static inline void sched_update_fast_path(struct vcpu *v)
{
	cpu_fast_event_word = v && v->kernel_mode
		? (const volatile uint16_t *)&v->vcpu_info->evtchn_upcall_pending
		: &always_slow_word;
}

#endif
