/* Helpers for the multi-domain test guests (see mdlib.h). */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include <pv/vcpu.h>
#include "mdlib.h"

#define BITS 64

static char shared_page[4096] __attribute__((aligned(4096)));
static shared_info_t *sh;

void md_init(void)
{
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	sh = pv_map_shared_info(shared_page);
	if (!sh)
		pv_crash("could not map shared_info\n");
}

uint64_t md_now(void)
{
	return pv_system_time_ns();
}

unsigned long md_arg(const char *key, unsigned long def)
{
	unsigned long value;

	return pv_cmdline_ulong(key, &value) ? value : def;
}

bool md_arg_is(const char *key, const char *value)
{
	char buf[32];

	return pv_cmdline_get(key, buf, sizeof(buf)) && !strcmp(buf, value);
}

uint64_t md_running_ns(void)
{
	struct vcpu_runstate_info rs;

	if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs) != 0)
		return 0;
	return rs.time[RUNSTATE_running];
}

long md_alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	if (port)
		*port = a.port;
	return rc;
}

long md_bind_interdomain(domid_t rdom, evtchn_port_t rport,
			 evtchn_port_t *local)
{
	struct evtchn_bind_interdomain b = { .remote_dom = rdom,
					     .remote_port = rport };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

	if (local)
		*local = b.local_port;
	return rc;
}

long md_bind_virq(uint32_t virq, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

	if (port)
		*port = b.port;
	return rc;
}

long md_send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

long md_close(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

long md_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
	*st = (struct evtchn_status){ .dom = dom, .port = port };
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

bool md_pending(evtchn_port_t port)
{
	return (__atomic_load_n(&sh->evtchn_pending[port / BITS],
				__ATOMIC_SEQ_CST) >> (port % BITS)) & 1;
}

void md_clear_pending(evtchn_port_t port)
{
	__atomic_fetch_and(&sh->evtchn_pending[port / BITS],
			   ~(1UL << (port % BITS)), __ATOMIC_SEQ_CST);
}

/* Poll loop: SCHEDOP_poll may return early (another port, a timer). */
bool md_wait_port(evtchn_port_t port, uint64_t timeout_ns)
{
	uint64_t deadline = md_now() + timeout_ns;
	struct sched_poll poll = { .nr_ports = 1, .timeout = deadline };

	poll.ports.p = &port;
	while (!md_pending(port)) {
		if (md_now() >= deadline)
			return false;
		HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	}
	md_clear_pending(port);
	return true;
}

bool md_domain_alive(domid_t id)
{
	struct evtchn_status st;

	return md_status(id, 0, &st) != -XEN_ESRCH;
}

void md_yield(void)
{
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}
