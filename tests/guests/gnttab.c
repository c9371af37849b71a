/*
 * gnttab: the grant-table set-up operations (v1): query_size, setup_table,
 * set_version, get_version, and what they refuse.
 */
#include <libpv/hypercall.h>
#include <pv/xen.h>
#include <pv/grant_table.h>
#include "testlib.h"

static uint8_t window[4096] __attribute__((aligned(4096)));

static long gnttab_op(unsigned int cmd, void *arg, unsigned int count)
{
	return pv_hypercall6(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg,
			     count, 0, 0);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("gnttab: grant table set-up\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");

	struct gnttab_query_size q = { .dom = DOMID_SELF };
	test_expect_rc("query_size", gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	test_expect_eq("query_size_status", (unsigned long)(long)q.status, 0);
	test_expect_eq("query_size_initial_frames", q.nr_frames, 0);
	test_expect_eq("query_size_max_frames", q.max_nr_frames, 32);

	xen_pfn_t frames[4] = { 0 };
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 4 };
	set_xen_guest_handle(st.frame_list, frames);
	test_expect_rc("setup_table_4", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
	test_expect_eq("setup_table_4_status", (unsigned long)(long)st.status, 0);
	test_check(frames[0] && frames[1] && frames[2] && frames[3] &&
		   frames[0] != frames[1] && frames[2] != frames[3],
		   "setup_table_frames_distinct", "%lx %lx %lx %lx",
		   frames[0], frames[1], frames[2], frames[3]);
	test_expect_rc("query_size_after", gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	test_expect_eq("query_size_after_frames", q.nr_frames, 4);

	/* The table frames are ours: mapping one writable works. */
	unsigned long va = (unsigned long)window;
	long rc = HYPERVISOR_update_va_mapping(va, (frames[0] << 12) | 7, UVMF_INVLPG);
	test_expect_rc("table_frame_mappable_rw", rc, 0);
	((volatile grant_entry_v1_t *)window)[1].flags = GTF_permit_access;
	test_expect_eq("table_frame_writable", ((grant_entry_v1_t *)window)[1].flags,
		       GTF_permit_access);

	/* Refusals. */
	st.nr_frames = 33;
	test_expect_rc("setup_table_too_many", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
	test_expect_eq("setup_table_too_many_status", (unsigned long)(long)st.status,
		       (unsigned long)(long)GNTST_general_error);
	st.nr_frames = 1;
	st.dom = 9;
	test_expect_rc("setup_table_no_such_domain", gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
	test_expect_eq("setup_table_no_such_domain_status", (unsigned long)(long)st.status,
		       (unsigned long)(long)GNTST_bad_domain);
	st.dom = DOMID_SELF;
	set_xen_guest_handle(st.frame_list, (xen_pfn_t *)0xFFFF830000000000UL);
	test_expect_rc("setup_table_bad_frame_list",
		       gnttab_op(GNTTABOP_setup_table, &st, 1), -14);
	test_expect_rc("setup_table_null_arg", gnttab_op(GNTTABOP_setup_table, NULL, 1), -14);
	test_expect_rc("query_size_count_2", gnttab_op(GNTTABOP_query_size, &q, 2), -22);
	test_expect_rc("query_size_hypervisor_arg",
		       gnttab_op(GNTTABOP_query_size, (void *)0xFFFF830000000000UL, 1), -14);

	struct gnttab_set_version sv = { .version = 1 };
	test_expect_rc("set_version_1", gnttab_op(GNTTABOP_set_version, &sv, 1), 0);
	sv.version = 2;
	test_expect_rc("set_version_2_refused", gnttab_op(GNTTABOP_set_version, &sv, 1), -22);
	test_expect_eq("set_version_2_reports_1", sv.version, 1);
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	test_expect_rc("get_version", gnttab_op(GNTTABOP_get_version, &gv, 1), 0);
	test_expect_eq("get_version_is_1", gv.version, 1);
	test_expect_rc("map_grant_ref_not_yet", gnttab_op(GNTTABOP_map_grant_ref, &gv, 1), -38);
	test_expect_rc("unknown_command", gnttab_op(99, &gv, 1), -38);
	test_finish();
}
