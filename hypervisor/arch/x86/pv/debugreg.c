/*
 * set_debugreg / get_debugreg: a guest's hardware breakpoints. The values
 * are per vCPU and loaded into DR0-DR3/DR7 while it runs; a #DB they cause
 * is bounced to the guest with DR6 saved for get_debugreg. Checked as Xen
 * does: breakpoint addresses must be the guest's, and general detect and
 * I/O breakpoints (which need CR4.DE, never set for guests) are refused.
 */
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/pv.h>
#include <pv/errno.h>

#define DR6_RESERVED_ONES 0xffff0ff0UL  /* DR6 bits that read as 1 */
#define DR7_RESERVED_ONE  (1UL << 10)
#define DR7_RESERVED_ZERO ((3UL << 11) | (3UL << 14))
#define DR7_GENERAL_DETECT (1UL << 13)
#define DR7_ENABLE_MASK   0xffUL

#define LOAD_DR(n, v) __asm__ volatile("mov %0, %%db" #n : : "r"(v))

/* Put v's breakpoints into the CPU (none enabled: DR7 cleared). */
void pv_load_debugregs(const struct vcpu *v)
{
	if (!(v->debugreg[7] & DR7_ENABLE_MASK)) {
		LOAD_DR(7, DR7_RESERVED_ONE);
		return;
	}
	LOAD_DR(0, v->debugreg[0]);
	LOAD_DR(1, v->debugreg[1]);
	LOAD_DR(2, v->debugreg[2]);
	LOAD_DR(3, v->debugreg[3]);
	LOAD_DR(7, v->debugreg[7]);
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
	struct vcpu *v = current;
	(void)a3, (void)a4, (void)a5;

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
