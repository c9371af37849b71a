/*
 * Exceptions taken by the hypervisor and the panic path.
 */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <asm/regs.h>

#define X86_EXC_DE  0
#define X86_EXC_DB  1
#define X86_EXC_NMI 2
#define X86_EXC_BP  3
#define X86_EXC_OF  4
#define X86_EXC_BR  5
#define X86_EXC_UD  6
#define X86_EXC_NM  7
#define X86_EXC_DF  8
#define X86_EXC_TS  10
#define X86_EXC_NP  11
#define X86_EXC_SS  12
#define X86_EXC_GP  13
#define X86_EXC_PF  14
#define X86_EXC_MF  16
#define X86_EXC_AC  17
#define X86_EXC_MC  18
#define X86_EXC_XM  19

/* Does this vector push an error code? (8, 10-14, 17, 21, 29, 30) */
static inline int exception_has_error_code(unsigned int vector)
{
	return vector < 32 && ((0x60227d00u >> vector) & 1);
}
const char *exception_name(unsigned int vector);

/* Print registers, a backtrace, and end the run with status "panic". */
void panic_regs(const struct cpu_regs *regs, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Print all general registers of a frame, each line through printk. */
void dump_regs(const struct cpu_regs *regs);

/* Power QEMU off with a status (isa-debug-exit, then ACPI), or halt. */

/* Guest-side handling, in arch/x86/pv/traps.c. */
void pv_handle_guest_exception(struct cpu_regs *regs);

#endif
