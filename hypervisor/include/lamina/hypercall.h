/*
 * Hypercall handlers. Each takes the five argument registers (rdi, rsi, rdx,
 * r10, r8) and returns the value for rax: >= 0 on success, a negative
 * XEN_E* on failure. Table and dispatch: arch/x86/pv/hypercall.c.
 */
#ifndef LAMINA_HYPERCALL_H
#define LAMINA_HYPERCALL_H

/* The table's size: every hypercall number Lamina serves is below it, and
 * the fast path's bitmap covers it (entry.S). */
#define NR_FAST_HYPERCALLS 64

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

#define HYPERCALL_ARGS uint64_t, uint64_t, uint64_t, uint64_t, uint64_t
typedef long hypercall_fn(HYPERCALL_ARGS);

hypercall_fn do_set_trap_table, do_set_callbacks, do_callback_op,
	     do_stack_switch, do_fpu_taskswitch, do_set_segment_base,
	     do_vm_assist, do_xen_version, do_console_io, do_sched_op,
	     do_lamina_perf, do_mmu_update, do_mmuext_op, do_update_va_mapping,
	     do_multicall, do_set_gdt, do_update_descriptor, do_grant_table_op,
	     do_set_debugreg, do_get_debugreg;
hypercall_fn do_memory_op;

/* Run hypercall nr through the table (-ENOSYS for holes); not iret. */
long hypercall_dispatch(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4, uint64_t a5);

/*
 * Continuations (Xen's mechanism): a long hypercall does a bounded chunk of
 * work, then asks to be re-entered with new arguments. The guest's rip is
 * moved back onto its `syscall`, so the call resumes as soon as the guest
 * runs again, and other work (interrupts, other domains) can happen in
 * between. Only possible on the full-frame path: hypercall_may_continue()
 * says whether the current call can. Inside a multicall the sub-call's
 * continuation is stored in its entry and the multicall continues itself
 * from that entry (arch/x86/pv/multicall.c).
 */
bool hypercall_may_continue(void);
long hypercall_create_continuation(uint64_t nr, uint64_t a1, uint64_t a2,
				   uint64_t a3, uint64_t a4, uint64_t a5);
/*
 * Should a long hypercall stop at its next boundary and continue later?
 * (Xen's hypercall_preempt_check): a scheduling decision is pending, the
 * vCPU blocked or its domain ended, an event waits for delivery, or a
 * hypervisor timer is due (interrupts are off in the hypervisor, so a due
 * timer is only noticed here).
 */
bool hypercall_preempt_check(void);
/*
 * The hypercall being handled on this CPU. It is reset whenever a hypercall
 * begins and whenever the scheduler switches: a call that ends in
 * schedule() (a domain shutting itself down) is abandoned with its stack,
 * and nothing of it may outlive it.
 */
struct multicall_entry;
struct hypercall_state {
	struct cpu_regs *regs;          /* full-frame path only, else NULL */
	bool continued;                 /* a continuation was made */
	struct multicall_entry *sub;    /* inside a multicall: the entry running */
};
extern struct hypercall_state cur_hcall;

static inline void hypercall_state_reset(void)
{
	cur_hcall.regs = NULL;
	cur_hcall.continued = false;
	cur_hcall.sub = NULL;
}

/* Fast-path counts belong to the domain that ran: call when switching. */
struct domain;
void perf_switch_domain(struct domain *from);

/* The hypercall table (NULL: -ENOSYS), shared by both paths. */
extern hypercall_fn *const hypercall_table[NR_FAST_HYPERCALLS];
extern uint64_t cpu_fast_hypercalls;    /* fast-path calls on this CPU */
/*
 * The hot counters of lamina_perf, kept per CPU (one increment, no pointer
 * chasing on the guest's paths) and folded into the running domain's when
 * it is read or switched out.
 */
struct cpu_perf {
	uint64_t entries, hypercalls, exceptions, bounces, cr3_writes;
};
extern struct cpu_perf cpu_perf;
extern uint64_t fast_hypercall_mask;    /* bit n: n takes the fast path */
/* Set fast_hypercall_mask from the table's fast column (once, at boot). */
void hypercall_init(void);
#endif

#endif
