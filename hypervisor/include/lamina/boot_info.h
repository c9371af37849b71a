/*
 * What the boot loader told us: memory map, modules, command line.
 * Copied out of the multiboot structures early, so nothing the loader
 * left in memory has to stay reserved afterwards (except the modules).
 */
#ifndef LAMINA_BOOT_INFO_H
#define LAMINA_BOOT_INFO_H

#include <stdint.h>

#define MAX_MEMORY_REGIONS 64
#define MAX_MODULES        16
#define MAX_CMDLINE        1024

struct memory_region {
	uint64_t start, end;    /* [start, end) */
	uint32_t type;          /* 1 = usable RAM, as e820 */
};

struct boot_module {
	uint64_t start, end;    /* physical [start, end) */
	char cmdline[MAX_CMDLINE];
};

struct boot_info {
	char cmdline[MAX_CMDLINE];
	struct memory_region regions[MAX_MEMORY_REGIONS];
	unsigned int nr_regions;
	struct boot_module modules[MAX_MODULES];
	unsigned int nr_modules;
};

extern struct boot_info boot_info;

/* Parse the multiboot v1 information; returns a message on failure. */
const char *multiboot_parse(uint32_t magic, uint64_t info_phys);

#endif
