/*
 * Guest page-table hypercalls: mmu_update, mmuext_op, update_va_mapping.
 * The rules live in pt_validate.c; this file is the guest-facing side:
 * argument checks, batching, success counts and TLB flushes.
 *
 * TLB policy (docs/memory.md, "TLB"): the guest's flush requests are
 * honoured and nothing more is flushed when an entry changes. Safety comes
 * from the TLB-flush clock (lamina/frame_table.h): every frame an entry
 * stops referencing is stamped, and a stamped frame flushes the TLB first
 * if it takes another type or is freed before the next full flush.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv_mm.h>
#include <lamina/pv.h>
#include <pv/xen.h>
#include <pv/errno.h>
#include <asm/cpu.h>
#include <asm/spec_ctrl.h>

#define MMU_UPDATE_PREEMPTED 0x80000000u
/* Entries handled per entry into the hypervisor before continuing. */
#define MMU_BATCH_CHUNK 512
/* The hypervisor's L4 entries, the same in every guest L4. */
static uint64_t hv_l4e[PT_XEN_NR_SLOTS];

static uint64_t *map_entries(void *cookie, uint64_t mfn)
{
	(void)cookie;
	return mfn_to_virt(mfn);
}

void pv_pt_ctx(const struct domain *d, struct pt_ctx *c)
{
	if (!hv_l4e[0])
		hypervisor_l4_slots(hv_l4e);
	c->frames = frame_table;
	c->nr_frames = max_mfn;
	c->map = map_entries;
	c->cookie = NULL;
	c->domid = d->domain_id;
	c->xen_l4e = hv_l4e;
	spec_ctrl_pt_ctx(d->initial, c);
}

void flush_tlb_local(struct domain *d)
{
	uint64_t cr4 = read_cr4();

	/* Toggling PGE drops global entries too, which a CR3 write keeps. */
	write_cr4(cr4 & ~X86_CR4_PGE);
	write_cr4(cr4);
	if (d)
		d->perf.tlb_flushes++;
	tlb_clock_flushed();
}

/* The frame table's safety flush, counted for the domain it runs for. */
void tlb_clock_flush(void)
{
	flush_tlb_local(current ? current->domain : NULL);
}

int pv_install_boot_l4(struct domain *d, uint64_t l4_mfn)
{
	struct pt_ctx c;
	int rc;

	pv_pt_ctx(d, &c);
	/* One reference for the pin, as Xen's builder pins pt_base ... */
	if ((rc = pt_get_page_and_type(&c, l4_mfn, FRAME_TYPE_L4)))
		return rc;
	frame_table[l4_mfn].flags |= FRAME_FLAG_PINNED;
	/* ... and one for the vCPU's CR3. */
	if ((rc = pt_get_page_and_type(&c, l4_mfn, FRAME_TYPE_L4)))
		return rc;
	d->vcpus[0]->kernel_l4_mfn = l4_mfn;
	return 0;
}

/*
 * The frame rule (docs/memory.md): a guest frame the hypervisor reads or
 * writes through its direct map holds a general and a WRITABLE type
 * reference for as long as it does. The type makes it impossible to pin
 * or link the frame as a page table or to load it as a GDT/LDT frame; the
 * extra general reference keeps decrease_reservation from freeing it.
 */
int arch_get_writable_frame_ref(const struct domain *d, uint64_t mfn)
{
	struct pt_ctx c;

	pv_pt_ctx(d, &c);
	return pt_get_page_and_type(&c, mfn, FRAME_TYPE_WRITABLE);
}

void arch_put_writable_frame_ref(const struct domain *d, uint64_t mfn)
{
	struct pt_ctx c;

	pv_pt_ctx(d, &c);
	pt_put_page_and_type(&c, mfn);
}

/* A plain 8-byte write through mmu_update to a frame that is no page table. */
static int write_normal_page(const struct domain *d, uint64_t ptr, uint64_t val)
{
	uint64_t mfn = ptr >> PAGE_SHIFT;
	int rc = arch_get_writable_frame_ref(d, mfn);

	if (rc)
		return rc;
	*(uint64_t *)((char *)mfn_to_virt(mfn) + (ptr & (PAGE_SIZE - 8))) = val;
	arch_put_writable_frame_ref(d, mfn);
	return 0;
}

static int one_mmu_update(struct domain *d, const struct pt_ctx *c,
			  const struct mmu_update *req)
{
	uint64_t mfn = req->ptr >> PAGE_SHIFT;
	unsigned int cmd = req->ptr & 7;

	switch (cmd) {
	case MMU_NORMAL_PT_UPDATE:
	case MMU_PT_UPDATE_PRESERVE_AD: {
		if (mfn >= max_mfn)
			return -XEN_EINVAL;
		const struct frame_info *fi = &frame_table[mfn];
		if (fi->owner != d->domain_id)
			return -XEN_EPERM;
		if (!frame_type_is_pagetable((enum frame_type)fi->type) ||
		    !fi->type_count)
			return write_normal_page(d, req->ptr, req->val);
		return pt_mod_entry(c, mfn, (req->ptr & (PAGE_SIZE - 8)) >> 3,
				    req->val, cmd == MMU_PT_UPDATE_PRESERVE_AD);
	}
	case MMU_MACHPHYS_UPDATE:
		if (mfn >= max_mfn)
			return -XEN_EINVAL;
		if (frame_table[mfn].owner != d->domain_id)
			return -XEN_EPERM;
		m2p_table[mfn] = req->val;
		return 0;
	}
	return -XEN_ENOSYS;
}

/* Only DOMID_SELF (or the caller's own id) for now: foreign maps need grants. */
static bool foreigndom_ok(const struct domain *d, uint64_t foreigndom)
{
	return (domid_t)foreigndom == DOMID_SELF ||
	       (domid_t)foreigndom == d->domain_id;
}

long do_mmu_update(uint64_t ureqs, uint64_t count, uint64_t pdone,
		   uint64_t foreigndom, uint64_t a5)
{
	struct domain *d = current->domain;
	struct pt_ctx c;
	unsigned int done = 0, n = (unsigned int)count, i;
	long rc = 0;
	(void)a5;

	if (!foreigndom_ok(d, foreigndom))
		return -XEN_EPERM;
	/* A preempted batch carries on: its earlier count is in *pdone. */
	if (n & MMU_UPDATE_PREEMPTED) {
		n &= ~MMU_UPDATE_PREEMPTED;
		if (pdone && copy_from_guest(&done, pdone, sizeof(done)))
			return -XEN_EFAULT;
	}
	pv_pt_ctx(d, &c);
	for (i = 0; i < n; i++) {
		struct mmu_update req;
		if (i == MMU_BATCH_CHUNK && hypercall_may_continue())
			break;
		if (copy_from_guest(&req, ureqs + (uint64_t)i * sizeof(req), sizeof(req))) {
			rc = -XEN_EFAULT;
			break;
		}
		if ((rc = one_mmu_update(d, &c, &req)))
			break;
	}
	done += i;
	if (pdone && copy_to_guest(pdone, &done, sizeof(done)))
		return -XEN_EFAULT;
	if (!rc && i < n)
		return hypercall_create_continuation(__HYPERVISOR_mmu_update,
			ureqs + (uint64_t)i * sizeof(struct mmu_update),
			(n - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
	return rc;
}

/* The guest's current top-level table walked down to va's L1 table. */
static int find_l1_table(const struct vcpu *v, uint64_t va, uint64_t *l1_mfn)
{
	uint64_t mfn = v->kernel_mode || !v->user_l4_mfn ? v->kernel_l4_mfn
						       : v->user_l4_mfn;

	for (int shift = 39; shift >= 21; shift -= 9) {
		uint64_t e = ((uint64_t *)mfn_to_virt(mfn))[(va >> shift) & 511];
		if (!(e & PTE_PRESENT) || (e & PTE_PSE))
			return -XEN_EINVAL;
		mfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
		if (mfn >= max_mfn)
			return -XEN_EINVAL;
	}
	/* Through a read-only self-map the walk can end on an upper table. */
	if (frame_table[mfn].type != FRAME_TYPE_L1 || !frame_table[mfn].type_count)
		return -XEN_EINVAL;
	*l1_mfn = mfn;
	return 0;
}

/* Read the vCPU mask of a *_MULTI operation; one vCPU today. */
static int multi_mask_includes_self(uint64_t mask_ptr, bool *self)
{
	uint64_t mask;

	if (copy_from_guest(&mask, mask_ptr, sizeof(mask)))
		return -XEN_EFAULT;
	*self = mask & 1;
	return 0;
}

long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags,
			  uint64_t a4, uint64_t a5)
{
	struct vcpu *v = current;
	struct pt_ctx c;
	uint64_t l1;
	bool self = true;
	int rc;
	(void)a4, (void)a5;

	if (!guest_va_range_ok(va, 1))
		return -XEN_EINVAL;
	if ((rc = find_l1_table(v, va, &l1)))
		return rc;
	pv_pt_ctx(v->domain, &c);
	if ((rc = pt_mod_entry(&c, l1, (va >> 12) & 511, val, false)))
		return rc;

	uint64_t target = flags & ~UVMF_FLUSHTYPE_MASK;
	if (target != UVMF_LOCAL && target != UVMF_ALL &&
	    (rc = multi_mask_includes_self(target, &self)))
		return rc;
	if (self && (flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH) {
		flush_tlb_local(v->domain);
	} else if (self && (flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG) {
		invlpg((void *)va);
		v->domain->perf.invlpgs++;
	}
	return 0;
}

static int pin_table(const struct pt_ctx *c, uint64_t mfn, enum frame_type t)
{
	int rc;

	if (mfn >= max_mfn)
		return -XEN_EINVAL;
	if (frame_table[mfn].owner != c->domid)
		return -XEN_EPERM;
	if (frame_table[mfn].flags & FRAME_FLAG_PINNED)
		return -XEN_EINVAL;     /* already pinned */
	if ((rc = pt_get_page_and_type(c, mfn, t)))
		return rc;
	frame_table[mfn].flags |= FRAME_FLAG_PINNED;
	return 0;
}

static int unpin_table(const struct pt_ctx *c, uint64_t mfn)
{
	if (mfn >= max_mfn)
		return -XEN_EINVAL;
	struct frame_info *fi = &frame_table[mfn];
	if (fi->owner != c->domid)
		return -XEN_EPERM;
	if (!(fi->flags & FRAME_FLAG_PINNED))
		return -XEN_EINVAL;
	fi->flags &= ~FRAME_FLAG_PINNED;
	pt_put_page_and_type(c, mfn);
	return 0;
}

/* Swap a base pointer: new reference first, then drop the old one. */
static int set_baseptr(const struct pt_ctx *c, struct vcpu *v, uint64_t mfn,
		       bool user)
{
	uint64_t *slot = user ? &v->user_l4_mfn : &v->kernel_l4_mfn;
	int rc;

	if (user && mfn == 0) {
		if (*slot)
			pt_put_page_and_type(c, *slot);
		*slot = 0;
		return 0;
	}
	if ((rc = pt_get_page_and_type(c, mfn, FRAME_TYPE_L4)))
		return rc;
	uint64_t old = *slot;
	*slot = mfn;
	if (user == !v->kernel_mode)
		pv_load_cr3(v);
	if (old)
		pt_put_page_and_type(c, old);
	return 0;
}

/* Copy or clear a page of the domain's, which must be writable by it. */
static int copy_or_clear_page(const struct domain *d, uint64_t dst, uint64_t src,
			      bool copy)
{
	int rc;

	if (copy) {
		if (src >= max_mfn || frame_table[src].owner != d->domain_id)
			return -XEN_EPERM;
	}
	if ((rc = arch_get_writable_frame_ref(d, dst)))
		return rc;
	if (copy)
		memcpy(mfn_to_virt(dst), mfn_to_virt(src), PAGE_SIZE);
	else
		memset(mfn_to_virt(dst), 0, PAGE_SIZE);
	arch_put_writable_frame_ref(d, dst);
	return 0;
}

static int one_mmuext_op(struct vcpu *v, const struct pt_ctx *c,
			 const struct mmuext_op *op)
{
	bool self = true;
	int rc;

	switch (op->cmd) {
	case MMUEXT_PIN_L1_TABLE:
	case MMUEXT_PIN_L2_TABLE:
	case MMUEXT_PIN_L3_TABLE:
	case MMUEXT_PIN_L4_TABLE:
		return pin_table(c, op->arg1.mfn,
				 (enum frame_type)(FRAME_TYPE_L1 + op->cmd));
	case MMUEXT_UNPIN_TABLE:
		return unpin_table(c, op->arg1.mfn);
	case MMUEXT_NEW_BASEPTR:
		return set_baseptr(c, v, op->arg1.mfn, false);
	case MMUEXT_NEW_USER_BASEPTR:
		return set_baseptr(c, v, op->arg1.mfn, true);
	case MMUEXT_TLB_FLUSH_MULTI:
		if ((rc = multi_mask_includes_self((uint64_t)op->arg2.vcpumask.p, &self)))
			return rc;
		/* fall through */
	case MMUEXT_TLB_FLUSH_LOCAL:
	case MMUEXT_TLB_FLUSH_ALL:
		if (self)
			flush_tlb_local(v->domain);
		return 0;
	case MMUEXT_INVLPG_MULTI:
		if ((rc = multi_mask_includes_self((uint64_t)op->arg2.vcpumask.p, &self)))
			return rc;
		/* fall through */
	case MMUEXT_INVLPG_LOCAL:
	case MMUEXT_INVLPG_ALL:
		if (!guest_va_range_ok(op->arg1.linear_addr, 1))
			return -XEN_EINVAL;
		if (self) {
			invlpg((void *)op->arg1.linear_addr);
			v->domain->perf.invlpgs++;
		}
		return 0;
	case MMUEXT_SET_LDT:
		return pv_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
	case MMUEXT_CLEAR_PAGE:
		return copy_or_clear_page(v->domain, op->arg1.mfn, 0, false);
	case MMUEXT_COPY_PAGE:
		return copy_or_clear_page(v->domain, op->arg1.mfn, op->arg2.src_mfn, true);
	case MMUEXT_FLUSH_CACHE:
	case MMUEXT_FLUSH_CACHE_GLOBAL:
		return -XEN_EPERM;      /* no cache-flush rights */
	}
	return -XEN_ENOSYS;
}

long do_mmuext_op(uint64_t uops, uint64_t count, uint64_t pdone,
		  uint64_t foreigndom, uint64_t a5)
{
	struct vcpu *v = current;
	struct pt_ctx c;
	unsigned int done = 0, n = (unsigned int)count, i;
	long rc = 0;
	(void)a5;

	if (!foreigndom_ok(v->domain, foreigndom))
		return -XEN_EPERM;
	if (n & MMU_UPDATE_PREEMPTED) {
		n &= ~MMU_UPDATE_PREEMPTED;
		if (pdone && copy_from_guest(&done, pdone, sizeof(done)))
			return -XEN_EFAULT;
	}
	pv_pt_ctx(v->domain, &c);
	for (i = 0; i < n; i++) {
		struct mmuext_op op;
		if (i == MMU_BATCH_CHUNK && hypercall_may_continue())
			break;
		if (copy_from_guest(&op, uops + (uint64_t)i * sizeof(op), sizeof(op))) {
			rc = -XEN_EFAULT;
			break;
		}
		if ((rc = one_mmuext_op(v, &c, &op)))
			break;
	}
	done += i;
	if (pdone && copy_to_guest(pdone, &done, sizeof(done)))
		return -XEN_EFAULT;
	if (!rc && i < n)
		return hypercall_create_continuation(__HYPERVISOR_mmuext_op,
			uops + (uint64_t)i * sizeof(struct mmuext_op),
			(n - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
	return rc;
}
