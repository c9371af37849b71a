/*
 * The Lamina guest kernel's system-call ABI, shared by the kernel and the
 * user programs in this directory.
 *
 * Entry: `syscall` (rcx and r11 are clobbered, as on Linux) or `int $0x80`
 * (only rax changes). rax = call number, rdi, rsi, rdx = arguments; the
 * result comes back in rax, negative values being -errno.
 *
 * Processes are preempted by the kernel's timer tick (round robin); one
 * may also give up the CPU (yield) or block for a while (sleep). A
 * program may be given a CPU limit in ticks, past which it is killed.
 *
 * Address-space layout of every process:
 *   USER_CODE_BASE     the program image (code, data, bss), writable
 *   USER_PRIVATE_PAGE  an optional private data page
 *   USER_STACK_TOP     the initial stack pointer (USER_STACK_PAGES below)
 * The kernel is not mapped. A process starts at USER_CODE_BASE with its
 * pid in rdi.
 */
#ifndef GUEST_KERNEL_SYSABI_H
#define GUEST_KERNEL_SYSABI_H

#define SYS_write   1   /* write(buf, len): bytes written, or -EFAULT */
#define SYS_exit    2   /* exit(code): does not return */
#define SYS_yield   3   /* yield(): run the next process; returns 0 */
#define SYS_getpid  4   /* getpid(): the caller's pid */
#define SYS_sleep   5   /* sleep(ms): block at least ms (<= SYS_SLEEP_MAX_MS) */
#define SYS_time    6   /* time(): system time in ns (since the host booted) */
#define SYS_nprocs  7   /* nprocs(): processes alive, the caller included */

#define SYS_EFAULT  14
#define SYS_EINVAL  22
#define SYS_ENOSYS  38

#define SYS_WRITE_MAX     1024          /* longest write() accepted */
#define SYS_SLEEP_MAX_MS  3600000UL     /* longest sleep(): one hour */

#define USER_CODE_BASE    0x400000UL
#define USER_PRIVATE_PAGE 0x600000UL
#define USER_STACK_TOP    0x800000UL
#define USER_STACK_PAGES  2
#define USER_IMAGE_MAX    (USER_PRIVATE_PAGE - USER_CODE_BASE)

#endif /* GUEST_KERNEL_SYSABI_H */
