/*
 * Start-of-day layout of a PV domain; see lamina/boot_layout.h.
 * All arithmetic on guest-supplied addresses is overflow-checked.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/elf_image.h"
#include "lamina/boot_layout.h"

#define PAGE_SHIFT      12
#define MB4             (4ull << 20)
#define END_PADDING     (512ull << 10)
/* No domain has 2^40 pages (4 PiB); also keeps nr_pages * 8 in range. */
#define MAX_NR_PAGES    (1ull << 40)

/* Shift of the VA bits selecting a table at each level (L1, L2, L3). */
static const unsigned table_shift[3] = { 21, 30, 39 };

/* Write a one-line reason into err and return rc. */
__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Pages needed for len bytes. */
static uint64_t pages_for(uint64_t len)
{
	return (len >> PAGE_SHIFT) + ((len & (PV_PAGE_SIZE - 1)) != 0);
}

/* *va += pages * 4 KiB; false if the result wraps (or reaches 2^64). */
static bool advance(uint64_t *va, uint64_t pages)
{
	uint64_t bytes, next;

	if (pages > (UINT64_MAX >> PAGE_SHIFT))
		return false;
	bytes = pages << PAGE_SHIFT;
	if (__builtin_add_overflow(*va, bytes, &next) || next == 0)
		return false;
	*va = next;
	return true;
}

/* Tables of level lvl (0 = L1s) needed to map [start, end), end > start. */
static struct pv_boot_pt_level span(uint64_t start, uint64_t end, unsigned lvl)
{
	struct pv_boot_pt_level l = { 0, 0, 0 };

	l.first = start >> table_shift[lvl];
	l.count = ((end - 1) >> table_shift[lvl]) - l.first + 1;
	return l;
}

/* Number of page-table frames that map [v_start, v_end): one L4 plus the
 * L3s, L2s and L1s covering it. */
static uint64_t tables_needed(uint64_t v_start, uint64_t v_end)
{
	uint64_t n = 1;

	for (unsigned lvl = 0; lvl < 3; lvl++)
		n += span(v_start, v_end, lvl).count;
	return n;
}

/* v_end for a given page-table count: stack after the tables, then at
 * least 512 KiB of padding, rounded up to 4 MiB. false if it wraps. */
static bool place_tail(struct pv_boot_layout *l, uint64_t nr_pt)
{
	uint64_t end;

	l->pt_end = l->pt_start;
	if (!advance(&l->pt_end, nr_pt))
		return false;
	l->stack_start = l->pt_end;
	l->stack_end = l->stack_start;
	if (!advance(&l->stack_end, 1))
		return false;
	if (__builtin_add_overflow(l->stack_end, END_PADDING + MB4 - 1, &end))
		return false;
	l->v_end = end & ~(MB4 - 1);
	return l->v_end != 0;
}

/*
 * Find the smallest page-table count that maps the region it ends up in
 * (the region grows with the count). tables_needed() only grows with the
 * count, so jumping straight to the last need never overshoots.
 */
static bool size_page_tables(struct pv_boot_layout *l)
{
	uint64_t nr_pt = 1;

	for (;;) {
		uint64_t need;

		if (!place_tail(l, nr_pt))
			return false;
		need = tables_needed(l->v_start, l->v_end);
		if (need <= nr_pt)
			break;
		nr_pt = need;
	}
	l->nr_pt_frames = nr_pt;
	return true;
}

/* pfn of a VA inside [v_start, v_end). */
static uint64_t pfn_of(const struct pv_boot_layout *l, uint64_t va)
{
	return (va - l->v_start) >> PAGE_SHIFT;
}

/* Place the tables of [v_start, v_end) in the pt region: L4, L3s, L2s, L1s. */
static void place_initial_tables(struct pv_boot_layout *l)
{
	uint64_t pfn = l->pt_pfn;

	l->init_pt[3].first = 0;
	l->init_pt[3].count = 1;
	l->init_pt[3].pfn = pfn++;
	for (int lvl = 2; lvl >= 0; lvl--) {
		l->init_pt[lvl] = span(l->v_start, l->v_end, (unsigned)lvl);
		l->init_pt[lvl].pfn = pfn;
		pfn += l->init_pt[lvl].count;
	}
}

/* Place elements from v_start up to the page tables; false if anything
 * wraps. */
static bool place_head(const struct elf_image *img, struct pv_boot_layout *l)
{
	uint64_t va = img->virt_kend;

	l->kern_start = img->virt_kstart;
	l->kern_end = img->virt_kend;
	l->initrd_start = l->initrd_end = va;
	if (l->initrd_mapped && !advance(&l->initrd_end, l->nr_initrd_pages))
		return false;
	va = l->initrd_end;
	if (!l->p2m_separate) {
		l->p2m_start = l->p2m_end = va;
		if (!advance(&l->p2m_end, l->nr_p2m_pages))
			return false;
		va = l->p2m_end;
	}
	l->start_info_start = l->start_info_end = va;
	if (!advance(&l->start_info_end, 1))
		return false;
	va = l->start_info_end;
	if (!l->is_initial_domain) {
		l->xenstore_start = l->xenstore_end = va;
		l->console_start = l->console_end = va + PV_PAGE_SIZE;
		if (!advance(&l->xenstore_end, 1) || !advance(&l->console_end, 1))
			return false;
		va = l->console_end;
	}
	l->pt_start = va;
	return true;
}

/* pfns of everything inside [v_start, v_end). */
static void number_initial_pfns(struct pv_boot_layout *l)
{
	l->nr_initial_pfns = pfn_of(l, l->v_end);
	l->kern_pfn = pfn_of(l, l->kern_start);
	if (l->initrd_mapped)
		l->initrd_pfn = pfn_of(l, l->initrd_start);
	if (!l->p2m_separate)
		l->p2m_pfn = pfn_of(l, l->p2m_start);
	l->start_info_pfn = pfn_of(l, l->start_info_start);
	if (!l->is_initial_domain) {
		l->xenstore_pfn = pfn_of(l, l->xenstore_start);
		l->console_pfn = pfn_of(l, l->console_start);
	}
	l->pt_pfn = pfn_of(l, l->pt_start);
	l->stack_pfn = pfn_of(l, l->stack_start);
}

/*
 * Tables of one level needed for the p2m area that the initial mapping
 * does not already provide: the index interval p minus the interval i.
 * The two VA ranges are disjoint, so the result is one interval; false if
 * it would be two.
 */
static bool subtract_span(struct pv_boot_pt_level p, struct pv_boot_pt_level i,
			  struct pv_boot_pt_level *out)
{
	uint64_t p_last = p.first + p.count - 1, i_last = i.first + i.count - 1;

	*out = p;
	if (p_last < i.first || p.first > i_last)
		return true;                     /* nothing shared */
	if (p.first < i.first && p_last > i_last)
		return false;                    /* would split in two */
	if (p.first >= i.first && p_last <= i_last)
		out->count = 0;                  /* all shared */
	else if (p.first < i.first)
		out->count = i.first - p.first;  /* keep the part below */
	else {
		out->first = i_last + 1;         /* keep the part above */
		out->count = p_last - i_last;
	}
	return true;
}

/* INIT_P2M: place the p2m frames and their tables after next_pfn. */
static int place_separate_p2m(const struct elf_image *img,
			      struct pv_boot_layout *l, uint64_t *next_pfn,
			      char *err, size_t errlen)
{
	uint64_t pfn;

	l->p2m_start = l->p2m_end = img->init_p2m;
	if (!advance(&l->p2m_end, l->nr_p2m_pages) ||
	    !pv_va_range_is_guest(l->p2m_start, l->p2m_end - l->p2m_start))
		return fail(err, errlen, PV_LAYOUT_EINVAL,
			    "INIT_P2M area at 0x%llx (%llu pages) wraps, is "
			    "non-canonical or in the hypervisor's range",
			    (unsigned long long)img->init_p2m,
			    (unsigned long long)l->nr_p2m_pages);
	if (l->p2m_start < l->v_end && l->v_start < l->p2m_end)
		return fail(err, errlen, PV_LAYOUT_EINVAL,
			    "INIT_P2M area [0x%llx,0x%llx) overlaps the initial "
			    "mapping [0x%llx,0x%llx)",
			    (unsigned long long)l->p2m_start,
			    (unsigned long long)l->p2m_end,
			    (unsigned long long)l->v_start,
			    (unsigned long long)l->v_end);
	l->p2m_pfn = *next_pfn;
	pfn = l->p2m_pfn + l->nr_p2m_pages;
	l->p2m_pt_pfn = pfn;
	for (int lvl = 2; lvl >= 0; lvl--) {
		struct pv_boot_pt_level want = span(l->p2m_start, l->p2m_end,
						    (unsigned)lvl);

		if (!subtract_span(want, l->init_pt[lvl], &l->p2m_pt[lvl]))
			return fail(err, errlen, PV_LAYOUT_EINVAL,
				    "INIT_P2M area surrounds the initial mapping");
		l->p2m_pt[lvl].pfn = pfn;
		pfn += l->p2m_pt[lvl].count;
	}
	l->nr_p2m_pt_frames = pfn - l->p2m_pt_pfn;
	l->first_p2m_pfn = l->p2m_pfn;
	l->nr_p2m_frames = pfn - l->p2m_pfn;
	*next_pfn = pfn;
	return 0;
}

/* Check the parsed image fields this computation relies on. */
static int check_inputs(const struct elf_image *img, uint64_t nr_pages,
			char *err, size_t errlen)
{
	if (nr_pages == 0 || nr_pages > MAX_NR_PAGES)
		return fail(err, errlen, PV_LAYOUT_EINVAL,
			    "domain size of %llu pages is out of range",
			    (unsigned long long)nr_pages);
	if ((img->virt_base | img->virt_kstart | img->virt_kend) &
	    (PV_PAGE_SIZE - 1) || img->virt_kstart >= img->virt_kend ||
	    img->virt_base > img->virt_kstart ||
	    !pv_va_range_is_guest(img->virt_base,
				  img->virt_kend - img->virt_base))
		return fail(err, errlen, PV_LAYOUT_EINVAL,
			    "kernel range [0x%llx,0x%llx) from base 0x%llx is not "
			    "a valid guest range",
			    (unsigned long long)img->virt_kstart,
			    (unsigned long long)img->virt_kend,
			    (unsigned long long)img->virt_base);
	return 0;
}

int pv_boot_layout_compute(const struct elf_image *img, uint64_t nr_pages,
			   bool is_initial_domain, uint64_t initrd_len,
			   struct pv_boot_layout *l, char *err, size_t errlen)
{
	uint64_t next_pfn;
	int rc;

	memset(l, 0, sizeof(*l));
	if (err && errlen)
		err[0] = '\0';
	rc = check_inputs(img, nr_pages, err, errlen);
	if (rc)
		return rc;
	l->is_initial_domain = is_initial_domain;
	l->nr_initrd_pages = pages_for(initrd_len);
	l->initrd_mapped = l->nr_initrd_pages && !img->mod_start_pfn;
	l->p2m_separate = img->has_init_p2m;
	l->nr_p2m_pages = pages_for(nr_pages * sizeof(uint64_t));
	l->v_start = img->virt_base;

	if (!place_head(img, l) || !size_page_tables(l) ||
	    !pv_va_range_is_guest(l->v_start, l->v_end - l->v_start))
		return fail(err, errlen, PV_LAYOUT_EINVAL,
			    "boot layout from 0x%llx wraps, is non-canonical or "
			    "reaches the hypervisor's range",
			    (unsigned long long)l->v_start);
	number_initial_pfns(l);
	place_initial_tables(l);

	next_pfn = l->nr_initial_pfns;
	if (l->nr_initrd_pages && !l->initrd_mapped) {
		l->initrd_pfn = next_pfn;
		next_pfn += l->nr_initrd_pages;
	}
	if (l->p2m_separate) {
		rc = place_separate_p2m(img, l, &next_pfn, err, errlen);
		if (rc)
			return rc;
	}
	l->nr_pfns_used = next_pfn;
	if (next_pfn > nr_pages)
		return fail(err, errlen, PV_LAYOUT_ENOMEM,
			    "kernel and boot structures need %llu KiB but the "
			    "domain has %llu KiB",
			    (unsigned long long)(next_pfn * 4),
			    (unsigned long long)(nr_pages * 4));
	return 0;
}
