/*
 * The local APIC (arch/x86/apic.c): its timer drives hypervisor timers.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <stdint.h>

/* Fire the timer interrupt at system time `when` (ns); in the past: soon. */
void apic_timer_program(uint64_t when);
void apic_timer_stop(void);

#endif
