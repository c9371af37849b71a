/*
 * The timed loops of the benchmark guest.
 *
 * Each bench_loop_<row>(iterations) runs one operation `iterations` times
 * between two rdtsc reads and returns the difference. Under QEMU TCG with
 * -icount shift=0,sleep=off the TSC advances by one per instruction
 * executed, so the difference counts every instruction on the path: the
 * guest's argument set-up, the hypercall page stub, and the hypervisor.
 * bench_loop_empty has the same frame with no body; bench.c subtracts it.
 *
 * The loop counter and start time live in r12/r13, which hypercalls and
 * exception bounces preserve (the hypervisor may clobber only the argument
 * registers, rcx, r11 and rax). Bodies load their arguments from variables
 * bench.c fills in before the loop.
 */
#include <pv/xen.h>
#include "bench.h"

/* Address of hypercall page entry nr. */
#define HCALL(nr) (hypercall_page + (nr) * 32)

/* From pv/event_channel.h and pv/sched.h, which are C-only. */
#define EVTCHNOP_send 4
#define SCHEDOP_yield 0
#define SCHEDOP_block 1

/* Bits the event rows clear: vCPU 0's upcall flag and selector, the port. */
#define UPCALL_PENDING bench_shared_page+SHINFO_UPCALL_PENDING(%rip)
#define PENDING_SEL    bench_shared_page+SHINFO_PENDING_SEL(%rip)
#define EVTCHN_PENDING bench_shared_page+SHINFO_EVTCHN_PENDING(%rip)

	.text

/* LOOP_BEGIN name: prologue, read the TSC into r13, open the loop. */
.macro LOOP_BEGIN name
	.balign 16
	.globl bench_loop_\name
	.type bench_loop_\name, @function
bench_loop_\name:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rdi, %r12
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r13
.Lloop_\name:
.endm

/* LOOP_END name: close the loop, return TSC now minus TSC at the start. */
.macro LOOP_END name
	dec %r12
	jnz .Lloop_\name
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r13, %rax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size bench_loop_\name, . - bench_loop_\name
.endm

/* The loop with nothing in it: its cost is subtracted from every row. */
LOOP_BEGIN empty
LOOP_END empty

/* xen_version(XENVER_version, NULL): the null hypercall. */
LOOP_BEGIN xen_version
	xor %edi, %edi
	xor %esi, %esi
	call HCALL(__HYPERVISOR_xen_version)
LOOP_END xen_version

/* console_io(CONSOLEIO_write, 0, buf): writes nothing. */
LOOP_BEGIN console_io
	xor %edi, %edi
	xor %esi, %esi
	lea bench_text(%rip), %rdx
	call HCALL(__HYPERVISOR_console_io)
LOOP_END console_io

/* multicall(bench_multicalls, 32): 32 null calls in one hypercall. */
LOOP_BEGIN multicall
	lea bench_multicalls(%rip), %rdi
	mov $32, %esi
	call HCALL(__HYPERVISOR_multicall)
LOOP_END multicall

/* set_segment_base(SEGBASE_FS, 0). */
LOOP_BEGIN set_segment_base
	xor %edi, %edi
	xor %esi, %esi
	call HCALL(__HYPERVISOR_set_segment_base)
LOOP_END set_segment_base

/* stack_switch(FLAT_KERNEL_SS, bench_kernel_sp). */
LOOP_BEGIN stack_switch
	mov $FLAT_KERNEL_SS, %edi
	mov bench_kernel_sp(%rip), %rsi
	call HCALL(__HYPERVISOR_stack_switch)
LOOP_END stack_switch

/* fpu_taskswitch(1) then fpu_taskswitch(0): two calls per iteration. */
LOOP_BEGIN fpu_taskswitch
	mov $1, %edi
	call HCALL(__HYPERVISOR_fpu_taskswitch)
	xor %edi, %edi
	call HCALL(__HYPERVISOR_fpu_taskswitch)
LOOP_END fpu_taskswitch

/* int3, bounced to bench_int3_handler, back through HYPERVISOR_iret. */
LOOP_BEGIN int3_bounce
	int3
LOOP_END int3_bounce

/* mmu_update(bench_mmu_reqs, bench_mmu_count, NULL, DOMID_SELF). */
LOOP_BEGIN mmu_update
	lea bench_mmu_reqs(%rip), %rdi
	mov bench_mmu_count(%rip), %esi
	xor %edx, %edx
	mov $DOMID_SELF, %r10d
	call HCALL(__HYPERVISOR_mmu_update)
LOOP_END mmu_update

/* update_va_mapping(bench_uvm_va, bench_uvm_pte, bench_uvm_flags). */
LOOP_BEGIN update_va_mapping
	mov bench_uvm_va(%rip), %rdi
	mov bench_uvm_pte(%rip), %rsi
	mov bench_uvm_flags(%rip), %rdx
	call HCALL(__HYPERVISOR_update_va_mapping)
LOOP_END update_va_mapping

/* mmuext_op(bench_mmuext_ops, bench_mmuext_count, NULL, DOMID_SELF). */
LOOP_BEGIN mmuext_op
	lea bench_mmuext_ops(%rip), %rdi
	mov bench_mmuext_count(%rip), %esi
	xor %edx, %edx
	mov $DOMID_SELF, %r10d
	call HCALL(__HYPERVISOR_mmuext_op)
LOOP_END mmuext_op

/* Pin then unpin (two mmuext_op calls, one op each). */
LOOP_BEGIN pin_unpin
	lea bench_pin_op(%rip), %rdi
	mov $1, %esi
	xor %edx, %edx
	mov $DOMID_SELF, %r10d
	call HCALL(__HYPERVISOR_mmuext_op)
	lea bench_unpin_op(%rip), %rdi
	mov $1, %esi
	xor %edx, %edx
	mov $DOMID_SELF, %r10d
	call HCALL(__HYPERVISOR_mmuext_op)
LOOP_END pin_unpin

/* CLEAR_PORT: what an event handler does, in 4 instructions: clear the
 * port's pending bit (clobbers rax), vCPU 0's selector and upcall flag. */
.macro CLEAR_PORT
	mov bench_event_port(%rip), %eax
	lock btrq %rax, EVTCHN_PENDING
	movq $0, PENDING_SEL
	movb $0, UPCALL_PENDING
.endm

/* SEND: event_channel_op(EVTCHNOP_send, &bench_evtchn_send). */
.macro SEND
	mov $EVTCHNOP_send, %edi
	lea bench_evtchn_send(%rip), %rsi
	call HCALL(__HYPERVISOR_event_channel_op)
.endm

/* BLOCK_UNTIL_EVENT: SCHEDOP_block until bench_event_callback has seen
 * bench_event_port (a wake-up for anything else blocks again). */
.macro BLOCK_UNTIL_EVENT
1:	mov $SCHEDOP_block, %edi
	xor %esi, %esi
	call HCALL(__HYPERVISOR_sched_op)
	cmpq $0, bench_events_seen(%rip)
	je 1b
	movq $0, bench_events_seen(%rip)
.endm

/* A send to self, then the port made idle again (pending bit, selector and
 * upcall flag cleared), so every send does the whole job. */
LOOP_BEGIN evtchn_send
	SEND
	CLEAR_PORT
LOOP_END evtchn_send

/* evtchn_send's baseline: the clearing alone. */
LOOP_BEGIN evtchn_clear
	CLEAR_PORT
LOOP_END evtchn_clear

/* set_timer_op with a deadline long past (1 ns after boot), then block: the
 * timer fires at once, block returns, the upcall runs bench_event_callback,
 * whose iret comes back here. */
LOOP_BEGIN timer_wakeup
	mov $1, %edi
	call HCALL(__HYPERVISOR_set_timer_op)
	BLOCK_UNTIL_EVENT
LOOP_END timer_wakeup

/* Two-domain ping-pong, this side: send, block until the answer. */
LOOP_BEGIN pingpong
	SEND
	BLOCK_UNTIL_EVENT
LOOP_END pingpong

/* SCHEDOP_yield: with a peer yielding too, two context switches. */
LOOP_BEGIN yield
	mov $SCHEDOP_yield, %edi
	xor %esi, %esi
	call HCALL(__HYPERVISOR_sched_op)
LOOP_END yield

/* The peer's side of the ping-pong: block until the event, answer it. */
	.balign 16
	.globl bench_peer_answer
	.type bench_peer_answer, @function
bench_peer_answer:
	push %r12
	mov %rdi, %r12
	test %r12, %r12
	jz 2f
3:	BLOCK_UNTIL_EVENT
	SEND
	dec %r12
	jnz 3b
2:	pop %r12
	ret
	.size bench_peer_answer, . - bench_peer_answer

/* The peer's side of context_switch: yield for ever. */
	.balign 16
	.globl bench_peer_yield_forever
	.type bench_peer_yield_forever, @function
bench_peer_yield_forever:
	mov $SCHEDOP_yield, %edi
	xor %esi, %esi
	call HCALL(__HYPERVISOR_sched_op)
	jmp bench_peer_yield_forever
	.size bench_peer_yield_forever, . - bench_peer_yield_forever

/*
 * The event callback of the event rows, entered with events masked and
 * rcx, r11, rip, cs, rflags, rsp, ss on the stack. It consumes the event
 * (as CLEAR_PORT, counting bench_event_port in bench_events_seen if it
 * was pending), clears IF in the saved rflags so the iret keeps events
 * masked, and returns through the page's iret stub.
 */
	.balign 16
	.globl bench_event_callback
	.type bench_event_callback, @function
bench_event_callback:
	movb $0, UPCALL_PENDING
	movq $0, PENDING_SEL
	push %rax
	mov bench_event_port(%rip), %eax
	lock btrq %rax, EVTCHN_PENDING
	adcq $0, bench_events_seen(%rip)
	pop %rax
	andq $~0x200, 32(%rsp)
	pop %rcx
	pop %r11
	push $0
	jmp HCALL(__HYPERVISOR_iret)
	.size bench_event_callback, . - bench_event_callback

/* set_timer_op(bench_timer_timeout). */
LOOP_BEGIN set_timer_op
	mov bench_timer_timeout(%rip), %rdi
	call HCALL(__HYPERVISOR_set_timer_op)
LOOP_END set_timer_op

/*
 * The #BP handler for the bounce row, as short as a handler can be. The
 * hypervisor entered it with rcx, r11 of the interrupted code on the stack
 * above the iret frame; pop them back, push the iret flags word (0: restore
 * everything) and let the page's iret stub return to the instruction after
 * int3.
 */
	.balign 16
	.globl bench_int3_handler
	.type bench_int3_handler, @function
bench_int3_handler:
	pop %rcx
	pop %r11
	push $0
	jmp HCALL(__HYPERVISOR_iret)
	.size bench_int3_handler, . - bench_int3_handler

/*
 * user_syscall: a user-mode loop of `syscall`s, each delivered by the
 * hypervisor to bench_syscall_callback on the kernel stack and returned
 * from at once with HYPERVISOR_iret(VGCF_in_syscall).
 *
 * bench_loop_user_syscall(iterations) saves the kernel context, puts the
 * count in r12 and enters user mode with HYPERVISOR_iret at the copy of
 * bench_user_code (userspace.c). The user code is LOOP_BEGIN/LOOP_END's
 * timed part, read with rdtsc at CPL 3 (neither Lamina nor Xen sets
 * CR4.TSD for a PV domain 0), so the empty kernel loop is the right thing
 * to subtract. It returns with int $BENCH_USER_EXIT_VECTOR, rax holding
 * the TSC delta, to bench_user_exit, which resumes the saved context.
 * User rflags has IF clear: events stay masked throughout.
 */
	.balign 16
	.globl bench_loop_user_syscall
	.type bench_loop_user_syscall, @function
bench_loop_user_syscall:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rdi, %r12
	mov %rsp, bench_user_saved_rsp(%rip)
	pushq $FLAT_USER_SS
	pushq $(BENCH_USER_CODE_VA + 4096)      /* rsp: unused by user code */
	pushq $0x2                              /* rflags: IF clear */
	pushq $FLAT_USER_CS
	pushq $BENCH_USER_CODE_VA
	pushq $0                                /* iret flags: full restore */
	jmp HCALL(__HYPERVISOR_iret)
	.size bench_loop_user_syscall, . - bench_loop_user_syscall

/* int $BENCH_USER_EXIT_VECTOR from user mode: back to the saved context. */
	.balign 16
	.globl bench_user_exit
	.type bench_user_exit, @function
bench_user_exit:
	mov bench_user_saved_rsp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size bench_user_exit, . - bench_user_exit

/*
 * The syscall callback, as short as the int3 handler above: the frame is
 * rcx, r11, then the user's rip, cs, rflags, rsp, ss. Pop rcx/r11, push
 * VGCF_in_syscall (rcx and r11 need not be restored: the hypervisor may
 * return with sysret) and jump to the iret stub.
 */
	.balign 16
	.globl bench_syscall_callback
	.type bench_syscall_callback, @function
bench_syscall_callback:
	pop %rcx
	pop %r11
	push $VGCF_in_syscall
	jmp HCALL(__HYPERVISOR_iret)
	.size bench_syscall_callback, . - bench_syscall_callback

/*
 * The user loop: copied to a user page, so position-independent. r12 is
 * the count; r13 and rcx/r11 (clobbered by syscall) are scratch.
 */
	.section .rodata
	.globl bench_user_code, bench_user_code_end
bench_user_code:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r13
1:	syscall
	dec %r12
	jnz 1b
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r13, %rax
	int $BENCH_USER_EXIT_VECTOR
bench_user_code_end:

	.bss
	.balign 8
bench_user_saved_rsp:
	.quad 0
