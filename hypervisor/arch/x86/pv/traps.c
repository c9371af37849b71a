/*
 * Exceptions raised by guest code, and bouncing them back into the guest.
 *
 * The bounce frame is Xen's x86-64 PV format, written on the guest kernel
 * stack, low to high: RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS.
 * RCX and R11 come first because Xen returns with sysret, which clobbers
 * them; handlers pop them before anything else. CS carries the saved event
 * mask in bits 32-39 and has its RPL cleared when the guest was in kernel
 * mode, which is how HYPERVISOR_iret tells a kernel frame from a user frame.
 */
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/lib.h>
#include <lamina/pv.h>
#include <lamina/hypercall.h>
#include <pv/xen.h>
#include <asm/cpu.h>
#include <asm/traps.h>

#define PFEC_USER  (1u << 2)

static inline __attribute__((always_inline)) void
inject_exception(struct cpu_regs *regs, unsigned int vector, bool has_error,
		 uint64_t error_code)
{
	const struct trap_info *ti = &current->trap_ctxt[vector & 0xff];

	if (!ti->address)
		domain_crash_current(regs, "%s (vector %u, error %#lx) with no handler registered",
				     exception_name(vector), vector, error_code);

	cpu_perf.bounces++;
	pv_bounce_inline(regs, ti->address, vector, has_error, error_code, NULL,
			 TI_GET_IF(ti));
}

void pv_inject_exception(struct cpu_regs *regs, unsigned int vector,
			 bool has_error, uint64_t error_code)
{
	inject_exception(regs, vector, has_error, error_code);
}

/*
 * exit_to_guest found a non-canonical return rip: the CPU must never be
 * given it (sysretq would fault in ring 0 on Intel). As Xen does, the guest
 * gets #GP(0) with the frame it could not return to; its handler may fix
 * the rip. Without a #GP handler the domain is crashed.
 */
void pv_bad_return_rip(struct cpu_regs *regs)
{
	pv_inject_exception(regs, X86_EXC_GP, true, 0);
}

/*
 * A #GP whose error code names an IDT entry is a software interrupt
 * (`int n`) that hit a DPL-0 gate. Deliver vector n if the guest's own trap
 * table lets the current guest privilege level use it: kernel mode counts as
 * ring 1, user mode as ring 3, as in Xen.
 */
static void software_interrupt(struct cpu_regs *regs)
{
	unsigned int vector = (regs->error_code >> 3) & 0xff;
	uint8_t insn[2];

	/*
	 * Take the vector from the instruction itself: QEMU's TCG reports
	 * vector * 16 + 2 in long mode where hardware reports vector * 8 + 2,
	 * and the guest must see the hardware value.
	 */
	if (!copy_from_guest(insn, regs->rip, sizeof(insn)) && insn[0] == 0xcd)
		vector = insn[1];
	const struct trap_info *ti = &current->trap_ctxt[vector];
	unsigned int cpl = current->kernel_mode ? 1 : 3;

	if (ti->address && TI_GET_DPL(ti) >= cpl) {
		regs->rip += 2;         /* int imm8 */
		pv_inject_exception(regs, vector, false, 0);
		return;
	}
	pv_inject_exception(regs, X86_EXC_GP, true, (vector << 3) | 2);
}

/* #NM: the guest set CR0.TS (fpu_taskswitch); it sees the fault once. */
static void device_not_available(struct cpu_regs *regs)
{
	clts();
	if (current->virt_cr0_ts) {
		current->virt_cr0_ts = false;
		pv_inject_exception(regs, X86_EXC_NM, false, 0);
	}
}

static void page_fault(struct cpu_regs *regs)
{
	uint64_t error = regs->error_code;
	uint64_t addr = read_cr2();

	if (pv_ptwr_fault(regs, addr))
		return;
	current->vcpu_info->arch.cr2 = addr;
	/* The guest kernel runs in ring 3 too: report a kernel-mode access. */
	if (current->kernel_mode)
		error &= ~PFEC_USER;
	else
		error |= PFEC_USER;
	pv_inject_exception(regs, X86_EXC_PF, true, error);
}

void pv_handle_guest_exception(struct cpu_regs *regs)
{
	unsigned int vector = (unsigned int)regs->entry_vector;

	cpu_perf.entries++;
	cpu_perf.exceptions++;
	switch (vector) {
	case X86_EXC_NMI:
		printk("NMI while a guest ran; ignored\n");
		return;
	case X86_EXC_MC:
		panic_regs(regs, "machine check");
	case X86_EXC_DF:
		panic_regs(regs, "double fault");
	case X86_EXC_NM:
		device_not_available(regs);
		return;
	case X86_EXC_DB:
		pv_save_dr6(current);
		inject_exception(regs, vector, false, 0);
		return;
	case X86_EXC_PF:
		page_fault(regs);
		return;
	case X86_EXC_UD:
		if (!pv_emulate_privileged(regs, vector))
			pv_inject_exception(regs, vector, false, 0);
		return;
	case X86_EXC_GP:
		if (regs->error_code & 2) {
			software_interrupt(regs);
			return;
		}
		if (regs->error_code == 0 && pv_emulate_privileged(regs, vector))
			return;
		pv_inject_exception(regs, vector, true, regs->error_code);
		return;
	default:
		inject_exception(regs, vector, exception_has_error_code(vector),
				 regs->error_code);
	}
}
