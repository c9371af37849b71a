/*
 * Host unit tests for the PV kernel image parser
 * (hypervisor/common/elf_image.c).
 *
 * Images are built in memory by a small ELF writer below: valid ones with
 * various Xen note combinations, and hostile ones for every rejection the
 * parser promises. Every parse runs on a heap buffer of exactly the image
 * size, so ASan reports any read outside it; a fuzz pass mutates valid
 * images thousands of times and also feeds accepted results to the boot
 * layout code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/elf64.h"
#include "lamina/elf_image.h"
#include "lamina/boot_layout.h"
#include "pv/elfnote.h"
#include "pv/features.h"
#include "hv_unit.h"

/* The parser's own note and feature numbers must be Xen's. */
_Static_assert(PV_NOTE_ENTRY == XEN_ELFNOTE_ENTRY &&
	       PV_NOTE_HYPERCALL_PAGE == XEN_ELFNOTE_HYPERCALL_PAGE &&
	       PV_NOTE_VIRT_BASE == XEN_ELFNOTE_VIRT_BASE &&
	       PV_NOTE_PADDR_OFFSET == XEN_ELFNOTE_PADDR_OFFSET &&
	       PV_NOTE_XEN_VERSION == XEN_ELFNOTE_XEN_VERSION &&
	       PV_NOTE_GUEST_OS == XEN_ELFNOTE_GUEST_OS &&
	       PV_NOTE_GUEST_VERSION == XEN_ELFNOTE_GUEST_VERSION &&
	       PV_NOTE_LOADER == XEN_ELFNOTE_LOADER &&
	       PV_NOTE_FEATURES == XEN_ELFNOTE_FEATURES &&
	       PV_NOTE_BSD_SYMTAB == XEN_ELFNOTE_BSD_SYMTAB &&
	       PV_NOTE_L1_MFN_VALID == XEN_ELFNOTE_L1_MFN_VALID &&
	       PV_NOTE_INIT_P2M == XEN_ELFNOTE_INIT_P2M &&
	       PV_NOTE_MOD_START_PFN == XEN_ELFNOTE_MOD_START_PFN &&
	       PV_NOTE_SUPPORTED_FEATURES == XEN_ELFNOTE_SUPPORTED_FEATURES &&
	       PV_NOTE_PHYS32_ENTRY == XEN_ELFNOTE_PHYS32_ENTRY,
	       "note numbers differ from pv/elfnote.h");
_Static_assert(PV_FEAT_WRITABLE_PAGE_TABLES == XENFEAT_writable_page_tables &&
	       PV_FEAT_WRITABLE_DESCRIPTOR_TABLES ==
	       XENFEAT_writable_descriptor_tables &&
	       PV_FEAT_AUTO_TRANSLATED_PHYSMAP == XENFEAT_auto_translated_physmap &&
	       PV_FEAT_SUPERVISOR_MODE_KERNEL == XENFEAT_supervisor_mode_kernel &&
	       PV_FEAT_PAE_PGDIR_ABOVE_4GB == XENFEAT_pae_pgdir_above_4gb &&
	       PV_FEAT_HVM_CALLBACK_VECTOR == XENFEAT_hvm_callback_vector &&
	       PV_FEAT_DOM0 == XENFEAT_dom0,
	       "feature bits differ from pv/features.h");

/* ------------------------------------------------------------------ */
/* A small ELF writer.                                                  */

#define MAX_NOTES 24
#define MAX_SEGS  24

struct tnote {
	const char *name;
	uint32_t type;
	uint8_t desc[200];
	uint32_t descsz;
};

struct tseg {
	uint32_t type;
	uint32_t flags;
	uint64_t vaddr, paddr, filesz, memsz;
};

struct spec {
	uint16_t e_type;
	uint16_t e_machine;
	uint64_t e_entry;
	unsigned nsegs;
	struct tseg segs[MAX_SEGS];
	unsigned npnotes;                 /* notes in a PT_NOTE segment */
	struct tnote pnotes[MAX_NOTES];
	unsigned nsnotes;                 /* notes in an SHT_NOTE section */
	struct tnote snotes[MAX_NOTES];
};

struct built {
	uint8_t *buf;
	size_t size;
	uint64_t phoff, pnote_off, pnote_len, snote_off, shoff;
	unsigned note_phdr;               /* index of the PT_NOTE header */
	uint64_t seg_off[MAX_SEGS];
};

static void add_note(struct tnote *list, unsigned *n, const char *name,
		     uint32_t type, const void *desc, uint32_t len)
{
	struct tnote *t = &list[(*n)++];

	t->name = name;
	t->type = type;
	t->descsz = len;
	memcpy(t->desc, desc, len);
}

static void pnote_str(struct spec *s, uint32_t type, const char *str)
{
	add_note(s->pnotes, &s->npnotes, "Xen", type, str,
		 (uint32_t)strlen(str) + 1);
}

static void pnote_num(struct spec *s, uint32_t type, uint64_t val,
		      uint32_t size)
{
	add_note(s->pnotes, &s->npnotes, "Xen", type, &val, size);
}

static void snote_str(struct spec *s, uint32_t type, const char *str)
{
	add_note(s->snotes, &s->nsnotes, "Xen", type, str,
		 (uint32_t)strlen(str) + 1);
}

static void snote_num(struct spec *s, uint32_t type, uint64_t val,
		      uint32_t size)
{
	add_note(s->snotes, &s->nsnotes, "Xen", type, &val, size);
}

static void add_seg(struct spec *s, uint64_t addr, uint64_t filesz,
		    uint64_t memsz, uint32_t flags)
{
	struct tseg *g = &s->segs[s->nsegs++];

	g->type = ELF_PT_LOAD;
	g->flags = flags;
	g->vaddr = g->paddr = addr;
	g->filesz = filesz;
	g->memsz = memsz;
}

/* A valid kernel: two segments, the usual notes, ENTRY as 8 bytes. */
static void spec_default(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->e_type = ELF_ET_EXEC;
	s->e_machine = ELF_EM_X86_64;
	s->e_entry = 0x200010;
	add_seg(s, 0x200000, 0x1800, 0x3000, ELF_PF_R | ELF_PF_X);
	add_seg(s, 0x204000, 0x100, 0x2000, ELF_PF_R | ELF_PF_W);
	pnote_str(s, PV_NOTE_XEN_VERSION, "xen-3.0");
	pnote_str(s, PV_NOTE_LOADER, "generic");
	pnote_str(s, PV_NOTE_GUEST_OS, "Lamina");
	pnote_num(s, PV_NOTE_ENTRY, 0x200020, 8);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Size of a note list as written. */
static uint64_t notes_size(const struct tnote *list, unsigned n)
{
	uint64_t sz = 0;

	for (unsigned i = 0; i < n; i++)
		sz += 12 + align_up(strlen(list[i].name) + 1, 4) +
		      align_up(list[i].descsz, 4);
	return sz;
}

static void write_notes(uint8_t *p, const struct tnote *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct elf64_nhdr nh = {
			(uint32_t)strlen(list[i].name) + 1, list[i].descsz,
			list[i].type,
		};

		memcpy(p, &nh, sizeof(nh));
		p += sizeof(nh);
		memcpy(p, list[i].name, nh.n_namesz);
		p += align_up(nh.n_namesz, 4);
		memcpy(p, list[i].desc, nh.n_descsz);
		p += align_up(nh.n_descsz, 4);
	}
}

/* Lay the file out: ehdr, phdrs, note areas, shdrs, segment data. */
static void plan(const struct spec *s, struct built *b, unsigned *nph)
{
	uint64_t off;

	*nph = s->nsegs + (s->npnotes ? 1 : 0);
	b->phoff = sizeof(struct elf64_ehdr);
	off = b->phoff + *nph * sizeof(struct elf64_phdr);
	b->pnote_off = off;
	b->pnote_len = notes_size(s->pnotes, s->npnotes);
	off += b->pnote_len;
	b->snote_off = off;
	off = align_up(off + notes_size(s->snotes, s->nsnotes), 8);
	b->shoff = s->nsnotes ? off : 0;
	if (s->nsnotes)
		off += 2 * sizeof(struct elf64_shdr);
	for (unsigned i = 0; i < s->nsegs; i++) {
		off = align_up(off, 16);
		b->seg_off[i] = off;
		off += s->segs[i].filesz;
	}
	b->size = off;
}

static void write_ehdr(const struct spec *s, const struct built *b,
		       unsigned nph)
{
	struct elf64_ehdr eh;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, "\177ELF", 4);
	eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh.e_ident[ELF_EI_DATA] = ELF_DATA_LSB;
	eh.e_ident[ELF_EI_VERSION] = 1;
	eh.e_type = s->e_type;
	eh.e_machine = s->e_machine;
	eh.e_version = 1;
	eh.e_entry = s->e_entry;
	eh.e_phoff = b->phoff;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(struct elf64_phdr);
	eh.e_phnum = (uint16_t)nph;
	if (s->nsnotes) {
		eh.e_shoff = b->shoff;
		eh.e_shentsize = sizeof(struct elf64_shdr);
		eh.e_shnum = 2;
	}
	memcpy(b->buf, &eh, sizeof(eh));
}

static void write_phdrs(const struct spec *s, struct built *b)
{
	unsigned i;

	for (i = 0; i < s->nsegs; i++) {
		struct elf64_phdr ph = {
			.p_type = s->segs[i].type, .p_flags = s->segs[i].flags,
			.p_offset = b->seg_off[i], .p_vaddr = s->segs[i].vaddr,
			.p_paddr = s->segs[i].paddr,
			.p_filesz = s->segs[i].filesz,
			.p_memsz = s->segs[i].memsz, .p_align = 16,
		};
		memcpy(b->buf + b->phoff + i * sizeof(ph), &ph, sizeof(ph));
		memset(b->buf + b->seg_off[i], 0x90 + i, s->segs[i].filesz);
	}
	if (s->npnotes) {
		struct elf64_phdr ph = {
			.p_type = ELF_PT_NOTE, .p_flags = ELF_PF_R,
			.p_offset = b->pnote_off, .p_filesz = b->pnote_len,
			.p_memsz = b->pnote_len, .p_align = 4,
		};
		b->note_phdr = i;
		memcpy(b->buf + b->phoff + i * sizeof(ph), &ph, sizeof(ph));
	}
}

static void write_shdrs(const struct spec *s, const struct built *b)
{
	struct elf64_shdr sh[2];

	if (!s->nsnotes)
		return;
	memset(sh, 0, sizeof(sh));
	sh[1].sh_type = ELF_SHT_NOTE;
	sh[1].sh_offset = b->snote_off;
	sh[1].sh_size = notes_size(s->snotes, s->nsnotes);
	sh[1].sh_addralign = 4;
	memcpy(b->buf + b->shoff, sh, sizeof(sh));
}

/* Build the image into an exactly sized heap buffer. */
static struct built build(const struct spec *s)
{
	struct built b;
	unsigned nph;

	memset(&b, 0, sizeof(b));
	plan(s, &b, &nph);
	b.buf = calloc(1, b.size);
	write_ehdr(s, &b, nph);
	write_phdrs(s, &b);
	write_notes(b.buf + b.pnote_off, s->pnotes, s->npnotes);
	write_notes(b.buf + b.snote_off, s->snotes, s->nsnotes);
	write_shdrs(s, &b);
	return b;
}

/* Parse a built image from an exact-size copy of its first size bytes. */
static int parse_bytes(const uint8_t *bytes, size_t size,
		       struct elf_image *img, char *err, size_t errlen)
{
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	memcpy(copy, bytes, size);
	rc = elf_image_parse(size ? copy : copy + 1, size, img, err, errlen);
	free(copy);
	return rc;
}

/* Build and parse a spec. */
static int parse_spec(const struct spec *s, struct elf_image *img, char *err)
{
	struct built b = build(s);
	int rc = parse_bytes(b.buf, b.size, img, err, 200);

	free(b.buf);
	return rc;
}

/* Patch helpers on a built image: header fields by offset. */
static void patch(struct built *b, uint64_t off, const void *v, size_t n)
{
	memcpy(b->buf + off, v, n);
}

#define EHDR_OFF(field) offsetof(struct elf64_ehdr, field)
#define PHDR_OFF(b, i, field) \
	((b)->phoff + (i) * sizeof(struct elf64_phdr) + \
	 offsetof(struct elf64_phdr, field))

/* ------------------------------------------------------------------ */
/* Valid images.                                                        */

static bool elf_valid_default(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];
	int rc;

	spec_default(&s);
	rc = parse_spec(&s, &img, err);
	EXPECT(rc == 0, "rc %d: %s", rc, err);
	EXPECT(err[0] == '\0', "err not empty on success: %s", err);
	EXPECT(img.nr_segments == 2, "segments %u", img.nr_segments);
	EXPECT(img.segments[0].vaddr == 0x200000 &&
	       img.segments[0].filesz == 0x1800 &&
	       img.segments[0].memsz == 0x3000 &&
	       img.segments[0].flags == (ELF_PF_R | ELF_PF_X), "segment 0");
	EXPECT(img.segments[1].vaddr == 0x204000 &&
	       img.segments[1].memsz == 0x2000, "segment 1");
	EXPECT(img.entry == 0x200020 && img.has_entry, "entry %#llx",
	       (unsigned long long)img.entry);
	EXPECT(img.virt_base == 0 && !img.has_virt_base, "virt_base default");
	EXPECT(img.paddr_offset == 0 && !img.has_paddr_offset, "paddr default");
	EXPECT(img.virt_kstart == 0x200000 && img.virt_kend == 0x206000,
	       "extent [%#llx,%#llx)", (unsigned long long)img.virt_kstart,
	       (unsigned long long)img.virt_kend);
	EXPECT(img.load_start == 0x200000 && img.load_end == 0x206000,
	       "exact extent");
	EXPECT(!strcmp(img.loader, "generic") && !strcmp(img.guest_os, "Lamina")
	       && !strcmp(img.xen_version, "xen-3.0"), "strings");
	EXPECT(img.hypercall_page == 0 && !img.has_hypercall_page, "hypercall");
	EXPECT(img.init_p2m == 0 && !img.mod_start_pfn, "p2m/modstart");
	EXPECT(!img.notes_from_sections, "notes from sections");
	return true;
}

/* A segment's file bytes are where the header says. */
static bool elf_valid_segment_offsets(char *why)
{
	struct spec s;
	struct built b;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	b = build(&s);
	EXPECT(parse_bytes(b.buf, b.size, &img, err, sizeof(err)) == 0, "%s", err);
	EXPECT(img.segments[0].offset == b.seg_off[0] &&
	       img.segments[1].offset == b.seg_off[1], "offsets");
	EXPECT(b.buf[img.segments[1].offset] == 0x91, "content");
	free(b.buf);
	return true;
}

static bool elf_valid_numeric_sizes(char *why)
{
	static const uint32_t sizes[] = { 1, 2, 4, 8 };
	struct elf_image img;
	char err[200];

	for (unsigned i = 0; i < 4; i++) {
		struct spec s;
		uint64_t entry = sizes[i] == 1 ? 0x00 : 0x200040;
		int rc;

		spec_default(&s);
		s.npnotes--;                     /* drop the 8-byte ENTRY */
		if (sizes[i] < 4) {              /* small values: VIRT_BASE 0 */
			pnote_num(&s, PV_NOTE_VIRT_BASE, 0, sizes[i]);
			rc = parse_spec(&s, &img, err);
			EXPECT(rc == 0 && img.has_virt_base && img.virt_base == 0,
			       "%u-byte VIRT_BASE: rc %d %s", sizes[i], rc, err);
			continue;
		}
		pnote_num(&s, PV_NOTE_ENTRY, entry, sizes[i]);
		rc = parse_spec(&s, &img, err);
		EXPECT(rc == 0, "%u-byte ENTRY: rc %d %s", sizes[i], rc, err);
		EXPECT(img.entry == entry, "%u-byte ENTRY read as %#llx", sizes[i],
		       (unsigned long long)img.entry);
	}
	return true;
}

static bool elf_valid_entry_defaults_to_e_entry(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	s.npnotes--;                             /* no ENTRY note */
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.entry == 0x200010 && !img.has_entry, "entry %#llx",
	       (unsigned long long)img.entry);
	return true;
}

/* Linux-style: p_paddr physical, VIRT_BASE and PADDR_OFFSET notes; the
 * load address comes from p_paddr, not p_vaddr. */
static bool elf_valid_virt_base_paddr_offset(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];
	const uint64_t base = 0xffffffff80000000ull;

	spec_default(&s);
	s.npnotes--;
	s.segs[0].paddr = 0x1000000;
	s.segs[0].vaddr = 0x1234000;             /* ignored */
	s.segs[1].paddr = 0x1004000;
	s.e_entry = base + 0x1000100;
	pnote_num(&s, PV_NOTE_VIRT_BASE, base, 8);
	pnote_num(&s, PV_NOTE_PADDR_OFFSET, 0, 8);
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.segments[0].vaddr == base + 0x1000000, "seg0 %#llx",
	       (unsigned long long)img.segments[0].vaddr);
	EXPECT(img.virt_kstart == base + 0x1000000 &&
	       img.virt_kend == base + 0x1006000, "extent");
	EXPECT(img.virt_base == base && img.has_paddr_offset, "fields");

	/* Old style: p_paddr already virtual, PADDR_OFFSET = VIRT_BASE. */
	spec_default(&s);
	s.npnotes--;
	s.segs[0].paddr = base + 0x200000;
	s.segs[1].paddr = base + 0x204000;
	s.e_entry = base + 0x200000;
	pnote_num(&s, PV_NOTE_VIRT_BASE, base, 8);
	pnote_num(&s, PV_NOTE_PADDR_OFFSET, base, 4 + 4);
	EXPECT(parse_spec(&s, &img, err) == 0, "old style: %s", err);
	EXPECT(img.segments[0].vaddr == base + 0x200000 &&
	       img.paddr_offset == base, "old style seg0 %#llx",
	       (unsigned long long)img.segments[0].vaddr);
	return true;
}

static bool elf_valid_section_notes(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	s.npnotes = 0;                           /* no PT_NOTE at all */
	snote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	snote_str(&s, PV_NOTE_GUEST_OS, "linux");
	snote_num(&s, PV_NOTE_ENTRY, 0x200100, 4);
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.notes_from_sections && img.entry == 0x200100 &&
	       !strcmp(img.guest_os, "linux"), "section notes not used");

	/* PT_NOTE with only a GNU note: fall back to the section. */
	s.npnotes = 0;
	add_note(s.pnotes, &s.npnotes, "GNU", 3, "abcd", 4);
	EXPECT(parse_spec(&s, &img, err) == 0, "fallback: %s", err);
	EXPECT(img.notes_from_sections && img.entry == 0x200100, "fallback");
	return true;
}

static bool elf_valid_phdr_notes_win(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	snote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	snote_str(&s, PV_NOTE_LOADER, "generic");
	snote_num(&s, PV_NOTE_ENTRY, 0x200200, 8);
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(!img.notes_from_sections && img.entry == 0x200020,
	       "section notes used although PT_NOTE had Xen notes");
	return true;
}

/* A PT_NOTE with p_offset 0 is skipped (a binutils quirk Xen tolerates). */
static bool elf_valid_note_offset_zero_skipped(char *why)
{
	struct spec s;
	struct built b;
	struct elf_image img;
	char err[200];
	uint64_t zero = 0;
	int rc;

	spec_default(&s);
	snote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	snote_str(&s, PV_NOTE_LOADER, "generic");
	b = build(&s);
	patch(&b, PHDR_OFF(&b, b.note_phdr, p_offset), &zero, 8);
	rc = parse_bytes(b.buf, b.size, &img, err, sizeof(err));
	free(b.buf);
	EXPECT(rc == 0 && img.notes_from_sections && !img.has_entry,
	       "rc %d (%s), from sections %d", rc, err, img.notes_from_sections);
	return true;
}

static bool elf_valid_features(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	pnote_str(&s, PV_NOTE_FEATURES,
		  "writable_page_tables|!dom0||frobnicate|pae_pgdir_above_4gb|"
		  "!writable_descriptor_tables|hvm_callback_vector");
	pnote_num(&s, PV_NOTE_SUPPORTED_FEATURES, 1u << 5, 4);
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.features_supported == ((1u << 0) | (1u << 11) | (1u << 4) |
					  (1u << 1) | (1u << 8) | (1u << 5)),
	       "supported %#x", img.features_supported);
	EXPECT(img.features_required == ((1u << 11) | (1u << 1)),
	       "required %#x", img.features_required);
	EXPECT(img.has_supported_features, "has_supported_features");
	return true;
}

static bool elf_valid_optional_notes(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];
	uint64_t l1_mfn_valid[2] = { 1, 1 };

	spec_default(&s);
	pnote_num(&s, PV_NOTE_HYPERCALL_PAGE, 0x201000, 8);
	pnote_num(&s, PV_NOTE_INIT_P2M, 0x8000000000ull, 8);
	pnote_num(&s, PV_NOTE_MOD_START_PFN, 1, 4);
	pnote_str(&s, PV_NOTE_GUEST_VERSION, "a-very-long-version-string-"
		  "that-is-truncated");
	pnote_str(&s, PV_NOTE_PAE_MODE, "yes");
	pnote_str(&s, PV_NOTE_BSD_SYMTAB, "yes");
	pnote_num(&s, PV_NOTE_SUSPEND_CANCEL, 1, 4);
	add_note(s.pnotes, &s.npnotes, "Xen", PV_NOTE_L1_MFN_VALID,
		 l1_mfn_valid, 16);                  /* Linux: two quads */
	pnote_num(&s, 0x1234, 0, 3);                 /* unknown: ignored */
	add_note(s.pnotes, &s.npnotes, "GNU", PV_NOTE_ENTRY, "\0\0\0", 3);
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.has_hypercall_page && img.hypercall_page == 0x201000,
	       "hypercall");
	EXPECT(img.has_init_p2m && img.init_p2m == 0x8000000000ull, "init_p2m");
	EXPECT(img.mod_start_pfn && img.has_bsd_symtab, "flags");
	EXPECT(strlen(img.guest_version) == ELF_IMAGE_STR_MAX - 1 &&
	       !strncmp(img.guest_version, "a-very-long", 11),
	       "truncation: '%s'", img.guest_version);
	EXPECT(img.entry == 0x200020, "non-Xen note was applied");
	return true;
}

static bool elf_valid_linux_guest_os_only(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	s.npnotes = 0;
	pnote_str(&s, PV_NOTE_GUEST_OS, "linux");
	pnote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0-extra");
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	return true;
}

static bool elf_valid_et_dyn_and_ignored_phdrs(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	s.e_type = ELF_ET_DYN;
	add_seg(&s, 0x100000, 0x10, 0x10, 0);             /* no R/W/X: ignored */
	add_seg(&s, 0x900000, 0, 0, ELF_PF_R);            /* empty: ignored */
	s.segs[s.nsegs++] = (struct tseg){ .type = 0x6474e551 }; /* GNU_STACK */
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.nr_segments == 2 && img.virt_kstart == 0x200000 &&
	       img.virt_kend == 0x206000, "ignored headers were used");
	return true;
}

/* The last note may omit its trailing padding at the end of the area. */
static bool elf_valid_unpadded_last_note(char *why)
{
	struct spec s;
	struct built b;
	struct elf_image img;
	char err[200];
	uint64_t len;
	int rc;

	spec_default(&s);
	pnote_str(&s, PV_NOTE_GUEST_VERSION, "12345");   /* 6 bytes, pad 2 */
	b = build(&s);
	len = b.pnote_len - 2;
	patch(&b, PHDR_OFF(&b, b.note_phdr, p_filesz), &len, 8);
	rc = parse_bytes(b.buf, b.size, &img, err, sizeof(err));
	free(b.buf);
	EXPECT(rc == 0 && !strcmp(img.guest_version, "12345"), "rc %d %s", rc,
	       err);
	return true;
}

static bool elf_valid_sixteen_segments(char *why)
{
	struct spec s;
	struct elf_image img;
	char err[200];

	spec_default(&s);
	s.nsegs = 0;
	for (unsigned i = 0; i < ELF_IMAGE_MAX_SEGMENTS; i++)
		add_seg(&s, 0x200000 + i * 0x1000, 0x10, 0x1000, ELF_PF_R);
	EXPECT(parse_spec(&s, &img, err) == 0, "%s", err);
	EXPECT(img.nr_segments == 16, "count %u", img.nr_segments);
	return true;
}

/* ------------------------------------------------------------------ */
/* Hostile images.                                                      */

/* Expect parsing b to fail with rc and a message containing text. */
static bool expect_reject(struct built *b, size_t size, int rc_want,
			  const char *text, char *why)
{
	struct elf_image img;
	char err[200];
	int rc = parse_bytes(b->buf, size, &img, err, sizeof(err));

	free(b->buf);
	EXPECT(rc == rc_want, "rc %d, wanted %d (%s)", rc, rc_want, err);
	EXPECT(strstr(err, text) != NULL, "message '%s' lacks '%s'", err, text);
	EXPECT(img.nr_segments == 0 && img.entry == 0, "out not cleared");
	return true;
}

/* Build s and expect it to be rejected. */
static bool expect_spec_reject(const struct spec *s, int rc_want,
			       const char *text, char *why)
{
	struct built b = build(s);

	return expect_reject(&b, b.size, rc_want, text, why);
}

static bool elf_reject_not_elf(char *why)
{
	struct spec s;
	struct built b;
	struct elf_image img;
	char err[64];

	EXPECT(elf_image_parse(NULL, 0, &img, err, sizeof(err)) ==
	       ELF_IMAGE_ENOEXEC, "NULL image");
	EXPECT(parse_bytes((const uint8_t *)"", 0, &img, err, sizeof(err)) ==
	       ELF_IMAGE_ENOEXEC, "empty image");
	EXPECT(parse_bytes((const uint8_t *)"\177EL", 3, &img, err,
			   sizeof(err)) == ELF_IMAGE_ENOEXEC, "3 bytes");
	spec_default(&s);
	b = build(&s);
	b.buf[1] = 'X';
	return expect_reject(&b, b.size, ELF_IMAGE_ENOEXEC, "not an ELF file",
			     why);
}

static bool elf_reject_32bit(char *why)
{
	struct spec s;
	struct built b;

	spec_default(&s);
	b = build(&s);
	b.buf[ELF_EI_CLASS] = ELF_CLASS32;
	return expect_reject(&b, b.size, ELF_IMAGE_ENOEXEC,
			     "32-bit ELF: only x86-64", why);
}

static bool elf_reject_big_endian_and_class(char *why)
{
	struct spec s;
	struct built b;

	spec_default(&s);
	b = build(&s);
	b.buf[ELF_EI_DATA] = 2;
	if (!expect_reject(&b, b.size, ELF_IMAGE_ENOEXEC, "big-endian", why))
		return false;
	b = build(&s);
	b.buf[ELF_EI_CLASS] = 7;
	return expect_reject(&b, b.size, ELF_IMAGE_ENOEXEC, "class 7", why);
}

static bool elf_reject_machine_and_type(char *why)
{
	struct spec s;

	spec_default(&s);
	s.e_machine = ELF_EM_386;
	if (!expect_spec_reject(&s, ELF_IMAGE_ENOEXEC, "not x86-64", why))
		return false;
	spec_default(&s);
	s.e_type = 1;                                  /* ET_REL */
	return expect_spec_reject(&s, ELF_IMAGE_ENOEXEC, "not an executable",
				  why);
}

static bool elf_reject_truncated_header(char *why)
{
	struct spec s;
	struct built b;

	spec_default(&s);
	b = build(&s);
	return expect_reject(&b, 40, ELF_IMAGE_ENOEXEC, "too small", why);
}

static bool elf_reject_bad_phentsize(char *why)
{
	struct spec s;
	struct built b;
	uint16_t v = 32;

	spec_default(&s);
	b = build(&s);
	patch(&b, EHDR_OFF(e_phentsize), &v, 2);
	return expect_reject(&b, b.size, ELF_IMAGE_EINVAL, "e_phentsize", why);
}

static bool elf_reject_phdrs_outside_file(char *why)
{
	struct spec s;
	struct built b;
	uint64_t off;
	uint16_t n = 0xffff;

	spec_default(&s);
	b = build(&s);
	off = b.size - 10;
	patch(&b, EHDR_OFF(e_phoff), &off, 8);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "program header table", why))
		return false;
	b = build(&s);
	off = UINT64_MAX - 20;                           /* would wrap */
	patch(&b, EHDR_OFF(e_phoff), &off, 8);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "program header table", why))
		return false;
	b = build(&s);
	patch(&b, EHDR_OFF(e_phnum), &n, 2);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "program header table", why))
		return false;
	b = build(&s);
	n = 0;
	patch(&b, EHDR_OFF(e_phnum), &n, 2);
	return expect_reject(&b, b.size, ELF_IMAGE_EINVAL, "no program headers",
			     why);
}

static bool elf_reject_no_load(char *why)
{
	struct spec s;

	spec_default(&s);
	s.nsegs = 0;
	s.npnotes--;                                   /* entry check moot */
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "no loadable segments",
				  why);
}

static bool elf_reject_filesz_gt_memsz(char *why)
{
	struct spec s;

	spec_default(&s);
	s.segs[1].filesz = 0x3000;
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL,
				  "segment 1: file size 0x3000 exceeds", why);
}

static bool elf_reject_segment_past_file(char *why)
{
	struct spec s;
	struct built b;
	uint64_t v;

	spec_default(&s);
	b = build(&s);
	v = b.size;                            /* data starts at end of file */
	patch(&b, PHDR_OFF(&b, 0, p_offset), &v, 8);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "segment 0 extends past the end of the file", why))
		return false;
	b = build(&s);
	v = UINT64_MAX - 0x10;                 /* offset + filesz wraps */
	patch(&b, PHDR_OFF(&b, 0, p_offset), &v, 8);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "segment 0 extends past", why))
		return false;
	b = build(&s);                         /* file cut inside segment 1 */
	return expect_reject(&b, b.seg_off[1] + 0x80, ELF_IMAGE_EINVAL,
			     "segment 1 extends past", why);
}

static bool elf_reject_address_wrap(char *why)
{
	struct spec s;

	spec_default(&s);
	s.nsegs = 1;
	s.segs[0].paddr = 0xfffffffffffff000ull;
	s.segs[0].memsz = 0x2000;
	s.npnotes--;
	s.e_entry = 0xfffffffffffff010ull;
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "wraps", why))
		return false;
	s.segs[0].memsz = 0x1000;              /* ends exactly at 2^64 */
	s.segs[0].filesz = 0x800;
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "wraps", why);
}

static bool elf_reject_overlap(char *why)
{
	struct spec s;

	spec_default(&s);
	s.segs[1].paddr = 0x202fff;            /* one byte into segment 0 */
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL,
				  "segments 0 and 1 overlap", why);
}

static bool elf_reject_non_canonical(char *why)
{
	struct spec s;

	spec_default(&s);
	s.segs[1].paddr = 0x0000800000000000ull;
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "non-canonical", why))
		return false;
	s.segs[1].paddr = 0x00007ffffffff000ull; /* crosses into the hole */
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "non-canonical", why);
}

static bool elf_reject_hypervisor_range(char *why)
{
	static const uint64_t addrs[] = {
		0xffff800000000000ull, 0xffff804000200000ull,
		0xffff87fffffff000ull, 0xffff7fffffffe000ull + 0x0,
	};
	struct spec s;

	for (unsigned i = 0; i < 3; i++) {
		spec_default(&s);
		s.segs[1].paddr = addrs[i];
		if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL,
					"hypervisor's range", why))
			return false;
	}
	/* just above the range is fine as far as segments go */
	spec_default(&s);
	s.npnotes--;
	s.segs[0].paddr = 0xffff880000000000ull;
	s.segs[1].paddr = 0xffff880000004000ull;
	s.e_entry = 0xffff880000000000ull;
	{
		struct elf_image img;
		char err[200];

		EXPECT(parse_spec(&s, &img, err) == 0, "just above: %s", err);
	}
	return true;
}

static bool elf_reject_huge_span(char *why)
{
	struct spec s;

	spec_default(&s);
	s.segs[1].paddr = 0x200000 + (1ull << 30);
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "1 GiB", why))
		return false;
	spec_default(&s);
	s.segs[1].memsz = 2ull << 30;          /* one huge bss */
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "1 GiB", why);
}

static bool elf_reject_too_many_segments(char *why)
{
	struct spec s;

	spec_default(&s);
	s.nsegs = 0;
	for (unsigned i = 0; i < ELF_IMAGE_MAX_SEGMENTS + 1; i++)
		add_seg(&s, 0x200000 + i * 0x1000, 0x10, 0x1000, ELF_PF_R);
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "more than 16", why);
}

static bool elf_reject_no_xen_notes(char *why)
{
	struct spec s;

	spec_default(&s);
	s.npnotes = 0;
	add_note(s.pnotes, &s.npnotes, "GNU", PV_NOTE_XEN_VERSION, "xen-3.0", 8);
	add_note(s.pnotes, &s.npnotes, "Xe", PV_NOTE_LOADER, "generic", 8);
	add_note(s.pnotes, &s.npnotes, "XenX", PV_NOTE_LOADER, "generic", 8);
	if (!expect_spec_reject(&s, ELF_IMAGE_ENOEXEC, "no Xen ELF notes", why))
		return false;
	s.npnotes = 0;                         /* no notes at all */
	return expect_spec_reject(&s, ELF_IMAGE_ENOEXEC, "no Xen ELF notes",
				  why);
}

static bool elf_reject_mandatory_notes(char *why)
{
	struct spec s;

	spec_default(&s);
	s.npnotes = 0;
	pnote_str(&s, PV_NOTE_LOADER, "generic");
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "XEN_VERSION", why))
		return false;
	pnote_str(&s, PV_NOTE_XEN_VERSION, "xen-2.0");
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "xen-3.0", why))
		return false;
	s.npnotes = 0;
	pnote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	pnote_str(&s, PV_NOTE_LOADER, "special");
	pnote_str(&s, PV_NOTE_GUEST_OS, "plan9");
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "GUEST_OS", why);
}

static bool elf_reject_paddr_offset_without_virt_base(char *why)
{
	struct spec s;

	spec_default(&s);
	pnote_num(&s, PV_NOTE_PADDR_OFFSET, 0, 8);
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL,
				  "PADDR_OFFSET is set but VIRT_BASE", why);
}

static bool elf_reject_virt_base(char *why)
{
	struct spec s;

	spec_default(&s);
	pnote_num(&s, PV_NOTE_VIRT_BASE, 0x201000, 8);
	pnote_num(&s, PV_NOTE_PADDR_OFFSET, 0x201000, 8);   /* load unchanged */
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "above the image start",
				why))
		return false;
	spec_default(&s);
	pnote_num(&s, PV_NOTE_VIRT_BASE, 0x100800, 8);
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "not page aligned", why);
}

static bool elf_reject_entry_outside(char *why)
{
	struct spec s;

	spec_default(&s);
	s.npnotes--;
	s.e_entry = 0x206000;                  /* one past the end */
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL,
				"entry point 0x206000 outside the image "
				"[0x200000,0x206000)", why))
		return false;
	spec_default(&s);
	pnote_num(&s, PV_NOTE_ENTRY, 0x1ff000, 8);      /* later note wins */
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "entry point 0x1ff000",
				  why);
}

static bool elf_reject_hypercall_page(char *why)
{
	struct spec s;

	spec_default(&s);
	pnote_num(&s, PV_NOTE_HYPERCALL_PAGE, 0x206000, 8);
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "hypercall page", why))
		return false;
	spec_default(&s);
	pnote_num(&s, PV_NOTE_HYPERCALL_PAGE, 0x201800, 8);
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "hypercall page", why);
}

static bool elf_reject_init_p2m(char *why)
{
	struct spec s;

	spec_default(&s);
	pnote_num(&s, PV_NOTE_INIT_P2M, 0x203000, 8);
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "INIT_P2M", why))
		return false;
	spec_default(&s);
	pnote_num(&s, PV_NOTE_INIT_P2M, 0xffff800000000000ull, 8);
	if (!expect_spec_reject(&s, ELF_IMAGE_EINVAL, "INIT_P2M", why))
		return false;
	spec_default(&s);
	pnote_num(&s, PV_NOTE_INIT_P2M, 0x8000000800ull, 8);
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "INIT_P2M", why);
}

static bool elf_reject_required_unknown_feature(char *why)
{
	struct spec s;

	spec_default(&s);
	pnote_str(&s, PV_NOTE_FEATURES, "writable_page_tables|!frobnicate");
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL,
				  "requires unknown feature 'frobnicate'", why);
}

static bool elf_reject_bad_numeric_size(char *why)
{
	struct spec s;

	spec_default(&s);
	pnote_num(&s, PV_NOTE_VIRT_BASE, 0, 3);
	return expect_spec_reject(&s, ELF_IMAGE_EINVAL, "3-byte value", why);
}

static bool elf_reject_truncated_note(char *why)
{
	struct spec s;
	struct built b;
	uint32_t big = 0x7fffffff;

	spec_default(&s);
	b = build(&s);
	/* descsz of the first note */
	patch(&b, b.pnote_off + 4, &big, 4);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL, "truncated ELF note",
			   why))
		return false;
	b = build(&s);
	big = 0xffffffff;                      /* namesz: padding would wrap */
	patch(&b, b.pnote_off, &big, 4);
	return expect_reject(&b, b.size, ELF_IMAGE_EINVAL, "truncated ELF note",
			     why);
}

static bool elf_reject_note_area_outside(char *why)
{
	struct spec s;
	struct built b;
	uint64_t v;

	spec_default(&s);
	b = build(&s);
	v = b.size;
	patch(&b, PHDR_OFF(&b, b.note_phdr, p_filesz), &v, 8);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "note segment 2 extends past", why))
		return false;

	spec_default(&s);
	s.npnotes = 0;
	snote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	snote_str(&s, PV_NOTE_LOADER, "generic");
	b = build(&s);
	v = UINT64_MAX;
	patch(&b, b.shoff + sizeof(struct elf64_shdr) +
	      offsetof(struct elf64_shdr, sh_size), &v, 8);
	return expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			     "note section 1 extends past", why);
}

static bool elf_reject_section_table(char *why)
{
	struct spec s;
	struct built b;
	uint64_t v;
	uint16_t e = 40;

	spec_default(&s);
	s.npnotes = 0;
	snote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	snote_str(&s, PV_NOTE_LOADER, "generic");
	b = build(&s);
	v = b.size - 64;
	patch(&b, EHDR_OFF(e_shoff), &v, 8);
	if (!expect_reject(&b, b.size, ELF_IMAGE_EINVAL,
			   "section header table", why))
		return false;
	b = build(&s);
	patch(&b, EHDR_OFF(e_shentsize), &e, 2);
	return expect_reject(&b, b.size, ELF_IMAGE_EINVAL, "e_shentsize", why);
}

static bool elf_error_buffer_handling(char *why)
{
	struct spec s;
	struct built b;
	struct elf_image img;
	char small[6];
	int rc;

	spec_default(&s);
	b = build(&s);
	b.buf[ELF_EI_CLASS] = ELF_CLASS32;
	memset(small, 'Z', sizeof(small));
	rc = parse_bytes(b.buf, b.size, &img, small, sizeof(small));
	EXPECT(rc == ELF_IMAGE_ENOEXEC, "rc %d", rc);
	EXPECT(small[5] == '\0' && !strcmp(small, "32-bi"), "truncated '%s'",
	       small);
	EXPECT(parse_bytes(b.buf, b.size, &img, NULL, 0) == ELF_IMAGE_ENOEXEC,
	       "NULL err");
	free(b.buf);
	return true;
}

/* ------------------------------------------------------------------ */
/* Fuzzing.                                                             */

/* Everything an accepted image promises. */
static bool check_accepted(const struct elf_image *img, size_t size,
			   char *why)
{
	EXPECT(img->nr_segments >= 1 && img->nr_segments <= 16, "segments");
	for (unsigned i = 0; i < img->nr_segments; i++) {
		const struct elf_image_segment *g = &img->segments[i];

		EXPECT(g->offset <= size && g->filesz <= size - g->offset,
		       "segment %u outside the file", i);
		EXPECT(g->filesz <= g->memsz && g->memsz > 0, "segment %u sizes",
		       i);
		EXPECT(pv_va_range_is_guest(g->vaddr, g->memsz),
		       "segment %u address", i);
		EXPECT(g->vaddr >= img->load_start &&
		       g->vaddr + g->memsz <= img->load_end, "extent");
		for (unsigned j = i + 1; j < img->nr_segments; j++) {
			const struct elf_image_segment *h = &img->segments[j];

			EXPECT(g->vaddr + g->memsz <= h->vaddr ||
			       h->vaddr + h->memsz <= g->vaddr, "overlap");
		}
	}
	EXPECT(img->entry >= img->load_start && img->entry < img->load_end,
	       "entry");
	EXPECT(img->load_end - img->load_start <= ELF_IMAGE_MAX_SPAN, "span");
	EXPECT(img->virt_base <= img->virt_kstart, "virt_base");
	EXPECT(memchr(img->guest_os, 0, ELF_IMAGE_STR_MAX) &&
	       memchr(img->loader, 0, ELF_IMAGE_STR_MAX) &&
	       memchr(img->xen_version, 0, ELF_IMAGE_STR_MAX) &&
	       memchr(img->guest_version, 0, ELF_IMAGE_STR_MAX), "strings");
	EXPECT(!strncmp(img->xen_version, "xen-3.0", 7), "xen_version");
	EXPECT((img->features_required & ~img->features_supported) == 0,
	       "required not in supported");
	return true;
}

/* Run the layout on an accepted image; check what it promises. */
static bool check_layout(const struct elf_image *img, uint64_t nr_pages,
			 char *why)
{
	struct pv_boot_layout l;
	char err[200];
	int rc = pv_boot_layout_compute(img, nr_pages, nr_pages & 1,
					nr_pages * 3, &l, err, sizeof(err));

	EXPECT(rc == 0 || rc == PV_LAYOUT_ENOMEM || rc == PV_LAYOUT_EINVAL,
	       "layout rc %d", rc);
	if (rc)
		return true;
	EXPECT(l.nr_pfns_used <= nr_pages, "layout overcommits");
	EXPECT(l.v_end > l.stack_end && l.v_end % (4 << 20) == 0, "v_end");
	EXPECT(pv_va_range_is_guest(l.v_start, l.v_end - l.v_start), "range");
	return true;
}

/* A rich valid image to mutate: both note kinds, three segments. */
static struct built fuzz_seed_image(void)
{
	struct spec s;

	spec_default(&s);
	add_seg(&s, 0x300000, 0x40, 0x1000, ELF_PF_R);
	pnote_num(&s, PV_NOTE_VIRT_BASE, 0, 8);
	pnote_num(&s, PV_NOTE_PADDR_OFFSET, 0, 4);
	pnote_num(&s, PV_NOTE_HYPERCALL_PAGE, 0x201000, 8);
	pnote_str(&s, PV_NOTE_FEATURES, "!writable_page_tables|dom0");
	pnote_num(&s, PV_NOTE_INIT_P2M, 0x8000000000ull, 8);
	snote_str(&s, PV_NOTE_XEN_VERSION, "xen-3.0");
	snote_str(&s, PV_NOTE_GUEST_OS, "linux");
	return build(&s);
}

/* Mutate one to eight bytes, mostly in the headers and notes. */
static void mutate(uint8_t *p, size_t size, size_t hot,
		   unsigned long long *seed)
{
	unsigned n = 1 + unit_rand(seed) % 8;

	for (unsigned i = 0; i < n; i++) {
		size_t pos = (unit_rand(seed) % 4) ? unit_rand(seed) % hot
						   : unit_rand(seed) % size;
		unsigned kind = unit_rand(seed) % 4;

		if (kind == 0)
			p[pos] = (uint8_t)unit_rand(seed);
		else if (kind == 1)
			p[pos] ^= (uint8_t)(1u << (unit_rand(seed) % 8));
		else if (kind == 2)
			p[pos] = (unit_rand(seed) & 1) ? 0xff : 0;
		else
			p[pos] += (uint8_t)(1 + unit_rand(seed) % 3);
	}
}

static bool elf_fuzz_mutations(char *why)
{
	struct built seed_img = fuzz_seed_image();
	unsigned long long seed = 0xC0FFEE;
	unsigned accepted = 0, rejected = 0;
	size_t hot = seed_img.shoff + 2 * sizeof(struct elf64_shdr);

	for (int it = 0; it < 6000; it++) {
		size_t size = seed_img.size;
		uint8_t *p = malloc(size);
		struct elf_image img;
		char err[120];
		int rc;

		memcpy(p, seed_img.buf, size);
		mutate(p, size, hot, &seed);
		if (unit_rand(&seed) % 8 == 0)
			size = unit_rand(&seed) % (size + 1);
		/* realloc to the exact size so ASan guards the real end */
		p = realloc(p, size ? size : 1);
		rc = elf_image_parse(p, size, &img, err, sizeof(err));
		if (rc == 0) {
			accepted++;
			if (!check_accepted(&img, size, why) ||
			    !check_layout(&img, 1 + unit_rand(&seed) % 300000,
					  why)) {
				free(p);
				free(seed_img.buf);
				return false;
			}
		} else {
			rejected++;
			EXPECT(rc == ELF_IMAGE_EINVAL || rc == ELF_IMAGE_ENOEXEC,
			       "iteration %d: rc %d", it, rc);
			EXPECT(err[0] != '\0', "iteration %d: no message", it);
		}
		free(p);
	}
	free(seed_img.buf);
	EXPECT(accepted > 100 && rejected > 100,
	       "fuzz did not explore both outcomes (%u accepted, %u rejected)",
	       accepted, rejected);
	return true;
}

/* Random garbage of random sizes, some with a valid ELF64 identity. */
static bool elf_fuzz_random_bytes(char *why)
{
	unsigned long long seed = 4242;

	for (int it = 0; it < 3000; it++) {
		size_t size = unit_rand(&seed) % 600;
		uint8_t *p = malloc(size ? size : 1);
		struct elf_image img;
		char err[120];
		int rc;

		for (size_t i = 0; i < size; i++)
			p[i] = (uint8_t)unit_rand(&seed);
		if (size >= 64 && (it & 1)) {
			memcpy(p, "\177ELF\2\1\1", 7);
			p[18] = ELF_EM_X86_64;
			p[19] = 0;
			p[16] = ELF_ET_EXEC;
			p[17] = 0;
			p[54] = 56;                 /* e_phentsize */
			p[55] = 0;
		}
		rc = elf_image_parse(p, size, &img, err, sizeof(err));
		if (rc == 0 && !check_accepted(&img, size, why)) {
			free(p);
			return false;
		}
		free(p);
	}
	return true;
}

int main(void)
{
	RUN(elf_valid_default);
	RUN(elf_valid_segment_offsets);
	RUN(elf_valid_numeric_sizes);
	RUN(elf_valid_entry_defaults_to_e_entry);
	RUN(elf_valid_virt_base_paddr_offset);
	RUN(elf_valid_section_notes);
	RUN(elf_valid_phdr_notes_win);
	RUN(elf_valid_note_offset_zero_skipped);
	RUN(elf_valid_features);
	RUN(elf_valid_optional_notes);
	RUN(elf_valid_linux_guest_os_only);
	RUN(elf_valid_et_dyn_and_ignored_phdrs);
	RUN(elf_valid_unpadded_last_note);
	RUN(elf_valid_sixteen_segments);
	RUN(elf_reject_not_elf);
	RUN(elf_reject_32bit);
	RUN(elf_reject_big_endian_and_class);
	RUN(elf_reject_machine_and_type);
	RUN(elf_reject_truncated_header);
	RUN(elf_reject_bad_phentsize);
	RUN(elf_reject_phdrs_outside_file);
	RUN(elf_reject_no_load);
	RUN(elf_reject_filesz_gt_memsz);
	RUN(elf_reject_segment_past_file);
	RUN(elf_reject_address_wrap);
	RUN(elf_reject_overlap);
	RUN(elf_reject_non_canonical);
	RUN(elf_reject_hypervisor_range);
	RUN(elf_reject_huge_span);
	RUN(elf_reject_too_many_segments);
	RUN(elf_reject_no_xen_notes);
	RUN(elf_reject_mandatory_notes);
	RUN(elf_reject_paddr_offset_without_virt_base);
	RUN(elf_reject_virt_base);
	RUN(elf_reject_entry_outside);
	RUN(elf_reject_hypercall_page);
	RUN(elf_reject_init_p2m);
	RUN(elf_reject_required_unknown_feature);
	RUN(elf_reject_bad_numeric_size);
	RUN(elf_reject_truncated_note);
	RUN(elf_reject_note_area_outside);
	RUN(elf_reject_section_table);
	RUN(elf_error_buffer_handling);
	RUN(elf_fuzz_mutations);
	RUN(elf_fuzz_random_bytes);
	return unit_exit_status();
}
