/*
 * Building a PV domain from a boot module (arch/x86/pv/domain_build.c).
 */
#ifndef LAMINA_DOMAIN_BUILD_H
#define LAMINA_DOMAIN_BUILD_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <lamina/boot_info.h>
#include <lamina/domain.h>

struct domain_config {
	domid_t domain_id;
	uint64_t memory_bytes;
	bool initial;           /* SIF_INITDOMAIN: domain 0 in its privileged role */
	bool privileged;        /* SIF_PRIVILEGED */
	const char *name;
	unsigned int weight, cap;
	unsigned int vcpus;     /* 1..MAX_VCPUS_PER_DOM; only vCPU 0 starts up */
};

/*
 * Build a domain from an ELF PV kernel module following Xen's start-of-day
 * protocol. On failure returns NULL with a one-line reason in err and
 * leaves nothing allocated.
 */
struct domain *arch_build_domain(const struct boot_module *mod,
			       const struct domain_config *cfg,
			       char *err, size_t errlen);

#endif
