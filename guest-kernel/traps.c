/*
 * Guest kernel exception handling: install libpv's trap table, check at
 * boot that a breakpoint and an invalid opcode reach our handlers, and
 * kill user processes that fault (#PF, #GP, #UD, #DE) while the rest go on.
 */
#include <libpv/console.h>
#include <libpv/traps.h>
#include <libpv/usermode.h>
#include "kernel.h"

/* #PF error code bits. */
#define PFEC_PRESENT 0x01UL
#define PFEC_WRITE   0x02UL
#define PFEC_USER    0x04UL
#define PFEC_FETCH   0x10UL

/* Set by the handlers, checked by the self-test. */
static volatile unsigned long bp_hits, ud_hits;

/* Where shared_info is mapped, for the #PF address (vcpu_info.arch.cr2). */
static char shared_info_page[PV_PAGE_SIZE] __attribute__((aligned(PV_PAGE_SIZE)));

/* The frame was saved in user mode (kernel-mode frames carry RPL 0). */
static bool from_user(const struct pv_trap_frame *f)
{
	return (f->cs & 3) == 3;
}

/* A fault the kernel itself took: report and crash the domain. */
static void kernel_fault(struct pv_trap_frame *f, const char *what)
{
	pv_printf("guest kernel: %s in kernel mode at rip=%lx error=%lx\n", what,
		  f->rip, f->error_code);
	pv_trap_dump(f);
	pv_shutdown(SHUTDOWN_crash);
}

/* #GP, #DE (and #UD from user mode): fatal for the process. */
static void on_fatal_fault(struct pv_trap_frame *f)
{
	const char *what = pv_trap_name(f->vector);

	if (!from_user(f))
		kernel_fault(f, what);
	pv_printf("pid %d: %s at rip=%lx (error %lx), killed\n",
		  proc_current_pid(), what, f->rip, f->error_code);
	proc_kill(f);
}

/* #PF: a user process touched memory its address space does not map. */
static void on_page_fault(struct pv_trap_frame *f)
{
	unsigned long cr2 = pv_fault_address();

	if (!from_user(f) || !(f->error_code & PFEC_USER)) {
		pv_printf("guest kernel: page fault at %lx\n", cr2);
		kernel_fault(f, "#PF");
	}
	pv_printf("pid %d: page fault at %lx (rip=%lx, %s %s), killed\n",
		  proc_current_pid(), cr2, f->rip,
		  f->error_code & PFEC_FETCH ? "fetch" :
		  f->error_code & PFEC_WRITE ? "write" : "read",
		  f->error_code & PFEC_PRESENT ? "protection violation" : "not present");
	proc_kill(f);
}

/*
 * #BP is a trap: rip already points past the one-byte int3, so there is
 * nothing to skip.
 */
static void on_breakpoint(struct pv_trap_frame *f)
{
	pv_printf("int3 caught at rip=%lx\n", f->rip - 1);
	bp_hits++;
}

/* #UD is a fault: rip is the ud2 itself; skip its two bytes. */
static void on_invalid_opcode(struct pv_trap_frame *f)
{
	const unsigned char *insn = (const unsigned char *)f->rip;

	if (from_user(f)) {
		on_fatal_fault(f);
		return;
	}
	if (insn[0] != 0x0f || insn[1] != 0x0b)
		pv_crash("#UD at rip=%lx is not a ud2\n", f->rip);
	pv_printf("ud2 caught at rip=%lx\n", f->rip);
	f->rip += 2;
	ud_hits++;
}

void traps_init(void)
{
	long rc = pv_traps_init();

	if (rc)
		pv_crash("set_trap_table failed: %ld\n", rc);
	pv_trap_set_handler(PV_TRAP_BP, on_breakpoint);
	pv_trap_set_handler(PV_TRAP_UD, on_invalid_opcode);
	pv_trap_set_handler(PV_TRAP_DE, on_fatal_fault);
	pv_trap_set_handler(PV_TRAP_GP, on_fatal_fault);
	pv_trap_set_handler(PV_TRAP_PF, on_page_fault);
	if (!pv_map_shared_info(shared_info_page))
		pv_crash("mapping shared_info failed\n");
}

bool traps_selftest(void)
{
	asm volatile("int3" ::: "memory");
	asm volatile("ud2" ::: "memory");
	return bp_hits == 1 && ud_hits == 1;
}
