/*
 * multicall: a batch of hypercalls in one guest entry. Each entry's result
 * is written back into it. iret (which replaces the caller's frame) and a
 * nested multicall are refused per entry with -EINVAL, as Xen refuses
 * multicall reentry.
 */
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <pv/xen.h>
#include <pv/errno.h>

long do_multicall(uint64_t list, uint64_t nr_calls, uint64_t a3, uint64_t a4,
		  uint64_t a5)
{
	unsigned int n = (unsigned int)nr_calls;
	long rc = 0;
	(void)a3, (void)a4, (void)a5;

	/* An inner call cannot resume on its own: it has no syscall to redo. */
	hypercall_block_continuations(true);
	for (unsigned int i = 0; i < n; i++) {
		struct multicall_entry call;
		uint64_t at = list + (uint64_t)i * sizeof(call);

		if (copy_from_guest(&call, at, sizeof(call))) {
			rc = -XEN_EFAULT;
			break;
		}
		if (call.op == __HYPERVISOR_iret || call.op == __HYPERVISOR_multicall)
			call.result = (xen_ulong_t)-XEN_EINVAL;
		else
			call.result = (xen_ulong_t)hypercall_dispatch(
				call.op, call.args[0], call.args[1], call.args[2],
				call.args[3], call.args[4]);
		if (copy_to_guest(at + __builtin_offsetof(struct multicall_entry, result),
				  &call.result, sizeof(call.result))) {
			rc = -XEN_EFAULT;
			break;
		}
	}
	hypercall_block_continuations(false);
	return rc;
}
