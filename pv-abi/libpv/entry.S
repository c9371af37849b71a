/*
 * pv_entry: where the domain builder starts every libpv guest.
 *
 * State at entry (Xen PV boot protocol, x86-64): rsi = virtual address of
 * start_info, rsp = end of the one-page boot stack after the bootstrap page
 * tables, all other general registers zero, CS = FLAT_KERNEL_CS, events
 * masked in vcpu_info.
 *
 * The entry registers are saved in pv_boot_regs (a struct pv_trap_frame) so
 * test guests can check them, then we move to a 16 KiB stack in .bss (the
 * boot stack is a single page the guest may later reuse) and call
 * pv_start(start_info), which never returns.
 */
#include <libpv/asm.h>

	.section .text.entry, "ax", @progbits
	.globl pv_entry
	.type pv_entry, @function
pv_entry:
	/* Save every register before touching any. */
	mov %rax, pv_boot_regs + PV_FRAME_RAX(%rip)
	lea pv_boot_regs(%rip), %rax
	mov %rbx, PV_FRAME_RBX(%rax)
	mov %rcx, PV_FRAME_RCX(%rax)
	mov %rdx, PV_FRAME_RDX(%rax)
	mov %rsi, PV_FRAME_RSI(%rax)
	mov %rdi, PV_FRAME_RDI(%rax)
	mov %rbp, PV_FRAME_RBP(%rax)
	mov %r8,  PV_FRAME_R8(%rax)
	mov %r9,  PV_FRAME_R9(%rax)
	mov %r10, PV_FRAME_R10(%rax)
	mov %r11, PV_FRAME_R11(%rax)
	mov %r12, PV_FRAME_R12(%rax)
	mov %r13, PV_FRAME_R13(%rax)
	mov %r14, PV_FRAME_R14(%rax)
	mov %r15, PV_FRAME_R15(%rax)
	mov %rsp, PV_FRAME_RSP(%rax)
	lea pv_entry(%rip), %rcx
	mov %rcx, PV_FRAME_RIP(%rax)
	xor %ecx, %ecx
	mov %cs, %cx
	mov %rcx, PV_FRAME_CS(%rax)
	mov %ss, %cx
	mov %rcx, PV_FRAME_SS(%rax)
	pushfq
	popq PV_FRAME_RFLAGS(%rax)

	/* Switch to the library's own stack and enter C. */
	lea pv_boot_stack_top(%rip), %rsp
	xor %ebp, %ebp
	mov %rsi, %rdi
	call pv_start
1:	ud2
	jmp 1b
	.size pv_entry, . - pv_entry

	.section .bss
	.balign 4096
	.globl pv_boot_stack, pv_boot_stack_top
pv_boot_stack:
	.skip PV_STACK_SIZE
pv_boot_stack_top:
