/*
 * peek_kernel: tries to read the kernel's image, which its address space
 * does not map. The kernel must kill it with a page fault.
 */
#include "ulib.h"

#define KERNEL_ADDRESS 0xffffffff80000000UL

int main(long pid)
{
	char num[24];

	(void)pid;
	print("reading kernel memory at ");
	print(fmt_hex(num, KERNEL_ADDRESS));
	print("\n");
	unsigned long v = *(volatile const unsigned long *)KERNEL_ADDRESS;
	print("BUG: read kernel memory: ");
	print(fmt_hex(num, v));
	print("\n");
	return 1;
}
