/*
 * libpv console ring writer for unprivileged domains (libpv/console_ring.h).
 * The page is in the initial mapping: found through the M2P.
 */
#include <libpv/console.h>
#include <libpv/console_ring.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <pv/io/console.h>

static struct xencons_interface *ring;
static evtchn_port_t ring_port;

/* Tell the backend there is output (or that input was consumed). */
static long notify_backend(void)
{
	struct evtchn_send send = { .port = ring_port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

/* Copy as much of text as fits; the number of bytes queued. */
static size_t ring_put(const char *text, size_t len)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = ring->out_prod;
	size_t n = 0;

	while (n < len && prod - cons < sizeof(ring->out))
		ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = text[n++];
	__atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
	return n;
}

void pv_console_ring_write(const char *text, size_t len)
{
	while (len) {
		size_t n = ring_put(text, len);

		text += n;
		len -= n;
		if (len) {              /* full: let the backend drain it */
			/* A port the guest closed or reset has no backend:
			 * waiting for room would never end. */
			if (notify_backend() < 0)
				return;
			(void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		}
	}
	notify_backend();
}

size_t pv_console_ring_read(char *buf, size_t size)
{
	XENCONS_RING_IDX prod = __atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX cons = ring->in_cons;
	size_t n = 0;

	while (n < size && cons != prod)
		buf[n++] = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];
	__atomic_store_n(&ring->in_cons, cons, __ATOMIC_RELEASE);
	if (n)
		notify_backend();
	return n;
}

bool pv_console_ring_init(void)
{
	const start_info_t *si = pv_start_info;

	if (ring)
		return true;
	if ((si->flags & SIF_INITDOMAIN) || !si->console.domU.mfn)
		return false;
	ring = pv_pfn_to_virt(pv_mfn_to_pfn(si->console.domU.mfn));
	ring_port = si->console.domU.evtchn;
	pv_console_set_writer(pv_console_ring_write);
	return true;
}

evtchn_port_t pv_console_ring_port(void)
{
	return ring_port;
}
