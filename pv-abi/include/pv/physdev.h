/*
 * Lamina PV ABI: HYPERVISOR_physdev_op(cmd, arg), a domain's access to
 * physical devices: I/O privilege, physical IRQs and their EOIs.
 * Only the commands a PV kernel uses at run time are given here; the PCI
 * management commands of the control domain are left out.
 */
#ifndef LAMINA_PV_PHYSDEV_H
#define LAMINA_PV_PHYSDEV_H

#include "xen.h"

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY  4   /* old form of EOI notification */
#define PHYSDEVOP_irq_status_query   5   /* struct physdev_irq_status_query */
#define PHYSDEVOP_set_iopl           6   /* struct physdev_set_iopl */
#define PHYSDEVOP_set_iobitmap       7   /* struct physdev_set_iobitmap */
#define PHYSDEVOP_apic_read          8   /* struct physdev_apic */
#define PHYSDEVOP_apic_write         9   /* struct physdev_apic */
#define PHYSDEVOP_alloc_irq_vector  10   /* struct physdev_irq */
#define PHYSDEVOP_free_irq_vector   11   /* struct physdev_irq */
#define PHYSDEVOP_eoi               12   /* struct physdev_eoi */
#define PHYSDEVOP_map_pirq          13   /* struct physdev_map_pirq */
#define PHYSDEVOP_unmap_pirq        14   /* struct physdev_unmap_pirq */
#define PHYSDEVOP_pirq_eoi_gmfn_v1  17   /* struct physdev_pirq_eoi_gmfn */
#define PHYSDEVOP_pirq_eoi_gmfn_v2  28   /* same, and unmask on EOI */
#define PHYSDEVOP_pirq_eoi_gmfn     PHYSDEVOP_pirq_eoi_gmfn_v2

/* physdev_irq_status_query.flags bits. */
#define _XENIRQSTAT_needs_eoi (0)
#define XENIRQSTAT_needs_eoi  (1U << _XENIRQSTAT_needs_eoi)  /* EOI needed */
#define _XENIRQSTAT_shared    (1)
#define XENIRQSTAT_shared     (1U << _XENIRQSTAT_shared)     /* IRQ is shared */

/* physdev_map_pirq.type values. */
#define MAP_PIRQ_TYPE_MSI       0x0
#define MAP_PIRQ_TYPE_GSI       0x1
#define MAP_PIRQ_TYPE_UNKNOWN   0x2
#define MAP_PIRQ_TYPE_MSI_SEG   0x3
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4

#ifndef __ASSEMBLY__

/* Signal the end of a physical IRQ's handling. */
struct physdev_eoi {
	uint32_t irq;
};
typedef struct physdev_eoi physdev_eoi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_eoi_t);

/* A page holding one bit per PIRQ that needs an EOI. */
struct physdev_pirq_eoi_gmfn {
	xen_pfn_t gmfn;
};
typedef struct physdev_pirq_eoi_gmfn physdev_pirq_eoi_gmfn_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pirq_eoi_gmfn_t);

/* Ask how an IRQ must be handled. */
struct physdev_irq_status_query {
	uint32_t irq;               /* in */
	uint32_t flags;             /* out: XENIRQSTAT_* */
};
typedef struct physdev_irq_status_query physdev_irq_status_query_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_status_query_t);

/* Set the virtual I/O privilege level (0-3) of the calling vCPU. */
struct physdev_set_iopl {
	uint32_t iopl;
};
typedef struct physdev_set_iopl physdev_set_iopl_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iopl_t);

/* Give the vCPU an I/O permission bitmap for ports 0 .. nr_ports-1. */
struct physdev_set_iobitmap {
	XEN_GUEST_HANDLE(uint8) bitmap;
	uint32_t nr_ports;
};
typedef struct physdev_set_iobitmap physdev_set_iobitmap_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iobitmap_t);

/* Read or write an IO-APIC register. */
struct physdev_apic {
	unsigned long apic_physbase;
	uint32_t reg;
	uint32_t value;
};
typedef struct physdev_apic physdev_apic_t;
DEFINE_XEN_GUEST_HANDLE(physdev_apic_t);

/* Allocate or free the vector of an IRQ. */
struct physdev_irq {
	uint32_t irq;
	uint32_t vector;
};
typedef struct physdev_irq physdev_irq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_t);

/* Map a GSI or MSI of a device to a PIRQ of domid. */
struct physdev_map_pirq {
	domid_t domid;
	int type;                   /* MAP_PIRQ_TYPE_* */
	int index;
	int pirq;                   /* in/out */
	int bus;                    /* high 16 bits: PCI segment */
	int devfn;
	int entry_nr;
	uint64_t table_base;
};
typedef struct physdev_map_pirq physdev_map_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_map_pirq_t);

/* Undo a map_pirq. */
struct physdev_unmap_pirq {
	domid_t domid;
	int pirq;
};
typedef struct physdev_unmap_pirq physdev_unmap_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_unmap_pirq_t);

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_PHYSDEV_H */
