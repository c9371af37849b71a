/*
 * The rows of the benchmark: for each, the arguments its loop reads and a
 * setup that fills them in and checks the hypercall works. Every setup is
 * also an example of calling that hypercall from a PV guest.
 */
#include <stdbool.h>
#include <stddef.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include <pv/event_channel.h>
#include <pv/version.h>
#include "bench.h"
#include "pagetable.h"
#include <libpv/pagetable.h>

#define MULTICALL_BATCH 32
#define MMU_BATCH_MAX   512

/* Arguments read by the loops in loops.S. */
char bench_text[1];
multicall_entry_t bench_multicalls[MULTICALL_BATCH];
unsigned long bench_kernel_sp;
mmu_update_t bench_mmu_reqs[MMU_BATCH_MAX];
unsigned int bench_mmu_count;
unsigned long bench_uvm_va, bench_uvm_pte, bench_uvm_flags;
mmuext_op_t bench_mmuext_ops[1];
unsigned int bench_mmuext_count;
mmuext_op_t bench_pin_op, bench_unpin_op;
uint64_t bench_timer_timeout;

/* A stack for the stack_switch row to name (nothing is ever pushed on it). */
static char kernel_stack[4096] __attribute__((aligned(16)));

/*
 * Pages the paging rows work on: [0] is remapped in place by
 * update_va_mapping, [1] becomes an L1 page table for pin/unpin.
 */
static char bench_pages[2][4096] __attribute__((aligned(4096)));

/* Null hypercall: xen_version(XENVER_version) returns major << 16 | minor. */
static long setup_xen_version(void)
{
	long rc = HYPERVISOR_xen_version(XENVER_version, NULL);

	return rc > 0 ? 0 : rc;
}

/* console_io write of zero bytes. */
static long setup_console_io(void)
{
	return HYPERVISOR_console_io(CONSOLEIO_write, 0, bench_text);
}

/* A multicall of 32 xen_version calls; each entry must succeed. */
static long setup_multicall(void)
{
	unsigned int i;
	long rc;

	for (i = 0; i < MULTICALL_BATCH; i++)
		bench_multicalls[i] = (multicall_entry_t){
			.op = __HYPERVISOR_xen_version,
			.args = { XENVER_version, 0 },
		};
	rc = HYPERVISOR_multicall(bench_multicalls, MULTICALL_BATCH);
	for (i = 0; rc == 0 && i < MULTICALL_BATCH; i++)
		if ((long)bench_multicalls[i].result <= 0)
			rc = (long)bench_multicalls[i].result;
	return rc;
}

/* set_segment_base(SEGBASE_FS, 0). */
static long setup_set_segment_base(void)
{
	return HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
}

/* stack_switch to a dedicated stack. */
static long setup_stack_switch(void)
{
	bench_kernel_sp = (unsigned long)(kernel_stack + sizeof(kernel_stack));
	return HYPERVISOR_stack_switch(FLAT_KERNEL_SS, bench_kernel_sp);
}

/* fpu_taskswitch: set then clear the virtual CR0.TS. */
static long setup_fpu_taskswitch(void)
{
	long rc = HYPERVISOR_fpu_taskswitch(1);

	return rc ? rc : HYPERVISOR_fpu_taskswitch(0);
}

/*
 * Exception bounce: route #BP (DPL 3) to the minimal handler in loops.S.
 * Only vector 3 is listed, so libpv's other entries stay installed.
 */
static long setup_int3_bounce(void)
{
	static trap_info_t table[2];

	table[0] = (trap_info_t){
		.vector = 3, .flags = 3, .cs = FLAT_KERNEL_CS,
		.address = (unsigned long)bench_int3_handler,
	};
	table[1] = (trap_info_t){ 0 };
	return HYPERVISOR_set_trap_table(table);
}

/*
 * User syscall: build the user address space and entries (userspace.c),
 * then one untimed run of the user loop.
 */
static long setup_user_syscall(void)
{
	long rc = bench_user_space_init();

	if (rc == 0)
		bench_loop_user_syscall(1);
	return rc;
}

/*
 * mmu_update batch of count PTEs: rewrite the entries of the L1 table that
 * maps bench_pages with their current values (always valid, changes
 * nothing), starting at bench_pages[0]'s entry.
 */
static long setup_mmu_batch(unsigned int count)
{
	struct l1_slot slot;
	unsigned int first, i;

	if (!bench_find_l1((unsigned long)bench_pages[0], &slot))
		return -XEN_EFAULT;
	first = (unsigned int)(slot.entry - slot.table);
	if (first + count > MMU_BATCH_MAX)
		first = MMU_BATCH_MAX - count;
	for (i = 0; i < count; i++)
		bench_mmu_reqs[i] = (mmu_update_t){
			.ptr = (slot.table_maddr + (first + i) * 8UL) |
			       MMU_NORMAL_PT_UPDATE,
			.val = slot.table[first + i],
		};
	bench_mmu_count = count;
	return HYPERVISOR_mmu_update(bench_mmu_reqs, count, NULL, DOMID_SELF);
}

static long setup_mmu_1(void)   { return setup_mmu_batch(1); }
static long setup_mmu_8(void)   { return setup_mmu_batch(8); }
static long setup_mmu_64(void)  { return setup_mmu_batch(64); }
static long setup_mmu_512(void) { return setup_mmu_batch(512); }

/* update_va_mapping of bench_pages[0] to its current PTE, with flags. */
static long setup_uvm(unsigned long flags)
{
	struct l1_slot slot;

	if (!bench_find_l1((unsigned long)bench_pages[0], &slot))
		return -XEN_EFAULT;
	bench_uvm_va = (unsigned long)bench_pages[0];
	bench_uvm_pte = *slot.entry;
	bench_uvm_flags = flags;
	return HYPERVISOR_update_va_mapping(bench_uvm_va, bench_uvm_pte, flags);
}

static long setup_uvm_invlpg(void)
{
	return setup_uvm(UVMF_INVLPG | UVMF_LOCAL);
}

static long setup_uvm_noflush(void)
{
	return setup_uvm(UVMF_NONE);
}

/*
 * Pin/unpin: make bench_pages[1] (all zeroes: an empty L1) read-only, as a
 * page table must be, then pin and unpin it once.
 */
static long setup_pin_unpin(void)
{
	unsigned long va = (unsigned long)bench_pages[1];
	struct l1_slot slot;
	unsigned long mfn;
	long rc;

	if (!bench_find_l1(va, &slot))
		return -XEN_EFAULT;
	mfn = (*slot.entry & 0x000ffffffffff000UL) >> PV_PAGE_SHIFT;
	if (*slot.entry & PTE_RW) {
		rc = HYPERVISOR_update_va_mapping(va, *slot.entry & ~PTE_RW,
						  UVMF_INVLPG | UVMF_LOCAL);
		if (rc)
			return rc;
	}
	bench_pin_op = (mmuext_op_t){ .cmd = MMUEXT_PIN_L1_TABLE,
				      .arg1.mfn = mfn };
	bench_unpin_op = (mmuext_op_t){ .cmd = MMUEXT_UNPIN_TABLE,
					.arg1.mfn = mfn };
	rc = HYPERVISOR_mmuext_op(&bench_pin_op, 1, NULL, DOMID_SELF);
	return rc ? rc : HYPERVISOR_mmuext_op(&bench_unpin_op, 1, NULL,
					      DOMID_SELF);
}

/* Local TLB flush through mmuext_op. */
static long setup_tlb_flush(void)
{
	bench_mmuext_ops[0] = (mmuext_op_t){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	bench_mmuext_count = 1;
	return HYPERVISOR_mmuext_op(bench_mmuext_ops, 1, NULL, DOMID_SELF);
}

/* set_timer_op with a deadline ~6.5 days after boot (system time, ns). */
static long setup_set_timer_op(void)
{
	bench_timer_timeout = 1ULL << 49;
	return HYPERVISOR_set_timer_op(bench_timer_timeout);
}

#define ROW(name, loop, setup, ops, div) \
	{ name, bench_loop_##loop, setup, ops, div, NULL, NULL, false }
/* A row timed against its own baseline loop instead of the empty one. */
#define ROW_BASE(name, loop, setup, ops, div, base) \
	{ name, bench_loop_##loop, setup, ops, div, NULL, bench_loop_##base, \
	  false }
/* A row run only in the two-domain boot, on domain 0. */
#define ROW_2DOM(name, loop, setup, ops, div) \
	{ name, bench_loop_##loop, setup, ops, div, NULL, NULL, true }

const struct bench_row bench_rows[] = {
	ROW("null_hypercall", xen_version, setup_xen_version, 1, 1),
	ROW("console_io_0", console_io, setup_console_io, 1, 1),
	ROW("multicall_32_per_call", multicall, setup_multicall, 32, 4),
	ROW("set_segment_base", set_segment_base, setup_set_segment_base, 1, 1),
	ROW("stack_switch", stack_switch, setup_stack_switch, 1, 1),
	ROW("fpu_taskswitch", fpu_taskswitch, setup_fpu_taskswitch, 2, 1),
	ROW("exception_bounce", int3_bounce, setup_int3_bounce, 1, 1),
	ROW("user_syscall", user_syscall, setup_user_syscall, 1, 1),
	ROW("mmu_update_1", mmu_update, setup_mmu_1, 1, 1),
	ROW("mmu_update_8_per_pte", mmu_update, setup_mmu_8, 8, 2),
	ROW("mmu_update_64_per_pte", mmu_update, setup_mmu_64, 64, 8),
	ROW("mmu_update_512_per_pte", mmu_update, setup_mmu_512, 512, 32),
	ROW("update_va_mapping_invlpg", update_va_mapping, setup_uvm_invlpg,
	    1, 1),
	ROW("update_va_mapping_noflush", update_va_mapping, setup_uvm_noflush,
	    1, 1),
	ROW("pin_unpin_l1", pin_unpin, setup_pin_unpin, 1, 4),
	ROW("tlb_flush_local", mmuext_op, setup_tlb_flush, 1, 1),
	ROW_BASE("evtchn_send_self", evtchn_send, bench_setup_evtchn_send, 1, 1,
		 evtchn_clear),
	ROW("set_timer_op", set_timer_op, setup_set_timer_op, 1, 1),
	ROW("timer_wakeup", timer_wakeup, bench_setup_timer_wakeup, 1, 1),
	ROW_2DOM("evtchn_roundtrip_2dom", pingpong, bench_setup_roundtrip_2dom,
		 1, 1),
	/* Each yield of domain 0 is two switches: to the peer and back. */
	ROW_2DOM("context_switch", yield, bench_setup_context_switch, 2, 1),
};

const unsigned int bench_nr_rows = sizeof(bench_rows) / sizeof(bench_rows[0]);
