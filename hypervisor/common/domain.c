/*
 * Domain life cycle: creation, shutdown, crash, and the end of the run.
 */
#include <stdarg.h>
#include <lamina/config.h>
#include <lamina/arch.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/lib.h>
#include <lamina/guest_access.h>
#include <lamina/mm.h>
#include <lamina/hypercall.h>
#include <lamina/pv_mm.h>
#include <lamina/pv.h>
#include <lamina/schedule.h>
#include <lamina/vcpu_op.h>
#include <lamina/event.h>
#include <lamina/cmdline.h>
#include <lamina/frame_audit.h>
#include <pv/sched.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/traps.h>

struct vcpu *current;
struct domain *domains[MAX_DOMAINS];


static const char *const shutdown_names[] = {
	[SHUTDOWN_poweroff] = "poweroff",
	[SHUTDOWN_reboot] = "reboot",
	[SHUTDOWN_suspend] = "suspend",
	[SHUTDOWN_crash] = "crash",
	[SHUTDOWN_watchdog] = "watchdog",
	[SHUTDOWN_soft_reset] = "soft_reset",
};

static const char *shutdown_name(unsigned int reason)
{
	if (reason < ARRAY_SIZE(shutdown_names) && shutdown_names[reason])
		return shutdown_names[reason];
	return "unknown";
}

/* A vCPU with no context yet: down, uninitialised, in kernel mode. */
static struct vcpu *vcpu_alloc(struct domain *d, unsigned int id)
{
	struct vcpu *v = alloc_xenheap(sizeof(*v));

	if (!v)
		return NULL;
	v->domain = d;
	v->vcpu_id = id;
	v->kernel_mode = true;
	v->down = true;
	timer_init(&v->poll_timer, NULL, NULL);
	timer_init(&v->singleshot_timer, NULL, NULL);
	timer_init(&v->periodic_timer, NULL, NULL);
	return v;
}

struct domain *domain_alloc(domid_t id, const char *name)
{
	if (id >= MAX_DOMAINS || domains[id])
		return NULL;
	struct domain *d = alloc_xenheap(sizeof(*d));
	if (!d)
		return NULL;
	struct vcpu *v = vcpu_alloc(d, 0);
	if (!v)
		return NULL;
	d->domain_id = id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->state = DOMAIN_RUNNING;
	d->weight = SCHED_DEFAULT_WEIGHT;
	d->vcpus[0] = v;
	d->nr_vcpus = 1;
	domains[id] = d;
	return d;
}

int domain_alloc_vcpus(struct domain *d, unsigned int n)
{
	if (n < 1 || n > MAX_VCPUS_PER_DOM)
		return -1;
	for (unsigned int i = d->nr_vcpus; i < n; i++) {
		if (!(d->vcpus[i] = vcpu_alloc(d, i)))
			return -1;
		d->nr_vcpus = i + 1;
	}
	return 0;
}

/*
 * Drop the frame rule's references (docs/memory.md), once nothing can use
 * the frames any more: the vCPUs are off the run queue, their registered
 * vcpu_info is released (vcpu_time_destroy) and no event reaches the
 * console handler. shared_info goes last: event code reads it until then.
 */
static void release_hypervisor_frames(struct domain *d)
{
	if (d->console_mfn)
		arch_put_writable_frame_ref(d, d->console_mfn);
	for (unsigned int i = 0; i < d->nr_grant_frames; i++)
		arch_put_writable_frame_ref(d, d->grant_frames[i]);
	if (d->shared_info_mfn)
		arch_put_writable_frame_ref(d, d->shared_info_mfn);
	d->console_mfn = 0;
}

/*
 * Give back every frame the domain owns. Nothing outside the domain can hold
 * a reference to them yet (grants come later), so its frames are reclaimed
 * wholesale rather than by unwinding every page-table reference. The count
 * must match the domain's accounting: its reservation, shared_info and its
 * grant frames; anything else is a frame that escaped it.
 */
static void domain_release_memory(struct domain *d)
{
	uint64_t owned = 0, accounted;

	sched_request();        /* whoever returns to a guest next reschedules */
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		sched_remove_vcpu(d->vcpus[i]);
		vcpu_time_destroy(d->vcpus[i]);
	}
	evtchn_domain_destroy(d);
	if (current && current->domain == d)
		arch_leave_guest_context();
	if (hv_options.audit_frames) {
		char when[48];
		snprintf(when, sizeof(when), "end of d%u", d->domain_id);
		arch_frame_audit(d, when);
	}
	release_hypervisor_frames(d);
	/* The tables are not unwound, so frames still mapped carry no stamp
	 * (docs/memory.md, "TLB"): one flush retires all the domain's
	 * translations before any of its frames is freed. */
	arch_flush_tlb();
	for (uint64_t mfn = 0; mfn < max_mfn; mfn++)
		if (frame_table[mfn].owner == d->domain_id) {
			free_frames(mfn, 1);
			owned++;
		}
	accounted = d->nr_pages + (d->shared_info_mfn ? 1 : 0) + d->nr_grant_frames;
	if (owned != accounted)
		printk("BUG: domain %u owned %lu frames at its end, %lu accounted for\n",
		       d->domain_id, owned, accounted);
	d->shared_info = NULL;
	d->shared_info_mfn = 0;
	d->nr_grant_frames = 0;
	d->nr_pages = 0;
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	if (d->state != DOMAIN_RUNNING)
		return;
	console_domain_flush(d);
	d->state = reason == SHUTDOWN_crash ? DOMAIN_CRASHED : DOMAIN_SHUTDOWN;
	d->shutdown_reason = reason;
	if (!d->end_cause)
		d->end_cause = shutdown_name(reason);
	printk("domain %u (%s) shut down: %s\n", d->domain_id, d->name,
	       d->end_cause);
	domain_release_memory(d);
	send_global_virq(VIRQ_DOM_EXC);
}

static void vdomain_crash(struct domain *d, const struct cpu_regs *regs,
			  const char *fmt, va_list ap)
{
	static char cause[160];

	if (d->state != DOMAIN_RUNNING)
		return;
	vsnprintf(cause, sizeof(cause), fmt, ap);
	console_domain_flush(d);
	printk("domain %u (%s) crashed: %s\n", d->domain_id, d->name, cause);
	if (regs) {
		dump_regs(regs);
		if (current && current->vcpu_info)
			printk("  guest cr2 %016lx  kernel mode %d\n",
			       current->vcpu_info->arch.cr2,
			       current->kernel_mode);
		/* The top of the guest's stack, for a backtrace by hand. */
		uint64_t words[8];
		if (current && current->domain == d && regs_from_guest(regs) &&
		    !copy_from_guest(words, regs->rsp, sizeof(words)))
			for (int i = 0; i < 8; i += 4)
				printk("  stack %016lx: %016lx %016lx %016lx %016lx\n",
				       regs->rsp + i * 8, words[i], words[i + 1],
				       words[i + 2], words[i + 3]);
	}
	d->end_cause = cause;
	d->state = DOMAIN_CRASHED;
	d->shutdown_reason = SHUTDOWN_crash;
	domain_release_memory(d);
	send_global_virq(VIRQ_DOM_EXC);
}

void domain_crash(struct domain *d, const struct cpu_regs *regs,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdomain_crash(d, regs, fmt, ap);
	va_end(ap);
}

void domain_crash_current(const struct cpu_regs *regs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdomain_crash(current->domain, regs, fmt, ap);
	va_end(ap);
	schedule();
}

void end_run(void)
{
	int status = RUN_END_POWEROFF;

	for (int i = 0; i < MAX_DOMAINS; i++) {
		struct domain *d = domains[i];
		if (!d)
			continue;
		const char *how = d->state == DOMAIN_CRASHED ? "crashed" : "shut down";
		printk("domain %u (%s) ended: %s (%s)\n", d->domain_id, d->name,
		       how, d->end_cause ? d->end_cause : "?");
		if (d->state == DOMAIN_CRASHED ||
		    d->shutdown_reason == SHUTDOWN_watchdog)
			status = RUN_END_CRASH;
		else if (d->shutdown_reason == SHUTDOWN_reboot &&
			 status == RUN_END_POWEROFF)
			status = RUN_END_REBOOT;
	}
	if (hv_options.audit_frames)
		arch_frame_audit(NULL, "end of run");
	static const char *const names[] = { "poweroff", "reboot", "crash" };
	printk("run ended: %s (status %d)\n", names[status], status);
	arch_machine_exit(status);
}
