/*
 * xen_version: who we are. Lamina reports Xen 4.17's version numbers, as
 * guests use them to pick ABI behaviour, with "-lamina" in the extraversion
 * so a person can tell.
 */
#include <lamina/config.h>
#include <lamina/boot_info.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <pv/xen.h>
#include <pv/version.h>
#include <pv/features.h>
#include <pv/errno.h>

#ifndef LAMINA_CHANGESET
#define LAMINA_CHANGESET "unknown"
#endif

/* Copy a string into a fixed-size guest buffer, NUL-padded. */
static long copy_string_out(uint64_t dst, const char *s, size_t size)
{
	char buf[1024] = { 0 };

	snprintf(buf, size, "%s", s);
	return copy_to_guest(dst, buf, size);
}

static uint32_t feature_submap(const struct domain *d, unsigned int idx)
{
	uint32_t map = 0;

	if (idx != 0)
		return 0;
	/*
	 * MMU_PT_UPDATE_PRESERVE_AD and MMUEXT_COPY/CLEAR_PAGE work. Linux 6.1
	 * refuses to boot without preserve_ad and gnttab_map_avail_bits; the
	 * latter promises that grant mappings keep a PTE's available bits —
	 * the grant-mapping work (GNTTABOP_map_grant_ref is -ENOSYS today)
	 * must honour it.
	 */
	map |= (1u << XENFEAT_mmu_pt_update_preserve_ad) |
	       (1u << XENFEAT_highmem_assist) |
	       (1u << XENFEAT_gnttab_map_avail_bits);
	if (d->initial)
		map |= 1u << XENFEAT_dom0;
	if (d->vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3))
		map |= 1u << XENFEAT_pae_pgdir_above_4gb;
	return map;
}

/* Every query but the version number, which is answered inline below. */
static long __attribute__((noinline)) xen_version_query(uint64_t cmd, uint64_t arg)
{
	struct domain *d = current->domain;

	switch (cmd) {
	case XENVER_extraversion:
		return copy_string_out(arg, LAMINA_EXTRAVERSION,
				       sizeof(xen_extraversion_t));
	case XENVER_compile_info: {
		struct xen_compile_info info = { 0 };
		snprintf(info.compiler, sizeof(info.compiler), "gcc %s", __VERSION__);
		snprintf(info.compile_by, sizeof(info.compile_by), "lamina");
		snprintf(info.compile_domain, sizeof(info.compile_domain), "local");
		snprintf(info.compile_date, sizeof(info.compile_date), "%s", __DATE__);
		return copy_to_guest(arg, &info, sizeof(info));
	}
	case XENVER_capabilities:
		return copy_string_out(arg, "xen-3.0-x86_64",
				       sizeof(xen_capabilities_info_t));
	case XENVER_changeset:
		return copy_string_out(arg, LAMINA_CHANGESET,
				       sizeof(xen_changeset_info_t));
	case XENVER_platform_parameters: {
		struct xen_platform_parameters p = { .virt_start = HV_VIRT_START };
		return copy_to_guest(arg, &p, sizeof(p));
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;
		if (copy_from_guest(&fi, arg, sizeof(fi)))
			return -XEN_EFAULT;
		if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
			return -XEN_EINVAL;
		fi.submap = feature_submap(d, fi.submap_idx);
		return copy_to_guest(arg, &fi, sizeof(fi));
	}
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_guest_handle:
		return copy_to_guest(arg, d->handle, sizeof(d->handle));
	case XENVER_commandline:
		/* The hypervisor's command line is for the privileged domain. */
		if (!d->privileged)
			return -XEN_EPERM;
		return copy_string_out(arg, boot_info.cmdline,
				       sizeof(xen_commandline_t));
	}
	return -XEN_ENOSYS;
}

long do_xen_version(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	/* The null hypercall of benchmarks: keep it free of any set-up. */
	if (cmd == XENVER_version)
		return (LAMINA_XEN_MAJOR << 16) | LAMINA_XEN_MINOR;
	return xen_version_query(cmd, arg);
}
