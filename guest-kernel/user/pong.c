/*
 * pong: like ping, but enters the kernel with int $0x80 instead of
 * syscall; checks that registers other than rax survive the round trips.
 */
#include "ulib.h"

int main(long pid)
{
	char num[24];

	(void)pid;
	for (unsigned long i = 1; i <= 3; i++) {
		print_via(VIA_INT80, "pong ");
		print_via(VIA_INT80, fmt_dec(num, i));
		print_via(VIA_INT80, " (int $0x80)\n");
		usys(VIA_INT80, SYS_yield, 0, 0, 0);
	}
	if (usys(VIA_INT80, 99, 0, 0, 0) != -SYS_ENOSYS)
		return 2;
	if (usys(VIA_INT80, SYS_write, 0x1000, 4, 0) != -SYS_EFAULT)
		return 3;
	print_via(VIA_INT80, "pong: bad calls refused\n");
	return 7;
}
