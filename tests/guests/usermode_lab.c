/* A minimal guest user mode for test guests: see usermode_lab.h. */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/usermode.h>
#include "testlib.h"
#include "usermode_lab.h"
#include <libpv/pagetable.h>

#define PTE_TABLE  (PTE_P | PTE_RW | PTE_US | PTE_A)
#define PTE_USER_RO (PTE_P | PTE_US | PTE_A)
#define PTE_USER_RW (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

static unsigned long next_pfn;

/* A setup step that must work. */
static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("usermode_lab: \"%s\" failed: %ld\n", step, rc);
}

/* Write entry idx of frame mfn (a plain write while it has no type). */
static void set_entry(unsigned long mfn, unsigned int idx, unsigned long val)
{
	must(pt_set_entry(mfn, idx, val), "write an entry");
}

/* The first pfn past the initial mapping (which ends after the tables). */
static unsigned long first_spare_pfn(void)
{
	const start_info_t *si = pv_start_info;
	unsigned long va = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;

	while (pv_pt_lookup(va) & PTE_P)
		va += PV_PAGE_SIZE;
	return pv_virt_to_pfn((void *)va);
}

/* A spare, unmapped frame of the domain, cleared by the hypervisor. */
static unsigned long spare_frame(void)
{
	unsigned long mfn;

	if (!next_pfn)
		next_pfn = first_spare_pfn();
	if (next_pfn >= pv_start_info->nr_pages)
		pv_crash("usermode_lab: out of spare pages\n");
	mfn = pv_pfn_to_mfn(next_pfn++);
	must(mmuext1(MMUEXT_CLEAR_PAGE, mfn), "clear a spare frame");
	return mfn;
}

/* Index of va in its table of level (4 = L4 .. 1 = L1). */
static unsigned int idx_of(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

void user_space_init(const void *code_page)
{
	unsigned long l4 = spare_frame(), l3 = spare_frame();
	unsigned long l2 = spare_frame(), l1 = spare_frame();
	unsigned long stack = spare_frame();
	unsigned long code = pv_pfn_to_mfn(pv_virt_to_pfn(code_page));

	set_entry(l1, idx_of(USER_CODE_VA, 1), (code << PV_PAGE_SHIFT) | PTE_USER_RO);
	set_entry(l1, idx_of(USER_STACK_VA, 1), (stack << PV_PAGE_SHIFT) | PTE_USER_RW);
	set_entry(l2, idx_of(USER_CODE_VA, 2), (l1 << PV_PAGE_SHIFT) | PTE_TABLE);
	set_entry(l3, idx_of(USER_CODE_VA, 3), (l2 << PV_PAGE_SHIFT) | PTE_TABLE);
	set_entry(l4, idx_of(USER_CODE_VA, 4), (l3 << PV_PAGE_SHIFT) | PTE_TABLE);
	must(mmuext1(MMUEXT_PIN_L4_TABLE, l4), "pin the user L4");
	must(mmuext1(MMUEXT_NEW_USER_BASEPTR, l4), "install the user L4");
}

unsigned long user_va_of(const void *code_page, const void *at)
{
	return USER_CODE_VA + ((unsigned long)at - (unsigned long)code_page);
}

void enter_user(unsigned long rip)
{
	struct pv_trap_frame frame;

	memset(&frame, 0, sizeof(frame));
	frame.rip = rip;
	frame.cs = FLAT_USER_CS;
	frame.rflags = 0x2;
	frame.rsp = USER_STACK_TOP;
	frame.ss = FLAT_USER_SS;
	pv_trap_resume(&frame);
}
