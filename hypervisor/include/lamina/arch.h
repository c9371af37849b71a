/*
 * The architecture interface: what common/ code asks of the CPU side.
 * common/schedule.c switches vCPUs only through these; x86 implements
 * them in arch/x86/context_switch.c.
 */
#ifndef LAMINA_ARCH_H
#define LAMINA_ARCH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <asm/regs.h>

struct vcpu;
struct domain;
struct boot_module;
struct domain_config;

/* Boot, in this order: the CPU's tables and legacy interrupt controller
 * before anything can fault; the rest once memory is set up; the timer
 * once the command line is known. */
void arch_early_init(void);
void arch_cpu_init(void);
/* The timer interrupt (local APIC; TSC-deadline when available): set up,
 * fire at system time `when` (ns; in the past: soon), stop. */
void arch_timer_init(void);
void arch_timer_program(uint64_t when);
void arch_timer_stop(void);

/* Build a domain from a boot module as the guest ABI wants (the PV
 * builder, lamina/domain_build.h); NULL with a reason in err if not. */
struct domain *arch_build_domain(const struct boot_module *m,
				 const struct domain_config *cfg, char *err,
				 size_t errlen);

/* Copy len bytes with fault recovery (a #PF or #GP stops it): returns the
 * number of bytes NOT copied. lamina/guest_access.h checks the range. */
size_t arch_copy_checked(void *dst, const void *src, size_t len);

/*
 * The frame rule: every guest frame the hypervisor reads or writes on its
 * own (through the direct map, not the guest's page tables) holds one of
 * these for as long as it does: a general reference and a WRITABLE type
 * reference, so it can become neither a page table nor a descriptor page,
 * nor be given back. 0, or -EINVAL (beyond RAM), -EPERM (not d's frame),
 * -EBUSY (a page table or descriptor page now). arch/x86/pv/mm.c.
 */
int arch_get_writable_frame_ref(const struct domain *d, uint64_t mfn);
void arch_put_writable_frame_ref(const struct domain *d, uint64_t mfn);

/* End the run with status (lamina/run_end.h): never returns. */
void arch_machine_exit(int status) __attribute__((noreturn));

/* The frame audit (audit_frames): set up once; check every frame's type
 * and counts (dying: a domain being torn down, else NULL); returns the
 * number of problems reported. */
void arch_frame_audit_init(void);
unsigned long arch_frame_audit(const struct domain *dying, const char *when);

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
