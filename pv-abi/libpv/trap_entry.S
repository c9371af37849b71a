/*
 * Exception and callback entry stubs.
 *
 * On entry the hypervisor's bounce frame is on the stack, low to high:
 *   rcx, r11, [error code], rip, cs, rflags, rsp, ss
 * rcx and r11 hold the interrupted context's values (the hypervisor
 * returned through SYSRET, which overwrote the registers), so each stub
 * pops them first. It then pushes a zero error code where the CPU gives
 * none, pushes the vector, and joins pv_trap_common, which completes a
 * struct pv_trap_frame (libpv/asm.h), calls pv_trap_dispatch(frame, vector)
 * and returns with HYPERVISOR_iret.
 */
#include <libpv/asm.h>
#include <pv/xen.h>

	.text

/* TRAP_STUB vector, has_error_code: one exception entry point. */
.macro TRAP_STUB vec, has_ec
	.balign 16
pv_trap_stub_\vec:
	pop %rcx
	pop %r11
	.if \has_ec == 0
	push $0
	.endif
	push $\vec
	jmp pv_trap_common
.endm

/* Vectors 8, 10-14 and 17 push an error code; the rest do not. */
TRAP_STUB 0, 0
TRAP_STUB 1, 0
TRAP_STUB 2, 0
TRAP_STUB 3, 0
TRAP_STUB 4, 0
TRAP_STUB 5, 0
TRAP_STUB 6, 0
TRAP_STUB 7, 0
TRAP_STUB 8, 1
TRAP_STUB 9, 0
TRAP_STUB 10, 1
TRAP_STUB 11, 1
TRAP_STUB 12, 1
TRAP_STUB 13, 1
TRAP_STUB 14, 1
TRAP_STUB 15, 0
TRAP_STUB 16, 0
TRAP_STUB 17, 1
TRAP_STUB 18, 0
TRAP_STUB 19, 0

/* Event upcall: frame rcx, r11, rip, cs, rflags, rsp, ss. */
	.balign 16
	.globl pv_event_callback_entry
pv_event_callback_entry:
	pop %rcx
	pop %r11
	push $0
	push $PV_VEC_EVENT
	jmp pv_trap_common

/*
 * Failsafe callback: the hypervisor could not load the segment registers
 * of the context it was returning to. Frame rcx, r11, ds, es, fs, gs, rip,
 * cs, rflags, rsp, ss; the four selectors are dropped here.
 */
	.balign 16
	.globl pv_failsafe_callback_entry
pv_failsafe_callback_entry:
	pop %rcx
	pop %r11
	add $32, %rsp
	push $0
	push $PV_VEC_FAILSAFE
	jmp pv_trap_common

/* 64-bit user syscall: rcx/r11 are the user rip/rflags, as SYSCALL leaves them. */
	.balign 16
	.globl pv_syscall_callback_entry
pv_syscall_callback_entry:
	pop %rcx
	pop %r11
	push $0
	push $PV_VEC_SYSCALL
	jmp pv_trap_common

/* Save registers, dispatch, restore, and iret through the hypervisor. */
	.balign 16
pv_trap_common:
	PV_SAVE_AND_DISPATCH
	PV_RESTORE_ALL
	add $16, %rsp               /* drop vector and error code */
	/*
	 * rsp now points at the iret frame (rip, cs, rflags, rsp, ss). Push the
	 * flags word (0: not returning from a syscall, so rcx and r11 are
	 * restored too) and enter the page's iret stub, which pushes rcx, r11,
	 * rax and never returns here.
	 */
	push $0
	jmp hypercall_page + __HYPERVISOR_iret * 32

/* Table of the exception stubs, indexed by vector, for the trap table. */
	.section .rodata
	.balign 8
	.globl pv_trap_stubs
pv_trap_stubs:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
	.quad pv_trap_stub_\vec
	.endr
