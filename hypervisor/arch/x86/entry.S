/*
 * Every way into and out of the hypervisor.
 *
 * Entries (exceptions, interrupts, syscall) build a struct cpu_regs on the
 * hypervisor stack and call C. A guest's frame is always at the top of the
 * per-CPU stack (TSS.rsp0 for interrupts, hv_stack_top for syscall), so C can
 * find and rewrite it: bouncing an exception or returning from
 * HYPERVISOR_iret is just editing that frame before the exit path runs.
 *
 * Exits: to the hypervisor (an exception in ring 0) by iretq; to a guest
 * only through exit_to_guest, which checks the frame and picks iretq or
 * sysretq (the fast hypercall path is its reduced form).
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
 * #DB, NMI, #DF and #MC arrive on their own IST stacks (desc.c) and go to
 * ist_common; everything else arrives on the regular stack.
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
	.if (vec == 1) || (vec == 2) || (vec == 8) || (vec == 18)
	jmp	ist_common
	.else
	jmp	exception_common
	.endif
	.set vec, vec + 1
	.endr

exception_common:
	SAVE_ALL
	cld
exception_common_saved:
	/* Where the CPU came from decides the exit, whatever C did to the frame. */
	mov	REGS_CS(%rsp), %ebx
	mov	%rsp, %rdi
	call	handle_exception
	test	$3, %bl
	jnz	exit_to_guest_iret
exit_to_hypervisor:
	RESTORE_ALL
	add	$16, %rsp               /* entry vector, error code */
	iretq

/*
 * #DB, NMI, #DF, #MC. IST stacks are not re-entrant: the same vector
 * arriving again while its frame is still on the IST stack would overwrite
 * it. So an event from a guest leaves the IST stack at once: its frame is
 * moved to the top of the regular stack (free while a guest runs, and where
 * the scheduler looks for the guest frame) and handled as any exception,
 * with guest memory touched only there. An event in ring 0 is handled on
 * the IST stack by code that touches no guest memory and takes no fault
 * (handle_exception: #DB is absorbed, NMI logged, #DF/#MC panic), so no
 * iretq can unblock NMIs early and no second #DB can nest on this stack.
 */
ist_common:
	SAVE_ALL
	cld
	testb	$3, REGS_CS(%rsp)
	jz	.List_ring0
	mov	%rsp, %rsi
	mov	hv_stack_top(%rip), %rdi
	sub	$REGS_SIZE, %rdi
	mov	%rdi, %rsp
	mov	$REGS_SIZE / 8, %ecx
	rep movsq
	jmp	exception_common_saved
.List_ring0:
	mov	%rsp, %rdi
	call	handle_exception
	jmp	exit_to_hypervisor

/*
 * The only way back to a guest. rsp = its frame (struct cpu_regs at the top
 * of the regular stack). exit_to_guest: eax = nonzero when the frame's
 * rcx/r11 are dead (a hypercall returning past its syscall) so sysretq may
 * clobber them; exit_to_guest_iret: they are live. Both run the same check.
 *
 * Whatever path built the frame, this enforces what the CPU must never be
 * given: a non-canonical rip (the guest gets #GP(0) at it instead, as Xen
 * does; sysretq to one faults in ring 0 on Intel, on the guest's stack),
 * selectors with an RPL other than 3, and rflags with IOPL, NT, VM, VIF or
 * VIP set or IF clear. sysretq only returns to the flat 64-bit selectors it
 * loads; everything else leaves by iretq. The guest rsp needs no check:
 * iretq takes any value and sysretq's is loaded in ring 0 with interrupts
 * off and with #DB, NMI and #MC on IST stacks; a bad one faults in ring 3.
 * Exits to a guest are exactly three instructions, each after RESTORE_ALL
 * or its fast-path equivalent with nothing left to do but switch rsp: the
 * sysretq here, the iretq below and the fast path's sysretq (a hook such
 * as a buffer clear goes right before each).
 */
#define RFLAGS_GUEST_MAY  0x250fd5      /* CF PF AF ZF SF TF IF DF OF RF AC ID */
#define RFLAGS_GUEST_MUST 0x202         /* IF, reserved bit 1 */
/* Canonical rip: bits 63-48 copy bit 47 (bits 47-32 sign-extended). */
.macro CHECK_RETURN_RIP
	movswl	REGS_RIP + 4(%rsp), %ecx
	cmp	REGS_RIP + 4(%rsp), %ecx
	jne	.Lbad_return_rip
.endm
.macro CHECK_RETURN_RFLAGS
	andq	$RFLAGS_GUEST_MAY, REGS_RFLAGS(%rsp)
	orq	$RFLAGS_GUEST_MUST, REGS_RFLAGS(%rsp)
.endm
	.globl exit_to_guest
exit_to_guest:
	test	%eax, %eax
	jz	exit_to_guest_iret
	/* sysretq loads exactly these selectors: any others need iretq. */
	cmpw	$GUEST_CS, REGS_CS(%rsp)
	jne	exit_to_guest_iret
	cmpw	$GUEST_SS, REGS_SS(%rsp)
	jne	exit_to_guest_iret
	CHECK_RETURN_RIP
	CHECK_RETURN_RFLAGS
	/* sysretq: rip and rflags from the frame, guest rsp last. */
	RESTORE_ALL
	add	$16, %rsp
	mov	0(%rsp), %rcx
	mov	16(%rsp), %r11
	mov	24(%rsp), %rsp
	SPEC_CTRL_EXIT_TO_GUEST sysretq

/* The same exit for a frame whose rcx/r11 are live: iretq only. */
	.globl exit_to_guest_iret
exit_to_guest_iret:
	CHECK_RETURN_RIP
	orb	$3, REGS_CS(%rsp)
	orb	$3, REGS_SS(%rsp)
	CHECK_RETURN_RFLAGS
.Lexit_iret:
	RESTORE_ALL
	add	$16, %rsp               /* entry vector, error code */
.Liret:
	SPEC_CTRL_EXIT_TO_GUEST iretq, .Liret_fault
	EX_TABLE .Liret, .Liret_fault

.Lbad_return_rip:
	mov	%rsp, %rdi
	call	pv_bad_return_rip       /* #GP(0) to the guest, or crash it */
	jmp	exit_to_guest_iret

/*
 * The iretq back to a guest faulted (a selector in the frame the guest gave
 * us was refused by the CPU). We are back on the same stack with the
 * guest's registers live: rebuild a frame and let C decide its fate.
 */
.Liret_fault:
	pushq	$0
	pushq	$0
	SAVE_ALL
	cld
	mov	%rsp, %rdi
	call	handle_guest_return_fault
	jmp	exit_to_guest_iret

/*
 * SYSCALL from a guest: the hypercall gate (kernel mode), later also the
 * user-mode system call path. CPU state: rcx = guest rip, r11 = guest rflags,
 * rsp = guest rsp, IF/TF/DF/AC/NT/IOPL cleared by MSR_SYSCALL_MASK.
 *
 * A #DB can arrive at the very first instruction here, before the stack
 * switch: on hardware, a guest's `mov ss`/`pop ss` that hits a data
 * breakpoint delays the #DB past its next instruction, and if that is
 * `syscall` the #DB is taken in ring 0 with the guest's rsp. #DB has its
 * own IST stack for that reason, and handle_exception absorbs it.
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
 * the fast column of hypercall_table in hypercall.c) is called directly, saving only what
 * the C calling convention does not: rcx/r11 (the return rip/rflags) and
 * r9. The argument registers come back zeroed, so no hypervisor value
 * leaks; the ABI lets hypercalls clobber them. Fast handlers take at most
 * three arguments: the fourth (r10) is not moved into rcx for them.
 *
 * The return check of exit_to_guest, reduced to what can differ here: the
 * return rip is the guest's own, just past a syscall it executed, so it can
 * only be non-canonical when that syscall ends the lower half (rip
 * 0x800000000000); that one value takes the full path and its check. The
 * selectors and rflags are the ones syscall was made with, in kernel mode.
 */
	.globl syscall_entry
syscall_entry:
	mov	%rsp, syscall_scratch_rsp(%rip)
	mov	hv_stack_top(%rip), %rsp
	cmp	$NR_FAST_HYPERCALLS, %rax
	jae	.Lsyscall_slow
	bt	%rax, fast_hypercall_mask(%rip)
	jnc	.Lsyscall_slow
	cmp	first_noncanonical(%rip), %rcx
	je	.Lsyscall_slow
	push	%rcx
	push	%r11
	push	%r9
	/* Events to deliver, or guest user mode (a constant 1 then): full path. */
	mov	cpu_fast_event_word(%rip), %r9
	cmpw	$1, (%r9)
	je	.Lsyscall_slow_unwind
	lea	hypercall_table(%rip), %r9
	mov	(%r9, %rax, 8), %r9
	incq	cpu_fast_hypercalls(%rip)
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
	jmp	exit_to_guest

/* SYSCALL from 32-bit compatibility mode: 32-bit PV guests are unsupported. */
	.globl syscall_compat_entry
syscall_compat_entry:
	SYSCALL_FRAME 0xe023
	call	handle_compat_syscall
	jmp	exit_to_guest_iret

/* enter_guest(regs): load a prepared frame at the top of the stack and go. */
	.globl enter_guest
enter_guest:
	mov	%rdi, %rsp
	jmp	exit_to_guest_iret

/*
 * size_t arch_copy_checked(void *dst, const void *src, size_t len)
 * Returns the number of bytes not copied: a page fault in the middle stops
 * the copy and the fixup returns what was left. Whole quadwords first (one
 * iteration per 8 bytes), then the tail bytes.
 */
	.globl arch_copy_checked
arch_copy_checked:
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
 * int load_<seg>_checked(uint16_t sel): load a data segment register, or
 * fail with -1 if the CPU refuses the selector (a guest's descriptor that
 * changed or went away). Loading %fs or %gs also loads that base from the
 * descriptor: callers write the base MSRs afterwards, and handle the
 * kernel/user GS swap around a %gs load.
 */
.macro LOAD_SEG_CHECKED seg
	.globl load_\seg\()_checked
load_\seg\()_checked:
	xor	%eax, %eax
.Lload_\seg:
	mov	%di, %\seg
	ret
.Lload_\seg\()_fault:
	mov	$-1, %eax
	ret
	EX_TABLE .Lload_\seg, .Lload_\seg\()_fault
.endm
	LOAD_SEG_CHECKED ds
	LOAD_SEG_CHECKED es
	LOAD_SEG_CHECKED fs
	LOAD_SEG_CHECKED gs

	.data
	.align 8
	.globl hv_stack_top
hv_stack_top:
	.quad 0
syscall_scratch_rsp:
	.quad 0
first_noncanonical:
	.quad 0x0000800000000000
	.globl cpu_fast_hypercalls
cpu_fast_hypercalls:
	.quad 0

