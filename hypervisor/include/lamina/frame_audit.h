/*
 * Frame-ownership audit (boot option audit_frames, docs/debugging.md).
 *
 * Recomputes every frame's references from what actually holds them (each
 * domain's validated page tables, pins, base pointers, GDT/LDT frames and
 * the frames the hypervisor keeps using for it) and compares them with the
 * frame table. Run when a domain ends (before its frames are freed) and at
 * the end of the run; each problem is printed as
 * "frame audit FAILED: ...", then one summary line.
 */
#ifndef LAMINA_FRAME_AUDIT_H
#define LAMINA_FRAME_AUDIT_H

#include <stdint.h>
#include <lamina/frame_table.h>

struct domain;

/* arch_frame_audit_init() and arch_frame_audit(): lamina/arch.h. */

/*
 * A frame the hypervisor itself keeps using on a domain's behalf.
 * type FRAME_TYPE_NONE: the frame holds no reference beyond its allocation's
 * own (checked only for ownership, and that it is no page table or
 * descriptor page); any other type: it holds one general and one type
 * reference of that type (taken with pt_get_page_and_type).
 */
struct frame_audit_held {
	uint64_t mfn;
	enum frame_type type;
	const char *what;
};

/*
 * The list of such frames for d: fills out[] (at most max entries) and
 * returns how many. Code that makes the hypervisor hold a new frame, or
 * start holding a type reference on one, registers it here.
 */
unsigned int frame_audit_hv_held(const struct domain *d,
				 struct frame_audit_held *out, unsigned int max);

#endif
