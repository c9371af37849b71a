/*
 * review_iret_hv_selectors: HYPERVISOR_iret to the hypervisor's own ring-0
 * code and data selectors (HV_CS 0xe008, HV_DS 0xe010). The exit must force
 * RPL 3 on both, so the CPU refuses the return (a DPL-0 segment) and the
 * failsafe callback runs in guest kernel mode; were RPL 0 kept, the guest's
 * code would run in ring 0.
 */
#include <libpv/hypercall.h>
#include <pv/xen.h>
#include <pv/sched.h>
#include "testlib.h"

extern char hv_sel_target[];

static void on_failsafe(struct pv_trap_frame *frame)
{
	unsigned short cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	test_pass("failsafe_entered");
	test_expect_eq("still_ring3", cs & 3, 3);
	test_expect_eq("refused_rip", frame->rip, (unsigned long)hv_sel_target);
	test_expect_eq("refused_cs", frame->cs & 0xfffc, 0xe008);
	test_finish();
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("review_iret_hv_selectors: iret to the hypervisor's selectors\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install the trap table / callbacks\n");
	pv_trap_set_handler(PV_VEC_FAILSAFE, on_failsafe);
	__asm__ volatile(
		"mov %%rsp, %%rax\n\t"
		"pushq $0xe010\n\t"
		"pushq %%rax\n\t"
		"pushq $0x202\n\t"
		"pushq $0xe008\n\t"
		"lea hv_sel_target(%%rip), %%rcx\n\t"
		"pushq %%rcx\n\t"
		"pushq $0\n\t"
		"jmp hypercall_page + 23 * 32\n\t"
		".globl hv_sel_target\n"
		"hv_sel_target:\n\t"
		"ud2\n"
		: : : "rax", "rcx", "memory");
	test_fail("iret_returned", "the iret to hypervisor selectors came back");
	test_finish();
}
