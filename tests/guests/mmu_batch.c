/*
 * mmu_batch: long mmu_update / mmuext_op batches. The hypervisor handles at
 * most 512 entries per entry and then continues the call (the guest's
 * syscall is re-executed with the remaining work), so a batch of any size
 * must complete with the right success_count, directly or in a multicall.
 */
#include <libpv/hypercall.h>
#include <pv/xen.h>
#include <pv/version.h>
#include <lamina/perf.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define N_UPDATES 1500
#define N_FLUSHES 1300

static uint8_t victim[4096] __attribute__((aligned(4096)));
static struct mmu_update reqs[N_UPDATES];
static struct mmuext_op ops[N_FLUSHES];

/* Machine address of the L1 entry mapping va. */
static uint64_t l1e_maddr(start_info_t *si, unsigned long va, uint64_t *value)
{
	uint64_t *table = (uint64_t *)si->pt_base;
	uint64_t mfn = 0;

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t e = table[(va >> shift) & 511];
		mfn = (e & PTE_MFN_MASK) >> 12;
		table = pv_pfn_to_virt(pv_mfn_to_pfn(mfn));
	}
	*value = table[(va >> 12) & 511];
	return (mfn << 12) + ((va >> 12) & 511) * 8;
}

void kernel_main(start_info_t *si)
{
	uint64_t value, ptr = l1e_maddr(si, (unsigned long)victim, &value);
	unsigned int done = 0;

	pv_printf("mmu_batch: batches longer than the hypervisor's chunk\n");
	for (int i = 0; i < N_UPDATES; i++) {
		reqs[i].ptr = ptr | MMU_NORMAL_PT_UPDATE;
		reqs[i].val = value;
	}
	struct lamina_perf_counters perf;
	pv_hypercall6(__HYPERVISOR_lamina_perf, LAMINA_PERF_RESET, 0, 0, 0, 0);
	long rc = HYPERVISOR_mmu_update(reqs, N_UPDATES, &done, DOMID_SELF);
	/* Read the counters before printing: printing is a hypercall too. */
	long have_perf = pv_hypercall6(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ,
				       (unsigned long)&perf, 0, 0, 0);
	test_expect_rc("mmu_update_1500", rc, 0);
	test_expect_eq("mmu_update_1500_done", done, N_UPDATES);
	/* On Lamina: entered three times (512 + 512 + 476), plus the read. */
	if (have_perf == 0)
		test_expect_eq("mmu_update_1500_continued_twice", perf.hypercalls, 4);

	/* A failure after the first chunk: the count says where it stopped. */
	reqs[1000].val = (1UL << 12) | 1;       /* mfn 1 is not ours */
	done = 0;
	test_expect_rc("mmu_update_fails_at_1000",
		       HYPERVISOR_mmu_update(reqs, N_UPDATES, &done, DOMID_SELF), -1);
	test_expect_eq("mmu_update_fails_at_1000_done", done, 1000);
	reqs[1000].val = value;

	for (int i = 0; i < N_FLUSHES; i++)
		ops[i].cmd = MMUEXT_TLB_FLUSH_LOCAL;
	done = 0;
	test_expect_rc("mmuext_1300", HYPERVISOR_mmuext_op(ops, N_FLUSHES, &done, DOMID_SELF), 0);
	test_expect_eq("mmuext_1300_done", done, N_FLUSHES);

	/* Inside a multicall a long batch continues through the multicall
	 * itself: the caller sees one call that did it all. */
	struct multicall_entry mc[2] = {
		{ .op = __HYPERVISOR_mmu_update,
		  .args = { (unsigned long)reqs, N_UPDATES, (unsigned long)&done, DOMID_SELF } },
		{ .op = __HYPERVISOR_xen_version, .args = { XENVER_version } },
	};
	done = 0;
	test_expect_rc("multicall_with_long_batch", HYPERVISOR_multicall(mc, 2), 0);
	test_expect_eq("multicall_batch_result", mc[0].result, 0);
	test_expect_eq("multicall_batch_done", done, N_UPDATES);
	test_expect_eq("multicall_next_entry_ran", mc[1].result, 0x40011);
	test_finish();
}
