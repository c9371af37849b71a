/*
 * Host unit tests for page-table validation (hypervisor/arch/x86/pv/pt_validate.c)
 * on a fake machine: an array of 4 KiB frames and a frame table, with page
 * tables built directly in memory. After every operation the reference and
 * type counts are checked: either against a snapshot taken before (failures
 * must change nothing) or against counts recomputed from the validated tables.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/frame_table.h"
#include "lamina/pt_validate.h"
#include "hv_unit.h"

/* Machine layout: frames 0-47 and 64+ belong to domain 1, 48-51 to domain
 * 2, 52-55 to the hypervisor, 56-63 are free. Frame 46 carries two stray
 * general references and frame 47 an existing writable mapping, so exact
 * counts are checked against a non-zero baseline. */
#define NR_FRAMES     2048
#define SMALL_FRAMES  64
#define DOM           1
#define DOM_OTHER     2
#define F_DOM2        48
#define F_XEN         52
#define F_FREE        56
#define F_REFD        46
#define F_WMAPPED     47

/* Room for a detail message quoted inside a failure reason. */
#define MSG_MAX       200

#define P   PTE_PRESENT
#define W   PTE_WRITE
#define L1_BAD_BITS   (PTE_PWT | PTE_PCD | PTE_PSE | PTE_HIGH_RSVD)
#define LN_BAD_BITS   (PTE_PWT | PTE_PCD | PTE_PSE | PTE_GLOBAL | PTE_HIGH_RSVD)

static uint64_t *memory;                      /* NR_FRAMES * 512 entries */
static struct frame_info frames[NR_FRAMES];
static unsigned long flushes;                 /* tlb_clock_flush() calls */
static struct frame_info initial[NR_FRAMES];  /* state after reset */
static uint64_t xen_l4e[PT_XEN_NR_SLOTS];
static struct pt_ctx ctx;

/* ctx->map: a frame's memory (aborts on a frame that does not exist). */
static uint64_t *map_frame(void *cookie, uint64_t mfn)
{
	(void)cookie;
	if (mfn >= NR_FRAMES)
		abort();
	return memory + mfn * PT_ENTRIES;
}

/* The frame table's safety flush: counted, and the clock told. */
void tlb_clock_flush(void)
{
	flushes++;
	tlb_clock_flushed();
}

static uint64_t *tab(uint64_t mfn)
{
	return map_frame(NULL, mfn);
}

static uint64_t pte(uint64_t mfn, uint64_t flags)
{
	return (mfn << 12) | flags;
}

static uint64_t pte_mfn(uint64_t e)
{
	return (e & PTE_MFN_MASK) >> 12;
}

static uint16_t owner_of(uint64_t mfn)
{
	if (mfn >= F_FREE && mfn < SMALL_FRAMES)
		return DOMID_INVALID;
	if (mfn >= F_XEN && mfn < F_FREE)
		return DOMID_XEN;
	if (mfn >= F_DOM2 && mfn < F_XEN)
		return DOM_OTHER;
	return DOM;
}

/* Fresh machine: zeroed memory, owners as above, baseline references. */
static void machine_reset(void)
{
	memset(memory, 0, (size_t)NR_FRAMES * 4096);
	for (uint64_t i = 0; i < NR_FRAMES; i++) {
		frame_info_init_free(&frames[i]);
		if (owner_of(i) != DOMID_INVALID)
			frame_info_assign(&frames[i], owner_of(i));
	}
	frame_get_ref(&frames[F_REFD]);
	frame_get_ref(&frames[F_REFD]);
	frame_get_ref(&frames[F_WMAPPED]);
	frame_get_type(&frames[F_WMAPPED], FRAME_TYPE_WRITABLE);
	memcpy(initial, frames, sizeof(frames));
}

static void snapshot(struct frame_info *s)
{
	memcpy(s, frames, sizeof(frames));
}

/* Frame table equal to s: owner, counts, flags, and the type while held
 * (a type with no references left is only a cached hint). */
static bool same_as(const struct frame_info *s, char *msg)
{
	for (uint64_t i = 0; i < NR_FRAMES; i++) {
		const struct frame_info *a = &s[i], *b = &frames[i];
		if (a->owner != b->owner || a->ref_count != b->ref_count ||
		    a->type_count != b->type_count || a->flags != b->flags ||
		    (a->type_count && a->type != b->type)) {
			snprintf(msg, MSG_MAX,
				 "frame %lu: owner %#x->%#x type %u->%u tc %u->%u "
				 "ref %u->%u flags %#x->%#x", (unsigned long)i,
				 a->owner, b->owner, a->type, b->type, a->type_count,
				 b->type_count, a->ref_count, b->ref_count, a->flags,
				 b->flags);
			return false;
		}
	}
	return true;
}

static bool is_live_table(uint64_t mfn)
{
	const struct frame_info *fi = &frames[mfn];

	return frame_type_is_pagetable((enum frame_type)fi->type) &&
	       fi->type_count > 0;
}

/* Check one entry of live table f (level k); add its references to ref/tc. */
static bool account_entry(uint64_t f, unsigned int k, uint64_t e,
			  uint32_t *ref, uint32_t *tc, char *msg)
{
	uint64_t t = pte_mfn(e);

	if (!(e & P))
		return true;
	if (t >= NR_FRAMES || frames[t].owner != DOM) {
		snprintf(msg, MSG_MAX, "L%u %lu maps foreign/absent %lu", k,
			 (unsigned long)f, (unsigned long)t);
		return false;
	}
	ref[t]++;
	if (k == 1) {
		if (!(e & PTE_USER) || (e & L1_BAD_BITS)) {
			snprintf(msg, MSG_MAX, "L1 %lu bad entry %#lx",
				 (unsigned long)f, (unsigned long)e);
			return false;
		}
		if (e & W) {
			tc[t]++;
			if (frames[t].type != FRAME_TYPE_WRITABLE) {
				snprintf(msg, MSG_MAX, "L1 %lu maps RW %lu "
					 "of type %u", (unsigned long)f,
					 (unsigned long)t, frames[t].type);
				return false;
			}
		}
		return true;
	}
	if (e & LN_BAD_BITS) {
		snprintf(msg, MSG_MAX, "L%u %lu bad entry %#lx", k,
			 (unsigned long)f, (unsigned long)e);
		return false;
	}
	if (t == f && !(e & W))
		return true;    /* read-only self-map: general reference only */
	tc[t]++;
	if (frames[t].type != FRAME_TYPE_L1 + k - 2 || !frame_is_validated(&frames[t])) {
		snprintf(msg, MSG_MAX, "L%u %lu -> %lu of type %u flags %#x",
			 k, (unsigned long)f, (unsigned long)t, frames[t].type,
			 frames[t].flags);
		return false;
	}
	return true;
}

/*
 * Recompute every count from scratch: base counts, plus one general + type
 * reference per pin, plus what each entry of each live table holds. Also
 * checks that live tables are validated, hold the Xen L4 slots, and that
 * no table frame is mapped writable.
 */
static bool accounting_ok(const struct frame_info *base, const uint64_t *pins,
			  int npins, char *msg)
{
	static uint32_t ref[NR_FRAMES], tc[NR_FRAMES];

	for (uint64_t i = 0; i < NR_FRAMES; i++) {
		ref[i] = base[i].ref_count;
		tc[i] = base[i].type_count;
	}
	for (int i = 0; i < npins; i++) {
		ref[pins[i]]++;
		tc[pins[i]]++;
	}
	for (uint64_t f = 0; f < NR_FRAMES; f++) {
		if (!is_live_table(f))
			continue;
		unsigned int k = frames[f].type - FRAME_TYPE_L1 + 1;
		if (!frame_is_validated(&frames[f])) {
			snprintf(msg, MSG_MAX, "live table %lu not validated",
				 (unsigned long)f);
			return false;
		}
		for (unsigned int i = 0; i < PT_ENTRIES; i++) {
			if (k == 4 && i >= PT_XEN_FIRST_SLOT &&
			    i < PT_XEN_FIRST_SLOT + PT_XEN_NR_SLOTS) {
				if (tab(f)[i] != xen_l4e[i - PT_XEN_FIRST_SLOT]) {
					snprintf(msg, MSG_MAX, "L4 %lu slot %u "
						 "not the hypervisor's",
						 (unsigned long)f, i);
					return false;
				}
				continue;
			}
			if (!account_entry(f, k, tab(f)[i], ref, tc, msg))
				return false;
		}
	}
	for (uint64_t i = 0; i < NR_FRAMES; i++) {
		if (ref[i] != frames[i].ref_count || tc[i] != frames[i].type_count) {
			snprintf(msg, MSG_MAX, "frame %lu: ref %u (expected %u) "
				 "type_count %u (expected %u) type %u",
				 (unsigned long)i, frames[i].ref_count, ref[i],
				 frames[i].type_count, tc[i], frames[i].type);
			return false;
		}
	}
	return true;
}

/* Expect exact counts and type of one frame. */
#define EXPECT_FRAME(mfn, ty, tcount, rcount)                                \
	EXPECT((frames[mfn].type_count == 0 || frames[mfn].type == (ty)) &&   \
	       frames[mfn].type_count == (tcount) &&                          \
	       frames[mfn].ref_count == (rcount),                             \
	       "frame %d: type %u tc %u ref %u, expected type %u tc %u ref %u", \
	       (int)(mfn), frames[mfn].type, frames[mfn].type_count,          \
	       frames[mfn].ref_count, (unsigned)(ty), (unsigned)(tcount),     \
	       (unsigned)(rcount))

/* A failing operation returned rc and left the frame table as snap. */
#define EXPECT_REFUSED(call, want_rc, snap)                                  \
	do {                                                                 \
		int rc_ = (call);                                            \
		EXPECT(rc_ == (want_rc), "%s: rc %d, expected %d", #call,    \
		       rc_, (int)(want_rc));                                 \
		char m_[MSG_MAX];                                       \
		EXPECT(same_as(snap, m_), "%s changed counts: %s", #call, m_); \
	} while (0)

/* The standard tree: L4 1 -> L3 2 -> L2 3 -> L1 4 -> data 10 (RW),
 * 11 (RW, NX), 12 (RO); junk in the Xen slots; a non-present L1 entry. */
enum { T_L4 = 1, T_L3 = 2, T_L2 = 3, T_L1 = 4, D_A = 10, D_B = 11, D_C = 12,
       T_L1B = 5, T_L2B = 6, T_L3B = 7, D_D = 13 };

static void build_tree(void)
{
	machine_reset();
	tab(T_L4)[0] = pte(T_L3, P | W);
	tab(T_L3)[0] = pte(T_L2, P | W);
	tab(T_L2)[0] = pte(T_L1, P | W);
	tab(T_L1)[0] = pte(D_A, P | W);
	tab(T_L1)[1] = pte(D_B, P | W | PTE_NX_BIT);
	tab(T_L1)[2] = pte(D_C, P);
	tab(T_L1)[5] = pte(D_D, W);       /* not present: ignored */
	for (int i = 0; i < PT_XEN_NR_SLOTS; i++)
		tab(T_L4)[PT_XEN_FIRST_SLOT + i] = pte(D_D, P | W);
	tab(T_L4)[255] = 0;
	tab(T_L4)[272] = 0;
	memcpy(initial, frames, sizeof(frames));
}

static int pin_l4(uint64_t mfn)
{
	return pt_get_page_and_type(&ctx, mfn, FRAME_TYPE_L4);
}

/* Pin the standard tree with one extra change applied, expect refusal. */
static bool refused_tree(uint64_t table, unsigned int idx, uint64_t e, int want,
			 char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	tab(table)[idx] = e;
	snapshot(snap);
	int rc = pin_l4(T_L4);
	EXPECT(rc == want, "frame %lu[%u] = %#lx: rc %d, expected %d",
	       (unsigned long)table, idx, (unsigned long)e, rc, want);
	char m[MSG_MAX];
	EXPECT(same_as(snap, m), "frame %lu[%u] = %#lx: refusal changed counts: %s",
	       (unsigned long)table, idx, (unsigned long)e, m);
	return true;
}

/* --- valid trees ------------------------------------------------------ */

static bool valid_tree_validates(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(T_L4, FRAME_TYPE_L4, 1, 1);
	EXPECT_FRAME(T_L3, FRAME_TYPE_L3, 1, 1);
	EXPECT_FRAME(T_L2, FRAME_TYPE_L2, 1, 1);
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, 1, 1);
	EXPECT_FRAME(D_A, FRAME_TYPE_WRITABLE, 1, 1);
	EXPECT_FRAME(D_B, FRAME_TYPE_WRITABLE, 1, 1);
	EXPECT_FRAME(D_C, FRAME_TYPE_NONE, 0, 1);
	EXPECT_FRAME(D_D, FRAME_TYPE_NONE, 0, 0);
	for (uint64_t t = T_L4; t <= T_L1; t++)
		EXPECT(frame_is_validated(&frames[t]), "table %lu not validated",
		       (unsigned long)t);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	return true;
}

static bool valid_tree_l1_user_forced(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT(tab(T_L1)[0] == pte(D_A, P | W | PTE_USER), "L1[0] %#lx",
	       (unsigned long)tab(T_L1)[0]);
	EXPECT(tab(T_L1)[1] == pte(D_B, P | W | PTE_NX_BIT | PTE_USER), "L1[1]");
	EXPECT(tab(T_L1)[2] == pte(D_C, P | PTE_USER), "L1[2]");
	EXPECT(tab(T_L1)[5] == pte(D_D, W), "non-present entry changed");
	EXPECT(tab(T_L2)[0] == pte(T_L1, P | W | PTE_USER), "L2 entry lacks the forced USER bit");
	return true;
}

static bool valid_tree_xen_slots_overwritten(char *why)
{
	build_tree();
	for (int i = 0; i < PT_XEN_NR_SLOTS; i++)
		xen_l4e[i] = 0x800000000000A063UL + ((uint64_t)i << 12);
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	for (int i = 0; i < PT_XEN_NR_SLOTS; i++)
		EXPECT(tab(T_L4)[PT_XEN_FIRST_SLOT + i] == xen_l4e[i],
		       "slot %d = %#lx", PT_XEN_FIRST_SLOT + i,
		       (unsigned long)tab(T_L4)[PT_XEN_FIRST_SLOT + i]);
	EXPECT(tab(T_L4)[255] == 0 && tab(T_L4)[272] == 0, "neighbour slot");
	EXPECT_FRAME(D_D, FRAME_TYPE_NONE, 0, 0);   /* guest junk took nothing */
	return true;
}

static bool release_drops_everything(char *why)
{
	char m[MSG_MAX];

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	for (uint64_t t = T_L4; t <= T_L1; t++)
		EXPECT(!frame_is_validated(&frames[t]), "table %lu still validated",
		       (unsigned long)t);
	/* and it can be validated again */
	EXPECT(pin_l4(T_L4) == 0, "second pin failed");
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after second release: %s", m);
	return true;
}

static bool pin_lower_levels_directly(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L2;

	build_tree();
	EXPECT(pt_get_page_and_type(&ctx, T_L2, FRAME_TYPE_L2) == 0, "pin L2");
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, 1, 1);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L2);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* --- ownership -------------------------------------------------------- */

static bool refuse_l1_other_domain(char *why)
{
	return refused_tree(T_L1, 7, pte(F_DOM2, P), -1, why) &&
	       refused_tree(T_L1, 7, pte(F_DOM2 + 1, P | W), -1, why);
}

static bool refuse_l1_xen_frame(char *why)
{
	return refused_tree(T_L1, 7, pte(F_XEN, P), -1, why) &&
	       refused_tree(T_L1, 511, pte(F_XEN + 3, P | W), -1, why);
}

static bool refuse_l1_free_frame(char *why)
{
	return refused_tree(T_L1, 7, pte(F_FREE, P), -1, why) &&
	       refused_tree(T_L1, 7, pte(F_FREE + 7, P | W), -1, why);
}

static bool refuse_l1_beyond_ram(char *why)
{
	return refused_tree(T_L1, 7, pte(NR_FRAMES, P), -22, why) &&
	       refused_tree(T_L1, 7, pte(0xffffffffffUL, P | W), -22, why);
}

static bool refuse_upper_foreign_frames(char *why)
{
	return refused_tree(T_L4, 3, pte(F_DOM2, P | W), -1, why) &&
	       refused_tree(T_L3, 3, pte(F_XEN, P | W), -1, why) &&
	       refused_tree(T_L2, 3, pte(F_FREE, P | W), -1, why) &&
	       refused_tree(T_L2, 3, pte(NR_FRAMES + 5, P | W), -22, why);
}

static bool refuse_root_not_owned(char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(F_DOM2), -1, snap);
	EXPECT_REFUSED(pin_l4(F_XEN), -1, snap);
	EXPECT_REFUSED(pin_l4(F_FREE), -1, snap);
	EXPECT_REFUSED(pin_l4(NR_FRAMES), -22, snap);
	return true;
}

/* --- flag bits -------------------------------------------------------- */

static bool refuse_l1_reserved_bits(char *why)
{
	uint64_t bad[] = { PTE_PWT, PTE_PCD, PTE_PSE };

	for (unsigned int i = 0; i < 3; i++)
		if (!refused_tree(T_L1, 0, pte(D_A, P | W | bad[i]), -22, why))
			return false;
	for (int b = 52; b <= 62; b++)
		if (!refused_tree(T_L1, 2, pte(D_C, P | (1UL << b)), -22, why))
			return false;
	return true;
}

static bool refuse_upper_bad_bits(char *why)
{
	uint64_t bad[] = { PTE_PSE, PTE_GLOBAL, PTE_PWT, PTE_PCD };
	struct { uint64_t table, target; } lv[] = {
		{ T_L4, T_L3 }, { T_L3, T_L2 }, { T_L2, T_L1 } };

	for (unsigned int l = 0; l < 3; l++) {
		for (unsigned int i = 0; i < 4; i++)
			if (!refused_tree(lv[l].table, 0,
					  pte(lv[l].target, P | W | bad[i]), -22, why))
				return false;
		for (int b = 52; b <= 62; b++)
			if (!refused_tree(lv[l].table, 0,
					  pte(lv[l].target, P | W | (1UL << b)), -22, why))
				return false;
	}
	return true;
}

static bool accept_allowed_bits(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;
	uint64_t ok = PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_NX_BIT;

	build_tree();
	tab(T_L4)[0] |= ok;
	tab(T_L3)[0] |= ok;
	tab(T_L2)[0] |= ok;
	tab(T_L1)[0] |= ok | PTE_GLOBAL;        /* G is allowed in an L1 */
	tab(T_L1)[9] = pte(D_D, 0x7ff0000000000ffeUL); /* not present: any bits */
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* --- writable mappings of tables -------------------------------------- */

static bool refuse_rw_map_of_own_l1(char *why)
{
	return refused_tree(T_L1, 7, pte(T_L1, P | W), -16, why);
}

static bool refuse_rw_map_of_ancestors(char *why)
{
	return refused_tree(T_L1, 7, pte(T_L2, P | W), -16, why) &&
	       refused_tree(T_L1, 7, pte(T_L3, P | W), -16, why) &&
	       refused_tree(T_L1, 7, pte(T_L4, P | W), -16, why);
}

static bool ro_map_of_tables_accepted(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	tab(T_L1)[7] = pte(T_L1, P);
	tab(T_L1)[8] = pte(T_L4, P);
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, 1, 2);
	EXPECT_FRAME(T_L4, FRAME_TYPE_L4, 1, 2);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* L2 -> L1a, L1b; one L1 maps the other RW, in both orders. */
static bool refuse_rw_map_of_sibling_table(char *why)
{
	char m[MSG_MAX];

	build_tree();
	tab(T_L2)[1] = pte(T_L1B, P | W);  /* sanity: a plain second L1 is fine */
	EXPECT(pin_l4(T_L4) == 0, "two L1s refused");
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	/* L1 (validated first) maps L1b RW, then L1b is used as a table */
	build_tree();
	tab(T_L2)[1] = pte(T_L1B, P | W);
	tab(T_L1)[7] = pte(T_L1B, P | W);
	struct frame_info snap[NR_FRAMES];
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(T_L4), -16, snap);
	/* L1b (validated second) maps the already validated L1 RW */
	build_tree();
	tab(T_L2)[1] = pte(T_L1B, P | W);
	tab(T_L1B)[0] = pte(T_L1, P | W);
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(T_L4), -16, snap);
	return true;
}

/* A second tree's L1 maps a table of an already pinned tree RW. */
static bool refuse_rw_map_of_other_trees_table(char *why)
{
	struct frame_info snap[NR_FRAMES];
	char m[MSG_MAX];
	uint64_t pins[2] = { T_L4, 20 };

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "first tree");
	tab(20)[0] = pte(21, P | W);
	tab(21)[0] = pte(22, P | W);
	tab(22)[0] = pte(23, P | W);
	tab(23)[0] = pte(T_L2, P | W);  /* the first tree's L2, RW */
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(20), -16, snap);
	tab(23)[0] = pte(T_L2, P);      /* read-only is fine */
	EXPECT(pin_l4(20) == 0, "second tree with RO map");
	EXPECT(accounting_ok(initial, pins, 2, m), "%s", m);
	pt_put_page_and_type(&ctx, 20);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* A writably mapped frame cannot become a table. */
static bool refuse_writable_frame_as_table(char *why)
{
	struct frame_info snap[NR_FRAMES];

	/* the pre-existing writable mapping of F_WMAPPED */
	if (!refused_tree(T_L2, 1, pte(F_WMAPPED, P | W), -16, why))
		return false;
	build_tree();
	snapshot(snap);
	EXPECT_REFUSED(pt_get_page_and_type(&ctx, F_WMAPPED, FRAME_TYPE_L1), -16,
		       snap);
	/* the tree's own data frame D_A (mapped RW by L1) used as L1 too */
	if (!refused_tree(T_L2, 1, pte(D_A, P | W), -16, why))
		return false;
	/* a frame the caller holds WRITABLE */
	build_tree();
	EXPECT(pt_get_page_and_type(&ctx, D_D, FRAME_TYPE_WRITABLE) == 0, "get W");
	tab(T_L4)[1] = pte(D_D, P | W);
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(T_L4), -16, snap);
	pt_put_page_and_type(&ctx, D_D);
	EXPECT_FRAME(D_D, FRAME_TYPE_NONE, 0, 0);
	return true;
}

/* --- self-maps and loops ---------------------------------------------- */

static bool self_map_writable_refused(char *why)
{
	return refused_tree(T_L4, 5, pte(T_L4, P | W), -16, why) &&
	       refused_tree(T_L3, 5, pte(T_L3, P | W), -16, why) &&
	       refused_tree(T_L2, 5, pte(T_L2, P | W), -16, why);
}

static bool self_map_readonly_accepted(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	tab(T_L4)[5] = pte(T_L4, P | PTE_ACCESSED);
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(T_L4, FRAME_TYPE_L4, 1, 2);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

static bool loop_back_refused(char *why)
{
	return refused_tree(T_L2, 1, pte(T_L3, P | W), -16, why) &&
	       refused_tree(T_L2, 1, pte(T_L3, P), -16, why) &&
	       refused_tree(T_L2, 1, pte(T_L4, P | W), -16, why) &&
	       refused_tree(T_L2, 1, pte(T_L4, P), -16, why) &&
	       refused_tree(T_L3, 1, pte(T_L4, P | W), -16, why) &&
	       refused_tree(T_L3, 1, pte(T_L4, P), -16, why);
}

static bool frame_at_two_levels_refused(char *why)
{
	/* T_L1 as L1 under L2[0], then as L2 under L3[1] */
	return refused_tree(T_L3, 1, pte(T_L1, P | W), -16, why) &&
	       /* T_L2 as L2, then as L3 under L4[1] */
	       refused_tree(T_L4, 1, pte(T_L2, P | W), -16, why) &&
	       /* T_L1 as L1, then as L3 under L4[1] */
	       refused_tree(T_L4, 1, pte(T_L1, P), -16, why);
}

/* A frame first validated at a higher level, then asked for lower. */
static bool two_levels_with_setup(char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	tab(T_L4)[1] = pte(T_L3B, P | W);
	tab(T_L3B)[0] = pte(T_L3, P | W);   /* T_L3 as an L2 too */
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(T_L4), -16, snap);
	build_tree();
	tab(T_L4)[1] = pte(T_L3B, P | W);
	tab(T_L3B)[0] = pte(T_L2B, P | W);
	tab(T_L2B)[0] = pte(T_L2, P | W);   /* T_L2 as an L1 too */
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(T_L4), -16, snap);
	return true;
}

/* --- diamonds --------------------------------------------------------- */

static bool diamond_l1_shared(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	tab(T_L2)[1] = pte(T_L1, P | W);
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, 2, 2);
	EXPECT_FRAME(D_A, FRAME_TYPE_WRITABLE, 1, 1);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	EXPECT(!frame_is_validated(&frames[T_L1]), "L1 still validated");
	return true;
}

static bool diamond_l2_shared(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	tab(T_L3)[1] = pte(T_L2, P | W);
	tab(T_L4)[1] = pte(T_L3B, P | W);
	tab(T_L3B)[0] = pte(T_L2, P | W);   /* across two L3s as well */
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(T_L2, FRAME_TYPE_L2, 3, 3);
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, 1, 1);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* A failure after a shared table was validated releases it completely. */
static bool diamond_then_failure_rolls_back(char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	tab(T_L3)[1] = pte(T_L2, P | W);
	tab(T_L3)[2] = pte(T_L2, P | W);
	tab(T_L3)[3] = pte(T_L2B, P | W);
	tab(T_L2B)[0] = pte(T_L1, P | W);
	tab(T_L2B)[1] = pte(T_L1B, P | W);
	tab(T_L1B)[0] = pte(F_DOM2, P);     /* fails deep and late */
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(T_L4), -1, snap);
	for (uint64_t t = 0; t < SMALL_FRAMES; t++)
		EXPECT(!frame_is_validated(&frames[t]), "%lu validated",
		       (unsigned long)t);
	return true;
}

/* --- pt_mod_entry ----------------------------------------------------- */

static bool mod_l1_entry_swaps_references(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	unsigned long flushes_before = flushes;
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_D, P | W), false) == 0,
	       "mod failed");
	EXPECT(tab(T_L1)[0] == pte(D_D, P | W | PTE_USER), "entry %#lx",
	       (unsigned long)tab(T_L1)[0]);
	EXPECT_FRAME(D_A, FRAME_TYPE_WRITABLE, 0, 0);
	EXPECT_FRAME(D_D, FRAME_TYPE_WRITABLE, 1, 1);
	EXPECT(frame_tlb_stale(&frames[D_A]), "replaced frame not stamped");
	EXPECT(!frame_tlb_stale(&frames[D_D]), "new frame stamped");
	EXPECT(flushes == flushes_before, "a replaced entry flushed");
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	/* RW -> RO of the same frame drops the writable type */
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_D, P), false) == 0, "RO");
	EXPECT_FRAME(D_D, FRAME_TYPE_WRITABLE, 0, 1);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	/* clear it */
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, 0, false) == 0, "clear");
	EXPECT_FRAME(D_D, FRAME_TYPE_WRITABLE, 0, 0);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* Only the frame a present old entry referenced is stamped; no flush. */
static bool mod_stamps_only_when_old_present(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	tlb_clock_flush();
	unsigned long before = flushes;
	EXPECT(pt_mod_entry(&ctx, T_L1, 20, pte(D_D, P), false) == 0, "mod");
	EXPECT(!frame_tlb_stale(&frames[D_D]), "stamp for a non-present old entry");
	EXPECT(pt_mod_entry(&ctx, T_L1, 5, 0, false) == 0, "mod");
	EXPECT(!frame_tlb_stale(&frames[D_D]),
	       "stamp for a non-present (W-only) old entry");
	EXPECT(pt_mod_entry(&ctx, T_L1, 20, 0, false) == 0, "unmap");
	EXPECT(frame_tlb_stale(&frames[D_D]), "unmapped frame not stamped");
	EXPECT(!frame_tlb_stale(&frames[D_A]) && !frame_tlb_stale(&frames[T_L1]),
	       "frames still mapped stamped");
	EXPECT(flushes == before, "an update flushed");
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

static bool mod_preserve_ad(char *why)
{
	uint64_t ad = PTE_ACCESSED | PTE_DIRTY;

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	tab(T_L1)[0] |= ad;                 /* set by the "CPU" */
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_A, P | W | PTE_NX_BIT), true) == 0, "mod");
	EXPECT((tab(T_L1)[0] & ad) == ad, "A/D lost: %#lx",
	       (unsigned long)tab(T_L1)[0]);
	EXPECT(tab(T_L1)[0] & PTE_NX_BIT, "new bits lost");
	/* old A only; new asks for D: preserve keeps old A/D exactly */
	tab(T_L1)[0] = (tab(T_L1)[0] & ~ad) | PTE_ACCESSED;
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_A, P | W | PTE_DIRTY), true) == 0, "mod");
	EXPECT((tab(T_L1)[0] & ad) == PTE_ACCESSED, "A/D %#lx",
	       (unsigned long)(tab(T_L1)[0] & ad));
	/* without preserve the new entry's A/D are taken as given */
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_A, P | W), false) == 0,
	       "mod");
	EXPECT((tab(T_L1)[0] & ad) == 0, "A/D kept without preserve");
	EXPECT_FRAME(D_A, FRAME_TYPE_WRITABLE, 1, 1);
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

static bool mod_refused_keeps_old_entry(char *why)
{
	struct frame_info snap[NR_FRAMES];
	uint64_t bad[] = { pte(F_DOM2, P), pte(F_XEN, P | W), pte(F_FREE, P),
			   pte(D_D, P | PTE_PCD), pte(D_D, P | (1UL << 60)),
			   pte(D_D, P | PTE_PSE), pte(NR_FRAMES, P),
			   pte(T_L2, P | W), pte(T_L1, P | W) };
	int want[] = { -1, -1, -1, -22, -22, -22, -22, -16, -16 };

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	for (unsigned int i = 0; i < 9; i++) {
		uint64_t old = tab(T_L1)[0];
		snapshot(snap);
		EXPECT_REFUSED(pt_mod_entry(&ctx, T_L1, 0, bad[i], false),
			       want[i], snap);
		EXPECT(tab(T_L1)[0] == old, "case %u: entry changed", i);
	}
	/* upper levels: bad bits, foreign, wrong level, loop */
	uint64_t ubad[] = { pte(T_L3B, P | W | PTE_PSE), pte(T_L3B, P | W | PTE_GLOBAL),
			    pte(F_DOM2, P | W), pte(T_L2, P | W), pte(T_L4, P | W),
			    pte(D_A, P | W) };
	int uwant[] = { -22, -22, -1, -16, -16, -16 };
	for (unsigned int i = 0; i < 6; i++) {
		uint64_t old = tab(T_L4)[0];
		snapshot(snap);
		EXPECT_REFUSED(pt_mod_entry(&ctx, T_L4, 0, ubad[i], false),
			       uwant[i], snap);
		EXPECT(tab(T_L4)[0] == old, "upper case %u: entry changed", i);
	}
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

static bool mod_rw_map_of_table_busy(char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	snapshot(snap);
	for (uint64_t t = T_L4; t <= T_L1; t++)
		EXPECT_REFUSED(pt_mod_entry(&ctx, T_L1, 30, pte(t, P | W), false),
			       -16, snap);
	EXPECT(tab(T_L1)[30] == 0, "entry written");
	EXPECT(pt_mod_entry(&ctx, T_L1, 30, pte(T_L2, P), false) == 0,
	       "RO map of a table");
	EXPECT_FRAME(T_L2, FRAME_TYPE_L2, 1, 2);
	pt_put_page_and_type(&ctx, T_L4);
	char m[MSG_MAX];
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

static bool mod_xen_slots_refused(char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	snapshot(snap);
	for (unsigned int i = PT_XEN_FIRST_SLOT;
	     i < PT_XEN_FIRST_SLOT + PT_XEN_NR_SLOTS; i++) {
		EXPECT_REFUSED(pt_mod_entry(&ctx, T_L4, i, pte(T_L3B, P | W), false),
			       -22, snap);
		EXPECT_REFUSED(pt_mod_entry(&ctx, T_L4, i, 0, false), -22,
			       snap);
		EXPECT(tab(T_L4)[i] == xen_l4e[i - PT_XEN_FIRST_SLOT], "slot %u", i);
	}
	/* slots 255 and 272 are the guest's; an L3's 256.. too */
	EXPECT(pt_mod_entry(&ctx, T_L4, 255, pte(T_L3B, P | W), false) == 0,
	       "slot 255");
	EXPECT(pt_mod_entry(&ctx, T_L4, 272, pte(T_L3B, P | W), false) == 0,
	       "slot 272");
	EXPECT(pt_mod_entry(&ctx, T_L3, 256, pte(T_L2B, P | W), false) == 0,
	       "L3 slot 256");
	EXPECT_FRAME(T_L3B, FRAME_TYPE_L3, 2, 2);
	pt_put_page_and_type(&ctx, T_L4);
	char m[MSG_MAX];
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

static bool mod_non_table_refused(char *why)
{
	struct frame_info snap[NR_FRAMES];

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	snapshot(snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, D_A, 0, 0, false), -22, snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, D_C, 0, pte(D_D, P), false), -22,
		       snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, 30, 0, pte(D_D, P), false), -22,
		       snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, T_L1, PT_ENTRIES, 0, false), -22,
		       snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, F_DOM2, 0, 0, false), -1, snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, NR_FRAMES, 0, 0, false), -22,
		       snap);
	pt_put_page_and_type(&ctx, T_L4);
	/* a former table (type kept, no references, not validated) */
	snapshot(snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, T_L1, 0, pte(D_D, P | W), false),
		       -22, snap);
	EXPECT(tab(T_L1)[0] == pte(D_A, P | W | PTE_USER), "stale table written");
	return true;
}

static bool mod_upper_entry_revalidates(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	tab(T_L2B)[0] = pte(T_L1B, P | W);
	tab(T_L1B)[0] = pte(D_D, P | W);
	tlb_clock_flush();
	EXPECT(pt_mod_entry(&ctx, T_L3, 0, pte(T_L2B, P | W), false) == 0,
	       "mod L3");
	/* The old subtree and everything it mapped may sit in the TLB. */
	EXPECT(frame_tlb_stale(&frames[T_L2]) && frame_tlb_stale(&frames[T_L1]) &&
	       frame_tlb_stale(&frames[D_A]) && frame_tlb_stale(&frames[D_C]),
	       "old subtree not stamped");
	EXPECT(!frame_tlb_stale(&frames[T_L2B]) && !frame_tlb_stale(&frames[D_D]),
	       "new subtree stamped");
	EXPECT_FRAME(T_L2B, FRAME_TYPE_L2, 1, 1);
	EXPECT_FRAME(T_L1B, FRAME_TYPE_L1, 1, 1);
	EXPECT_FRAME(D_D, FRAME_TYPE_WRITABLE, 1, 1);
	EXPECT_FRAME(T_L2, FRAME_TYPE_L2, 0, 0);    /* old subtree released */
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, 0, 0);
	EXPECT_FRAME(D_A, FRAME_TYPE_WRITABLE, 0, 0);
	EXPECT(!frame_is_validated(&frames[T_L2]), "old L2 validated");
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	/* a refused subtree leaves the current one intact */
	tab(T_L2)[0] = pte(T_L1, P | W);
	tab(T_L1)[3] = pte(F_XEN, P);
	struct frame_info snap[NR_FRAMES];
	snapshot(snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, T_L3, 0, pte(T_L2, P | W), false),
		       -1, snap);
	EXPECT(tab(T_L3)[0] == pte(T_L2B, P | W | PTE_USER), "entry changed (USER is forced on)");
	/* RO self-map added and removed through mod */
	EXPECT(pt_mod_entry(&ctx, T_L4, 9, pte(T_L4, P), false) == 0,
	       "self-map");
	EXPECT_FRAME(T_L4, FRAME_TYPE_L4, 1, 2);
	snapshot(snap);
	EXPECT_REFUSED(pt_mod_entry(&ctx, T_L4, 9, pte(T_L4, P | W), false),
		       -16, snap);
	EXPECT(pt_mod_entry(&ctx, T_L4, 9, 0, false) == 0, "unmap self");
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* --- TLB-flush clock (docs/memory.md, "TLB") -------------------------- */

/*
 * A frame unmapped without a flush, then made a page table: the promotion
 * flushes. Had the guest flushed in between, it would not.
 */
static bool tlb_promotion_after_unmap_flushes(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	tlb_clock_flush();
	unsigned long before = flushes;
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, 0, false) == 0, "unmap D_A (RW)");
	EXPECT(pt_mod_entry(&ctx, T_L1, 2, 0, false) == 0, "unmap D_C (RO)");
	EXPECT(flushes == before, "unmapping flushed");
	EXPECT(pt_get_page_and_type(&ctx, D_A, FRAME_TYPE_L1) == 0, "pin D_A");
	EXPECT(flushes == before + 1, "stale writable frame promoted without "
	       "a flush (%lu flushes)", flushes - before);
	EXPECT(!frame_tlb_stale(&frames[D_A]) && !frame_tlb_stale(&frames[D_C]),
	       "still stale after the flush");
	/* That flush covered D_C too: its promotion needs none. */
	EXPECT(pt_get_page_and_type(&ctx, D_C, FRAME_TYPE_SEG_DESC) == 0,
	       "D_C as a descriptor page");
	EXPECT(flushes == before + 1, "flushed twice for one stale period");
	pt_put_page_and_type(&ctx, D_C);
	pt_put_page_and_type(&ctx, D_A);
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

/* The guest's own flush makes the later promotion free. */
static bool tlb_guest_flush_makes_promotion_free(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, 0, false) == 0, "unmap D_A");
	tlb_clock_flush();      /* e.g. MMUEXT_TLB_FLUSH_LOCAL */
	unsigned long before = flushes;
	EXPECT(pt_get_page_and_type(&ctx, D_A, FRAME_TYPE_L1) == 0, "pin D_A");
	EXPECT(flushes == before, "flushed although the guest already had");
	pt_put_page_and_type(&ctx, D_A);
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

/*
 * An L2 entry replaced without a flush, its L1 unpinned and then mapped
 * writable: paging-structure caches may still walk it, so the retype
 * flushes; and the frames the old L1 mapped were stamped when it let go.
 */
static bool tlb_old_subtree_retyped_flushes(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT(pt_get_page_and_type(&ctx, T_L1, FRAME_TYPE_L1) == 0, "pin T_L1");
	EXPECT(pt_mod_entry(&ctx, T_L2, 1, pte(T_L1B, P | W), false) == 0,
	       "hook a second L1");
	tlb_clock_flush();
	unsigned long before = flushes;
	EXPECT(pt_mod_entry(&ctx, T_L2, 0, 0, false) == 0, "unhook T_L1");
	EXPECT(frame_tlb_stale(&frames[T_L1]), "unhooked L1 not stamped");
	EXPECT(!frame_tlb_stale(&frames[D_A]), "D_A stamped while T_L1 holds it");
	pt_put_page_and_type(&ctx, T_L1);   /* unpin: its entries let go */
	EXPECT(frame_tlb_stale(&frames[D_A]) && frame_tlb_stale(&frames[D_B]) &&
	       frame_tlb_stale(&frames[D_C]), "old L1's frames not stamped");
	EXPECT(flushes == before, "flushed before anything changed type");
	EXPECT(pt_mod_entry(&ctx, T_L1B, 0, pte(T_L1, P | W), false) == 0,
	       "map the old L1 writable");
	EXPECT(flushes == before + 1, "old L1 became writable without a flush");
	EXPECT(!frame_tlb_stale(&frames[D_A]), "D_A stale after the flush");
	pt_put_page_and_type(&ctx, T_L4);
	char m[MSG_MAX];
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/*
 * Plain data: a read-only mapping replaced without a flush costs nothing,
 * and the page may become writable later without one (a stale read-only
 * translation of a page that was never a table is harmless).
 */
static bool tlb_data_remap_never_flushes(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	unsigned long before = flushes;
	EXPECT(pt_mod_entry(&ctx, T_L1, 2, pte(D_D, P), false) == 0,
	       "D_C -> D_D read-only");
	EXPECT(frame_tlb_stale(&frames[D_C]), "D_C not stamped");
	EXPECT(pt_mod_entry(&ctx, T_L1, 3, pte(D_C, P | W), false) == 0,
	       "D_C writable");
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_A, P), false) == 0,
	       "D_A RW -> RO");
	EXPECT(pt_mod_entry(&ctx, T_L1, 0, pte(D_A, P | W), false) == 0,
	       "D_A RO -> RW");
	EXPECT(flushes == before, "%lu flushes for data-page updates",
	       flushes - before);
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

/* Releasing a whole tree stamps every table and page it reached. */
static bool tlb_release_stamps_tree(char *why)
{
	build_tree();
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	tlb_clock_flush();
	pt_put_page_and_type(&ctx, T_L4);
	const uint64_t reached[] = { T_L4, T_L3, T_L2, T_L1, D_A, D_B, D_C };
	for (unsigned int i = 0; i < 7; i++)
		EXPECT(frame_tlb_stale(&frames[reached[i]]), "frame %lu not "
		       "stamped", (unsigned long)reached[i]);
	EXPECT(!frame_tlb_stale(&frames[D_D]), "unmapped D_D stamped");
	return true;
}

static bool check_l1e_helper(char *why)
{
	uint64_t e;

	machine_reset();
	e = pte(D_A, P | W);
	EXPECT(pt_check_l1e(&ctx, &e) == 0 && (e & PTE_USER), "own frame");
	e = pte(D_A, W);
	EXPECT(pt_check_l1e(&ctx, &e) == 0 && e == pte(D_A, W), "not present");
	e = pte(F_DOM2, P);
	EXPECT(pt_check_l1e(&ctx, &e) == -1, "foreign");
	e = pte(NR_FRAMES, P);
	EXPECT(pt_check_l1e(&ctx, &e) == -22, "beyond RAM");
	e = pte(D_A, P | PTE_PSE);
	EXPECT(pt_check_l1e(&ctx, &e) == -22, "PAT");
	char m[MSG_MAX];
	EXPECT(same_as(initial, m), "took references: %s", m);
	return true;
}

/* --- L1TF: not-present entries (pv-l1tf) ------------------------------- */

/* The rule of a CPU whose L1D and CPUID both use 46 address bits: safe
 * from the top quarter of the physical address space up. */
#define L1TF_MASK  (((1UL << 46) - 1) & ~0xfffUL)
#define L1TF_SAFE  (3UL << 44)

static void l1tf_on(void)
{
	ctx.l1tf_addr_mask = L1TF_MASK;
	ctx.l1tf_safe_maddr = L1TF_SAFE;
}

static void l1tf_off(void)
{
	ctx.l1tf_addr_mask = 0;
	ctx.l1tf_safe_maddr = 0;
}

/* Linux's swap entry for offset o: the address bits inverted. */
static uint64_t inverted(uint64_t o)
{
	return ~(o << 12) & PTE_MFN_MASK & ~PTE_HIGH_RSVD;
}

/* The rule itself: zero, high, and the boundary; PSE above L1. */
static bool l1tf_rule(char *why)
{
	l1tf_on();
	EXPECT(pt_l1tf_safe(&ctx, 0, 1), "zero entry");
	EXPECT(pt_l1tf_safe(&ctx, PTE_WRITE | PTE_DIRTY | PTE_NX_BIT, 1),
	       "flags only (address 0)");
	EXPECT(!pt_l1tf_safe(&ctx, pte(D_A, 0), 1), "own frame, not present");
	EXPECT(!pt_l1tf_safe(&ctx, pte(F_XEN, W), 1), "hypervisor frame");
	EXPECT(!pt_l1tf_safe(&ctx, L1TF_SAFE - 4096, 1), "just below the threshold");
	EXPECT(pt_l1tf_safe(&ctx, L1TF_SAFE, 1), "at the threshold");
	EXPECT(pt_l1tf_safe(&ctx, inverted(D_A), 1), "inverted swap entry");
	EXPECT(pt_l1tf_safe(&ctx, inverted(123456), 4), "inverted, at L4");
	/* Bits the L1D does not use are ignored: only bit 51 set is address 0. */
	EXPECT(pt_l1tf_safe(&ctx, 1UL << 51, 1), "bit 51 only");
	EXPECT(!pt_l1tf_safe(&ctx, (1UL << 51) | pte(D_A, 0), 1),
	       "bit 51 plus a low address");
	/* PSE: fine at L1 (PAT), never above. */
	EXPECT(pt_l1tf_safe(&ctx, PTE_PSE, 1), "PAT at L1");
	for (unsigned int lvl = 2; lvl <= 4; lvl++) {
		EXPECT(!pt_l1tf_safe(&ctx, PTE_PSE, lvl), "PSE at L%u", lvl);
		EXPECT(!pt_l1tf_safe(&ctx, inverted(5) | PTE_PSE, lvl),
		       "high PSE at L%u", lvl);
	}
	/* Present entries are the ownership rules' business. */
	EXPECT(pt_l1tf_safe(&ctx, pte(D_A, P), 1), "present");
	l1tf_off();
	EXPECT(pt_l1tf_safe(&ctx, pte(F_XEN, 0), 1), "check off");
	EXPECT(pt_l1tf_safe(&ctx, PTE_PSE | pte(F_XEN, 0), 3), "check off, PSE");
	return true;
}

/* With the check off, not-present entries are free-form (Xen's PV rule
 * without pv-l1tf): the standard tree's non-present L1 entry has an address. */
static bool l1tf_off_accepts_any_not_present(char *why)
{

	l1tf_off();
	build_tree();
	EXPECT(tab(T_L1)[5] == pte(D_D, W), "tree changed");
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT(pt_mod_entry(&ctx, T_L1, 6, pte(F_XEN, W), false) == 0,
	       "hypervisor frame as a not-present L1 entry");
	EXPECT(pt_mod_entry(&ctx, T_L3, 9, pte(F_XEN, PTE_PSE), false) == 0,
	       "not-present PSE L3 entry");
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

/* Pinning (validation) refuses an unsafe not-present entry at every level
 * and takes nothing. */
static bool l1tf_validation_refuses(char *why)
{
	struct { uint64_t table; unsigned int idx; uint64_t e; } bad[] = {
		{ T_L1, 5, pte(D_D, W) },            /* the tree's own entry */
		{ T_L1, 7, pte(F_XEN, 0) },
		{ T_L1, 8, L1TF_SAFE - 4096 },
		{ T_L2, 1, pte(F_XEN, W) },
		{ T_L2, 2, PTE_PSE },
		{ T_L3, 1, pte(D_A, 0) },
		{ T_L3, 2, inverted(3) | PTE_PSE },
		{ T_L4, 1, pte(F_DOM2, W) },
		{ T_L4, 255, PTE_PSE },
		{ T_L4, 272, pte(D_A, 0) },
	};

	l1tf_on();
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct frame_info snap[NR_FRAMES];
		char m[MSG_MAX];

		build_tree();
		if (i)
			tab(T_L1)[5] = 0;       /* only the entry under test */
		tab(bad[i].table)[bad[i].idx] = bad[i].e;
		snapshot(snap);
		int rc = pin_l4(T_L4);
		bool same = same_as(snap, m);
		if (rc != -22 || !same) {
			l1tf_off();
			EXPECT(false, "frame %lu[%u] = %#lx: rc %d, counts %s",
			       (unsigned long)bad[i].table, bad[i].idx,
			       (unsigned long)bad[i].e, rc, same ? "kept" : m);
		}
	}
	/* The same tree with only safe not-present entries validates. */
	build_tree();
	tab(T_L1)[5] = 0;
	tab(T_L1)[6] = inverted(D_A);
	tab(T_L1)[7] = PTE_WRITE | PTE_DIRTY;
	tab(T_L1)[8] = L1TF_SAFE | PTE_PSE;      /* PAT: fine at L1 */
	tab(T_L2)[1] = inverted(77);
	tab(T_L3)[1] = inverted(1);
	tab(T_L4)[1] = 0;
	int rc = pin_l4(T_L4);
	l1tf_off();
	EXPECT(rc == 0, "safe tree refused: %d", rc);
	pt_put_page_and_type(&ctx, T_L4);
	return true;
}

/* pt_mod_entry: unsafe refused (-EINVAL, entry and counts unchanged), safe
 * accepted, at every level; a refused update keeps the old entry. */
static bool l1tf_mod_entry(char *why)
{
	struct frame_info snap[NR_FRAMES];
	uint64_t tables[] = { T_L1, T_L2, T_L3, T_L4 };
	bool ok = true;

	build_tree();
	tab(T_L1)[5] = 0;
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	l1tf_on();
	for (unsigned int l = 0; l < 4 && ok; l++) {
		uint64_t t = tables[l];
		unsigned int idx = 10 + l;
		uint64_t unsafe[] = { pte(D_A, 0), pte(F_XEN, W),
				      L1TF_SAFE - 4096,
				      l ? PTE_PSE : pte(D_D, PTE_PSE) };
		for (unsigned int i = 0; i < ARRAY_SIZE(unsafe); i++) {
			uint64_t old = tab(t)[idx];
			snapshot(snap);
			int rc = pt_mod_entry(&ctx, t, idx, unsafe[i], false);
			char m[MSG_MAX];
			if (rc != -22 || tab(t)[idx] != old || !same_as(snap, m)) {
				snprintf(why, UNIT_WHY_MAX, "L%u entry %#lx: rc %d, "
					 "entry %#lx", l + 1, (unsigned long)unsafe[i],
					 rc, (unsigned long)tab(t)[idx]);
				ok = false;
				break;
			}
		}
		uint64_t safe[] = { 0, PTE_WRITE, inverted(D_A), L1TF_SAFE,
				    inverted(9) | PTE_DIRTY };
		for (unsigned int i = 0; ok && i < ARRAY_SIZE(safe); i++) {
			int rc = pt_mod_entry(&ctx, t, idx, safe[i], false);
			if (rc || tab(t)[idx] != safe[i]) {
				snprintf(why, UNIT_WHY_MAX, "L%u safe entry %#lx: rc %d",
					 l + 1, (unsigned long)safe[i], rc);
				ok = false;
			}
		}
	}
	/* A present entry's rules are unchanged by the check. */
	if (ok && pt_mod_entry(&ctx, T_L1, 20, pte(D_C, P), false)) {
		snprintf(why, UNIT_WHY_MAX, "present entry refused");
		ok = false;
	}
	/* preserve_ad keeps the old A/D bits: they never make an entry unsafe. */
	if (ok && pt_mod_entry(&ctx, T_L1, 20, inverted(4), true)) {
		snprintf(why, UNIT_WHY_MAX, "safe entry with preserve_ad refused");
		ok = false;
	}
	l1tf_off();
	pt_put_page_and_type(&ctx, T_L4);
	return ok;
}

static bool l1tf_check_l1e(char *why)
{
	uint64_t e;

	machine_reset();
	l1tf_on();
	e = pte(D_A, W);
	int unsafe = pt_check_l1e(&ctx, &e);
	e = inverted(D_A);
	int safe = pt_check_l1e(&ctx, &e);
	e = pte(D_A, P | W);
	int present = pt_check_l1e(&ctx, &e);
	l1tf_off();
	EXPECT(unsafe == -22, "unsafe not-present: %d", unsafe);
	EXPECT(safe == 0, "inverted: %d", safe);
	EXPECT(present == 0, "present own frame: %d", present);
	return true;
}

/* --- depth ------------------------------------------------------------ */

/* An L1 entry maps data: a frame that looks like a page table (even one
 * full of foreign and looping entries) is never walked. */
static bool l1_entry_never_recurses(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4;

	build_tree();
	for (int i = 0; i < PT_ENTRIES; i++)
		tab(D_C)[i] = pte(i % 2 ? F_DOM2 : D_C, P | W | PTE_PSE);
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(D_C, FRAME_TYPE_NONE, 0, 1);
	EXPECT(tab(D_C)[0] == pte(D_C, P | W | PTE_PSE), "data frame rewritten");
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* Fill every guest slot of table t with entries to targets[i % n]. */
static void fill(uint64_t t, bool is_l4, const uint64_t *targets, unsigned int n,
		 uint64_t flags)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		if (is_l4 && i >= PT_XEN_FIRST_SLOT &&
		    i < PT_XEN_FIRST_SLOT + PT_XEN_NR_SLOTS)
			continue;
		tab(t)[i] = pte(targets[i % n], flags);
	}
}

static bool maximal_shared_tree(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = T_L4, l3 = T_L3, l2 = T_L2, l1 = T_L1;
	uint64_t data[20];

	machine_reset();
	for (int i = 0; i < 20; i++)
		data[i] = 20 + i;
	fill(T_L4, true, &l3, 1, P | W);
	fill(T_L3, false, &l2, 1, P | W);
	fill(T_L2, false, &l1, 1, P | W);
	fill(T_L1, false, data, 20, P | W);
	EXPECT(pin_l4(T_L4) == 0, "pin failed");
	EXPECT_FRAME(T_L3, FRAME_TYPE_L3, PT_ENTRIES - PT_XEN_NR_SLOTS,
		     PT_ENTRIES - PT_XEN_NR_SLOTS);
	EXPECT_FRAME(T_L2, FRAME_TYPE_L2, PT_ENTRIES, PT_ENTRIES);
	EXPECT_FRAME(T_L1, FRAME_TYPE_L1, PT_ENTRIES, PT_ENTRIES);
	EXPECT_FRAME(20, FRAME_TYPE_WRITABLE, 26, 26);  /* 512 = 20*25 + 12 */
	EXPECT_FRAME(39, FRAME_TYPE_WRITABLE, 25, 25);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, T_L4);
	EXPECT(same_as(initial, m), "after release: %s", m);
	return true;
}

/* 4 L3s, 8 L2s, 512 distinct L1s, each L1 full of RW maps of 1024 data
 * frames: every entry of every level present. */
static bool maximal_distinct_tree(char *why)
{
	char m[MSG_MAX];
	uint64_t pin = 100, l3[4], l2[8], l1[512], data[1024];

	machine_reset();
	for (int i = 0; i < 4; i++)
		l3[i] = 101 + i;
	for (int i = 0; i < 8; i++)
		l2[i] = 110 + i;
	for (int i = 0; i < 512; i++)
		l1[i] = 200 + i;
	for (int i = 0; i < 1024; i++)
		data[i] = 1000 + i;
	fill(100, true, l3, 4, P | W);
	for (int i = 0; i < 4; i++)
		fill(l3[i], false, l2, 8, P | W);
	for (int i = 0; i < 8; i++)
		fill(l2[i], false, l1, 512, P | W);
	for (int i = 0; i < 512; i++)
		fill(l1[i], false, data + (i % 2) * 512, 512,
		     P | (i % 3 ? W : 0));
	EXPECT(pin_l4(100) == 0, "pin failed");
	EXPECT_FRAME(l2[0], FRAME_TYPE_L2, 4 * 64, 4 * 64);
	EXPECT_FRAME(l1[0], FRAME_TYPE_L1, 8, 8);
	EXPECT(accounting_ok(initial, &pin, 1, m), "%s", m);
	pt_put_page_and_type(&ctx, 100);
	EXPECT(same_as(initial, m), "after release: %s", m);
	/* the same tree with one bad entry at the very end */
	tab(l1[511])[511] = pte(F_DOM2, P);
	struct frame_info snap[NR_FRAMES];
	snapshot(snap);
	EXPECT_REFUSED(pin_l4(100), -1, snap);
	return true;
}

/* --- randomized ------------------------------------------------------- */

#define R_FRAMES  SMALL_FRAMES

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	return unit_rand(&rng) % n;
}

/* A random entry for a table of the given level (0: unknown): usually
 * a plausible one pointing to a frame of the next level down. */
static uint64_t random_entry(const unsigned int *level_of, unsigned int level)
{
	uint64_t mfn = rnd(R_FRAMES + 2), flags = 0;

	if (level && rnd(100) < 80) {
		uint64_t tries = 0;
		do
			mfn = rnd(R_FRAMES);
		while (level_of[mfn] != level - 1 && ++tries < 40);
	}
	if (rnd(50) == 0)
		mfn = rnd(1ull << 40);
	if (rnd(100) < 92)
		flags |= P;
	if (rnd(2))
		flags |= W;
	if (rnd(2))
		flags |= PTE_USER;
	if (rnd(3) == 0)
		flags |= PTE_ACCESSED | (rnd(2) ? PTE_DIRTY : 0);
	if (rnd(4) == 0)
		flags |= PTE_NX_BIT;
	if (rnd(40) == 0) {
		uint64_t bad[] = { PTE_PWT, PTE_PCD, PTE_PSE, PTE_GLOBAL,
				   1UL << (52 + rnd(11)) };
		flags |= bad[rnd(5)];
	}
	return pte(mfn, flags);
}

/* Random contents for the small machine's frames; returns a root. */
static uint64_t random_machine(unsigned int *level_of)
{
	for (uint64_t f = 0; f < R_FRAMES; f++)
		level_of[f] = (unsigned int)rnd(5);     /* 0: data */
	uint64_t root = rnd(48);
	level_of[root] = 4;
	for (uint64_t f = 0; f < R_FRAMES; f++) {
		memset(tab(f), 0, 4096);
		unsigned int n = (unsigned int)rnd(level_of[f] ? 6 : 3);
		for (unsigned int i = 0; i < n; i++) {
			unsigned int idx = (unsigned int)rnd(PT_ENTRIES);
			if (rnd(8) == 0)
				idx = PT_XEN_FIRST_SLOT + (unsigned int)rnd(PT_XEN_NR_SLOTS);
			tab(f)[idx] = random_entry(level_of, level_of[f]);
		}
	}
	return root;
}

/* A random live table, or -1. */
static int64_t random_live_table(void)
{
	int64_t live[R_FRAMES];
	int n = 0;

	for (uint64_t f = 0; f < R_FRAMES; f++)
		if (is_live_table(f))
			live[n++] = (int64_t)f;
	return n ? live[rnd((uint64_t)n)] : -1;
}

/* Random pt_mod_entry calls on a validated tree: each either succeeds with
 * consistent counts or fails changing nothing. */
static bool random_mods(uint64_t root, const unsigned int *level_of,
			unsigned long iter, char *why)
{
	struct frame_info snap[NR_FRAMES];
	char m[MSG_MAX];

	for (int k = 0; k < 8; k++) {
		int64_t t = random_live_table();
		if (t < 0)
			return true;
		unsigned int level = frames[t].type - FRAME_TYPE_L1 + 1;
		unsigned int idx = (unsigned int)rnd(PT_ENTRIES);
		if (rnd(4))     /* mostly touch entries that are in use */
			for (unsigned int j = 0; j < PT_ENTRIES; j++)
				if (tab((uint64_t)t)[(idx + j) % PT_ENTRIES] & P) {
					idx = (idx + j) % PT_ENTRIES;
					break;
				}
		uint64_t ne = rnd(3) ? random_entry(level_of, level) : 0;
		uint64_t old = tab((uint64_t)t)[idx];
		snapshot(snap);
		int rc = pt_mod_entry(&ctx, (uint64_t)t, idx, ne, rnd(2));
		if (rc) {
			EXPECT(same_as(snap, m), "iter %lu: refused mod L%u %ld[%u] "
			       "= %#lx (rc %d) changed counts: %s", iter, level,
			       (long)t, idx, (unsigned long)ne, rc, m);
			EXPECT(tab((uint64_t)t)[idx] == old, "iter %lu: refused mod "
			       "wrote the entry", iter);
		} else if (old & P) {
			EXPECT(frame_tlb_stale(&frames[pte_mfn(old)]), "iter %lu: "
			       "frame of replaced entry %#lx not stamped", iter,
			       (unsigned long)old);
		}
		EXPECT(accounting_ok(initial, &root, 1, m), "iter %lu: after mod "
		       "L%u %ld[%u] %#lx -> %#lx (rc %d): %s", iter, level, (long)t,
		       idx, (unsigned long)old, (unsigned long)ne, rc, m);
	}
	return true;
}

static bool randomized_tables(char *why)
{
	struct frame_info snap[NR_FRAMES];
	unsigned int level_of[R_FRAMES];
	char m[MSG_MAX];
	unsigned long ok = 0, iters = 4000;

	machine_reset();
	for (unsigned long it = 0; it < iters; it++) {
		uint64_t root = random_machine(level_of);
		snapshot(snap);
		int rc = pin_l4(root);
		if (rc) {
			EXPECT(rc == -1 || rc == -22 || rc == -16, "iter %lu: rc %d",
			       it, rc);
			EXPECT(same_as(snap, m), "iter %lu: refused pin of %lu "
			       "changed counts: %s", it, (unsigned long)root, m);
			continue;
		}
		ok++;
		EXPECT(accounting_ok(initial, &root, 1, m), "iter %lu: after pin "
		       "of %lu: %s", it, (unsigned long)root, m);
		if (!random_mods(root, level_of, it, why))
			return false;
		pt_put_page_and_type(&ctx, root);
		EXPECT(same_as(initial, m), "iter %lu: after release of %lu: %s",
		       it, (unsigned long)root, m);
	}
	EXPECT(ok * 20 >= iters, "only %lu of %lu random trees validated: the "
	       "test is not exercising success paths", ok, iters);
	EXPECT(ok < iters, "no random tree was refused");
	return true;
}

int main(void)
{
	memory = aligned_alloc(4096, (size_t)NR_FRAMES * 4096);
	if (!memory)
		return 2;
	tlb_clock_init(frames, NR_FRAMES);
	for (int i = 0; i < PT_XEN_NR_SLOTS; i++)
		xen_l4e[i] = 0x8000000000ABC063UL + ((uint64_t)i << 12);
	ctx = (struct pt_ctx){ .frames = frames, .nr_frames = NR_FRAMES,
			       .map = map_frame, .cookie = NULL, .domid = DOM,
			       .xen_l4e = xen_l4e };

	RUN(valid_tree_validates);
	RUN(valid_tree_l1_user_forced);
	RUN(valid_tree_xen_slots_overwritten);
	RUN(release_drops_everything);
	RUN(pin_lower_levels_directly);
	RUN(refuse_l1_other_domain);
	RUN(refuse_l1_xen_frame);
	RUN(refuse_l1_free_frame);
	RUN(refuse_l1_beyond_ram);
	RUN(refuse_upper_foreign_frames);
	RUN(refuse_root_not_owned);
	RUN(refuse_l1_reserved_bits);
	RUN(refuse_upper_bad_bits);
	RUN(accept_allowed_bits);
	RUN(refuse_rw_map_of_own_l1);
	RUN(refuse_rw_map_of_ancestors);
	RUN(ro_map_of_tables_accepted);
	RUN(refuse_rw_map_of_sibling_table);
	RUN(refuse_rw_map_of_other_trees_table);
	RUN(refuse_writable_frame_as_table);
	RUN(self_map_writable_refused);
	RUN(self_map_readonly_accepted);
	RUN(loop_back_refused);
	RUN(frame_at_two_levels_refused);
	RUN(two_levels_with_setup);
	RUN(diamond_l1_shared);
	RUN(diamond_l2_shared);
	RUN(diamond_then_failure_rolls_back);
	RUN(mod_l1_entry_swaps_references);
	RUN(mod_stamps_only_when_old_present);
	RUN(mod_preserve_ad);
	RUN(mod_refused_keeps_old_entry);
	RUN(mod_rw_map_of_table_busy);
	RUN(mod_xen_slots_refused);
	RUN(mod_non_table_refused);
	RUN(mod_upper_entry_revalidates);
	RUN(tlb_promotion_after_unmap_flushes);
	RUN(tlb_guest_flush_makes_promotion_free);
	RUN(tlb_old_subtree_retyped_flushes);
	RUN(tlb_data_remap_never_flushes);
	RUN(tlb_release_stamps_tree);
	RUN(check_l1e_helper);
	RUN(l1tf_rule);
	RUN(l1tf_off_accepts_any_not_present);
	RUN(l1tf_validation_refuses);
	RUN(l1tf_mod_entry);
	RUN(l1tf_check_l1e);
	RUN(l1_entry_never_recurses);
	RUN(maximal_shared_tree);
	RUN(maximal_distinct_tree);
	RUN(randomized_tables);
	free(memory);
	return unit_exit_status();
}
