/*
 * Host unit tests for the PV start-of-day layout
 * (hypervisor/arch/x86/pv/boot_layout.c) and the bootstrap page-table
 * writer (hypervisor/arch/x86/pv/boot_pagetables.c).
 *
 * Layouts are checked against the anchor example from Xen's dom0 builder
 * log in the project notes and against a brute-force table count; the page
 * tables are checked by walking them like the MMU would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/elf_image.h"
#include "lamina/boot_layout.h"
#include "lamina/boot_pagetables.h"
#include "hv_unit.h"

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* A parsed image with just the fields the layout reads. */
static struct elf_image image(uint64_t virt_base, uint64_t kstart,
			      uint64_t kend)
{
	struct elf_image img;

	memset(&img, 0, sizeof(img));
	img.virt_base = virt_base;
	img.has_virt_base = virt_base != 0;
	img.virt_kstart = img.load_start = kstart;
	img.virt_kend = img.load_end = kend;
	img.entry = kstart;
	return img;
}

/* Brute force: tables needed to map [start, end) page by page. */
static uint64_t count_tables_slowly(uint64_t start, uint64_t end)
{
	uint64_t n = 1, last[3] = { ~0ull, ~0ull, ~0ull };
	static const unsigned shift[3] = { 21, 30, 39 };

	for (uint64_t va = start; va < end; va += PV_PAGE_SIZE)
		for (int l = 0; l < 3; l++)
			if ((va >> shift[l]) != last[l]) {
				last[l] = va >> shift[l];
				n++;
			}
	return n;
}

/* Everything a layout promises, whatever the inputs. */
static bool check_layout_invariants(const struct pv_boot_layout *l,
				    const struct elf_image *img,
				    uint64_t nr_pages, char *why)
{
	const uint64_t pg = PV_PAGE_SIZE;

	EXPECT(l->v_start == img->virt_base, "v_start");
	EXPECT(l->kern_start == img->virt_kstart && l->kern_end == img->virt_kend,
	       "kernel range");
	EXPECT(l->initrd_start == l->kern_end, "initrd start");
	EXPECT(l->start_info_end == l->start_info_start + pg, "start_info size");
	if (!l->p2m_separate)
		EXPECT(l->p2m_start == l->initrd_end &&
		       l->start_info_start == l->p2m_end &&
		       l->p2m_end - l->p2m_start == l->nr_p2m_pages * pg,
		       "p2m placement");
	EXPECT(l->nr_p2m_pages * pg >= nr_pages * 8 &&
	       (l->nr_p2m_pages - 1) * pg < nr_pages * 8, "p2m size");
	if (l->is_initial_domain)
		EXPECT(l->pt_start == l->start_info_end && l->xenstore_start == 0,
		       "dom0 pt placement");
	else
		EXPECT(l->xenstore_start == l->start_info_end &&
		       l->console_start == l->xenstore_end &&
		       l->pt_start == l->console_end, "domU ring pages");
	EXPECT(l->pt_end == l->pt_start + l->nr_pt_frames * pg, "pt size");
	EXPECT(l->stack_start == l->pt_end && l->stack_end == l->stack_start + pg,
	       "stack");
	EXPECT(l->v_end % MiB(4) == 0 && l->v_end - l->stack_end >= KiB(512) &&
	       l->v_end - MiB(4) < l->stack_end + KiB(512), "v_end %#llx",
	       (unsigned long long)l->v_end);
	EXPECT(l->nr_pt_frames == count_tables_slowly(l->v_start, l->v_end),
	       "nr_pt_frames %llu, brute force %llu",
	       (unsigned long long)l->nr_pt_frames,
	       (unsigned long long)count_tables_slowly(l->v_start, l->v_end));
	EXPECT(l->pt_pfn == (l->pt_start - l->v_start) / pg &&
	       l->start_info_pfn == (l->start_info_start - l->v_start) / pg &&
	       l->stack_pfn == (l->stack_start - l->v_start) / pg &&
	       l->kern_pfn == (l->kern_start - l->v_start) / pg, "pfns");
	EXPECT(l->nr_initial_pfns == (l->v_end - l->v_start) / pg, "initial");
	EXPECT(l->nr_pfns_used <= nr_pages, "overcommitted");
	return true;
}

/* The anchor from the notes: a dom0 kernel at 0x100000-0x111000, no
 * initrd, VIRT_BASE 0; Xen printed P2M to 0x4c59e0, start_info 0x4c6000,
 * page tables 0x4c7000-0x4ce000, stack 0x4ce000-0x4cf000, TOTAL 0-0x800000.
 * The p2m ends at 0x111000 + nr_pages * 8, so nr_pages = 485692. */
static bool layout_anchor_example(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	char err[160];
	const uint64_t nr_pages = (0x4c59e0 - 0x111000) / 8;
	int rc = pv_boot_layout_compute(&img, nr_pages, true, 0, &l, err,
					sizeof(err));

	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(nr_pages == 485692, "nr_pages %llu", (unsigned long long)nr_pages);
	EXPECT(l.p2m_start == 0x111000 &&
	       l.p2m_start + nr_pages * 8 == 0x4c59e0, "p2m %#llx",
	       (unsigned long long)l.p2m_start);
	EXPECT(l.start_info_start == 0x4c6000, "start_info %#llx",
	       (unsigned long long)l.start_info_start);
	EXPECT(l.pt_start == 0x4c7000 && l.pt_end == 0x4ce000,
	       "pt [%#llx,%#llx)", (unsigned long long)l.pt_start,
	       (unsigned long long)l.pt_end);
	EXPECT(l.nr_pt_frames == 7, "nr_pt_frames %llu",
	       (unsigned long long)l.nr_pt_frames);
	EXPECT(l.stack_start == 0x4ce000 && l.stack_end == 0x4cf000, "stack");
	EXPECT(l.v_start == 0 && l.v_end == 0x800000, "total [%#llx,%#llx)",
	       (unsigned long long)l.v_start, (unsigned long long)l.v_end);
	EXPECT(!l.initrd_mapped && l.initrd_end == 0x111000, "initrd");
	return check_layout_invariants(&l, &img, nr_pages, why);
}

static bool layout_domu_ring_pages(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	char err[160];
	int rc = pv_boot_layout_compute(&img, 4096, false, 0, &l, err,
					sizeof(err));

	EXPECT(rc == 0, "rc %d: %s", rc, err);
	/* p2m: 4096 * 8 = 32 KiB = 8 pages */
	EXPECT(l.p2m_start == 0x111000 && l.p2m_end == 0x119000, "p2m");
	EXPECT(l.start_info_start == 0x119000 && l.xenstore_start == 0x11a000 &&
	       l.console_start == 0x11b000 && l.pt_start == 0x11c000,
	       "ring pages");
	EXPECT(l.xenstore_pfn == 0x11a && l.console_pfn == 0x11b &&
	       l.start_info_pfn == 0x119, "ring pfns");
	EXPECT(l.nr_pt_frames == 5 && l.v_end == 0x400000, "pt %llu end %#llx",
	       (unsigned long long)l.nr_pt_frames, (unsigned long long)l.v_end);
	return check_layout_invariants(&l, &img, 4096, why);
}

static bool layout_initrd_mapped(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	char err[160];
	int rc = pv_boot_layout_compute(&img, 8192, true, 10000, &l, err,
					sizeof(err));

	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(l.initrd_mapped && l.initrd_start == 0x111000 &&
	       l.initrd_end == 0x114000 && l.initrd_pfn == 0x111 &&
	       l.nr_initrd_pages == 3, "initrd [%#llx,%#llx)",
	       (unsigned long long)l.initrd_start,
	       (unsigned long long)l.initrd_end);
	EXPECT(l.p2m_start == 0x114000, "p2m after initrd");
	return check_layout_invariants(&l, &img, 8192, why);
}

static bool layout_initrd_unmapped(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	char err[160];
	int rc;

	img.mod_start_pfn = true;
	rc = pv_boot_layout_compute(&img, 8192, false, 3 * 4096 + 1, &l, err,
				    sizeof(err));
	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(!l.initrd_mapped && l.initrd_start == l.initrd_end &&
	       l.p2m_start == 0x111000, "initrd mapped anyway");
	EXPECT(l.initrd_pfn == l.nr_initial_pfns && l.nr_initrd_pages == 4 &&
	       l.nr_pfns_used == l.nr_initial_pfns + 4, "initrd pfn %llu",
	       (unsigned long long)l.initrd_pfn);
	return check_layout_invariants(&l, &img, 8192, why);
}

/* Linux-like: high VIRT_BASE, INIT_P2M at 512 GiB, 1 GiB domain. */
static bool layout_init_p2m(char *why)
{
	const uint64_t base = 0xffffffff80000000ull;
	struct elf_image img = image(base, base + MiB(16), base + MiB(48));
	struct pv_boot_layout l;
	char err[160];
	int rc;

	img.has_init_p2m = true;
	img.init_p2m = 0x8000000000ull;
	rc = pv_boot_layout_compute(&img, 262144, false, 0, &l, err,
				    sizeof(err));
	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(l.p2m_separate && l.p2m_start == 0x8000000000ull &&
	       l.p2m_end == 0x8000000000ull + MiB(2), "p2m area");
	EXPECT(l.start_info_start == base + MiB(48), "start_info follows kernel");
	EXPECT(l.p2m_pfn == l.nr_initial_pfns && l.nr_p2m_pages == 512,
	       "p2m pfns");
	EXPECT(l.nr_p2m_pt_frames == 3 && l.p2m_pt_pfn == l.p2m_pfn + 512,
	       "p2m tables %llu", (unsigned long long)l.nr_p2m_pt_frames);
	EXPECT(l.first_p2m_pfn == l.p2m_pfn && l.nr_p2m_frames == 515,
	       "start_info p2m fields");
	EXPECT(l.nr_pfns_used == l.nr_initial_pfns + 515, "pfns used");
	return check_layout_invariants(&l, &img, 262144, why);
}

/* INIT_P2M sharing upper tables with the initial mapping. */
static bool layout_init_p2m_shared_tables(char *why)
{
	struct elf_image img = image(GiB(1), GiB(1), GiB(1) + MiB(1));
	struct pv_boot_layout l;
	char err[160];
	int rc;

	img.has_init_p2m = true;
	img.init_p2m = GiB(1) - MiB(2);        /* same L3, different L2 */
	rc = pv_boot_layout_compute(&img, 262144, true, 0, &l, err, sizeof(err));
	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(l.p2m_pt[2].count == 0 && l.p2m_pt[1].count == 1 &&
	       l.p2m_pt[0].count == 1, "extra tables %llu/%llu/%llu",
	       (unsigned long long)l.p2m_pt[2].count,
	       (unsigned long long)l.p2m_pt[1].count,
	       (unsigned long long)l.p2m_pt[0].count);

	img = image(GiB(1) + MiB(1), GiB(1) + MiB(1), GiB(1) + MiB(2));
	img.has_init_p2m = true;
	img.init_p2m = GiB(1) + MiB(1) - 2 * PV_PAGE_SIZE;   /* same L1 */
	rc = pv_boot_layout_compute(&img, 1024, true, 0, &l, err, sizeof(err));
	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(l.nr_p2m_pt_frames == 0 && l.nr_p2m_pages == 2,
	       "shared L1: %llu extra tables",
	       (unsigned long long)l.nr_p2m_pt_frames);
	return true;
}

static bool layout_errors(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	char err[160];
	int rc;

	rc = pv_boot_layout_compute(&img, 1000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_ENOMEM && strstr(err, "need 4096 KiB but the "
						"domain has 4000 KiB"),
	       "too small: rc %d '%s'", rc, err);
	rc = pv_boot_layout_compute(&img, 0, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL, "zero pages: rc %d", rc);

	img = image(0x00007fffffc00000ull, 0x00007fffffc00000ull,
		    0x00007ffffff00000ull);    /* v_end leaves the lower half */
	rc = pv_boot_layout_compute(&img, 100000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL && strstr(err, "non-canonical"),
	       "lower half: rc %d '%s'", rc, err);

	img = image(0xffff87ffffc00000ull, 0xffff87ffffc00000ull,
		    0xffff87ffffc01000ull);    /* in the hypervisor's range */
	rc = pv_boot_layout_compute(&img, 100000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL, "hypervisor range: rc %d '%s'", rc, err);

	img = image(0xffffffffffc00000ull, 0xffffffffffc00000ull,
		    0xffffffffffc01000ull);    /* v_end wraps */
	rc = pv_boot_layout_compute(&img, 100000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL, "wrap: rc %d '%s'", rc, err);

	img = image(0, 0x100000, 0x111000);
	rc = pv_boot_layout_compute(&img, 100000, true, UINT64_MAX, &l, err,
				    sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL, "huge initrd: rc %d '%s'", rc, err);

	img.has_init_p2m = true;
	img.init_p2m = 0x200000;               /* inside [v_start, v_end) */
	rc = pv_boot_layout_compute(&img, 100000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL && strstr(err, "overlaps"),
	       "p2m overlap: rc %d '%s'", rc, err);
	img.init_p2m = 0xffff7ffffff00000ull;  /* non-canonical */
	rc = pv_boot_layout_compute(&img, 100000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL, "p2m non-canonical: rc %d", rc);
	img.init_p2m = 0x00007ffffffff000ull;  /* runs off the lower half */
	rc = pv_boot_layout_compute(&img, 100000, true, 0, &l, err, sizeof(err));
	EXPECT(rc == PV_LAYOUT_EINVAL, "p2m end non-canonical: rc %d", rc);
	return true;
}

/* Many shapes, including ones crossing 1 GiB and 512 GiB boundaries. */
static bool layout_random_shapes(char *why)
{
	static const uint64_t bases[] = {
		0, GiB(1) - MiB(2), GiB(512) - MiB(6), 0xffffffff80000000ull,
		0xffff880000000000ull, GiB(3) - MiB(1),
	};
	unsigned long long seed = 77;

	for (int it = 0; it < 400; it++) {
		uint64_t base = bases[it % 6];
		uint64_t kstart = base + (unit_rand(&seed) % 64) * PV_PAGE_SIZE;
		uint64_t ksize = (1 + unit_rand(&seed) % 4096) * PV_PAGE_SIZE;
		struct elf_image img = image(base, kstart, kstart + ksize);
		uint64_t nr_pages = 1 + unit_rand(&seed) % 600000;
		struct pv_boot_layout l;
		char err[160];
		int rc = pv_boot_layout_compute(&img, nr_pages, it & 1,
						unit_rand(&seed) % MiB(8), &l,
						err, sizeof(err));

		if (rc == PV_LAYOUT_ENOMEM)
			continue;
		EXPECT(rc == 0, "it %d: rc %d %s", it, rc, err);
		if (!check_layout_invariants(&l, &img, nr_pages, why))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Page tables, checked by walking them.                                */

/* Machine memory for the tables: the writer may only touch table frames. */
struct machine {
	const struct pv_boot_layout *l;
	mfn_t *p2m;
	uint64_t nr_pfns;
	uint64_t *table_pfns;      /* pfns of every table frame */
	uint8_t (*frames)[4096];   /* their contents, same order */
	uint64_t nr_tables;
	unsigned bad_maps;         /* map_frame calls for non-table frames */
	uint64_t fail_after;       /* make map_frame fail after N calls */
	uint64_t calls;
};

/* Any bijective scrambling will do: the tables must not assume mfn order. */
static mfn_t scramble(uint64_t pfn)
{
	return 0x100000 + ((pfn * 2654435761ull) & 0xffffffffull);
}

/* Index of the table frame with this mfn, or -1. */
static long table_index(const struct machine *m, mfn_t mfn)
{
	for (uint64_t i = 0; i < m->nr_tables; i++)
		if (m->p2m[m->table_pfns[i]] == mfn)
			return (long)i;
	return -1;
}

static void *map_frame(void *ctx, mfn_t mfn)
{
	struct machine *m = ctx;
	long i = table_index(m, mfn);

	if (m->fail_after && ++m->calls > m->fail_after)
		return NULL;
	if (i < 0) {
		m->bad_maps++;
		return NULL;
	}
	return m->frames[i];
}

static void machine_init(struct machine *m, const struct pv_boot_layout *l)
{
	memset(m, 0, sizeof(*m));
	m->l = l;
	m->nr_pfns = l->nr_pfns_used;
	m->p2m = malloc(m->nr_pfns * sizeof(mfn_t));
	for (uint64_t p = 0; p < m->nr_pfns; p++)
		m->p2m[p] = scramble(p);
	m->nr_tables = l->nr_pt_frames + l->nr_p2m_pt_frames;
	m->table_pfns = malloc(m->nr_tables * sizeof(uint64_t));
	m->frames = malloc(m->nr_tables * 4096);
	memset(m->frames, 0xEE, m->nr_tables * 4096);   /* writer must clear */
	for (uint64_t i = 0; i < l->nr_pt_frames; i++)
		m->table_pfns[i] = l->pt_pfn + i;
	for (uint64_t i = 0; i < l->nr_p2m_pt_frames; i++)
		m->table_pfns[l->nr_pt_frames + i] = l->p2m_pt_pfn + i;
}

static void machine_free(struct machine *m)
{
	free(m->p2m);
	free(m->table_pfns);
	free(m->frames);
}

/* Entry idx of the table at mfn, or 0 if mfn is not a table frame. */
static uint64_t read_entry(const struct machine *m, mfn_t mfn, unsigned idx)
{
	long i = table_index(m, mfn);
	uint64_t e;

	if (i < 0)
		return 0;
	memcpy(&e, m->frames[i] + idx * 8, 8);
	return e;
}

/* Walk va from the L4; returns the L1 entry or 0, and checks that every
 * upper entry carries the upper-level flags. */
static uint64_t translate(const struct machine *m, mfn_t l4, uint64_t va,
			  bool *upper_ok)
{
	mfn_t table = l4;

	*upper_ok = true;
	for (int lvl = 3; lvl >= 0; lvl--) {
		uint64_t e = read_entry(m, table, (va >> (12 + 9 * lvl)) & 511);

		if (!(e & PV_PTE_PRESENT))
			return 0;
		if (lvl == 0)
			return e;
		if ((e & ~PV_PTE_MFN_MASK) != PV_PTE_UPPER)
			*upper_ok = false;
		table = (e & PV_PTE_MFN_MASK) >> 12;
	}
	return 0;
}

/* Check one mapped area: va -> p2m[first_pfn + i] with the right flags. */
static bool check_area(const struct machine *m, mfn_t l4, uint64_t start,
		       uint64_t end, uint64_t first_pfn, char *why)
{
	for (uint64_t va = start; va < end; va += PV_PAGE_SIZE) {
		uint64_t pfn = first_pfn + (va - start) / PV_PAGE_SIZE;
		bool upper_ok;
		uint64_t e = translate(m, l4, va, &upper_ok);
		uint64_t want = pv_boot_pfn_is_pagetable(m->l, pfn)
				? PV_PTE_L1_TABLE : PV_PTE_L1_DATA;

		EXPECT(e, "va %#llx unmapped", (unsigned long long)va);
		EXPECT(upper_ok, "va %#llx: upper-level flags",
		       (unsigned long long)va);
		EXPECT((e & PV_PTE_MFN_MASK) >> 12 == m->p2m[pfn],
		       "va %#llx maps mfn %#llx, want %#llx",
		       (unsigned long long)va,
		       (unsigned long long)((e & PV_PTE_MFN_MASK) >> 12),
		       (unsigned long long)m->p2m[pfn]);
		EXPECT((e & ~PV_PTE_MFN_MASK) == want, "va %#llx flags %#llx",
		       (unsigned long long)va,
		       (unsigned long long)(e & ~PV_PTE_MFN_MASK));
	}
	return true;
}

/* Walk the whole tree: count mapped pages and table visits. */
static void count_tree(const struct machine *m, mfn_t table, int lvl,
		       uint64_t *pages, uint64_t *visits, unsigned *bad)
{
	(*visits)++;
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = read_entry(m, table, i);

		if (lvl == 3 && i >= PV_XEN_L4_FIRST_SLOT &&
		    i < PV_XEN_L4_FIRST_SLOT + PV_XEN_L4_SLOTS)
			continue;
		if (!e)
			continue;
		if (lvl == 0) {
			(*pages)++;
			continue;
		}
		if (table_index(m, (e & PV_PTE_MFN_MASK) >> 12) < 0) {
			(*bad)++;
			continue;
		}
		count_tree(m, (e & PV_PTE_MFN_MASK) >> 12, lvl - 1, pages,
			   visits, bad);
	}
}

/* Write the tables for l and check them completely. */
static bool check_pagetables(const struct pv_boot_layout *l, char *why)
{
	struct machine m;
	uint64_t xen[PV_XEN_L4_SLOTS], pages = 0, visits = 0;
	unsigned bad = 0;
	mfn_t l4 = 0;
	int rc;

	machine_init(&m, l);
	for (unsigned i = 0; i < PV_XEN_L4_SLOTS; i++)
		xen[i] = 0xABC000ull * (i + 1) | 0x63;
	rc = pv_boot_pagetables_write(l, m.p2m, m.nr_pfns, map_frame, &m, xen,
				      &l4);
	EXPECT(rc == 0, "write rc %d", rc);
	EXPECT(m.bad_maps == 0, "%u maps of non-table frames", m.bad_maps);
	EXPECT(l4 == m.p2m[l->pt_pfn], "L4 mfn");
	for (unsigned i = 0; i < PV_XEN_L4_SLOTS; i++)
		EXPECT(read_entry(&m, l4, PV_XEN_L4_FIRST_SLOT + i) == xen[i],
		       "hypervisor slot %u", PV_XEN_L4_FIRST_SLOT + i);
	if (!check_area(&m, l4, l->v_start, l->v_end, 0, why))
		goto fail;
	if (l->p2m_separate &&
	    !check_area(&m, l4, l->p2m_start, l->p2m_end, l->p2m_pfn, why))
		goto fail;
	count_tree(&m, l4, 3, &pages, &visits, &bad);
	EXPECT(bad == 0, "%u entries point at non-table frames", bad);
	EXPECT(pages == l->nr_initial_pfns +
	       (l->p2m_separate ? l->nr_p2m_pages : 0),
	       "%llu pages mapped, expected exactly the layout's",
	       (unsigned long long)pages);
	EXPECT(visits == m.nr_tables, "%llu table visits for %llu tables",
	       (unsigned long long)visits, (unsigned long long)m.nr_tables);
	machine_free(&m);
	return true;
fail:
	machine_free(&m);
	return false;
}

static bool pagetables_anchor(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	char err[160];

	EXPECT(pv_boot_layout_compute(&img, 485692, true, 0, &l, err,
				      sizeof(err)) == 0, "%s", err);
	return check_pagetables(&l, why);
}

static bool pagetables_domu_initrd(char *why)
{
	struct elf_image img = image(GiB(1) - MiB(2), GiB(1) - MiB(2),
				     GiB(1) + MiB(3));
	struct pv_boot_layout l;
	char err[160];

	EXPECT(pv_boot_layout_compute(&img, 65536, false, MiB(1) + 5, &l, err,
				      sizeof(err)) == 0, "%s", err);
	EXPECT(l.init_pt[1].count == 2, "should need two L2 tables");
	return check_pagetables(&l, why);
}

static bool pagetables_cross_512g(char *why)
{
	struct elf_image img = image(GiB(512) - MiB(4), GiB(512) - MiB(4),
				     GiB(512) + MiB(1));
	struct pv_boot_layout l;
	char err[160];

	EXPECT(pv_boot_layout_compute(&img, 65536, true, 0, &l, err,
				      sizeof(err)) == 0, "%s", err);
	EXPECT(l.init_pt[2].count == 2, "should need two L3 tables");
	return check_pagetables(&l, why);
}

static bool pagetables_linux_init_p2m(char *why)
{
	const uint64_t base = 0xffffffff80000000ull;
	struct elf_image img = image(base, base + MiB(16), base + MiB(40));
	struct pv_boot_layout l;
	char err[160];

	img.has_init_p2m = true;
	img.init_p2m = 0x8000000000ull;
	img.mod_start_pfn = true;
	EXPECT(pv_boot_layout_compute(&img, 600000, false, MiB(3), &l, err,
				      sizeof(err)) == 0, "%s", err);
	return check_pagetables(&l, why);
}

static bool pagetables_shared_p2m_tables(char *why)
{
	struct elf_image img = image(GiB(1), GiB(1), GiB(1) + MiB(1));
	struct pv_boot_layout l;
	char err[160];

	img.has_init_p2m = true;
	img.init_p2m = GiB(1) - MiB(2);
	EXPECT(pv_boot_layout_compute(&img, 262144, true, 0, &l, err,
				      sizeof(err)) == 0, "%s", err);
	if (!check_pagetables(&l, why))
		return false;
	img = image(GiB(1) + MiB(1), GiB(1) + MiB(1), GiB(1) + MiB(2));
	img.has_init_p2m = true;
	img.init_p2m = GiB(1) + MiB(1) - 2 * PV_PAGE_SIZE;
	EXPECT(pv_boot_layout_compute(&img, 1024, true, 0, &l, err,
				      sizeof(err)) == 0, "%s", err);
	return check_pagetables(&l, why);
}

static bool pagetables_errors(char *why)
{
	struct elf_image img = image(0, 0x100000, 0x111000);
	struct pv_boot_layout l;
	struct machine m;
	uint64_t xen[PV_XEN_L4_SLOTS] = { 0 };
	char err[160];
	mfn_t l4 = 77;
	int rc;

	EXPECT(pv_boot_layout_compute(&img, 4096, true, 0, &l, err,
				      sizeof(err)) == 0, "%s", err);
	machine_init(&m, &l);
	rc = pv_boot_pagetables_write(&l, m.p2m, m.nr_pfns - 1, map_frame, &m,
				      xen, &l4);
	EXPECT(rc == PV_BOOT_PT_EINVAL && l4 == 77, "short p2m: rc %d", rc);
	m.fail_after = 3;
	rc = pv_boot_pagetables_write(&l, m.p2m, m.nr_pfns, map_frame, &m, xen,
				      &l4);
	EXPECT(rc == PV_BOOT_PT_EFAULT && l4 == 77, "map failure: rc %d", rc);
	m.fail_after = 0;
	m.p2m[10] = 1ull << 41;                /* mfn too large for a PTE */
	rc = pv_boot_pagetables_write(&l, m.p2m, m.nr_pfns, map_frame, &m, xen,
				      &l4);
	EXPECT(rc == PV_BOOT_PT_EINVAL, "huge mfn: rc %d", rc);
	machine_free(&m);
	return true;
}

int main(void)
{
	RUN(layout_anchor_example);
	RUN(layout_domu_ring_pages);
	RUN(layout_initrd_mapped);
	RUN(layout_initrd_unmapped);
	RUN(layout_init_p2m);
	RUN(layout_init_p2m_shared_tables);
	RUN(layout_errors);
	RUN(layout_random_shapes);
	RUN(pagetables_anchor);
	RUN(pagetables_domu_initrd);
	RUN(pagetables_cross_512g);
	RUN(pagetables_linux_init_p2m);
	RUN(pagetables_shared_p2m_tables);
	RUN(pagetables_errors);
	return unit_exit_status();
}
