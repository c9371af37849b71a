/*
 * Machine memory: the frame allocator over all usable RAM, the frame table
 * (owner, type and counts of every machine frame), the machine-to-phys
 * table, and the hypervisor's own page tables.
 */
#ifndef LAMINA_MM_H
#define LAMINA_MM_H

#include <stdint.h>
#include <stdbool.h>
#include <lamina/frame_alloc.h>
#include <lamina/frame_table.h>

#define INVALID_MFN  (~0UL)
#define INVALID_M2P  (~0UL)     /* M2P entry of a frame no guest owns */

extern struct frame_allocator frame_allocator;
extern struct frame_info *frame_table;  /* indexed by mfn, max_mfn entries */
extern uint64_t max_mfn;                /* frames [0, max_mfn) exist */
extern uint64_t *m2p_table;             /* writable view of the M2P */
extern uint64_t m2p_first_mfn;          /* first of the M2P's contiguous frames */

/* Set up allocator, frame table, M2P and the final page tables. */
void memory_init(void);

/*
 * Allocate count contiguous zeroed frames owned by owner (a domid or
 * DOMID_XEN), with no references yet: a domain's allocation takes its own
 * general reference (frame_get_ref). INVALID_MFN if none.
 */
uint64_t alloc_frames(uint64_t count, uint16_t owner);
/* Give frames back; their M2P entries are invalidated. */
void free_frames(uint64_t mfn, uint64_t count);
/* Hypervisor-private zeroed memory, in whole pages, via the direct map. */
void *alloc_xenheap(uint64_t bytes);

/* The frame rule's references: arch_get/put_writable_frame_ref, lamina/arch.h. */
#include <lamina/arch.h>

static inline struct frame_info *mfn_to_frame(uint64_t mfn)
{
	return mfn < max_mfn ? &frame_table[mfn] : 0;
}

/* Page tables (arch/x86/paging.c). */
#include <asm/pte.h>

extern uint64_t *idle_l4;       /* the hypervisor's own top-level table */
/* Build the final hypervisor page tables and switch to them. */
void paging_init(uint64_t directmap_end, uint64_t m2p_mfn, uint64_t m2p_frames);
/* Map device memory (uncached) into the hypervisor's half; returns its VA. */
void *paging_map_mmio(uint64_t paddr, uint64_t size);
/* The L1 entry mapping a 4 KiB page of the hypervisor image. */
uint64_t *hv_l1e_of(const void *va);
/* The entries of L4 slots 256..271 every guest L4 must carry. */
void hypervisor_l4_slots(uint64_t out[16]);

#endif
