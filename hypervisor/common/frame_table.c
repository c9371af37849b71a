/*
 * Frame table entries: ownership, type and reference-count rules.
 * The rules themselves are documented in lamina/frame_table.h.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/frame_table.h"

struct tlb_clock tlb_clock = { .now = 1, .cpu_flushed = 0 };

void frame_info_init_free(struct frame_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->owner = DOMID_INVALID;
	fi->type = FRAME_TYPE_NONE;
}

bool frame_info_is_free(const struct frame_info *fi)
{
	return fi->owner == DOMID_INVALID;
}

bool frame_info_assign(struct frame_info *fi, uint16_t owner)
{
	if (!frame_info_is_free(fi) || owner == DOMID_INVALID ||
	    fi->ref_count != 0 || fi->type_count != 0)
		return false;
	frame_info_init_free(fi);
	fi->owner = owner;
	return true;
}

bool frame_get_ref(struct frame_info *fi)
{
	if (frame_info_is_free(fi) || fi->ref_count == UINT32_MAX)
		return false;
	fi->ref_count++;
	return true;
}

bool frame_put_ref(struct frame_info *fi)
{
	if (fi->ref_count == 0)
		return false;
	fi->ref_count--;
	return fi->ref_count == 0;
}

bool frame_type_is_pagetable(enum frame_type type)
{
	return type >= FRAME_TYPE_L1 && type <= FRAME_TYPE_L4;
}

/* Types whose validity depends on their contents being checked. */
static bool type_needs_validation(enum frame_type type)
{
	return frame_type_is_pagetable(type) || type == FRAME_TYPE_SEG_DESC;
}

/*
 * The first reference of a new type (type_count is 0). Out of line so that
 * taking another reference of the current type, the common case, stays a
 * leaf function.
 */
static __attribute__((noinline)) int frame_retype(struct frame_info *fi,
						  enum frame_type type)
{
	/* A stale writable translation must not reach a new table or
	 * descriptor page, nor a stale walk a table that turned into
	 * something else. (A page never typed, becoming writable, has
	 * neither: stale read-only translations of it are harmless.) */
	if (frame_tlb_stale(fi) &&
	    (type_needs_validation(type) ||
	     type_needs_validation((enum frame_type)fi->type)))
		tlb_clock_flush();
	fi->type = (uint8_t)type;
	fi->flags &= (uint8_t)~(FRAME_FLAG_VALIDATED | FRAME_FLAG_PINNED);
	fi->type_count = 1;
	return 0;
}

int frame_get_type(struct frame_info *fi, enum frame_type type)
{
	if (type <= FRAME_TYPE_NONE || type > FRAME_TYPE_WRITABLE)
		return FRAME_ETYPE;
	if (frame_info_is_free(fi) || fi->ref_count == 0)
		return FRAME_EPERM;
	if (fi->type != type)
		return fi->type_count ? FRAME_ETYPE : frame_retype(fi, type);
	if (fi->type_count == UINT32_MAX)
		return FRAME_EOVERFLOW;
	fi->type_count++;
	return 0;
}

int frame_put_type(struct frame_info *fi)
{
	if (fi->type_count == 0)
		return FRAME_ETYPE;
	fi->type_count--;
	if (fi->type_count != 0)
		return 0;
	fi->flags &= (uint8_t)~FRAME_FLAG_PINNED;
	if (type_needs_validation((enum frame_type)fi->type)) {
		fi->flags &= (uint8_t)~FRAME_FLAG_VALIDATED;
		/* Paging-structure caches (or a descriptor-table mapping) may
		 * still point at it: it is no longer held as what they expect. */
		frame_tlb_stamp(fi);
	}
	return 1;
}

void frame_set_validated(struct frame_info *fi)
{
	fi->flags |= FRAME_FLAG_VALIDATED;
}

bool frame_is_validated(const struct frame_info *fi)
{
	return (fi->flags & FRAME_FLAG_VALIDATED) != 0;
}

int frame_pin(struct frame_info *fi, enum frame_type type)
{
	int rc;

	if (fi->flags & FRAME_FLAG_PINNED)
		return FRAME_EBUSY;
	rc = frame_get_type(fi, type);
	if (rc == 0)
		fi->flags |= FRAME_FLAG_PINNED;
	return rc;
}

int frame_unpin(struct frame_info *fi)
{
	if (!(fi->flags & FRAME_FLAG_PINNED))
		return FRAME_ETYPE;
	fi->flags &= (uint8_t)~FRAME_FLAG_PINNED;
	return frame_put_type(fi);
}

void frame_tlb_flush_if_stale(const struct frame_info *fi)
{
	if (frame_tlb_stale(fi))
		tlb_clock_flush();
}

void tlb_clock_init(struct frame_info *frames, uint64_t nr_frames)
{
	tlb_clock.frames = frames;
	tlb_clock.nr_frames = nr_frames;
}

void tlb_clock_wrap(void)
{
	/* Nothing is stale right after a full flush, so start over. */
	for (uint64_t i = 0; i < tlb_clock.nr_frames; i++)
		tlb_clock.frames[i].tlb_stamp = 0;
	tlb_clock.now = 1;
	tlb_clock.cpu_flushed = 0;
}
