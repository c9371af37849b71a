/*
 * kctx_save / kctx_restore: a minimal setjmp / longjmp for the kernel's
 * own context (struct kctx in kernel.h: rbx, rbp, r12-r15, rsp, rip).
 * sched_run() saves its context before entering user mode; the trap
 * handler that ends the last process resumes it, leaving the kernel stack
 * the trap arrived on. kctx_save returns 0, then 1 when resumed.
 */
	.text
	.globl kctx_save
	.type kctx_save, @function
kctx_save:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	lea 8(%rsp), %rax           /* the caller's rsp after our return */
	mov %rax, 48(%rdi)
	mov (%rsp), %rax            /* our return address */
	mov %rax, 56(%rdi)
	xor %eax, %eax
	ret
	.size kctx_save, . - kctx_save

	.globl kctx_restore
	.type kctx_restore, @function
kctx_restore:
	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	mov $1, %eax
	jmp *56(%rdi)
	.size kctx_restore, . - kctx_restore
