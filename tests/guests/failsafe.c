/*
 * failsafe: a HYPERVISOR_iret frame whose code selector the CPU refuses
 * (an LDT selector with no LDT loaded) must not crash the domain when a
 * failsafe callback is registered: the hypervisor enters the callback with
 * Xen's failsafe frame RCX, R11, DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS.
 */
#include <libpv/hypercall.h>
#include <pv/xen.h>
#include <pv/sched.h>
#include "testlib.h"

extern char failsafe_target[];

/*
 * libpv's failsafe stub drops the four selectors, so the frame reads as a
 * normal one: the refused RIP and CS (RPL 0, as every kernel-mode frame
 * has), RFLAGS, RSP, SS.
 */
static void on_failsafe(struct pv_trap_frame *frame)
{
	test_pass("failsafe_callback_entered");
	test_expect_eq("failsafe_frame_rip", frame->rip, (unsigned long)failsafe_target);
	test_expect_eq("failsafe_frame_cs", frame->cs & 0xffff, 0x000c);
	test_expect_eq("failsafe_frame_ss", frame->ss & 0xffff, FLAT_KERNEL_SS);
	test_finish();
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("failsafe: a refused return lands in the failsafe callback\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install the trap table / callbacks\n");
	pv_trap_set_handler(PV_VEC_FAILSAFE, on_failsafe);

	/* iret to failsafe_target with CS = LDT selector 1 (RPL 0: stays in
	 * kernel mode; the hypervisor makes it RPL 3 = 0x000f). */
	__asm__ volatile(
		"mov %%rsp, %%rax\n\t"
		"pushq $0xe02b\n\t"
		"pushq %%rax\n\t"
		"pushq $0x202\n\t"
		"pushq $0x000c\n\t"
		"lea failsafe_target(%%rip), %%rcx\n\t"
		"pushq %%rcx\n\t"
		"pushq $0\n\t"
		"jmp hypercall_page + 23 * 32\n\t"
		".globl failsafe_target\n"
		"failsafe_target:\n\t"
		"ud2\n"
		: : : "rax", "rcx", "memory");
	test_fail("iret_returned", "the refused iret came back");
	test_finish();
}
