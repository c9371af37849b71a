/*
 * ping: takes turns with pong through yield(), then shows that it can read
 * its private page (which no other process maps) and exits 0.
 */
#include "ulib.h"

int main(long pid)
{
	char num[24];

	print("hello from ping, pid ");
	print(fmt_dec(num, (unsigned long)pid));
	print("\n");
	for (unsigned long i = 1; i <= 3; i++) {
		print("ping ");
		print(fmt_dec(num, i));
		print("\n");
		sys_yield();
	}
	print("my private page says: ");
	print((const char *)USER_PRIVATE_PAGE);
	print("\n");
	if (sys_getpid() != pid)
		return 1;
	return 0;
}
