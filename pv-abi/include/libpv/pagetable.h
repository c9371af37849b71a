/*
 * x86-64 page-table entry bits, the one set of names for guests (libpv,
 * the guest kernel, test and bench guests). A PV guest writes these entries
 * through mmu_update / update_va_mapping; the hypervisor validates them.
 */
#ifndef LIBPV_PAGETABLE_H
#define LIBPV_PAGETABLE_H

#define PTE_P        0x001UL    /* present */
#define PTE_RW       0x002UL    /* writable */
#define PTE_US       0x004UL    /* user (forced on by the hypervisor for PV) */
#define PTE_PWT      0x008UL
#define PTE_PCD      0x010UL
#define PTE_A        0x020UL    /* accessed */
#define PTE_D        0x040UL    /* dirty */
#define PTE_PS       0x080UL    /* large page above L1; PAT in an L1 entry */
#define PTE_G        0x100UL    /* global */
#define PTE_NX       (1UL << 63)
#define PTE_MFN_MASK 0x000ffffffffff000UL

/* The machine frame an entry points at. */
#define PTE_MFN(e)   (((e) & PTE_MFN_MASK) >> 12)

#endif
