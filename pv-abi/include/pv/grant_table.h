/*
 * Grant tables, version 1: how a domain lets another map or copy one of its
 * pages. The table itself is an array of grant_entry_v1 in frames the
 * hypervisor gives the domain (GNTTABOP_setup_table).
 */
#ifndef LAMINA_PV_GRANT_TABLE_H
#define LAMINA_PV_GRANT_TABLE_H

#include "xen.h"

typedef uint32_t grant_ref_t;

#ifndef __ASSEMBLY__
/* One v1 grant: who may use which of our frames, and how. */
struct grant_entry_v1 {
	uint16_t flags;         /* GTF_* */
	domid_t domid;          /* the domain granted access */
	uint32_t frame;         /* the frame granted */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
#endif

/* grant_entry_v1.flags: type in the low two bits, then modifiers. */
#define GTF_invalid         (0U << 0)
#define GTF_permit_access   (1U << 0)
#define GTF_accept_transfer (2U << 0)
#define GTF_type_mask       (3U << 0)
#define _GTF_readonly       (2)
#define GTF_readonly        (1U << _GTF_readonly)
#define _GTF_reading        (3)
#define GTF_reading         (1U << _GTF_reading)
#define _GTF_writing        (4)
#define GTF_writing         (1U << _GTF_writing)

/* grant_table_op commands. */
#define GNTTABOP_map_grant_ref        0
#define GNTTABOP_unmap_grant_ref      1
#define GNTTABOP_setup_table          2
#define GNTTABOP_dump_table           3
#define GNTTABOP_transfer             4
#define GNTTABOP_copy                 5
#define GNTTABOP_query_size           6
#define GNTTABOP_unmap_and_replace    7
#define GNTTABOP_set_version          8
#define GNTTABOP_get_status_frames    9
#define GNTTABOP_get_version          10
#define GNTTABOP_swap_grant_ref       11
#define GNTTABOP_cache_flush          12

/* Per-operation status codes (in the structs, not the hypercall result). */
#define GNTST_okay              (0)
#define GNTST_general_error     (-1)
#define GNTST_bad_domain        (-2)
#define GNTST_bad_gntref        (-3)
#define GNTST_bad_handle        (-4)
#define GNTST_bad_virt_addr     (-5)
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page          (-9)
#define GNTST_bad_copy_arg      (-10)
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)
#define GNTST_no_space          (-13)

#ifndef __ASSEMBLY__
/* GNTTABOP_setup_table: the frames holding dom's grant table. */
struct gnttab_setup_table {
	domid_t dom;
	uint32_t nr_frames;
	int16_t status;                         /* out: GNTST_* */
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* out: nr_frames mfns */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;

/* GNTTABOP_query_size: current and largest table size, in frames. */
struct gnttab_query_size {
	domid_t dom;
	uint32_t nr_frames;
	uint32_t max_nr_frames;
	int16_t status;
};
typedef struct gnttab_query_size gnttab_query_size_t;

/* GNTTABOP_set_version: ask for table format 1 or 2; out: the version. */
struct gnttab_set_version {
	uint32_t version;
};
typedef struct gnttab_set_version gnttab_set_version_t;

/* GNTTABOP_get_version: dom's table format. */
struct gnttab_get_version {
	domid_t dom;
	uint16_t pad;
	uint32_t version;
};
typedef struct gnttab_get_version gnttab_get_version_t;
#endif

#endif
