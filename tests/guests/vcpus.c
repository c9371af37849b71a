/*
 * vcpus: several vCPUs in one domain, as Xen's PV ABI defines them
 * (VCPUOP_initialise/up/down/is_up, per-vCPU event targets, timers and
 * runstate). Boot with domain0=vcpus=N (or Xen's dom0_max_vcpus=N) and the
 * module argument vcpus=N.
 *
 * mode=full (default): vCPU 0 checks the secondaries start down and that
 * VCPUOP_initialise refuses bad contexts as Xen 4.17 does (error codes
 * from its arch_set_info_guest: -EINVAL for non-canonical addresses, a
 * cr3 that is not an L4 of ours, bad GDT frames or sizes, a misaligned
 * LDT, a user-mode start without user page tables; -EEXIST once
 * initialised; -ENOENT past the domain's vCPUs), then gives vCPUs 1..N-1
 * their own stacks and entry point and brings them up. Each secondary
 * runs a singleshot timer bound to its own VIRQ_TIMER port, answers IPIs
 * (bind_ipi + send) in a ping-pong with vCPU 0, then counts in a loop.
 * vCPU 0 checks the event bits land in the target vCPU's vcpu_info,
 * runstate info, VCPUOP_down of another vCPU (its count stops, runstate
 * offline) and up again, and vCPU 1 taking itself down (its hypercall
 * returns 0 only once it is brought up again), then powers off.
 *
 * mode=alldown: vCPU 1 takes vCPU 0 down, then itself: as in Xen, the
 * domain's last vCPU going down powers the domain off. mode=selfdown: the
 * same with a single vCPU (Linux's panic and shutdown paths do this).
 * mode=badctx: hostile contexts that pass the checks (see
 * bad_context_attacks). mode=spin: all vCPUs spin; the domain's CPU share must not grow with
 * its vCPU count (see spin_share).
 *
 * Secondary vCPUs keep events masked and wait with SCHEDOP_poll; they
 * only record what they saw, vCPU 0 reports it.
 *
 * Checked against Xen 4.17 as dom0 (QEMU -smp 4, dom0_max_vcpus=4, module
 * argument vcpus=4): every check passes there too, the refusals with the
 * same error codes; the runstate checks allow for Xen's secondaries
 * running on CPUs of their own.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/errno.h>
#include <pv/event_channel.h>
#include <pv/vcpu.h>
#include "mdlib.h"

#define MAX_V        8
#define STACK_BYTES  16384
#define ROUNDS       20
#define NONCANON     0x0000800000000000UL
#define SEC          1000000000UL
#define WAIT         (5 * SEC)    /* generous: Xen under TCG with a busy host */

static unsigned long nr;                       /* vCPUs of the domain */
static shared_info_t *sh;
static struct vcpu_info *vinfo[MAX_V];
static struct vcpu_guest_context ctx;

static uint8_t stacks[MAX_V][STACK_BYTES] __attribute__((aligned(16)));
static uint8_t data_page[4096] __attribute__((aligned(4096)));
static uint8_t vi_page[4096] __attribute__((aligned(4096)));
static struct vcpu_runstate_info rs_area;      /* vCPU 1's registered area */

static evtchn_port_t ipi_to[MAX_V], ipi_back[MAX_V], timer_port[MAX_V];

/* Written by the secondaries. */
static volatile unsigned long started[MAX_V], stack_ok[MAX_V];
static volatile unsigned long timer_done[MAX_V], timer_ok[MAX_V];
static volatile unsigned long pongs[MAX_V], pong_bad[MAX_V];
static volatile unsigned long spins[MAX_V];
static volatile unsigned long before_down, after_down;
static volatile long after_down_rc = 1;
/* Written by vCPU 0. */
static volatile unsigned long go_pingpong, self_down_req, alldown_req;

static long vcpu_op(int cmd, unsigned int id, void *arg)
{
	return HYPERVISOR_vcpu_op(cmd, id, arg);
}

static long evtchn_op(int cmd, void *arg)
{
	return HYPERVISOR_event_channel_op(cmd, arg);
}

static long bind_ipi(unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_bind_ipi, &b);

	*port = b.port;
	return rc;
}

static long bind_virq_on(unsigned int virq, unsigned int vcpu,
			 evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = evtchn_op(EVTCHNOP_bind_virq, &b);

	*port = b.port;
	return rc;
}

static long bind_vcpu(evtchn_port_t port, unsigned int vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return evtchn_op(EVTCHNOP_bind_vcpu, &b);
}

static bool sel_has(unsigned int v, evtchn_port_t port)
{
	return (vinfo[v]->evtchn_pending_sel >> (port / 64)) & 1;
}

static void clear_sel(unsigned int v)
{
	__atomic_store_n(&vinfo[v]->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	vinfo[v]->evtchn_upcall_pending = 0;
}

static void yield(void)
{
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static unsigned long mfn_of(const void *va)
{
	return pv_pfn_to_mfn(pv_virt_to_pfn(va));
}

static unsigned long l4_mfn(void)
{
	return mfn_of((const void *)pv_start_info->pt_base);
}

static int runstate_of(unsigned int v, struct vcpu_runstate_info *rs)
{
	memset(rs, 0, sizeof(*rs));
	return (int)vcpu_op(VCPUOP_get_runstate_info, v, rs);
}

/* --- the secondaries ------------------------------------------------------ */

static void secondary_timer(unsigned long k)
{
	struct vcpu_set_singleshot_timer t;
	uint64_t deadline;

	vcpu_op(VCPUOP_stop_periodic_timer, (unsigned int)k, NULL);
	md_clear_pending(timer_port[k]);
	deadline = md_now() + 2 * MD_MS;
	t = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = deadline };
	if (vcpu_op(VCPUOP_set_singleshot_timer, (unsigned int)k, &t) == 0) {
		bool came = md_wait_port(timer_port[k], WAIT);
		/* Its own vcpu_info got the selector bit, not before the
		 * deadline (1 ms of slack: this reads vCPU 0's clock, which
		 * on Xen is another physical CPU's). */
		timer_ok[k] = came && sel_has((unsigned int)k, timer_port[k]) &&
			      md_now() + MD_MS >= deadline;
	}
	clear_sel((unsigned int)k);
	timer_done[k] = 1;
}

static void secondary_pingpong(unsigned long k)
{
	while (!go_pingpong)
		yield();
	for (int i = 0; i < ROUNDS; i++) {
		if (!md_wait_port(ipi_to[k], WAIT))
			pong_bad[k]++;
		clear_sel((unsigned int)k);
		pongs[k]++;
		md_send(ipi_back[k]);
	}
}

static void __attribute__((noreturn)) secondary_main(unsigned long k)
{
	uint8_t here;

	started[k] = 1;
	stack_ok[k] = &here >= stacks[k] && &here < stacks[k] + STACK_BYTES;
	pv_printf("vcpus: vCPU %lu up on its own stack\n", k);
	secondary_timer(k);
	secondary_pingpong(k);
	for (;;) {
		spins[k]++;
		if (k == 1 && self_down_req && !before_down) {
			before_down = 1;
			after_down_rc = vcpu_op(VCPUOP_down, 1, NULL);
			after_down = 1;
		}
		yield();
	}
}

static void __attribute__((noreturn)) alldown_main(unsigned long k)
{
	long rc;

	while (!alldown_req)
		yield();
	pv_printf("vcpus: vCPU %lu takes vCPU 0 down\n", k);
	rc = vcpu_op(VCPUOP_down, 0, NULL);
	pv_printf("vcpus: down(0) = %ld, is_up(0) = %ld; now down(%lu), the last\n",
		  rc, vcpu_op(VCPUOP_is_up, 0, NULL), k);
	rc = vcpu_op(VCPUOP_down, (unsigned int)k, NULL);
	pv_printf("FAIL alldown: the last vCPU's down returned %ld\n", rc);
	for (;;)
		yield();
}

/* A context that starts vCPU k at entry(k) on its own stack, in kernel mode. */
static void good_context(unsigned long k, void (*entry)(unsigned long))
{
	extern const uint64_t pv_trap_stubs[];

	memset(&ctx, 0, sizeof(ctx));
	ctx.flags = VGCF_in_kernel;
	ctx.user_regs.rip = (unsigned long)entry;
	ctx.user_regs.rdi = k;
	ctx.user_regs.rsp = (unsigned long)(stacks[k] + STACK_BYTES) - 8;
	ctx.user_regs.cs = FLAT_KERNEL_CS;
	ctx.user_regs.ss = FLAT_KERNEL_SS;
	ctx.user_regs.ds = ctx.user_regs.es = FLAT_KERNEL_DS;
	ctx.user_regs.rflags = 0x2;
	for (unsigned int v = 0; v < PV_NR_EXCEPTIONS; v++) {
		ctx.trap_ctxt[v].vector = (uint8_t)v;
		ctx.trap_ctxt[v].flags = 4 | ((v == 3 || v == 4) ? 3 : 0);
		ctx.trap_ctxt[v].cs = FLAT_KERNEL_CS;
		ctx.trap_ctxt[v].address = pv_trap_stubs[v];
	}
	ctx.kernel_ss = FLAT_KERNEL_SS;
	ctx.kernel_sp = ctx.user_regs.rsp + 8;
	ctx.ctrlreg[3] = l4_mfn() << 12;
	ctx.event_callback_eip = (unsigned long)pv_event_callback_entry;
	ctx.failsafe_callback_eip = (unsigned long)pv_failsafe_callback_entry;
}

/* --- vCPU 0's checks -------------------------------------------------------- */

static void count_vcpus(void)
{
	unsigned long want = md_arg("vcpus", 1);

	nr = 0;
	while (nr < 64 && vcpu_op(VCPUOP_is_up, (unsigned int)nr, NULL) >= 0)
		nr++;
	test_expect_eq("vcpu_count_from_boot_config", nr, want);
	if (nr > MAX_V)
		nr = MAX_V;
	for (unsigned int v = 0; v < nr; v++)
		vinfo[v] = &sh->vcpu_info[v];
}

static void initial_state(void)
{
	struct vcpu_runstate_info rs;
	unsigned int past = (unsigned int)nr;
	bool ok = true;

	test_expect_eq("is_up_vcpu0", vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	for (unsigned int v = 1; v < nr; v++) {
		ok &= vcpu_op(VCPUOP_is_up, v, NULL) == 0;
		ok &= runstate_of(v, &rs) == 0 && rs.state == RUNSTATE_offline;
		ok &= vcpu_op(VCPUOP_up, v, NULL) == -XEN_EINVAL;
		ok &= vcpu_op(VCPUOP_down, v, NULL) == 0;
	}
	test_check(ok, "secondaries_start_down_offline_uninitialised",
		   "is_up / runstate / up / down of a fresh vCPU");
	test_expect_rc("is_up_past_last", vcpu_op(VCPUOP_is_up, past, NULL), -XEN_ENOENT);
	test_expect_rc("up_past_last", vcpu_op(VCPUOP_up, past, NULL), -XEN_ENOENT);
	test_expect_rc("down_past_last", vcpu_op(VCPUOP_down, past, NULL), -XEN_ENOENT);
	test_expect_rc("runstate_past_last",
		       vcpu_op(VCPUOP_get_runstate_info, past, &rs), -XEN_ENOENT);
	test_expect_rc("is_up_huge_id", vcpu_op(VCPUOP_is_up, 0xffffffffu, NULL),
		       -XEN_ENOENT);
	test_expect_rc("get_physid_unpinned",
		       vcpu_op(VCPUOP_get_physid, 0, &rs), -XEN_EINVAL);
	test_expect_rc("set_singleshot_other_vcpu",
		       vcpu_op(VCPUOP_set_singleshot_timer, 1,
			       &(struct vcpu_set_singleshot_timer){ .timeout_abs_ns = 1 }),
		       -XEN_EINVAL);
}

static void bad_contexts(void)
{
	unsigned int past = (unsigned int)nr;

	good_context(1, secondary_main);
	test_expect_rc("initialise_past_last", vcpu_op(VCPUOP_initialise, past, &ctx),
		       -XEN_ENOENT);
	test_expect_rc("initialise_vcpu0_exists", vcpu_op(VCPUOP_initialise, 0, &ctx),
		       -XEN_EEXIST);
	test_expect_rc("initialise_bad_pointer",
		       vcpu_op(VCPUOP_initialise, 1, (void *)0xffff830000000000UL),
		       -XEN_EFAULT);

	ctx.user_regs.rip = NONCANON;
	test_expect_rc("initialise_noncanonical_rip",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.kernel_sp = NONCANON;
	test_expect_rc("initialise_noncanonical_kernel_sp",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.trap_ctxt[13].address = NONCANON;
	test_expect_rc("initialise_noncanonical_trap_handler",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.event_callback_eip = NONCANON;
	test_expect_rc("initialise_noncanonical_callback",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.gs_base_user = NONCANON;
	test_expect_rc("initialise_noncanonical_gs_base",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.ldt_base = 0x1008;
	ctx.ldt_ents = 1;
	test_expect_rc("initialise_misaligned_ldt",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.ldt_ents = 8193;
	test_expect_rc("initialise_ldt_too_big",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.flags = 0;          /* user mode, without user page tables */
	test_expect_rc("initialise_user_mode_without_user_l4",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.ctrlreg[3] = mfn_of(data_page) << 12;   /* ours, mapped writable */
	test_expect_rc("initialise_cr3_writable_page",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.ctrlreg[3] = 0;                         /* machine frame 0: not ours */
	test_expect_rc("initialise_cr3_foreign_frame",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.gdt_frames[0] = mfn_of(data_page);      /* writable: not a GDT page */
	ctx.gdt_ents = 512;
	test_expect_rc("initialise_gdt_writable_frame",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
	good_context(1, secondary_main);
	ctx.gdt_ents = 14 * 512 + 1;
	test_expect_rc("initialise_gdt_too_many_entries",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);

	/* Nothing was left behind: still down, uninitialised, page writable. */
	test_expect_rc("up_after_refusals", vcpu_op(VCPUOP_up, 1, NULL), -XEN_EINVAL);
	test_expect_eq("is_up_after_refusals", vcpu_op(VCPUOP_is_up, 1, NULL), 0);
	data_page[0] = 1;
	test_expect_eq("refused_frames_still_writable", data_page[0], 1);
}

static void ports(void)
{
	evtchn_port_t p, lo_a, lo_b;
	bool ok = true;

	for (unsigned int v = 1; v < nr; v++) {
		ok &= bind_ipi(v, &ipi_to[v]) == 0;
		ok &= bind_ipi(0, &ipi_back[v]) == 0;
		ok &= bind_virq_on(VIRQ_TIMER, v, &timer_port[v]) == 0;
	}
	test_check(ok, "bind_ipi_and_per_vcpu_timer_virq", "a bind failed");
	test_expect_rc("bind_ipi_past_last", bind_ipi((unsigned int)nr, &p), -XEN_ENOENT);
	test_expect_rc("bind_virq_timer_past_last",
		       bind_virq_on(VIRQ_TIMER, (unsigned int)nr, &p), -XEN_ENOENT);
	test_expect_rc("bind_global_virq_vcpu1",
		       bind_virq_on(VIRQ_CONSOLE, 1, &p), -XEN_EINVAL);
	test_expect_rc("bind_vcpu_past_last", bind_vcpu(ipi_to[1], (unsigned int)nr),
		       -XEN_ENOENT);
	test_expect_rc("bind_vcpu_ipi_port", bind_vcpu(ipi_to[1], 0), -XEN_EINVAL);

	/* A loopback channel moved to vCPU 1 raises vCPU 1's bits only. */
	if (md_alloc_unbound(DOMID_SELF, DOMID_SELF, &lo_a) ||
	    md_bind_interdomain(DOMID_SELF, lo_a, &lo_b)) {
		test_fail("loopback_channel", "could not set it up");
		return;
	}
	test_expect_rc("bind_vcpu_interdomain_to_vcpu1", bind_vcpu(lo_b, 1), 0);
	md_clear_pending(lo_b);
	clear_sel(0);
	clear_sel(1);
	md_send(lo_a);
	test_check(md_pending(lo_b) && sel_has(1, lo_b) &&
		   vinfo[1]->evtchn_upcall_pending && vinfo[0]->evtchn_pending_sel == 0,
		   "send_targets_bound_vcpu", "pending %d sel1 %lx up1 %u sel0 %lx",
		   md_pending(lo_b), (unsigned long)vinfo[1]->evtchn_pending_sel,
		   vinfo[1]->evtchn_upcall_pending,
		   (unsigned long)vinfo[0]->evtchn_pending_sel);
	md_clear_pending(lo_b);
	clear_sel(1);
	md_send(ipi_to[1]);
	test_check(md_pending(ipi_to[1]) && sel_has(1, ipi_to[1]) &&
		   vinfo[0]->evtchn_pending_sel == 0,
		   "ipi_targets_its_vcpu", "sel1 %lx sel0 %lx",
		   (unsigned long)vinfo[1]->evtchn_pending_sel,
		   (unsigned long)vinfo[0]->evtchn_pending_sel);
	md_clear_pending(ipi_to[1]);
	clear_sel(1);
	md_close(lo_a);
	md_close(lo_b);
}

static void bring_up(void)
{
	bool ok = true;

	memset(&rs_area, 0xff, sizeof(rs_area));
	test_expect_rc("register_runstate_area_vcpu1",
		       vcpu_op(VCPUOP_register_runstate_memory_area, 1,
			       &(struct vcpu_register_runstate_memory_area){
				       .addr.v = &rs_area }), 0);
	test_expect_eq("runstate_area_vcpu1_offline", rs_area.state, RUNSTATE_offline);
	if (nr >= 3) {
		unsigned int v = (unsigned int)nr - 1;
		struct vcpu_register_vcpu_info r = { .mfn = mfn_of(vi_page), .offset = 128 };

		test_expect_rc("register_vcpu_info_secondary",
			       vcpu_op(VCPUOP_register_vcpu_info, v, &r), 0);
		vinfo[v] = (struct vcpu_info *)(vi_page + 128);
		vinfo[v]->evtchn_upcall_mask = 1;
		clear_sel(v);
	}

	for (unsigned int v = 1; v < nr; v++) {
		good_context(v, secondary_main);
		ok &= vcpu_op(VCPUOP_initialise, v, &ctx) == 0;
		ok &= vcpu_op(VCPUOP_is_up, v, NULL) == 0;
		ok &= vcpu_op(VCPUOP_initialise, v, &ctx) == -XEN_EEXIST;
	}
	test_check(ok, "initialise_secondaries", "initialise / is_up / again");
	ok = true;
	for (unsigned int v = 1; v < nr; v++) {
		ok &= vcpu_op(VCPUOP_up, v, NULL) == 0;
		ok &= vcpu_op(VCPUOP_is_up, v, NULL) == 1;
		ok &= vcpu_op(VCPUOP_up, v, NULL) == 0;   /* already up: fine */
	}
	test_check(ok, "up_secondaries", "up / is_up");
}

/* Yield until every vCPU in [1, nr) has flag set, for at most 2 s. */
static bool wait_all(volatile unsigned long *flag)
{
	uint64_t end = md_now() + WAIT;

	for (;;) {
		bool all = true;
		for (unsigned int v = 1; v < nr; v++)
			all &= flag[v] != 0;
		if (all)
			return true;
		if (md_now() > end)
			return false;
		yield();
	}
}

static void secondaries_run(void)
{
	bool ok = true;

	test_check(wait_all(started), "secondaries_started", "not all ran");
	for (unsigned int v = 1; v < nr; v++)
		ok &= stack_ok[v] != 0;
	test_check(ok, "secondaries_on_own_stacks", "rsp outside its stack");
	test_check(wait_all(timer_done), "secondary_timers_done", "timeout");
	ok = true;
	for (unsigned int v = 1; v < nr; v++)
		ok &= timer_ok[v] != 0;
	test_check(ok, "timer_virq_on_its_own_vcpu", "a timer event missed its vCPU");

	go_pingpong = 1;
	ok = true;
	for (int i = 0; i < ROUNDS; i++)
		for (unsigned int v = 1; v < nr; v++) {
			md_send(ipi_to[v]);
			ok &= md_wait_port(ipi_back[v], WAIT);
		}
	test_check(ok, "ipi_pingpong_replies", "a reply did not come");
	ok = true;
	for (unsigned int v = 1; v < nr; v++)
		ok &= pongs[v] == ROUNDS && pong_bad[v] == 0;
	test_check(ok, "ipi_pingpong_counts", "vCPU 1: %lu pongs, %lu missed",
		   pongs[1], pong_bad[1]);
}

static void runstates(void)
{
	struct vcpu_runstate_info rs;
	uint64_t t = md_now();
	bool ok = true;

	for (unsigned int v = 0; v < nr; v++) {
		uint64_t sum = 0;
		if (runstate_of(v, &rs))
			ok = false;
		for (int i = 0; i < 4; i++)
			sum += rs.time[i];
		ok &= rs.time[RUNSTATE_running] > 0 && sum <= t + SEC;
		/* Others are runnable or blocked here; running too on Xen
		 * with a physical CPU each. */
		ok &= v == 0 ? rs.state == RUNSTATE_running
			     : rs.state != RUNSTATE_offline;
		if (!ok) {
			pv_printf("vCPU %u: state %d running %lu sum %lu now %lu\n",
				  v, rs.state, (unsigned long)rs.time[0],
				  (unsigned long)sum, (unsigned long)t);
			break;
		}
	}
	test_check(ok, "runstate_info_every_vcpu", "see above");
	test_check(rs_area.state != RUNSTATE_offline && rs_area.time[RUNSTATE_running] > 0,
		   "runstate_area_vcpu1_updated", "state %d running %lu", rs_area.state,
		   (unsigned long)rs_area.time[RUNSTATE_running]);
}

/* Yield until each vCPU of [1, nr) but skip counted some more, or 2 s. */
static bool others_advance(unsigned int skip)
{
	unsigned long before[MAX_V];
	uint64_t end = md_now() + WAIT;

	for (unsigned int v = 1; v < nr; v++)
		before[v] = spins[v];
	for (;;) {
		bool all = true;
		for (unsigned int v = 1; v < nr; v++)
			if (v != skip)
				all &= spins[v] > before[v] + 3;
		if (all)
			return true;
		if (md_now() > end)
			return false;
		yield();
	}
}

static void down_and_up(void)
{
	unsigned int t = (unsigned int)nr - 1;
	struct vcpu_runstate_info rs;
	unsigned long frozen;

	test_check(others_advance(0), "secondaries_count", "some vCPU does not run");
	test_expect_rc("down_other_vcpu", vcpu_op(VCPUOP_down, t, NULL), 0);
	test_expect_eq("is_up_after_down", vcpu_op(VCPUOP_is_up, t, NULL), 0);
	test_check(runstate_of(t, &rs) == 0 && rs.state == RUNSTATE_offline,
		   "runstate_offline_after_down", "state %d", rs.state);
	frozen = spins[t];
	for (int i = 0; i < 50; i++)
		yield();
	others_advance(t);
	test_expect_eq("down_vcpu_stopped", spins[t], frozen);
	test_expect_rc("down_again_is_fine", vcpu_op(VCPUOP_down, t, NULL), 0);
	test_expect_rc("up_again", vcpu_op(VCPUOP_up, t, NULL), 0);
	test_check(others_advance(0), "upped_vcpu_resumes", "it does not run");

	self_down_req = 1;
	uint64_t end = md_now() + WAIT;
	while (vcpu_op(VCPUOP_is_up, 1, NULL) == 1 && md_now() < end)
		yield();
	test_expect_eq("self_down_took_effect", vcpu_op(VCPUOP_is_up, 1, NULL), 0);
	test_check(before_down && !after_down, "self_down_stops_at_once",
		   "before %lu after %lu", before_down, after_down);
	/* On Xen with a physical CPU per vCPU it may still be leaving. */
	end = md_now() + SEC;
	while (runstate_of(1, &rs) == 0 && rs.state != RUNSTATE_offline &&
	       md_now() < end)
		yield();
	test_check(rs.state == RUNSTATE_offline,
		   "self_down_runstate_offline", "state %d", rs.state);
	test_expect_rc("up_self_downed", vcpu_op(VCPUOP_up, 1, NULL), 0);
	end = md_now() + WAIT;
	while (!after_down && md_now() < end)
		yield();
	test_check(after_down && after_down_rc == 0, "self_down_returns_0_when_up",
		   "after %lu rc %ld", after_down, after_down_rc);
}

static void __attribute__((noreturn)) spin_main(unsigned long k)
{
	(void)k;
	for (;;)
		__asm__ volatile("pause");
}

/* Running time of all the domain's vCPUs together. */
static uint64_t domain_running_ns(void)
{
	struct vcpu_runstate_info rs;
	uint64_t sum = 0;

	for (unsigned int v = 0; v < nr; v++)
		if (runstate_of(v, &rs) == 0)
			sum += rs.time[RUNSTATE_running];
	return sum;
}

/*
 * mode=spin: every vCPU spins; the domain's share of the CPU over the
 * window [start_ms, start_ms + duration_ms] of system time must be
 * expect_share per-mille (+-10%), whatever its vCPU count: the weight is
 * the domain's (compare with spinshare.c in another domain).
 */
static void spin_share(void)
{
	uint64_t start = md_arg("start_ms", 1000) * MD_MS;
	uint64_t end = start + md_arg("duration_ms", 2000) * MD_MS;
	unsigned long want = md_arg("expect_share", 500);
	uint64_t r0, r1, t0, t1, share;

	for (unsigned int v = 1; v < nr; v++) {
		good_context(v, spin_main);
		if (vcpu_op(VCPUOP_initialise, v, &ctx) || vcpu_op(VCPUOP_up, v, NULL))
			pv_crash("spin: cannot start vCPU %u\n", v);
	}
	while (md_now() < start)
		__asm__ volatile("pause");
	r0 = domain_running_ns();
	t0 = md_now();
	while (md_now() < end)
		__asm__ volatile("pause");
	r1 = domain_running_ns();
	t1 = md_now();
	share = (r1 - r0) * 1000 / (t1 - t0);
	for (unsigned int v = 0; v < nr; v++) {
		struct vcpu_runstate_info rs;

		runstate_of(v, &rs);
		pv_printf("vcpus: spin: vCPU %u ran %lu ms in all\n", v,
			  (unsigned long)(rs.time[RUNSTATE_running] / MD_MS));
	}
	pv_printf("vcpus: spin: %lu vCPUs ran %lu ms of %lu ms (%lu per mille)\n",
		  nr, (unsigned long)((r1 - r0) / MD_MS),
		  (unsigned long)((t1 - t0) / MD_MS), (unsigned long)share);
	test_check(share * 10 >= want * 9 && share * 10 <= want * 11,
		   "domain_share_expected", "%lu per mille, want %lu",
		   (unsigned long)share, want);
	test_finish();
}

static volatile unsigned long mxcsr_seen, mxcsr_done, failsafe_seen;

static void __attribute__((noreturn)) mxcsr_main(unsigned long k)
{
	uint32_t m;

	__asm__ volatile("stmxcsr %0" : "=m"(m));
	mxcsr_seen = m;
	mxcsr_done = 1;
	for (;;)
		vcpu_op(VCPUOP_down, (unsigned int)k, NULL);
}

/* vCPU 2 came back through its failsafe callback (Lamina) or a #GP
 * naming the selector (Xen): record it, go down. */
static void failsafe_on_vcpu2(struct pv_trap_frame *f)
{
	(void)f;
	failsafe_seen++;
	for (;;)
		vcpu_op(VCPUOP_down, 2, NULL);
}

static void gp_on_vcpu2(struct pv_trap_frame *f)
{
	uint8_t here;

	if (&here < stacks[2] || &here >= stacks[2] + STACK_BYTES) {
		pv_printf("unexpected #GP at %lx\n", f->rip);
		pv_shutdown(SHUTDOWN_crash);
	}
	failsafe_on_vcpu2(f);
}

/*
 * mode=badctx (3 vCPUs), contexts a hostile kernel might pass:
 *  - an FXSAVE image (VGCF_I387_VALID) with every MXCSR bit set: reserved
 *    bits would fault the hypervisor's own fxrstor when the vCPU is
 *    switched in; the vCPU must run, with no reserved bit (Xen resets a
 *    state it cannot load);
 *  - code and stack selectors that cannot be loaded: the return to the
 *    guest faults, and the vCPU gets its failsafe callback (Xen 4.17
 *    bounces a #GP with the selector as error code instead; both count).
 * On Xen under TCG the MXCSR check fails: TCG's fxrstor takes reserved
 * bits without faulting, and Xen loads the image as given (on hardware
 * its fxrstor faults and Xen resets the state, which passes).
 */
static void bad_context_attacks(void)
{
	uint64_t end;

	good_context(1, mxcsr_main);
	ctx.flags |= VGCF_I387_VALID;
	*(uint16_t *)&ctx.fpu_ctxt.x[0] = 0x37f;
	*(uint32_t *)&ctx.fpu_ctxt.x[24] = 0xffffffff;
	*(uint32_t *)&ctx.fpu_ctxt.x[28] = 0xffffffff;
	test_expect_rc("initialise_fpu_all_mxcsr_bits",
		       vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
	test_expect_rc("up_fpu_all_mxcsr_bits", vcpu_op(VCPUOP_up, 1, NULL), 0);
	end = md_now() + WAIT;
	while (!mxcsr_done && md_now() < end)
		yield();
	test_check(mxcsr_done && !(mxcsr_seen >> 16), "fpu_context_reserved_mxcsr_harmless",
		   "ran %lu, mxcsr %#lx", mxcsr_done, mxcsr_seen);

	pv_trap_set_handler(PV_VEC_FAILSAFE, failsafe_on_vcpu2);
	pv_trap_set_handler(PV_TRAP_GP, gp_on_vcpu2);
	good_context(2, spin_main);
	ctx.user_regs.cs = 0xfff8;      /* far past the GDT's end */
	ctx.user_regs.ss = 0xfff0;
	test_expect_rc("initialise_unloadable_selectors",
		       vcpu_op(VCPUOP_initialise, 2, &ctx), 0);
	test_expect_rc("up_unloadable_selectors", vcpu_op(VCPUOP_up, 2, NULL), 0);
	end = md_now() + WAIT;
	while (!failsafe_seen && md_now() < end)
		yield();
	test_check(failsafe_seen != 0, "unloadable_selectors_give_failsafe",
		   "vCPU 2 never reached its failsafe callback or #GP handler");
	test_finish();
}

static void alldown(void)
{
	good_context(1, alldown_main);
	if (vcpu_op(VCPUOP_initialise, 1, &ctx) || vcpu_op(VCPUOP_up, 1, NULL))
		pv_crash("alldown: cannot start vCPU 1\n");
	pv_printf("vcpus: alldown: vCPU 1 is to take every vCPU down\n");
	alldown_req = 1;
	for (;;)
		yield();
}

void kernel_main(start_info_t *si)
{
	(void)si;
	md_init();
	sh = pv_shared_info();
	count_vcpus();
	if (md_arg_is("mode", "spin"))
		spin_share();
	if (md_arg_is("mode", "badctx")) {
		if (nr < 3)
			pv_crash("badctx needs 3 vCPUs\n");
		bad_context_attacks();
	}
	if (md_arg_is("mode", "selfdown")) {
		long rc;

		pv_printf("vcpus: selfdown: vCPU %d of %lu goes down\n", 0, nr);
		rc = vcpu_op(VCPUOP_down, 0, NULL);
		pv_crash("FAIL selfdown: the only vCPU's down returned %ld\n", rc);
	}
	if (md_arg_is("mode", "alldown")) {
		if (nr < 2)
			pv_crash("alldown needs 2 vCPUs\n");
		alldown();
	}
	pv_printf("vcpus: %lu vCPUs\n", nr);
	if (nr < 2)
		test_finish();
	initial_state();
	bad_contexts();
	ports();
	bring_up();
	secondaries_run();
	runstates();
	down_and_up();
	test_finish();
}
