/*
 * db_hypervisor: a guest's hardware breakpoints firing inside the hypervisor.
 *
 * Breakpoints stay armed while the hypervisor runs, so it can take #DB in
 * ring 0:
 *  - a data breakpoint on a buffer the hypervisor reads (console_io write
 *    on the fast path, a multicall list on the full path): the hit must be
 *    absorbed, never panic the host; as on Xen it is neither delivered nor
 *    left in the guest's DR6;
 *  - a data breakpoint on a selector loaded by `mov ss`, right before a
 *    `syscall`: on hardware the #DB is delayed past the syscall into the
 *    hypervisor's entry point, before its stack switch, and dropped there.
 *    TCG raises it in the guest instead; either way the hypercall
 *    completes.
 * The guest's own access to the watched buffer still gets its #DB.
 */
#include <libpv/hypercall.h>
#include <pv/xen.h>
#include <pv/version.h>
#include "testlib.h"

#define DR6_B0 1UL
#define DR6_B1 2UL

static char watched_buf[64] __attribute__((aligned(64))) = "watched line\n";
static volatile unsigned short watched_sel = FLAT_KERNEL_SS;
static multicall_entry_t calls[1] __attribute__((aligned(64)));
static volatile unsigned long db_hits, db_rip;

static long setdr(unsigned int reg, unsigned long value)
{
	return pv_hypercall6(__HYPERVISOR_set_debugreg, reg, value, 0, 0, 0);
}

static unsigned long getdr(unsigned int reg)
{
	return (unsigned long)pv_hypercall6(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

/* A #DB in the guest: count it and resume where it left (it is a trap). */
static void on_debug(struct pv_trap_frame *f)
{
	db_hits++;
	db_rip = f->rip;
}

/* DR7 for breakpoint n: local enable, R/W = read or write, LEN = len code. */
static unsigned long dr7_rw(unsigned int n, unsigned long len_code)
{
	return (1UL << (2 * n)) | (3UL << (16 + 4 * n)) | (len_code << (18 + 4 * n));
}

static void hypervisor_reads_watched(void)
{
	long rc;

	test_expect_rc("set_dr0_buffer", setdr(0, (unsigned long)watched_buf), 0);
	test_expect_rc("set_dr7_rw_8_bytes", setdr(7, dr7_rw(0, 2)), 0);
	test_expect_rc("clear_dr6", setdr(6, 0), 0);
	db_hits = 0;

	/* Fast path: console_io copies the watched buffer in ring 0. */
	rc = HYPERVISOR_console_io(CONSOLEIO_write, 13, watched_buf);
	test_check(rc >= 0, "console_io_of_watched_buffer_works", "rc %ld", rc);
	test_expect_eq("console_io_hit_not_delivered", db_hits, 0);
	test_check(!(getdr(6) & DR6_B0), "console_io_hit_not_in_guest_dr6",
		   "dr6 %#lx", getdr(6));

	/* Full-frame path: multicall reads its watched list. */
	test_expect_rc("set_dr0_multicall_list", setdr(0, (unsigned long)calls), 0);
	calls[0].op = __HYPERVISOR_xen_version;     /* our store hits: ours */
	calls[0].args[0] = XENVER_version;
	calls[0].args[1] = 0;
	test_expect_rc("clear_dr6_again", setdr(6, 0), 0);
	db_hits = 0;
	rc = HYPERVISOR_multicall(calls, 1);
	/* Before reading the list back: that read is ours and would hit. */
	unsigned long hits = db_hits, dr6 = getdr(6);
	test_expect_eq("multicall_hit_not_delivered", hits, 0);
	test_check(!(dr6 & DR6_B0), "multicall_hit_not_in_guest_dr6", "dr6 %#lx", dr6);
	test_check(rc == 0 && (long)calls[0].result > 0,
		   "multicall_of_watched_list_works", "rc %ld result %ld", rc,
		   (long)calls[0].result);

	/* The guest's own read of the buffer: a #DB for the guest. */
	test_expect_rc("set_dr0_buffer_again", setdr(0, (unsigned long)watched_buf), 0);
	db_hits = 0;
	(void)*(volatile unsigned long *)watched_buf;
	test_expect_eq("guest_read_hit_delivered", db_hits, 1);
	test_check(getdr(6) & DR6_B0, "guest_read_hit_in_dr6", "dr6 %#lx", getdr(6));
	test_expect_rc("disable_dr7", setdr(7, 0), 0);
}

static void mov_ss_then_syscall(void)
{
	long rax = __HYPERVISOR_xen_version;

	test_expect_rc("set_dr1_selector", setdr(1, (unsigned long)&watched_sel), 0);
	test_expect_rc("set_dr7_rw_2_bytes", setdr(7, dr7_rw(1, 1)), 0);
	test_expect_rc("clear_dr6_ss", setdr(6, 0), 0);
	db_hits = 0;
	asm volatile("mov %[sel], %%ss\n\t"
		     "syscall"
		     : "+a"(rax)
		     : [sel] "m"(watched_sel), "D"((long)XENVER_version), "S"(0L)
		     : "rcx", "r11", "rdx", "r8", "r10", "memory");
	unsigned long dr6 = getdr(6);
	test_expect_rc("disable_dr7_ss", setdr(7, 0), 0);
	test_check(rax == HYPERVISOR_xen_version(XENVER_version, NULL),
		   "syscall_after_watched_mov_ss_completes", "rax %#lx", rax);
	test_check(db_hits == 0 || (dr6 & DR6_B1), "watched_mov_ss_hit_reported_right",
		   "%lu #DB delivered, dr6 %#lx", db_hits, dr6);
	pv_printf("mov ss + syscall: %s\n", db_hits ? "#DB delivered in the guest"
		  : "#DB taken in the hypervisor and dropped");
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("db_hypervisor: guest breakpoints hit in ring 0\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	pv_trap_set_handler(PV_TRAP_DB, on_debug);
	hypervisor_reads_watched();
	mov_ss_then_syscall();
	test_finish();
}
