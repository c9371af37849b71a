/*
 * Frame-ownership audit (rules: lamina/frame_audit.h, docs/memory.md).
 *
 * The frame table's counts are only as good as every get/put pair in the
 * hypervisor. This pass recomputes what they must be from the holders
 * themselves and reports every difference, so a leaked or missing
 * reference, a page table with a writable mapping, or a guest mapping of a
 * frame it does not own is caught in the run that caused it.
 *
 * It runs at quiescent points only (a domain's end, the end of the run),
 * when no hypercall holds a transient reference.
 */
#include <lamina/arch.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/evtchn_fifo.h>
#include <lamina/frame_audit.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pt_validate.h>
#include <asm/traps.h>

/* Detailed problem lines per audit; the summary counts them all. */
#define AUDIT_MAX_REPORTS 20
#define AUDIT_MAX_HELD    48

static uint32_t *exp_ref;       /* general references each frame must have */
static uint32_t *exp_type;      /* type references each frame must have */
static uint8_t *exp_kind;       /* the type those references demand (0: none) */
static unsigned long problems;

static const char *const type_names[] = {
	"none", "L1", "L2", "L3", "L4", "seg_desc", "writable",
};

static const char *type_name(unsigned int t)
{
	return t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

void arch_frame_audit_init(void)
{
	if (exp_ref)
		return;
	exp_ref = alloc_xenheap(max_mfn * sizeof(*exp_ref));
	exp_type = alloc_xenheap(max_mfn * sizeof(*exp_type));
	exp_kind = alloc_xenheap(max_mfn);
	if (!exp_ref || !exp_type || !exp_kind)
		panic("audit_frames: no memory for the audit (%lu frames)", max_mfn);
}

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	if (problems++ >= AUDIT_MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("frame audit FAILED: %s\n", buf);
}

unsigned int frame_audit_hv_held(const struct domain *d,
				 struct frame_audit_held *out, unsigned int max)
{
	unsigned int n = 0;

#define HELD(m, t, w) do { if ((m) && n < max) \
		out[n++] = (struct frame_audit_held){ (m), (t), (w) }; } while (0)
	/* The frame rule (docs/memory.md): each holds a writable type
	 * reference while the hypervisor uses it. The xenstore ring is an
	 * ordinary guest page: the hypervisor never touches it. */
	HELD(d->shared_info_mfn, FRAME_TYPE_WRITABLE, "shared_info");
	HELD(d->console_mfn, FRAME_TYPE_WRITABLE, "console ring");
	for (unsigned int i = 0; i < d->nr_grant_frames && i < 32; i++)
		HELD(d->grant_frames[i], FRAME_TYPE_WRITABLE, "grant frame");
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *v = d->vcpus[i];
		if (v)
			HELD(v->vcpu_info_mfn, FRAME_TYPE_WRITABLE, "vcpu_info");
	}
	uint64_t fifo[EVTCHN_FIFO_MAX_PAGES + MAX_VCPUS_PER_DOM];
	unsigned int nr_fifo = evtchn_fifo_frames(d, fifo, ARRAY_SIZE(fifo));
	for (unsigned int i = 0; i < nr_fifo; i++)
		HELD(fifo[i], FRAME_TYPE_WRITABLE, "FIFO event frame");
#undef HELD
	return n;
}

/* A domain whose references count: running, or ended but not yet freed. */
static const struct domain *live_domain(unsigned int id, const struct domain *dying)
{
	const struct domain *d = id < MAX_DOMAINS ? domains[id] : NULL;

	if (!d || (d->state != DOMAIN_RUNNING && d != dying))
		return NULL;
	return d;
}

/* One holder's demand on a frame: a general reference, and maybe a type one. */
static void expect(const struct domain *d, uint64_t mfn, enum frame_type t,
		   bool general, const char *holder)
{
	if (mfn >= max_mfn) {
		problem("d%u %s: frame %#lx beyond RAM", d->domain_id, holder, mfn);
		return;
	}
	if (frame_table[mfn].owner != d->domain_id) {
		problem("d%u %s: frame %#lx is owned by %#x", d->domain_id, holder,
			mfn, frame_table[mfn].owner);
		return;
	}
	if (general)
		exp_ref[mfn]++;
	if (t == FRAME_TYPE_NONE)
		return;
	exp_type[mfn]++;
	if (exp_kind[mfn] && exp_kind[mfn] != t)
		problem("d%u frame %#lx: wanted as %s by %s and as %s elsewhere",
			d->domain_id, mfn, type_name(t), holder,
			type_name(exp_kind[mfn]));
	else
		exp_kind[mfn] = (uint8_t)t;
}

/* The references a validated page table's entries hold. */
static void count_table_entries(const struct domain *d, uint64_t mfn,
				unsigned int level)
{
	const uint64_t *t = mfn_to_virt(mfn);

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];
		if (level == 4 && i >= PT_XEN_FIRST_SLOT &&
		    i < PT_XEN_FIRST_SLOT + PT_XEN_NR_SLOTS)
			continue;
		if (!(e & PTE_PRESENT))
			continue;
		uint64_t target = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
		enum frame_type want;
		if (level == 1)
			want = (e & PTE_WRITE) ? FRAME_TYPE_WRITABLE : FRAME_TYPE_NONE;
		else if (target == mfn && !(e & PTE_WRITE))
			want = FRAME_TYPE_NONE;         /* read-only self-map */
		else
			want = (enum frame_type)(FRAME_TYPE_L1 + level - 2);
		if (want == FRAME_TYPE_WRITABLE && target < max_mfn &&
		    frame_table[target].owner == d->domain_id &&
		    frame_table[target].type_count &&
		    frame_table[target].type != FRAME_TYPE_WRITABLE)
			problem("d%u L1 %#lx[%u] maps %s frame %#lx writable",
				d->domain_id, mfn, i,
				type_name(frame_table[target].type), target);
		expect(d, target, want, true, "page-table entry");
	}
}

static void count_vcpu(const struct domain *d, const struct vcpu *v)
{
	if (v->kernel_l4_mfn)
		expect(d, v->kernel_l4_mfn, FRAME_TYPE_L4, true, "kernel base pointer");
	if (v->user_l4_mfn)
		expect(d, v->user_l4_mfn, FRAME_TYPE_L4, true, "user base pointer");
	for (unsigned int i = 0; i < v->gdt_nr_frames && i < 14; i++)
		expect(d, v->gdt_frames[i], FRAME_TYPE_SEG_DESC, true, "GDT frame");
	for (unsigned int i = 0; i < v->ldt_nr_frames && i < 16; i++)
		expect(d, v->ldt_frames[i], FRAME_TYPE_SEG_DESC, true, "LDT frame");
}

static void count_held(const struct domain *d)
{
	struct frame_audit_held held[AUDIT_MAX_HELD];
	unsigned int n = frame_audit_hv_held(d, held, AUDIT_MAX_HELD);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t mfn = held[i].mfn;
		if (held[i].type != FRAME_TYPE_NONE) {
			expect(d, mfn, held[i].type, true, held[i].what);
			continue;
		}
		if (mfn >= max_mfn || frame_table[mfn].owner != d->domain_id) {
			problem("d%u %s: frame %#lx is owned by %#x", d->domain_id,
				held[i].what, mfn,
				mfn < max_mfn ? frame_table[mfn].owner : 0xffff);
			continue;
		}
		const struct frame_info *fi = &frame_table[mfn];
		if (fi->type_count && fi->type != FRAME_TYPE_WRITABLE)
			problem("d%u %s: frame %#lx is in use as %s", d->domain_id,
				held[i].what, mfn, type_name(fi->type));
	}
}

/* Compare one frame with what its holders demand. */
static void check_frame(uint64_t mfn, const struct domain *owner)
{
	const struct frame_info *fi = &frame_table[mfn];

	if (fi->owner == DOMID_XEN)
		return;         /* the hypervisor's own: no guest may hold it */
	if (fi->owner == DOMID_INVALID) {
		if (fi->ref_count || fi->type_count || fi->flags || fi->type)
			problem("free frame %#lx: refs %u, type %s count %u, flags %#x",
				mfn, fi->ref_count, type_name(fi->type),
				fi->type_count, fi->flags);
		return;
	}
	if (!owner) {
		problem("frame %#lx owned by d%u, which has ended", mfn, fi->owner);
		return;
	}
	if (fi->ref_count != exp_ref[mfn] || fi->type_count != exp_type[mfn])
		problem("d%u frame %#lx (%s): refs %u type refs %u, expected %u and %u",
			fi->owner, mfn, type_name(fi->type), fi->ref_count,
			fi->type_count, exp_ref[mfn], exp_type[mfn]);
	else if (exp_type[mfn] && fi->type != exp_kind[mfn])
		problem("d%u frame %#lx: type %s, but its holders want %s",
			fi->owner, mfn, type_name(fi->type), type_name(exp_kind[mfn]));
	if (fi->type_count && (frame_type_is_pagetable((enum frame_type)fi->type) ||
			       fi->type == FRAME_TYPE_SEG_DESC) &&
	    !frame_is_validated(fi))
		problem("d%u frame %#lx: %s in use but not validated", fi->owner,
			mfn, type_name(fi->type));
	if ((fi->flags & FRAME_FLAG_PINNED) &&
	    (!fi->type_count || !frame_type_is_pagetable((enum frame_type)fi->type)))
		problem("d%u frame %#lx: pinned but %s with %u type refs", fi->owner,
			mfn, type_name(fi->type), fi->type_count);
}

unsigned long arch_frame_audit(const struct domain *dying, const char *when)
{
	unsigned int nr_domains = 0;

	if (!exp_ref)
		return 0;
	problems = 0;
	memset(exp_ref, 0, max_mfn * sizeof(*exp_ref));
	memset(exp_type, 0, max_mfn * sizeof(*exp_type));
	memset(exp_kind, 0, max_mfn);

	/* What every holder demands. */
	for (uint64_t mfn = 0; mfn < max_mfn; mfn++) {
		const struct frame_info *fi = &frame_table[mfn];
		const struct domain *d = live_domain(fi->owner, dying);
		if (!d)
			continue;
		exp_ref[mfn]++;                         /* the allocation's own */
		if (fi->flags & FRAME_FLAG_PINNED &&
		    frame_type_is_pagetable((enum frame_type)fi->type)) {
			exp_ref[mfn]++;
			expect(d, mfn, (enum frame_type)fi->type, false, "pin");
		}
		if (frame_type_is_pagetable((enum frame_type)fi->type) &&
		    fi->type_count && frame_is_validated(fi))
			count_table_entries(d, mfn, fi->type - FRAME_TYPE_L1 + 1);
	}
	for (unsigned int id = 0; id < MAX_DOMAINS; id++) {
		const struct domain *d = live_domain(id, dying);
		if (!d)
			continue;
		nr_domains++;
		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			if (d->vcpus[i])
				count_vcpu(d, d->vcpus[i]);
		count_held(d);
	}

	/* Compare. */
	for (uint64_t mfn = 0; mfn < max_mfn; mfn++)
		check_frame(mfn, live_domain(frame_table[mfn].owner, dying));

	if (problems > AUDIT_MAX_REPORTS)
		printk("frame audit FAILED: ... and %lu more problems\n",
		       problems - AUDIT_MAX_REPORTS);
	printk("frame audit (%s): checked %lu frames in %u domain%s, %lu problem%s\n",
	       when, max_mfn, nr_domains, nr_domains == 1 ? "" : "s", problems,
	       problems == 1 ? "" : "s");
	return problems;
}
