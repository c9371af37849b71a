/*
 * fast_slow_parity: page-table sequences whose results must not depend on
 * which hypercall path (the fast path or the full-frame path) served them.
 * The same guest runs in `make test` with and without the fast path; each
 * check states what Xen 4.17 returns for the same sequence.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/xen.h>
#include <pv/version.h>
#include <pv/memory.h>
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

/* rbx, rbp, r12-r15 just before and just after the call below. */
unsigned long parity_pre_regs[6], parity_post_regs[6];

/*
 * Hypercall nr through its page entry with the argument registers declared
 * as both inputs and outputs. regs[] gets rdi, rsi, rdx, r10, r8 and r9 as
 * they came back. The callee-saved registers are recorded around the call
 * and restored at once, so the compiler never sees a change.
 */
static long hypercall_regs_back(unsigned long nr, unsigned long a1,
				unsigned long a2, unsigned long *regs)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	register unsigned long rdx asm("rdx") = 0x3333;
	register unsigned long r10 asm("r10") = 0x4444;
	register unsigned long r8 asm("r8") = 0x5555;
	register unsigned long r9 asm("r9") = 0x6666;
	unsigned long target = (unsigned long)hypercall_page + nr * 32;
	long res;

	asm volatile("mov %%rbx, parity_pre_regs+0(%%rip)\n\t"
		     "mov %%rbp, parity_pre_regs+8(%%rip)\n\t"
		     "mov %%r12, parity_pre_regs+16(%%rip)\n\t"
		     "mov %%r13, parity_pre_regs+24(%%rip)\n\t"
		     "mov %%r14, parity_pre_regs+32(%%rip)\n\t"
		     "mov %%r15, parity_pre_regs+40(%%rip)\n\t"
		     "call *%%rax\n\t"
		     "mov %%rbx, parity_post_regs+0(%%rip)\n\t"
		     "mov %%rbp, parity_post_regs+8(%%rip)\n\t"
		     "mov %%r12, parity_post_regs+16(%%rip)\n\t"
		     "mov %%r13, parity_post_regs+24(%%rip)\n\t"
		     "mov %%r14, parity_post_regs+32(%%rip)\n\t"
		     "mov %%r15, parity_post_regs+40(%%rip)\n\t"
		     "mov parity_pre_regs+0(%%rip), %%rbx\n\t"
		     "mov parity_pre_regs+8(%%rip), %%rbp\n\t"
		     "mov parity_pre_regs+16(%%rip), %%r12\n\t"
		     "mov parity_pre_regs+24(%%rip), %%r13\n\t"
		     "mov parity_pre_regs+32(%%rip), %%r14\n\t"
		     "mov parity_pre_regs+40(%%rip), %%r15"
		     : "=a"(res), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10),
		       "+r"(r8), "+r"(r9)
		     : "0"(target)
		     : "rcx", "r11", "memory");
	regs[0] = rdi, regs[1] = rsi, regs[2] = rdx, regs[3] = r10, regs[4] = r8;
	regs[5] = r9;
	return res;
}

/* Which registers a hypercall hands back, on whichever path served it. */
static void check_registers_back(const char *name, unsigned long nr,
				 unsigned long a1, unsigned long a2)
{
	unsigned long r[6];
	char what[64];

	hypercall_regs_back(nr, a1, a2, r);
	pv_snprintf(what, sizeof(what), "%s_args_zeroed", name);
	test_check(!r[0] && !r[1] && !r[2] && !r[3] && !r[4], what,
		   "rdi %lx rsi %lx rdx %lx r10 %lx r8 %lx", r[0], r[1], r[2], r[3], r[4]);
	pv_snprintf(what, sizeof(what), "%s_r9_preserved", name);
	test_expect_eq(what, r[5], 0x6666);
	pv_snprintf(what, sizeof(what), "%s_callee_saved_preserved", name);
	bool same = true;
	for (int i = 0; i < 6; i++)
		same &= parity_pre_regs[i] == parity_post_regs[i];
	test_check(same, what, "rbx/rbp/r12-r15 changed");
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

	/* A fast-path hypercall and a full-frame one hand back the same
	 * registers (Xen's release build preserves all but rax, rcx, r11; its
	 * debug build clobbers the arguments: Lamina zeroes them on both). */
	static char version[16];
	check_registers_back("xen_version", __HYPERVISOR_xen_version,
			     XENVER_extraversion, (unsigned long)version);
	check_registers_back("memory_op", __HYPERVISOR_memory_op,
			     XENMEM_maximum_ram_page, 0);
	test_finish();
}
