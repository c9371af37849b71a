/*
 * Per-vCPU timers, runstate and the time hypercalls (common/vcpu_op.c):
 * set_timer_op and vcpu_op (Xen's semantics and error codes).
 *
 * The scheduler's part:
 *   - vcpu_time_init(v) once when a vCPU is created (before it runs);
 *   - vcpu_runstate_change(v, RUNSTATE_*, now()) on every change of state:
 *     for the vCPU leaving the CPU while its page tables are still loaded,
 *     and for the one entering after its page tables are loaded (a guest's
 *     registered runstate area is written only when the vCPU's own page
 *     tables are live). Leaving RUNSTATE_running parks the periodic timer
 *     (as in Xen it ticks only while the vCPU runs); entering it re-arms
 *     the timer, delivering a tick that fell due meanwhile;
 *   - vcpu_time_destroy(v) when the domain is torn down: stops the timers
 *     and drops the page reference register_vcpu_info took.
 */
#ifndef LAMINA_VCPU_OP_H
#define LAMINA_VCPU_OP_H

#include <stdint.h>
#include <lamina/hypercall.h>

struct vcpu;

/* Xen's default 100 Hz ticker for PV vCPUs. */
#define VCPU_DEFAULT_PERIOD_NS  10000000UL

void vcpu_time_init(struct vcpu *v);
void vcpu_time_init_down(struct vcpu *v);
void vcpu_time_destroy(struct vcpu *v);
void vcpu_runstate_change(struct vcpu *v, int new_state, uint64_t now);

hypercall_fn do_set_timer_op, do_vcpu_op;

#endif
