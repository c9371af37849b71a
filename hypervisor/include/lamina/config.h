/*
 * The hypervisor's virtual memory layout and build-wide constants.
 *
 * Lamina owns L4 slots 256-271 (0xFFFF800000000000-0xFFFF87FFFFFFFFFF) of every
 * address space, exactly the range Xen reserves for itself in 64-bit PV guests;
 * everything else belongs to the guest. Inside that range we follow Xen's
 * placement where a guest can see it (the read-only M2P at the very start) and
 * pick our own, documented, addresses elsewhere.
 */
#ifndef LAMINA_CONFIG_H
#define LAMINA_CONFIG_H

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define PAGE_SHIFT          12
#define PAGE_SIZE           (_UL(1) << PAGE_SHIFT)
#define PAGE_MASK           (~(PAGE_SIZE - 1))

#define HV_VIRT_START       _UL(0xFFFF800000000000)  /* first byte Lamina owns */
#define HV_VIRT_END         _UL(0xFFFF880000000000)  /* first byte past it */
#define HV_FIRST_L4_SLOT    256
#define HV_NR_L4_SLOTS      16

/* Slot 256: the machine-to-phys table, mapped read-only and user-visible. */
#define M2P_RO_VIRT_START   _UL(0xFFFF800000000000)
#define M2P_RO_VIRT_END     _UL(0xFFFF804000000000)

/* Slot 261: the hypervisor image: VA = HV_IMAGE_VIRT_BASE + physical address. */
#define HV_IMAGE_VIRT_BASE  _UL(0xFFFF82D080000000)
#define HV_LOAD_PHYS        _UL(0x200000)

/* Slots 262-271: every machine frame, mapped at DIRECTMAP_VIRT_START + maddr. */
#define DIRECTMAP_VIRT_START _UL(0xFFFF830000000000)
#define DIRECTMAP_VIRT_END   _UL(0xFFFF880000000000)

/* Per-CPU hypervisor stack: the guest-state frame sits at its top. */
#define HV_STACK_ORDER      2                      /* 4 pages */
#define HV_STACK_SIZE       (PAGE_SIZE << HV_STACK_ORDER)
#define HV_IST_STACK_SIZE   PAGE_SIZE

/* Hypervisor version reported to guests: Lamina speaks Xen 4.17's ABI. */
#define LAMINA_XEN_MAJOR    4
#define LAMINA_XEN_MINOR    17
#define LAMINA_EXTRAVERSION ".0-lamina"

/* Hardware GDT selectors (Xen's reserved GDT entries start at 0xe000). */
#define HV_CS               0xe008      /* ring-0 64-bit code */
#define HV_DS               0xe010      /* ring-0 data */
#define HV_TSS_SEL          0xe040      /* 16-byte TSS descriptor */
#define HV_LDT_SEL          0xe050      /* 16-byte LDT descriptor (later) */
#define GDT_FIRST_RESERVED  0x1c00      /* entry index of 0xe000 */
#define GDT_NR_ENTRIES      (0x10000 / 8)

/* Ending the run: a status from lamina/run_end.h, written to this port. */
#define DEBUG_EXIT_PORT     0xf4
#include <lamina/run_end.h>

#ifndef __ASSEMBLY__
#include <stdint.h>
typedef uint64_t paddr_t;

static inline void *maddr_to_virt(paddr_t ma)
{
	return (void *)(DIRECTMAP_VIRT_START + ma);
}

static inline void *mfn_to_virt(uint64_t mfn)
{
	return maddr_to_virt(mfn << PAGE_SHIFT);
}

static inline paddr_t virt_to_maddr(const void *va)
{
	uint64_t v = (uint64_t)va;
	if (v >= HV_IMAGE_VIRT_BASE && v < DIRECTMAP_VIRT_START)
		return v - HV_IMAGE_VIRT_BASE;
	return v - DIRECTMAP_VIRT_START;
}

/* A canonical address has bits 63..47 all equal. */
static inline int is_canonical(uint64_t va)
{
	return ((int64_t)va >> 47) == 0 || ((int64_t)va >> 47) == -1;
}
#endif

#endif
