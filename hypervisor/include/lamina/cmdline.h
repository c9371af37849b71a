/*
 * Hypervisor command-line options (documented in docs/command-line.md).
 */
#ifndef LAMINA_CMDLINE_H
#define LAMINA_CMDLINE_H

#include <stdint.h>
#include <stdbool.h>

struct hv_options {
	uint64_t dom0_mem;      /* dom0_mem=<size>[K|M|G], default 128M */
	bool selftest_fault;    /* selftest_fault: fault on purpose after boot */
};

extern struct hv_options hv_options;

/* Parse boot_info.cmdline; returns an error message or NULL. */
const char *cmdline_parse(const char *cmdline);

#endif
