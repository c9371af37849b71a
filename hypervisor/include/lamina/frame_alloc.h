/*
 * Machine frame allocator: one bit per machine frame, 1 = free.
 *
 * The caller supplies the bitmap storage (frame_alloc_bitmap_bytes() bytes),
 * so the allocator can run before any other memory management exists. Every
 * frame starts reserved; boot code releases the usable RAM ranges from the
 * memory map and then reserves what is already taken (hypervisor image,
 * modules, ...). Allocation is next-fit: it searches from where the previous
 * allocation ended and wraps around once.
 *
 * Pure logic: no globals, no hardware access; tested on the host.
 */
#ifndef LAMINA_FRAME_ALLOC_H
#define LAMINA_FRAME_ALLOC_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint64_t mfn_t;

struct frame_allocator {
	uint64_t *bitmap;   /* bit (mfn % 64) of word (mfn / 64): 1 = free */
	mfn_t nr_frames;    /* frames covered; bits past this stay 0 (used) */
	mfn_t nr_free;      /* number of 1 bits below nr_frames */
	mfn_t next_hint;    /* next-fit: where the next search starts */
};

/* Bytes of bitmap storage needed to track nr_frames frames. */
size_t frame_alloc_bitmap_bytes(mfn_t nr_frames);

/* Set up over bitmap (frame_alloc_bitmap_bytes(nr_frames) bytes); every
 * frame starts reserved. */
void frame_alloc_init(struct frame_allocator *fa, uint64_t *bitmap,
		      mfn_t nr_frames);

/* Mark [first, first+count) free (usable RAM). Clipped to nr_frames. */
void frame_alloc_release_range(struct frame_allocator *fa, mfn_t first,
			       mfn_t count);

/* Mark [first, first+count) used (image, modules, ...). Clipped to nr_frames. */
void frame_alloc_reserve_range(struct frame_allocator *fa, mfn_t first,
			       mfn_t count);

/*
 * Allocate count contiguous frames whose first mfn is a multiple of align
 * (a power of two, in frames; 0 or 1 = no alignment). Next-fit from the
 * hint, wrapping once. Returns false, changing nothing, if no such run
 * exists or the arguments are invalid (count 0, align not a power of two).
 */
bool frame_alloc_get(struct frame_allocator *fa, mfn_t count, mfn_t align,
		     mfn_t *first);

/*
 * Free [first, first+count). Returns false, changing nothing, if count is 0,
 * the range leaves [0, nr_frames), or any frame in it is already free
 * (double free).
 */
bool frame_alloc_put(struct frame_allocator *fa, mfn_t first, mfn_t count);

/* Number of free frames. */
mfn_t frame_alloc_free_count(const struct frame_allocator *fa);

/* True if mfn is below nr_frames and free. */
bool frame_alloc_is_free(const struct frame_allocator *fa, mfn_t mfn);

#endif
