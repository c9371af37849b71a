/*
 * fast_slow_parity: page-table sequences whose results must not depend on
 * which hypercall path (the fast path or the full-frame path) served them.
 * The same guest runs in `make test` with and without the fast path; each
 * check states what Xen 4.17 returns for the same sequence.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/xen.h>
#include "testlib.h"
#include <libpv/pagetable.h>


static uint8_t l1a[4096] __attribute__((aligned(4096)));
static uint8_t l1b[4096] __attribute__((aligned(4096)));

/* The table at level `level` (1 = L1) on the way to va, and va's index in it. */
static uint64_t *table_of(start_info_t *si, unsigned long va, int level,
			  unsigned int *index)
{
	uint64_t *table = (uint64_t *)si->pt_base;
	int shift = 39;

	for (int l = 4; l > level; l--, shift -= 9) {
		uint64_t e = table[(va >> shift) & 511];
		table = pv_pfn_to_virt(pv_mfn_to_pfn((e & PTE_MFN_MASK) >> 12));
	}
	*index = (va >> shift) & 511;
	return table;
}

static unsigned long mfn_of(const void *va)
{
	return pv_pfn_to_mfn(pv_virt_to_pfn(va));
}

static unsigned long maddr_of(const void *va)
{
	return (mfn_of((const void *)((unsigned long)va & ~4095UL)) << 12) |
	       ((unsigned long)va & 4095);
}

void kernel_main(start_info_t *si)
{
	unsigned int idx;

	pv_printf("fast_slow_parity: page-table sequences on both hypercall paths\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");

	/* A free L2 slot in the L2 that maps this guest's image. */
	uint64_t *l2 = table_of(si, (unsigned long)l1a, 2, &idx);
	int free_a = -1, free_b = -1;
	for (int i = 511; i >= 0; i--) {
		if (l2[i] & PTE_P)
			continue;
		if (free_a < 0)
			free_a = i;
		else if (free_b < 0) {
			free_b = i;
			break;
		}
	}
	test_check(free_a >= 0 && free_b >= 0, "found_free_l2_slots", "%d %d", free_a, free_b);

	uint64_t *e_a = table_of(si, (unsigned long)l1a, 1, &idx);
	uint64_t pte_a = e_a[idx];
	uint64_t *pa = &e_a[idx];
	uint64_t *e_b = table_of(si, (unsigned long)l1b, 1, &idx);
	uint64_t pte_b = e_b[idx];
	uint64_t *pb = &e_b[idx];

	static uint8_t target_page[4096] __attribute__((aligned(4096)));
	uint64_t *ta = (uint64_t *)l1a, *tb = (uint64_t *)l1b;
	for (int i = 0; i < 8; i++) {
		ta[i] = (mfn_of(target_page) << 12) | PTE_P | PTE_RW;
		tb[i] = (mfn_of(target_page) << 12) | PTE_P;
	}
	mmu_update_t req;
	req.ptr = maddr_of(&l2[free_a]) | MMU_NORMAL_PT_UPDATE;
	req.val = (mfn_of(l1a) << 12) | PTE_P | PTE_RW;
	long rc = HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
	test_check(rc < 0, "link_writable_l1a_refused", "rc %ld", rc);
	req.ptr = maddr_of(&l2[free_b]) | MMU_NORMAL_PT_UPDATE;
	req.val = (mfn_of(l1b) << 12) | PTE_P | PTE_RW;
	rc = HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
	test_check(rc < 0, "link_writable_l1b_refused", "rc %ld", rc);

	rc = HYPERVISOR_update_va_mapping((unsigned long)l1a, pte_a & ~PTE_RW, 0);
	test_expect_rc("remap_l1a_read_only", rc, 0);
	test_expect_eq("l1a_pte_read_only", *pa, pte_a & ~PTE_RW);
	rc = HYPERVISOR_update_va_mapping((unsigned long)l1b, pte_b & ~PTE_RW, 0);
	test_expect_rc("remap_l1b_read_only", rc, 0);
	test_expect_eq("l1b_pte_read_only", *pb, pte_b & ~PTE_RW);

	req.ptr = maddr_of(&l2[free_a]) | MMU_NORMAL_PT_UPDATE;
	req.val = (mfn_of(l1a) << 12) | PTE_P | PTE_RW;
	rc = HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
	test_expect_rc("link_l1a", rc, 0);
	req.ptr = maddr_of(&l2[free_b]) | MMU_NORMAL_PT_UPDATE;
	req.val = (mfn_of(l1b) << 12) | PTE_P | PTE_RW;
	rc = HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
	test_expect_rc("link_l1b", rc, 0);
	/* Through the new links, l1a's entries map target_page writable. */
	volatile uint64_t *alias = (volatile uint64_t *)((unsigned long)free_a << 21);
	unsigned long base = ((unsigned long)l1a) & ~((1UL << 30) - 1);
	alias = (volatile uint64_t *)(base + ((unsigned long)free_a << 21));
	*alias = 0x5a5a;
	test_expect_eq("write_through_new_l1a", *(uint64_t *)target_page, 0x5a5a);
	test_finish();
}
