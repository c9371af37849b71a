/*
 * priv_insn: executes hlt, a privileged instruction, in user mode. The
 * hypervisor must not emulate it for user code: the kernel gets #GP and
 * kills the process.
 */
#include "ulib.h"

int main(long pid)
{
	(void)pid;
	print("executing hlt in user mode\n");
	__asm__ volatile("hlt");
	print("BUG: hlt returned\n");
	return 1;
}
