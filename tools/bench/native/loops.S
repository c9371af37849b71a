/*
 * Timed loops of the native baseline kernel, in the same shape as the
 * benchmark guest's (tools/bench/guest/loops.S): native_loop_<op>(n) runs
 * the operation n times between two rdtsc reads and returns the delta.
 * The syscall and int loops run in ring 3; the others in ring 0.
 */
	.text

.macro LOOP_BEGIN name
	.balign 16
	.globl native_loop_\name
native_loop_\name:
	push %rbx
	push %r12
	push %r13
	mov %rdi, %r12
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r13
.Lloop_\name:
.endm

.macro LOOP_END name
	dec %r12
	jnz .Lloop_\name
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r13, %rax
	pop %r13
	pop %r12
	pop %rbx
	ret
.endm

LOOP_BEGIN empty
LOOP_END empty

/* syscall -> sysretq (ring 3 -> 0 -> 3). */
LOOP_BEGIN syscall
	syscall
LOOP_END syscall

/* int $0x80 -> iretq (ring 3 -> 0 -> 3). */
LOOP_BEGIN int
	int $0x80
LOOP_END int

/* Reload CR3 with its own value (a full non-global TLB flush). */
LOOP_BEGIN cr3
	mov %cr3, %rax
	mov %rax, %cr3
LOOP_END cr3

/* invlpg of one page. */
LOOP_BEGIN invlpg
	invlpg native_invlpg_target
LOOP_END invlpg

/* cpuid leaf 0 (a VM exit under hardware virtualization). */
LOOP_BEGIN cpuid
	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
LOOP_END cpuid

	.data
	.balign 4096
	.globl native_invlpg_target
native_invlpg_target:
	.skip 4096
