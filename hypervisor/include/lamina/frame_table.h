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
	uint32_t reserved;    /* keeps the entry 16 bytes; always 0 */
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

#endif
