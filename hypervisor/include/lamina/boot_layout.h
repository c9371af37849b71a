/*
 * Start-of-day virtual layout of a new PV domain (Xen's x86-64 PV boot
 * protocol), computed as Xen's dom0 builder (xen/arch/x86/pv/dom0_build.c)
 * and libxenguest (tools/libs/guest/xg_dom_x86.c, xg_dom_core.c) do.
 *
 * From v_start = VIRT_BASE, every element page aligned, in order:
 *
 *   [kern_start, kern_end)          the kernel image (page-rounded)
 *   [initrd_start, initrd_end)      the initrd, page-rounded; empty if there
 *                                   is none or if MOD_START_PFN asks for it
 *                                   unmapped
 *   [p2m_start, p2m_end)            the p2m list, nr_pages * 8 bytes,
 *                                   page-rounded (absent here with INIT_P2M)
 *   [start_info_start, +4 KiB)      start_info (dom0: vga console info follows
 *                                   it in the same page)
 *   [xenstore_start, +4 KiB)        domU only: xenstore ring page
 *   [console_start, +4 KiB)         domU only: console ring page
 *   [pt_start, pt_end)              bootstrap page tables: the L4, then the
 *                                   L3s, L2s and L1s mapping [v_start, v_end)
 *                                   with 4 KiB pages (nr_pt_frames of them,
 *                                   the smallest count that maps itself)
 *   [stack_start, stack_end)        one boot stack page
 *   v_end                           rounded up to 4 MiB, at least 512 KiB
 *                                   after stack_end
 *
 * [v_start, v_end) is mapped to pfns 0.. in order: pfn = (va - v_start) / 4K.
 * Behind it, in pfn order (libxenguest's order):
 *   - an unmapped initrd (MOD_START_PFN): initrd_pfn, nr_initrd_pages
 *     (start_info.mod_start is then this pfn, flag SIF_MOD_START_PFN);
 *   - with INIT_P2M: the p2m list's frames (mapped at VA init_p2m), then the
 *     L3/L2/L1 tables that map it (the L4 is shared). start_info's
 *     first_p2m_pfn / nr_p2m_frames cover both; nr_pt_frames does not.
 *
 * Errors: the layout needs more pages than the domain has, or an address
 * wraps, is non-canonical or falls in the hypervisor's range, or INIT_P2M
 * overlaps [v_start, v_end). Pure logic: tested on the host.
 */
#ifndef LAMINA_BOOT_LAYOUT_H
#define LAMINA_BOOT_LAYOUT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/elf_image.h"

/* Error returns: negative Xen errno values. */
#define PV_LAYOUT_ENOMEM  (-12)  /* the domain is too small */
#define PV_LAYOUT_EINVAL  (-22)  /* inconsistent image or addresses */

/*
 * The page tables of one level for one mapped area. Level 0 holds the L1
 * tables (each maps 2 MiB), 1 the L2s (1 GiB), 2 the L3s (512 GiB), 3 the
 * L4. Table k (0 <= k < count) covers VAs whose (va >> shift) equals
 * first + k, where shift = 21, 30, 39 for levels 0..2, and lives at pfn + k.
 */
struct pv_boot_pt_level {
	uint64_t first;
	uint64_t count;
	uint64_t pfn;
};

struct pv_boot_layout {
	bool is_initial_domain;
	bool initrd_mapped;       /* initrd inside [v_start, v_end) */
	bool p2m_separate;        /* INIT_P2M: p2m list mapped outside it */

	uint64_t v_start, v_end;
	uint64_t kern_start, kern_end;
	uint64_t initrd_start, initrd_end;       /* equal (kern_end) if not mapped */
	uint64_t p2m_start, p2m_end;             /* VA of the p2m (mfn_list) */
	uint64_t start_info_start, start_info_end;
	uint64_t xenstore_start, xenstore_end;   /* 0 for the initial domain */
	uint64_t console_start, console_end;     /* 0 for the initial domain */
	uint64_t pt_start, pt_end;
	uint64_t stack_start, stack_end;

	uint64_t nr_pt_frames;        /* start_info.nr_pt_frames */
	uint64_t kern_pfn;
	uint64_t initrd_pfn;          /* also when unmapped (after v_end) */
	uint64_t nr_initrd_pages;     /* 0 if no initrd */
	uint64_t p2m_pfn;
	uint64_t nr_p2m_pages;        /* frames of the p2m list itself */
	uint64_t start_info_pfn;
	uint64_t xenstore_pfn;        /* 0 for the initial domain */
	uint64_t console_pfn;         /* 0 for the initial domain */
	uint64_t pt_pfn;              /* the L4; start_info.pt_base = pt_start */
	uint64_t stack_pfn;

	uint64_t p2m_pt_pfn;          /* INIT_P2M only: tables mapping the p2m */
	uint64_t nr_p2m_pt_frames;
	uint64_t first_p2m_pfn;       /* start_info fields; 0 without INIT_P2M */
	uint64_t nr_p2m_frames;

	uint64_t nr_initial_pfns;     /* (v_end - v_start) / 4 KiB */
	uint64_t nr_pfns_used;        /* every pfn above is below this */

	struct pv_boot_pt_level init_pt[4];  /* tables for [v_start, v_end) */
	struct pv_boot_pt_level p2m_pt[4];   /* extra tables for INIT_P2M */
};

/*
 * Compute the layout for img in a domain of nr_pages pages with an initrd
 * of initrd_len bytes (0 = none). 0, or PV_LAYOUT_E* with a reason in err.
 */
int pv_boot_layout_compute(const struct elf_image *img, uint64_t nr_pages,
			   bool is_initial_domain, uint64_t initrd_len,
			   struct pv_boot_layout *out, char *err, size_t errlen);

#endif
