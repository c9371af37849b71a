/*
 * User-program start: the kernel enters at USER_CODE_BASE with the pid in
 * rdi and rsp at USER_STACK_TOP. Call main(pid) and exit with its result.
 */
#include "sysabi.h"

	.section .text.start, "ax", @progbits
	.globl _start
_start:
	xor %ebp, %ebp
	call main
	mov %rax, %rdi
	mov $SYS_exit, %eax
	syscall
	ud2
