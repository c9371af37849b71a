/*
 * Hypercall stubs for libpv guests.
 *
 * A hypercall is a call into the hypercall page the domain builder filled
 * in: entry N (32 bytes at hypercall_page + N*32) loads N into eax and
 * executes syscall. Arguments go in rdi, rsi, rdx, r10, r8; the result
 * comes back in rax (negative XEN_E* on error). The page's stub saves rcx
 * and r11 itself, but the hypervisor may clobber the argument registers,
 * so every stub here treats all five as clobbered, plus rcx, r11, memory.
 *
 * Names and argument orders follow Linux and Mini-OS (HYPERVISOR_xxx).
 */
#ifndef LIBPV_HYPERCALL_H
#define LIBPV_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>
#include <pv/xen.h>

/* The 4 KiB page the hypervisor fills with call stubs (hypercall_page.S). */
extern char hypercall_page[4096];

/* Number of 32-byte entries in the hypercall page. */
#define PV_HYPERCALL_PAGE_ENTRIES 128

/*
 * PV_HYPERCALL(nr, a1..a5): call page entry nr (a compile-time constant)
 * and yield the result as long.
 */
#define PV_HYPERCALL(nr, a1, a2, a3, a4, a5) ({                              \
	register unsigned long __r_di asm("rdi") = (unsigned long)(a1);     \
	register unsigned long __r_si asm("rsi") = (unsigned long)(a2);     \
	register unsigned long __r_dx asm("rdx") = (unsigned long)(a3);     \
	register unsigned long __r_10 asm("r10") = (unsigned long)(a4);     \
	register unsigned long __r_8 asm("r8") = (unsigned long)(a5);       \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[offset]"                     \
		     : "=a"(__res), "+r"(__r_di), "+r"(__r_si),             \
		       "+r"(__r_dx), "+r"(__r_10), "+r"(__r_8)              \
		     : [offset] "i"((nr) * 32)                              \
		     : "rcx", "r11", "memory");                             \
	__res;                                                              \
})

static inline long pv_hypercall_raw(unsigned long nr, unsigned long a1,
				    unsigned long a2, unsigned long a3,
				    unsigned long a4, unsigned long a5);

/*
 * Call hypercall nr (a run-time value) through its page entry. The page
 * has entries for nr < 128 only; larger numbers go through
 * pv_hypercall_raw so the hypervisor still sees the real number.
 */
static inline long pv_hypercall6(unsigned int nr, unsigned long a1,
				 unsigned long a2, unsigned long a3,
				 unsigned long a4, unsigned long a5)
{
	register unsigned long r_di asm("rdi") = a1;
	register unsigned long r_si asm("rsi") = a2;
	register unsigned long r_dx asm("rdx") = a3;
	register unsigned long r_10 asm("r10") = a4;
	register unsigned long r_8 asm("r8") = a5;
	unsigned long target = (unsigned long)hypercall_page + nr * 32UL;
	long res;

	if (nr >= PV_HYPERCALL_PAGE_ENTRIES)
		return pv_hypercall_raw(nr, a1, a2, a3, a4, a5);

	asm volatile("call *%%rax"
		     : "=a"(res), "+r"(r_di), "+r"(r_si), "+r"(r_dx),
		       "+r"(r_10), "+r"(r_8)
		     : "0"(target)
		     : "rcx", "r11", "memory");
	return res;
}

/*
 * Issue hypercall nr with a direct syscall instead of the page, for
 * numbers the page has no entry for (>= 128, or any 64-bit value). Saves
 * rcx and r11 around the syscall exactly as a page entry does.
 */
static inline long pv_hypercall_raw(unsigned long nr, unsigned long a1,
				    unsigned long a2, unsigned long a3,
				    unsigned long a4, unsigned long a5)
{
	register unsigned long r_di asm("rdi") = a1;
	register unsigned long r_si asm("rsi") = a2;
	register unsigned long r_dx asm("rdx") = a3;
	register unsigned long r_10 asm("r10") = a4;
	register unsigned long r_8 asm("r8") = a5;
	long res;

	asm volatile("push %%rcx\n\t"
		     "push %%r11\n\t"
		     "syscall\n\t"
		     "pop %%r11\n\t"
		     "pop %%rcx"
		     : "=a"(res), "+r"(r_di), "+r"(r_si), "+r"(r_dx),
		       "+r"(r_10), "+r"(r_8)
		     : "0"(nr)
		     : "rcx", "r11", "memory");
	return res;
}

static inline long HYPERVISOR_set_trap_table(const trap_info_t *table)
{
	return PV_HYPERCALL(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}

static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count,
					 unsigned int *success_count,
					 domid_t domid)
{
	return PV_HYPERCALL(__HYPERVISOR_mmu_update, req, count,
			    success_count, domid, 0);
}

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long esp)
{
	return PV_HYPERCALL(__HYPERVISOR_stack_switch, ss, esp, 0, 0, 0);
}

static inline long HYPERVISOR_set_callbacks(unsigned long event,
					    unsigned long failsafe,
					    unsigned long syscall)
{
	return PV_HYPERCALL(__HYPERVISOR_set_callbacks, event, failsafe,
			    syscall, 0, 0);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
	return PV_HYPERCALL(__HYPERVISOR_fpu_taskswitch, (long)set, 0, 0, 0, 0);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return PV_HYPERCALL(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_multicall(multicall_entry_t *calls,
					unsigned int nr_calls)
{
	return PV_HYPERCALL(__HYPERVISOR_multicall, calls, nr_calls, 0, 0, 0);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va,
						uint64_t new_val,
						unsigned long flags)
{
	return PV_HYPERCALL(__HYPERVISOR_update_va_mapping, va, new_val,
			    flags, 0, 0);
}

static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
	return PV_HYPERCALL(__HYPERVISOR_set_timer_op, timeout, 0, 0, 0, 0);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return PV_HYPERCALL(__HYPERVISOR_xen_version, (long)cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_console_io(int cmd, int count, char *buf)
{
	return PV_HYPERCALL(__HYPERVISOR_console_io, (long)cmd, (long)count,
			    buf, 0, 0);
}

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return PV_HYPERCALL(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *extra)
{
	return PV_HYPERCALL(__HYPERVISOR_vcpu_op, (long)cmd, vcpuid, extra,
			    0, 0);
}

static inline long HYPERVISOR_set_segment_base(unsigned int which,
					       unsigned long base)
{
	return PV_HYPERCALL(__HYPERVISOR_set_segment_base, which, base,
			    0, 0, 0);
}

static inline long HYPERVISOR_mmuext_op(mmuext_op_t *op, unsigned int count,
					unsigned int *success_count,
					domid_t domid)
{
	return PV_HYPERCALL(__HYPERVISOR_mmuext_op, op, count, success_count,
			    domid, 0);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return PV_HYPERCALL(__HYPERVISOR_sched_op, (long)cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{
	return PV_HYPERCALL(__HYPERVISOR_callback_op, (long)cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return PV_HYPERCALL(__HYPERVISOR_event_channel_op, (long)cmd, arg,
			    0, 0, 0);
}

#endif /* LIBPV_HYPERCALL_H */
