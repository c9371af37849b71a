/*
 * Frame table: what the hypervisor knows about each machine frame.
 *
 * One struct frame_info (16 bytes) per machine frame records its owner, its
 * current type and two reference counts. The rules below are what keeps a
 * PV guest, which writes machine frame numbers into its own page tables,
 * from ever getting write access to a page table or to another domain's
 * memory. (The idea is Xen's get_page/get_page_type, much simplified.)
 *
 * Ownership
 *   - A free frame has owner DOMID_INVALID, type NONE, no flags, zero counts.
 *   - frame_info_assign() gives a free frame to a domain (or to DOMID_XEN for
 *     the hypervisor's own frames). It refuses a frame that is not free.
 *
 * General references (ref_count)
 *   - Anyone who keeps using a frame (a mapping, a page-table entry, a pin,
 *     a grant) holds a general reference. frame_get_ref() refuses free
 *     frames and refuses to overflow; frame_put_ref() returns true when the
 *     last reference went away (the owner may then free the frame).
 *
 * Type references (type_count)
 *   - A frame has one type at a time: NONE, L1..L4 page table, segment
 *     descriptor page (GDT/LDT), or WRITABLE (mapped writable somewhere).
 *   - frame_get_type(fi, t) takes a type reference. It needs a general
 *     reference to be held already (ref_count > 0).
 *       * type_count > 0 and the type differs  -> refused (FRAME_ETYPE).
 *       * type_count == 0 and the type differs -> the type changes to t and
 *         the validated flag is cleared: the caller must validate the frame
 *         for its new type (e.g. check every entry of a page table) and then
 *         call frame_set_validated() before relying on it.
 *       * the same type -> the count just grows (validated is kept).
 *     Hence a frame typed as a page table (type_count > 0) can never also be
 *     typed WRITABLE, and a writably-mapped frame can never become a page
 *     table until every writable mapping is gone.
 *   - frame_put_type() drops a type reference. When the count reaches zero
 *     the type stays recorded (so taking the same type again is cheap), but
 *     for a page-table or descriptor type the validated flag is cleared and
 *     1 is returned: the caller must then drop the references that the
 *     frame's entries held, since nothing guarantees them any more.
 *   - The pinned flag records a type reference held on behalf of the guest
 *     (MMUEXT_PIN_L*_TABLE); frame_pin()/frame_unpin() manage both together.
 *
 * TLB-flush clock (stale translations; rules in docs/memory.md, "TLB")
 *   - The guest decides when its TLB is flushed, so a translation may
 *     outlive the page-table entry it came from. That is harmless until the
 *     frame it reaches changes what it is: takes another type (a writable
 *     page becoming a page table or descriptor page, or a table becoming
 *     writable while paging-structure caches still point at it), or is
 *     freed. Those two moments flush, but only if needed:
 *   - tlb_clock.now ticks at every full flush; tlb_clock.cpu_flushed is the
 *     time of this CPU's last full flush.
 *   - frame_tlb_stamp() records in the frame "a translation to it may have
 *     gone stale now". Callers stamp a frame when a page-table entry
 *     referencing it is removed or replaced; frame_put_type() stamps a
 *     page-table or descriptor frame whose type count falls to zero.
 *   - frame_tlb_stale(): stamped after this CPU's last full flush. Stamp 0
 *     (a free or freshly allocated frame) is never stale.
 *   - frame_get_type() changing a stale frame's type to or from a page-
 *     table or descriptor type, and frame_tlb_flush_if_stale() (called
 *     before a frame is freed), call tlb_clock_flush() first.
 *   - One CPU: one cpu_flushed suffices. With more CPUs each needs its own
 *     cpu_flushed and a stale frame must flush every CPU whose last flush
 *     is not newer than the stamp (that may hold the owner's translations);
 *     the wrap below must then flush all CPUs.
 *   - Wrap: the clock is 32 bits. The flush that would wrap it instead
 *     resets every frame's stamp to 0 and restarts the clock: right after
 *     a flush (of every CPU) no frame can be stale.
 *
 * Errors are negative Xen errno values. Pure logic: tested on the host.
 */
#ifndef LAMINA_FRAME_TABLE_H
#define LAMINA_FRAME_TABLE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Owners that are not guest domains: DOMID_XEN (0x7FF2) for the
 * hypervisor's own frames, DOMID_INVALID (0x7FF4) for free frames. */
#include "pv/xen.h"

enum frame_type {
	FRAME_TYPE_NONE = 0,
	FRAME_TYPE_L1,
	FRAME_TYPE_L2,
	FRAME_TYPE_L3,
	FRAME_TYPE_L4,
	FRAME_TYPE_SEG_DESC,
	FRAME_TYPE_WRITABLE,
};

/* frame_info.flags bits */
#define FRAME_FLAG_VALIDATED  0x01u  /* contents checked for the current type */
#define FRAME_FLAG_PINNED     0x02u  /* guest pinned it; holds one type ref */

/* Error returns (negative Xen errno values). */
#define FRAME_EPERM      (-1)   /* free frame, or no general reference held */
#define FRAME_ETYPE      (-22)  /* EINVAL: in use with a different type, bad type */
#define FRAME_EBUSY      (-16)  /* already pinned */
#define FRAME_EOVERFLOW  (-75)  /* count would overflow */

struct frame_info {
	uint16_t owner;       /* domid, DOMID_XEN, or DOMID_INVALID when free */
	uint8_t type;         /* enum frame_type */
	uint8_t flags;        /* FRAME_FLAG_* */
	uint32_t type_count;  /* type references */
	uint32_t ref_count;   /* general references */
	uint32_t tlb_stamp;   /* TLB-flush clock time a translation to it may
				 have gone stale; 0: none since it was free */
};

_Static_assert(sizeof(struct frame_info) == 16, "frame_info is 16 bytes");

/* Mark the frame free: no owner, no type, no references. */
void frame_info_init_free(struct frame_info *fi);

/* Give a free frame to owner. false (no change) if it is not free. */
bool frame_info_assign(struct frame_info *fi, uint16_t owner);

/* True if the frame has no owner. */
bool frame_info_is_free(const struct frame_info *fi);

/* Take a general reference. false (no change) if free or at the maximum. */
bool frame_get_ref(struct frame_info *fi);

/* Drop a general reference; true when it was the last one. Dropping from
 * zero is a caller bug: returns false and changes nothing. */
bool frame_put_ref(struct frame_info *fi);

/* Take a type reference for type (see the rules above). 0 or FRAME_E*. */
int frame_get_type(struct frame_info *fi, enum frame_type type);

/* Drop a type reference: 1 if the count reached zero (and a page-table or
 * descriptor frame lost its validation), 0 if still held, FRAME_ETYPE if no
 * type reference was held (nothing changes). */
int frame_put_type(struct frame_info *fi);

/* Record that the contents were checked for the current type. */
void frame_set_validated(struct frame_info *fi);

/* True if the contents were checked for the current type. */
bool frame_is_validated(const struct frame_info *fi);

/* True for L1..L4 page-table types. */
bool frame_type_is_pagetable(enum frame_type type);

/* Pin: take a type reference for type and set the pinned flag.
 * FRAME_EBUSY if already pinned, else as frame_get_type(). */
int frame_pin(struct frame_info *fi, enum frame_type type);

/* Unpin: clear the flag and drop its type reference; returns as
 * frame_put_type(), or FRAME_ETYPE if the frame was not pinned. */
int frame_unpin(struct frame_info *fi);

/* The TLB-flush clock (see above). */
struct tlb_clock {
	uint32_t now;           /* ticks at every full flush; starts at 1 */
	uint32_t cpu_flushed;   /* `now` at this CPU's last full flush */
	struct frame_info *frames;      /* the frame table, reset on a wrap */
	uint64_t nr_frames;
};
extern struct tlb_clock tlb_clock;

/* A translation to the frame may have gone stale now. */
static inline void frame_tlb_stamp(struct frame_info *fi)
{
	fi->tlb_stamp = tlb_clock.now;
}

/* True if the frame was stamped after this CPU's last full flush. */
static inline bool frame_tlb_stale(const struct frame_info *fi)
{
	return fi->tlb_stamp > tlb_clock.cpu_flushed;
}

/* Flush first if the frame is stale: before it is freed or given away. */
void frame_tlb_flush_if_stale(const struct frame_info *fi);

/* The frame table whose stamps the clock resets when it wraps. */
void tlb_clock_init(struct frame_info *frames, uint64_t nr_frames);

/* The clock's wrap: reset every stamp and restart (see above). */
void tlb_clock_wrap(void);

/*
 * Record a full flush of this CPU's TLB (guest translations and paging-
 * structure caches), done just before the call.
 */
static inline void tlb_clock_flushed(void)
{
	if (tlb_clock.now == UINT32_MAX)
		tlb_clock_wrap();
	else
		tlb_clock.cpu_flushed = tlb_clock.now++;
}

/*
 * Supplied by the frame table's user (arch/x86/pv/mm.c; the unit tests):
 * flush this CPU's whole TLB and call tlb_clock_flushed().
 */
void tlb_clock_flush(void);

#endif
