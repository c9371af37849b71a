/*
 * Hypercall handlers. Each takes the five argument registers (rdi, rsi, rdx,
 * r10, r8) and returns the value for rax: >= 0 on success, a negative
 * XEN_E* on failure. Table and dispatch: arch/x86/pv/hypercall.c.
 */
#ifndef LAMINA_HYPERCALL_H
#define LAMINA_HYPERCALL_H

/* Hypercall numbers below this may have a fast-path handler (entry.S). */
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
 * between. Only possible on the full-frame path, outside a multicall:
 * hypercall_may_continue() says whether the current call can.
 */
bool hypercall_may_continue(void);
/* The guest frame of the hypercall being handled (full-frame path). */
struct cpu_regs;
struct cpu_regs *hypercall_regs(void);
bool hypercall_in_multicall(void);
/* Calls made inside a multicall run to completion instead. */
void hypercall_block_continuations(bool block);
long hypercall_create_continuation(uint64_t nr, uint64_t a1, uint64_t a2,
				   uint64_t a3, uint64_t a4, uint64_t a5);

/* Fast-path counts belong to the domain that ran: call when switching. */
struct domain;
void perf_switch_domain(struct domain *from);

/* The fast path's table (NULL: take the full-frame path) and its state. */
extern hypercall_fn *const fast_hypercall_table[NR_FAST_HYPERCALLS];
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
extern uint64_t fast_hypercall_mask;    /* bit n: table entry n exists */
/* Compute fast_hypercall_mask from the table (once, at boot). */
void hypercall_init(void);
#endif

#endif
