/*
 * debugreg: set_debugreg / get_debugreg. A write watchpoint on a variable
 * must raise #DB in the guest with DR6 telling which breakpoint hit; bad
 * values are refused as Xen refuses them.
 */
#include <libpv/hypercall.h>
#include <pv/xen.h>
#include "testlib.h"

static volatile unsigned long watched;
static volatile unsigned long db_hits, db_dr6;

static long setdr(unsigned int reg, unsigned long value)
{
	return pv_hypercall6(__HYPERVISOR_set_debugreg, reg, value, 0, 0, 0);
}

static long getdr(unsigned int reg)
{
	return pv_hypercall6(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

static void on_debug(struct pv_trap_frame *frame)
{
	(void)frame;
	db_hits++;
	db_dr6 = (unsigned long)getdr(6);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("debugreg: hardware breakpoints through the hypervisor\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	pv_trap_set_handler(PV_TRAP_DB, on_debug);

	test_expect_eq("dr7_initial", (unsigned long)getdr(7), 0x400);
	test_expect_eq("dr6_initial", (unsigned long)getdr(6), 0xffff0ff0);

	/* DR0 = &watched, DR7: local enable 0, write (01), 8 bytes (10). */
	test_expect_rc("set_dr0", setdr(0, (unsigned long)&watched), 0);
	test_expect_eq("get_dr0", (unsigned long)getdr(0), (unsigned long)&watched);
	unsigned long dr7 = 1UL | (1UL << 16) | (2UL << 18);
	test_expect_rc("set_dr7", setdr(7, dr7), 0);
	watched = 42;                  /* traps after the store */
	test_expect_eq("watchpoint_hit_once", db_hits, 1);
	test_check(db_dr6 & 1, "dr6_names_breakpoint_0", "dr6 %#lx", db_dr6);
	(void)watched;                 /* reads do not trigger a write watch */
	test_expect_eq("read_does_not_hit", db_hits, 1);
	test_expect_rc("disable_dr7", setdr(7, 0), 0);
	watched = 43;
	test_expect_eq("disabled_no_hit", db_hits, 1);

	/* Refusals. */
	test_expect_rc("dr0_hypervisor_address", setdr(0, 0xFFFF830000000000UL), -1);
	test_expect_rc("dr1_noncanonical", setdr(1, 0x0000800000000000UL), -1);
	test_expect_rc("dr7_general_detect", setdr(7, 1UL << 13), -1);
	test_expect_rc("dr7_io_breakpoint", setdr(7, 1UL | (2UL << 16)), -1);
	test_expect_rc("dr7_upper_bits", setdr(7, 1UL << 40), -1);
	test_expect_rc("dr4_refused", setdr(4, 0), -22);
	test_expect_rc("dr8_refused", setdr(8, 0), -22);
	test_expect_rc("get_dr5_refused", getdr(5), -22);
	test_expect_rc("get_dr9_refused", getdr(9), -22);
	test_finish();
}
