/*
 * The PV layer's internal interface (arch/x86/pv/).
 */
#ifndef LAMINA_PV_H
#define LAMINA_PV_H

#include <stdint.h>
#include <stdbool.h>
#include <asm/regs.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>

/*
 * Bounce an exception to the current guest's registered handler, in Xen's
 * frame format. Crashes the domain (and does not return) if there is no
 * handler or the frame cannot be written.
 */
void pv_inject_exception(struct cpu_regs *regs, unsigned int vector,
			 bool has_error, uint64_t error_code);

/* exit_to_guest refused a non-canonical return rip: #GP(0) to the guest. */
void pv_bad_return_rip(struct cpu_regs *regs);

/* Try to emulate the privileged instruction at regs->rip (after #GP(0) or
 * #UD). True if handled (rip advanced or an exception injected). */
bool pv_emulate_privileged(struct cpu_regs *regs, unsigned int vector);

/* HYPERVISOR_iret: returns nonzero if the exit may use sysret. */
int pv_iret(struct cpu_regs *regs);

/* Kernel/user mode switching and kernel entry (guest_mode.c). */
void pv_toggle_guest_mode(struct vcpu *v);
/* What a kernel entry delivers: an exception vector, or one of these. */
#define PV_ENTRY_SYSCALL   256
#define PV_ENTRY_FAILSAFE  257
#define PV_ENTRY_EVENT     258
void pv_enter_kernel_failed(struct cpu_regs *regs, unsigned int what, uint64_t sp)
	__attribute__((noreturn));

/* The saved CS word: RPL 0 marks an interrupted kernel, plus the event mask. */
static inline uint64_t pv_saved_cs(const struct vcpu *v, const struct cpu_regs *regs)
{
	uint64_t cs = v->kernel_mode ? (regs->cs & ~3UL) : regs->cs;
	return (cs & 0xffff) | ((uint64_t)v->vcpu_info->evtchn_upcall_mask << 32);
}

/* The saved RFLAGS: the virtual IF is the inverse of the event mask. */
static inline uint64_t pv_saved_rflags(const struct vcpu *v, const struct cpu_regs *regs)
{
	return (regs->rflags & ~(1UL << 9)) |
	       (v->vcpu_info->evtchn_upcall_mask ? 0 : (1UL << 9));
}
int pv_user_syscall(struct cpu_regs *regs);

/*
 * Write a frame of words onto the guest kernel stack and enter a guest
 * kernel entry point with it, from kernel or user mode. Only the bounce
 * builder below calls it.
 */
static inline __attribute__((always_inline)) void
pv_enter_kernel_inline(struct cpu_regs *regs, uint64_t entry, const uint64_t *words,
		       unsigned int n, bool mask_events, unsigned int what)
{
	struct vcpu *v = current;
	uint64_t sp;

	if (v->kernel_mode) {
		sp = regs->rsp & ~15UL;
	} else {
		pv_toggle_guest_mode(v);
		sp = v->kernel_sp & ~15UL;
	}
	sp -= n * sizeof(uint64_t);
	if (copy_to_guest(sp, words, n * sizeof(uint64_t)))
		pv_enter_kernel_failed(regs, what, sp);
	if (mask_events)
		v->vcpu_info->evtchn_upcall_mask = 1;
	regs->rip = entry;
	regs->cs = 0xe033;      /* FLAT_KERNEL_CS */
	regs->ss = 0xe02b;      /* FLAT_KERNEL_SS */
	regs->rsp = sp;
	/* TF, NT, RF, AC, VM, IOPL, DF cleared (exit_to_guest sets IF, bit 1). */
	regs->rflags &= ~0x77500UL;
}

/*
 * The one bounce-frame builder: every entry into the guest kernel (an
 * exception, a user system call, an event, the failsafe callback) writes
 * Xen's frame, low to high: RCX, R11, [error code], [DS, ES, FS, GS
 * (failsafe only)], RIP, CS (with the saved event mask), RFLAGS (with the
 * virtual IF), RSP, SS; then enters entry on the kernel stack. what names
 * the entry for a crash report (a vector or PV_ENTRY_*).
 */
static inline __attribute__((always_inline)) void
pv_bounce_inline(struct cpu_regs *regs, uint64_t entry, unsigned int what,
		 bool has_error, uint64_t error_code, const uint16_t *segs,
		 bool mask_events)
{
	struct vcpu *v = current;
	uint64_t frame[12];
	unsigned int n = 0;

	frame[n++] = regs->rcx;
	frame[n++] = regs->r11;
	if (has_error)
		frame[n++] = error_code;
	if (segs)
		for (unsigned int i = 0; i < 4; i++)
			frame[n++] = segs[i];
	frame[n++] = regs->rip;
	frame[n++] = pv_saved_cs(v, regs);
	frame[n++] = pv_saved_rflags(v, regs);
	frame[n++] = regs->rsp;
	frame[n++] = regs->ss;
	pv_enter_kernel_inline(regs, entry, frame, n, mask_events, what);
}

/* The same, out of line, for the paths that are not hot. */
void pv_bounce(struct cpu_regs *regs, uint64_t entry, unsigned int what,
	       bool has_error, uint64_t error_code, const uint16_t *segs,
	       bool mask_events);

/* Writable page tables: emulate a store to an L1 table; true if done. */
bool pv_ptwr_fault(struct cpu_regs *regs, uint64_t addr);

/* Debug registers (debugreg.c). */
void pv_load_debugregs(const struct vcpu *v);
/* set_debugreg's checks and effect on any vCPU (loaded if it runs). */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value);
void pv_save_dr6(struct vcpu *v);
/* A #DB taken in ring 0 (on its IST stack): absorb it (debugreg.c). */
void pv_hypervisor_debug_exception(struct cpu_regs *regs);

/* Descriptor tables (descriptor.c). */
int pv_set_ldt(struct vcpu *v, uint64_t base, uint64_t ents);
long pv_set_gdt(struct vcpu *v, const uint64_t *frames, uint64_t entries);
/* Drop v's GDT and LDT frame references (a failed VCPUOP_initialise). */
void pv_destroy_descriptor_tables(struct vcpu *v);
void pv_load_descriptor_tables(struct vcpu *v);
void pv_unload_descriptor_tables(void);

/* Build a down vCPU's state from a vcpu_guest_context (VCPUOP_initialise). */
long pv_vcpu_initialise(struct vcpu *v, uint64_t arg);

/* Segment bases and lazy FPU, shared by hypercalls and MSR emulation. */
long pv_set_segment_base(unsigned int which, uint64_t base);
void pv_set_virtual_ts(struct vcpu *v, bool set);

#endif
