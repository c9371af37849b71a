/*
 * Bringing the x86 CPU up for the hypervisor, in the order boot needs it
 * (common/main.c calls these through lamina/arch.h).
 */
#include <lamina/arch.h>
#include <lamina/hypercall.h>
#include <asm/desc.h>
#include <asm/pic.h>
#include <asm/spec_ctrl.h>

void arch_early_init(void)
{
	pic_disable();          /* only the local APIC delivers interrupts */
	desc_init_cpu();        /* GDT, TSS with IST stacks, IDT */
}

void arch_cpu_init(void)
{
	spec_ctrl_init();       /* before any guest runs or exit is patched */
	syscall_init_cpu();
	hypercall_init();
}
