/*
 * libpv event channels: the two-level demultiplexer behind the event
 * callback, port binding, and the vCPU's event mask. See libpv/events.h.
 */
#include <libpv/events.h>
#include <libpv/hypercall.h>
#include <libpv/usermode.h>
#include <pv/errno.h>
#include <pv/version.h>

#define BITS_PER_WORD (8 * sizeof(xen_ulong_t))

struct port_binding {
	pv_event_handler_t fn;
	void *data;
};

static struct port_binding bindings[PV_EVENTS_MAX_PORTS];
unsigned long pv_events_spurious;

/* vCPU 0's event state in the shared_info page. */
static vcpu_info_t *vcpu0(void)
{
	return &pv_shared_info()->vcpu_info[0];
}

/* Run the handler of one port whose pending bit was just cleared. */
static void dispatch_port(evtchn_port_t port, struct pv_trap_frame *frame)
{
	if (port < PV_EVENTS_MAX_PORTS && bindings[port].fn)
		bindings[port].fn(port, frame, bindings[port].data);
	else
		pv_events_spurious++;
}

/* Handle the pending, unmasked ports of word w of the pending bitmap. */
static void handle_word(shared_info_t *si, unsigned int w,
			struct pv_trap_frame *frame)
{
	xen_ulong_t ready = __atomic_load_n(&si->evtchn_pending[w], __ATOMIC_ACQUIRE) &
			    ~__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_RELAXED);

	while (ready) {
		unsigned int bit = (unsigned int)__builtin_ctzl(ready);

		ready &= ready - 1;
		__atomic_fetch_and(&si->evtchn_pending[w], ~(1UL << bit),
				   __ATOMIC_ACQ_REL);
		dispatch_port((evtchn_port_t)(w * BITS_PER_WORD + bit), frame);
	}
}

/*
 * Clear upcall_pending before taking the selector, so an event that
 * arrives while the words are being scanned sets it again and is seen by
 * the next round.
 */
void pv_events_handle(struct pv_trap_frame *frame)
{
	shared_info_t *si = pv_shared_info();
	vcpu_info_t *vi = vcpu0();

	while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
		xen_ulong_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0,
						      __ATOMIC_ACQ_REL);
		while (sel) {
			unsigned int w = (unsigned int)__builtin_ctzl(sel);

			sel &= sel - 1;
			handle_word(si, w, frame);
		}
	}
}

bool pv_events_init(void)
{
	if (!pv_shared_info())
		return false;
	pv_trap_set_handler(PV_VEC_EVENT, pv_events_handle);
	return true;
}

int pv_bind_port(evtchn_port_t port, pv_event_handler_t fn, void *data)
{
	if (port >= PV_EVENTS_MAX_PORTS)
		return -XEN_EINVAL;
	bindings[port].fn = fn;
	bindings[port].data = data;
	return (int)pv_unmask_port(port);
}

long pv_bind_virq(unsigned int virq, pv_event_handler_t fn, void *data)
{
	struct evtchn_bind_virq bind = { .virq = virq, .vcpu = 0 };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);

	if (rc)
		return rc;
	rc = pv_bind_port(bind.port, fn, data);
	return rc ? rc : (long)bind.port;
}

void pv_mask_port(evtchn_port_t port)
{
	shared_info_t *si = pv_shared_info();

	__atomic_fetch_or(&si->evtchn_mask[port / BITS_PER_WORD],
			  1UL << (port % BITS_PER_WORD), __ATOMIC_SEQ_CST);
}

long pv_unmask_port(evtchn_port_t port)
{
	struct evtchn_unmask unmask = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &unmask);
}

long pv_notify_port(evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

/*
 * With the mask clear, the hypervisor delivers on its next return to us;
 * a cheap hypercall makes that "now" when something is already pending.
 */
void pv_events_enable(void)
{
	vcpu_info_t *vi = vcpu0();

	__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
		(void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

bool pv_events_disable(void)
{
	vcpu_info_t *vi = vcpu0();

	return !__atomic_exchange_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
}
