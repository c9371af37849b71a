/*
 * memory_op: the queries and the reservation changes of HYPERVISOR_memory_op,
 * each expectation taken from Xen 4.17 (xen/common/memory.c do_memory_op,
 * xen/arch/x86/mm.c arch_memory_op, xen/arch/x86/x86_64/mm.c):
 *  - maximum_ram_page returns the number of machine frames (max_page);
 *    current/maximum_reservation read a domid (-EFAULT, -ESRCH for an
 *    unknown one); a start_extent on a query is -EINVAL.
 *  - memory_map copies min(capacity, entries); machine_memory_map needs a
 *    buffer of entries + 1 (else -EINVAL), or a NULL buffer for the count.
 *  - machphys_mapping and machphys_mfn_list describe the read-only M2P.
 *  - populate_physmap / increase / decrease_reservation return the number of
 *    extents done: a bad argument or the memory limit just stops the work,
 *    no error code (Xen returns start_extent).
 *  - Lamina gives a frame back only when it is unused: mapped, typed,
 *    pinned or foreign frames and shared_info are refused (Xen would take
 *    a mapped frame and free it later).
 * Run as domain 0 with dom0_mem=64M: every frame above the initial mapping
 * is unused, so the last 32 can be given back to make room.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include <pv/memory.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define M2P_START        0xFFFF800000000000UL
#define M2P_END          0xFFFF804000000000UL
#define HV_POINTER       0xFFFF830000001000UL
#define INVALID_ENTRY    (~0UL)
#define MEMOP_START(op, n) ((op) | ((n) << 6))
#define PTE_USER_RW      0x7UL          /* present, writable, user */
#define GIVE_BACK        32             /* frames freed to make room */
#define POPULATE         16
#define BOGUS_DOMID      1234

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

static unsigned long nr_pages;          /* start_info.nr_pages */
static unsigned long ram_pages;         /* maximum_ram_page */
static xen_pfn_t list[256];

/* One reservation call on our own domain. */
static long reserve(unsigned int cmd, xen_pfn_t *extents, unsigned long n,
		    unsigned int order, domid_t domid)
{
	struct xen_memory_reservation r = {
		.nr_extents = n, .extent_order = order, .domid = domid,
	};

	set_xen_guest_handle(r.extent_start, extents);
	return HYPERVISOR_memory_op(cmd, &r);
}

/* Our current reservation, in pages. */
static long current_pages(void)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

/* Give back one machine frame; the count done (0 or 1). */
static long give_back(xen_pfn_t mfn)
{
	xen_pfn_t one = mfn;

	return reserve(XENMEM_decrease_reservation, &one, 1, 0, DOMID_SELF);
}

/* The page-table entry va has now, or 0. */
static unsigned long pte_of(unsigned long va)
{
	return pv_pt_lookup(va);
}

/* A page of the initial mapping's padding (after tables and boot stack). */
static unsigned long padding_va(unsigned long page)
{
	const start_info_t *si = pv_start_info;

	return si->pt_base + (si->nr_pt_frames + 16 + page) * PV_PAGE_SIZE;
}

/* maximum_ram_page and the reservation queries. */
static void check_queries(void)
{
	domid_t id;

	ram_pages = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	test_check((long)ram_pages > 0 && ram_pages < (1UL << 40),
		   "maximum_ram_page", "returned %ld", (long)ram_pages);
	test_expect_eq("current_reservation_self", current_pages(), nr_pages);
	id = 0;
	test_expect_eq("current_reservation_own_id",
		       HYPERVISOR_memory_op(XENMEM_current_reservation, &id),
		       nr_pages);
	id = DOMID_SELF;
	test_expect_eq("maximum_reservation",
		       HYPERVISOR_memory_op(XENMEM_maximum_reservation, &id),
		       nr_pages);
	id = BOGUS_DOMID;
	test_expect_rc("current_reservation_unknown_domid",
		       HYPERVISOR_memory_op(XENMEM_current_reservation, &id),
		       -XEN_ESRCH);
	test_expect_rc("maximum_reservation_null",
		       HYPERVISOR_memory_op(XENMEM_maximum_reservation, NULL),
		       -XEN_EFAULT);
	id = DOMID_SELF;
	test_expect_rc("current_reservation_start_extent",
		       HYPERVISOR_memory_op(
			       MEMOP_START(XENMEM_current_reservation, 1), &id),
		       -XEN_EINVAL);
}

/* The pseudo-physical map: one RAM entry of nr_pages. */
static void check_memory_map(void)
{
	struct e820_entry map[4];
	struct xen_memory_map mm = { .nr_entries = 4 };
	long rc;

	memset(map, 0xff, sizeof(map));
	set_xen_guest_handle(mm.buffer, map);
	rc = HYPERVISOR_memory_op(XENMEM_memory_map, &mm);
	test_check(rc == 0 && mm.nr_entries == 1 && map[0].addr == 0 &&
		   map[0].size == nr_pages * PV_PAGE_SIZE && map[0].type == 1,
		   "memory_map_one_ram_entry",
		   "rc %ld, %u entries, [%#lx +%#lx type %u]", rc, mm.nr_entries,
		   (unsigned long)map[0].addr, (unsigned long)map[0].size,
		   map[0].type);
	mm.nr_entries = 0;
	rc = HYPERVISOR_memory_op(XENMEM_memory_map, &mm);
	test_check(rc == 0 && mm.nr_entries == 0, "memory_map_capacity_0",
		   "rc %ld, %u entries", rc, mm.nr_entries);
	test_expect_rc("memory_map_null", HYPERVISOR_memory_op(XENMEM_memory_map, NULL),
		       -XEN_EFAULT);
	mm.nr_entries = 4;
	set_xen_guest_handle(mm.buffer, (void *)HV_POINTER);
	test_expect_rc("memory_map_bad_buffer",
		       HYPERVISOR_memory_op(XENMEM_memory_map, &mm), -XEN_EFAULT);
	test_expect_rc("memory_map_start_extent_unknown",
		       HYPERVISOR_memory_op(MEMOP_START(XENMEM_memory_map, 1), &mm),
		       -XEN_ENOSYS);
}

/* Highest end of the RAM entries, in frames. */
static unsigned long ram_end_frames(const struct e820_entry *e, unsigned int n)
{
	unsigned long end = 0;

	for (unsigned int i = 0; i < n; i++)
		if (e[i].type == 1 && (e[i].addr + e[i].size) >> 12 > end)
			end = (e[i].addr + e[i].size) >> 12;
	return end;
}

/* The host map (we are domain 0): count, spare-entry rule, RAM end. */
static void check_machine_memory_map(void)
{
	static struct e820_entry map[64];
	struct xen_memory_map mm = { .nr_entries = 0 };
	long rc;
	unsigned int n;

	set_xen_guest_handle(mm.buffer, NULL);
	rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
	n = mm.nr_entries;
	if (!test_check(rc == 0 && n >= 1 && n < 63, "machine_memory_map_count",
			"rc %ld, %u entries", rc, n))
		return;
	mm.nr_entries = n;
	set_xen_guest_handle(mm.buffer, map);
	test_expect_rc("machine_memory_map_needs_one_spare",
		       HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm),
		       -XEN_EINVAL);
	mm.nr_entries = n + 1;
	rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
	test_check(rc == 0 && mm.nr_entries == n &&
		   ram_end_frames(map, n) == ram_pages,
		   "machine_memory_map_ram_end", "rc %ld, %u entries, ram end %#lx",
		   rc, mm.nr_entries, ram_end_frames(map, n));
}

/* Where the M2P is, its frames, and reading it directly. */
static void check_m2p_queries(void)
{
	struct xen_machphys_mapping mp;
	static xen_pfn_t mfns[64];
	struct xen_machphys_mfn_list ml = { .max_extents = 64 };
	unsigned long chunks = (ram_pages * 8 + (2UL << 20) - 1) >> 21;
	long rc;

	memset(&mp, 0, sizeof(mp));
	rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mp);
	test_check(rc == 0 && mp.v_start == M2P_START && mp.v_end == M2P_END &&
		   mp.max_mfn == ram_pages - 1, "machphys_mapping",
		   "rc %ld, [%#lx, %#lx) max_mfn %#lx", rc, mp.v_start, mp.v_end,
		   mp.max_mfn);
	test_expect_rc("machphys_mapping_null",
		       HYPERVISOR_memory_op(XENMEM_machphys_mapping, NULL), -XEN_EFAULT);
	set_xen_guest_handle(ml.extent_start, mfns);
	rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
	test_check(rc == 0 && ml.nr_extents >= 1 && ml.nr_extents == chunks &&
		   mfns[0] != 0 && mfns[0] < ram_pages, "machphys_mfn_list",
		   "rc %ld, %u extents (want %lu), first %#lx", rc, ml.nr_extents,
		   chunks, mfns[0]);
	ml.max_extents = 0;
	rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
	test_check(rc == 0 && ml.nr_extents == 0, "machphys_mfn_list_room_0",
		   "rc %ld, %u extents", rc, ml.nr_extents);
	ml.max_extents = 4;
	set_xen_guest_handle(ml.extent_start, (xen_pfn_t *)HV_POINTER);
	test_expect_rc("machphys_mfn_list_bad_buffer",
		       HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml), -XEN_EFAULT);
	test_check(pv_mfn_to_pfn(pv_pfn_to_mfn(0)) == 0 &&
		   pv_mfn_to_pfn(pv_pfn_to_mfn(nr_pages - 1)) == nr_pages - 1,
		   "m2p_readable", "m2p[p2m[0]] %#lx, m2p[p2m[last]] %#lx",
		   pv_mfn_to_pfn(pv_pfn_to_mfn(0)),
		   pv_mfn_to_pfn(pv_pfn_to_mfn(nr_pages - 1)));
}

/* Free the last GIVE_BACK pfns (unmapped: above the initial mapping). */
static void make_room(void)
{
	unsigned long first = nr_pages - GIVE_BACK, mapped = 0;
	long rc;

	for (unsigned long i = 0; i < GIVE_BACK; i++) {
		list[i] = pv_pfn_to_mfn(first + i);
		mapped += pte_of(PV_VIRT_BASE + ((first + i) << 12)) != 0;
	}
	test_expect_eq("top_frames_unmapped", mapped, 0);
	rc = reserve(XENMEM_decrease_reservation, list, GIVE_BACK, 0, DOMID_SELF);
	test_expect_rc("decrease_unused_frames", rc, GIVE_BACK);
	test_expect_eq("decrease_lowers_reservation", current_pages(),
		       nr_pages - GIVE_BACK);
	test_expect_eq("decreased_m2p_invalid", pv_mfn_to_pfn(list[0]),
		       INVALID_ENTRY);
}

/* Populate POPULATE frames at gpfns past the original end; check the M2P. */
static void check_populate(xen_pfn_t *mfns)
{
	unsigned long bad = 0;
	long rc;

	for (unsigned long i = 0; i < POPULATE; i++)
		mfns[i] = nr_pages + i;
	rc = reserve(XENMEM_populate_physmap, mfns, POPULATE, 0, DOMID_SELF);
	test_expect_rc("populate_16", rc, POPULATE);
	for (unsigned long i = 0; i < POPULATE; i++)
		bad += mfns[i] >= ram_pages || pv_mfn_to_pfn(mfns[i]) != nr_pages + i;
	test_expect_eq("populated_m2p_entries", bad, 0);
	test_expect_eq("populate_raises_reservation", current_pages(),
		       nr_pages - GIVE_BACK + POPULATE);
}

/* Map a populated frame, use it, and see that it cannot be given back
 * while mapped but can once unmapped. */
static void check_map_and_give_back(xen_pfn_t mfn)
{
	unsigned long va = padding_va(0), old = pte_of(va);
	volatile unsigned long *p = (volatile unsigned long *)va;
	long rc;

	if (!test_check(old & PTE_P, "padding_page_mapped", "pte %#lx", old))
		return;
	rc = HYPERVISOR_update_va_mapping(va, (mfn << 12) | PTE_USER_RW, UVMF_INVLPG);
	test_expect_rc("map_populated_frame", rc, 0);
	test_expect_eq("populated_frame_zeroed", p[0] | p[511], 0);
	p[7] = 0x1234abcdUL;
	test_expect_eq("populated_frame_writable", p[7], 0x1234abcdUL);
	test_expect_eq("decrease_mapped_refused", give_back(mfn), 0);
	test_expect_eq("populated_m2p_kept", pv_mfn_to_pfn(mfn), nr_pages);
	rc = HYPERVISOR_update_va_mapping(va, old, UVMF_INVLPG);
	test_expect_rc("unmap_populated_frame", rc, 0);
	test_expect_eq("decrease_unmapped", give_back(mfn), 1);
	test_expect_eq("given_back_m2p_invalid", pv_mfn_to_pfn(mfn), INVALID_ENTRY);
	test_expect_eq("decrease_twice_refused", give_back(mfn), 0);
}

/* Frames that are not ours, not unused, or the hypervisor's. */
static void check_refusals(void)
{
	const start_info_t *si = pv_start_info;
	xen_pfn_t l4 = pv_pfn_to_mfn(pv_virt_to_pfn((void *)si->pt_base));
	xen_pfn_t kernel = pv_pfn_to_mfn(pv_virt_to_pfn(&list));
	long before = current_pages();

	test_expect_eq("decrease_l4_refused", give_back(l4), 0);
	test_expect_eq("decrease_not_owned_refused", give_back(1), 0);
	test_expect_eq("decrease_shared_info_refused",
		       give_back(si->shared_info >> 12), 0);
	test_expect_eq("decrease_beyond_ram_refused", give_back(ram_pages + 5), 0);
	test_expect_eq("decrease_huge_mfn_refused", give_back(~0UL), 0);
	test_expect_eq("decrease_mapped_kernel_refused", give_back(kernel), 0);
	test_expect_eq("refusals_keep_reservation", current_pages(), before);
	test_expect_eq("refusals_keep_l4_m2p", pv_mfn_to_pfn(l4),
		       pv_virt_to_pfn((void *)si->pt_base));
}

/* A list that stops at the first frame that may not be given back. */
static void check_partial_decrease(xen_pfn_t *mfns)
{
	xen_pfn_t three[3] = { mfns[1], 1, mfns[2] };

	test_expect_eq("decrease_stops_at_first_refusal",
		       reserve(XENMEM_decrease_reservation, three, 3, 0, DOMID_SELF), 1);
	test_expect_eq("decrease_after_refusal_untouched", pv_mfn_to_pfn(mfns[2]),
		       nr_pages + 2);
}

/* Orders: 1 is allowed (two contiguous frames), 10 is not. */
static void check_orders(void)
{
	xen_pfn_t e = nr_pages + 100;

	test_expect_eq("populate_order_10_refused",
		       reserve(XENMEM_populate_physmap, &e, 1, 10, DOMID_SELF), 0);
	e = nr_pages + 100;
	test_expect_eq("populate_order_1",
		       reserve(XENMEM_populate_physmap, &e, 1, 1, DOMID_SELF), 1);
	test_check(pv_mfn_to_pfn(e) == nr_pages + 100 &&
		   pv_mfn_to_pfn(e + 1) == nr_pages + 101, "order_1_m2p",
		   "m2p %#lx %#lx", pv_mfn_to_pfn(e), pv_mfn_to_pfn(e + 1));
	test_expect_eq("decrease_order_1",
		       reserve(XENMEM_decrease_reservation, &e, 1, 1, DOMID_SELF), 1);
	test_expect_eq("order_1_freed", pv_mfn_to_pfn(e + 1), INVALID_ENTRY);
}

/* increase_reservation: frames with no gpfn (M2P invalid). */
static void check_increase(void)
{
	xen_pfn_t e = 0;
	long before = current_pages();

	test_expect_eq("increase_1",
		       reserve(XENMEM_increase_reservation, &e, 1, 0, DOMID_SELF), 1);
	test_check(e != 0 && e < ram_pages && pv_mfn_to_pfn(e) == INVALID_ENTRY,
		   "increase_m2p_invalid", "mfn %#lx m2p %#lx", e,
		   e < ram_pages ? pv_mfn_to_pfn(e) : 0);
	test_expect_eq("increase_then_decrease", give_back(e), 1);
	test_expect_eq("increase_decrease_balance", current_pages(), before);
}

/* start_extent in cmd: work resumes there and the count includes it. */
static void check_start_extent(void)
{
	xen_pfn_t e[4] = { 0x111, 0x222, nr_pages + 200, nr_pages + 201 };
	struct xen_memory_reservation r = { .nr_extents = 4, .domid = DOMID_SELF };
	long rc;

	set_xen_guest_handle(r.extent_start, e);
	rc = HYPERVISOR_memory_op(MEMOP_START(XENMEM_populate_physmap, 2), &r);
	test_check(rc == 4 && e[0] == 0x111 && e[1] == 0x222 &&
		   pv_mfn_to_pfn(e[2]) == nr_pages + 200, "populate_start_extent",
		   "rc %ld, e %#lx %#lx %#lx", rc, e[0], e[1], e[2]);
	r.extent_order = 0;
	rc = HYPERVISOR_memory_op(MEMOP_START(XENMEM_decrease_reservation, 2), &r);
	test_expect_rc("decrease_start_extent", rc, 4);
	rc = HYPERVISOR_memory_op(MEMOP_START(XENMEM_populate_physmap, 9), &r);
	test_expect_rc("start_extent_past_end", rc, 9);
}

/* Bad arguments: no work and a count of 0, as Xen (never -EFAULT). */
static void check_bad_reservations(void)
{
	xen_pfn_t e = nr_pages + 300;
	long before = current_pages();

	test_expect_rc("populate_null_arg",
		       HYPERVISOR_memory_op(XENMEM_populate_physmap, NULL), 0);
	test_expect_rc("populate_null_list",
		       reserve(XENMEM_populate_physmap, NULL, 1, 0, DOMID_SELF), 0);
	test_expect_rc("populate_hypervisor_list",
		       reserve(XENMEM_populate_physmap, (xen_pfn_t *)HV_POINTER, 1, 0,
			       DOMID_SELF), 0);
	test_expect_rc("populate_huge_count",
		       reserve(XENMEM_populate_physmap, &e, 1UL << 40, 0, DOMID_SELF), 0);
	test_expect_rc("populate_other_domain",
		       reserve(XENMEM_populate_physmap, &e, 1, 0, 1), 0);
	test_expect_rc("decrease_hypervisor_list",
		       reserve(XENMEM_decrease_reservation, (xen_pfn_t *)HV_POINTER, 1,
			       0, DOMID_SELF), 0);
	test_expect_eq("bad_reservations_no_change", current_pages(), before);
}

/*
 * A list running into an unmapped page: the entries before it are done,
 * the first unreadable one ends the call.
 */
static void check_list_into_hole(void)
{
	unsigned long hole = padding_va(2), old = pte_of(hole);
	xen_pfn_t *two = (xen_pfn_t *)(hole - 2 * sizeof(xen_pfn_t));
	long rc;

	if (!test_check(old & PTE_P, "hole_page_mapped", "pte %#lx", old))
		return;
	test_expect_rc("unmap_hole_page",
		       HYPERVISOR_update_va_mapping(hole, 0, UVMF_INVLPG), 0);
	two[0] = nr_pages + 400;
	two[1] = nr_pages + 401;
	rc = reserve(XENMEM_populate_physmap, two, 10, 0, DOMID_SELF);
	test_expect_rc("populate_stops_at_hole", rc, 2);
	rc = reserve(XENMEM_decrease_reservation, two, 10, 0, DOMID_SELF);
	test_expect_rc("decrease_stops_at_hole", rc, 2);
	test_expect_rc("remap_hole_page",
		       HYPERVISOR_update_va_mapping(hole, old, UVMF_INVLPG), 0);
}

/* Ask for more than the limit allows: only what fits is done. */
static void check_limit(void)
{
	long room = (long)nr_pages - current_pages();
	long rc;

	if (!test_check(room > 0 && room + 5 <= 256, "room_below_limit",
			"room %ld", room))
		return;
	for (long i = 0; i < room + 5; i++)
		list[i] = nr_pages + 500 + (unsigned long)i;
	rc = reserve(XENMEM_populate_physmap, list, (unsigned long)room + 5, 0,
		     DOMID_SELF);
	test_expect_rc("populate_beyond_max", rc, room);
	test_expect_eq("reservation_at_max", current_pages(), nr_pages);
	test_expect_rc("populate_at_max",
		       reserve(XENMEM_populate_physmap, &list[room], 1, 0, DOMID_SELF), 0);
	test_expect_eq("increase_at_max",
		       reserve(XENMEM_increase_reservation, NULL, 1, 0, DOMID_SELF), 0);
}

/* Commands Lamina does not implement. */
static void check_unknown(void)
{
	test_expect_rc("memory_op_unknown_cmd", HYPERVISOR_memory_op(63, NULL),
		       -XEN_ENOSYS);
	test_expect_rc("memory_op_exchange_unsupported",
		       HYPERVISOR_memory_op(XENMEM_exchange, NULL), -XEN_ENOSYS);
	test_expect_rc("memory_op_add_to_physmap_unsupported",
		       HYPERVISOR_memory_op(XENMEM_add_to_physmap, NULL), -XEN_ENOSYS);
}

void kernel_main(start_info_t *si)
{
	static xen_pfn_t populated[POPULATE];

	pv_printf("memory_op: reservation and memory-map queries\n");
	if (pv_traps_init() != 0 || pv_callbacks_init() != 0)
		pv_crash("could not install trap table / callbacks\n");
	nr_pages = si->nr_pages;
	check_queries();
	check_memory_map();
	check_machine_memory_map();
	check_m2p_queries();
	make_room();
	check_populate(populated);
	check_map_and_give_back(populated[0]);
	check_refusals();
	check_partial_decrease(populated);
	check_orders();
	check_increase();
	check_start_extent();
	check_bad_reservations();
	check_list_into_hole();
	check_limit();
	check_unknown();
	test_finish();
}
