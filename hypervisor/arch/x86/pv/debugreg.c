/*
 * set_debugreg / get_debugreg: a guest's hardware breakpoints. The values
 * are per vCPU and loaded into DR0-DR3/DR7 while it runs; a #DB they cause
 * is bounced to the guest with DR6 saved for get_debugreg. Checked as Xen
 * does: breakpoint addresses must be the guest's, and general detect and
 * I/O breakpoints (which need CR4.DE, never set for guests) are refused.
 *
 * The breakpoints stay armed while the hypervisor runs (as in Xen), so the
 * hypervisor's own accesses to guest memory can hit a data breakpoint and
 * raise #DB in ring 0; see pv_hypervisor_debug_exception.
 */
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/pv.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <pv/errno.h>
#include <asm/regs.h>
#include <asm/cpu.h>

#define DR6_RESERVED_ONES 0xffff0ff0UL  /* DR6 bits that read as 1 */
#define DR7_RESERVED_ONE  (1UL << 10)
#define DR7_RESERVED_ZERO ((3UL << 11) | (3UL << 14))
#define DR7_GENERAL_DETECT (1UL << 13)
#define DR7_ENABLE_MASK   0xffUL

#define DR7_L3_EXEC_1     (1UL << 6)    /* L3, R/W3 = LEN3 = 0 */
#define DR7_BP3_FIELDS    ((3UL << 6) | (0xfUL << 28))

#define LOAD_DR(n, v) __asm__ volatile("mov %0, %%db" #n : : "r"(v))

extern char syscall_entry[], syscall_compat_entry[];

/* Put v's breakpoints into the CPU (none enabled: DR7 cleared). */
void pv_load_debugregs(const struct vcpu *v)
{
	uint64_t dr7 = v->debugreg[7];

	/* Test hook: breakpoint 3 on the hypercall entry, before its stack switch. */
	if (hv_options.selftest_db_entry) {
		dr7 = (dr7 & ~DR7_BP3_FIELDS) | DR7_L3_EXEC_1 | DR7_RESERVED_ONE;
		LOAD_DR(3, (uint64_t)syscall_entry);
	}
	if (!(dr7 & DR7_ENABLE_MASK)) {
		LOAD_DR(7, DR7_RESERVED_ONE);
		return;
	}
	LOAD_DR(0, v->debugreg[0]);
	LOAD_DR(1, v->debugreg[1]);
	LOAD_DR(2, v->debugreg[2]);
	if (!hv_options.selftest_db_entry)
		LOAD_DR(3, v->debugreg[3]);
	LOAD_DR(7, dr7);
}

static unsigned int hv_db_reports;

/*
 * #DB taken in ring 0, on its own IST stack (desc.c). Two ways a guest
 * causes one, neither a hypervisor bug:
 *  - the hypervisor read or wrote guest memory under one of the guest's
 *    data breakpoints (console_io of a watched buffer, say);
 *  - on hardware, a guest `mov ss`/`pop ss` whose operand is watched
 *    delays the #DB past the next instruction; if that is `syscall`, the
 *    #DB arrives at the first instruction of syscall_entry, before the
 *    stack switch, with the guest's rsp (the reason #DB needs an IST stack:
 *    that rsp is never used).
 * As Xen does, the event is reported (a few times) and dropped: nothing is
 * delivered, and the guest's DR6 is left alone (Xen updates a guest's DR6
 * only for #DB raised in guest context). The CPU's DR6 is reset. Data
 * breakpoints are traps, so resuming is safe; RF keeps an instruction
 * breakpoint from firing again (guests cannot place one on hypervisor
 * code; the self-test does), and a TF that cannot be the hypervisor's own
 * is dropped. This touches no guest memory, so it cannot fault or nest on
 * the IST stack.
 */
void pv_hypervisor_debug_exception(struct cpu_regs *regs)
{
	uint64_t dr6;
	bool at_entry = regs->rip == (uint64_t)syscall_entry ||
			regs->rip == (uint64_t)syscall_compat_entry;

	__asm__ volatile("mov %%db6, %0" : "=r"(dr6));
	LOAD_DR(6, DR6_RESERVED_ONES);
	regs->rflags = (regs->rflags & ~X86_EFLAGS_TF) | X86_EFLAGS_RF;
	if (hv_db_reports < 4) {
		hv_db_reports++;
		printk("#DB in hypervisor context at %#lx%s (dr6 %#lx): absorbed\n",
		       regs->rip, at_entry ? " (entry point, guest rsp live)" : "",
		       dr6);
	}
}

/* A #DB hit the guest: keep the CPU's DR6 for it, then reset the CPU's. */
void pv_save_dr6(struct vcpu *v)
{
	uint64_t dr6;

	__asm__ volatile("mov %%db6, %0" : "=r"(dr6));
	v->debugreg[6] = dr6;
	LOAD_DR(6, DR6_RESERVED_ONES);
}

long do_set_debugreg(uint64_t reg, uint64_t value, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (reg > 7)
		return -XEN_EINVAL;
	return pv_set_debugreg(current, (unsigned int)reg, value);
}

long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value)
{
	switch (reg) {
	case 0: case 1: case 2: case 3:
		if (!guest_va_range_ok(value, sizeof(long)))
			return -XEN_EPERM;
		break;
	case 6:
		if (value >> 32)
			return -XEN_EINVAL;
		value |= DR6_RESERVED_ONES;
		break;
	case 7:
		if ((value >> 32) || (value & DR7_GENERAL_DETECT))
			return -XEN_EPERM;
		value = (value & ~DR7_RESERVED_ZERO) | DR7_RESERVED_ONE;
		/* R/W field 10b is an I/O breakpoint: needs CR4.DE. */
		for (unsigned int i = 0; i < 4; i++)
			if (((value >> (16 + 4 * i)) & 3) == 2)
				return -XEN_EPERM;
		break;
	default:
		return -XEN_EINVAL;
	}
	v->debugreg[reg] = value;
	if (v == current)
		pv_load_debugregs(v);
	return 0;
}

long do_get_debugreg(uint64_t reg, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;

	if (reg > 7 || reg == 4 || reg == 5)
		return -XEN_EINVAL;
	return (long)current->debugreg[reg];
}
