/*
 * System calls (ABI in user/sysabi.h). User code enters through the
 * syscall callback or int $0x80; both arrive here, on the kernel stack,
 * with the user registers in a struct pv_trap_frame. The result goes into
 * the frame's rax; yield, sleep and exit may swap in another process's
 * frame.
 */
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/callback.h>
#include "kernel.h"

#define KERNEL_STACK_SIZE 16384

/* Where the hypervisor puts the frame of every entry from user mode. */
static char kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));

/* write(buf, len): copy from the caller's address space, print per line. */
static long sys_write(unsigned long buf, unsigned long len)
{
	char copy[SYS_WRITE_MAX];

	if (len > SYS_WRITE_MAX)
		return -SYS_EINVAL;
	if (proc_copy_from_user(copy, buf, len) != (long)len)
		return -SYS_EFAULT;
	proc_write(copy, len);
	return (long)len;
}

/* Both entry paths: dispatch on rax. */
static void on_syscall(struct pv_trap_frame *f)
{
	if ((f->cs & 3) != 3)
		pv_crash("system call from kernel mode at rip=%lx\n", f->rip);
	switch (f->rax) {
	case SYS_write:
		f->rax = (uint64_t)sys_write(f->rdi, f->rsi);
		return;
	case SYS_getpid:
		f->rax = (uint64_t)proc_current_pid();
		return;
	case SYS_yield:
		f->rax = 0;
		sched_yield(f);
		return;
	case SYS_exit:
		proc_exit(f, (long)f->rdi);
		return;
	case SYS_sleep:
		if (f->rdi > SYS_SLEEP_MAX_MS) {
			f->rax = (uint64_t)-SYS_EINVAL;
			return;
		}
		f->rax = 0;
		sched_sleep(f, f->rdi);
		return;
	case SYS_time:
		f->rax = pv_system_time_ns();
		return;
	case SYS_nprocs:
		f->rax = proc_count_alive();
		return;
	default:
		f->rax = (uint64_t)-SYS_ENOSYS;
		return;
	}
}

void syscall_init(void)
{
	struct callback_register cb = {
		.type = CALLBACKTYPE_syscall,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)pv_syscall_fast_entry,
	};
	long rc;

	pv_trap_set_handler(PV_VEC_SYSCALL, on_syscall);
	pv_trap_set_handler(PV_VEC_INT80, on_syscall);
	if ((rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb)))
		pv_crash("registering the syscall callback failed: %ld\n", rc);
	if ((rc = pv_trap_set_entry(PV_VEC_INT80, 3, pv_int80_entry)))
		pv_crash("installing int $0x80 failed: %ld\n", rc);
	rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
				     (unsigned long)(kernel_stack + KERNEL_STACK_SIZE));
	if (rc)
		pv_crash("stack_switch failed: %ld\n", rc);
}
