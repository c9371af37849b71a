/*
 * Host unit tests for frame table entries (hypervisor/common/frame_table.c):
 * ownership, reference counts, the type rules and the TLB-flush clock.
 */
#include <stdint.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/frame_table.h"
#include "hv_unit.h"

/* The flush the frame table asks for: counted; the clock is told. */
static unsigned long flushes;

void tlb_clock_flush(void)
{
	flushes++;
	tlb_clock_flushed();
}

/* A frame owned by domain 1 with one general reference. */
static struct frame_info owned_frame(void)
{
	struct frame_info fi;

	frame_info_init_free(&fi);
	frame_info_assign(&fi, 1);
	frame_get_ref(&fi);
	return fi;
}

static bool frame_table_entry_layout(char *why)
{
	EXPECT(sizeof(struct frame_info) == 16, "size %zu",
	       sizeof(struct frame_info));
	EXPECT(DOMID_XEN == 0x7FF2 && DOMID_INVALID == 0x7FF4, "domid values");
	return true;
}

static bool frame_table_init_free(char *why)
{
	struct frame_info fi;

	memset(&fi, 0xff, sizeof(fi));
	frame_info_init_free(&fi);
	EXPECT(fi.owner == DOMID_INVALID, "owner %#x", fi.owner);
	EXPECT(fi.type == FRAME_TYPE_NONE && fi.flags == 0, "type/flags");
	EXPECT(fi.type_count == 0 && fi.ref_count == 0 && fi.tlb_stamp == 0,
	       "counts");
	EXPECT(frame_info_is_free(&fi), "not free");
	return true;
}

static bool frame_table_assign(char *why)
{
	struct frame_info fi;

	frame_info_init_free(&fi);
	EXPECT(!frame_info_assign(&fi, DOMID_INVALID), "assigned to nobody");
	EXPECT(frame_info_assign(&fi, DOMID_XEN), "assign to Xen");
	EXPECT(fi.owner == DOMID_XEN && !frame_info_is_free(&fi), "owner");
	EXPECT(!frame_info_assign(&fi, 3), "reassigned an owned frame");
	EXPECT(fi.owner == DOMID_XEN, "failed assign changed the owner");
	return true;
}

static bool frame_table_refs(char *why)
{
	struct frame_info fi;

	frame_info_init_free(&fi);
	EXPECT(!frame_get_ref(&fi), "reference to a free frame");
	frame_info_assign(&fi, 7);
	EXPECT(frame_get_ref(&fi) && frame_get_ref(&fi), "get two");
	EXPECT(!frame_put_ref(&fi), "first put reported zero");
	EXPECT(frame_put_ref(&fi), "last put did not report zero");
	EXPECT(!frame_put_ref(&fi) && fi.ref_count == 0, "put below zero");
	fi.ref_count = UINT32_MAX - 1;
	EXPECT(frame_get_ref(&fi), "get to the maximum");
	EXPECT(!frame_get_ref(&fi) && fi.ref_count == UINT32_MAX, "overflow");
	return true;
}

static bool frame_table_type_needs_ref(char *why)
{
	struct frame_info fi;

	frame_info_init_free(&fi);
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == FRAME_EPERM,
	       "typed a free frame");
	frame_info_assign(&fi, 1);
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == FRAME_EPERM,
	       "typed without a general reference");
	EXPECT(fi.type_count == 0, "count changed");
	return true;
}

static bool frame_table_pagetable_never_writable(char *why)
{
	struct frame_info fi = owned_frame();

	EXPECT(frame_get_type(&fi, FRAME_TYPE_L1) == 0, "get L1");
	frame_set_validated(&fi);
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == FRAME_ETYPE,
	       "L1 frame typed writable");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L2) == FRAME_ETYPE,
	       "L1 frame typed L2");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_SEG_DESC) == FRAME_ETYPE,
	       "L1 frame typed descriptor");
	EXPECT(fi.type == FRAME_TYPE_L1 && fi.type_count == 1, "state changed");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L1) == 0 && fi.type_count == 2,
	       "second L1 reference");
	EXPECT(frame_is_validated(&fi), "same-type get dropped validation");
	EXPECT(frame_put_type(&fi) == 0, "put one of two");
	EXPECT(frame_put_type(&fi) == 1, "last put did not report zero");
	EXPECT(!frame_is_validated(&fi), "page table kept validation at 0");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == 0, "now writable");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L1) == FRAME_ETYPE,
	       "writable frame became a page table");
	return true;
}

static bool frame_table_type_change_clears_validated(char *why)
{
	struct frame_info fi = owned_frame();

	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == 0, "get writable");
	frame_set_validated(&fi);
	EXPECT(frame_put_type(&fi) == 1, "put writable");
	EXPECT(frame_is_validated(&fi), "writable type lost validation at 0");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == 0 &&
	       frame_is_validated(&fi), "same type again must stay validated");
	frame_put_type(&fi);
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L4) == 0, "retype to L4");
	EXPECT(fi.type == FRAME_TYPE_L4 && !frame_is_validated(&fi),
	       "retype kept validation");
	return true;
}

static bool frame_table_type_errors(char *why)
{
	struct frame_info fi = owned_frame();

	EXPECT(frame_put_type(&fi) == FRAME_ETYPE, "put with no type ref");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_NONE) == FRAME_ETYPE, "type NONE");
	EXPECT(frame_get_type(&fi, (enum frame_type)99) == FRAME_ETYPE,
	       "type 99");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_SEG_DESC) == 0, "get desc");
	fi.type_count = UINT32_MAX;
	EXPECT(frame_get_type(&fi, FRAME_TYPE_SEG_DESC) == FRAME_EOVERFLOW,
	       "type count overflow");
	EXPECT(fi.type_count == UINT32_MAX, "overflow changed the count");
	return true;
}

static bool frame_table_pinning(char *why)
{
	struct frame_info fi = owned_frame();

	EXPECT(frame_unpin(&fi) == FRAME_ETYPE, "unpin of an unpinned frame");
	EXPECT(frame_pin(&fi, FRAME_TYPE_L4) == 0, "pin");
	EXPECT(fi.type_count == 1 && (fi.flags & FRAME_FLAG_PINNED), "pin state");
	EXPECT(frame_pin(&fi, FRAME_TYPE_L4) == FRAME_EBUSY, "double pin");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L4) == 0, "extra L4 ref");
	EXPECT(frame_unpin(&fi) == 0 && fi.type_count == 1, "unpin keeps ref");
	EXPECT(!(fi.flags & FRAME_FLAG_PINNED), "still pinned");
	EXPECT(frame_put_type(&fi) == 1, "last put");
	EXPECT(frame_pin(&fi, FRAME_TYPE_WRITABLE) == 0, "pin another type");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L1) == FRAME_ETYPE,
	       "pinned frame retyped");
	return true;
}

/*
 * Random get/put sequences: the type never changes while type_count > 0,
 * type_count only changes by one, and a failed call changes nothing.
 */
static bool frame_table_random_invariants(char *why)
{
	unsigned long long seed = 99;
	struct frame_info fi = owned_frame();

	for (int it = 0; it < 20000; it++) {
		struct frame_info before = fi;
		unsigned op = unit_rand(&seed) % 4;
		int rc;

		if (op < 2) {
			enum frame_type t = (enum frame_type)
				(1 + unit_rand(&seed) % FRAME_TYPE_WRITABLE);

			rc = frame_get_type(&fi, t);
			if (rc == 0) {
				EXPECT(fi.type_count == before.type_count + 1,
				       "it %d: count", it);
				EXPECT(before.type_count == 0 || before.type == t,
				       "it %d: type %u changed to %u while in use",
				       it, before.type, t);
			} else {
				EXPECT(memcmp(&fi, &before, sizeof(fi)) == 0,
				       "it %d: failed get changed state", it);
				EXPECT(before.type_count > 0 && before.type != t,
				       "it %d: get refused without conflict", it);
			}
		} else if (op == 2) {
			rc = frame_put_type(&fi);
			EXPECT(rc == (before.type_count == 0 ? FRAME_ETYPE :
				      before.type_count == 1 ? 1 : 0),
			       "it %d: put returned %d", it, rc);
		} else if (fi.type_count) {
			frame_set_validated(&fi);
		}
		EXPECT(fi.type == before.type || before.type_count == 0,
		       "it %d: type changed under references", it);
		/* Only a never-typed page may become writable while stale. */
		EXPECT(fi.type == before.type || !frame_tlb_stale(&fi) ||
		       (before.type == FRAME_TYPE_NONE &&
			fi.type == FRAME_TYPE_WRITABLE),
		       "it %d: type changed with a stale stamp", it);
		if (unit_rand(&seed) % 3 == 0)
			frame_tlb_stamp(&fi);   /* a mapping of it dropped */
	}
	return true;
}

/* A stamp is stale until the next full flush; 0 never is. */
static bool tlb_clock_stamps(char *why)
{
	struct frame_info fi = owned_frame();

	EXPECT(!frame_tlb_stale(&fi), "fresh frame stale");
	frame_tlb_stamp(&fi);
	EXPECT(frame_tlb_stale(&fi), "stamped frame not stale");
	tlb_clock_flush();
	EXPECT(!frame_tlb_stale(&fi), "stale after a flush");
	frame_tlb_stamp(&fi);
	EXPECT(frame_tlb_stale(&fi), "stamp after a flush not stale");
	unsigned long before = flushes;
	frame_tlb_flush_if_stale(&fi);
	EXPECT(flushes == before + 1 && !frame_tlb_stale(&fi),
	       "flush_if_stale did not flush");
	frame_tlb_flush_if_stale(&fi);
	EXPECT(flushes == before + 1, "flushed for a frame that is not stale");
	return true;
}

/* A type change flushes first if and only if the frame is stale. */
static bool tlb_clock_type_change_flushes(char *why)
{
	struct frame_info fi = owned_frame();
	unsigned long before;

	/* Never typed, stale, becoming writable: no flush needed. */
	frame_tlb_stamp(&fi);
	before = flushes;
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == 0, "writable");
	EXPECT(flushes == before, "flushed for a stale read-only page");
	tlb_clock_flush();
	EXPECT(frame_put_type(&fi) == 1, "put writable");
	EXPECT(!frame_tlb_stale(&fi), "dropping WRITABLE stamped the frame "
	       "(the frame rule's references map nothing in the guest)");
	before = flushes;
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L1) == 0, "to L1");
	EXPECT(flushes == before, "flushed for a frame never stamped");
	frame_set_validated(&fi);
	EXPECT(frame_put_type(&fi) == 1, "put L1");
	EXPECT(frame_tlb_stale(&fi), "a table whose count fell to 0 not stamped");
	/* The same type again is no change: stale walks see the same kind. */
	before = flushes;
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L1) == 0, "L1 again");
	EXPECT(flushes == before, "flushed without a type change");
	EXPECT(frame_put_type(&fi) == 1, "put L1");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_WRITABLE) == 0, "to writable");
	EXPECT(flushes == before + 1, "table became writable without a flush");
	/* A writable mapping dropped (the caller stamps), then promotion. */
	frame_tlb_stamp(&fi);
	EXPECT(frame_put_type(&fi) == 1, "put writable");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_SEG_DESC) == 0, "to descriptor");
	EXPECT(flushes == before + 2, "promotion of a stale frame not flushed");
	EXPECT(frame_put_type(&fi) == 1 && frame_tlb_stale(&fi),
	       "descriptor frame not stamped at 0");
	/* A refused type change flushes nothing. */
	EXPECT(frame_get_type(&fi, FRAME_TYPE_SEG_DESC) == 0, "desc again");
	EXPECT(frame_get_type(&fi, FRAME_TYPE_L2) == FRAME_ETYPE, "conflict");
	EXPECT(flushes == before + 2, "refused change flushed");
	return true;
}

/* Wrap: the flush that would wrap the clock resets every stamp. */
static bool tlb_clock_wraps(char *why)
{
	struct frame_info tbl[3];

	for (int i = 0; i < 3; i++) {
		tbl[i] = owned_frame();
		frame_tlb_stamp(&tbl[i]);
	}
	tlb_clock_init(tbl, 3);
	tlb_clock.now = UINT32_MAX - 1;
	tlb_clock_flush();
	EXPECT(tlb_clock.now == UINT32_MAX &&
	       tlb_clock.cpu_flushed == UINT32_MAX - 1, "clock %u/%u",
	       tlb_clock.now, tlb_clock.cpu_flushed);
	frame_tlb_stamp(&tbl[0]);
	EXPECT(frame_tlb_stale(&tbl[0]) && !frame_tlb_stale(&tbl[1]),
	       "before the wrap");
	tlb_clock_flush();
	EXPECT(tlb_clock.now == 1 && tlb_clock.cpu_flushed == 0,
	       "clock after wrap %u/%u", tlb_clock.now, tlb_clock.cpu_flushed);
	for (int i = 0; i < 3; i++)
		EXPECT(tbl[i].tlb_stamp == 0 && !frame_tlb_stale(&tbl[i]),
		       "frame %d stamp %u after wrap", i, tbl[i].tlb_stamp);
	frame_tlb_stamp(&tbl[2]);
	EXPECT(frame_tlb_stale(&tbl[2]), "stamp after the wrap not stale");
	tlb_clock_flush();
	EXPECT(!frame_tlb_stale(&tbl[2]) && tlb_clock.now == 2,
	       "clock after the wrap does not run");
	tlb_clock_init(NULL, 0);
	return true;
}

int main(void)
{
	RUN(frame_table_entry_layout);
	RUN(frame_table_init_free);
	RUN(frame_table_assign);
	RUN(frame_table_refs);
	RUN(frame_table_type_needs_ref);
	RUN(frame_table_pagetable_never_writable);
	RUN(frame_table_type_change_clears_validated);
	RUN(frame_table_type_errors);
	RUN(frame_table_pinning);
	RUN(frame_table_random_invariants);
	RUN(tlb_clock_stamps);
	RUN(tlb_clock_type_change_flushes);
	RUN(tlb_clock_wraps);
	return unit_exit_status();
}
