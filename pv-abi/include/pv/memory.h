/*
 * Lamina PV ABI: HYPERVISOR_memory_op(cmd, arg), a domain's memory
 * reservation, its physical memory map and the M2P table.
 */
#ifndef LAMINA_PV_MEMORY_H
#define LAMINA_PV_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation     0  /* struct xen_memory_reservation */
#define XENMEM_decrease_reservation     1  /* struct xen_memory_reservation */
#define XENMEM_maximum_ram_page         2  /* arg: NULL; returns highest MFN */
#define XENMEM_current_reservation      3  /* arg: domid_t; returns pages */
#define XENMEM_maximum_reservation      4  /* arg: domid_t; returns pages */
#define XENMEM_machphys_mfn_list        5  /* struct xen_machphys_mfn_list */
#define XENMEM_populate_physmap         6  /* struct xen_memory_reservation */
#define XENMEM_add_to_physmap           7  /* struct xen_add_to_physmap */
#define XENMEM_memory_map               9  /* struct xen_memory_map */
#define XENMEM_machine_memory_map      10  /* struct xen_memory_map */
#define XENMEM_exchange                11  /* struct xen_memory_exchange */
#define XENMEM_machphys_mapping        12  /* struct xen_machphys_mapping */
#define XENMEM_set_memory_map          13  /* struct xen_foreign_memory_map */
#define XENMEM_maximum_gpfn            14  /* arg: domid_t; returns highest GPFN */
#define XENMEM_remove_from_physmap     15  /* struct xen_remove_from_physmap */
#define XENMEM_set_pod_target          16  /* struct xen_pod_target */
#define XENMEM_get_pod_target          17  /* struct xen_pod_target */
#define XENMEM_add_to_physmap_batch    23  /* struct xen_add_to_physmap_batch */
#define XENMEM_claim_pages             24  /* struct xen_memory_reservation */
#define XENMEM_machphys_compat_mfn_list 25 /* struct xen_machphys_mfn_list */
#define XENMEM_get_vnumainfo           26  /* struct xen_vnuma_topology_info */
#define XENMEM_acquire_resource        28  /* struct xen_mem_acquire_resource */

/*
 * xen_memory_reservation.mem_flags: the low byte limits the address width
 * of the frames allocated, the next byte names a NUMA node (plus one).
 */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)

/* Spaces XENMEM_add_to_physmap can take frames from. */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

/* With XENMAPSPACE_grant_table: this bit in idx selects status frames. */
#define XENMAPIDX_grant_table_status 0x80000000

/* xen_mem_acquire_resource.type and id values. */
#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_grant_table  1
#define XENMEM_resource_vmtrace_buf  2
#define XENMEM_resource_grant_table_id_shared 0
#define XENMEM_resource_grant_table_id_status 1
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))

#ifndef __ASSEMBLY__

/*
 * Grow, shrink or populate a domain: nr_extents extents of
 * 2^extent_order pages each, frame numbers in extent_start.
 */
struct xen_memory_reservation {
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	xen_ulong_t nr_extents;
	unsigned int extent_order;
	unsigned int mem_flags;     /* XENMEMF_* */
	domid_t domid;              /* DOMID_SELF unless privileged */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);

/* Trade the frames of in for new frames described by out. */
struct xen_memory_exchange {
	struct xen_memory_reservation in;
	struct xen_memory_reservation out;
	xen_ulong_t nr_exchanged;   /* out; caller sets it to 0 */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);

/* Argument naming a domain, for queries that need only that. */
struct xen_memory_domain {
	domid_t domid;
};

/* Machine frames holding the M2P table, one per 2 MiB of it. */
struct xen_machphys_mfn_list {
	unsigned int max_extents;   /* in: room in extent_start */
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	unsigned int nr_extents;    /* out: entries written */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);

/* Where the read-only M2P table is mapped and how far it reaches. */
struct xen_machphys_mapping {
	xen_ulong_t v_start, v_end;
	xen_ulong_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);

/* Map one frame of a space (XENMAPSPACE_*) at gpfn. */
struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;              /* pages, for gmfn_range */
	unsigned int space;         /* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);

/* Many frames at once, with one error code per index. */
struct xen_add_to_physmap_batch {
	domid_t domid;
	uint16_t space;             /* XENMAPSPACE_* */
	uint16_t size;
	union xen_add_to_physmap_batch_extra {
		domid_t foreign_domid;  /* for gmfn_foreign */
		uint16_t res0;          /* zero otherwise */
	} u;
	XEN_GUEST_HANDLE(xen_ulong_t) idxs;
	XEN_GUEST_HANDLE(xen_pfn_t) gpfns;
	XEN_GUEST_HANDLE(int) errs;
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);

/* Unmap whatever is at gpfn. */
struct xen_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);

/*
 * An E820-style memory map: buffer holds up to nr_entries 20-byte
 * entries (base, length, type); nr_entries is set to the number written.
 */
struct xen_memory_map {
	unsigned int nr_entries;
	XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);

/* Set another domain's memory map (privileged). */
struct xen_foreign_memory_map {
	domid_t domid;
	struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);

/* Populate-on-demand target and counters. */
struct xen_pod_target {
	uint64_t target_pages;      /* in */
	uint64_t tot_pages;         /* out */
	uint64_t pod_cache_pages;   /* out */
	uint64_t pod_entries;       /* out */
	domid_t domid;              /* in */
};
typedef struct xen_pod_target xen_pod_target_t;

/* Map frames of a resource (ioreq server, grant table, trace buffer). */
struct xen_mem_acquire_resource {
	domid_t domid;
	uint16_t type;              /* XENMEM_resource_* */
	uint32_t id;
	uint32_t nr_frames;         /* in/out */
	uint32_t pad;
	uint64_t frame;             /* first frame index */
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
DEFINE_XEN_GUEST_HANDLE(xen_mem_acquire_resource_t);

/* One virtual NUMA memory range. */
struct xen_vmemrange {
	uint64_t start, end;
	unsigned int flags;
	unsigned int nid;
};
typedef struct xen_vmemrange xen_vmemrange_t;
DEFINE_XEN_GUEST_HANDLE(xen_vmemrange_t);

/* The virtual NUMA layout of a domain. */
struct xen_vnuma_topology_info {
	domid_t domid;
	uint16_t pad;
	unsigned int nr_vnodes;
	unsigned int nr_vcpus;
	unsigned int nr_vmemranges;
	union {
		XEN_GUEST_HANDLE(uint) h;
		uint64_t pad;
	} vdistance;
	union {
		XEN_GUEST_HANDLE(uint) h;
		uint64_t pad;
	} vcpu_to_vnode;
	union {
		XEN_GUEST_HANDLE(xen_vmemrange_t) h;
		uint64_t pad;
	} vmemrange;
};
typedef struct xen_vnuma_topology_info xen_vnuma_topology_info_t;
DEFINE_XEN_GUEST_HANDLE(xen_vnuma_topology_info_t);

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_MEMORY_H */
