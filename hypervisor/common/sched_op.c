/*
 * sched_op: yield, block, shutdown. One vCPU per domain and no timers yet
 * (events and time arrive with issue 4), so yield returns at once and block
 * idles the CPU until an event could arrive.
 */
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <pv/xen.h>
#include <pv/sched.h>
#include <pv/errno.h>
#include <asm/cpu.h>

static long sched_block(void)
{
	struct vcpu *v = current;

	/* Blocking re-enables event delivery, as in Xen. */
	v->vcpu_info->evtchn_upcall_mask = 0;
	if (v->vcpu_info->evtchn_upcall_pending)
		return 0;
	/*
	 * Nothing can wake the domain yet: no event sources exist before the
	 * events issue. Idle with interrupts on until one does.
	 */
	printk("domain %u blocked with no event source; idling\n",
	       v->domain->domain_id);
	for (;;)
		__asm__ volatile("sti; hlt; cli");
}

long do_sched_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		 uint64_t a5)
{
	struct domain *d = current->domain;
	struct sched_shutdown sd;
	(void)a3, (void)a4, (void)a5;

	switch (cmd) {
	case SCHEDOP_yield:
		return 0;
	case SCHEDOP_block:
		return sched_block();
	case SCHEDOP_shutdown:
		if (copy_from_guest(&sd, arg, sizeof(sd)))
			return -XEN_EFAULT;
		if (sd.reason > SHUTDOWN_MAX)
			return -XEN_EINVAL;
		domain_shutdown(d, sd.reason);
		schedule();
	case SCHEDOP_shutdown_code:
		if (copy_from_guest(&sd, arg, sizeof(sd)))
			return -XEN_EFAULT;
		if (sd.reason > SHUTDOWN_MAX)
			return -XEN_EINVAL;
		d->shutdown_code = sd.reason;
		return 0;
	}
	return -XEN_ENOSYS;
}
