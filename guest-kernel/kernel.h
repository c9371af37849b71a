/*
 * Lamina guest kernel: interfaces between its parts. One file per concern:
 *   main.c      start of day and the order things are brought up in
 *   bootinfo.c  printing what the domain builder handed over
 *   traps.c     exception handlers and their self-test
 *   events.c    hypervisor callbacks (event upcall, failsafe, syscall)
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <libpv/pv.h>

/* Print every start_info field. */
void bootinfo_print(const start_info_t *si);

/* Install the trap table and the kernel's exception handlers. */
void traps_init(void);

/* Raise int3 and ud2 and check our handlers catch them; false on failure. */
bool traps_selftest(void);

/* Register the event, failsafe and syscall callbacks. */
void events_init(void);

#endif /* GUEST_KERNEL_H */
