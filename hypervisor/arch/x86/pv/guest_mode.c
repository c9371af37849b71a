/*
 * Guest kernel mode and user mode, Xen's 64-bit PV model.
 *
 * Both run in ring 3. What separates them is the address space: the kernel
 * runs on its kernel L4 (NEW_BASEPTR), user code on its user L4
 * (NEW_USER_BASEPTR), which does not map the kernel. The hypervisor switches
 * between them on every crossing, together with the GS base (the kernel's
 * and the user's are swapped, as swapgs would on bare metal):
 *   user -> kernel: syscall from user code (to the syscall callback),
 *                   any exception or event (to its handler),
 *                   always onto the kernel stack given by stack_switch;
 *   kernel -> user: HYPERVISOR_iret with an RPL-3 code selector.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/pv.h>
#include <lamina/hypercall.h>
#include <lamina/schedule.h>
#include <lamina/pv_mm.h>
#include <pv/xen.h>
#include <pv/callback.h>
#include <asm/cpu.h>
#include <asm/traps.h>

void pv_toggle_guest_mode(struct vcpu *v)
{
	v->kernel_mode = !v->kernel_mode;
	sched_update_fast_path(v);
	/* The active GS base belongs to the mode we leave; swap in the other. */
	__asm__ volatile("swapgs");
	pv_load_cr3(v);
}

/* The kernel-entry failure path, kept out of line. */
void pv_enter_kernel_failed(struct cpu_regs *regs, unsigned int what, uint64_t sp)
{
	domain_crash_current(regs, "fault while delivering %s: cannot write "
			     "the frame at %#lx",
			     what == PV_ENTRY_SYSCALL ? "a system call" :
			     what == PV_ENTRY_FAILSAFE ? "the failsafe callback" :
			     what == PV_ENTRY_EVENT ? "an event" :
			     exception_name(what), sp);
}

void pv_bounce(struct cpu_regs *regs, uint64_t entry, unsigned int what,
	       bool has_error, uint64_t error_code, const uint16_t *segs,
	       bool mask_events)
{
	pv_bounce_inline(regs, entry, what, has_error, error_code, segs,
			 mask_events);
}

/*
 * syscall from guest user code: enter the kernel's syscall callback on its
 * kernel stack. On entry rcx/r11 hold the user rip/rflags (the CPU put them
 * there); the frame carries them as RCX/R11 and again as RIP/RFLAGS.
 * Returns nonzero: the exit may use sysret.
 */
int pv_user_syscall(struct cpu_regs *regs)
{
	struct vcpu *v = current;

	if (!v->syscall_cb.address) {
		/* No callback: the syscall instruction itself is invalid. */
		regs->rip -= 2;
		pv_inject_exception(regs, X86_EXC_UD, false, 0);
		return 0;
	}
	pv_bounce_inline(regs, v->syscall_cb.address, PV_ENTRY_SYSCALL, false, 0,
			 NULL, v->syscall_cb.flags & CALLBACKF_mask_events);
	return 1;
}

/*
 * The CPU refused to return to the guest (a bad selector in the frame it
 * gave HYPERVISOR_iret, say). Like Xen, hand the problem to the kernel's
 * failsafe callback with the segment registers on the frame; without one
 * the domain cannot continue.
 */
void handle_guest_return_fault(struct cpu_regs *regs)
{
	struct vcpu *v = current;
	uint16_t segs[4];

	if (!v->failsafe_cb.address)
		domain_crash_current(regs, "returning to the guest faulted (bad "
				     "frame: cs %#lx ss %#lx rip %#lx) and no "
				     "failsafe callback is registered",
				     regs->cs, regs->ss, regs->rip);
	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
			 : "=r"(segs[0]), "=r"(segs[1]), "=r"(segs[2]), "=r"(segs[3]));
	/* The frame keeps what the guest chose; it continues on the flat
	 * kernel selectors, which the bounce loads. */
	pv_bounce(regs, v->failsafe_cb.address, PV_ENTRY_FAILSAFE, false, 0, segs,
		  v->failsafe_cb.flags & CALLBACKF_mask_events);
}
