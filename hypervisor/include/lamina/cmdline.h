/*
 * Hypervisor command-line options (documented in docs/command-line.md).
 */
#ifndef LAMINA_CMDLINE_H
#define LAMINA_CMDLINE_H

#include <stdint.h>
#include <stdbool.h>

#define MAX_BOOT_DOMAINS 16
#define MAX_BOOT_VCPUS   8      /* MAX_VCPUS_PER_DOM */

/* domain<N>=name=..,mem=..,weight=..,cap=..,vcpus=..,role=priv|unpriv */
struct boot_domain_config {
	char name[32];          /* "" = default (dom0 / d<N>) */
	uint64_t mem;           /* 0 = default */
	unsigned int weight;    /* 0 = default (256) */
	unsigned int cap;       /* % of a CPU, 0 = none */
	unsigned int vcpus;     /* 0 = default (1, or dom0_max_vcpus for 0) */
	int role;               /* -1 default, 0 unprivileged, 1 privileged */
};

struct hv_options {
	uint64_t dom0_mem;      /* dom0_mem=<size>[K|M|G], default 128M */
	unsigned int dom0_max_vcpus; /* dom0_max_vcpus=<n>, 0 = default */
	struct boot_domain_config domains[MAX_BOOT_DOMAINS];
	bool selftest_fault;    /* selftest_fault: fault on purpose after boot */
	bool trace_hypercalls;  /* trace_hypercalls: report failing hypercalls */
	bool selftest_db_entry; /* selftest_db_entry: #DB at syscall_entry in ring 0 */
	bool force_fpu_ptr_reset; /* force_fpu_ptr_reset: clear x87 pointers on any CPU */
	/* guest_console_io=show: unprivileged domains' console_io on the serial line */
	bool guest_console_io_show;
	bool no_fast_hypercalls; /* no_fast_hypercalls: every call takes the full frame */
	bool audit_frames;      /* audit_frames: check the frame table at each domain end */
	bool selftest_audit;    /* selftest_audit: corrupt one count so the audit must fail */
};

extern struct hv_options hv_options;

/* Parse boot_info.cmdline; returns an error message or NULL. */
const char *cmdline_parse(const char *cmdline);

#endif
