/*
 * review_fifo_hostile: a hostile FIFO guest against the hypervisor's queue
 * code. Nothing here may hang, fault or panic the hypervisor, and nothing
 * may write into a frame once EVTCHNOP_reset released it:
 *  - the control block inside event-array page 0 (one frame, two roles),
 *    and the same frame given to expand_array for every page;
 *  - a LINK loop on a queue tail, a tail word stuck BUSY|LINKED, a tail
 *    whose LINK points past the array: sends on top of each;
 *  - a linked port moved to another priority, closed, and its number
 *    rebound while still linked;
 *  - reset with ports linked, then the released frame watched for writes.
 */
#include <libpv/usermode.h>
#include <libpv/events_fifo.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include "testlib.h"

#define CB_OFFSET 2048
#define FW(bit)   ((event_word_t)1 << EVTCHN_FIFO_##bit)
#define Q         EVTCHN_FIFO_PRIORITY_DEFAULT

static char shared_page[4096] __attribute__((aligned(4096)));
static char both_page[4096] __attribute__((aligned(4096)));
static shared_info_t *sh;
static struct vcpu_info *vi;
static struct evtchn_fifo_control_block *cb;

static long evop(unsigned int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static event_word_t *word(evtchn_port_t p)
{
	return (event_word_t *)both_page + p;
}

static evtchn_port_t bind_ipi(void)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };

	if (evop(EVTCHNOP_bind_ipi, &b))
		pv_crash("review_fifo_hostile: bind_ipi failed\n");
	return b.port;
}

static long send(evtchn_port_t p)
{
	struct evtchn_send s = { .port = p };

	return evop(EVTCHNOP_send, &s);
}

static long set_prio(evtchn_port_t p, uint32_t prio)
{
	struct evtchn_set_priority sp = { .port = p, .priority = prio };

	return evop(EVTCHNOP_set_priority, &sp);
}

static long close_port(evtchn_port_t p)
{
	struct evtchn_close c = { .port = p };

	return evop(EVTCHNOP_close, &c);
}

static long expand_mfn(unsigned long mfn)
{
	struct evtchn_expand_array ea = { .array_gfn = mfn };

	return evop(EVTCHNOP_expand_array, &ea);
}

void kernel_main(start_info_t *si)
{
	struct evtchn_init_control ic = { .offset = CB_OFFSET, .vcpu = 0 };
	struct evtchn_reset r = { .dom = DOMID_SELF };
	unsigned long mfn = pv_fifo_mfn(both_page);
	evtchn_port_t a, b, c, d, e;
	bool clean = true;
	(void)si;

	pv_printf("review_fifo_hostile: hostile FIFO queues\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("review_fifo_hostile: trap set-up failed\n");
	sh = pv_map_shared_info(shared_page);
	if (!sh)
		pv_crash("review_fifo_hostile: no shared_info\n");
	vi = &sh->vcpu_info[0];
	vi->evtchn_upcall_mask = 1;     /* we read the queues by hand */

	ic.control_gfn = mfn;
	test_expect_rc("init_control_in_array_page", evop(EVTCHNOP_init_control, &ic), 0);
	cb = (void *)(both_page + CB_OFFSET);
	/* Page 0 is the control block's own frame; so are pages 1-3. */
	for (unsigned int i = 0; i < 4; i++)
		test_expect_rc("expand_same_frame", expand_mfn(mfn), 0);
	test_expect_rc("expand_past_last_enospc", expand_mfn(mfn), -XEN_ENOSPC);

	a = bind_ipi();
	b = bind_ipi();
	c = bind_ipi();
	test_expect_rc("send_a", send(a), 0);
	test_check(cb->head[Q] == a && (*word(a) & FW(LINKED)),
		   "a_linked", "head %u word %#x", cb->head[Q], *word(a));
	/* LINK loop on the tail (a -> a), then a word stuck BUSY. */
	*word(a) = FW(PENDING) | FW(LINKED) | a;
	test_expect_rc("send_on_link_loop", send(b), 0);
	*word(b) = FW(PENDING) | FW(LINKED) | FW(BUSY) | b;
	test_expect_rc("send_on_busy_tail", send(c), 0);
	/* Tail LINK far past the array; hypervisor never walks it. */
	*word(c) = FW(PENDING) | FW(LINKED) | EVTCHN_FIFO_LINK_MASK;
	d = bind_ipi();
	test_expect_rc("send_on_wild_link", send(d), 0);
	/* A linked port changes priority, is sent again, then closed and
	 * its number rebound and sent while its old word still says LINKED. */
	test_expect_rc("prio_of_linked", set_prio(d, 0), 0);
	test_expect_rc("send_linked_new_prio", send(d), 0);
	test_expect_rc("close_linked_tail", close_port(d), 0);
	e = bind_ipi();
	/* As Xen: a number whose word is still LINKED is not handed out. */
	test_check(e != d, "linked_number_not_reused", "%u reused", e);
	test_expect_rc("send_rebound", send(e), 0);
	*word(e) = 0;           /* the guest consumed it: link it again */
	test_expect_rc("send_rebound_relink", send(e), 0);
	/* Ports above the page that holds the control block: words
	 * overlapping head[]/ready are the guest's own business. */
	for (unsigned int i = 0; i < 8; i++) {
		evtchn_port_t p = bind_ipi();
		send(p);
	}
	test_pass("hostile_queues_survived");

	test_expect_rc("reset_while_linked", evop(EVTCHNOP_reset, &r), 0);
	memset(both_page, 0, sizeof(both_page));
	/* Two-level again: every event now goes to shared_info only. */
	for (unsigned int i = 0; i < 8; i++) {
		evtchn_port_t p = bind_ipi();
		sh->evtchn_mask[p / 64] &= ~(1UL << (p % 64));
		send(p);
	}
	for (unsigned int i = 0; i < 4096; i++)
		clean &= both_page[i] == 0;
	test_check(clean, "released_frame_untouched",
		   "the hypervisor wrote into a frame after reset");
	test_finish();
}
