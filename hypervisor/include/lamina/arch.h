/*
 * The architecture interface: what common/ code asks of the CPU side.
 * common/schedule.c switches vCPUs only through these; x86 implements
 * them in arch/x86/context_switch.c.
 */
#ifndef LAMINA_ARCH_H
#define LAMINA_ARCH_H

#include <asm/regs.h>

struct vcpu;
struct domain;

/* Once at boot, before any vCPU runs: probe what switching needs. */
void arch_sched_init(void);

/* The running vCPU's register frame (top of the hypervisor stack). */
struct cpu_regs *arch_guest_frame(void);

/* Copy everything guest-visible of the running vCPU v out of the CPU. */
void arch_vcpu_save(struct vcpu *v);

/* Load v's state into the CPU and its frame onto the stack (v becomes
 * the running vCPU; the caller has set `current`). */
void arch_vcpu_restore(struct vcpu *v);

/* Leave the hypervisor for the guest frame at arch_guest_frame(). */
void arch_enter_guest(void) __attribute__((noreturn));

/* Wait with interrupts on until one arrives (the idle loop). */
void arch_cpu_idle(void);

/* The per-CPU benchmark counts since the last fold are d's: add them to
 * d's lamina_perf counters (when its vCPU leaves the CPU). */
void arch_fold_counters(struct domain *d);

/* The CPU passes from domain from (NULL: idle) to domain to: per-domain
 * counters change hands, branch predictions are flushed if the CPU
 * needs it (docs/security.md). */
void arch_switch_domain(struct domain *from, struct domain *to);

/* Stop running on the current guest's page tables and descriptor tables
 * (its domain is being torn down): switch to the hypervisor's own. */
void arch_leave_guest_context(void);

/* Flush this CPU's whole TLB, global entries included. */
void arch_flush_tlb(void);

/* If v has an unmasked event pending and an event callback, rewrite regs
 * (its return frame) to enter that callback with events masked. */
void arch_deliver_events(struct vcpu *v, struct cpu_regs *regs);

#endif
