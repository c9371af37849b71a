/*
 * The hypervisor's own page tables.
 *
 * Slots 256-271 of idle_l4 are the hypervisor's half; every guest L4 gets a
 * copy of these 16 entries, so the hypervisor is mapped identically in every
 * address space and a guest CR3 can stay loaded while we run:
 *   slot 256  the M2P, read-only and user-visible (guests read it directly)
 *   slot 261  the image, 4 KiB pages: text RX, rodata R, data/bss RW+NX
 *   262-271   direct map of RAM, 2 MiB pages, RW+NX, supervisor only
 * Everything but the M2P is global and supervisor-only, and SMEP stops the
 * hypervisor from ever executing guest memory.
 */
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/lib.h>
#include <lamina/boot_info.h>
#include <lamina/mm.h>
#include <asm/cpu.h>
#include <asm/xstate.h>
#include <asm/traps.h>

uint64_t *idle_l4;

extern char _start_image[], _etext[], _erodata[], _end[];

static uint64_t *alloc_table(void)
{
	uint64_t mfn = alloc_frames(1, DOMID_XEN);

	if (mfn == INVALID_MFN)
		panic("out of memory building the hypervisor page tables");
	return mfn_to_virt(mfn);
}

/* The table one level down from entry e, created with flags if absent. */
static uint64_t *next_table(uint64_t *e, uint64_t flags)
{
	if (!(*e & PTE_PRESENT))
		*e = virt_to_maddr(alloc_table()) | flags;
	return maddr_to_virt(*e & PTE_MFN_MASK);
}

/* Map one page (level 1) or one 2 MiB page (level 2) at va. */
static void map_page(uint64_t va, uint64_t pa, uint64_t flags, int level,
		     uint64_t upper_flags)
{
	uint64_t *l3 = next_table(&idle_l4[(va >> 39) & 511], upper_flags);
	uint64_t *l2 = next_table(&l3[(va >> 30) & 511], upper_flags);

	if (level == 2) {
		l2[(va >> 21) & 511] = pa | flags | PTE_PSE;
		return;
	}
	uint64_t *l1 = next_table(&l2[(va >> 21) & 511], upper_flags);
	l1[(va >> 12) & 511] = pa | flags;
}

static bool region_overlaps_ram(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < boot_info.nr_regions; i++) {
		const struct memory_region *r = &boot_info.regions[i];
		if (r->type == 1 && r->start < end && r->end > start)
			return true;
	}
	return false;
}

static void enable_cpu_features(void)
{
	uint32_t a, b, c, d;
	uint64_t cr4 = read_cr4() | X86_CR4_PGE | X86_CR4_OSFXSR |
		       X86_CR4_OSXMMEXCPT;

	cpuid_count(7, 0, &a, &b, &c, &d);
	if (b & (1u << 7))
		cr4 |= X86_CR4_SMEP;
	/* SMAP stays off: QEMU TCG faults a guest's native iretq at CPL3 with it. */
	write_cr4(cr4);
	write_cr0(read_cr0() | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP);
	xstate_init();
}

void paging_init(uint64_t directmap_end, uint64_t m2p_mfn, uint64_t m2p_frames)
{
	const uint64_t hv_upper = PTE_PRESENT | PTE_WRITE | PTE_ACCESSED;

	idle_l4 = alloc_table();

	for (uint64_t va = (uint64_t)_start_image; va < (uint64_t)_end;
	     va += PAGE_SIZE) {
		uint64_t flags = PTE_PRESENT | PTE_ACCESSED | PTE_GLOBAL;
		if (va >= (uint64_t)_erodata)
			flags |= PTE_WRITE | PTE_DIRTY | PTE_NX_BIT;
		else if (va >= (uint64_t)_etext)
			flags |= PTE_NX_BIT;
		map_page(va, virt_to_maddr((void *)va), flags, 1, hv_upper);
	}

	for (uint64_t pa = 0; pa < directmap_end; pa += 2UL << 20)
		if (region_overlaps_ram(pa, pa + (2UL << 20)))
			map_page(DIRECTMAP_VIRT_START + pa, pa,
				 PTE_PRESENT | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY | PTE_GLOBAL | PTE_NX_BIT,
				 2, hv_upper);

	/* Guests walk to the M2P with user rights, so its path carries US. */
	for (uint64_t i = 0; i < m2p_frames; i++)
		map_page(M2P_RO_VIRT_START + (i << PAGE_SHIFT),
			 (m2p_mfn + i) << PAGE_SHIFT,
			 PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_NX_BIT, 1,
			 PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_ACCESSED);

	enable_cpu_features();
	write_cr3(virt_to_maddr(idle_l4));
}

/* Device memory is mapped uncached, from IOREMAP_VIRT_START upwards. */
#define IOREMAP_VIRT_START 0xFFFF82C000000000UL
static uint64_t ioremap_next = IOREMAP_VIRT_START;

void *paging_map_mmio(uint64_t paddr, uint64_t size)
{
	uint64_t va = ioremap_next + (paddr & (PAGE_SIZE - 1));

	for (uint64_t off = 0; off < size + (paddr & (PAGE_SIZE - 1)); off += PAGE_SIZE) {
		map_page(ioremap_next, (paddr & PAGE_MASK) + off,
			 PTE_PRESENT | PTE_WRITE | PTE_ACCESSED | PTE_DIRTY | PTE_NX_BIT | PTE_PWT | PTE_PCD, 1,
			 PTE_PRESENT | PTE_WRITE | PTE_ACCESSED);
		ioremap_next += PAGE_SIZE;
	}
	return (void *)va;
}

uint64_t *hv_l1e_of(const void *va)
{
	uint64_t v = (uint64_t)va;
	uint64_t *t = idle_l4;

	for (int shift = 39; shift > 12; shift -= 9)
		t = maddr_to_virt(t[(v >> shift) & 511] & PTE_MFN_MASK);
	return &t[(v >> 12) & 511];
}

void hypervisor_l4_slots(uint64_t out[16])
{
	for (int i = 0; i < HV_NR_L4_SLOTS; i++)
		out[i] = idle_l4[HV_FIRST_L4_SLOT + i];
}
