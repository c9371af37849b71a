/*
 * start_hypervisor: from the boot stub to the first domain.
 */
#include <lamina/arch.h>
#include <lamina/boot_info.h>
#include <lamina/cmdline.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/domain_build.h>
#include <lamina/frame_audit.h>
#include <lamina/hypercall.h>
#include <lamina/schedule.h>
#include <lamina/time.h>
#include <lamina/timer.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <asm/traps.h>

/* A problem with what we were given to boot: say so and end the run. */
static void __attribute__((noreturn)) boot_error(const char *fmt, const char *arg)
{
	printk("boot error: ");
	printk(fmt, arg);
	printk("\n");
	printk("run ended: boot-error (status %d)\n", RUN_END_BOOT_ERROR);
	arch_machine_exit(RUN_END_BOOT_ERROR);
}

/* Module i becomes domain i, configured by domain<i>= (and dom0_mem=). */
static void build_boot_domain(unsigned int i)
{
	const struct boot_domain_config *bc = &hv_options.domains[i];
	char err[192], name[32];
	bool privileged = bc->role >= 0 ? bc->role == 1 : i == 0;
	struct domain_config cfg = {
		.domain_id = (domid_t)i,
		.memory_bytes = bc->mem ? bc->mem
				: i == 0 ? hv_options.dom0_mem : 64UL << 20,
		.initial = i == 0 && privileged,
		.privileged = privileged,
		.weight = bc->weight ? bc->weight : SCHED_DEFAULT_WEIGHT,
		.cap = bc->cap,
		.vcpus = bc->vcpus ? bc->vcpus
			 : i == 0 && hv_options.dom0_max_vcpus ? hv_options.dom0_max_vcpus : 1,
	};

	if (bc->name[0])
		snprintf(name, sizeof(name), "%s", bc->name);
	else if (i == 0)
		snprintf(name, sizeof(name), "dom0");
	else
		snprintf(name, sizeof(name), "d%u", i);
	cfg.name = name;
	if (!arch_build_domain(&boot_info.modules[i], &cfg, err, sizeof(err))) {
		printk("boot error: domain %u: %s\n", i, err);
		printk("run ended: boot-error (status %d)\n", RUN_END_BOOT_ERROR);
		arch_machine_exit(RUN_END_BOOT_ERROR);
	}
}

void start_hypervisor(uint32_t magic, uint64_t mb_info)
{

	console_init();
	time_init();
	printk("Lamina hypervisor, Xen %d.%d PV ABI (x86-64)\n", LAMINA_XEN_MAJOR,
	       LAMINA_XEN_MINOR);
	arch_early_init();

	const char *problem = multiboot_parse(magic, mb_info);
	if (problem)
		boot_error("%s", problem);
	printk("command line: '%s'\n", boot_info.cmdline);
	problem = cmdline_parse(boot_info.cmdline);
	if (problem)
		boot_error("%s", problem);
	for (unsigned int i = 0; i < boot_info.nr_regions; i++)
		printk("  e820 %016lx-%016lx type %u\n", boot_info.regions[i].start,
		       boot_info.regions[i].end, boot_info.regions[i].type);

	memory_init();
	arch_cpu_init();

	/* Test hook: the fault report and the "panic" end of run. */
	if (hv_options.selftest_fault) {
		printk("selftest_fault: reading an unmapped address\n");
		(void)*(volatile uint64_t *)0xffff8700deadb000UL;
	}

	if (boot_info.nr_modules == 0)
		boot_error("%s", "no domain 0 kernel: pass it as the first module "
			   "(QEMU: -initrd \"<kernel> <args>\")");
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		printk("module %u: %#lx-%#lx '%s'\n", i, boot_info.modules[i].start,
		       boot_info.modules[i].end, boot_info.modules[i].cmdline);
	arch_timer_init();
	sched_init();
	if (boot_info.nr_modules > MAX_BOOT_DOMAINS)
		boot_error("%s", "at most 16 modules (domains)");
	if (hv_options.audit_frames)
		arch_frame_audit_init();
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		build_boot_domain(i);
	/* Test hook: one stray reference the frame audit must report. */
	if (hv_options.selftest_audit) {
		uint64_t mfn = domains[0]->vcpus[0]->kernel_l4_mfn;
		printk("selftest_audit: adding a stray reference to frame %#lx\n", mfn);
		frame_table[mfn].ref_count++;
	}
	console_start_input();
	printk("starting %u domain%s\n", boot_info.nr_modules,
	       boot_info.nr_modules == 1 ? "" : "s");
	schedule();
}
