/*
 * Lamina guest kernel: boots through the PV protocol, reports what it was
 * given, takes over its exceptions and callbacks, proves the handlers work,
 * then runs the built-in user programs as processes, each in its own
 * address space, preempted by the PV timer, until all have ended, and
 * powers off. In a domain other than 0 its console is the PV ring.
 */
#include <libpv/console.h>
#include "kernel.h"

/* Start every built-in program, run them all, report how they ended. */
static void run_processes(void)
{
	unsigned long before = frames_free();

	for (unsigned int i = 0; i < nr_user_programs; i++)
		if (proc_spawn(&user_programs[i]) < 0)
			pv_crash("could not start %s\n", user_programs[i].name);
	timer_init();
	sched_run();
	timer_stop();
	proc_summary();
	if (frames_free() != before)
		pv_crash("mm: %lu frames leaked by the processes\n",
			 before - frames_free());
}

void kernel_main(start_info_t *si)
{
	console_init();
	pv_printf("Lamina guest kernel\n");
	bootinfo_print(si);
	traps_init();
	events_init();
	events_start();
	console_start_input();
	if (!traps_selftest())
		pv_crash("guest kernel: exception self-test failed\n");
	mm_init(si);
	syscall_init();
	run_processes();
	pv_printf("guest kernel: all done, powering off\n");
	pv_shutdown(SHUTDOWN_poweroff);
}
