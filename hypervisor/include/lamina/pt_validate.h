/*
 * Validated direct paging: the rules that let a PV guest write machine frame
 * numbers into its own page tables without ever reaching memory it does not
 * own, or getting a writable mapping of a page table.
 *
 * A frame becomes an L1..L4 table only through pt_get_page_type(), which
 * validates every entry the first time the frame takes that type:
 *   - an entry may map only frames the domain owns;
 *   - reserved and unsupported flag bits are refused (PWT/PCD/PAT and bits
 *     52-62 everywhere; PS (superpages) and G above L1);
 *   - an L1 entry with RW takes a WRITABLE type reference on its frame, so a
 *     page-table frame can never be mapped writable, and a writably mapped
 *     frame can never become a page table;
 *   - an L2/L3/L4 entry takes a type reference of the next level down on its
 *     frame, validating it in turn: recursion is at most four deep, and a
 *     loop or a frame used at two levels fails, because a frame has one type
 *     at a time and a frame under validation refuses new references;
 *   - an upper-level entry pointing at its own table read-only (a linear
 *     self-map) takes only a general reference; writable self-maps fail;
 *   - L4 slots 256-271 belong to the hypervisor: validation overwrites them
 *     with the hypervisor's entries, and updates to them are refused;
 *   - present entries at every level get _PAGE_USER forced on, as Xen
 *     does for 64-bit PV guests (kernel and user both run in ring 3; they
 *     are kept apart by separate L4s, not by the U/S bit), and L1 entries
 *     get _PAGE_GLOBAL stripped: a global translation would survive the
 *     CR3 reloads that retire a guest's old mappings;
 *   - not-present entries are otherwise free-form (a guest keeps swap
 *     entries there), except with the L1TF check on (ctx->l1tf_addr_mask
 *     nonzero, see pt_l1tf_safe): then a not-present entry at any level
 *     must be L1TF-safe, else -EINVAL;
 * Dropping the last type reference of a table drops the references its
 * entries held. Every reference an entry drops stamps its frame on the
 * TLB-flush clock (frame_table.h). Errors are negative Xen errno values:
 *   -EINVAL bad flags or a frame beyond RAM, -EPERM a frame the domain does
 *   not own, -EBUSY a type conflict (e.g. a writable mapping of a table).
 *
 * Pure logic: frames are reached through ctx->map, so tables built in
 * memory can be validated by host unit tests.
 */
#ifndef LAMINA_PT_VALIDATE_H
#define LAMINA_PT_VALIDATE_H

#include <stdint.h>
#include <stdbool.h>
#include "lamina/frame_table.h"

#define PT_ENTRIES          512
#define PT_XEN_FIRST_SLOT   256
#define PT_XEN_NR_SLOTS     16

#include "asm/pte.h"

struct pt_ctx {
	struct frame_info *frames;      /* the frame table */
	uint64_t nr_frames;             /* frames that exist */
	uint64_t *(*map)(void *cookie, uint64_t mfn);  /* a frame's 512 entries */
	void *cookie;
	uint16_t domid;                 /* the domain whose tables these are */
	const uint64_t *xen_l4e;        /* PT_XEN_NR_SLOTS hypervisor L4 entries */
	/* L1TF check of not-present entries (pv-l1tf); mask 0: check off. */
	uint64_t l1tf_addr_mask;        /* address bits the L1D cache looks up */
	uint64_t l1tf_safe_maddr;       /* addresses from here up are never cached */
};

/*
 * L1 Terminal Fault (affected Intel CPUs): a page walk that meets a
 * not-present entry (at any level) may still look its address bits up in the
 * L1 data cache and forward what it finds to speculative loads, so a guest
 * could read any cached host data through a crafted not-present entry. An
 * entry is safe when its address (the bits the L1D uses) is zero (frame 0
 * holds nothing secret) or at least l1tf_safe_maddr (above anything
 * cacheable: Linux's inverted swap entries land there), and, above L1, PSE
 * is clear (a speculative superpage would reach 2 MiB/1 GiB from frame 0;
 * an L4 entry counts too, as a linear walk reads it as an L3 entry).
 * True if the check is off or e is present. Inline: it runs per entry.
 */
static inline bool pt_l1tf_safe(const struct pt_ctx *c, uint64_t e,
				unsigned int level)
{
	uint64_t maddr = e & c->l1tf_addr_mask;

	if (!c->l1tf_addr_mask || (e & PTE_PRESENT))
		return true;
	if (level > 1 && (e & PTE_PSE))
		return false;
	return maddr == 0 || maddr >= c->l1tf_safe_maddr;
}

/* General + type reference on a frame the domain owns (validating it). */
int pt_get_page_and_type(const struct pt_ctx *c, uint64_t mfn, enum frame_type t);
void pt_put_page_and_type(const struct pt_ctx *c, uint64_t mfn);

/*
 * Replace entry idx of page-table frame table_mfn (of the domain, currently
 * typed L1..L4) with new_entry: the new entry is validated and its
 * references taken before the old one's are dropped. preserve_ad keeps the
 * old entry's Accessed/Dirty bits. No flush is needed for safety: the
 * frame the old entry referenced is stamped on the TLB-flush clock, and
 * flushes first if it ever changes type or is freed (frame_table.h); a
 * stale translation until then is the guest's own business, as on Xen.
 */
int pt_mod_entry(const struct pt_ctx *c, uint64_t table_mfn, unsigned int idx,
		 uint64_t new_entry, bool preserve_ad);

/* Adjust and check an L1 entry as validation would (no references). */
int pt_check_l1e(const struct pt_ctx *c, uint64_t *l1e);

#endif
