/*
 * Hypervisor command-line options (documented in docs/command-line.md).
 */
#ifndef LAMINA_CMDLINE_H
#define LAMINA_CMDLINE_H

#include <stdint.h>

struct hv_options {
	uint64_t dom0_mem;      /* dom0_mem=<size>[K|M|G], default 128M */
};

extern struct hv_options hv_options;

/* Parse boot_info.cmdline; returns an error message or NULL. */
const char *cmdline_parse(const char *cmdline);

#endif
