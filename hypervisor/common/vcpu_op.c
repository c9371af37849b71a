/*
 * The time hypercalls and per-vCPU state behind them: set_timer_op, and
 * vcpu_op's timers, runstate and vcpu_info placement, with the semantics
 * and error codes of Xen 4.17 (xen/common/domain.c, sched/core.c); and
 * vcpu_op's life cycle of a domain's vCPUs: initialise (its context,
 * arch/x86/pv/vcpu_context.c), up, down and is_up. Every op names a vCPU
 * of the caller's own domain; any id past its count is -ENOENT.
 *
 * Timers: each vCPU has a singleshot timer (set_timer_op and
 * VCPUOP_set_singleshot_timer share it) and a periodic one; both raise
 * VIRQ_TIMER on the vCPU when they fire. Their callbacks run in hypervisor
 * context from the timer interrupt.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/guest_access.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv.h>
#include <lamina/pv_mm.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <lamina/vcpu_op.h>
#include <lamina/schedule.h>
#include <pv/errno.h>
#include <pv/sched.h>
#include <pv/vcpu.h>
#include <pv/xen.h>
#include <asm/cpu.h>

#define MILLISECS(ms)          ((uint64_t)(ms) * 1000000UL)
#define STIME_DELTA_MAX        ((uint64_t)INT64_MAX)
/* set_timer_op: deadlines further than 2^50 ns (~13 days) away are
 * taken as a guest's wrapped arithmetic and become 100 ms, as in Xen. */
#define HUGE_TIMEOUT_SHIFT     50

/* The singleshot deadline passed: one VIRQ_TIMER. */
static void singleshot_fired(void *data)
{
	send_guest_virq(data, VIRQ_TIMER);
}

/* A periodic tick: VIRQ_TIMER, and the next tick one period on (skipping
 * ticks that were missed rather than delivering a burst). */
static void periodic_fired(void *data)
{
	struct vcpu *v = data;
	uint64_t t = now();
	uint64_t next = v->periodic_timer.expires + v->periodic_period;

	send_guest_virq(v, VIRQ_TIMER);
	if (!v->periodic_period)
		return;
	if (next <= t)
		next = t + v->periodic_period;
	timer_set(&v->periodic_timer, next);
}

/* Timers set up on first use too, for vCPUs made before vcpu_time_init. */
static void ensure_timers(struct vcpu *v)
{
	if (!v->singleshot_timer.fn)
		timer_init(&v->singleshot_timer, singleshot_fired, v);
	if (!v->periodic_timer.fn)
		timer_init(&v->periodic_timer, periodic_fired, v);
}

void vcpu_time_init(struct vcpu *v)
{
	ensure_timers(v);
	v->runstate = RUNSTATE_running;
	v->runstate_entry_time = now();
	v->periodic_period = VCPU_DEFAULT_PERIOD_NS;
	timer_set(&v->periodic_timer, now() + v->periodic_period);
}

/* A vCPU that starts down: offline, the default tick period kept for
 * when it comes up (its first tick then is one period after it first runs). */
void vcpu_time_init_down(struct vcpu *v)
{
	ensure_timers(v);
	v->runstate = RUNSTATE_offline;
	v->runstate_entry_time = now();
	v->periodic_period = VCPU_DEFAULT_PERIOD_NS;
	v->periodic_timer.expires = UINT64_MAX;
}

/* The shared_info slot a vCPU's vcpu_info starts in. */
static struct vcpu_info *default_vcpu_info(struct vcpu *v)
{
	return &v->domain->shared_info->vcpu_info[v->vcpu_id];
}

/*
 * Has the guest moved vcpu_info with VCPUOP_register_vcpu_info? Recorded
 * by frame, not by pointer: a registration at offset 0 of shared_info
 * lands on the default slot and still counts.
 */
static bool vcpu_info_registered(const struct vcpu *v)
{
	return v->vcpu_info_mfn != 0;
}

void vcpu_time_destroy(struct vcpu *v)
{
	ensure_timers(v);
	timer_stop(&v->singleshot_timer);
	timer_stop(&v->periodic_timer);
	v->periodic_period = 0;
	if (vcpu_info_registered(v)) {
		arch_put_writable_frame_ref(v->domain, v->vcpu_info_mfn);
		v->vcpu_info_mfn = 0;
		v->vcpu_info = default_vcpu_info(v);
	}
	v->runstate_guest_va = 0;
}

/* A snapshot of v's runstate, the current state's time counted up to t. */
static void runstate_snapshot(const struct vcpu *v, uint64_t t,
			      struct vcpu_runstate_info *out)
{
	memset(out, 0, sizeof(*out));
	out->state = v->runstate;
	out->state_entry_time = v->runstate_entry_time;
	for (int i = 0; i < 4; i++)
		out->time[i] = v->runstate_time[i];
	if (t > v->runstate_entry_time && v->runstate >= 0 && v->runstate < 4)
		out->time[v->runstate] += t - v->runstate_entry_time;
}

/*
 * Copy info to the guest's registered area. With the runstate_update_flag
 * assist the guest sees XEN_RUNSTATE_UPDATE in state_entry_time while the
 * copy is under way. Faults are ignored, as Xen ignores them.
 */
static void runstate_copy_out(struct vcpu *v, struct vcpu_runstate_info *info)
{
	uint64_t va = v->runstate_guest_va;
	uint64_t entry_va = va + offsetof(struct vcpu_runstate_info, state_entry_time);
	bool flag = v->domain->vm_assist & (1UL << VMASST_TYPE_runstate_update_flag);
	uint64_t entry = info->state_entry_time;

	if (flag) {
		entry |= XEN_RUNSTATE_UPDATE;
		(void)copy_to_guest(entry_va, &entry, sizeof(entry));
		__asm__ volatile("" ::: "memory");
		info->state_entry_time = entry;
	}
	(void)copy_to_guest(va, info, sizeof(*info));
	if (flag) {
		__asm__ volatile("" ::: "memory");
		entry &= ~XEN_RUNSTATE_UPDATE;
		(void)copy_to_guest(entry_va, &entry, sizeof(entry));
	}
}

/*
 * Write v's runstate to its registered area, if any. The area is a guest
 * kernel address: reachable when v's kernel page tables are loaded, and
 * through them (switched in briefly, as Xen does) when its user ones are.
 */
static void runstate_publish(struct vcpu *v, uint64_t t)
{
	struct vcpu_runstate_info info;
	uint64_t cr3 = read_cr3();
	uint64_t loaded = (cr3 & PTE_MFN_MASK) >> PAGE_SHIFT;

	if (!v->runstate_guest_va || !v->kernel_l4_mfn)
		return;
	if (loaded != v->kernel_l4_mfn && loaded != v->user_l4_mfn)
		return;
	runstate_snapshot(v, t, &info);
	if (loaded != v->kernel_l4_mfn)
		write_cr3(v->kernel_l4_mfn << PAGE_SHIFT);
	runstate_copy_out(v, &info);
	if (loaded != v->kernel_l4_mfn)
		write_cr3(cr3);
}

/* Entering RUNSTATE_running: deliver an overdue tick, arm the next one. */
static void periodic_resume(struct vcpu *v, uint64_t t)
{
	uint64_t next = v->periodic_timer.expires;

	if (!v->periodic_period)
		return;
	if (next == UINT64_MAX)         /* first run since it came up */
		next = t + v->periodic_period;
	if (next <= t) {
		send_guest_virq(v, VIRQ_TIMER);
		next = t + v->periodic_period;
	}
	timer_set(&v->periodic_timer, next);
}

void vcpu_runstate_change(struct vcpu *v, int new_state, uint64_t t)
{
	int old = v->runstate;

	if (t > v->runstate_entry_time && old >= 0 && old < 4)
		v->runstate_time[old] += t - v->runstate_entry_time;
	v->runstate = new_state;
	v->runstate_entry_time = t;

	ensure_timers(v);
	if (old == RUNSTATE_running && new_state != RUNSTATE_running)
		timer_stop(&v->periodic_timer);    /* expires kept: next due */
	else if (old != RUNSTATE_running && new_state == RUNSTATE_running)
		periodic_resume(v, t);
	runstate_publish(v, t);
}

/* Arm the singleshot timer for the current vCPU. */
static void singleshot_set(struct vcpu *v, uint64_t deadline)
{
	ensure_timers(v);
	timer_set(&v->singleshot_timer, deadline);
}

/*
 * set_timer_op(timeout): timeout is absolute system time in ns; 0 cancels.
 * A deadline in the past fires at once (the timer is already due).
 */
long do_set_timer_op(uint64_t timeout, uint64_t a2, uint64_t a3,
		     uint64_t a4, uint64_t a5)
{
	struct vcpu *v = current;
	uint64_t t = now();
	(void)a2, (void)a3, (void)a4, (void)a5;

	ensure_timers(v);
	if (timeout == 0)
		timer_stop(&v->singleshot_timer);
	else if ((int64_t)timeout < 0 ||
		 (timeout > t && (timeout - t) >> HUGE_TIMEOUT_SHIFT))
		singleshot_set(v, t + MILLISECS(100));
	else
		singleshot_set(v, timeout);
	return 0;
}

static long op_set_singleshot(struct vcpu *v, uint64_t arg)
{
	struct vcpu_set_singleshot_timer set;

	if (v != current)
		return -XEN_EINVAL;
	if (copy_from_guest(&set, arg, sizeof(set)))
		return -XEN_EFAULT;
	/* Xen 4.17 refuses a past deadline when asked to (later Xen ignores
	 * the flag and fires at once). */
	if ((set.flags & VCPU_SSHOTTMR_future) && set.timeout_abs_ns < now())
		return -XEN_ETIME;
	singleshot_set(v, set.timeout_abs_ns);
	return 0;
}

static long op_stop_singleshot(struct vcpu *v)
{
	if (v != current)
		return -XEN_EINVAL;
	ensure_timers(v);
	timer_stop(&v->singleshot_timer);
	return 0;
}

/* Periods from 1 ms up; the first tick one period from now. */
static long op_set_periodic(struct vcpu *v, uint64_t arg)
{
	struct vcpu_set_periodic_timer set;

	if (copy_from_guest(&set, arg, sizeof(set)))
		return -XEN_EFAULT;
	if (set.period_ns < MILLISECS(1) || set.period_ns > STIME_DELTA_MAX)
		return -XEN_EINVAL;
	ensure_timers(v);
	v->periodic_period = set.period_ns;
	timer_set(&v->periodic_timer, now() + set.period_ns);
	return 0;
}

static long op_stop_periodic(struct vcpu *v)
{
	ensure_timers(v);
	v->periodic_period = 0;
	timer_stop(&v->periodic_timer);
	return 0;
}

static long op_get_runstate_info(struct vcpu *v, uint64_t arg)
{
	struct vcpu_runstate_info info;

	runstate_snapshot(v, now(), &info);
	return copy_to_guest(arg, &info, sizeof(info)) ? -XEN_EFAULT : 0;
}

/* Remember the guest address; write the current runstate there now. */
static long op_register_runstate_area(struct vcpu *v, uint64_t arg)
{
	struct vcpu_register_runstate_memory_area area;

	if (copy_from_guest(&area, arg, sizeof(area)))
		return -XEN_EFAULT;
	if (!guest_range_ok(area.addr.p, sizeof(struct vcpu_runstate_info)))
		return -XEN_EFAULT;
	v->runstate_guest_va = area.addr.p;
	if (v == current) {
		runstate_publish(v, now());
	} else {
		/* Another vCPU (maybe without page tables yet): written
		 * through the caller's, which are loaded, as Xen does. */
		struct vcpu_runstate_info info;

		runstate_snapshot(v, now(), &info);
		runstate_copy_out(v, &info);
	}
	return 0;
}

/*
 * Move vcpu_info to guest frame mfn at offset: the frame must be the
 * domain's and usable as a writable page (not a page table or descriptor
 * page); it keeps a writable type reference until the domain ends. Once
 * only. Every event is then marked pending so none is lost in the move.
 */
static long op_register_vcpu_info(struct vcpu *v, uint64_t arg)
{
	struct vcpu_register_vcpu_info info;

	if (copy_from_guest(&info, arg, sizeof(info)))
		return -XEN_EFAULT;
	if (info.offset > PAGE_SIZE - sizeof(struct vcpu_info))
		return -XEN_EINVAL;
	if (vcpu_info_registered(v))
		return -XEN_EINVAL;
	/* Xen answers -EINVAL for a frame it cannot take writable. */
	if (info.mfn == 0 || arch_get_writable_frame_ref(v->domain, info.mfn))
		return -XEN_EINVAL;
	v->vcpu_info_mfn = info.mfn;

	struct vcpu_info *new_info =
		(void *)((char *)mfn_to_virt(info.mfn) + info.offset);

	memcpy(new_info, v->vcpu_info, sizeof(*new_info));
	__asm__ volatile("" ::: "memory");
	v->vcpu_info = new_info;
	if (v == current)
		sched_update_fast_path(v);      /* the fast path reads its event word */
	__asm__ volatile("" ::: "memory");
	new_info->evtchn_pending_sel = ~0UL;
	new_info->evtchn_upcall_pending = 1;
	vcpu_kick(v);
	return 0;
}

/* The vCPU vcpuid of the calling domain, or NULL (Xen: -ENOENT). */
static struct vcpu *domain_vcpu(struct domain *d, unsigned int vcpuid)
{
	if (vcpuid >= MAX_VCPUS_PER_DOM || vcpuid >= d->nr_vcpus)
		return NULL;
	return d->vcpus[vcpuid];
}

/* VCPUOP_up: only a vCPU with a context may run. */
static long op_up(struct vcpu *v)
{
	if (!v->initialised)
		return -XEN_EINVAL;
	vcpu_up(v);
	return 0;
}

/*
 * VCPUOP_down, on the caller itself or another vCPU of its domain (already
 * down: nothing to do). As in Xen, taking the domain's last online vCPU
 * down powers the domain off: a domain with no vCPU up could never run or
 * be woken again, and the run ends when no domain is left.
 */
static long op_down(struct vcpu *v)
{
	struct domain *d = v->domain;

	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] != v && !d->vcpus[i]->down) {
			vcpu_down(v);
			return 0;
		}
	if (!d->end_cause)
		d->end_cause = "poweroff (its last vCPU went down)";
	domain_shutdown(d, SHUTDOWN_poweroff);
	if (d == current->domain)
		schedule();
	return 0;
}

/* vcpu_op(cmd, vcpuid, arg): Xen's argument types are int, unsigned int. */
long do_vcpu_op(uint64_t a1, uint64_t a2, uint64_t arg, uint64_t a4,
		uint64_t a5)
{
	int cmd = (int)a1;
	struct vcpu *v = domain_vcpu(current->domain, (unsigned int)a2);
	(void)a4, (void)a5;

	if (!v)
		return -XEN_ENOENT;
	switch (cmd) {
	case VCPUOP_initialise:
		return pv_vcpu_initialise(v, arg);
	case VCPUOP_up:
		return op_up(v);
	case VCPUOP_down:
		return op_down(v);
	case VCPUOP_is_up:
		return !v->down;
	case VCPUOP_get_physid:
		return -XEN_EINVAL;     /* vCPUs are not pinned to physical CPUs */
	case VCPUOP_get_runstate_info:
		return op_get_runstate_info(v, arg);
	case VCPUOP_register_runstate_memory_area:
		return op_register_runstate_area(v, arg);
	case VCPUOP_set_periodic_timer:
		return op_set_periodic(v, arg);
	case VCPUOP_stop_periodic_timer:
		return op_stop_periodic(v);
	case VCPUOP_set_singleshot_timer:
		return op_set_singleshot(v, arg);
	case VCPUOP_stop_singleshot_timer:
		return op_stop_singleshot(v);
	case VCPUOP_register_vcpu_info:
		return op_register_vcpu_info(v, arg);
	}
	return -XEN_ENOSYS;
}
