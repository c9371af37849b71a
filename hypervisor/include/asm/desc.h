/*
 * GDT, IDT and TSS of a physical CPU.
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include <stdint.h>

/* Load the GDT (with Xen's reserved selectors), TSS and IDT on this CPU. */
void desc_init_cpu(void);
/* Program SYSCALL/SYSRET MSRs so guest syscalls reach the hypervisor. */
void syscall_init_cpu(void);

extern uint64_t hv_stack_top;   /* entry.S: where syscall entry puts rsp */

/* The first 14 GDT pages are the guest's (set_gdt); the LDT area is 16. */
void *gdt_guest_area(void);
void *ldt_guest_area(void);
/* Load the LDT register for ents guest descriptors (0: none). */
void load_guest_ldt(unsigned int ents);   /* entry.S: where syscall entry puts rsp */

#endif
