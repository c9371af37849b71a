/*
 * PV kernel image parser: ELF64 x86-64 headers plus Xen's ELF notes.
 *
 * elf_image_parse() checks a kernel image held in memory and describes where
 * it wants to be loaded, following the rules Xen's libelf applies
 * (xen/common/libelf/libelf-dominfo.c, libelf-loader.c) for 64-bit PV:
 *
 *   - Notes come from PT_NOTE program headers (one with p_offset 0 is skipped,
 *     as Xen does); only if none holds a Xen note, from SHT_NOTE sections.
 *     A Xen note has the name "Xen". Numeric notes may be 1, 2, 4 or 8 bytes
 *     (little-endian). Unknown note types are ignored. A later note of the
 *     same type overrides an earlier one.
 *   - Mandatory: at least one Xen note, XEN_VERSION beginning "xen-3.0", and
 *     LOADER beginning "generic" or GUEST_OS beginning "linux".
 *   - VIRT_BASE defaults to 0, PADDR_OFFSET to 0; PADDR_OFFSET without
 *     VIRT_BASE is an error. A segment loads at
 *         p_paddr + VIRT_BASE - PADDR_OFFSET
 *     (Xen uses p_paddr, not p_vaddr). VIRT_BASE may not lie above the lowest
 *     segment and must be page aligned.
 *   - ENTRY defaults to e_entry and must lie in the loaded extent.
 *     HYPERCALL_PAGE, if given, must be a whole page inside the image.
 *     INIT_P2M, if given, must be page aligned, canonical and outside the image.
 *   - FEATURES is a '|'-separated list of names; a '!' prefix marks a feature
 *     the kernel requires. Unknown names are ignored unless required (error).
 *     SUPPORTED_FEATURES (a 32-bit bitmap) is ORed into features_supported.
 *
 * Also rejected: non-ELF, 32-bit or big-endian ELF, machine other than
 * x86-64, types other than ET_EXEC/ET_DYN (Xen does not check the type; an
 * ET_DYN image is loaded at its stated addresses, without relocation), bad
 * e_phentsize/e_shentsize, header tables or segment file ranges outside the
 * file, no loadable segment, more than ELF_IMAGE_MAX_SEGMENTS of them,
 * p_filesz > p_memsz, address wrap-around, overlapping segments,
 * non-canonical addresses, anything inside the hypervisor's virtual range,
 * and an image spanning more than ELF_IMAGE_MAX_SPAN bytes.
 * Not supported (Xen accepts them): the legacy "__xen_guest" section, and
 * BSD_SYMTAB symbol loading (the flag is reported, nothing is reserved).
 *
 * Loadable segments are PT_LOAD headers with any of R/W/X set and a nonzero
 * p_memsz. The parser never reads outside [image, image + size): the input
 * is untrusted. It returns 0, or ELF_IMAGE_ENOEXEC / ELF_IMAGE_EINVAL with a
 * one-line reason in err (always NUL-terminated when errlen > 0).
 *
 * Pure logic: no globals, no hardware access; tested on the host.
 */
#ifndef LAMINA_ELF_IMAGE_H
#define LAMINA_ELF_IMAGE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Error returns: negative Xen errno values (ENOEXEC 8, EINVAL 22). */
#define ELF_IMAGE_ENOEXEC  (-8)   /* not an x86-64 ELF PV kernel at all */
#define ELF_IMAGE_EINVAL   (-22)  /* a PV kernel, but malformed or inconsistent */

#define ELF_IMAGE_MAX_SEGMENTS  16
#define ELF_IMAGE_STR_MAX       32            /* note strings, with the NUL */
#define ELF_IMAGE_MAX_SPAN      (1ull << 30)  /* at most 1 GiB of image */

/* The hypervisor's own virtual range, L4 slots 256..271; no guest mapping
 * may touch it. */
#define PV_HYPERVISOR_VA_START  0xFFFF800000000000ull
#define PV_HYPERVISOR_VA_END    0xFFFF880000000000ull

#define PV_PAGE_SIZE  4096ull

/*
 * Xen ELF note types (the numbers of Xen's public elfnote.h, XEN_ELFNOTE_*).
 * Named PV_NOTE_* so this header can coexist with pv/elfnote.h.
 */
enum pv_note_type {
	PV_NOTE_INFO               = 0,
	PV_NOTE_ENTRY              = 1,
	PV_NOTE_HYPERCALL_PAGE     = 2,
	PV_NOTE_VIRT_BASE          = 3,
	PV_NOTE_PADDR_OFFSET       = 4,
	PV_NOTE_XEN_VERSION        = 5,
	PV_NOTE_GUEST_OS           = 6,
	PV_NOTE_GUEST_VERSION      = 7,
	PV_NOTE_LOADER             = 8,
	PV_NOTE_PAE_MODE           = 9,
	PV_NOTE_FEATURES           = 10,
	PV_NOTE_BSD_SYMTAB         = 11,
	PV_NOTE_HV_START_LOW       = 12,
	PV_NOTE_L1_MFN_VALID       = 13,
	PV_NOTE_SUSPEND_CANCEL     = 14,
	PV_NOTE_INIT_P2M           = 15,
	PV_NOTE_MOD_START_PFN      = 16,
	PV_NOTE_SUPPORTED_FEATURES = 17,
	PV_NOTE_PHYS32_ENTRY       = 18,
};

/* Feature bit numbers (Xen's public features.h, XENFEAT_*) that FEATURES
 * may name. */
enum pv_feature_bit {
	PV_FEAT_WRITABLE_PAGE_TABLES       = 0,
	PV_FEAT_WRITABLE_DESCRIPTOR_TABLES = 1,
	PV_FEAT_AUTO_TRANSLATED_PHYSMAP    = 2,
	PV_FEAT_SUPERVISOR_MODE_KERNEL     = 3,
	PV_FEAT_PAE_PGDIR_ABOVE_4GB        = 4,
	PV_FEAT_HVM_CALLBACK_VECTOR        = 8,
	PV_FEAT_DOM0                       = 11,
};

/* One loadable segment, addresses already translated to guest virtual. */
struct elf_image_segment {
	uint64_t vaddr;    /* p_paddr + virt_base - paddr_offset */
	uint64_t offset;   /* file offset of the p_filesz bytes to copy */
	uint64_t filesz;   /* bytes copied from the file */
	uint64_t memsz;    /* bytes occupied; [filesz, memsz) is zeroed */
	uint32_t flags;    /* ELF_PF_R / ELF_PF_W / ELF_PF_X */
};

struct elf_image {
	unsigned nr_segments;
	struct elf_image_segment segments[ELF_IMAGE_MAX_SEGMENTS];

	uint64_t entry;           /* ENTRY note, else e_entry */
	uint64_t virt_base;       /* VIRT_BASE note, else 0 */
	uint64_t paddr_offset;    /* PADDR_OFFSET note, else 0 */
	uint64_t load_start;      /* lowest segment vaddr (exact) */
	uint64_t load_end;        /* end of the highest segment (exact) */
	uint64_t virt_kstart;     /* load_start rounded down to a page */
	uint64_t virt_kend;       /* load_end rounded up to a page */
	uint64_t hypercall_page;  /* VA, 0 = none */
	uint64_t init_p2m;        /* VA for the p2m list, 0 = none */

	bool has_entry;           /* each: the note was present */
	bool has_virt_base;
	bool has_paddr_offset;
	bool has_hypercall_page;
	bool has_init_p2m;
	bool has_supported_features;
	bool has_bsd_symtab;      /* BSD_SYMTAB "yes" (not acted on) */
	bool mod_start_pfn;       /* MOD_START_PFN nonzero: initrd unmapped */
	bool notes_from_sections; /* notes came from SHT_NOTE, not PT_NOTE */

	uint32_t features_supported;  /* bit n = feature number n */
	uint32_t features_required;   /* subset of features_supported */

	char guest_os[ELF_IMAGE_STR_MAX];       /* truncated copies, NUL-ended */
	char guest_version[ELF_IMAGE_STR_MAX];
	char xen_version[ELF_IMAGE_STR_MAX];
	char loader[ELF_IMAGE_STR_MAX];
};

/* Parse and check image[0..size). 0 on success, else ELF_IMAGE_E* with a
 * reason in err. out is fully written either way (zeroed on error). */
int elf_image_parse(const void *image, size_t size, struct elf_image *out,
		    char *err, size_t errlen);

/* True if va is canonical (bits 63..47 all equal). */
static inline bool pv_va_is_canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1FFFF;
}

/*
 * True if [start, start+len) (len > 0) neither wraps, nor leaves canonical
 * space, nor touches the hypervisor's range.
 */
static inline bool pv_va_range_is_guest(uint64_t start, uint64_t len)
{
	uint64_t last = start + len - 1;

	if (len == 0 || last < start)
		return false;
	if (!pv_va_is_canonical(start) || !pv_va_is_canonical(last) ||
	    (start >> 47) != (last >> 47))
		return false;
	return last < PV_HYPERVISOR_VA_START || start >= PV_HYPERVISOR_VA_END;
}

#endif
