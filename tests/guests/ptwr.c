/*
 * ptwr: the writable-page-tables assist. With VMASST_TYPE_writable_pagetables
 * on, a kernel may store directly into its (read-only mapped) L1 tables; the
 * hypervisor validates and completes the store. Stores that validation
 * refuses, and any store without the assist, must come back as #PF.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/xen.h>
#include "testlib.h"
#include <libpv/pagetable.h>


static uint8_t victim[4096] __attribute__((aligned(4096)));
static uint8_t spare[4096] __attribute__((aligned(4096)));

/* The virtual address of the L1 entry that maps va (tables lie in the initial mapping). */
static volatile uint64_t *l1_entry_of(start_info_t *si, unsigned long va)
{
	uint64_t *table = (uint64_t *)si->pt_base;

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t e = table[(va >> shift) & 511];
		table = pv_pfn_to_virt(pv_mfn_to_pfn((e & PTE_MFN_MASK) >> 12));
	}
	return &table[(va >> 12) & 511];
}

static void store8(volatile uint64_t *p, uint64_t v, const char *name, bool want_fault)
{
	unsigned long at = PROBE("movq %%rcx, (%%rax)", p, v, 0);
	if (want_fault)
		expect_fault(name, at, PV_TRAP_PF, ~0UL);
	else
		expect_no_fault(name);
}

void kernel_main(start_info_t *si)
{
	pv_printf("ptwr: writable page tables assist\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	probe_catch(PV_TRAP_PF);

	volatile uint64_t *e = l1_entry_of(si, (unsigned long)victim);
	uint64_t orig = *e;
	uint64_t l1_mfn = pv_pfn_to_mfn(pv_virt_to_pfn((const void *)e));
	test_check((orig & (PTE_P | PTE_RW)) == (PTE_P | PTE_RW), "victim_mapped_rw", "entry %#lx", orig);

	/* Without the assist, a store into a page table is an ordinary #PF. */
	store8(e, orig & ~PTE_RW, "store_without_assist_faults", true);
	test_expect_eq("entry_unchanged_without_assist", *e, orig);

	test_expect_rc("enable_assist",
		       HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);

	store8(e, orig & ~PTE_RW, "mov_store_emulated", false);
	test_expect_eq("entry_now_read_only", *e & (PTE_P | PTE_RW), PTE_P);
	(void)*(volatile uint8_t *)victim;  /* reads are fine; a write must fault */
	unsigned long at = PROBE("movb $7, (%%rax)", victim + 8, 0, 0);
	expect_fault("write_through_read_only_entry_faults", at, PV_TRAP_PF, ~0UL);
	store8(e, orig, "mov_store_restores_rw", false);
	at = PROBE("movb $7, (%%rax)", victim + 8, 0, 0);
	expect_no_fault("write_after_restore");
	test_expect_eq("victim_written", victim[8], 7);

	/* xchg returns the old entry (the CPU may have set Dirty meanwhile). */
	orig = *e;
	unsigned long old = orig & ~PTE_RW, ptr = (unsigned long)e;
	asm volatile("xchg %0, (%1)" : "+r"(old) : "r"(ptr) : "memory");
	test_expect_eq("xchg_returns_old", old, orig);
	test_expect_eq("xchg_stored", *e & PTE_RW, 0);

	/* lock cmpxchg: a stale expected value changes nothing. */
	unsigned long expect = 0x1234, repl = orig;
	asm volatile("lock cmpxchg %2, (%3)" : "+a"(expect), "=m"(*(uint64_t *)ptr)
		     : "r"(repl), "r"(ptr) : "memory", "cc");
	test_expect_eq("cmpxchg_stale_reports_current", expect, orig & ~PTE_RW);
	expect = orig & ~PTE_RW;
	asm volatile("lock cmpxchg %2, (%3)" : "+a"(expect), "=m"(*(uint64_t *)ptr)
		     : "r"(repl), "r"(ptr) : "memory", "cc");
	test_expect_eq("cmpxchg_stored", *e, orig);

	/* A 4-byte store of the low half. */
	at = PROBE("movl %%ecx, (%%rax)", e, (uint32_t)(orig & ~PTE_RW), 0);
	expect_no_fault("movl_low_half_emulated");
	test_expect_eq("movl_low_half_result", *e, orig & ~PTE_RW);
	store8(e, orig, "restore_again", false);

	/* Refused stores come back as #PF and leave the entry alone. */
	store8(e, (l1_mfn << 12) | PTE_P | PTE_RW, "attack_rw_map_of_own_l1", true);
	store8(e, (1UL << 12) | PTE_P | PTE_RW, "attack_map_hypervisor_frame", true);
	store8(e, (0xfffffffUL << 12) | PTE_P, "attack_map_beyond_ram", true);
	store8(e, orig | PTE_PCD, "attack_reserved_bit", true);
	test_expect_eq("entry_intact_after_attacks", *e, orig);

	/* A legitimate remap to another frame of ours works. */
	uint64_t spare_mfn = pv_pfn_to_mfn(pv_virt_to_pfn(spare));
	spare[0] = 0x5a;
	store8(e, (spare_mfn << 12) | PTE_P | PTE_RW, "remap_to_own_frame", false);
	/* As on Xen, an emulated store flushes nothing: the kernel drops the
	 * old translation itself. */
	struct mmuext_op inv = { .cmd = MMUEXT_INVLPG_LOCAL,
				 .arg1.linear_addr = (unsigned long)victim };
	test_expect_rc("invlpg_after_remap",
		       HYPERVISOR_mmuext_op(&inv, 1, NULL, DOMID_SELF), 0);
	test_expect_eq("remap_sees_other_frame", victim[0], 0x5a);
	store8(e, orig, "remap_back", false);
	test_finish();
}
