/*
 * HYPERVISOR_iret: the guest's way back from an exception or event handler.
 *
 * The guest pushes flags (0 or VGCF_in_syscall) above a normal iret frame and
 * jumps to the iret stub, which pushes rcx, r11 and rax and does syscall; so
 * at the guest's rsp we find struct iret_context: rax, r11, rcx, flags, rip,
 * cs, rflags, rsp, ss. The frame is untrusted: exit_to_guest (entry.S)
 * gives its selectors RPL 3 and its rflags no IOPL/VM/NT and hardware IF
 * on, as for every return; here the guest's own interrupt flag becomes the
 * event mask.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/pv.h>
#include <pv/xen.h>
#include <asm/cpu.h>

int pv_iret(struct cpu_regs *regs)
{
	struct vcpu *v = current;
	struct iret_context ctx;

	if (copy_from_guest(&ctx, regs->rsp, sizeof(ctx)))
		domain_crash_current(regs, "HYPERVISOR_iret: cannot read the iret "
				     "frame at %#lx", regs->rsp);

	/*
	 * A non-canonical rip or rsp needs no check here: exit_to_guest never
	 * gives the CPU such a rip but raises #GP(0) in the guest at it, with
	 * this frame, as Xen does; the CPU takes any rsp, and the guest faults
	 * on its first use.
	 */
	if ((ctx.cs & 3) == 3) {
		/* RPL 3 means a return to user mode: needs the user page tables. */
		if (!v->user_l4_mfn)
			domain_crash_current(regs, "HYPERVISOR_iret to user mode "
					     "without user page tables");
		pv_toggle_guest_mode(v);
	}

	v->vcpu_info->evtchn_upcall_mask = !(ctx.rflags & X86_EFLAGS_IF);

	regs->rip = ctx.rip;
	regs->cs = ctx.cs & 0xffff;
	regs->ss = ctx.ss & 0xffff;
	regs->rsp = ctx.rsp;
	regs->rflags = ctx.rflags;
	regs->rax = ctx.rax;
	if (ctx.flags & VGCF_in_syscall)
		return 1;       /* rcx/r11 are dead: sysret may clobber them */
	regs->rcx = ctx.rcx;
	regs->r11 = ctx.r11;
	return 0;
}
