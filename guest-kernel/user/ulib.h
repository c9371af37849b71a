/*
 * The user programs' library: system-call wrappers (both entry paths) and
 * a few output helpers.
 */
#ifndef GUEST_USER_ULIB_H
#define GUEST_USER_ULIB_H

#include <stddef.h>
#include "sysabi.h"

/* Which instruction enters the kernel. */
enum entry_path { VIA_SYSCALL, VIA_INT80 };

/* Issue system call nr with up to three arguments. */
long usys(enum entry_path how, long nr, long a1, long a2, long a3);

long sys_write(const char *buf, size_t len);
long sys_yield(void);
long sys_getpid(void);
void sys_exit(long code) __attribute__((noreturn));
long sys_sleep(unsigned long ms);
unsigned long sys_time(void);      /* ns */
long sys_nprocs(void);

/* Write a NUL-terminated string through the given entry path. */
void print_via(enum entry_path how, const char *s);
void print(const char *s);

/* Decimal / hex text of v into buf (at least 24 bytes); returns buf. */
char *fmt_dec(char *buf, unsigned long v);
char *fmt_hex(char *buf, unsigned long v);

#endif /* GUEST_USER_ULIB_H */
