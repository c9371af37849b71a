/*
 * Host unit tests for the machine frame allocator
 * (hypervisor/common/frame_alloc.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/frame_alloc.h"
#include "hv_unit.h"

/* An allocator with its own heap bitmap, sized exactly (so ASan sees any
 * access past the last word). */
struct fixture {
	struct frame_allocator fa;
	uint64_t *bitmap;
};

static void fixture_init(struct fixture *f, mfn_t nr)
{
	size_t bytes = frame_alloc_bitmap_bytes(nr);

	f->bitmap = malloc(bytes ? bytes : 1);
	memset(f->bitmap, 0xA5, bytes);          /* init must clear it */
	frame_alloc_init(&f->fa, f->bitmap, nr);
}

static void fixture_free(struct fixture *f)
{
	free(f->bitmap);
}

/* Count free frames by asking frame_alloc_is_free for each one. */
static mfn_t count_free_slowly(const struct frame_allocator *fa)
{
	mfn_t n = 0;

	for (mfn_t m = 0; m < fa->nr_frames; m++)
		n += frame_alloc_is_free(fa, m);
	return n;
}

static bool frame_alloc_bitmap_size(char *why)
{
	EXPECT(frame_alloc_bitmap_bytes(0) == 0, "0 frames");
	EXPECT(frame_alloc_bitmap_bytes(1) == 8, "1 frame");
	EXPECT(frame_alloc_bitmap_bytes(64) == 8, "64 frames");
	EXPECT(frame_alloc_bitmap_bytes(65) == 16, "65 frames");
	EXPECT(frame_alloc_bitmap_bytes(1ull << 20) == (1u << 17), "1M frames");
	return true;
}

static bool frame_alloc_starts_reserved(char *why)
{
	struct fixture f;
	mfn_t m;
	bool ok;

	fixture_init(&f, 1000);
	ok = frame_alloc_get(&f.fa, 1, 0, &m);
	EXPECT(frame_alloc_free_count(&f.fa) == 0, "free count %llu",
	       (unsigned long long)frame_alloc_free_count(&f.fa));
	EXPECT(!ok, "allocated mfn %llu from a fully reserved allocator",
	       (unsigned long long)m);
	EXPECT(count_free_slowly(&f.fa) == 0, "bits set after init");
	fixture_free(&f);
	return true;
}

static bool frame_alloc_release_reserve_counts(char *why)
{
	struct fixture f;

	fixture_init(&f, 1000);
	frame_alloc_release_range(&f.fa, 10, 90);
	EXPECT(frame_alloc_free_count(&f.fa) == 90, "after release: %llu",
	       (unsigned long long)f.fa.nr_free);
	frame_alloc_release_range(&f.fa, 50, 100);     /* overlaps */
	EXPECT(f.fa.nr_free == 140, "after overlapping release: %llu",
	       (unsigned long long)f.fa.nr_free);
	frame_alloc_release_range(&f.fa, 990, 1000);   /* clipped */
	EXPECT(f.fa.nr_free == 150, "after clipped release: %llu",
	       (unsigned long long)f.fa.nr_free);
	frame_alloc_release_range(&f.fa, 5000, 10);    /* entirely outside */
	frame_alloc_release_range(&f.fa, 500, UINT64_MAX); /* huge count */
	EXPECT(f.fa.nr_free == 640, "after huge release: %llu",
	       (unsigned long long)f.fa.nr_free);
	frame_alloc_reserve_range(&f.fa, 0, 20);
	EXPECT(f.fa.nr_free == 630, "after reserve: %llu",
	       (unsigned long long)f.fa.nr_free);
	frame_alloc_reserve_range(&f.fa, 0, 20);       /* again: no change */
	EXPECT(f.fa.nr_free == 630, "after double reserve: %llu",
	       (unsigned long long)f.fa.nr_free);
	EXPECT(!frame_alloc_is_free(&f.fa, 19) && frame_alloc_is_free(&f.fa, 20),
	       "boundary of reserved range");
	EXPECT(!frame_alloc_is_free(&f.fa, 1000), "mfn past the end is free");
	EXPECT(count_free_slowly(&f.fa) == f.fa.nr_free, "count mismatch");
	fixture_free(&f);
	return true;
}

static bool frame_alloc_next_fit(char *why)
{
	struct fixture f;
	mfn_t a, b, c;

	fixture_init(&f, 256);
	frame_alloc_release_range(&f.fa, 0, 256);
	EXPECT(frame_alloc_get(&f.fa, 10, 0, &a) && a == 0, "first at %llu",
	       (unsigned long long)a);
	EXPECT(frame_alloc_get(&f.fa, 10, 1, &b) && b == 10, "second at %llu",
	       (unsigned long long)b);
	EXPECT(frame_alloc_put(&f.fa, a, 10), "put first");
	/* next-fit: the freed hole at 0 is not reused while space remains */
	EXPECT(frame_alloc_get(&f.fa, 5, 0, &c) && c == 20, "third at %llu",
	       (unsigned long long)c);
	EXPECT(f.fa.nr_free == 256 - 15, "free %llu",
	       (unsigned long long)f.fa.nr_free);
	fixture_free(&f);
	return true;
}

static bool frame_alloc_wraps_around(char *why)
{
	struct fixture f;
	mfn_t a, b;

	fixture_init(&f, 200);
	frame_alloc_release_range(&f.fa, 0, 200);
	EXPECT(frame_alloc_get(&f.fa, 150, 0, &a) && a == 0, "big block");
	EXPECT(frame_alloc_put(&f.fa, 0, 100), "free the front");
	/* 50 free at the end, 100 at the front: 60 only fits after wrapping */
	EXPECT(frame_alloc_get(&f.fa, 60, 0, &b) && b == 0, "wrapped to %llu",
	       (unsigned long long)b);
	EXPECT(frame_alloc_get(&f.fa, 50, 0, &b) && b == 150, "tail at %llu",
	       (unsigned long long)b);
	EXPECT(frame_alloc_get(&f.fa, 40, 0, &b) && b == 60, "middle at %llu",
	       (unsigned long long)b);
	EXPECT(!frame_alloc_get(&f.fa, 1, 0, &b), "allocator should be full");
	EXPECT(f.fa.nr_free == 0, "free %llu", (unsigned long long)f.fa.nr_free);
	fixture_free(&f);
	return true;
}

static bool frame_alloc_alignment(char *why)
{
	struct fixture f;
	mfn_t m;

	fixture_init(&f, 4096);
	frame_alloc_release_range(&f.fa, 3, 4000);
	EXPECT(frame_alloc_get(&f.fa, 4, 512, &m) && m == 512, "2M-aligned at %llu",
	       (unsigned long long)m);
	EXPECT(frame_alloc_get(&f.fa, 1, 64, &m) && m == 576, "64-aligned at %llu",
	       (unsigned long long)m);
	EXPECT(!frame_alloc_get(&f.fa, 1, 3, &m), "align 3 accepted");
	EXPECT(!frame_alloc_get(&f.fa, 0, 1, &m), "count 0 accepted");
	EXPECT(!frame_alloc_get(&f.fa, 1, 8192, &m) || m == 0,
	       "align beyond range gave %llu", (unsigned long long)m);
	/* free frames end at 4003: a 2048-aligned run of 2048 cannot fit */
	EXPECT(!frame_alloc_get(&f.fa, 2048, 2048, &m), "impossible run at %llu",
	       (unsigned long long)m);
	EXPECT(frame_alloc_get(&f.fa, 1024, 1024, &m) && m == 1024,
	       "1024 run at %llu", (unsigned long long)m);
	fixture_free(&f);
	return true;
}

static bool frame_alloc_double_free(char *why)
{
	struct fixture f;
	mfn_t m;

	fixture_init(&f, 300);
	frame_alloc_release_range(&f.fa, 0, 300);
	EXPECT(frame_alloc_get(&f.fa, 100, 0, &m) && m == 0, "get");
	EXPECT(frame_alloc_put(&f.fa, 10, 20), "valid put");
	EXPECT(!frame_alloc_put(&f.fa, 0, 20), "put overlapping a free frame");
	EXPECT(!frame_alloc_is_free(&f.fa, 0), "failed put changed frame 0");
	EXPECT(!frame_alloc_put(&f.fa, 25, 1), "double free of one frame");
	EXPECT(!frame_alloc_put(&f.fa, 290, 20), "put past the end");
	EXPECT(!frame_alloc_put(&f.fa, 300, 1), "put at nr_frames");
	EXPECT(!frame_alloc_put(&f.fa, 5, UINT64_MAX), "put with huge count");
	EXPECT(!frame_alloc_put(&f.fa, 5, 0), "put of nothing");
	EXPECT(f.fa.nr_free == 220, "free %llu", (unsigned long long)f.fa.nr_free);
	EXPECT(count_free_slowly(&f.fa) == 220, "bitmap changed by failed puts");
	fixture_free(&f);
	return true;
}

static bool frame_alloc_partial_last_word(char *why)
{
	struct fixture f;
	mfn_t m;

	fixture_init(&f, 130);
	frame_alloc_release_range(&f.fa, 0, 1000);
	EXPECT(f.fa.nr_free == 130, "free %llu", (unsigned long long)f.fa.nr_free);
	EXPECT(frame_alloc_get(&f.fa, 130, 0, &m) && m == 0, "whole range");
	EXPECT(!frame_alloc_get(&f.fa, 1, 0, &m), "got frame %llu past the end",
	       (unsigned long long)m);
	EXPECT(frame_alloc_put(&f.fa, 128, 2), "put the last two");
	EXPECT(frame_alloc_get(&f.fa, 2, 0, &m) && m == 128, "last two again");
	EXPECT(!frame_alloc_get(&f.fa, 1, 0, &m), "frame %llu beyond 130",
	       (unsigned long long)m);
	fixture_free(&f);
	return true;
}

/* True if the reference model has an aligned free run of count frames. */
static bool model_has_run(const unsigned char *used, mfn_t nr, mfn_t count,
			  mfn_t align)
{
	for (mfn_t s = 0; s + count <= nr; s += align) {
		mfn_t i;

		for (i = 0; i < count && !used[s + i]; i++)
			;
		if (i == count)
			return true;
	}
	return false;
}

/* Random operations checked against a byte-per-frame model. */
static bool frame_alloc_random_vs_model(char *why)
{
	enum { NR = 1500, MAXBLK = 400 };
	struct fixture f;
	unsigned char used[NR];
	struct { mfn_t first, count; } blk[MAXBLK];
	unsigned nblk = 0;
	unsigned long long seed = 12345;

	fixture_init(&f, NR);
	memset(used, 1, sizeof(used));
	frame_alloc_release_range(&f.fa, 7, NR - 20);
	memset(used + 7, 0, NR - 20);
	for (int it = 0; it < 6000; it++) {
		unsigned op = unit_rand(&seed) % 3;

		if (op < 2 && nblk < MAXBLK) {
			mfn_t count = 1 + unit_rand(&seed) % 70;
			mfn_t align = 1ull << (unit_rand(&seed) % 7);
			mfn_t m;
			bool expect = model_has_run(used, NR, count, align);
			bool got = frame_alloc_get(&f.fa, count, align, &m);

			EXPECT(got == expect, "iteration %d: get(%llu, %llu) "
			       "returned %d, model says %d", it,
			       (unsigned long long)count,
			       (unsigned long long)align, got, expect);
			if (!got)
				continue;
			EXPECT(m % align == 0 && m + count <= NR,
			       "iteration %d: bad run %llu", it,
			       (unsigned long long)m);
			for (mfn_t i = 0; i < count; i++) {
				EXPECT(!used[m + i], "iteration %d: frame %llu "
				       "handed out twice", it,
				       (unsigned long long)(m + i));
				used[m + i] = 1;
			}
			blk[nblk].first = m;
			blk[nblk++].count = count;
		} else if (nblk) {
			unsigned k = unit_rand(&seed) % nblk;

			EXPECT(frame_alloc_put(&f.fa, blk[k].first, blk[k].count),
			       "iteration %d: put failed", it);
			memset(used + blk[k].first, 0, blk[k].count);
			EXPECT(!frame_alloc_put(&f.fa, blk[k].first, 1),
			       "iteration %d: double free accepted", it);
			blk[k] = blk[--nblk];
		}
		for (mfn_t i = 0; i < NR; i += 97)
			EXPECT(frame_alloc_is_free(&f.fa, i) == !used[i],
			       "iteration %d: frame %llu disagrees", it,
			       (unsigned long long)i);
	}
	EXPECT(count_free_slowly(&f.fa) == f.fa.nr_free, "final count mismatch");
	fixture_free(&f);
	return true;
}

/* A 64 GiB machine with one free frame at the very end: finding it must
 * skip whole words (this would take far too long bit by bit under ASan
 * if repeated, so it is repeated). */
static bool frame_alloc_large_sparse(char *why)
{
	const mfn_t nr = 16ull << 20;
	struct fixture f;
	mfn_t m;

	fixture_init(&f, nr);
	for (int round = 0; round < 50; round++) {
		frame_alloc_release_range(&f.fa, nr - 1, 1);
		EXPECT(frame_alloc_get(&f.fa, 1, 0, &m) && m == nr - 1,
		       "round %d: got %llu", round, (unsigned long long)m);
		f.fa.next_hint = 0;
	}
	frame_alloc_release_range(&f.fa, 0, nr);
	EXPECT(f.fa.nr_free == nr, "release all: %llu",
	       (unsigned long long)f.fa.nr_free);
	EXPECT(frame_alloc_get(&f.fa, 1ull << 18, 1ull << 18, &m) && m == 0,
	       "1 GiB run at %llu", (unsigned long long)m);
	fixture_free(&f);
	return true;
}

int main(void)
{
	RUN(frame_alloc_bitmap_size);
	RUN(frame_alloc_starts_reserved);
	RUN(frame_alloc_release_reserve_counts);
	RUN(frame_alloc_next_fit);
	RUN(frame_alloc_wraps_around);
	RUN(frame_alloc_alignment);
	RUN(frame_alloc_double_free);
	RUN(frame_alloc_partial_last_word);
	RUN(frame_alloc_random_vs_model);
	RUN(frame_alloc_large_sparse);
	return unit_exit_status();
}
