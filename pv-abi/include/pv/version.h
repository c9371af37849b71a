/*
 * Lamina PV ABI: HYPERVISOR_xen_version(cmd, arg).
 *
 * Every command returns 0 on success except XENVER_version, which returns
 * major << 16 | minor, and XENVER_pagesize, which returns the page size.
 */
#ifndef LAMINA_PV_VERSION_H
#define LAMINA_PV_VERSION_H

#include "xen.h"
#include "features.h"

#define XENVER_version             0  /* arg: NULL */
#define XENVER_extraversion        1  /* arg: xen_extraversion_t */
#define XENVER_compile_info        2  /* arg: struct xen_compile_info */
#define XENVER_capabilities        3  /* arg: xen_capabilities_info_t */
#define XENVER_changeset           4  /* arg: xen_changeset_info_t */
#define XENVER_platform_parameters 5  /* arg: struct xen_platform_parameters */
#define XENVER_get_features        6  /* arg: struct xen_feature_info */
#define XENVER_pagesize            7  /* arg: NULL */
#define XENVER_guest_handle        8  /* arg: xen_domain_handle_t */
#define XENVER_commandline         9  /* arg: xen_commandline_t */
#define XENVER_build_id           10  /* arg: struct xen_build_id */

#ifndef __ASSEMBLY__

/* Version suffix string, e.g. ".0". */
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

/* Who built the hypervisor, where, when and with what. */
struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

/* Space-separated list of guest types supported, e.g. "xen-3.0-x86_64". */
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

/* Source revision the hypervisor was built from. */
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

/* Start of the hypervisor's reserved virtual area. */
struct xen_platform_parameters {
	xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

/* One 32-bit word of the XENFEAT_* bitmap. */
struct xen_feature_info {
	unsigned int submap_idx;    /* in: which word */
	uint32_t submap;            /* out: its bits */
};
typedef struct xen_feature_info xen_feature_info_t;

/* The hypervisor's own command line. */
typedef char xen_commandline_t[1024];

/* Build id of the hypervisor binary: len in bytes, then the bytes. */
struct xen_build_id {
	uint32_t len;               /* in: size of buf; out: bytes written */
	unsigned char buf[];
};
typedef struct xen_build_id xen_build_id_t;

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_VERSION_H */
