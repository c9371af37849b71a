/*
 * Guest kernel exception handling: install libpv's trap table, and check
 * at boot that a breakpoint and an invalid opcode reach our handlers.
 */
#include <libpv/console.h>
#include <libpv/traps.h>
#include "kernel.h"

/* Set by the handlers, checked by the self-test. */
static volatile unsigned long bp_hits, ud_hits;

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
}

bool traps_selftest(void)
{
	asm volatile("int3" ::: "memory");
	asm volatile("ud2" ::: "memory");
	return bp_hits == 1 && ud_hits == 1;
}
