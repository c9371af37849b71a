/*
 * Scheduling mechanism. The policy (who runs, for how long) is
 * sched_policy.c; this file switches vCPUs, idles the CPU, and does the
 * work of every return to a guest.
 *
 * The running vCPU's registers live in the frame at the top of the
 * hypervisor stack; switching away copies them (and the FPU, segment bases
 * and mode) into the vCPU, switching in copies them back and enters the
 * guest with a fresh stack. So schedule() never returns: whatever called it
 * is abandoned, its work done.
 */
#include <lamina/config.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/pv.h>
#include <lamina/pv_mm.h>
#include <lamina/schedule.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <pv/xen.h>
#include <pv/vcpu.h>
#include <asm/cpu.h>
#include <asm/xstate.h>
#include <asm/desc.h>
#include <asm/spec_ctrl.h>

void enter_guest(struct cpu_regs *frame) __attribute__((noreturn));
/* Runstate accounting (common/vcpu_op.c). */
void vcpu_runstate_change(struct vcpu *v, int new_state, uint64_t now);

static struct sched_runqueue runq;
static struct timer slice_timer;
static uint64_t slice_start;            /* when current began to run */
bool need_resched;
/* The fast hypercall path tests this word: (pending, mask) of the running
 * vCPU in kernel mode; the constant 1 ("pending, unmasked") forces the
 * full path in user mode or when idle. */
const uint16_t always_slow_word = 1;
const volatile uint16_t *cpu_fast_event_word = &always_slow_word;

static struct cpu_regs *guest_frame(void)
{
	return (struct cpu_regs *)(hv_stack_top - sizeof(struct cpu_regs));
}

static void slice_expired(void *data)
{
	(void)data;
	need_resched = true;
}

/*
 * AMD CPUs without CPUID 0x80000008 EBX bit 2 (RstrFpErrPtrs) save and
 * restore the x87 last-instruction and last-operand pointers (FIP, FDP) and
 * the last opcode (FOP) only when an x87 exception is pending (FSW.ES): a
 * vCPU whose state has none would keep the previous vCPU's, which tell
 * where another domain last used the x87 unit. Before such a restore, one
 * x87 load from a fixed hypervisor address overwrites all three.
 */
static bool fpu_ptr_reset;
static const uint32_t fpu_ptr_scrub_word;

static void fpu_ptr_reset_init(void)
{
	uint32_t a, b, c, d, max_ext;

	cpuid_count(0, 0, &a, &b, &c, &d);
	/* "AuthenticAMD" and Hygon's "HygonGenuine". */
	bool amd = (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) ||
		   (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);
	cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
	if (amd && max_ext >= 0x80000008) {
		cpuid_count(0x80000008, 0, &a, &b, &c, &d);
		fpu_ptr_reset = !(b & (1u << 2));
	} else {
		fpu_ptr_reset = amd;
	}
	if (hv_options.force_fpu_ptr_reset)
		fpu_ptr_reset = true;
	if (fpu_ptr_reset)
		printk("x87 error pointers cleared on every vCPU switch (%s)\n",
		       hv_options.force_fpu_ptr_reset ? "forced" :
		       "AMD CPU without RstrFpErrPtrs");
}

/* Overwrite FIP/FDP/FOP: fnclex so no exception is raised, ffree so the
 * load cannot overflow the stack, then the load. Needs CR0.TS clear. */
static inline void fpu_ptr_scrub(void)
{
	__asm__ volatile("fnclex\n\tffree %%st(7)\n\tfildl %0"
			 : : "m"(fpu_ptr_scrub_word));
}

void sched_init(void)
{
	fpu_ptr_reset_init();
	sched_rq_init(&runq);
	timer_init(&slice_timer, slice_expired, NULL);
}

void sched_request(void)
{
	need_resched = true;
}

/* SCHEDOP_poll's timeout passed: wake the poller. */
static void poll_timed_out(void *data)
{
	vcpu_kick(data);
}

/*
 * A domain's weight and cap are the domain's: split evenly over its online
 * vCPUs (each vCPU is a scheduling unit), redone whenever one goes up or
 * down. A blocked online vCPU keeps its part, so a domain whose vCPUs are
 * not all busy gets less than its whole share while others compete.
 */
static void sched_split_shares(struct domain *d)
{
	unsigned int n = 0, weight, cap;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] && !d->vcpus[i]->down)
			n++;
	if (!n)
		n = 1;
	weight = d->weight / n ? d->weight / n : 1;
	cap = d->cap && d->cap < 100 ? (d->cap / n ? d->cap / n : 1) : 0;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			sched_unit_set_params(&d->vcpus[i]->sched, weight, cap);
}

void sched_add_vcpu(struct vcpu *v)
{
	timer_init(&v->poll_timer, poll_timed_out, v);
	sched_unit_init(&v->sched, v, v->domain->weight, v->domain->cap);
	sched_unit_add(&runq, &v->sched);
	if (!v->down)
		sched_unit_wake(&runq, &v->sched);      /* ready to run */
	sched_split_shares(v->domain);
	need_resched = true;
}

void vcpu_up(struct vcpu *v)
{
	if (!v->down)
		return;
	v->down = false;
	vcpu_runstate_change(v, v->blocked ? RUNSTATE_blocked : RUNSTATE_runnable,
			     now());
	if (!v->blocked)
		sched_unit_wake(&runq, &v->sched);
	sched_split_shares(v->domain);
	need_resched = true;
}

void vcpu_down(struct vcpu *v)
{
	if (v->down)
		return;
	v->down = true;
	sched_unit_sleep(&runq, &v->sched);
	/* The running vCPU goes offline when it is switched out, at once. */
	if (v != current)
		vcpu_runstate_change(v, RUNSTATE_offline, now());
	sched_split_shares(v->domain);
	need_resched = true;
}

void sched_remove_vcpu(struct vcpu *v)
{
	sched_unit_remove(&runq, &v->sched);
	timer_stop(&v->poll_timer);
	timer_stop(&v->singleshot_timer);
	timer_stop(&v->periodic_timer);
	need_resched = true;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->blocked)
		return;
	v->blocked = false;
	v->nr_poll_ports = 0;
	timer_stop(&v->poll_timer);
	if (v->down)
		return;         /* unblocked; runs once it is up again */
	if (v->runstate == RUNSTATE_blocked && v != current)
		vcpu_runstate_change(v, RUNSTATE_runnable, now());
	sched_unit_wake(&runq, &v->sched);
	need_resched = true;
}

int load_ds_checked(uint16_t sel);
int load_es_checked(uint16_t sel);
int load_fs_checked(uint16_t sel);
int load_gs_checked(uint16_t sel);

/*
 * Copy the running vCPU's live state out of the CPU: everything a guest can
 * see or set that the next vCPU would otherwise inherit. General registers,
 * rip, rflags, cs and ss are in the frame; then the data selectors (the
 * hypervisor never loads them, so they still hold the guest's), the FS and
 * both GS bases, and the FPU state (with the components of the vCPU's XCR0
 * when XSAVE is on). Debug registers, CR0.TS, page tables and descriptor
 * tables live in the vCPU already and are reloaded by restore_vcpu.
 */
static void save_vcpu(struct vcpu *v)
{
	v->saved_regs = *guest_frame();
	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
			 : "=r"(v->ds_sel), "=r"(v->es_sel), "=r"(v->fs_sel),
			   "=r"(v->gs_sel));
	v->fs_base = rdmsr(MSR_FS_BASE);
	uint64_t gs = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_SHADOW_GS_BASE);
	v->gs_base_kernel = v->kernel_mode ? gs : shadow;
	v->gs_base_user = v->kernel_mode ? shadow : gs;
	clts();
	xstate_save(v->fpu_state, v->xcr0);
}

/* A vCPU's first FPU state: what fninit and a reset MXCSR give. */
static void init_fpu_state(struct vcpu *v)
{
	memset(v->fpu_state, 0, sizeof(v->fpu_state));
	*(uint16_t *)&v->fpu_state[0] = 0x37f;          /* FCW */
	*(uint32_t *)&v->fpu_state[24] = 0x1f80;        /* MXCSR */
	/* XSTATE_BV: x87 and SSE as above (the rest in their initial state). */
	*(uint64_t *)&v->fpu_state[XSTATE_HEADER_OFFSET] = XSTATE_LEGACY;
	v->xcr0 = XSTATE_LEGACY;
	v->fpu_initialised = true;
}

/* Load a vCPU's state into the CPU (the frame goes to the stack top). */
static void restore_vcpu(struct vcpu *v)
{
	struct cpu_regs *frame = guest_frame();

	*frame = v->saved_regs;
	pv_load_cr3(v);
	pv_load_descriptor_tables(v);
	pv_load_debugregs(v);
	/*
	 * Selectors after the descriptor tables they name, and before the
	 * bases (a %fs/%gs load sets its base from the descriptor). One the
	 * CPU now refuses (its descriptor changed) becomes the null selector.
	 */
	if (load_ds_checked(v->ds_sel))
		load_ds_checked(0);
	if (load_es_checked(v->es_sel))
		load_es_checked(0);
	if (load_fs_checked(v->fs_sel))
		load_fs_checked(0);
	if (load_gs_checked(v->gs_sel))
		load_gs_checked(0);
	wrmsr(MSR_FS_BASE, v->fs_base);
	wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
	wrmsr(MSR_SHADOW_GS_BASE, v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
	if (!v->fpu_initialised)
		init_fpu_state(v);
	clts();
	if (fpu_ptr_reset)
		fpu_ptr_scrub();
	xstate_restore(v->fpu_state, v->xcr0);
	if (v->virt_cr0_ts)
		stts();
}

/* Enter v in guest context. */
static void __attribute__((noreturn)) run_vcpu(struct vcpu *v)
{
	struct vcpu *prev = current;

	if (prev != v) {
		if (!prev || prev->domain != v->domain) {
			perf_switch_domain(prev ? prev->domain : NULL);
			spec_ctrl_switch_domain(v->domain);
		}
		current = v;
		restore_vcpu(v);
		vcpu_runstate_change(v, RUNSTATE_running, now());
		update_vcpu_system_time(v);
	}
	sched_update_fast_path(v);
	pv_return_to_guest(guest_frame());
	enter_guest(guest_frame());
}

/* Take the running vCPU off the CPU, keeping its state. */
static void deschedule_current(uint64_t t)
{
	struct vcpu *v = current;

	if (!v)
		return;
	/* The per-CPU counts since it came on are its domain's. */
	perf_switch_domain(v->domain);
	if (v->domain->state == DOMAIN_RUNNING) {
		save_vcpu(v);
		vcpu_runstate_change(v, v->down ? RUNSTATE_offline :
				     v->blocked ? RUNSTATE_blocked : RUNSTATE_runnable, t);
	}
	current = NULL;
	sched_update_fast_path(NULL);
}

static bool any_domain_alive(void)
{
	for (int i = 0; i < MAX_DOMAINS; i++)
		if (domains[i] && domains[i]->state == DOMAIN_RUNNING)
			return true;
	return false;
}

void schedule(void)
{
	uint64_t t = now();

	hypercall_state_reset();        /* a call that ends here is abandoned */

	if (current && current->domain->state == DOMAIN_RUNNING)
		sched_charge(&runq, &current->sched, t - slice_start, t);
	slice_start = t;
	need_resched = false;
	for (;;) {
		uint64_t slice = 0;
		struct sched_unit *u = sched_pick(&runq, t, &slice);

		if (u) {
			struct vcpu *next = u->owner;
			if (next != current)
				deschedule_current(t);
			slice_start = t;
			timer_set(&slice_timer, t + (slice ? slice : SCHED_SLICE_NS));
			run_vcpu(next);
		}
		deschedule_current(t);
		if (!any_domain_alive())
			end_run();
		/* Idle: sleep until an interrupt; its timers may wake a vCPU. */
		if (slice)
			timer_set(&slice_timer, t + slice);
		else
			timer_stop(&slice_timer);
		need_resched = false;
		while (!need_resched)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		need_resched = false;
		t = now();
		slice_start = t;
	}
}

void vcpu_sleep_current(void)
{
	struct vcpu *v = current;

	v->blocked = true;
	sched_unit_sleep(&runq, &v->sched);
	need_resched = true;
}

/* Deliver pending events: enter the event callback with events masked. */
static void deliver_events(struct vcpu *v, struct cpu_regs *regs)
{
	struct vcpu_info *vi = v->vcpu_info;

	if (!vi->evtchn_upcall_pending || vi->evtchn_upcall_mask ||
	    !v->event_cb.address)
		return;
	uint64_t frame[] = {
		regs->rcx, regs->r11, regs->rip, pv_saved_cs(v, regs),
		pv_saved_rflags(v, regs), regs->rsp, regs->ss,
	};
	cpu_perf.bounces++;
	pv_enter_kernel(regs, v->event_cb.address, frame, 7, true, PV_ENTRY_EVENT);
	sched_update_fast_path(v);
}

void pv_return_to_guest_slow(struct cpu_regs *regs)
{
	struct vcpu *v = current;

	if (need_resched || v->blocked || v->domain->state != DOMAIN_RUNNING)
		schedule();
	deliver_events(v, regs);
	sched_update_fast_path(v);
}
