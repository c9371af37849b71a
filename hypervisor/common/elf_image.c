/*
 * PV kernel image parser: ELF64 headers and Xen ELF notes.
 * The accepted format and every check are described in lamina/elf_image.h.
 *
 * The image is untrusted. Every read goes through read_bytes(), which checks
 * the range against the image size first, and copies into aligned locals, so
 * no header is ever dereferenced in place.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/elf64.h"
#include "lamina/elf_image.h"

/* Parser state shared by the helpers below. */
struct parse_ctx {
	const uint8_t *image;
	size_t size;
	struct elf_image *out;
	char *err;
	size_t errlen;
	struct elf64_ehdr ehdr;
	unsigned xen_notes;       /* Xen notes seen so far */
};

/* Record a one-line reason in ctx->err and return rc. */
__attribute__((format(printf, 3, 4)))
static int fail(struct parse_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err && ctx->errlen) {
		va_start(ap, fmt);
		vsnprintf(ctx->err, ctx->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* True if [off, off+len) lies inside the image. */
static bool in_file(const struct parse_ctx *ctx, uint64_t off, uint64_t len)
{
	return off <= ctx->size && len <= ctx->size - off;
}

/* Copy len bytes at off into dst; false (dst untouched) if out of bounds. */
static bool read_bytes(const struct parse_ctx *ctx, uint64_t off, void *dst,
		       size_t len)
{
	if (!in_file(ctx, off, len))
		return false;
	memcpy(dst, ctx->image + off, len);
	return true;
}

/* Little-endian unsigned value of 1, 2, 4 or 8 bytes; false otherwise. */
static bool read_numeric(const uint8_t *p, uint32_t len, uint64_t *val)
{
	uint64_t v = 0;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	for (uint32_t i = len; i > 0; i--)
		v = (v << 8) | p[i - 1];
	*val = v;
	return true;
}

/* Length of the string in p[0..max): up to the first NUL or max. */
static size_t bounded_strlen(const uint8_t *p, size_t max)
{
	size_t n = 0;

	while (n < max && p[n] != '\0')
		n++;
	return n;
}

/* Copy the (possibly unterminated) string p[0..len) into dst[dstsize],
 * truncated and NUL-terminated. */
static void copy_bounded(char *dst, size_t dstsize, const uint8_t *p,
			 size_t len)
{
	size_t n = bounded_strlen(p, len);

	if (n > dstsize - 1)
		n = dstsize - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Copy a note string into one of the ELF_IMAGE_STR_MAX fields. */
static void copy_string(char *dst, const uint8_t *p, uint32_t len)
{
	copy_bounded(dst, ELF_IMAGE_STR_MAX, p, len);
}

/* Check the ELF file header: identity first (ENOEXEC), then table shapes. */
static int check_ehdr(struct parse_ctx *ctx)
{
	const struct elf64_ehdr *eh = &ctx->ehdr;

	if (ctx->size < 4 || memcmp(ctx->image, "\177ELF", 4) != 0)
		return fail(ctx, ELF_IMAGE_ENOEXEC, "not an ELF file");
	if (ctx->size > 4 && ctx->image[ELF_EI_CLASS] == ELF_CLASS32)
		return fail(ctx, ELF_IMAGE_ENOEXEC,
			    "32-bit ELF: only x86-64 PV kernels are supported");
	if (!read_bytes(ctx, 0, &ctx->ehdr, sizeof(ctx->ehdr)))
		return fail(ctx, ELF_IMAGE_ENOEXEC,
			    "file too small for an ELF64 header (%zu bytes)",
			    ctx->size);
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
		return fail(ctx, ELF_IMAGE_ENOEXEC, "unknown ELF class %u",
			    eh->e_ident[ELF_EI_CLASS]);
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA_LSB)
		return fail(ctx, ELF_IMAGE_ENOEXEC,
			    "big-endian ELF: only x86-64 PV kernels are supported");
	if (eh->e_machine != ELF_EM_X86_64)
		return fail(ctx, ELF_IMAGE_ENOEXEC,
			    "ELF machine %u is not x86-64", eh->e_machine);
	if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
		return fail(ctx, ELF_IMAGE_ENOEXEC,
			    "ELF type %u is not an executable", eh->e_type);
	return 0;
}

/* Check that the program and section header tables lie inside the file. */
static int check_header_tables(struct parse_ctx *ctx)
{
	const struct elf64_ehdr *eh = &ctx->ehdr;

	if (eh->e_phnum == 0)
		return fail(ctx, ELF_IMAGE_EINVAL, "no program headers");
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "e_phentsize is %u, expected %zu", eh->e_phentsize,
			    sizeof(struct elf64_phdr));
	if (!in_file(ctx, eh->e_phoff,
		     (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr)))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "program header table (offset 0x%llx, %u entries) "
			    "outside the file", (unsigned long long)eh->e_phoff,
			    eh->e_phnum);
	if (eh->e_shnum == 0 || eh->e_shoff == 0)
		return 0;
	if (eh->e_shentsize != sizeof(struct elf64_shdr))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "e_shentsize is %u, expected %zu", eh->e_shentsize,
			    sizeof(struct elf64_shdr));
	if (!in_file(ctx, eh->e_shoff,
		     (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr)))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "section header table (offset 0x%llx, %u entries) "
			    "outside the file", (unsigned long long)eh->e_shoff,
			    eh->e_shnum);
	return 0;
}

/* Program header i; the table was bounds-checked by check_header_tables(). */
static void get_phdr(const struct parse_ctx *ctx, unsigned i,
		     struct elf64_phdr *ph)
{
	read_bytes(ctx, ctx->ehdr.e_phoff + (uint64_t)i * sizeof(*ph), ph,
		   sizeof(*ph));
}

/* Section header i; the table was bounds-checked by check_header_tables(). */
static void get_shdr(const struct parse_ctx *ctx, unsigned i,
		     struct elf64_shdr *sh)
{
	read_bytes(ctx, ctx->ehdr.e_shoff + (uint64_t)i * sizeof(*sh), sh,
		   sizeof(*sh));
}

/* Feature names FEATURES may use, indexed by feature bit number. */
static const char *const feature_names[] = {
	[PV_FEAT_WRITABLE_PAGE_TABLES] = "writable_page_tables",
	[PV_FEAT_WRITABLE_DESCRIPTOR_TABLES] = "writable_descriptor_tables",
	[PV_FEAT_AUTO_TRANSLATED_PHYSMAP] = "auto_translated_physmap",
	[PV_FEAT_SUPERVISOR_MODE_KERNEL] = "supervisor_mode_kernel",
	[PV_FEAT_PAE_PGDIR_ABOVE_4GB] = "pae_pgdir_above_4gb",
	[PV_FEAT_HVM_CALLBACK_VECTOR] = "hvm_callback_vector",
	[PV_FEAT_DOM0] = "dom0",
};

/* Bit number of the feature named name[0..len), or -1 if unknown. */
static int feature_bit(const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < ARRAY_SIZE(feature_names); i++) {
		const char *known = feature_names[i];

		if (known && strlen(known) == len && memcmp(known, name, len) == 0)
			return (int)i;
	}
	return -1;
}

/* Apply one FEATURES token ("name" or "!name"). */
static int apply_feature(struct parse_ctx *ctx, const uint8_t *tok, size_t len)
{
	bool required = len > 0 && tok[0] == '!';
	int bit;

	if (required) {
		tok++;
		len--;
	}
	if (len == 0)
		return 0;
	bit = feature_bit(tok, len);
	if (bit < 0) {
		char name[48];

		if (!required)
			return 0;
		copy_bounded(name, sizeof(name), tok, len);
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "kernel requires unknown feature '%s'", name);
	}
	ctx->out->features_supported |= 1u << bit;
	if (required)
		ctx->out->features_required |= 1u << bit;
	return 0;
}

/* Parse a FEATURES string: '|'-separated names, '!' = required. */
static int parse_features(struct parse_ctx *ctx, const uint8_t *p,
			  uint32_t descsz)
{
	size_t len = bounded_strlen(p, descsz), start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == '|') {
			int rc = apply_feature(ctx, p + start, i - start);

			if (rc)
				return rc;
			start = i + 1;
		}
	}
	return 0;
}

/* Numeric note value; fails for sizes other than 1, 2, 4 or 8 bytes. */
static int note_number(struct parse_ctx *ctx, uint32_t type, const uint8_t *desc,
		       uint32_t descsz, uint64_t *val)
{
	if (!read_numeric(desc, descsz, val))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "Xen note %u has a %u-byte value (expected 1, 2, 4 "
			    "or 8)", type, descsz);
	return 0;
}

/* Store a numeric note that the loader uses. */
static int apply_numeric_note(struct parse_ctx *ctx, uint32_t type,
			      const uint8_t *desc, uint32_t descsz)
{
	struct elf_image *out = ctx->out;
	uint64_t val = 0;
	int rc = note_number(ctx, type, desc, descsz, &val);

	if (rc)
		return rc;
	switch (type) {
	case PV_NOTE_ENTRY:
		out->entry = val;
		out->has_entry = true;
		break;
	case PV_NOTE_HYPERCALL_PAGE:
		out->hypercall_page = val;
		out->has_hypercall_page = true;
		break;
	case PV_NOTE_VIRT_BASE:
		out->virt_base = val;
		out->has_virt_base = true;
		break;
	case PV_NOTE_PADDR_OFFSET:
		out->paddr_offset = val;
		out->has_paddr_offset = true;
		break;
	case PV_NOTE_INIT_P2M:
		out->init_p2m = val;
		out->has_init_p2m = true;
		break;
	case PV_NOTE_MOD_START_PFN:
		out->mod_start_pfn = val != 0;
		break;
	}
	return 0;
}

/* Apply one Xen note of the given type; unknown and unused types are
 * ignored (their size is not checked either). */
static int apply_note(struct parse_ctx *ctx, uint32_t type, const uint8_t *desc,
		      uint32_t descsz)
{
	struct elf_image *out = ctx->out;

	switch (type) {
	case PV_NOTE_ENTRY:
	case PV_NOTE_HYPERCALL_PAGE:
	case PV_NOTE_VIRT_BASE:
	case PV_NOTE_PADDR_OFFSET:
	case PV_NOTE_INIT_P2M:
	case PV_NOTE_MOD_START_PFN:
		return apply_numeric_note(ctx, type, desc, descsz);
	case PV_NOTE_XEN_VERSION:
		copy_string(out->xen_version, desc, descsz);
		break;
	case PV_NOTE_GUEST_OS:
		copy_string(out->guest_os, desc, descsz);
		break;
	case PV_NOTE_GUEST_VERSION:
		copy_string(out->guest_version, desc, descsz);
		break;
	case PV_NOTE_LOADER:
		copy_string(out->loader, desc, descsz);
		break;
	case PV_NOTE_FEATURES:
		return parse_features(ctx, desc, descsz);
	case PV_NOTE_SUPPORTED_FEATURES:
		if (descsz >= 4)
			out->features_supported |= (uint32_t)desc[0] |
				(uint32_t)desc[1] << 8 | (uint32_t)desc[2] << 16 |
				(uint32_t)desc[3] << 24;
		out->has_supported_features = true;
		break;
	case PV_NOTE_BSD_SYMTAB:
		out->has_bsd_symtab = bounded_strlen(desc, descsz) == 3 &&
				      memcmp(desc, "yes", 3) == 0;
		break;
	}
	return 0;
}

/* True if the note name n[0..namesz) is "Xen" (NUL-terminated). */
static bool is_xen_name(const uint8_t *n, uint32_t namesz)
{
	return namesz >= 4 && memcmp(n, "Xen", 4) == 0;
}

/* Round a 32-bit note field up to 4 bytes, in 64 bits (cannot overflow). */
static uint64_t pad4(uint32_t v)
{
	return ((uint64_t)v + 3) & ~3ull;
}

/*
 * Walk the notes in [off, off+len) (inside the file). what/index name the
 * area in messages. Trailing bytes too short for a note header are ignored;
 * a note whose name or value runs past the area is an error.
 */
static int parse_note_area(struct parse_ctx *ctx, uint64_t off, uint64_t len,
			   const char *what, unsigned index)
{
	uint64_t pos = 0;

	while (len - pos >= sizeof(struct elf64_nhdr)) {
		struct elf64_nhdr nh;
		uint64_t name_off, desc_off, left;

		read_bytes(ctx, off + pos, &nh, sizeof(nh));
		left = len - pos - sizeof(nh);
		if (pad4(nh.n_namesz) > left ||
		    nh.n_descsz > left - pad4(nh.n_namesz))
			return fail(ctx, ELF_IMAGE_EINVAL,
				    "truncated ELF note at offset 0x%llx in %s %u",
				    (unsigned long long)(off + pos), what, index);
		name_off = off + pos + sizeof(nh);
		desc_off = name_off + pad4(nh.n_namesz);
		if (is_xen_name(ctx->image + name_off, nh.n_namesz)) {
			int rc = apply_note(ctx, nh.n_type,
					    ctx->image + desc_off, nh.n_descsz);
			if (rc)
				return rc;
			ctx->xen_notes++;
		}
		pos += sizeof(nh) + pad4(nh.n_namesz);
		pos += (pad4(nh.n_descsz) <= len - pos) ? pad4(nh.n_descsz)
							: len - pos;
	}
	return 0;
}

/* Parse the notes of every PT_NOTE program header. */
static int parse_note_segments(struct parse_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->ehdr.e_phnum; i++) {
		struct elf64_phdr ph;
		int rc;

		get_phdr(ctx, i, &ph);
		if (ph.p_type != ELF_PT_NOTE || ph.p_offset == 0)
			continue;
		if (!in_file(ctx, ph.p_offset, ph.p_filesz))
			return fail(ctx, ELF_IMAGE_EINVAL,
				    "note segment %u extends past the end of the "
				    "file", i);
		rc = parse_note_area(ctx, ph.p_offset, ph.p_filesz, "segment", i);
		if (rc)
			return rc;
	}
	return 0;
}

/* Parse the notes of every SHT_NOTE section (the fallback). */
static int parse_note_sections(struct parse_ctx *ctx)
{
	if (ctx->ehdr.e_shnum == 0 || ctx->ehdr.e_shoff == 0)
		return 0;
	for (unsigned i = 1; i < ctx->ehdr.e_shnum; i++) {
		struct elf64_shdr sh;
		int rc;

		get_shdr(ctx, i, &sh);
		if (sh.sh_type != ELF_SHT_NOTE)
			continue;
		if (!in_file(ctx, sh.sh_offset, sh.sh_size))
			return fail(ctx, ELF_IMAGE_EINVAL,
				    "note section %u extends past the end of the "
				    "file", i);
		rc = parse_note_area(ctx, sh.sh_offset, sh.sh_size, "section", i);
		if (rc)
			return rc;
	}
	return 0;
}

/* Find the Xen notes (PT_NOTE first, then SHT_NOTE) and check the
 * mandatory ones. */
static int parse_notes(struct parse_ctx *ctx)
{
	struct elf_image *out = ctx->out;
	int rc = parse_note_segments(ctx);

	if (rc)
		return rc;
	if (ctx->xen_notes == 0) {
		rc = parse_note_sections(ctx);
		if (rc)
			return rc;
		out->notes_from_sections = ctx->xen_notes != 0;
	}
	if (ctx->xen_notes == 0)
		return fail(ctx, ELF_IMAGE_ENOEXEC,
			    "no Xen ELF notes: not a Xen PV kernel");
	if (strncmp(out->loader, "generic", 7) != 0 &&
	    strncmp(out->guest_os, "linux", 5) != 0)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "neither LOADER \"generic\" nor GUEST_OS \"linux\" "
			    "(LOADER \"%s\", GUEST_OS \"%s\")", out->loader,
			    out->guest_os);
	if (strncmp(out->xen_version, "xen-3.0", 7) != 0)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "XEN_VERSION \"%s\" does not begin with \"xen-3.0\"",
			    out->xen_version);
	if (out->has_paddr_offset && !out->has_virt_base)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "PADDR_OFFSET is set but VIRT_BASE is not");
	if (out->virt_base & (PV_PAGE_SIZE - 1))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "VIRT_BASE 0x%llx is not page aligned",
			    (unsigned long long)out->virt_base);
	return 0;
}

/* True if a program header describes bytes to load (as Xen decides). */
static bool phdr_is_loadable(const struct elf64_phdr *ph)
{
	return ph->p_type == ELF_PT_LOAD &&
	       (ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X)) != 0;
}

/* Check one PT_LOAD header (phdr index i) and append its segment. */
static int add_segment(struct parse_ctx *ctx, unsigned i,
		       const struct elf64_phdr *ph)
{
	struct elf_image *out = ctx->out;
	struct elf_image_segment *seg;
	uint64_t vaddr = ph->p_paddr + out->virt_base - out->paddr_offset;

	if (ph->p_filesz > ph->p_memsz)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "segment %u: file size 0x%llx exceeds memory size "
			    "0x%llx", i, (unsigned long long)ph->p_filesz,
			    (unsigned long long)ph->p_memsz);
	if (!in_file(ctx, ph->p_offset, ph->p_filesz))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "segment %u extends past the end of the file", i);
	if (ph->p_memsz == 0)
		return 0;
	if (vaddr + ph->p_memsz <= vaddr)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "segment %u wraps around the address space", i);
	if (!pv_va_range_is_guest(vaddr, ph->p_memsz))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "segment %u [0x%llx,+0x%llx) is non-canonical or in "
			    "the hypervisor's range", i,
			    (unsigned long long)vaddr,
			    (unsigned long long)ph->p_memsz);
	if (out->nr_segments == ELF_IMAGE_MAX_SEGMENTS)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "more than %u loadable segments",
			    ELF_IMAGE_MAX_SEGMENTS);
	seg = &out->segments[out->nr_segments++];
	seg->vaddr = vaddr;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->memsz = ph->p_memsz;
	seg->flags = ph->p_flags;
	return 0;
}

/* Collect the loadable segments; phdr_index[] remembers where each came
 * from, for messages. */
static int collect_segments(struct parse_ctx *ctx, unsigned *phdr_index)
{
	for (unsigned i = 0; i < ctx->ehdr.e_phnum; i++) {
		struct elf64_phdr ph;
		unsigned before = ctx->out->nr_segments;
		int rc;

		get_phdr(ctx, i, &ph);
		if (!phdr_is_loadable(&ph))
			continue;
		rc = add_segment(ctx, i, &ph);
		if (rc)
			return rc;
		if (ctx->out->nr_segments != before)
			phdr_index[before] = i;
	}
	if (ctx->out->nr_segments == 0)
		return fail(ctx, ELF_IMAGE_EINVAL, "no loadable segments");
	return 0;
}

/* Reject any two segments whose memory ranges intersect. */
static int check_overlaps(struct parse_ctx *ctx, const unsigned *phdr_index)
{
	const struct elf_image *out = ctx->out;

	for (unsigned a = 0; a < out->nr_segments; a++) {
		for (unsigned b = a + 1; b < out->nr_segments; b++) {
			const struct elf_image_segment *sa = &out->segments[a];
			const struct elf_image_segment *sb = &out->segments[b];

			if (sa->vaddr < sb->vaddr + sb->memsz &&
			    sb->vaddr < sa->vaddr + sa->memsz)
				return fail(ctx, ELF_IMAGE_EINVAL,
					    "segments %u and %u overlap",
					    phdr_index[a], phdr_index[b]);
		}
	}
	return 0;
}

/* Compute the loaded extent and check its size against virt_base. */
static int compute_extent(struct parse_ctx *ctx)
{
	struct elf_image *out = ctx->out;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned i = 0; i < out->nr_segments; i++) {
		const struct elf_image_segment *s = &out->segments[i];

		if (s->vaddr < lo)
			lo = s->vaddr;
		if (s->vaddr + s->memsz > hi)
			hi = s->vaddr + s->memsz;
	}
	if (hi - lo > ELF_IMAGE_MAX_SPAN)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "image spans 0x%llx bytes, more than the 1 GiB limit",
			    (unsigned long long)(hi - lo));
	out->load_start = lo;
	out->load_end = hi;
	out->virt_kstart = lo & ~(PV_PAGE_SIZE - 1);
	out->virt_kend = (hi + PV_PAGE_SIZE - 1) & ~(PV_PAGE_SIZE - 1);
	if (out->virt_kend == 0 ||
	    !pv_va_range_is_guest(out->virt_kstart,
				  out->virt_kend - out->virt_kstart))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "image pages [0x%llx,0x%llx) are not usable guest "
			    "addresses", (unsigned long long)out->virt_kstart,
			    (unsigned long long)out->virt_kend);
	if (out->virt_base > out->load_start)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "VIRT_BASE 0x%llx is above the image start 0x%llx",
			    (unsigned long long)out->virt_base,
			    (unsigned long long)out->load_start);
	return 0;
}

/* Check ENTRY, HYPERCALL_PAGE and INIT_P2M against the extent. */
static int check_addresses(struct parse_ctx *ctx)
{
	struct elf_image *out = ctx->out;

	if (!out->has_entry)
		out->entry = ctx->ehdr.e_entry;
	if (out->entry < out->load_start || out->entry >= out->load_end)
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "entry point 0x%llx outside the image [0x%llx,0x%llx)",
			    (unsigned long long)out->entry,
			    (unsigned long long)out->load_start,
			    (unsigned long long)out->load_end);
	if (out->has_hypercall_page &&
	    ((out->hypercall_page & (PV_PAGE_SIZE - 1)) ||
	     out->hypercall_page < out->virt_kstart ||
	     out->hypercall_page >= out->virt_kend))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "hypercall page 0x%llx is not a page inside the "
			    "image [0x%llx,0x%llx)",
			    (unsigned long long)out->hypercall_page,
			    (unsigned long long)out->virt_kstart,
			    (unsigned long long)out->virt_kend);
	if (out->has_init_p2m &&
	    ((out->init_p2m & (PV_PAGE_SIZE - 1)) ||
	     !pv_va_range_is_guest(out->init_p2m, PV_PAGE_SIZE) ||
	     (out->init_p2m >= out->virt_kstart &&
	      out->init_p2m < out->virt_kend)))
		return fail(ctx, ELF_IMAGE_EINVAL,
			    "INIT_P2M 0x%llx is unaligned, not a guest address, "
			    "or inside the image",
			    (unsigned long long)out->init_p2m);
	return 0;
}

int elf_image_parse(const void *image, size_t size, struct elf_image *out,
		    char *err, size_t errlen)
{
	struct parse_ctx ctx = {
		.image = image, .size = size, .out = out,
		.err = err, .errlen = errlen,
	};
	unsigned phdr_index[ELF_IMAGE_MAX_SEGMENTS];
	int rc;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (!image)
		return fail(&ctx, ELF_IMAGE_ENOEXEC, "not an ELF file");
	rc = check_ehdr(&ctx);
	if (!rc)
		rc = check_header_tables(&ctx);
	if (!rc)
		rc = parse_notes(&ctx);
	if (!rc)
		rc = collect_segments(&ctx, phdr_index);
	if (!rc)
		rc = check_overlaps(&ctx, phdr_index);
	if (!rc)
		rc = compute_extent(&ctx);
	if (!rc)
		rc = check_addresses(&ctx);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}
