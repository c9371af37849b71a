/*
 * The hypercall gate. A 64-bit PV guest kernel enters with `syscall` (from
 * its hypercall page, or directly): rax = hypercall number, arguments in
 * rdi, rsi, rdx, r10, r8. The number indexes a table; holes and numbers past
 * its end return -ENOSYS. HYPERVISOR_iret is special: it replaces the whole
 * register frame rather than returning a value.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/pv.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/schedule.h>
#include <pv/xen.h>
#include <pv/errno.h>
#include <asm/spec_ctrl.h>
#include <lamina/guest_access.h>
#include <lamina/vcpu_op.h>
#include <lamina/timer.h>

/*
 * The hypercall table: number, handler, and whether the fast path in
 * entry.S may call it without a register frame. A fast handler only reads
 * its arguments and `current` and always returns (it never reschedules,
 * continues or rewrites guest state), and takes at most three arguments:
 * the fast path does not pass the fourth (r10), so a4 holds junk there.
 * Not console_io: a long write continues itself, which needs the frame.
 * Numbers past the table, and holes, return -ENOSYS.
 */
#define FAST 1
#define FULL 0
#define HYPERCALL_TABLE(X) \
	X(set_trap_table,    do_set_trap_table,    FAST) \
	X(mmu_update,        do_mmu_update,        FULL) \
	X(set_gdt,           do_set_gdt,           FULL) \
	X(stack_switch,      do_stack_switch,      FAST) \
	X(set_callbacks,     do_set_callbacks,     FAST) \
	X(fpu_taskswitch,    do_fpu_taskswitch,    FAST) \
	X(set_timer_op,      do_set_timer_op,      FULL) \
	X(set_debugreg,      do_set_debugreg,      FULL) \
	X(get_debugreg,      do_get_debugreg,      FULL) \
	X(update_descriptor, do_update_descriptor, FULL) \
	X(memory_op,         do_memory_op,         FULL) \
	X(multicall,         do_multicall,         FULL) \
	X(update_va_mapping, do_update_va_mapping, FAST) \
	X(xen_version,       do_xen_version,       FAST) \
	X(console_io,        do_console_io,        FULL) \
	X(grant_table_op,    do_grant_table_op,    FULL) \
	X(vm_assist,         do_vm_assist,         FAST) \
	X(vcpu_op,           do_vcpu_op,           FULL) \
	X(set_segment_base,  do_set_segment_base,  FAST) \
	X(mmuext_op,         do_mmuext_op,         FULL) \
	X(sched_op,          do_sched_op,          FULL) \
	X(event_channel_op,  do_event_channel_op,  FULL) \
	X(callback_op,       do_callback_op,       FAST) \
	X(lamina_perf,       do_lamina_perf,       FAST)

#define TABLE_ENTRY(name, fn, path) [__HYPERVISOR_##name] = fn,
hypercall_fn *const hypercall_table[NR_FAST_HYPERCALLS] = {
	HYPERCALL_TABLE(TABLE_ENTRY)
};

/* The table's fast column as a bitmap (a fast number is below 64). */
#define FAST_BIT(name, fn, path) | ((uint64_t)(path) << __HYPERVISOR_##name)
static const uint64_t fast_column = 0 HYPERCALL_TABLE(FAST_BIT);

/* Bit n set: hypercall n takes the fast path (tested before any push). */
uint64_t fast_hypercall_mask;

void hypercall_init(void)
{
	/* Tracing sees every call: then the fast path is left unused; so it is
	 * with no_fast_hypercalls, which the test suite uses to run every guest
	 * through the full-frame path as well. */
	if (hv_options.trace_hypercalls || hv_options.no_fast_hypercalls)
		return;
	fast_hypercall_mask = fast_column;
}

/*
 * The hypercall being handled on this CPU. It is reset whenever a hypercall
 * begins and whenever the scheduler switches: a call that ends in
 * schedule() (a domain shutting itself down) is abandoned with its stack,
 * and nothing of it may outlive it.
 */
struct hypercall_state cur_hcall;

bool hypercall_may_continue(void)
{
	return cur_hcall.regs && !cur_hcall.continued;
}

bool hypercall_preempt_check(void)
{
	struct vcpu *v = current;

	return need_resched || v->blocked || v->domain->state != DOMAIN_RUNNING ||
	       *(const volatile uint16_t *)&v->vcpu_info->evtchn_upcall_pending == 1 ||
	       timer_due();
}

/*
 * Inside a multicall the sub-call's continuation goes into its entry (the
 * multicall then continues itself from that entry); otherwise the guest's
 * registers are rewritten and its rip moved back onto the syscall.
 */
long hypercall_create_continuation(uint64_t nr, uint64_t a1, uint64_t a2,
				   uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct cpu_regs *r = cur_hcall.regs;

	cur_hcall.continued = true;
	if (cur_hcall.sub) {
		cur_hcall.sub->args[0] = a1;
		cur_hcall.sub->args[1] = a2;
		cur_hcall.sub->args[2] = a3;
		cur_hcall.sub->args[3] = a4;
		cur_hcall.sub->args[4] = a5;
		return (long)nr;
	}
	r->rdi = a1;
	r->rsi = a2;
	r->rdx = a3;
	r->r10 = a4;
	r->r8 = a5;
	r->rip -= 2;            /* back onto the guest's syscall */
	return (long)nr;        /* rax: the hypercall to re-enter */
}

struct cpu_perf cpu_perf;

/* Per-CPU counts belong to the domain that ran: fold them into d's. */
static void fold_fast_counts(struct domain *d)
{
	d->perf.guest_entries += cpu_fast_hypercalls + cpu_perf.entries;
	d->perf.hypercalls += cpu_fast_hypercalls + cpu_perf.hypercalls;
	d->perf.exceptions += cpu_perf.exceptions;
	d->perf.bounces += cpu_perf.bounces;
	d->perf.cr3_writes += cpu_perf.cr3_writes;
	d->perf.verws += cpu_verw_count;
	cpu_fast_hypercalls = 0;
	cpu_verw_count = 0;
	memset(&cpu_perf, 0, sizeof(cpu_perf));
}

void perf_switch_domain(struct domain *from)
{
	if (from) {
		fold_fast_counts(from);
	} else {
		cpu_fast_hypercalls = 0;
		cpu_verw_count = 0;
		memset(&cpu_perf, 0, sizeof(cpu_perf));
	}
}

/* Lamina's benchmark counters (pv-abi/include/lamina/perf.h). */
long do_lamina_perf(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	struct domain *d = current->domain;
	(void)a3, (void)a4, (void)a5;

	switch (cmd) {
	case LAMINA_PERF_READ:
		fold_fast_counts(d);
		return copy_to_guest(arg, &d->perf, sizeof(d->perf));
	case LAMINA_PERF_RESET:
		memset(&d->perf, 0, sizeof(d->perf));
		cpu_fast_hypercalls = 0;
		cpu_verw_count = 0;
		memset(&cpu_perf, 0, sizeof(cpu_perf));
		return 0;
	}
	return -XEN_ENOSYS;
}


long hypercall_dispatch(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4, uint64_t a5)
{
	if (nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr])
		return hypercall_table[nr](a1, a2, a3, a4, a5);
	return -XEN_ENOSYS;
}

/*
 * Called by entry.S for every syscall from a guest. Returns nonzero when
 * the frame's rcx/r11 are dead (the ABI lets the return clobber them), so
 * exit_to_guest may use sysretq if the frame allows it.
 */
int handle_syscall(struct cpu_regs *regs)
{
	struct vcpu *v = current;
	uint64_t nr = regs->rax;

	cpu_perf.entries++;
	cpu_perf.hypercalls += v->kernel_mode;
	if (!v->kernel_mode) {
		int sysret_ok = pv_user_syscall(regs);
		pv_return_to_guest(regs);
		return sysret_ok;
	}

	if (nr == __HYPERVISOR_iret) {
		int sysret_ok = pv_iret(regs);
		pv_return_to_guest(regs);
		return sysret_ok;
	}

	hypercall_state_reset();
	cur_hcall.regs = regs;
	regs->rax = (uint64_t)hypercall_dispatch(nr, regs->rdi, regs->rsi,
						 regs->rdx, regs->r10, regs->r8);
	bool continued = cur_hcall.continued;
	hypercall_state_reset();
	if (hv_options.trace_hypercalls && (long)regs->rax < 0)
		printk("d%u: hypercall %lu(%#lx, %#lx, %#lx, %#lx) = %ld at rip %#lx\n",
		       v->domain->domain_id, nr, regs->rdi, regs->rsi, regs->rdx,
		       regs->r10, (long)regs->rax, regs->rip);
	/* The argument registers come back zeroed, as on the fast path (a
	 * continuation left the re-issued call's arguments in them). */
	if (!continued)
		regs->rdi = regs->rsi = regs->rdx = regs->r10 = regs->r8 = 0;
	pv_return_to_guest(regs);
	return 1;
}

/* SYSCALL from 32-bit compatibility code: there are no 32-bit PV guests. */
void handle_compat_syscall(struct cpu_regs *regs)
{
	domain_crash_current(regs, "syscall from 32-bit code (32-bit PV is not supported)");
}
