/*
 * peek_other: tries to read ping's private page, mapped only in ping's
 * address space. The kernel must kill it with a page fault.
 */
#include "ulib.h"

int main(long pid)
{
	char num[24];

	(void)pid;
	print("reading ping's private page at ");
	print(fmt_hex(num, USER_PRIVATE_PAGE));
	print("\n");
	unsigned long v = *(volatile const unsigned long *)USER_PRIVATE_PAGE;
	print("BUG: read another process's memory: ");
	print(fmt_hex(num, v));
	print("\n");
	return 1;
}
