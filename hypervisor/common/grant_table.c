/*
 * Grant tables, version 1 — the table itself. A domain asks for its table
 * frames with GNTTABOP_setup_table and fills in grant entries there; the
 * frames are the domain's (mapped writable by it), allocated on demand up
 * to MAX_GRANT_FRAMES and freed with the domain. As in Xen, they are not
 * part of its reservation (nr_pages, max_pages). The hypervisor reads them
 * on its own, so each holds a writable reference from its allocation to
 * the domain's end (the frame rule, docs/memory.md): the guest can neither
 * give one back with decrease_reservation nor make it a page table or
 * descriptor page, and the frame numbers setup_table reports stay true.
 *
 * Mapping, unmapping, copying and transferring grants (what another domain
 * does with them) come with the split-driver work: those commands return
 * -ENOSYS today, as does table format 2.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/mm.h>
#include <pv/xen.h>
#include <pv/grant_table.h>
#include <pv/errno.h>

#define MAX_GRANT_FRAMES 32     /* Xen's default gnttab_max_frames */

/* The domain a command names: itself, or another only if privileged. */
static struct domain *target_domain(domid_t dom, int16_t *status)
{
	struct domain *d = current->domain;

	if (dom == DOMID_SELF || dom == d->domain_id)
		return d;
	if (!d->privileged) {
		*status = GNTST_permission_denied;
		return NULL;
	}
	if (dom >= MAX_DOMAINS || !domains[dom] ||
	    domains[dom]->state != DOMAIN_RUNNING) {
		*status = GNTST_bad_domain;
		return NULL;
	}
	return domains[dom];
}

/* Grow d's table to n frames (never shrinks). */
static int grow_table(struct domain *d, unsigned int n)
{
	while (d->nr_grant_frames < n) {
		uint64_t mfn = alloc_frames(1, d->domain_id);
		if (mfn == INVALID_MFN)
			return -XEN_ENOMEM;
		frame_get_ref(mfn_to_frame(mfn));       /* the allocation's own */
		if (arch_get_writable_frame_ref(d, mfn)) {
			free_frames(mfn, 1);
			return -XEN_ENOMEM;
		}
		d->grant_frames[d->nr_grant_frames++] = mfn;
	}
	return 0;
}

static long setup_table(uint64_t arg)
{
	struct gnttab_setup_table op;
	struct domain *d;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -XEN_EFAULT;
	op.status = GNTST_okay;
	if (!(d = target_domain(op.dom, &op.status)))
		goto out;
	if (op.nr_frames > MAX_GRANT_FRAMES || grow_table(d, op.nr_frames)) {
		op.status = GNTST_general_error;
		goto out;
	}
	for (unsigned int i = 0; i < op.nr_frames; i++) {
		xen_pfn_t mfn = d->grant_frames[i];
		if (copy_to_guest((uint64_t)op.frame_list.p + i * sizeof(mfn), &mfn,
				  sizeof(mfn)))
			return -XEN_EFAULT;
	}
out:
	return copy_to_guest(arg, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long query_size(uint64_t arg)
{
	struct gnttab_query_size op;
	struct domain *d;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -XEN_EFAULT;
	op.status = GNTST_okay;
	if ((d = target_domain(op.dom, &op.status))) {
		op.nr_frames = d->nr_grant_frames;
		op.max_nr_frames = MAX_GRANT_FRAMES;
	}
	return copy_to_guest(arg, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long set_version(uint64_t arg)
{
	struct gnttab_set_version op;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -XEN_EFAULT;
	/* Only format 1; a request for 2 reports the version in force. */
	long rc = op.version == 1 ? 0 : -XEN_EINVAL;
	op.version = 1;
	if (copy_to_guest(arg, &op, sizeof(op)))
		return -XEN_EFAULT;
	return rc;
}

static long get_version(uint64_t arg)
{
	struct gnttab_get_version op;
	int16_t status = 0;

	if (copy_from_guest(&op, arg, sizeof(op)))
		return -XEN_EFAULT;
	if (!target_domain(op.dom, &status))
		return status == GNTST_permission_denied ? -XEN_EPERM : -XEN_ESRCH;
	op.version = 1;
	return copy_to_guest(arg, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

long do_grant_table_op(uint64_t cmd, uint64_t arg, uint64_t count,
		       uint64_t a4, uint64_t a5)
{
	(void)a4, (void)a5;

	/* These commands take exactly one operation. */
	if ((cmd == GNTTABOP_setup_table || cmd == GNTTABOP_query_size ||
	     cmd == GNTTABOP_set_version || cmd == GNTTABOP_get_version) &&
	    count != 1)
		return -XEN_EINVAL;
	switch (cmd) {
	case GNTTABOP_setup_table:
		return setup_table(arg);
	case GNTTABOP_query_size:
		return query_size(arg);
	case GNTTABOP_set_version:
		return set_version(arg);
	case GNTTABOP_get_version:
		return get_version(arg);
	}
	return -XEN_ENOSYS;
}
