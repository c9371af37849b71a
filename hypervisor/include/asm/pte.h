/*
 * x86-64 page-table entry bits: the one set of names the hypervisor uses,
 * for its own tables (paging.c) and for validating guests' (pt_validate.c).
 */
#ifndef ASM_PTE_H
#define ASM_PTE_H

#define PTE_PRESENT   (1UL << 0)
#define PTE_WRITE     (1UL << 1)
#define PTE_USER      (1UL << 2)
#define PTE_PWT       (1UL << 3)
#define PTE_PCD       (1UL << 4)
#define PTE_ACCESSED  (1UL << 5)
#define PTE_DIRTY     (1UL << 6)
#define PTE_PSE       (1UL << 7)    /* PAT in an L1 entry */
#define PTE_GLOBAL    (1UL << 8)
#define PTE_NX_BIT    (1UL << 63)
#define PTE_MFN_MASK  0x000ffffffffff000UL
#define PTE_HIGH_RSVD 0x7ff0000000000000UL  /* bits 52-62 */

#endif
