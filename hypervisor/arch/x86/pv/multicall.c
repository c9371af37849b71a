/*
 * multicall: a batch of hypercalls in one guest entry. Each entry's result
 * is written back into it. iret (which replaces the caller's frame) and a
 * nested multicall are refused per entry with -EINVAL, as Xen refuses
 * multicall reentry.
 *
 * The batch is preemptible as in Xen (common/multicall.c): between entries
 * it stops when hypercall_preempt_check() says so and continues itself with
 * the rest of the list. A sub-call that continues (a long mmu_update, a
 * long console write) leaves its continuation in its own entry, and the
 * multicall continues from that entry. So a blocking sched_op inside a
 * batch really blocks: the vCPU sleeps after that entry, and the rest of
 * the batch runs when it wakes.
 */
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/schedule.h>
#include <pv/xen.h>
#include <pv/errno.h>

/* The timer check reads the clock: once every this many entries. */
#define MULTICALL_TIMER_CHECK_EVERY 32

/*
 * Run one entry; true if the sub-call made a continuation (its entry's
 * args now hold it, and the multicall must continue from this entry).
 */
static inline bool run_subcall(struct multicall_entry *call)
{
	bool continued;

	cur_hcall.sub = call;
	call->result = (xen_ulong_t)hypercall_dispatch(
		call->op, call->args[0], call->args[1], call->args[2],
		call->args[3], call->args[4]);
	continued = cur_hcall.continued;
	cur_hcall.sub = NULL;
	cur_hcall.continued = false;
	return continued;
}

/*
 * Stop before entry i (> 0)? Blocking, ending the domain and waking
 * another vCPU all request a scheduling decision, seen at once; the rest
 * of hypercall_preempt_check() reads the clock, so only now and then.
 */
static inline bool stop_before(unsigned int i)
{
	return need_resched ||
	       (i % MULTICALL_TIMER_CHECK_EVERY == 0 && hypercall_preempt_check());
}

long do_multicall(uint64_t list, uint64_t nr_calls, uint64_t a3, uint64_t a4,
		  uint64_t a5)
{
	unsigned int n = (unsigned int)nr_calls, i;
	const size_t size = sizeof(struct multicall_entry);
	long rc = 0;
	(void)a3, (void)a4, (void)a5;

	if (!hypercall_may_continue())
		return -XEN_EINVAL;     /* not from the full-frame path */
	for (i = 0; i < n; i++) {
		struct multicall_entry call;
		uint64_t at = list + (uint64_t)i * size;

		if (i && stop_before(i))
			break;
		if (copy_from_guest(&call, at, size))
			return -XEN_EFAULT;
		if (call.op == __HYPERVISOR_iret ||
		    call.op == __HYPERVISOR_multicall) {
			call.result = (xen_ulong_t)-XEN_EINVAL;
		} else {
			bool continued = run_subcall(&call);

			/* Ending a domain requests a scheduling decision: only
			 * then look whether ours ended (its memory is gone). */
			if (need_resched && current->domain->state != DOMAIN_RUNNING)
				return 0;
			if (continued) {
				/* Write the continued entry back; resume from it. */
				if (copy_to_guest(at, &call, size))
					return -XEN_EFAULT;
				break;
			}
		}
		if (copy_to_guest(at + __builtin_offsetof(struct multicall_entry, result),
				  &call.result, sizeof(call.result)))
			return -XEN_EFAULT;
	}
	if (i < n)
		rc = hypercall_create_continuation(__HYPERVISOR_multicall,
						   list + (uint64_t)i * size,
						   n - i, 0, 0, 0);
	return rc;
}
