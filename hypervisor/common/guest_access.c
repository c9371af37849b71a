/*
 * The single boundary check for guest pointers (see guest_access.h).
 */
#include <lamina/config.h>
#include <lamina/guest_access.h>
#include <pv/errno.h>

bool guest_range_ok(uint64_t va, size_t len)
{
	uint64_t last = va + len - 1;

	if (len == 0)
		return true;
	if (last < va)                          /* wraps around */
		return false;
	if (!is_canonical(va) || !is_canonical(last))
		return false;
	/* Not touching [HV_VIRT_START, HV_VIRT_END), and not spanning the hole. */
	if (va < HV_VIRT_END && last >= HV_VIRT_START)
		return false;
	if ((int64_t)va >= 0)
		return (int64_t)last >= 0;
	return true;
}

int copy_from_guest(void *dst, uint64_t guest_src, size_t len)
{
	if (!guest_range_ok(guest_src, len))
		return -XEN_EFAULT;
	return raw_copy_checked(dst, (const void *)guest_src, len) ? -XEN_EFAULT : 0;
}

int copy_to_guest(uint64_t guest_dst, const void *src, size_t len)
{
	if (!guest_range_ok(guest_dst, len))
		return -XEN_EFAULT;
	return raw_copy_checked((void *)guest_dst, src, len) ? -XEN_EFAULT : 0;
}
