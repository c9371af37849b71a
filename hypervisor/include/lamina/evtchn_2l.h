/*
 * The two-level event ABI's bit logic (common/evtchn_2l.c): pending and
 * mask bits in shared_info, the per-vCPU selector word and
 * evtchn_upcall_pending in vcpu_info. The guest changes the same words on
 * other CPUs at any time, so every update is an atomic read-modify-write.
 * Pure: it touches only the memory it is given, so host tests use it as is.
 */
#ifndef LAMINA_EVTCHN_2L_H
#define LAMINA_EVTCHN_2L_H

#include <stdbool.h>
#include <pv/xen.h>

/* What marking a port pending changed. */
enum evtchn_2l_raise {
	EVTCHN_2L_ALREADY_PENDING,  /* the bit was set: nothing changed */
	EVTCHN_2L_PENDING,          /* newly pending, no new upcall (masked, or
				       the selector / upcall flag already set) */
	EVTCHN_2L_UPCALL,           /* newly pending and evtchn_upcall_pending
				       went 0 -> 1: the vCPU must be kicked */
};

/* Mark port pending; vi is the vCPU the port notifies. */
enum evtchn_2l_raise evtchn_2l_set_pending(struct shared_info *si,
					   struct vcpu_info *vi,
					   unsigned int port);
/* Clear port's mask bit; true if that raised a new upcall (kick vi's vCPU). */
bool evtchn_2l_unmask(struct shared_info *si, struct vcpu_info *vi,
		      unsigned int port);
void evtchn_2l_clear_pending(struct shared_info *si, unsigned int port);
bool evtchn_2l_is_pending(const struct shared_info *si, unsigned int port);
bool evtchn_2l_is_masked(const struct shared_info *si, unsigned int port);

#endif
