/*
 * Physical memory of the guest kernel: a frame allocator over the pfns the
 * boot structures leave free, and the kernel's linear map of them.
 *
 * The domain builder maps pfns [0, map_end) at PV_VIRT_BASE + pfn * 4 KiB
 * (map_end is the initial mapping's end). mm_init() extends that linear map
 * to every pfn up to start_info.nr_pages (at most the 1 GiB one L2 table
 * covers) by adding L1 tables to the kernel's own L2 with mmu_update, so
 * pv_pfn_to_virt() works for every frame the allocator hands out.
 *
 * Every frame is mapped writable there, except page-table frames: the
 * hypervisor refuses a page table with any writable mapping, so
 * pt_frame_alloc() downgrades a frame's kernel mapping to read-only
 * before it becomes a table, and pt_frame_free() restores it once the
 * frame has lost its page-table type.
 */
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/traps.h>
#include "kernel.h"

/* The one L2 table of the image maps 1 GiB: the most the linear map covers. */
#define KMAP_MAX_PFNS   (1UL << 18)
#define PFNS_PER_L1     512
/* mmu_update requests sent in one hypercall while filling an L1. */
#define MMU_BATCH       PFNS_PER_L1

/* Bit set: the frame is free. */
static uint64_t free_map[KMAP_MAX_PFNS / 64];
static unsigned long pool_start, pool_end, alloc_cursor, nr_free;

extern char __pv_image_end[];

/* One validated page-table write (see kernel.h). */
long mmu_set_entry(unsigned long table_mfn, unsigned int idx, uint64_t val)
{
	mmu_update_t req = {
		.ptr = (table_mfn << PV_PAGE_SHIFT) + idx * sizeof(uint64_t),
		.val = val,
	};

	return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

/* One mmuext_op on a frame (see kernel.h). */
long mmuext(unsigned int cmd, unsigned long mfn)
{
	mmuext_op_t op = { .cmd = cmd, .arg1.mfn = mfn };

	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* The frame number an entry points at. */
unsigned long pte_mfn(uint64_t pte)
{
	return (pte & PTE_MFN_MASK) >> PV_PAGE_SHIFT;
}

/* The page-table page an entry points at, through the linear map. */
uint64_t *pte_to_virt(uint64_t pte)
{
	return pv_pfn_to_virt(pv_mfn_to_pfn(pte_mfn(pte)));
}

/* First pfn after an object of len bytes at va in the initial mapping. */
static unsigned long pfn_after(unsigned long va, unsigned long len)
{
	return pv_virt_to_pfn((const void *)(va + len - 1)) + 1;
}

/* The larger of a and b. */
static unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

/*
 * First pfn no boot structure uses: after the image, the p2m list,
 * start_info, the boot page tables, the boot stack and the module.
 */
static unsigned long first_unused_pfn(const start_info_t *si)
{
	unsigned long pfn = pv_virt_to_pfn(__pv_image_end);

	pfn = max_ul(pfn, pfn_after(si->mfn_list, si->nr_pages * sizeof(long)));
	pfn = max_ul(pfn, pfn_after((unsigned long)si, PV_PAGE_SIZE));
	pfn = max_ul(pfn, pfn_after(si->pt_base, si->nr_pt_frames * PV_PAGE_SIZE));
	pfn = max_ul(pfn, pfn_after(pv_boot_regs.rsp - 1, 1));
	if (si->mod_start && si->mod_len && !(si->flags & SIF_MOD_START_PFN))
		pfn = max_ul(pfn, pfn_after(si->mod_start, si->mod_len));
	return pfn;
}

/* First pfn at or after pfn that the initial mapping does not map. */
static unsigned long initial_map_end(unsigned long pfn, unsigned long limit)
{
	while (pfn < limit &&
	       pv_pt_lookup((unsigned long)pv_pfn_to_virt(pfn)) & PTE_P)
		pfn++;
	return pfn;
}

/* The machine frame of the kernel's L2 table for the image's 1 GiB. */
static unsigned long kernel_l2_mfn(const start_info_t *si)
{
	const uint64_t *l4 = (const uint64_t *)si->pt_base;
	const uint64_t *l3 = pte_to_virt(l4[pt_index(PV_VIRT_BASE, 4)]);

	return pte_mfn(l3[pt_index(PV_VIRT_BASE, 3)]);
}

/*
 * Give every 2 MiB chunk of [start, end) an L1 table: empty frames taken
 * from start upward, cleared by the hypervisor (they are not mapped yet)
 * and validated by the L2 update. Returns the number of frames used.
 */
static unsigned long add_l1_tables(unsigned long l2_mfn, unsigned long start,
				   unsigned long end)
{
	const uint64_t *l2 = pv_pfn_to_virt(pv_mfn_to_pfn(l2_mfn));
	unsigned long used = 0;
	long rc;

	for (unsigned long c = start / PFNS_PER_L1; c <= (end - 1) / PFNS_PER_L1; c++) {
		if (l2[c] & PTE_P)
			continue;
		unsigned long mfn = pv_pfn_to_mfn(start + used);
		if ((rc = mmuext(MMUEXT_CLEAR_PAGE, mfn)))
			pv_crash("mm: clearing a new L1 failed: %ld\n", rc);
		if ((rc = mmu_set_entry(l2_mfn, c, (mfn << PV_PAGE_SHIFT) | PTE_TABLE)))
			pv_crash("mm: adding L1 to the kernel L2 failed: %ld\n", rc);
		used++;
	}
	return used;
}

/* Map pfns [start, end), one L1 at most; [tables, tables_end) read-only. */
static void map_chunk(unsigned long l2_mfn, unsigned long start, unsigned long end,
		      unsigned long tables, unsigned long tables_end)
{
	static mmu_update_t req[MMU_BATCH];
	const uint64_t *l2 = pv_pfn_to_virt(pv_mfn_to_pfn(l2_mfn));
	unsigned long l1_mfn = pte_mfn(l2[start / PFNS_PER_L1]);
	unsigned int n = 0;
	long rc;

	for (unsigned long pfn = start; pfn < end; pfn++) {
		bool table = pfn >= tables && pfn < tables_end;
		req[n].ptr = (l1_mfn << PV_PAGE_SHIFT) +
			     (pfn % PFNS_PER_L1) * sizeof(uint64_t);
		req[n].val = (pv_pfn_to_mfn(pfn) << PV_PAGE_SHIFT) |
			     (table ? PTE_KERNEL_RO : PTE_KERNEL_RW);
		n++;
	}
	if ((rc = HYPERVISOR_mmu_update(req, n, NULL, DOMID_SELF)))
		pv_crash("mm: extending the linear map failed: %ld\n", rc);
}

/* Map [start, end) into the linear map; returns the L1 frames it took. */
static unsigned long extend_linear_map(const start_info_t *si, unsigned long start,
				       unsigned long end)
{
	unsigned long l2_mfn = kernel_l2_mfn(si);
	unsigned long tables = add_l1_tables(l2_mfn, start, end);

	for (unsigned long pfn = start; pfn < end;) {
		unsigned long chunk_end = (pfn / PFNS_PER_L1 + 1) * PFNS_PER_L1;
		if (chunk_end > end)
			chunk_end = end;
		map_chunk(l2_mfn, pfn, chunk_end, start, start + tables);
		pfn = chunk_end;
	}
	return tables;
}

/* Find the free pfns, map them all, and mark them free in the bitmap. */
void mm_init(const start_info_t *si)
{
	unsigned long limit = si->nr_pages < KMAP_MAX_PFNS ? si->nr_pages : KMAP_MAX_PFNS;
	unsigned long first = first_unused_pfn(si);
	unsigned long map_end = initial_map_end(first, limit);
	unsigned long tables = 0;

	if (map_end < limit)
		tables = extend_linear_map(si, map_end, limit);
	pool_start = alloc_cursor = first;
	pool_end = limit;
	for (unsigned long pfn = first; pfn < limit; pfn++) {
		if (pfn >= map_end && pfn < map_end + tables)
			continue;
		free_map[pfn / 64] |= 1UL << (pfn % 64);
		nr_free++;
	}
	pv_printf("mm: %lu free frames (pfns %lx-%lx), linear map extended from "
		  "pfn %lx with %lu L1 tables\n", nr_free, first, limit - 1,
		  map_end, tables);
}

/* Frames the allocator can still hand out. */
unsigned long frames_free(void)
{
	return nr_free;
}

/* Next free pfn from the cursor on, wrapping once; 0 when none. */
static unsigned long find_free(void)
{
	for (unsigned long i = 0; i < pool_end - pool_start; i++) {
		unsigned long pfn = alloc_cursor + i;
		if (pfn >= pool_end)
			pfn -= pool_end - pool_start;
		if (free_map[pfn / 64] & (1UL << (pfn % 64)))
			return pfn;
	}
	return 0;
}

/* Take a free frame and zero it through its writable linear mapping. */
unsigned long frame_alloc(void)
{
	unsigned long pfn = find_free();

	if (!pfn)
		return 0;
	free_map[pfn / 64] &= ~(1UL << (pfn % 64));
	nr_free--;
	alloc_cursor = pfn + 1 < pool_end ? pfn + 1 : pool_start;
	memset(pv_pfn_to_virt(pfn), 0, PV_PAGE_SIZE);
	return pfn;
}

/* Return a frame to the pool; freeing a free frame is a kernel bug. */
void frame_free(unsigned long pfn)
{
	if (pfn < pool_start || pfn >= pool_end ||
	    (free_map[pfn / 64] & (1UL << (pfn % 64))))
		pv_crash("mm: freeing pfn %lx, which is not allocated\n", pfn);
	free_map[pfn / 64] |= 1UL << (pfn % 64);
	nr_free++;
}

/* Point the linear-map entry of pfn at its frame with the given flags. */
static long remap_linear(unsigned long pfn, uint64_t flags)
{
	uint64_t pte = (pv_pfn_to_mfn(pfn) << PV_PAGE_SHIFT) | flags;

	return HYPERVISOR_update_va_mapping((unsigned long)pv_pfn_to_virt(pfn),
					    pte, UVMF_INVLPG);
}

/* A zeroed frame, then read-only in the linear map: ready to be a table. */
unsigned long pt_frame_alloc(void)
{
	unsigned long pfn = frame_alloc();
	long rc;

	if (pfn && (rc = remap_linear(pfn, PTE_KERNEL_RO)))
		pv_crash("mm: making pfn %lx read-only failed: %ld\n", pfn, rc);
	return pfn;
}

/* Writable again in the linear map (refused while still a table), then free. */
void pt_frame_free(unsigned long pfn)
{
	long rc = remap_linear(pfn, PTE_KERNEL_RW);

	if (rc)
		pv_crash("mm: pfn %lx is still a page table (%ld)\n", pfn, rc);
	frame_free(pfn);
}
