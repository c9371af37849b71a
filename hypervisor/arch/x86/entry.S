/*
 * Every way into and out of the hypervisor.
 *
 * Entries (exceptions, interrupts, syscall) build a struct cpu_regs on the
 * hypervisor stack and call C. A guest's frame is always at the top of the
 * per-CPU stack (TSS.rsp0 for interrupts, hv_stack_top for syscall), so C can
 * find and rewrite it: bouncing an exception or returning from
 * HYPERVISOR_iret is just editing that frame before the exit path runs.
 *
 * Exits: iretq for everything, sysretq for a hypercall returning to the
 * instruction after its syscall (the C handler says which is safe).
 */
#include <lamina/config.h>
#include <asm/regs.h>
#include <lamina/hypercall.h>
#include <asm/spec_ctrl.h>

#define GUEST_CS    0xe033      /* FLAT_RING3_CS64 */
#define GUEST_SS    0xe02b      /* FLAT_RING3_SS64 */

.macro SAVE_ALL
	push	%rdi
	push	%rsi
	push	%rdx
	push	%rcx
	push	%rax
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

.macro RESTORE_ALL
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rsi
	pop	%rdi
.endm

/* A fault at \insn continues at \fixup (see traps.c: search_exception_table). */
.macro EX_TABLE insn, fixup
	.pushsection .ex_table, "a"
	.quad \insn, \fixup
	.popsection
.endm

	.text
/*
 * 256 interrupt stubs, 16 bytes apart: the IDT points vector v at
 * interrupt_stubs + 16 * v. Vectors without a hardware error code push 0.
 */
	.align 16
	.globl interrupt_stubs
interrupt_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	pushq	$vec
	.else
	pushq	$0
	pushq	$vec
	.endif
	jmp	exception_common
	.set vec, vec + 1
	.endr

exception_common:
	SAVE_ALL
	cld
	mov	%rsp, %rdi
	call	handle_exception
	/* fall through */

	.globl exit_via_iret
exit_via_iret:
	RESTORE_ALL
	add	$16, %rsp               /* entry vector, error code */
.Liret:
	SPEC_CTRL_EXIT_TO_GUEST iretq, .Liret_fault
	EX_TABLE .Liret, .Liret_fault

/*
 * The iretq back to a guest faulted (a selector or address in the frame the
 * guest gave us was refused by the CPU). We are back on the same stack with
 * the guest's registers live: rebuild a frame and let C decide its fate.
 */
.Liret_fault:
	pushq	$0
	pushq	$0
	SAVE_ALL
	cld
	mov	%rsp, %rdi
	call	handle_guest_return_fault
	jmp	exit_via_iret

/*
 * SYSCALL from a guest: the hypercall gate (kernel mode), later also the
 * user-mode system call path. CPU state: rcx = guest rip, r11 = guest rflags,
 * rsp = guest rsp, IF/TF/DF/AC cleared by MSR_SYSCALL_MASK.
 */
/* Switch to the hypervisor stack and build a frame as an interrupt would. */
.macro SYSCALL_FRAME guest_cs
	mov	%rsp, syscall_scratch_rsp(%rip)
	mov	hv_stack_top(%rip), %rsp
	pushq	$GUEST_SS
	pushq	syscall_scratch_rsp(%rip)
	push	%r11
	pushq	$\guest_cs
	push	%rcx
	pushq	$0
	pushq	$ENTRY_VECTOR_SYSCALL
	SAVE_ALL
	cld
	mov	%rsp, %rdi
.endm

/*
 * Fast path: a hypercall from guest kernel mode whose handler needs no
 * register frame (it never reschedules or rewrites guest state: see
 * fast_hypercall_table in hypercall.c) is called directly, saving only what
 * the C calling convention does not: rcx/r11 (the return rip/rflags) and
 * r9. The argument registers come back zeroed, so no hypervisor value
 * leaks; the ABI lets hypercalls clobber them.
 */
	.globl syscall_entry
syscall_entry:
	mov	%rsp, syscall_scratch_rsp(%rip)
	mov	hv_stack_top(%rip), %rsp
	cmp	$NR_FAST_HYPERCALLS, %rax
	jae	.Lsyscall_slow
	bt	%rax, fast_hypercall_mask(%rip)
	jnc	.Lsyscall_slow
	push	%rcx
	push	%r11
	push	%r9
	/* Events to deliver, or guest user mode (a constant 1 then): full path. */
	mov	cpu_fast_event_word(%rip), %r9
	cmpw	$1, (%r9)
	je	.Lsyscall_slow_unwind
	lea	fast_hypercall_table(%rip), %r9
	mov	(%r9, %rax, 8), %r9
	incq	cpu_fast_hypercalls(%rip)
	mov	%r10, %rcx
	call	*%r9
	pop	%r9
	pop	%r11
	pop	%rcx
	xor	%edi, %edi
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r8d, %r8d
	xor	%r10d, %r10d
	mov	syscall_scratch_rsp(%rip), %rsp
	SPEC_CTRL_EXIT_TO_GUEST sysretq

.Lsyscall_slow_unwind:
	pop	%r9
	pop	%r11
	pop	%rcx
.Lsyscall_slow:
	mov	syscall_scratch_rsp(%rip), %rsp
	SYSCALL_FRAME GUEST_CS
	call	handle_syscall
	test	%eax, %eax
	jz	exit_via_iret

	/* sysretq: rip and rflags from the frame, guest rsp last. */
	RESTORE_ALL
	add	$16, %rsp
	mov	0(%rsp), %rcx
	mov	16(%rsp), %r11
	mov	24(%rsp), %rsp
	SPEC_CTRL_EXIT_TO_GUEST sysretq

/* SYSCALL from 32-bit compatibility mode: 32-bit PV guests are unsupported. */
	.globl syscall_compat_entry
syscall_compat_entry:
	SYSCALL_FRAME 0xe023
	call	handle_compat_syscall
	jmp	exit_via_iret

/* enter_guest(regs): load a prepared frame at the top of the stack and go. */
	.globl enter_guest
enter_guest:
	mov	%rdi, %rsp
	jmp	exit_via_iret

/*
 * size_t raw_copy_checked(void *dst, const void *src, size_t len)
 * Returns the number of bytes not copied: a page fault in the middle stops
 * the copy and the fixup returns what was left. Whole quadwords first (one
 * iteration per 8 bytes), then the tail bytes.
 */
	.globl raw_copy_checked
raw_copy_checked:
	mov	%rdx, %rcx
	shr	$3, %rcx
.Lcopy_quads:
	rep movsq
	mov	%rdx, %rcx
	and	$7, %ecx
.Lcopy_bytes:
	rep movsb
	xor	%eax, %eax
	ret
.Lcopy_quads_fault:
	/* rcx quadwords were left, plus the tail. */
	and	$7, %edx
	lea	(%rdx, %rcx, 8), %rax
	ret
.Lcopy_bytes_fault:
	mov	%rcx, %rax
	ret
	EX_TABLE .Lcopy_quads, .Lcopy_quads_fault
	EX_TABLE .Lcopy_bytes, .Lcopy_bytes_fault

/*
 * int write_gs_selector_checked(uint16_t sel): load %gs, or fail with -1 if
 * the CPU refuses the selector. Callers handle the base swap around it.
 */
	.globl load_gs_checked
load_gs_checked:
	xor	%eax, %eax
.Lload_gs:
	mov	%di, %gs
	ret
.Lload_gs_fault:
	mov	$-1, %eax
	ret
	EX_TABLE .Lload_gs, .Lload_gs_fault

	.data
	.align 8
	.globl hv_stack_top
hv_stack_top:
	.quad 0
syscall_scratch_rsp:
	.quad 0
	.globl cpu_fast_hypercalls
cpu_fast_hypercalls:
	.quad 0

