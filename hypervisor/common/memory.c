/*
 * Machine memory set-up and the frame allocator's hypervisor-side wrappers.
 *
 * Boot order: the allocator's bitmap is placed in free RAM below 4 GiB (the
 * only RAM the boot page tables reach), the frame table and M2P are carved
 * from the allocator, paging_init() maps all RAM, and only then is RAM above
 * 4 GiB handed to the allocator.
 */
#include <lamina/boot_info.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <asm/traps.h>

struct frame_allocator frame_allocator;
struct frame_info *frame_table;
uint64_t max_mfn;
uint64_t *m2p_table;
uint64_t m2p_first_mfn;

extern char _start_image[], _end[];

#define BOOT_MAPPED_END  (4UL << 30)    /* the boot page tables' direct map */
#define PFN_UP(x)        (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)      ((x) >> PAGE_SHIFT)

/* Is [start, end) clear of the image and every module? */
static bool range_is_unclaimed(uint64_t start, uint64_t end)
{
	uint64_t img_start = virt_to_maddr(_start_image);
	uint64_t img_end = virt_to_maddr(_end);

	if (start < img_end && end > img_start)
		return false;
	for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		if (start < m->end && end > m->start)
			return false;
	}
	return true;
}

/* Find page-aligned free RAM below 4 GiB for boot-time structures. */
static uint64_t find_boot_ram(uint64_t bytes)
{
	bytes = PFN_UP(bytes) << PAGE_SHIFT;
	for (unsigned int i = 0; i < boot_info.nr_regions; i++) {
		const struct memory_region *r = &boot_info.regions[i];
		if (r->type != 1)
			continue;
		uint64_t start = PFN_UP(r->start < 0x100000 ? 0x100000 : r->start)
				 << PAGE_SHIFT;
		for (; start + bytes <= r->end && start + bytes <= BOOT_MAPPED_END;
		     start += PAGE_SIZE)
			if (range_is_unclaimed(start, start + bytes))
				return start;
	}
	panic("no free RAM below 4 GiB for %lu bytes of boot structures", bytes);
}

/* Release usable RAM to the allocator, clipped to [lo, hi). */
static void release_ram(uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < boot_info.nr_regions; i++) {
		const struct memory_region *r = &boot_info.regions[i];
		if (r->type != 1)
			continue;
		uint64_t s = PFN_UP(r->start > lo ? r->start : lo);
		uint64_t e = PFN_DOWN(r->end < hi ? r->end : hi);
		if (e > s)
			frame_alloc_release_range(&frame_allocator, s, e - s);
	}
}

static void reserve_phys(uint64_t start, uint64_t end)
{
	uint64_t s = PFN_DOWN(start), e = PFN_UP(end);
	if (e > s)
		frame_alloc_reserve_range(&frame_allocator, s, e - s);
}

void memory_init(void)
{
	uint64_t ram_end = 0, ram_bytes = 0;

	for (unsigned int i = 0; i < boot_info.nr_regions; i++) {
		const struct memory_region *r = &boot_info.regions[i];
		if (r->type != 1)
			continue;
		ram_bytes += r->end - r->start;
		if (r->end > ram_end)
			ram_end = r->end;
	}
	max_mfn = PFN_DOWN(ram_end);
	printk("memory: %lu MiB usable, highest frame %#lx\n", ram_bytes >> 20,
	       max_mfn - 1);

	size_t bitmap_bytes = frame_alloc_bitmap_bytes(max_mfn);
	uint64_t bitmap_pa = find_boot_ram(bitmap_bytes);
	frame_alloc_init(&frame_allocator, maddr_to_virt(bitmap_pa), max_mfn);
	release_ram(0, BOOT_MAPPED_END);
	/* Real-mode area, the image, the modules and the bitmap stay ours. */
	reserve_phys(0, 0x100000);
	reserve_phys(virt_to_maddr(_start_image), virt_to_maddr(_end));
	for (unsigned int i = 0; i < boot_info.nr_modules; i++)
		reserve_phys(boot_info.modules[i].start, boot_info.modules[i].end);
	reserve_phys(bitmap_pa, bitmap_pa + bitmap_bytes);

	/* Frame table: every frame starts free or owned by the hypervisor. */
	uint64_t ft_frames = PFN_UP(max_mfn * sizeof(struct frame_info));
	mfn_t ft_mfn;
	if (!frame_alloc_get(&frame_allocator, ft_frames, 1, &ft_mfn))
		panic("no memory for the frame table (%lu frames)", ft_frames);
	frame_table = mfn_to_virt(ft_mfn);
	for (uint64_t mfn = 0; mfn < max_mfn; mfn++) {
		frame_info_init_free(&frame_table[mfn]);
		if (!frame_alloc_is_free(&frame_allocator, mfn))
			frame_info_assign(&frame_table[mfn], DOMID_XEN);
	}
	tlb_clock_init(frame_table, max_mfn);

	/* M2P: one entry per machine frame, all invalid until a guest owns it. */
	uint64_t m2p_frames = PFN_UP(max_mfn * sizeof(uint64_t));
	mfn_t m2p_mfn;
	if (!frame_alloc_get(&frame_allocator, m2p_frames, 1, &m2p_mfn))
		panic("no memory for the M2P table (%lu frames)", m2p_frames);
	m2p_table = mfn_to_virt(m2p_mfn);
	m2p_first_mfn = m2p_mfn;
	memset(m2p_table, 0xff, m2p_frames << PAGE_SHIFT);
	for (uint64_t i = 0; i < m2p_frames; i++)
		frame_info_assign(&frame_table[m2p_mfn + i], DOMID_XEN);

	paging_init(ram_end, m2p_mfn, m2p_frames);
	release_ram(BOOT_MAPPED_END, ~0UL);
	printk("memory: %lu frames free after boot structures\n",
	       frame_alloc_free_count(&frame_allocator));
}

uint64_t alloc_frames(uint64_t count, uint16_t owner)
{
	mfn_t mfn;

	if (!count || !frame_alloc_get(&frame_allocator, count, 1, &mfn))
		return INVALID_MFN;
	for (uint64_t i = 0; i < count; i++) {
		struct frame_info *fi = &frame_table[mfn + i];
		frame_info_init_free(fi);
		frame_info_assign(fi, owner);
		memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
	}
	return mfn;
}

void free_frames(uint64_t mfn, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		/* No stale translation may reach the frame's next owner. */
		frame_tlb_flush_if_stale(&frame_table[mfn + i]);
		frame_info_init_free(&frame_table[mfn + i]);
		m2p_table[mfn + i] = INVALID_M2P;
	}
	if (!frame_alloc_put(&frame_allocator, mfn, count))
		panic("double free of frames %#lx+%lu", mfn, count);
}

void *alloc_xenheap(uint64_t bytes)
{
	uint64_t mfn = alloc_frames(PFN_UP(bytes), DOMID_XEN);

	return mfn == INVALID_MFN ? NULL : mfn_to_virt(mfn);
}
