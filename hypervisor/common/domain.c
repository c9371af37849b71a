/*
 * Domain life cycle: creation, shutdown, crash, and the end of the run.
 */
#include <stdarg.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/hypercall.h>
#include <lamina/pv_mm.h>
#include <lamina/pv.h>
#include <pv/sched.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/traps.h>

struct vcpu *current;
struct domain *domains[MAX_DOMAINS];

void enter_guest(struct cpu_regs *frame) __attribute__((noreturn));

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

struct domain *domain_alloc(domid_t id, const char *name)
{
	if (id >= MAX_DOMAINS || domains[id])
		return NULL;
	struct domain *d = alloc_xenheap(sizeof(*d));
	struct vcpu *v = alloc_xenheap(sizeof(*v));
	if (!d || !v)
		return NULL;
	d->domain_id = id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->state = DOMAIN_RUNNING;
	v->domain = d;
	v->vcpu_id = 0;
	v->kernel_mode = true;
	d->vcpus[0] = v;
	d->nr_vcpus = 1;
	domains[id] = d;
	return d;
}

/*
 * Give back every frame the domain owns. Nothing outside the domain can hold
 * a reference to them yet (grants come later), so its frames are reclaimed
 * wholesale rather than by unwinding every page-table reference.
 */
static void domain_release_memory(struct domain *d)
{
	if (current && current->domain == d) {
		write_cr3(virt_to_maddr(idle_l4));
		pv_unload_descriptor_tables();
	}
	for (uint64_t mfn = 0; mfn < max_mfn; mfn++)
		if (frame_table[mfn].owner == d->domain_id)
			free_frames(mfn, 1);
	d->shared_info = NULL;
	d->shared_info_mfn = 0;
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
	}
	d->end_cause = cause;
	d->state = DOMAIN_CRASHED;
	d->shutdown_reason = SHUTDOWN_crash;
	domain_release_memory(d);
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
	static const char *const names[] = { "poweroff", "reboot", "crash" };
	printk("run ended: %s (status %d)\n", names[status], status);
	machine_exit(status);
}

void schedule(void)
{
	/* One vCPU per domain and round robin over domains; more in issue 4. */
	int start = current ? current->domain->domain_id : 0;

	for (int i = 1; i <= MAX_DOMAINS; i++) {
		struct domain *d = domains[(start + i) % MAX_DOMAINS];
		if (d && d->state == DOMAIN_RUNNING)
			vcpu_run(d->vcpus[0]);
	}
	end_run();
}

void vcpu_run(struct vcpu *v)
{
	struct cpu_regs *frame = (struct cpu_regs *)(hv_stack_top - sizeof(*frame));

	if (current && current != v && current->domain->state == DOMAIN_RUNNING)
		current->saved_regs = *frame;
	*frame = v->saved_regs;
	if (!current || current->domain != v->domain)
		perf_switch_domain(current ? current->domain : NULL);
	current = v;
	cpu_guest_in_kernel = v->kernel_mode;
	pv_load_cr3(v);
	pv_load_descriptor_tables(v);
	wrmsr(MSR_FS_BASE, v->fs_base);
	wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
	wrmsr(MSR_SHADOW_GS_BASE, v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
	if (v->virt_cr0_ts)
		stts();
	else
		clts();
	enter_guest(frame);
}
