/*
 * bad_hypercalls: feeds hypercalls bad numbers, commands and pointers and
 * checks each is refused with the error Xen returns (each expectation
 * names the Xen source it comes from), and that the hypervisor survives.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include <pv/version.h>
#include "testlib.h"

/* An address inside the hypervisor's direct map: never a guest buffer. */
#define HYPERVISOR_POINTER 0xFFFF830000000000UL
/* Bit 63 set, bits 47-62 clear: not a canonical address. */
#define NON_CANONICAL      0x8000000000000000UL
/* A command / type number no interface defines. */
#define BOGUS_CMD          99

extern char pv_boot_stack_top[];

/*
 * Hypercall numbers without a handler: -ENOSYS, both through the page and
 * with a direct syscall (xen/arch/x86/pv/hypercall.c: numbers beyond the
 * table or with a null entry return -ENOSYS).
 */
static void check_unknown_numbers(void)
{
	test_expect_rc("unknown_hypercall_60",
		       pv_hypercall6(60, 0, 0, 0, 0, 0), -XEN_ENOSYS);
	test_expect_rc("unknown_hypercall_127",
		       pv_hypercall6(127, 0, 0, 0, 0, 0), -XEN_ENOSYS);
	test_expect_rc("unknown_hypercall_1000_raw",
		       pv_hypercall_raw(1000, 0, 0, 0, 0, 0), -XEN_ENOSYS);
	test_expect_rc("unknown_hypercall_ffffffff_raw",
		       pv_hypercall_raw(0xffffffffUL, 0, 0, 0, 0, 0),
		       -XEN_ENOSYS);
}

/*
 * First unmapped page after the boot stack: the initial mapping is padded
 * past the stack, so walk the page tables to find where it really ends.
 */
static unsigned long end_of_initial_mapping(const start_info_t *si)
{
	unsigned long va = si->pt_base + (si->nr_pt_frames + 1) * PV_PAGE_SIZE;
	unsigned long limit = va + (64UL << 20);

	while (va < limit && (pv_pt_lookup(va) & 1))
		va += PV_PAGE_SIZE;
	return va;
}

/*
 * console_io (xen/drivers/char/console.c do_console_io and
 * guest_console_write): bad buffers give -EFAULT (copy_from_guest fails),
 * unknown commands -ENOSYS.
 */
static void check_console_io(const start_info_t *si)
{
	static const char tail[16] = "end of mapping!\n";
	unsigned long end = end_of_initial_mapping(si);
	char *buf = (char *)(end - sizeof(tail));
	char ok[] = "console_io probe\n";

	test_expect_rc("console_io_null_buffer",
		       HYPERVISOR_console_io(CONSOLEIO_write, 10, NULL),
		       -XEN_EFAULT);
	test_expect_rc("console_io_hypervisor_buffer",
		       HYPERVISOR_console_io(CONSOLEIO_write, 10,
					     (char *)HYPERVISOR_POINTER),
		       -XEN_EFAULT);
	memcpy(buf, tail, sizeof(tail));
	pv_printf("initial mapping ends at %lx\n", end);
	test_expect_rc("console_io_count_past_mapping",
		       HYPERVISOR_console_io(CONSOLEIO_write, 0x7fffffff, buf),
		       -XEN_EFAULT);
	test_expect_rc("console_io_unknown_cmd",
		       HYPERVISOR_console_io(BOGUS_CMD, (int)strlen(ok), ok),
		       -XEN_ENOSYS);
}

/*
 * xen_version (xen/common/kernel.c do_xen_version): unknown commands
 * -ENOSYS; extraversion into a NULL buffer -EFAULT (copy_to_guest fails).
 */
static void check_xen_version(void)
{
	test_expect_rc("xen_version_unknown_cmd",
		       HYPERVISOR_xen_version(BOGUS_CMD, NULL), -XEN_ENOSYS);
	test_expect_rc("xen_version_extraversion_null",
		       HYPERVISOR_xen_version(XENVER_extraversion, NULL),
		       -XEN_EFAULT);
}

/*
 * sched_op (xen/common/sched/core.c do_sched_op): unknown commands
 * -ENOSYS; SCHEDOP_shutdown reads its argument first, so NULL is -EFAULT.
 */
static void check_sched_op(void)
{
	test_expect_rc("sched_op_unknown_cmd",
		       HYPERVISOR_sched_op(BOGUS_CMD, NULL), -XEN_ENOSYS);
	test_expect_rc("sched_op_shutdown_null",
		       HYPERVISOR_sched_op(SCHEDOP_shutdown, NULL),
		       -XEN_EFAULT);
}

/*
 * set_trap_table (xen/arch/x86/pv/callback.c do_set_trap_table): an
 * unreadable table is -EFAULT; an entry with a non-canonical handler is
 * -EINVAL; a NULL table is valid and clears the whole virtual IDT.
 */
static void check_set_trap_table(void)
{
	static const trap_info_t bad_entry[2] = {
		{ .vector = 6, .cs = FLAT_KERNEL_CS, .address = NON_CANONICAL },
	};

	test_expect_rc("set_trap_table_hypervisor_pointer",
		       HYPERVISOR_set_trap_table(
			       (const trap_info_t *)HYPERVISOR_POINTER),
		       -XEN_EFAULT);
	test_expect_rc("set_trap_table_non_canonical_handler",
		       HYPERVISOR_set_trap_table(bad_entry), -XEN_EINVAL);
	test_expect_rc("set_trap_table_null_clears", HYPERVISOR_set_trap_table(NULL),
		       0);
	test_expect_rc("set_trap_table_reinstall", pv_traps_init(), 0);
}

/*
 * callback_op (xen/arch/x86/pv/callback.c do_callback_op and
 * register_guest_callback): the address is checked for canonical form
 * first (-EINVAL), then the type (-ENOSYS); unknown commands are -ENOSYS
 * and an unreadable argument -EFAULT.
 */
static void check_callback_op(void)
{
	struct callback_register unknown_type = {
		.type = BOGUS_CMD,
		.address = (unsigned long)pv_event_callback_entry,
	};
	struct callback_register non_canonical = {
		.type = CALLBACKTYPE_event,
		.address = NON_CANONICAL,
	};

	test_expect_rc("callback_op_unknown_type",
		       HYPERVISOR_callback_op(CALLBACKOP_register, &unknown_type),
		       -XEN_ENOSYS);
	test_expect_rc("callback_op_non_canonical",
		       HYPERVISOR_callback_op(CALLBACKOP_register,
					      &non_canonical), -XEN_EINVAL);
	test_expect_rc("callback_op_unknown_cmd",
		       HYPERVISOR_callback_op(BOGUS_CMD, &unknown_type),
		       -XEN_ENOSYS);
	test_expect_rc("callback_op_null_arg",
		       HYPERVISOR_callback_op(CALLBACKOP_register, NULL),
		       -XEN_EFAULT);
}

/*
 * set_callbacks (callback.c do_set_callbacks) registers the three
 * callbacks one by one, ignores each one's error and returns 0; a
 * non-canonical address is simply not installed.
 */
static void check_set_callbacks(void)
{
	test_expect_rc("set_callbacks_non_canonical_ignored",
		       HYPERVISOR_set_callbacks(NON_CANONICAL, NON_CANONICAL,
						NON_CANONICAL), 0);
	test_expect_rc("callbacks_reregister", pv_callbacks_init(), 0);
}

/*
 * set_segment_base (xen/arch/x86/pv/misc-hypercalls.c): unknown selector
 * -EINVAL, non-canonical base -EINVAL.
 */
static void check_set_segment_base(void)
{
	test_expect_rc("set_segment_base_unknown_which",
		       HYPERVISOR_set_segment_base(BOGUS_CMD, 0), -XEN_EINVAL);
	test_expect_rc("set_segment_base_non_canonical",
		       HYPERVISOR_set_segment_base(SEGBASE_FS, NON_CANONICAL),
		       -XEN_EINVAL);
}

/*
 * vm_assist (xen/common/domain.c do_vm_assist): a type outside the valid
 * mask is -EINVAL, an unknown command on a valid type -ENOSYS.
 */
static void check_vm_assist(void)
{
	test_expect_rc("vm_assist_unknown_type",
		       HYPERVISOR_vm_assist(VMASST_CMD_enable, 63), -XEN_EINVAL);
	test_expect_rc("vm_assist_unknown_cmd",
		       HYPERVISOR_vm_assist(BOGUS_CMD,
					    VMASST_TYPE_writable_pagetables),
		       -XEN_ENOSYS);
}

/*
 * stack_switch (misc-hypercalls.c do_stack_switch): Xen does not refuse an
 * RPL0 selector, it forces RPL 3 (fixup_guest_stack_selector) and returns
 * 0. Exercise it, then put the real kernel stack back.
 */
static void check_stack_switch(void)
{
	test_expect_rc("stack_switch_rpl0_fixed_up",
		       HYPERVISOR_stack_switch(0x10,
					       (unsigned long)pv_boot_stack_top),
		       0);
	test_expect_rc("stack_switch_restore",
		       HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
					       (unsigned long)pv_boot_stack_top),
		       0);
}

void kernel_main(start_info_t *si)
{
	pv_printf("bad_hypercalls: refusing bad hypercall arguments\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install trap table / callbacks\n");
	check_unknown_numbers();
	check_console_io(si);
	check_xen_version();
	check_sched_op();
	check_set_trap_table();
	check_callback_op();
	check_set_callbacks();
	check_set_segment_base();
	check_vm_assist();
	check_stack_switch();
	test_finish();
}
