/*
 * Copying to and from guest virtual memory.
 *
 * Every pointer a guest passes is checked here once: the range must not wrap
 * and must not touch the hypervisor's slots. The copy itself runs with the
 * guest's page tables live and recovers from page faults and #GP (a
 * non-canonical address) through the exception table, so a bad, unmapped or
 * non-canonical pointer yields -EFAULT and never a hypervisor fault. CR0.WP makes writes to read-only
 * guest pages (its page tables, say) fail the same way.
 */
#ifndef LAMINA_GUEST_ACCESS_H
#define LAMINA_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <lamina/config.h>
#include <pv/errno.h>

/* The copy itself: arch_copy_checked (lamina/arch.h). */
#include <lamina/arch.h>

/*
 * True if [va, va+len) is an address range a guest may name: it must not
 * wrap and must not touch the hypervisor's slots. Non-canonical addresses
 * need no test here: touching one raises #GP, which the copy's exception
 * table turns into a short copy, exactly like a page fault.
 */
static inline bool guest_range_ok(uint64_t va, size_t len)
{
	uint64_t end = va + len;

	return end >= va && (end <= HV_VIRT_START || va >= HV_VIRT_END);
}

/*
 * A guest virtual range used other than by a checked copy (walked through
 * page tables, invalidated, loaded as an LDT): canonical at both ends too.
 */
static inline bool guest_va_range_ok(uint64_t va, size_t len)
{
	return guest_range_ok(va, len) && is_canonical(va) &&
	       (len == 0 || is_canonical(va + len - 1));
}

/* 0 on success, -XEN_EFAULT if any byte could not be read / written. */
static inline int copy_from_guest(void *dst, uint64_t guest_src, size_t len)
{
	if (!guest_range_ok(guest_src, len) ||
	    arch_copy_checked(dst, (const void *)guest_src, len))
		return -XEN_EFAULT;
	return 0;
}

static inline int copy_to_guest(uint64_t guest_dst, const void *src, size_t len)
{
	if (!guest_range_ok(guest_dst, len) ||
	    arch_copy_checked((void *)guest_dst, src, len))
		return -XEN_EFAULT;
	return 0;
}

#endif
