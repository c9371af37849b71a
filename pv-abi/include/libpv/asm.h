/*
 * libpv constants shared by C and assembly: the layout of struct
 * pv_trap_frame (see traps.h), pseudo-vectors for callbacks, stack size.
 */
#ifndef LIBPV_ASM_H
#define LIBPV_ASM_H

/* Byte offsets inside struct pv_trap_frame, lowest address first. */
#define PV_FRAME_R15     0
#define PV_FRAME_R14     8
#define PV_FRAME_R13     16
#define PV_FRAME_R12     24
#define PV_FRAME_R11     32
#define PV_FRAME_R10     40
#define PV_FRAME_R9      48
#define PV_FRAME_R8      56
#define PV_FRAME_RBP     64
#define PV_FRAME_RDI     72
#define PV_FRAME_RSI     80
#define PV_FRAME_RDX     88
#define PV_FRAME_RCX     96
#define PV_FRAME_RBX     104
#define PV_FRAME_RAX     112
#define PV_FRAME_VECTOR  120
#define PV_FRAME_ERRCODE 128
#define PV_FRAME_RIP     136   /* from here on: the iret frame */
#define PV_FRAME_CS      144
#define PV_FRAME_RFLAGS  152
#define PV_FRAME_RSP     160
#define PV_FRAME_SS      168
#define PV_FRAME_SIZE    176

/*
 * Exception vectors are 0..255. Callbacks the hypervisor invokes run
 * through the same dispatcher under these pseudo-vectors.
 */
#define PV_VEC_EVENT     256   /* CALLBACKTYPE_event (event upcall) */
#define PV_VEC_FAILSAFE  257   /* CALLBACKTYPE_failsafe */
#define PV_VEC_SYSCALL   258   /* CALLBACKTYPE_syscall (64-bit user syscall) */
#define PV_NR_VECTORS    259

/* Exceptions libpv installs trap-table entries for: 0..PV_NR_EXCEPTIONS-1. */
#define PV_NR_EXCEPTIONS 20

/* Size of the stack pv_entry switches to. */
#define PV_STACK_SIZE    16384

#ifdef __ASSEMBLY__
/*
 * Save every general register below the vector and error code (the layout
 * of struct pv_trap_frame), call pv_trap_dispatch(frame, vector) on an
 * aligned stack, and come back with rsp at the frame.
 */
.macro PV_SAVE_AND_DISPATCH
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	mov PV_FRAME_VECTOR(%rsp), %rsi
	mov %rsp, %rbx              /* callee-saved: survives the call */
	and $-16, %rsp              /* the C ABI wants a 16-byte aligned stack */
	cld
	call pv_trap_dispatch
	mov %rbx, %rsp
.endm

/* Reload the registers PV_SAVE_AND_DISPATCH saved. */
.macro PV_RESTORE_ALL
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm
#endif

#endif /* LIBPV_ASM_H */
