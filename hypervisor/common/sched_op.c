/*
 * sched_op: yield, block, poll, shutdown, remote_shutdown, shutdown_code.
 */
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/schedule.h>
#include <lamina/time.h>
#include <pv/xen.h>
#include <pv/sched.h>
#include <pv/errno.h>

#define MAX_POLL_PORTS 4        /* Xen allows 128; Linux polls one */

/*
 * Give up the CPU or sleep until an event. Nothing switches here: the vCPU
 * is marked (blocked, or a scheduling decision requested) and the call
 * returns 0; the switch happens on the way back to the guest, after the
 * result is in its frame. Inside a multicall the batch stops after this
 * entry and continues when the vCPU runs again, as in Xen.
 */
static long deschedule(bool block)
{
	if (block)
		vcpu_sleep_current();
	sched_request();
	return 0;
}

static long sched_block(void)
{
	struct vcpu *v = current;

	/* Blocking re-enables event delivery, as in Xen; pending: no sleep. */
	v->vcpu_info->evtchn_upcall_mask = 0;
	if (v->vcpu_info->evtchn_upcall_pending)
		return 0;
	return deschedule(true);
}

static long sched_poll(uint64_t arg)
{
	struct vcpu *v = current;
	struct sched_poll poll;
	uint32_t ports[MAX_POLL_PORTS];

	if (copy_from_guest(&poll, arg, sizeof(poll)))
		return -XEN_EFAULT;
	if (poll.nr_ports > MAX_POLL_PORTS)
		return -XEN_EINVAL;
	if (copy_from_guest(ports, (uint64_t)poll.ports.p,
			    poll.nr_ports * sizeof(uint32_t)))
		return -XEN_EFAULT;
	for (unsigned int i = 0; i < poll.nr_ports; i++) {
		if (ports[i] >= NR_EVTCHN_PORTS)
			return -XEN_EINVAL;
		if (evtchn_port_is_pending(v->domain, ports[i]))
			return 0;
	}
	v->nr_poll_ports = poll.nr_ports;
	for (unsigned int i = 0; i < poll.nr_ports; i++)
		v->poll_ports[i] = ports[i];
	/* The timer was set up with the vCPU (sched_add_vcpu), never here. */
	if (poll.timeout)
		timer_set(&v->poll_timer, poll.timeout);
	return deschedule(true);
}

static long remote_shutdown(uint64_t arg)
{
	struct sched_remote_shutdown rs;

	if (!current->domain->privileged)
		return -XEN_EPERM;
	if (copy_from_guest(&rs, arg, sizeof(rs)))
		return -XEN_EFAULT;
	if (rs.reason > SHUTDOWN_MAX)
		return -XEN_EINVAL;
	if (rs.domain_id >= MAX_DOMAINS || !domains[rs.domain_id] ||
	    domains[rs.domain_id]->state != DOMAIN_RUNNING)
		return -XEN_ESRCH;
	struct domain *target = domains[rs.domain_id];
	domain_shutdown(target, rs.reason);
	if (target == current->domain)
		schedule();
	return 0;
}

long do_sched_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		 uint64_t a5)
{
	struct domain *d = current->domain;
	struct sched_shutdown sd;
	(void)a3, (void)a4, (void)a5;

	switch (cmd) {
	case SCHEDOP_yield:
		return deschedule(false);
	case SCHEDOP_block:
		return sched_block();
	case SCHEDOP_poll:
		return sched_poll(arg);
	case SCHEDOP_shutdown:
		if (copy_from_guest(&sd, arg, sizeof(sd)))
			return -XEN_EFAULT;
		if (sd.reason > SHUTDOWN_MAX)
			return -XEN_EINVAL;
		domain_shutdown(d, sd.reason);
		schedule();
	case SCHEDOP_remote_shutdown:
		return remote_shutdown(arg);
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
