/*
 * evtchn_fifo: the FIFO event ABI in one domain, each expectation from Xen
 * 4.17 (xen/common/event_fifo.c, event_channel.c):
 *  - refusals with Xen's codes: expand_array before init_control
 *    (-EOPNOTSUPP), set_priority on two-level (-ENOSYS), init_control with
 *    a bad vCPU (-ENOENT), a misaligned offset or one whose block crosses
 *    the page, a frame that is not ours or is a page table, a second
 *    init for the vCPU (-EINVAL); expand_array with a bad frame (-EINVAL)
 *    or past the last page (-ENOSPC); set_priority above the lowest
 *    priority or of a port out of range (-EINVAL), of a free port (-ENOSYS);
 *  - a port pending on two-level is carried into its event word;
 *  - delivery: PENDING, LINKED, the LINK chain, HEAD and READY per
 *    priority, evtchn_upcall_pending; events come out highest priority
 *    first, in arrival order within one; MASKED holds an event back and
 *    EVTCHNOP_unmask links it; loopback interdomain, VIRQ_TIMER waking
 *    SCHEDOP_block, SCHEDOP_poll on a pending FIFO port;
 *  - the frame rule: the control block and event-array frames cannot be
 *    pinned as page tables, loaded as GDT/LDT or given back while in use
 *    (Lamina's codes: -EBUSY for a type conflict, -EINVAL for GDT/LDT,
 *    0 extents for decrease_reservation), and are free again after
 *    EVTCHNOP_reset, which returns the domain to two-level.
 */
#include <libpv/events_fifo.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/errno.h>
#include <pv/memory.h>
#include <pv/sched.h>
#include "testlib.h"

#define PTE_RW        0x002UL
#define CB_OFFSET     256
#define HV_IMAGE_MFN  0x100UL
#define FW(bit)       ((event_word_t)1 << EVTCHN_FIFO_##bit)
#define LINK(w)       ((w) & EVTCHN_FIFO_LINK_MASK)

static char shared_page[4096] __attribute__((aligned(4096)));
static char cb_page[4096] __attribute__((aligned(4096)));
static char arr_page[PV_FIFO_MAX_PAGES][4096] __attribute__((aligned(4096)));
static char spare_page[4096] __attribute__((aligned(4096)));
static shared_info_t *sh;
static struct vcpu_info *vi;
static struct pv_fifo fifo;
static unsigned long l4_mfn;

static volatile unsigned long upcalls;
static evtchn_port_t seen[16];
static volatile unsigned int nr_seen;

/* --- hypercall wrappers -------------------------------------------------- */

static long evop(unsigned int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static long init_control(unsigned long mfn, uint32_t offset, uint32_t vcpu,
			 uint8_t *link_bits)
{
	struct evtchn_init_control ic = { .control_gfn = mfn,
					  .offset = offset, .vcpu = vcpu };
	long rc = evop(EVTCHNOP_init_control, &ic);

	if (link_bits)
		*link_bits = ic.link_bits;
	return rc;
}

static long expand(unsigned long mfn)
{
	struct evtchn_expand_array ea = { .array_gfn = mfn };

	return evop(EVTCHNOP_expand_array, &ea);
}

static long set_prio(evtchn_port_t port, uint32_t prio)
{
	struct evtchn_set_priority sp = { .port = port, .priority = prio };

	return evop(EVTCHNOP_set_priority, &sp);
}

static evtchn_port_t bind_ipi(void)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };

	if (evop(EVTCHNOP_bind_ipi, &b))
		pv_crash("evtchn_fifo: bind_ipi failed\n");
	return b.port;
}

static long send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return evop(EVTCHNOP_send, &s);
}

static long unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return evop(EVTCHNOP_unmask, &u);
}

static long close_port(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return evop(EVTCHNOP_close, &c);
}

static event_word_t *word(evtchn_port_t port)
{
	return pv_fifo_word(&fifo, port);
}

static void set_word_mask(evtchn_port_t port, bool masked)
{
	if (masked)
		__atomic_fetch_or(word(port), FW(MASKED), __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(word(port), ~FW(MASKED), __ATOMIC_SEQ_CST);
}

/* Drain every queue (events masked): how many entries, all dropped. */
static unsigned int drain(void)
{
	unsigned int n = 0;

	while (pv_fifo_next(&fifo) && n < 64)
		n++;
	vi->evtchn_upcall_pending = 0;
	return n;
}

/* --- the event callback -------------------------------------------------- */

static void on_event(struct pv_trap_frame *frame)
{
	evtchn_port_t p;

	(void)frame;
	upcalls++;
	vi->evtchn_upcall_pending = 0;
	for (unsigned int i = 0; i < 64 && (p = pv_fifo_next(&fifo)); i++)
		if (p != ~0u && nr_seen < 16)
			seen[nr_seen++] = p;
}

static void events_on(void)
{
	__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	HYPERVISOR_xen_version(0, NULL);        /* an exit delivers what waits */
}

static void events_off(void)
{
	__atomic_store_n(&vi->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
}

/* --- refusals ------------------------------------------------------------ */

static void before_init(evtchn_port_t a)
{
	test_expect_rc("expand_before_init_eopnotsupp",
		       expand(pv_fifo_mfn(arr_page[0])), -XEN_EOPNOTSUPP);
	test_expect_rc("set_priority_two_level_enosys", set_prio(a, 1),
		       -XEN_ENOSYS);
}

static void init_refusals(void)
{
	unsigned long cb = pv_fifo_mfn(cb_page);
	unsigned int max = 4096 - sizeof(evtchn_fifo_control_block_t);

	test_expect_rc("init_bad_vcpu_enoent", init_control(cb, 0, 1, NULL),
		       -XEN_ENOENT);
	test_expect_rc("init_huge_vcpu_enoent",
		       init_control(cb, 0, 0x80000000u, NULL), -XEN_ENOENT);
	test_expect_rc("init_misaligned_offset_einval",
		       init_control(cb, 4, 0, NULL), -XEN_EINVAL);
	test_expect_rc("init_offset_crossing_page_einval",
		       init_control(cb, max + 8, 0, NULL), -XEN_EINVAL);
	test_expect_rc("init_offset_page_size_einval",
		       init_control(cb, 4096, 0, NULL), -XEN_EINVAL);
	test_expect_rc("init_huge_offset_einval",
		       init_control(cb, 0xfffffff8u, 0, NULL), -XEN_EINVAL);
	test_expect_rc("init_frame_beyond_ram_einval",
		       init_control(1UL << 40, 0, 0, NULL), -XEN_EINVAL);
	test_refused("init_hypervisor_frame",
		     init_control(HV_IMAGE_MFN, 0, 0, NULL), -XEN_EINVAL);
	test_refused("init_page_table_frame",
		     init_control(l4_mfn, 0, 0, NULL), -XEN_EINVAL);
	test_expect_rc("init_efault",
		       evop(EVTCHNOP_init_control, (void *)0x1000), -XEN_EFAULT);
	test_expect_rc("still_two_level_after_refusals",
		       expand(pv_fifo_mfn(arr_page[0])), -XEN_EOPNOTSUPP);
}

/* --- the switch ---------------------------------------------------------- */

static void switch_to_fifo(evtchn_port_t carried)
{
	uint8_t lb = 0;

	test_check(init_control(pv_fifo_mfn(cb_page), CB_OFFSET, 0, &lb) == 0 &&
		   lb == EVTCHN_FIFO_LINK_BITS, "init_control",
		   "link_bits %u", lb);
	fifo.cb = (void *)(cb_page + CB_OFFSET);
	test_refused("init_twice_einval",
		     init_control(pv_fifo_mfn(spare_page), 0, 0, NULL),
		     -XEN_EINVAL);
	test_refused("init_twice_same_frame_einval",
		     init_control(pv_fifo_mfn(cb_page), 0, 0, NULL),
		     -XEN_EINVAL);
	test_expect_rc("expand_first_page", pv_fifo_expand(&fifo, arr_page[0]), 0);
	test_check(*word(carried) == (FW(PENDING) | FW(MASKED)),
		   "two_level_pending_carried", "word %#x", *word(carried));
	test_expect_rc("unmask_carried", unmask(carried), 0);
	test_check(*word(carried) == (FW(PENDING) | FW(LINKED)) &&
		   fifo.cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT] == carried &&
		   fifo.cb->ready == 1u << EVTCHN_FIFO_PRIORITY_DEFAULT &&
		   vi->evtchn_upcall_pending, "unmask_links_pending_port",
		   "word %#x head %u ready %#x", *word(carried),
		   fifo.cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], fifo.cb->ready);
	test_check(pv_fifo_next(&fifo) == carried && fifo.cb->ready == 0,
		   "carried_port_consumed", "ready %#x", fifo.cb->ready);
	vi->evtchn_upcall_pending = 0;
	vi->evtchn_pending_sel = 0;     /* left from two-level */
}

static void expand_limits(void)
{
	test_refused("expand_bad_frame_einval", expand(1UL << 40), -XEN_EINVAL);
	test_refused("expand_page_table_einval", expand(l4_mfn), -XEN_EINVAL);
	for (unsigned int i = 1; i < PV_FIFO_MAX_PAGES; i++)
		test_expect_rc(i == 1 ? "expand_second_page" :
			       i == 2 ? "expand_third_page" : "expand_fourth_page",
			       pv_fifo_expand(&fifo, arr_page[i]), 0);
	test_expect_rc("expand_past_limit_enospc",
		       expand(pv_fifo_mfn(spare_page)), -XEN_ENOSPC);
}

static void priority_refusals(evtchn_port_t p)
{
	test_expect_rc("set_priority_16_einval",
		       set_prio(p, EVTCHN_FIFO_MAX_QUEUES), -XEN_EINVAL);
	test_expect_rc("set_priority_huge_einval", set_prio(p, ~0u),
		       -XEN_EINVAL);
	test_expect_rc("set_priority_port_4096_einval", set_prio(4096, 0),
		       -XEN_EINVAL);
	test_expect_rc("set_priority_huge_port_einval", set_prio(~0u, 0),
		       -XEN_EINVAL);
	test_expect_rc("set_priority_free_port_enosys", set_prio(4000, 0),
		       -XEN_ENOSYS);
	test_expect_rc("set_priority_port_0_enosys", set_prio(0, 0),
		       -XEN_ENOSYS);
	test_expect_rc("set_priority_min", set_prio(p, EVTCHN_FIFO_PRIORITY_MIN), 0);
	test_expect_rc("set_priority_max", set_prio(p, EVTCHN_FIFO_PRIORITY_MAX), 0);
}

/* --- delivery ------------------------------------------------------------ */

static void order(void)
{
	static const uint32_t prio[6] = { 7, 7, 2, 9, 2, 7 };
	static const unsigned int want[6] = { 2, 4, 0, 1, 5, 3 };
	evtchn_port_t p[6];
	unsigned int bad = 0;

	for (unsigned int i = 0; i < 6; i++) {
		p[i] = bind_ipi();
		if (set_prio(p[i], prio[i]))
			bad++;
		set_word_mask(p[i], false);
	}
	test_check(bad == 0, "set_priorities", "%u refused", bad);
	send(p[0]);
	test_check(*word(p[0]) == (FW(PENDING) | FW(LINKED)) &&
		   fifo.cb->head[7] == p[0] && fifo.cb->ready == 1u << 7 &&
		   vi->evtchn_upcall_pending, "first_event_heads_queue",
		   "word %#x head %u ready %#x", *word(p[0]), fifo.cb->head[7],
		   fifo.cb->ready);
	test_check(vi->evtchn_pending_sel == 0, "no_two_level_selector",
		   "sel %lx", vi->evtchn_pending_sel);
	for (unsigned int i = 1; i < 6; i++)
		send(p[i]);
	test_check(LINK(*word(p[0])) == p[1] && LINK(*word(p[1])) == p[5] &&
		   LINK(*word(p[2])) == p[4], "queues_linked_in_arrival_order",
		   "links %u %u %u", LINK(*word(p[0])), LINK(*word(p[1])),
		   LINK(*word(p[2])));
	test_check(fifo.cb->ready == ((1u << 2) | (1u << 7) | (1u << 9)),
		   "ready_bit_per_queue", "ready %#x", fifo.cb->ready);
	send(p[0]);
	test_check(LINK(*word(p[1])) == p[5] && LINK(*word(p[5])) == 0,
		   "linked_port_not_relinked", "link %u", LINK(*word(p[5])));
	bad = 0;
	for (unsigned int i = 0; i < 6; i++) {
		evtchn_port_t got = pv_fifo_next(&fifo);
		if (got != p[want[i]]) {
			test_fail("priority_then_fifo_order",
				  "event %u: port %u, want %u", i, got, p[want[i]]);
			bad++;
			break;
		}
	}
	if (!bad)
		test_pass("priority_then_fifo_order");
	test_check(pv_fifo_next(&fifo) == 0 && fifo.cb->ready == 0,
		   "all_queues_empty", "ready %#x", fifo.cb->ready);
	vi->evtchn_upcall_pending = 0;
	for (unsigned int i = 0; i < 6; i++)
		close_port(p[i]);
}

static void mask_unmask(void)
{
	evtchn_port_t p = bind_ipi();

	set_word_mask(p, true);         /* as Linux does on binding */
	send(p);
	test_check(*word(p) == (FW(PENDING) | FW(MASKED)) && fifo.cb->ready == 0 &&
		   !vi->evtchn_upcall_pending, "masked_event_waits",
		   "word %#x ready %#x", *word(p), fifo.cb->ready);
	set_word_mask(p, false);
	test_check(fifo.cb->ready == 0, "guest_unmask_alone_links_nothing",
		   "ready %#x", fifo.cb->ready);
	test_expect_rc("evtchnop_unmask", unmask(p), 0);
	test_check(*word(p) == (FW(PENDING) | FW(LINKED)) &&
		   fifo.cb->ready == 1u << EVTCHN_FIFO_PRIORITY_DEFAULT &&
		   vi->evtchn_upcall_pending, "unmask_delivers",
		   "word %#x ready %#x", *word(p), fifo.cb->ready);
	test_check(pv_fifo_next(&fifo) == p && *word(p) == 0, "unmasked_consumed",
		   "word %#x", *word(p));
	vi->evtchn_upcall_pending = 0;
	test_expect_rc("unmask_quiet_port", unmask(p), 0);
	test_check(*word(p) == 0 && fifo.cb->ready == 0, "unmask_quiet_links_nothing",
		   "word %#x", *word(p));
	test_expect_rc("unmask_port_4096_einval", unmask(4096), -XEN_EINVAL);
	/* A pending port stays pending for SCHEDOP_poll. */
	set_word_mask(p, true);
	send(p);
	struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };
	set_xen_guest_handle(poll.ports, &p);
	test_expect_rc("poll_sees_fifo_pending",
		       HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0);
	test_expect_rc("close_pending_port", close_port(p), 0);
	test_check(!(*word(p) & FW(PENDING)), "close_clears_pending", "word %#x",
		   *word(p));
}

static void loopback(void)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF };

	test_expect_rc("loopback_alloc", evop(EVTCHNOP_alloc_unbound, &a), 0);
	b.remote_port = a.port;
	test_expect_rc("loopback_bind", evop(EVTCHNOP_bind_interdomain, &b), 0);
	test_check(*word(b.local_port) & FW(PENDING),
		   "loopback_bind_starts_pending", "word %#x", *word(b.local_port));
	drain();
	*word(a.port) = 0;
	*word(b.local_port) = 0;
	send(a.port);
	send(b.local_port);
	evtchn_port_t x = pv_fifo_next(&fifo), y = pv_fifo_next(&fifo);
	test_check(x == b.local_port && y == a.port, "loopback_both_ways",
		   "got %u %u, want %u %u", x, y, b.local_port, a.port);
	vi->evtchn_upcall_pending = 0;
	close_port(a.port);
	close_port(b.local_port);
}

/* Through the event callback: an IPI, then VIRQ_TIMER waking a block. */
static void upcalls_(void)
{
	evtchn_port_t p = bind_ipi();
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };

	set_word_mask(p, false);
	pv_trap_set_handler(PV_VEC_EVENT, on_event);
	upcalls = 0;
	nr_seen = 0;
	events_on();
	send(p);
	test_check(upcalls == 1 && nr_seen == 1 && seen[0] == p,
		   "upcall_delivers_fifo_event", "%lu upcalls, %u seen",
		   upcalls, nr_seen);
	events_off();

	test_expect_rc("bind_virq_timer", evop(EVTCHNOP_bind_virq, &bv), 0);
	test_expect_rc("timer_priority_0", set_prio(bv.port, 0), 0);
	set_word_mask(bv.port, false);
	nr_seen = 0;
	pv_set_timer(pv_system_time_ns() + 2000000);
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);       /* enables events */
	events_off();
	test_check(nr_seen >= 1 && seen[0] == bv.port, "timer_virq_wakes_block",
		   "%u seen, first %u (timer %u)", nr_seen, nr_seen ? seen[0] : 0,
		   bv.port);
	close_port(bv.port);
	close_port(p);
}

/* --- the frame rule ------------------------------------------------------ */

static long give_back(unsigned long mfn)
{
	xen_pfn_t list[1] = { mfn };
	struct xen_memory_reservation r = {
		.nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF,
	};

	set_xen_guest_handle(r.extent_start, list);
	return HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
}

static void remap(void *va, unsigned long pte)
{
	if (HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG))
		pv_crash("evtchn_fifo: update_va_mapping failed\n");
}

/*
 * As a hostile kernel: with its own writable mapping gone (it would hide
 * the hole), make the frame a page table, a GDT or LDT frame, or give it
 * back. Events stay masked meanwhile.
 */
static void battery(const char *kind, void *va)
{
	unsigned long mfn = pv_fifo_mfn(va), pte = pv_pt_lookup((unsigned long)va);
	char n[64];
	long rc;

	remap(va, 0);
	for (unsigned int level = 1; level <= 4; level++) {
		pv_snprintf(n, sizeof(n), "%s_pin_l%u", kind, level);
		if ((rc = mmuext2(MMUEXT_PIN_L1_TABLE + level - 1, mfn, 0)) == 0)
			mmuext2(MMUEXT_UNPIN_TABLE, mfn, 0);
		test_refused(n, rc, -XEN_EBUSY);
	}
	pv_snprintf(n, sizeof(n), "%s_set_gdt", kind);
	rc = PV_HYPERCALL(__HYPERVISOR_set_gdt, &mfn, 512, 0, 0, 0);
	test_refused(n, rc, -XEN_EINVAL);
	remap(va, pte & ~PTE_RW);
	pv_snprintf(n, sizeof(n), "%s_set_ldt", kind);
	if ((rc = mmuext2(MMUEXT_SET_LDT, (unsigned long)va, 512)) == 0)
		mmuext2(MMUEXT_SET_LDT, 0, 0);
	test_refused(n, rc, -XEN_EINVAL);
	remap(va, 0);
	pv_snprintf(n, sizeof(n), "%s_decrease_reservation", kind);
	rc = give_back(mfn);
	test_check(rc == 0, n, "%ld extents given back, want 0", rc);
	remap(va, pte);
}

static void frame_rule(void)
{
	evtchn_port_t p;

	/* Queues are empty: stale HEADs would only make a pin fail for
	 * another reason (entries naming frames not ours). */
	memset(fifo.cb, 0, sizeof(*fifo.cb));
	battery("control_block", cb_page);
	battery("event_array", arr_page[0]);
	battery("event_array_last", arr_page[PV_FIFO_MAX_PAGES - 1]);
	p = bind_ipi();
	set_word_mask(p, false);
	send(p);
	test_check(pv_fifo_next(&fifo) == p, "fifo_works_after_attacks",
		   "ready %#x", fifo.cb->ready);
	vi->evtchn_upcall_pending = 0;
	close_port(p);
}

/* EVTCHNOP_reset: two-level again, and the frames are ordinary pages. */
static void reset(void)
{
	struct evtchn_reset r = { .dom = DOMID_SELF };
	unsigned long pte = pv_pt_lookup((unsigned long)cb_page);
	unsigned long mfn = pv_fifo_mfn(cb_page);
	evtchn_port_t p;

	test_expect_rc("reset", evop(EVTCHNOP_reset, &r), 0);
	test_expect_rc("reset_back_to_two_level",
		       expand(pv_fifo_mfn(spare_page)), -XEN_EOPNOTSUPP);
	memset(cb_page, 0, sizeof(cb_page));
	remap(cb_page, 0);
	test_expect_rc("reset_frees_control_block_frame",
		       mmuext2(MMUEXT_PIN_L1_TABLE, mfn, 0), 0);
	mmuext2(MMUEXT_UNPIN_TABLE, mfn, 0);
	remap(cb_page, pte);
	p = bind_ipi();
	sh->evtchn_mask[p / 64] &= ~(1UL << (p % 64));
	send(p);
	test_check((sh->evtchn_pending[p / 64] >> (p % 64)) & 1,
		   "two_level_after_reset", "port %u not pending", p);
	test_check(fifo.cb->ready == 0, "no_fifo_after_reset", "ready %#x",
		   fifo.cb->ready);
	test_expect_rc("init_again_after_reset",
		       init_control(pv_fifo_mfn(cb_page), 0, 0, NULL), 0);
}

void kernel_main(start_info_t *si)
{
	evtchn_port_t carried;

	pv_printf("evtchn_fifo: FIFO event channels\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("evtchn_fifo: trap set-up failed\n");
	sh = pv_map_shared_info(shared_page);
	if (!sh)
		pv_crash("evtchn_fifo: no shared_info\n");
	vi = &sh->vcpu_info[0];
	l4_mfn = pv_fifo_mfn((void *)si->pt_base);
	events_off();

	carried = bind_ipi();
	send(carried);
	before_init(carried);
	init_refusals();
	switch_to_fifo(carried);
	close_port(carried);
	expand_limits();
	priority_refusals(bind_ipi());
	drain();
	order();
	mask_unmask();
	loopback();
	upcalls_();
	frame_rule();
	reset();
	test_finish();
}
