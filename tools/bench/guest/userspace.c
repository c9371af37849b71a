/*
 * The benchmark guest's user mode, for the user_syscall row: the smallest
 * address space that can run the user loop of loops.S, built through the
 * validated page-table interface exactly as any Xen PV kernel builds one.
 *
 * Four table pages (L4 -> L3 -> L2 -> L1) and one code page, all static
 * pages of the guest image. The tables are filled while the kernel still
 * maps them writable, then made read-only in the kernel's mapping (the
 * hypervisor refuses a page table that has a writable mapping), then the
 * L4 is pinned, which validates the whole tree, and installed as the user
 * base pointer. The code page holds a copy of bench_user_code, mapped
 * user read-only at BENCH_USER_CODE_VA; nothing else is mapped, the user
 * loop needs no stack.
 *
 * User mode enters the kernel two ways: syscall, to bench_syscall_callback
 * (the operation timed), and int $0x80, to bench_user_exit (the end of a
 * run). Both arrive on bench_user_kernel_stack (stack_switch).
 */
#include <stdbool.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <libpv/string.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include "bench.h"
#include <libpv/pagetable.h>

#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A)
#define PTE_USER_RO  (PTE_P | PTE_US | PTE_A)

enum { L1, L2, L3, L4, NR_LEVELS };

static uint64_t user_tables[NR_LEVELS][512] __attribute__((aligned(4096)));
static char user_code_page[4096] __attribute__((aligned(4096)));
static char user_kernel_stack[4096] __attribute__((aligned(16)));

/* Machine frame of a page of the guest image. */
static unsigned long image_mfn(const void *va)
{
	return pv_pfn_to_mfn(pv_virt_to_pfn(va));
}

/* Index of va in the table at level (L1 .. L4). */
static unsigned int user_index(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * level)) & 511;
}

/* Make the kernel's mapping of an image page read-only. */
static long make_read_only(const void *va)
{
	unsigned long pte = pv_pt_lookup((unsigned long)va);

	if (!(pte & PTE_P))
		return -XEN_EFAULT;
	if (!(pte & PTE_RW))
		return 0;
	return HYPERVISOR_update_va_mapping((unsigned long)va, pte & ~PTE_RW,
					    UVMF_INVLPG | UVMF_LOCAL);
}

/* Fill the tables, write-protect them, pin the L4, make it the user L4. */
static long build_user_tables(void)
{
	unsigned long va = BENCH_USER_CODE_VA;
	mmuext_op_t op;
	long rc;
	int level;

	user_tables[L1][user_index(va, L1)] =
		(image_mfn(user_code_page) << PV_PAGE_SHIFT) | PTE_USER_RO;
	for (level = L2; level <= L4; level++)
		user_tables[level][user_index(va, level)] =
			(image_mfn(user_tables[level - 1]) << PV_PAGE_SHIFT) |
			PTE_TABLE;
	for (level = L1; level <= L4; level++)
		if ((rc = make_read_only(user_tables[level])))
			return rc;
	op = (mmuext_op_t){ .cmd = MMUEXT_PIN_L4_TABLE,
			    .arg1.mfn = image_mfn(user_tables[L4]) };
	if ((rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF)))
		return rc;
	op.cmd = MMUEXT_NEW_USER_BASEPTR;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* The syscall callback and the int $0x80 (DPL 3) exit gate. */
static long install_entries(void)
{
	struct callback_register cb = {
		.type = CALLBACKTYPE_syscall,
		.flags = 0,     /* events stay as they are: masked */
		.address = (unsigned long)bench_syscall_callback,
	};
	static trap_info_t table[2];
	long rc;

	if ((rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb)))
		return rc;
	table[0] = (trap_info_t){
		.vector = BENCH_USER_EXIT_VECTOR, .flags = 3,
		.cs = FLAT_KERNEL_CS,
		.address = (unsigned long)bench_user_exit,
	};
	table[1] = (trap_info_t){ 0 };
	return HYPERVISOR_set_trap_table(table);
}

long bench_user_space_init(void)
{
	static bool built;
	size_t code_len = (size_t)(bench_user_code_end - bench_user_code);
	long rc;

	if (!built) {
		memcpy(user_code_page, bench_user_code, code_len);
		if ((rc = build_user_tables()))
			return rc;
		built = true;
	}
	if ((rc = install_entries()))
		return rc;
	return HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
				       (unsigned long)(user_kernel_stack +
						       sizeof(user_kernel_stack)));
}
