/*
 * libpv core: start-of-day state, the guest's entry hook, shutdown, and
 * frame-number helpers for the initial mapping.
 *
 * Boot sequence: the domain builder enters pv_entry (entry.S) with rsi =
 * start_info; pv_entry saves the entry registers in pv_boot_regs, moves to
 * a 16 KiB stack and calls pv_start(), which records start_info and calls
 * the guest's kernel_main(). If kernel_main returns, the domain powers off.
 */
#ifndef LIBPV_PV_H
#define LIBPV_PV_H

#include <stdbool.h>
#include <stddef.h>
#include <pv/xen.h>
#include <pv/sched.h>

/* Virtual address the image is linked at; pfn 0 of the initial mapping. */
#define PV_VIRT_BASE   0xffffffff80000000UL
#define PV_PAGE_SHIFT  12
#define PV_PAGE_SIZE   (1UL << PV_PAGE_SHIFT)

/* Provided by the guest: its main program. */
void kernel_main(start_info_t *si);

/* Called by pv_entry; never returns. */
void pv_start(start_info_t *si) __attribute__((noreturn));

/* The start_info page the guest was started with. */
extern start_info_t *pv_start_info;

/* The guest's command line (start_info.cmd_line), NUL-terminated. */
const char *pv_cmdline(void);

/*
 * Find "key=value" on the command line (words separated by spaces) and copy
 * value into out (size bytes, NUL-terminated). True when found.
 */
bool pv_cmdline_get(const char *key, char *out, size_t size);

/* Like pv_cmdline_get, parsing the value as a decimal or 0x-hex number. */
bool pv_cmdline_ulong(const char *key, unsigned long *value);

/* Ask the hypervisor to end this domain (SHUTDOWN_*); never returns. */
void pv_shutdown(unsigned int reason) __attribute__((noreturn));

/* Print a message and end the domain with SHUTDOWN_crash. */
void pv_crash(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* p2m lookup: the machine frame backing guest pfn (start_info.mfn_list). */
unsigned long pv_pfn_to_mfn(unsigned long pfn);

/* M2P lookup: the guest pfn of machine frame mfn (read-only table). */
unsigned long pv_mfn_to_pfn(unsigned long mfn);

/* Address of pfn inside the initial mapping (virt base + pfn pages). */
void *pv_pfn_to_virt(unsigned long pfn);

/* pfn of an address inside the initial mapping. */
unsigned long pv_virt_to_pfn(const void *va);

/*
 * Walk the current page tables (rooted at start_info.pt_base) for va.
 * Returns the leaf entry (L1, or a large-page L2/L3 entry), or 0 when some
 * level is not present. Page-table pages are found through the M2P and
 * the initial mapping, so this only works while they lie inside it.
 */
unsigned long pv_pt_lookup(unsigned long va);

#endif /* LIBPV_PV_H */
