/*
 * Copying to and from guest virtual memory.
 *
 * Every pointer a guest passes is checked here once: the whole range must be
 * canonical, must not wrap and must not touch the hypervisor's slots. The
 * copy itself runs with the guest's page tables live and recovers from page
 * faults through the exception table, so a bad or unmapped pointer yields
 * -EFAULT and never a hypervisor fault. CR0.WP makes writes to read-only
 * guest pages (its page tables, say) fail the same way.
 */
#ifndef LAMINA_GUEST_ACCESS_H
#define LAMINA_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* True if [va, va+len) is an address range a guest may name. */
bool guest_range_ok(uint64_t va, size_t len);
/* 0 on success, -XEN_EFAULT if any byte could not be read / written. */
int copy_from_guest(void *dst, uint64_t guest_src, size_t len);
int copy_to_guest(uint64_t guest_dst, const void *src, size_t len);

/* Raw copy with fault recovery; returns the number of bytes NOT copied. */
size_t raw_copy_checked(void *dst, const void *src, size_t len);

#endif
