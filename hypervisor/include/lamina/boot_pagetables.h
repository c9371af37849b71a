/*
 * Bootstrap page tables of a new PV domain.
 *
 * pv_boot_pagetables_write() fills the page-table frames chosen by
 * pv_boot_layout_compute(): it maps [v_start, v_end) onto pfns 0.. and, with
 * INIT_P2M, the p2m area onto the p2m frames, all with 4 KiB pages, and
 * copies the hypervisor's 16 L4 entries (slots 256..271) into the L4.
 *
 * Entry flags, as Xen's builders write them (xg_dom_x86.c, dom0_build.c):
 *   L4/L3/L2 entries          P|RW|A|D|USER
 *   L1 entries, data pages    P|RW|A|USER
 *   L1 entries, page tables   P|A|USER  (read-only: the guest never gets a
 *                                        writable mapping of a page table)
 * (Xen's builder writes L1 entries without USER and Xen forces USER on every
 * 64-bit PV L1 entry when it validates them; it is written here directly.)
 * Every other entry is zero. Pure logic: machine frames are reached only
 * through the map_frame callback, so it is tested on the host.
 */
#ifndef LAMINA_BOOT_PAGETABLES_H
#define LAMINA_BOOT_PAGETABLES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/frame_alloc.h"
#include "lamina/boot_layout.h"

#define PV_PTE_PRESENT   0x001ull
#define PV_PTE_RW        0x002ull
#define PV_PTE_USER      0x004ull
#define PV_PTE_ACCESSED  0x020ull
#define PV_PTE_DIRTY     0x040ull
#define PV_PTE_MFN_MASK  0x000FFFFFFFFFF000ull   /* bits 12..51 */

#define PV_PTE_UPPER      (PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_ACCESSED | \
			   PV_PTE_DIRTY | PV_PTE_USER)
#define PV_PTE_L1_DATA    (PV_PTE_PRESENT | PV_PTE_RW | PV_PTE_ACCESSED | \
			   PV_PTE_USER)
#define PV_PTE_L1_TABLE   (PV_PTE_PRESENT | PV_PTE_ACCESSED | PV_PTE_USER)

/* The hypervisor's L4 slots, copied into every guest L4. */
#define PV_XEN_L4_FIRST_SLOT  256
#define PV_XEN_L4_SLOTS       16

#define PV_BOOT_PT_EINVAL  (-22)  /* p2m too short, or an mfn too large */
#define PV_BOOT_PT_EFAULT  (-14)  /* map_frame returned NULL */

/* Returns a writable pointer to the 4 KiB machine frame mfn, or NULL. */
typedef void *(*pv_map_frame_fn)(void *ctx, mfn_t mfn);

/* True if pfn holds one of the layout's page tables (initial or p2m). */
bool pv_boot_pfn_is_pagetable(const struct pv_boot_layout *layout,
			      uint64_t pfn);

/*
 * Write the tables. p2m[pfn] is the machine frame of each pfn; p2m_len must
 * be at least layout->nr_pfns_used. xen_l4e[] holds the entries for L4
 * slots 256..271. On success returns 0 and sets *l4_mfn to the L4's frame
 * (p2m[layout->pt_pfn]); on error returns PV_BOOT_PT_E*.
 */
int pv_boot_pagetables_write(const struct pv_boot_layout *layout,
			     const mfn_t *p2m, uint64_t p2m_len,
			     pv_map_frame_fn map_frame, void *ctx,
			     const uint64_t xen_l4e[PV_XEN_L4_SLOTS],
			     mfn_t *l4_mfn);

#endif
