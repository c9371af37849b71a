/*
 * The local APIC (arch/x86/apic.c): its timer drives hypervisor timers.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <stdint.h>


#endif
