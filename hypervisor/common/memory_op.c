/*
 * HYPERVISOR_memory_op(cmd, arg): a domain's memory reservation, its
 * pseudo-physical memory map, the host memory map and where the read-only
 * M2P table lives. Semantics follow Xen 4.17 (common/memory.c and the x86
 * arch_memory_op); the differences are listed in docs/abi.md:
 *
 *  - The low 6 bits of cmd are the operation; the rest is the extent to
 *    start from (Xen's continuation encoding). Reservation operations
 *    return the number of extents done, counted from that start, and never
 *    an error code for a bad argument: a bad structure pointer, a bad list,
 *    an order above 9 or a domain other than the caller just means that
 *    nothing more was done, as in Xen.
 *  - Only the calling domain's reservation can be changed.
 *  - decrease_reservation gives a frame back only when nothing but the
 *    allocation holds it: not mapped, not typed, not pinned, and not one
 *    the hypervisor uses on its own (shared_info, the console ring, grant
 *    frames, a registered vcpu_info: they hold the frame rule's writable
 *    reference). Xen accepts a frame with other references and frees it
 *    when the last one goes; Lamina refuses it (the extent is not done),
 *    so a frame given back is free at once and no mapping of it can
 *    outlive the call. A translation the TLB may still hold (its mapping
 *    was removed without a flush) is flushed by free_frames first
 *    (docs/memory.md, "TLB").
 *  - All work is bounded by the domain's memory limit or by the first
 *    failure, so no continuation is ever needed.
 */
#include <lamina/boot_info.h>
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <pv/xen.h>
#include <pv/errno.h>
#include <pv/memory.h>

/* cmd = op | start_extent << MEMOP_EXTENT_SHIFT, as Xen's public memory.h. */
#define MEMOP_EXTENT_SHIFT  6
#define MEMOP_CMD_MASK      ((1UL << MEMOP_EXTENT_SHIFT) - 1)
/* Largest extent_order a guest may ask for (Xen's CONFIG_DOMU_MAX_ORDER). */
#define MAX_EXTENT_ORDER    9
/* More extents than this cannot be encoded in a continuation: refused. */
#define MAX_NR_EXTENTS      (0xffffffffUL >> MEMOP_EXTENT_SHIFT)
/* An M2P chunk: one 2 MiB superpage's worth of entries in Xen. */
#define M2P_CHUNK_FRAMES    512UL
#define E820_RAM            1

/* One e820 entry as the guest sees it: 20 bytes, packed. */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct e820_entry) == 20, "e820 entries are 20 bytes");

/* The domain a domid names: DOMID_SELF is the caller. NULL if none. */
static struct domain *domain_by_any_id(domid_t id)
{
	if (id == DOMID_SELF)
		return current->domain;
	if (id < MAX_DOMAINS)
		return domains[id];
	return NULL;
}

/* current_reservation / maximum_reservation: arg points at a domid_t. */
static long reservation_query(unsigned int op, uint64_t arg)
{
	struct domain *self = current->domain, *d;
	domid_t id;

	if (copy_from_guest(&id, arg, sizeof(id)))
		return -XEN_EFAULT;
	if (!(d = domain_by_any_id(id)))
		return -XEN_ESRCH;
	if (d != self && !self->privileged)
		return -XEN_EPERM;
	return (long)(op == XENMEM_current_reservation ? d->nr_pages
						       : d->max_pages);
}

/* memory_map: the domain's pseudo-physical map, one RAM range [0, max). */
static long memory_map(uint64_t arg)
{
	const struct domain *d = current->domain;
	struct e820_entry ram = {
		.addr = 0, .size = d->max_pages << PAGE_SHIFT, .type = E820_RAM,
	};
	struct xen_memory_map map;

	if (copy_from_guest(&map, arg, sizeof(map)))
		return -XEN_EFAULT;
	/* Xen copies as many entries as fit: a capacity of 0 gets none. */
	if (map.nr_entries > 1)
		map.nr_entries = 1;
	if (map.nr_entries &&
	    copy_to_guest((uint64_t)map.buffer.p, &ram, sizeof(ram)))
		return -XEN_EFAULT;
	if (copy_to_guest(arg, &map, sizeof(map)))
		return -XEN_EFAULT;
	return 0;
}

/*
 * machine_memory_map: the host's map, privileged domains only. As Xen, a
 * NULL buffer asks for the count alone, and a buffer must have room for
 * one entry more than the map holds.
 */
static long machine_memory_map(uint64_t arg)
{
	struct xen_memory_map map;
	unsigned int n = boot_info.nr_regions;
	uint64_t buf;

	if (!current->domain->privileged)
		return -XEN_EPERM;
	if (copy_from_guest(&map, arg, sizeof(map)))
		return -XEN_EFAULT;
	buf = (uint64_t)map.buffer.p;
	if (buf) {
		if (map.nr_entries < n + 1)
			return -XEN_EINVAL;
		if (!guest_range_ok(buf, (size_t)map.nr_entries *
					 sizeof(struct e820_entry)))
			return -XEN_EFAULT;
		for (unsigned int i = 0; i < n; i++) {
			const struct memory_region *r = &boot_info.regions[i];
			struct e820_entry e = {
				.addr = r->start, .size = r->end - r->start,
				.type = r->type,
			};
			if (copy_to_guest(buf + i * sizeof(e), &e, sizeof(e)))
				return -XEN_EFAULT;
		}
	}
	map.nr_entries = n;
	if (copy_to_guest(arg, &map, sizeof(map)))
		return -XEN_EFAULT;
	return 0;
}

/*
 * machphys_mapping: where the read-only M2P is. max_mfn is the last frame
 * that has an entry; Xen reports that to its hardware domain only (others
 * get the whole area's size), Lamina to every domain, since the rest of
 * the area is not mapped.
 */
static long machphys_mapping(uint64_t arg)
{
	struct xen_machphys_mapping m = {
		.v_start = MACH2PHYS_VIRT_START,
		.v_end = MACH2PHYS_VIRT_END,
		.max_mfn = max_mfn - 1,
	};

	return copy_to_guest(arg, &m, sizeof(m)) ? -XEN_EFAULT : 0;
}

/*
 * machphys_mfn_list: the machine frame at the start of each 2 MiB of the
 * M2P, as many as fit. Lamina's M2P frames are contiguous but not 2 MiB
 * aligned, and they stay the hypervisor's: no guest may map them.
 */
static long machphys_mfn_list(uint64_t arg)
{
	struct xen_machphys_mfn_list l;
	uint64_t m2p_bytes = max_mfn * sizeof(uint64_t);
	uint64_t chunks = (m2p_bytes + (M2P_CHUNK_FRAMES << PAGE_SHIFT) - 1) /
			  (M2P_CHUNK_FRAMES << PAGE_SHIFT);
	unsigned int i;

	if (copy_from_guest(&l, arg, sizeof(l)))
		return -XEN_EFAULT;
	for (i = 0; i < l.max_extents && i < chunks; i++) {
		xen_pfn_t mfn = m2p_first_mfn + i * M2P_CHUNK_FRAMES;
		if (copy_to_guest((uint64_t)l.extent_start.p + i * sizeof(mfn),
				  &mfn, sizeof(mfn)))
			return -XEN_EFAULT;
	}
	l.nr_extents = i;
	if (copy_to_guest(arg, &l, sizeof(l)))
		return -XEN_EFAULT;
	return 0;
}

/* What a reservation operation works on, decoded and checked. */
struct memop {
	struct domain *d;
	uint64_t list;              /* guest address of the extent array */
	uint64_t nr_extents;
	unsigned int order;
	unsigned int mem_flags;
	uint64_t done;              /* extents done, from start_extent on */
};

/* Frames below this limit satisfy XENMEMF_address_bits; 0: no limit. */
static uint64_t address_limit_frames(unsigned int mem_flags)
{
	unsigned int bits = XENMEMF_get_address_bits(mem_flags);

	if (!bits || bits >= 64)
		return 0;
	return bits > PAGE_SHIFT ? 1UL << (bits - PAGE_SHIFT) : 1;
}

/*
 * Allocate one extent for the domain within its limit: each frame owned by
 * it with the allocation's general reference and no M2P entry yet.
 */
static uint64_t alloc_extent(const struct memop *m)
{
	struct domain *d = m->d;
	uint64_t n = 1UL << m->order, limit = address_limit_frames(m->mem_flags);

	if (d->nr_pages + n > d->max_pages)
		return INVALID_MFN;
	/* Xen refuses a width that leaves no usable frame (bits <= 13). */
	if (limit && limit <= 2)
		return INVALID_MFN;
	uint64_t mfn = alloc_frames(n, d->domain_id);
	if (mfn == INVALID_MFN)
		return INVALID_MFN;
	if (limit && mfn + n > limit) {
		free_frames(mfn, n);
		return INVALID_MFN;
	}
	for (uint64_t j = 0; j < n; j++) {
		frame_get_ref(&frame_table[mfn + j]);
		m2p_table[mfn + j] = INVALID_M2P;
	}
	d->nr_pages += n;
	return mfn;
}

/* Give back an extent this call allocated but could not report. */
static void undo_extent(const struct memop *m, uint64_t mfn)
{
	free_frames(mfn, 1UL << m->order);
	m->d->nr_pages -= 1UL << m->order;
}

/* Address of entry i of the guest's extent array. */
static uint64_t extent_addr(const struct memop *m, uint64_t i)
{
	return m->list + i * sizeof(xen_pfn_t);
}

/* populate_physmap: each entry names a gpfn; the new mfn is written back. */
static void populate_physmap(struct memop *m)
{
	if (m->mem_flags & XENMEMF_populate_on_demand)
		return;     /* Xen: no populate-on-demand for oneself */
	for (; m->done < m->nr_extents; m->done++) {
		xen_pfn_t gpfn, mfn;
		if (copy_from_guest(&gpfn, extent_addr(m, m->done), sizeof(gpfn)))
			return;
		if ((mfn = alloc_extent(m)) == INVALID_MFN)
			return;
		for (uint64_t j = 0; j < (1UL << m->order); j++)
			m2p_table[mfn + j] = gpfn + j;
		if (copy_to_guest(extent_addr(m, m->done), &mfn, sizeof(mfn))) {
			undo_extent(m, mfn);
			return;
		}
	}
}

/* increase_reservation: new frames with no gpfn; mfns written back if the
 * list is not NULL. */
static void increase_reservation(struct memop *m)
{
	for (; m->done < m->nr_extents; m->done++) {
		xen_pfn_t mfn = alloc_extent(m);
		if (mfn == INVALID_MFN)
			return;
		if (m->list &&
		    copy_to_guest(extent_addr(m, m->done), &mfn, sizeof(mfn))) {
			undo_extent(m, mfn);
			return;
		}
	}
}

/*
 * True if the frame can be given back now: the domain's, and held by
 * nothing but its allocation (no mapping, no type, no pin). A frame the
 * hypervisor keeps using holds a writable reference (the frame rule), so
 * the same test refuses it.
 */
static bool frame_removable(const struct domain *d, uint64_t mfn)
{
	const struct frame_info *fi = mfn_to_frame(mfn);

	return fi && fi->owner == d->domain_id && fi->ref_count == 1 &&
	       fi->type_count == 0 && !(fi->flags & FRAME_FLAG_PINNED);
}

/* decrease_reservation (PV): each entry names the first mfn of an extent;
 * an extent is freed whole or not at all. */
static void decrease_reservation(struct memop *m)
{
	uint64_t n = 1UL << m->order;

	for (; m->done < m->nr_extents; m->done++) {
		xen_pfn_t mfn;
		if (copy_from_guest(&mfn, extent_addr(m, m->done), sizeof(mfn)))
			return;
		if (mfn >= max_mfn || n > max_mfn - mfn)
			return;
		for (uint64_t j = 0; j < n; j++)
			if (!frame_removable(m->d, mfn + j))
				return;
		free_frames(mfn, n);
		m->d->nr_pages -= n;
	}
}

/*
 * Decode a reservation request. false means "do nothing": every failure
 * here makes Xen return start_extent, not an error.
 */
static bool memop_decode(struct memop *m, uint64_t arg, uint64_t start,
			 bool list_optional)
{
	struct xen_memory_reservation r;

	if (copy_from_guest(&r, arg, sizeof(r)))
		return false;
	if (r.nr_extents > MAX_NR_EXTENTS || start >= r.nr_extents)
		return false;
	if (r.extent_order > MAX_EXTENT_ORDER)
		return false;
	if (r.mem_flags & XENMEMF_vnode)
		return false;       /* no virtual NUMA topology */
	/* Foreign reservations need privilege checks Lamina lacks yet. */
	m->d = domain_by_any_id(r.domid);
	if (m->d != current->domain)
		return false;
	m->list = (uint64_t)r.extent_start.p;
	m->nr_extents = r.nr_extents;
	m->order = r.extent_order;
	m->mem_flags = r.mem_flags;
	m->done = start;
	if (list_optional && !m->list)
		return true;
	return guest_range_ok(extent_addr(m, start),
			      (r.nr_extents - start) * sizeof(xen_pfn_t));
}

/* increase / decrease_reservation, populate_physmap: extents done. */
static long reservation_op(unsigned int op, uint64_t start, uint64_t arg)
{
	struct memop m;

	if (!memop_decode(&m, arg, start, op == XENMEM_increase_reservation))
		return (long)start;
	if (op == XENMEM_populate_physmap)
		populate_physmap(&m);
	else if (op == XENMEM_increase_reservation)
		increase_reservation(&m);
	else
		decrease_reservation(&m);
	return (long)m.done;
}

/* The hypercall: decode op and start_extent, then dispatch. */
long do_memory_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		  uint64_t a5)
{
	unsigned int op = cmd & MEMOP_CMD_MASK;
	uint64_t start = cmd >> MEMOP_EXTENT_SHIFT;
	(void)a3, (void)a4, (void)a5;

	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return reservation_op(op, start, arg);
	case XENMEM_maximum_ram_page:
		return start ? -XEN_EINVAL : (long)max_mfn;
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return start ? -XEN_EINVAL : reservation_query(op, arg);
	}
	/* Xen's arch operations see the whole cmd: a start_extent is unknown. */
	switch (cmd) {
	case XENMEM_memory_map:
		return memory_map(arg);
	case XENMEM_machine_memory_map:
		return machine_memory_map(arg);
	case XENMEM_machphys_mapping:
		return machphys_mapping(arg);
	case XENMEM_machphys_mfn_list:
		return machphys_mfn_list(arg);
	}
	return -XEN_ENOSYS;
}
