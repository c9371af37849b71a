/*
 * Machine frame allocator: a bitmap with one bit per frame (1 = free).
 * Scans skip whole 64-frame words at a time; see frame_alloc.h.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/frame_alloc.h"

#define BITS_PER_WORD 64u

/* Bits [lo, hi) of a word set, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned lo, unsigned hi)
{
	uint64_t upper = (hi == BITS_PER_WORD) ? ~0ull : ((1ull << hi) - 1);
	return upper & ~((1ull << lo) - 1);
}

/* Number of set bits; written out so freestanding code needs no libgcc. */
static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Clip [first, first+count) to [0, nr_frames); false if nothing is left. */
static bool clip_range(const struct frame_allocator *fa, mfn_t *first,
		       mfn_t *count)
{
	if (*first >= fa->nr_frames || *count == 0)
		return false;
	if (*count > fa->nr_frames - *first)
		*count = fa->nr_frames - *first;
	return true;
}

/*
 * Set (free = true) or clear the bits of [first, first+count), which must
 * lie inside the bitmap. Returns how many bits actually changed.
 */
static mfn_t change_range(struct frame_allocator *fa, mfn_t first,
			  mfn_t count, bool free)
{
	mfn_t changed = 0, pos = first, end = first + count;

	while (pos < end) {
		mfn_t word = pos / BITS_PER_WORD;
		unsigned lo = pos % BITS_PER_WORD;
		mfn_t room = BITS_PER_WORD - lo;
		unsigned hi = (end - pos < room) ? lo + (unsigned)(end - pos)
						 : BITS_PER_WORD;
		uint64_t mask = word_mask(lo, hi);
		uint64_t old = fa->bitmap[word];

		if (free) {
			changed += popcount64(~old & mask);
			fa->bitmap[word] = old | mask;
		} else {
			changed += popcount64(old & mask);
			fa->bitmap[word] = old & ~mask;
		}
		pos += hi - lo;
	}
	return changed;
}

/*
 * First frame in [pos, limit) whose bit equals want_free, or limit if none.
 * Words that cannot contain such a frame are skipped whole.
 */
static mfn_t find_next(const struct frame_allocator *fa, mfn_t pos,
		       mfn_t limit, bool want_free)
{
	while (pos < limit) {
		mfn_t word = pos / BITS_PER_WORD;
		unsigned lo = pos % BITS_PER_WORD;
		uint64_t bits = fa->bitmap[word];

		if (!want_free)
			bits = ~bits;
		bits &= word_mask(lo, BITS_PER_WORD);
		if (bits) {
			mfn_t hit = word * BITS_PER_WORD +
				    (mfn_t)__builtin_ctzll(bits);
			return hit < limit ? hit : limit;
		}
		pos = (word + 1) * BITS_PER_WORD;
	}
	return limit;
}

/* Round pos up to a multiple of align (a power of two); false on overflow. */
static bool align_up(mfn_t pos, mfn_t align, mfn_t *out)
{
	mfn_t rounded = (pos + align - 1) & ~(align - 1);

	if (rounded < pos)
		return false;
	*out = rounded;
	return true;
}

/*
 * Find a free, aligned run of count frames starting in [from, limit).
 * Candidate starts only grow, so the search ends once a run cannot fit
 * below nr_frames.
 */
static bool find_run(const struct frame_allocator *fa, mfn_t from,
		     mfn_t limit, mfn_t count, mfn_t align, mfn_t *out)
{
	mfn_t pos = from;

	while (pos < limit) {
		mfn_t used;

		pos = find_next(fa, pos, limit, true);
		if (pos >= limit || !align_up(pos, align, &pos) || pos >= limit)
			return false;
		if (count > fa->nr_frames - pos)
			return false;
		used = find_next(fa, pos, pos + count, false);
		if (used == pos + count) {
			*out = pos;
			return true;
		}
		pos = used + 1;
	}
	return false;
}

size_t frame_alloc_bitmap_bytes(mfn_t nr_frames)
{
	return (size_t)((nr_frames + BITS_PER_WORD - 1) / BITS_PER_WORD) *
	       sizeof(uint64_t);
}

void frame_alloc_init(struct frame_allocator *fa, uint64_t *bitmap,
		      mfn_t nr_frames)
{
	fa->bitmap = bitmap;
	fa->nr_frames = nr_frames;
	fa->nr_free = 0;
	fa->next_hint = 0;
	memset(bitmap, 0, frame_alloc_bitmap_bytes(nr_frames));
}

void frame_alloc_release_range(struct frame_allocator *fa, mfn_t first,
			       mfn_t count)
{
	if (clip_range(fa, &first, &count))
		fa->nr_free += change_range(fa, first, count, true);
}

void frame_alloc_reserve_range(struct frame_allocator *fa, mfn_t first,
			       mfn_t count)
{
	if (clip_range(fa, &first, &count))
		fa->nr_free -= change_range(fa, first, count, false);
}

bool frame_alloc_get(struct frame_allocator *fa, mfn_t count, mfn_t align,
		     mfn_t *first)
{
	mfn_t hint = fa->next_hint < fa->nr_frames ? fa->next_hint : 0;
	mfn_t found;

	if (align == 0)
		align = 1;
	if (count == 0 || (align & (align - 1)) != 0 || count > fa->nr_free)
		return false;
	if (!find_run(fa, hint, fa->nr_frames, count, align, &found) &&
	    !find_run(fa, 0, hint, count, align, &found))
		return false;

	fa->nr_free -= change_range(fa, found, count, false);
	fa->next_hint = found + count;
	if (fa->next_hint >= fa->nr_frames)
		fa->next_hint = 0;
	*first = found;
	return true;
}

bool frame_alloc_put(struct frame_allocator *fa, mfn_t first, mfn_t count)
{
	if (count == 0 || first >= fa->nr_frames ||
	    count > fa->nr_frames - first)
		return false;
	if (find_next(fa, first, first + count, true) != first + count)
		return false;       /* part of the range is already free */
	fa->nr_free += change_range(fa, first, count, true);
	return true;
}

mfn_t frame_alloc_free_count(const struct frame_allocator *fa)
{
	return fa->nr_free;
}

bool frame_alloc_is_free(const struct frame_allocator *fa, mfn_t mfn)
{
	if (mfn >= fa->nr_frames)
		return false;
	return (fa->bitmap[mfn / BITS_PER_WORD] >> (mfn % BITS_PER_WORD)) & 1;
}
