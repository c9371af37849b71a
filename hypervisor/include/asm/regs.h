/*
 * The register frame every entry into the hypervisor builds on its stack:
 * general registers pushed by entry.S, then the entry vector and error code,
 * then the hardware interrupt frame. Hypercalls build the same frame by hand,
 * so one exit path returns to the guest from any kind of entry.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define ENTRY_VECTOR_SYSCALL  0x100   /* frame built by the syscall entry */

/* Offsets used by entry.S; checked against the struct by _Static_assert. */
#define REGS_R15        0
#define REGS_RAX        80
#define REGS_VECTOR     120
#define REGS_ERROR      128
#define REGS_RIP        136
#define REGS_CS         144
#define REGS_RFLAGS     152
#define REGS_RSP        160
#define REGS_SS         168
#define REGS_SIZE       176

#ifndef __ASSEMBLY__
struct cpu_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint64_t entry_vector;  /* exception vector, or ENTRY_VECTOR_SYSCALL */
	uint64_t error_code;
	/* Hardware frame (built by hand on syscall entry). */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(__builtin_offsetof(struct cpu_regs, rax) == REGS_RAX, "rax");
_Static_assert(__builtin_offsetof(struct cpu_regs, entry_vector) == REGS_VECTOR, "vec");
_Static_assert(__builtin_offsetof(struct cpu_regs, rip) == REGS_RIP, "rip");
_Static_assert(__builtin_offsetof(struct cpu_regs, ss) == REGS_SS, "ss");
_Static_assert(sizeof(struct cpu_regs) == REGS_SIZE, "size");

static inline int regs_from_guest(const struct cpu_regs *r)
{
	return (r->cs & 3) == 3;
}
#endif

#endif
