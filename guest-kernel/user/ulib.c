/* User-side system-call wrappers and output helpers (see ulib.h). */
#include "ulib.h"

long usys(enum entry_path how, long nr, long a1, long a2, long a3)
{
	long ret;

	if (how == VIA_INT80)
		__asm__ volatile("int $0x80"
				 : "=a"(ret)
				 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
				 : "memory");
	else
		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
				 : "rcx", "r11", "memory");
	return ret;
}

long sys_write(const char *buf, size_t len)
{
	return usys(VIA_SYSCALL, SYS_write, (long)buf, (long)len, 0);
}

long sys_yield(void)
{
	return usys(VIA_SYSCALL, SYS_yield, 0, 0, 0);
}

long sys_getpid(void)
{
	return usys(VIA_SYSCALL, SYS_getpid, 0, 0, 0);
}

long sys_sleep(unsigned long ms)
{
	return usys(VIA_SYSCALL, SYS_sleep, (long)ms, 0, 0);
}

unsigned long sys_time(void)
{
	return (unsigned long)usys(VIA_SYSCALL, SYS_time, 0, 0, 0);
}

long sys_nprocs(void)
{
	return usys(VIA_SYSCALL, SYS_nprocs, 0, 0, 0);
}

void sys_exit(long code)
{
	usys(VIA_SYSCALL, SYS_exit, code, 0, 0);
	for (;;)
		__asm__ volatile("ud2");
}

static size_t length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void print_via(enum entry_path how, const char *s)
{
	usys(how, SYS_write, (long)s, (long)length(s), 0);
}

void print(const char *s)
{
	print_via(VIA_SYSCALL, s);
}

/* Digits of v in base, most significant first, into buf. */
static char *fmt_base(char *buf, unsigned long v, unsigned int base)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

char *fmt_dec(char *buf, unsigned long v)
{
	return fmt_base(buf, v, 10);
}

char *fmt_hex(char *buf, unsigned long v)
{
	buf[0] = '0';
	buf[1] = 'x';
	fmt_base(buf + 2, v, 16);
	return buf;
}
