/*
 * review_multicall_hostile: a hostile guest against the preemptible
 * multicall. The batch must be preempted and continued with every entry's
 * result in place, refuse each way back into itself, and stop cleanly at
 * a list that runs into an unmapped page or the hypervisor:
 *  - 2048 entries (preempted many times) with nested multicalls pointing
 *    at the list itself, iret, and an mmu_update claiming to be a
 *    preempted batch whose done-count lives in the hypervisor;
 *  - nr_calls 0xffffffff over a list whose second page is unmapped;
 *  - lists in the hypervisor's half and at a non-canonical address.
 */
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <pv/errno.h>
#include <pv/version.h>
#include "testlib.h"

#define N_BIG          2048
#define PREEMPTED      0x80000000UL
#define HV_ADDR        0xffff830000000000UL
#define NONCANONICAL   0x0000800000000000UL

static multicall_entry_t big[N_BIG] __attribute__((aligned(4096)));
static multicall_entry_t two[2][4096 / sizeof(multicall_entry_t)]
	__attribute__((aligned(4096)));

static void fill_version(multicall_entry_t *e)
{
	e->op = __HYPERVISOR_xen_version;
	e->args[0] = XENVER_version;
	e->args[1] = 0;
	e->result = 0x5a5a;
}

static void big_batch(void)
{
	long want = HYPERVISOR_xen_version(XENVER_version, 0);
	unsigned int wrong = 0;

	for (unsigned int i = 0; i < N_BIG; i++)
		fill_version(&big[i]);
	big[100] = (multicall_entry_t){ .op = __HYPERVISOR_multicall,
		.args = { (unsigned long)big, N_BIG } };
	big[1000] = (multicall_entry_t){ .op = __HYPERVISOR_multicall,
		.args = { (unsigned long)&big[1000], 1 } };
	big[500] = (multicall_entry_t){ .op = __HYPERVISOR_iret };
	big[1500] = (multicall_entry_t){ .op = __HYPERVISOR_mmu_update,
		.args = { 0, PREEMPTED | 3, HV_ADDR, DOMID_SELF } };
	test_expect_rc("big_batch", HYPERVISOR_multicall(big, N_BIG), 0);
	test_expect_rc("nested_multicall_self", (long)big[100].result, -XEN_EINVAL);
	test_expect_rc("nested_multicall_entry", (long)big[1000].result, -XEN_EINVAL);
	test_expect_rc("iret_in_multicall", (long)big[500].result, -XEN_EINVAL);
	test_expect_rc("preempted_count_hv_pdone", (long)big[1500].result,
		       -XEN_EFAULT);
	for (unsigned int i = 0; i < N_BIG; i++)
		if (i != 100 && i != 1000 && i != 500 && i != 1500 &&
		    (long)big[i].result != want)
			wrong++;
	test_expect_eq("every_entry_result_written", wrong, 0);
}

static void runs_off_mapping(void)
{
	const unsigned int per_page = 4096 / sizeof(multicall_entry_t);
	unsigned long va = (unsigned long)two[1];
	unsigned long pte = pv_pt_lookup(va);
	unsigned int done = 0;

	for (unsigned int i = 0; i < per_page; i++)
		fill_version(&two[0][i]);
	if (HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG))
		pv_crash("review_multicall_hostile: unmap failed\n");
	test_expect_rc("list_into_unmapped_page",
		       HYPERVISOR_multicall(two[0], 0xffffffffu), -XEN_EFAULT);
	if (HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG))
		pv_crash("review_multicall_hostile: remap failed\n");
	for (unsigned int i = 0; i < per_page; i++)
		done += two[0][i].result != 0x5a5a;
	test_expect_eq("mapped_entries_all_ran", done, per_page);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("review_multicall_hostile: hostile multicall lists\n");
	if (pv_traps_init() != 0)
		pv_crash("review_multicall_hostile: trap set-up failed\n");
	big_batch();
	runs_off_mapping();
	test_expect_rc("list_in_hypervisor",
		       HYPERVISOR_multicall((void *)HV_ADDR, 4), -XEN_EFAULT);
	test_expect_rc("list_noncanonical",
		       HYPERVISOR_multicall((void *)NONCANONICAL, 4), -XEN_EFAULT);
	test_expect_rc("list_wraps_top",
		       HYPERVISOR_multicall((void *)(NONCANONICAL - 64), 4),
		       -XEN_EFAULT);
	test_finish();
}
