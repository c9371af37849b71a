/*
 * Entry stubs for guest user mode: the syscall callback and int $0x80.
 * See libpv/usermode.h. The frame on entry is the hypervisor's bounce
 * frame (rcx, r11, rip, cs, rflags, rsp, ss); rcx/r11 are popped first,
 * a zero error code and the vector are pushed, and the rest of struct
 * pv_trap_frame (libpv/asm.h) is built as in trap_entry.S.
 */
#include <libpv/asm.h>
#include <pv/xen.h>

#define PV_VEC_INT80 0x80

	.text

	.balign 16
	.globl pv_syscall_fast_entry
pv_syscall_fast_entry:
	pop %rcx
	pop %r11
	push $0
	push $PV_VEC_SYSCALL
	jmp user_common

	.balign 16
	.globl pv_int80_entry
pv_int80_entry:
	pop %rcx
	pop %r11
	push $0
	push $PV_VEC_INT80
	jmp user_common

/* Save every register, dispatch, then return through user_restore. */
	.balign 16
user_common:
	PV_SAVE_AND_DISPATCH
	/* fall through */

/*
 * rsp points at a struct pv_trap_frame: restore it and leave through
 * HYPERVISOR_iret, with VGCF_in_syscall when the vector is PV_VEC_SYSCALL.
 */
user_restore:
	PV_RESTORE_ALL
	cmpq $PV_VEC_SYSCALL, (%rsp)
	lea 16(%rsp), %rsp          /* drop vector and error code; keeps flags */
	jne 1f
	push $VGCF_in_syscall
	jmp hypercall_page + __HYPERVISOR_iret * 32
1:	push $0
	jmp hypercall_page + __HYPERVISOR_iret * 32

/* pv_trap_resume(frame): restore *frame as if returning from a trap. */
	.balign 16
	.globl pv_trap_resume
pv_trap_resume:
	mov %rdi, %rsp
	jmp user_restore
