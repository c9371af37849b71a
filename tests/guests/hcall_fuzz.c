/*
 * hcall_fuzz: a seeded hypercall fuzzer, run as an unprivileged domain.
 *
 *   seed=<n> calls=<n> [holes=<mask>] [victim=<domid>] [self=<domid>]
 *   [trace=1]
 *
 * Issues `calls` hypercalls (a multicall counts as one) with random and
 * adversarial arguments: every number 0..63 and beyond, every sub-op, and
 * pointers and frame numbers aimed at the hypervisor's range, the M2P, its
 * own page tables, shared_info, the console ring, grant frames, another
 * domain's frames, unmapped and non-canonical addresses, with huge counts
 * and boundary values. The same seed gives the same calls.
 *
 * The fuzzer must live to finish its quota, so it never makes the calls the
 * ABI lets end or hang it (shutdown of itself, block without a timer, poll
 * without a timeout, iret), and it never lets the hypervisor rewrite what it
 * runs on: page-table updates go to a sacrificial subtree hooked at L4 slot
 * SANDBOX_SLOT, present entries never name its own image frames, and every
 * buffer the hypervisor may write is a sink it never reads. Anything it may
 * have changed about itself (trap table, callbacks, debug registers, FPU
 * switch, segment bases, LDT, event mask) is put back after each call. A
 * fault in the fuzzer itself is caught, counted and reported, and it goes on.
 *
 * Known holes: other work fixes some hypervisor bugs this fuzzer finds.
 * Until those fixes are merged, the classes in KNOWN_HOLES_DEFAULT are
 * steered around (holes=0 turns the steering off). Remove a flag once its
 * fix is in; the default run must then still pass.
 *
 * Output: "hcall_fuzz: seed ..., calls ..." at the start, progress every
 * tenth, then "hcall_fuzz: done, N calls, F faults" and PASS/FAIL lines.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include <pv/event_channel.h>
#include <pv/grant_table.h>
#include <pv/memory.h>
#include <pv/physdev.h>
#include <pv/sched.h>
#include <pv/vcpu.h>
#include <pv/version.h>
#include "mdlib.h"

/* ---- known holes (remove each flag when its fix is merged) -------------- */

/* shared_info, console/xenstore rings, grant frames taking a page-table or
 * descriptor type (as pins, base pointers, GDT/LDT frames, table entries). */
#define KH_SPECIAL_FRAMES_TYPED  (1u << 0)
/* Data breakpoints (DR7 R/W = 01 or 11): #DB in the hypervisor. */
#define KH_DATA_BREAKPOINTS      (1u << 1)
/* SCHEDOP_poll inside a multicall (two of them corrupt timers). */
#define KH_POLL_IN_MULTICALL     (1u << 2)
/* Unbounded work: huge multicall counts, huge console_io lengths. */
#define KH_UNBOUNDED_BATCHES     (1u << 3)
/* CONSOLEIO_read from an unprivileged domain. */
#define KH_CONSOLE_READ          (1u << 4)
/* Binding VIRQ_DOM_EXC (a global VIRQ) from an unprivileged domain. */
#define KH_VIRQ_DOM_EXC          (1u << 5)
/* Timer deadlines and periods near the ends of the 64-bit range. */
#define KH_TIMER_OVERFLOW        (1u << 6)
/* SEGBASE_GS_USER_SEL with arbitrary selectors. */
#define KH_SEGMENT_SELECTORS     (1u << 7)
/* Preempted batches (mmu_update, mmuext_op, memory_op) inside a multicall. */
#define KH_CONTINUATIONS         (1u << 8)

/* Frames the hypervisor keeps using (grant frames) given back with
 * XENMEM_decrease_reservation while it still uses them; fixed by the same
 * work as KH_SPECIAL_FRAMES_TYPED (a writable type reference held). */
#define KH_HELD_FRAMES_FREEABLE  (1u << 9)

/*
 * Every class above is fixed, so the default steers around none: the
 * flags stay so that holes=<mask> can reproduce how the fuzzer found them
 * (seeds and symptoms in docs/testing.md). A new known hole gets a flag
 * here only while its fix is in progress.
 */
#define KNOWN_HOLES_DEFAULT 0u

/* ---- layout -------------------------------------------------------------- */

#define PTE_P   0x001UL
#define PTE_RW  0x002UL
#define PTE_US  0x004UL
#define PTE_A   0x020UL
#define PTE_D   0x040UL
#define PTE_MFN 0x000ffffffffff000UL

#define SANDBOX_SLOT 300
#define SANDBOX_VA   (0xffff000000000000UL | ((unsigned long)SANDBOX_SLOT << 39))
#define NR_SB_DATA   8
#define NR_SPARE     24
#define NR_GRANT     4
#define NR_FOREIGN   64
#define NR_UNOWNED   32
#define MAX_DEPTH    3
#define ARENA_SIZE   (64 * 1024)
#define SINK_SIZE    (32 * 1024)

static unsigned char arena[ARENA_SIZE] __attribute__((aligned(4096)));
static unsigned char sink[SINK_SIZE] __attribute__((aligned(4096)));
static size_t arena_used;

static unsigned int holes = KNOWN_HOLES_DEFAULT;
static domid_t victim, self_id;

static struct {
	unsigned long l4;                       /* real kernel L4 */
	unsigned long s3, s2, s1[2];            /* sandbox tables */
	unsigned long data[NR_SB_DATA];         /* mapped RW in the sandbox */
	unsigned long spare[NR_SPARE];          /* owned, unmapped */
	unsigned long vcpu_page;                /* for register_vcpu_info only */
	unsigned long shared_info, console, xenstore;
	unsigned long grant[NR_GRANT];
	unsigned long foreign[NR_FOREIGN];      /* other domains' frames */
	unsigned int nr_foreign;
	unsigned long unowned[NR_UNOWNED];      /* free or the hypervisor's */
	unsigned int nr_unowned;
	unsigned long max_mfn;
	unsigned long end_va;                   /* end of the initial mapping */
	unsigned long pad_va;                   /* unused mapped pages before it */
	unsigned long mapped_pfns;
	evtchn_port_t timer_port, console_port, store_port;
	shared_info_t *sh;
} lab;

/* Own frames the fuzzer runs on: never named by a present entry, never a
 * write target. Indexed by mfn. */
static unsigned char protected_mfn[1 << 17];

static bool is_protected(unsigned long mfn)
{
	return mfn < sizeof(protected_mfn) * 8 &&
	       (protected_mfn[mfn >> 3] & (1u << (mfn & 7)));
}

static bool is_special(unsigned long mfn)
{
	if (mfn == lab.shared_info || mfn == lab.console || mfn == lab.xenstore)
		return true;
	for (int i = 0; i < NR_GRANT; i++)
		if (mfn == lab.grant[i])
			return true;
	return false;
}

/* ---- PRNG: xorshift64* --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static unsigned long below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* ---- value pools --------------------------------------------------------- */

static const unsigned long boundary[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512,
	1023, 1024, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
	0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff,
	0xfffffffffffff000,
};

static unsigned long boundary_value(void)
{
	return boundary[below(sizeof(boundary) / sizeof(boundary[0]))];
}

static const domid_t domids[] = { 0, 1, 2, 63, 64, DOMID_SELF, DOMID_IO,
	DOMID_XEN, DOMID_COW, DOMID_INVALID, 0x7fff, 0xffff };

static domid_t random_domid(void)
{
	if (chance(30))
		return victim;
	return domids[below(sizeof(domids) / sizeof(domids[0]))];
}

static unsigned long random_port(void)
{
	switch (below(4)) {
	case 0: return below(8);
	case 1: return below(4200);
	case 2: return boundary_value();
	default: return lab.timer_port + 1 + below(4);
	}
}

/* Any frame number, own image frames included (pins, unpins, GDT frames). */
static unsigned long mfn_any(void)
{
	switch (below(14)) {
	case 0: return pv_pfn_to_mfn(below(lab.mapped_pfns));   /* protected */
	case 1: return lab.l4;
	case 2: return (&lab.s3)[below(4)];
	case 3: return lab.data[below(NR_SB_DATA)];
	case 4: case 5: return lab.spare[below(NR_SPARE)];
	case 6:
		switch (below(4)) {
		case 0: return lab.shared_info;
		case 1: return lab.console;
		case 2: return lab.xenstore;
		default: return lab.grant[below(NR_GRANT)];
		}
	case 7: case 8:
		return lab.nr_foreign ? lab.foreign[below(lab.nr_foreign)] : 0;
	case 9: return lab.nr_unowned ? lab.unowned[below(lab.nr_unowned)] : 1;
	case 10: return lab.max_mfn + below(16);
	case 11: return below(0x300);                   /* low: the hypervisor's */
	case 12: return boundary_value();
	default: return rnd() & 0xffffffffffUL;
	}
}

/* A frame that may be given a typed use (not KH special frames). */
static unsigned long mfn_typed(void)
{
	unsigned long mfn = mfn_any();

	if ((holes & KH_SPECIAL_FRAMES_TYPED) && is_special(mfn))
		return lab.spare[below(NR_SPARE)];
	return mfn;
}

/* A frame whose contents may be written: never one the fuzzer runs on. */
static unsigned long mfn_writable(void)
{
	for (;;) {
		unsigned long mfn = mfn_any();
		if (is_protected(mfn) || mfn == lab.shared_info ||
		    mfn == lab.console || mfn == lab.vcpu_page ||
		    mfn == lab.l4)
			continue;
		return mfn;
	}
}

/* A page-table entry: random flags on a frame; never a present entry that
 * names an image frame of the fuzzer (other than its L4, which can only
 * ever be refused or mapped read-only). */
static unsigned long pte_value(void)
{
	unsigned long mfn = mfn_any(), v;

	if (chance(5))
		return rnd();
	v = (mfn << 12) & PTE_MFN;
	v |= PTE_P | (chance(60) ? PTE_RW : 0) | (chance(70) ? PTE_US : 0) |
	     (chance(50) ? PTE_A | PTE_D : 0);
	if (chance(10))
		v |= 1UL << below(12);                  /* PWT, PCD, PS, G, ... */
	if (chance(5))
		v |= 1UL << (52 + below(12));           /* high bits, NX */
	return v;
}

static unsigned long tame_pte(unsigned long v)
{
	unsigned long mfn = (v & PTE_MFN) >> 12;

	if (!(v & PTE_P))
		return v;
	if ((is_protected(mfn) && mfn != lab.l4) || mfn == lab.vcpu_page)
		return v & ~PTE_P;
	if ((holes & KH_SPECIAL_FRAMES_TYPED) && is_special(mfn))
		return v & ~PTE_P;
	return v;
}

/* Addresses the hypervisor is asked to read. */
static unsigned long hostile_va(void)
{
	switch (below(10)) {
	case 0: return 0xffff800000000000UL + below(1UL << 30);  /* M2P */
	case 1: return 0xffff800000000000UL + (rnd() & ((1UL << 43) - 1));
	case 2: return 0xffff82d080000000UL + below(8UL << 20);  /* image */
	case 3: return 0xffff830000000000UL + (below(1UL << 29) & ~7UL);
	case 4: return 0x0000800000000000UL - below(64);         /* canon edge */
	case 5: return 0x8000000000000000UL + below(1UL << 20);
	case 6: return below(1UL << 22);                         /* low */
	case 7: return 0xffff880000000000UL - below(64);         /* hv end */
	case 8: return boundary_value();
	default: return rnd();
	}
}

static unsigned long in_ptr(void)
{
	switch (below(10)) {
	case 0: case 1: case 2:
		return (unsigned long)arena + below(ARENA_SIZE - 4096);
	case 3: return SANDBOX_VA + below(4UL << 20);
	case 4: return (unsigned long)pv_start_info->pt_base + below(4096);
	case 5: return (unsigned long)lab.sh + below(4096);
	case 6: return PV_VIRT_BASE + below(lab.mapped_pfns << 12);
	case 7: return lab.end_va - below(64);                  /* straddles */
	default: return hostile_va();
	}
}

/* Text to print: never our own image, whose strings ("FAIL %s", ...) would
 * look like results in the log. */
static unsigned long console_ptr(void)
{
	unsigned long p = in_ptr();

	if (p >= PV_VIRT_BASE && p < lab.end_va &&
	    !(p >= (unsigned long)arena && p < (unsigned long)arena + ARENA_SIZE))
		p = (unsigned long)arena + below(ARENA_SIZE - 4096);
	return p;
}

/* Addresses the hypervisor may write: the sink, or somewhere it must refuse. */
static unsigned long out_ptr(void)
{
	switch (below(8)) {
	case 0: case 1: case 2: case 3:
		return (unsigned long)sink + below(SINK_SIZE / 4);
	case 4: return (unsigned long)pv_start_info->pt_base + below(4096);
	case 5: return 0xffff800000000000UL + below(1UL << 24);  /* M2P: RO */
	default: return hostile_va();
	}
}

/* Addresses that must only be refused whatever is written (huge counts). */
static unsigned long refused_out_ptr(void)
{
	return chance(30) ? (unsigned long)pv_start_info->pt_base : hostile_va();
}

/* Any argument. A pointer here may be one the hypervisor writes through
 * (random structs hold such pointers), so it comes from the write pool. */
static unsigned long random_arg(void)
{
	switch (below(8)) {
	case 0: return boundary_value();
	case 1: return out_ptr();
	case 2: return mfn_any();
	case 3: return random_domid();
	case 4: return below(64);
	case 5: return random_port();
	default: return rnd();
	}
}

static unsigned long small_count(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2 + below(7);
	case 3: return below(64);
	default: return 1 + below(4);
	}
}

/* ---- argument building --------------------------------------------------- */

static void *alloc_arg(size_t n)
{
	n = (n + 15) & ~15UL;
	if (arena_used + n > ARENA_SIZE - 4096)
		arena_used = 0;         /* reuse: contents are random anyway */
	void *p = arena + arena_used;
	arena_used += n;
	return p;
}

static void fill_random(void *p, size_t n)
{
	unsigned long *w = p;

	for (size_t i = 0; i < n / 8; i++)
		w[i] = random_arg();
}

/* A random struct of n bytes, or a hostile pointer instead. */
static unsigned long random_struct(size_t n)
{
	if (chance(10))
		return out_ptr();       /* the hypervisor may write it back */
	void *p = alloc_arg(n);
	fill_random(p, n);
	return (unsigned long)p;
}

/* Restore flags: what a call may have changed about the fuzzer. */
#define R_TRAPS   0x01u
#define R_CALLBK  0x02u
#define R_FPU     0x04u
#define R_DEBUG   0x08u
#define R_SEG     0x10u
#define R_LDT     0x20u
#define R_MASK    0x40u
#define R_ALL     0x7fu

static unsigned int gen_call(unsigned long *nrp, unsigned long a[5], int depth);
static void trace_call(unsigned long i, unsigned long nr, const unsigned long a[5]);
static bool trace;

static unsigned int gen_mmu_update(unsigned long a[5])
{
	unsigned long n = chance(5) ? boundary_value() : small_count() + 1;
	bool bounded = n <= 256;
	mmu_update_t *req = alloc_arg((bounded ? n : 4) * sizeof(*req));

	for (unsigned long i = 0; i < (bounded ? n : 4); i++) {
		unsigned long target, idx = below(512);
		switch (below(8)) {
		case 0: target = lab.l4;
			idx = chance(50) ? 256 + below(16) : SANDBOX_SLOT;
			break;
		case 1: case 2: case 3: target = (&lab.s3)[below(4)]; break;
		default: target = mfn_writable(); break;
		}
		unsigned long cmd, pick = below(10);
		cmd = pick < 6 ? MMU_NORMAL_PT_UPDATE :
		      pick < 7 ? MMU_PT_UPDATE_PRESERVE_AD :
		      pick < 9 ? MMU_MACHPHYS_UPDATE : below(8);
		req[i].ptr = (target << 12) | (idx << 3) | cmd;
		req[i].val = cmd == MMU_MACHPHYS_UPDATE ? random_arg()
							 : tame_pte(pte_value());
		if (cmd == MMU_MACHPHYS_UPDATE && is_protected(target))
			req[i].ptr = (lab.spare[0] << 12) | MMU_MACHPHYS_UPDATE;
	}
	a[0] = bounded ? (unsigned long)req : in_ptr();
	if (!bounded && chance(50))
		a[0] = (unsigned long)req;      /* huge count over a short list */
	a[1] = n;
	a[2] = chance(20) ? 0 : out_ptr();
	a[3] = chance(80) ? DOMID_SELF : random_domid();
	return 0;
}

static unsigned int gen_mmuext(unsigned long a[5])
{
	unsigned long n = chance(5) ? boundary_value() : small_count() + 1;
	bool bounded = n <= 256;
	mmuext_op_t *op = alloc_arg((bounded ? n : 4) * sizeof(*op));
	unsigned int r = 0;

	for (unsigned long i = 0; i < (bounded ? n : 4); i++) {
		unsigned int cmd = chance(95) ? below(21) : (unsigned int)rnd();
		op[i].cmd = cmd;
		op[i].arg2.src_mfn = random_arg();
		switch (cmd) {
		case MMUEXT_PIN_L1_TABLE: case MMUEXT_PIN_L2_TABLE:
		case MMUEXT_PIN_L3_TABLE: case MMUEXT_PIN_L4_TABLE:
		case MMUEXT_NEW_USER_BASEPTR: case MMUEXT_MARK_SUPER:
		case MMUEXT_UNMARK_SUPER:
			op[i].arg1.mfn = mfn_typed();
			break;
		case MMUEXT_UNPIN_TABLE:
			op[i].arg1.mfn = mfn_any();
			break;
		case MMUEXT_NEW_BASEPTR:
			/* Our own L4, or frames that can never be ours: any other
			 * L4 of ours would strand us without our mappings. */
			switch (below(4)) {
			case 0: op[i].arg1.mfn = lab.nr_foreign ?
				lab.foreign[below(lab.nr_foreign)] : lab.l4; break;
			case 1: op[i].arg1.mfn = lab.max_mfn + below(1UL << 20); break;
			default: op[i].arg1.mfn = lab.l4; break;
			}
			break;
		case MMUEXT_CLEAR_PAGE:
			op[i].arg1.mfn = mfn_writable();
			break;
		case MMUEXT_COPY_PAGE:
			op[i].arg1.mfn = mfn_writable();
			op[i].arg2.src_mfn = mfn_any();
			/* A copy of one of our tables could later be hooked into
			 * the sandbox and lead back into our real tables. */
			if (is_protected(op[i].arg2.src_mfn) &&
			    op[i].arg2.src_mfn != lab.l4)
				op[i].arg2.src_mfn = lab.data[0];
			break;
		case MMUEXT_SET_LDT:
			op[i].arg1.linear_addr = in_ptr();
			op[i].arg2.nr_ents = chance(50) ? below(16) : random_arg();
			r |= R_LDT;
			break;
		case MMUEXT_TLB_FLUSH_MULTI: case MMUEXT_INVLPG_MULTI:
			op[i].arg1.linear_addr = in_ptr();
			op[i].arg2.vcpumask.p = (void *)in_ptr();
			break;
		default:
			op[i].arg1.linear_addr = chance(50) ? in_ptr() : random_arg();
			break;
		}
	}
	a[0] = (unsigned long)op;
	a[1] = n;
	a[2] = chance(20) ? 0 : out_ptr();
	a[3] = chance(80) ? DOMID_SELF : random_domid();
	return r;
}

static unsigned int gen_memory_op(unsigned long a[5])
{
	unsigned int cmd = chance(90) ? below(30) : (unsigned int)rnd();
	struct xen_memory_reservation *res;
	unsigned long n;

	a[0] = cmd;
	switch (cmd) {
	case XENMEM_increase_reservation: case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap: case XENMEM_claim_pages:
		res = alloc_arg(sizeof(*res));
		n = chance(10) ? boundary_value() : small_count();
		res->nr_extents = n;
		res->extent_order = chance(80) ? 0 : below(20);
		res->mem_flags = chance(80) ? 0 : (unsigned int)random_arg();
		res->domid = chance(70) ? DOMID_SELF : random_domid();
		if (n > 64 || res->extent_order) {
			res->extent_start.p = (void *)refused_out_ptr();
		} else {
			unsigned long *list = (void *)(sink + below(SINK_SIZE / 2));
			list = (void *)((unsigned long)list & ~7UL);
			for (unsigned long i = 0; i < n; i++)
				list[i] = cmd == XENMEM_decrease_reservation ?
					mfn_writable() : random_arg();
			if ((holes & KH_HELD_FRAMES_FREEABLE) &&
			    cmd == XENMEM_decrease_reservation)
				for (unsigned long i = 0; i < n; i++)
					if (is_special(list[i]))
						list[i] = lab.spare[0];
			res->extent_start.p = list;
		}
		a[1] = chance(5) ? out_ptr() : (unsigned long)res;
		if (chance(10))
			a[0] |= random_arg() << 6;      /* start extent bits */
		break;
	case XENMEM_current_reservation: case XENMEM_maximum_reservation:
	case XENMEM_maximum_gpfn: {
		domid_t *d = alloc_arg(sizeof(*d));
		*d = random_domid();
		a[1] = chance(10) ? in_ptr() : (unsigned long)d;
		break;
	}
	case XENMEM_memory_map: case XENMEM_machine_memory_map:
	case XENMEM_set_memory_map: {
		struct xen_memory_map *m = alloc_arg(sizeof(*m) + 8);
		m->nr_entries = chance(50) ? below(8) : (unsigned int)random_arg();
		m->buffer.p = (void *)(m->nr_entries < 64 ? out_ptr()
							   : refused_out_ptr());
		a[1] = (unsigned long)m;
		break;
	}
	case XENMEM_machphys_mfn_list: {
		struct xen_machphys_mfn_list *l = alloc_arg(sizeof(*l));
		l->max_extents = chance(50) ? below(16) : (unsigned int)random_arg();
		l->extent_start.p = (void *)(l->max_extents < 64 ? out_ptr()
							      : refused_out_ptr());
		a[1] = (unsigned long)l;
		break;
	}
	default:
		a[1] = chance(50) ? out_ptr() : random_struct(64);
		break;
	}
	return 0;
}

static unsigned int gen_grant(unsigned long a[5])
{
	unsigned int cmd = chance(90) ? below(16) : (unsigned int)rnd();
	unsigned long n = chance(10) ? boundary_value() : small_count();

	a[0] = cmd;
	if (cmd == GNTTABOP_setup_table) {
		struct gnttab_setup_table *s = alloc_arg(sizeof(*s) * 4);
		for (unsigned long i = 0; i < 4; i++) {
			s[i].dom = chance(60) ? DOMID_SELF : random_domid();
			s[i].nr_frames = chance(60) ? below(40) : (uint32_t)random_arg();
			s[i].frame_list.p = (void *)(s[i].nr_frames <= 64 ? out_ptr()
								     : refused_out_ptr());
		}
		/* More entries than we built: the rest would be arena junk. */
		a[1] = n <= 4 ? (unsigned long)s : refused_out_ptr();
	} else {
		a[1] = chance(60) ? random_struct(256) : out_ptr();
	}
	a[2] = n;
	return 0;
}

static unsigned int gen_evtchn(unsigned long a[5])
{
	unsigned int cmd = chance(92) ? below(14) : (unsigned int)rnd();
	uint32_t *s = alloc_arg(64);

	fill_random(s, 64);
	a[0] = cmd;
	a[1] = (unsigned long)s;
	switch (cmd) {
	case EVTCHNOP_bind_interdomain: {
		struct evtchn_bind_interdomain *b = (void *)s;
		b->remote_dom = random_domid();
		b->remote_port = (evtchn_port_t)random_port();
		break;
	}
	case EVTCHNOP_bind_virq: {
		struct evtchn_bind_virq *b = (void *)s;
		b->virq = chance(80) ? below(24) : (uint32_t)random_arg();
		if ((holes & KH_VIRQ_DOM_EXC) && b->virq == VIRQ_DOM_EXC)
			b->virq = VIRQ_DEBUG;
		b->vcpu = chance(80) ? 0 : (uint32_t)random_arg();
		break;
	}
	case EVTCHNOP_close: case EVTCHNOP_send: case EVTCHNOP_unmask:
	case EVTCHNOP_bind_vcpu: case EVTCHNOP_set_priority: {
		/* Our timer and console ports must keep working. */
		evtchn_port_t p = (evtchn_port_t)random_port();
		if (cmd != EVTCHNOP_send && cmd != EVTCHNOP_unmask &&
		    (p == lab.timer_port || p == lab.console_port))
			p = lab.store_port;
		s[0] = p;
		break;
	}
	case EVTCHNOP_status: {
		struct evtchn_status *st = (void *)s;
		st->dom = random_domid();
		st->port = (evtchn_port_t)random_port();
		break;
	}
	case EVTCHNOP_alloc_unbound: {
		struct evtchn_alloc_unbound *u = (void *)s;
		u->dom = chance(50) ? DOMID_SELF : random_domid();
		u->remote_dom = random_domid();
		break;
	}
	case EVTCHNOP_reset: {
		struct evtchn_reset *r = (void *)s;
		r->dom = random_domid();
		if (r->dom == DOMID_SELF || r->dom == self_id)
			r->dom = victim;        /* ours would close the ports we keep */
		break;
	}
	default:
		break;
	}
	if (chance(5))
		a[1] = out_ptr();       /* ports are written back */
	return 0;
}

static unsigned int gen_sched(unsigned long a[5], int depth)
{
	unsigned int cmd;
	unsigned int choices[] = { SCHEDOP_yield, SCHEDOP_yield, SCHEDOP_poll,
		SCHEDOP_poll, SCHEDOP_remote_shutdown, SCHEDOP_shutdown_code,
		SCHEDOP_watchdog, SCHEDOP_block, 99, 0x80000000u };

	cmd = choices[below(sizeof(choices) / sizeof(choices[0]))];
	if (cmd == SCHEDOP_block && depth)
		cmd = SCHEDOP_yield;
	if (cmd == SCHEDOP_poll && depth && (holes & KH_POLL_IN_MULTICALL))
		cmd = SCHEDOP_yield;
	a[0] = cmd;
	a[1] = random_struct(32);
	switch (cmd) {
	case SCHEDOP_poll: {
		struct sched_poll *p = alloc_arg(sizeof(*p));
		unsigned long t = md_now() + below(2 * MD_MS);
		p->nr_ports = chance(80) ? (unsigned int)below(4)
					 : (unsigned int)random_arg();
		p->ports.p = (void *)(chance(80) ? random_struct(64) : in_ptr());
		p->timeout = t ? t : 1;         /* 0 would wait forever */
		a[1] = (unsigned long)p;
		break;
	}
	case SCHEDOP_remote_shutdown: {
		struct sched_remote_shutdown *s = alloc_arg(sizeof(*s));
		s->domain_id = random_domid();
		if (s->domain_id == DOMID_SELF || s->domain_id == self_id)
			s->domain_id = victim;  /* it must be refused */
		s->reason = (unsigned int)below(8);
		a[1] = (unsigned long)s;
		break;
	}
	case SCHEDOP_shutdown_code: {
		struct sched_shutdown *s = alloc_arg(sizeof(*s));
		s->reason = chance(50) ? below(8) : (unsigned int)random_arg();
		a[1] = (unsigned long)s;
		break;
	}
	case SCHEDOP_watchdog: {       /* only ever disarm: arming would end us */
		struct sched_watchdog *w = alloc_arg(sizeof(*w));
		w->id = (uint32_t)random_arg();
		w->timeout = 0;
		a[1] = (unsigned long)w;
		break;
	}
	case SCHEDOP_block:
		/* A timer 1 ms on wakes it (the timer port is bound, unmasked;
		 * its pending bit must be clear for the event to be new). */
		md_clear_pending(lab.timer_port);
		pv_set_timer(md_now() + MD_MS);
		break;
	default:
		break;
	}
	return R_MASK;
}

static unsigned int gen_vcpu_op(unsigned long a[5])
{
	unsigned int cmd = chance(90) ? below(16) : (unsigned int)rnd();

	a[0] = cmd;
	a[1] = chance(80) ? 0 : random_arg();
	if (cmd == VCPUOP_down || cmd == VCPUOP_initialise)
		a[1] = chance(90) ? 1 + below(200) : random_arg() | 1;  /* not 0 */
	switch (cmd) {
	case VCPUOP_register_runstate_memory_area: case VCPUOP_get_runstate_info:
	case VCPUOP_get_physid: case VCPUOP_register_vcpu_time_memory_area: {
		uint64_t *p = alloc_arg(16);
		p[0] = out_ptr();
		a[2] = cmd == VCPUOP_get_runstate_info ? out_ptr() : (unsigned long)p;
		break;
	}
	case VCPUOP_register_vcpu_info: {
		struct vcpu_register_vcpu_info *r = alloc_arg(sizeof(*r));
		/* Only a page nothing else writes: the event mask lives there. */
		r->mfn = chance(70) ? lab.vcpu_page : mfn_any();
		if (r->mfn < sizeof(protected_mfn) * 8 && r->mfn != lab.shared_info &&
		    !(lab.nr_foreign && r->mfn == lab.foreign[0]))
			r->mfn = lab.vcpu_page;
		r->offset = chance(70) ? below(64) * 64 : (uint32_t)random_arg();
		a[2] = (unsigned long)r;
		break;
	}
	case VCPUOP_set_periodic_timer: case VCPUOP_set_singleshot_timer: {
		uint64_t *p = alloc_arg(16);
		p[0] = chance(50) ? below(100 * MD_MS) : random_arg();
		if ((holes & KH_TIMER_OVERFLOW) && p[0] > (1UL << 50))
			p[0] = below(1UL << 40);
		if (cmd == VCPUOP_set_singleshot_timer && chance(50))
			p[0] = md_now() + below(10 * MD_MS);
		p[1] = random_arg();
		a[2] = (unsigned long)p;
		break;
	}
	default:
		a[2] = chance(50) ? random_struct(64) : out_ptr();
		break;
	}
	return R_MASK;
}

static unsigned int gen_callbacks(unsigned long nr, unsigned long a[5])
{
	if (nr == __HYPERVISOR_set_callbacks) {
		a[0] = random_arg();
		a[1] = random_arg();
		a[2] = random_arg();
		return R_CALLBK;
	}
	a[0] = chance(90) ? below(3) : random_arg();
	uint64_t *cb = alloc_arg(32);
	((uint32_t *)cb)[0] = chance(80) ? (uint32_t)below(8) : (uint32_t)random_arg();
	((uint32_t *)cb)[1] = 0;
	cb[1] = chance(50) ? hostile_va() : random_arg();
	cb[2] = random_arg();
	a[1] = chance(10) ? in_ptr() : (unsigned long)cb;
	return R_CALLBK;
}

static unsigned int gen_debugreg(unsigned long nr, unsigned long a[5])
{
	a[0] = chance(90) ? below(8) : random_arg();
	if (nr == __HYPERVISOR_get_debugreg)
		return 0;
	a[1] = chance(50) ? hostile_va() : random_arg();
	if (a[0] < 4 && chance(50))
		a[1] = (unsigned long)sink + below(SINK_SIZE);
	if (a[0] == 7 && (holes & KH_DATA_BREAKPOINTS)) {
		/* Only execution breakpoints (R/W = 00), far from our code. */
		a[1] &= ~0xffff0000UL;
	}
	return R_DEBUG;
}

static unsigned int gen_multicall(unsigned long a[5], int depth)
{
	unsigned long n = small_count() + 1;
	bool huge = chance(5);

	if (huge && (holes & KH_UNBOUNDED_BATCHES))
		huge = false;
	multicall_entry_t *mc = alloc_arg((n > 16 ? 16 : n) * sizeof(*mc));
	if (huge) {
		/* Harmless entries all the way to the end of the mapping. */
		a[0] = lab.pad_va + below(16) * sizeof(*mc);
		a[1] = boundary_value();
		return 0;
	}
	if (n > 16)
		n = 16;
	for (unsigned long i = 0; i < n; i++) {
		unsigned long args[5] = { 0 };
		unsigned long op = chance(90) ? below(45) : random_arg();
		if (op == __HYPERVISOR_multicall && depth >= MAX_DEPTH)
			op = __HYPERVISOR_xen_version;
		gen_call(&op, args, depth + 1);
		mc[i].op = op;
		mc[i].result = rnd();
		memcpy(mc[i].args, args, sizeof(args));
		mc[i].args[5] = random_arg();
		if (trace)
			trace_call(depth * 1000 + i, op, args);
	}
	/* Results are written back into the entries: never a pointer we read. */
	a[0] = chance(5) ? out_ptr() : (unsigned long)mc;
	a[1] = n;
	return R_ALL;
}

/*
 * Arguments for hypercall nr; returns the restore flags. depth > 0: inside a
 * multicall (no blocking, no iret).
 */
static unsigned int gen_call(unsigned long *nrp, unsigned long a[5], int depth)
{
	unsigned long nr = *nrp;

	for (int i = 0; i < 5; i++)
		a[i] = random_arg();
	if (nr == __HYPERVISOR_iret)    /* would return through our own frame */
		nr = __HYPERVISOR_xen_version;
	if (depth && (holes & KH_CONTINUATIONS) &&
	    (nr == __HYPERVISOR_mmu_update || nr == __HYPERVISOR_mmuext_op ||
	     nr == __HYPERVISOR_memory_op))
		nr = __HYPERVISOR_xen_version;
	*nrp = nr;
	switch (nr) {
	case __HYPERVISOR_set_trap_table:
		a[0] = chance(20) ? 0 : chance(50) ? random_struct(16 * 8) : in_ptr();
		return R_TRAPS;
	case __HYPERVISOR_mmu_update:
		return gen_mmu_update(a);
	case __HYPERVISOR_set_gdt: {
		unsigned long n = chance(80) ? below(16) : random_arg();
		unsigned long *f = alloc_arg(16 * 8);
		for (int i = 0; i < 16; i++)
			f[i] = mfn_typed();
		a[0] = chance(90) ? (unsigned long)f : in_ptr();
		a[1] = chance(70) ? n * 512 - below(3) : n;
		return 0;
	}
	case __HYPERVISOR_stack_switch:
		return 0;
	case __HYPERVISOR_set_callbacks: case __HYPERVISOR_callback_op:
		return gen_callbacks(nr, a);
	case __HYPERVISOR_fpu_taskswitch:
		a[0] = chance(50) ? below(2) : random_arg();
		return R_FPU;
	case __HYPERVISOR_sched_op_compat: case __HYPERVISOR_sched_op:
		return gen_sched(a, depth);
	case __HYPERVISOR_set_debugreg: case __HYPERVISOR_get_debugreg:
		return gen_debugreg(nr, a);
	case __HYPERVISOR_update_descriptor: {
		unsigned long mfn = mfn_writable();
		a[0] = (mfn << 12) | (chance(90) ? below(512) * 8 : below(4096));
		a[1] = tame_pte(rnd());
		return 0;
	}
	case __HYPERVISOR_memory_op:
		return gen_memory_op(a);
	case __HYPERVISOR_multicall:
		return gen_multicall(a, depth);
	case __HYPERVISOR_update_va_mapping:
	case __HYPERVISOR_update_va_mapping_otherdomain:
		a[0] = chance(70) ? SANDBOX_VA + below(1UL << 30) : hostile_va();
		a[1] = tame_pte(pte_value());
		a[2] = chance(50) ? below(8) : (chance(50) ? in_ptr() | 0 : random_arg());
		a[3] = random_domid();
		return 0;
	case __HYPERVISOR_set_timer_op:
		a[0] = chance(50) ? md_now() + below(20 * MD_MS) : random_arg();
		if ((holes & KH_TIMER_OVERFLOW) && a[0] > (1UL << 62))
			a[0] = md_now() + below(1UL << 40);
		return 0;
	case __HYPERVISOR_xen_version:
		a[0] = chance(90) ? below(20) : random_arg();
		a[1] = chance(70) ? out_ptr() : 0;
		return 0;
	case __HYPERVISOR_console_io:
		a[0] = chance(90) ? below(3) : random_arg();
		if (a[0] == CONSOLEIO_read && (holes & KH_CONSOLE_READ))
			a[0] = CONSOLEIO_write;
		a[1] = chance(70) ? below(64) : random_arg();
		if ((holes & KH_UNBOUNDED_BATCHES) && a[1] > 4096)
			a[1] &= 4095;
		a[2] = a[0] == CONSOLEIO_write ? console_ptr()
			: (a[1] <= SINK_SIZE / 2 ? out_ptr() : refused_out_ptr());
		return 0;
	case __HYPERVISOR_grant_table_op:
		return gen_grant(a);
	case __HYPERVISOR_vm_assist:
		a[0] = chance(90) ? below(2) : random_arg();
		a[1] = chance(90) ? below(34) : random_arg();
		return 0;
	case __HYPERVISOR_vcpu_op:
		return gen_vcpu_op(a);
	case __HYPERVISOR_set_segment_base:
		a[0] = chance(90) ? below(5) : random_arg();
		if (a[0] == SEGBASE_GS_USER_SEL && (holes & KH_SEGMENT_SELECTORS))
			a[0] = SEGBASE_GS_USER;
		a[1] = chance(50) ? hostile_va() : random_arg();
		return R_SEG;
	case __HYPERVISOR_mmuext_op:
		return gen_mmuext(a);
	case __HYPERVISOR_event_channel_op:
		return gen_evtchn(a);
	case __HYPERVISOR_event_channel_op_compat: {
		/* The struct starts with the command: not one on our ports. */
		uint32_t *op = alloc_arg(64);
		fill_random(op, 64);
		op[0] = EVTCHNOP_status;
		a[0] = chance(90) ? (unsigned long)op : hostile_va();
		return 0;
	}
	case __HYPERVISOR_physdev_op:
		a[0] = chance(90) ? below(32) : random_arg();
		a[1] = chance(70) ? random_struct(64) : out_ptr();
		return 0;
	case __HYPERVISOR_physdev_op_compat:
		a[0] = random_struct(64);
		return 0;
	default:
		return 0;       /* no such hypercall (-ENOSYS): random arguments */
	}
}

/* ---- surviving ----------------------------------------------------------- */

struct jump { unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip; };
static struct jump recover;
static unsigned long faults;
int fuzz_setjmp(struct jump *j) __attribute__((returns_twice));
__asm__(".text\n"
	".globl fuzz_setjmp\n"
	"fuzz_setjmp:\n\t"
	"mov %rbx, 0(%rdi)\n\t"
	"mov %rbp, 8(%rdi)\n\t"
	"mov %r12, 16(%rdi)\n\t"
	"mov %r13, 24(%rdi)\n\t"
	"mov %r14, 32(%rdi)\n\t"
	"mov %r15, 40(%rdi)\n\t"
	"lea 8(%rsp), %rax\n\t"
	"mov %rax, 48(%rdi)\n\t"
	"mov (%rsp), %rax\n\t"
	"mov %rax, 56(%rdi)\n\t"
	"xor %eax, %eax\n\t"
	"ret\n");

static unsigned long call_index;

/* A fault in the fuzzer: report, undo what may cause it, resume the loop. */
static void on_fault(struct pv_trap_frame *f)
{
	if (faults++ < 10)
		pv_printf("hcall_fuzz: call %lu: %s at %lx (error %lx)\n",
			  call_index, pv_trap_name(f->vector), f->rip,
			  f->error_code);
	(void)PV_HYPERCALL(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0);
	(void)HYPERVISOR_fpu_taskswitch(0);
	f->rbx = recover.rbx;
	f->rbp = recover.rbp;
	f->r12 = recover.r12;
	f->r13 = recover.r13;
	f->r14 = recover.r14;
	f->r15 = recover.r15;
	f->rsp = recover.rsp;
	f->rip = recover.rip;
	f->rax = 1;
}

static vcpu_info_t *vcpu0(void)
{
	return &lab.sh->vcpu_info[0];
}

/* An upcall (a call unmasked events): take it and mask again. */
static void on_event(struct pv_trap_frame *f)
{
	vcpu0()->evtchn_upcall_pending = 0;
	vcpu0()->evtchn_pending_sel = 0;
	for (unsigned int i = 0; i < sizeof(lab.sh->evtchn_pending) /
				     sizeof(lab.sh->evtchn_pending[0]); i++)
		lab.sh->evtchn_pending[i] = 0;
	f->rflags &= ~0x200UL;          /* iret: IF clear = events masked */
}

/* A breakpoint we armed ourselves (holes without KH_DATA_BREAKPOINTS keep
 * them armed between calls): disarm and carry on, it is no fault. */
static unsigned long debug_traps;
static void on_debug(struct pv_trap_frame *f)
{
	(void)f;
	debug_traps++;
	(void)PV_HYPERCALL(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0);
	(void)PV_HYPERCALL(__HYPERVISOR_set_debugreg, 6, 0, 0, 0, 0);
}

static void install_handlers(void)
{
	for (unsigned int v = 0; v < PV_NR_EXCEPTIONS; v++)
		pv_trap_set_handler(v, on_fault);
	pv_trap_set_handler(PV_TRAP_DB, on_debug);
	pv_trap_set_handler(PV_VEC_EVENT, on_event);
	pv_trap_set_handler(PV_VEC_FAILSAFE, on_fault);
}

static void restore(unsigned int r)
{
	if (r & R_TRAPS)
		(void)pv_traps_init();
	if (r & R_CALLBK) {
		(void)pv_callbacks_init();
		(void)HYPERVISOR_callback_op(CALLBACKOP_unregister,
					     &(struct callback_unregister){
						     .type = CALLBACKTYPE_nmi });
	}
	if (r & R_FPU)
		(void)HYPERVISOR_fpu_taskswitch(0);
	if ((r & R_DEBUG) && (holes & KH_DATA_BREAKPOINTS))
		(void)PV_HYPERCALL(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0);
	if (r & R_SEG)
		(void)HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
	if (r & R_LDT) {
		mmuext_op_t op = { .cmd = MMUEXT_SET_LDT };
		(void)HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	}
	if (r & R_MASK)
		vcpu0()->evtchn_upcall_mask = 1;
}

/* ---- set-up -------------------------------------------------------------- */

static void must(long rc, const char *what)
{
	if (rc)
		pv_crash("hcall_fuzz: set-up: %s failed (%ld)\n", what, rc);
}

static long ext1(unsigned int cmd, unsigned long mfn)
{
	mmuext_op_t op = { .cmd = cmd, .arg1.mfn = mfn };

	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static long set_entry(unsigned long table, unsigned int idx, unsigned long val)
{
	mmu_update_t u = { .ptr = (table << 12) | (idx * 8UL), .val = val };

	return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static void mark_protected(unsigned long mfn)
{
	if (mfn < sizeof(protected_mfn) * 8)
		protected_mfn[mfn >> 3] |= (unsigned char)(1u << (mfn & 7));
}

static void setup(void)
{
	const start_info_t *si = pv_start_info;
	unsigned long va = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;
	unsigned long pfn, tbl = PTE_P | PTE_RW | PTE_US | PTE_A;

	while (pv_pt_lookup(va) & PTE_P)
		va += PV_PAGE_SIZE;
	lab.end_va = va;
	lab.mapped_pfns = pv_virt_to_pfn((void *)va);
	for (pfn = 0; pfn < lab.mapped_pfns; pfn++)
		mark_protected(pv_pfn_to_mfn(pfn));
	/* The mapped pages past the boot stack are unused: fill them with
	 * xen_version calls for huge multicall counts to work through. */
	lab.pad_va = si->pt_base + (si->nr_pt_frames + 4) * PV_PAGE_SIZE;
	for (multicall_entry_t *e = (void *)lab.pad_va; (unsigned long)(e + 1) <= va; e++)
		*e = (multicall_entry_t){ .op = __HYPERVISOR_xen_version };
	lab.l4 = pv_pfn_to_mfn(pv_virt_to_pfn((void *)si->pt_base));
	lab.sh = pv_shared_info();
	lab.shared_info = si->shared_info >> 12;
	lab.console = si->console.domU.mfn;
	lab.xenstore = si->store_mfn;
	lab.console_port = si->console.domU.evtchn;
	lab.store_port = si->store_evtchn;
	lab.max_mfn = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page,
							  NULL) + 1;

	unsigned long *spares[4 + NR_SB_DATA + NR_SPARE + 1];
	unsigned int k = 0;
	for (int i = 0; i < 4; i++)
		spares[k++] = &(&lab.s3)[i];
	for (int i = 0; i < NR_SB_DATA; i++)
		spares[k++] = &lab.data[i];
	for (int i = 0; i < NR_SPARE; i++)
		spares[k++] = &lab.spare[i];
	spares[k++] = &lab.vcpu_page;
	if (pfn + k > si->nr_pages)
		pv_crash("hcall_fuzz: too few spare pages\n");
	for (unsigned int i = 0; i < k; i++) {
		*spares[i] = pv_pfn_to_mfn(pfn + i);
		must(ext1(MMUEXT_CLEAR_PAGE, *spares[i]), "clear a spare frame");
	}

	/* The sandbox: L3 -> L2 -> two L1s -> data frames, at SANDBOX_SLOT. */
	must(ext1(MMUEXT_PIN_L1_TABLE, lab.s1[0]), "pin sandbox L1");
	must(ext1(MMUEXT_PIN_L1_TABLE, lab.s1[1]), "pin sandbox L1");
	for (int i = 0; i < NR_SB_DATA; i++)
		must(set_entry(lab.s1[0], i, (lab.data[i] << 12) | tbl | PTE_D),
		     "map sandbox data");
	must(ext1(MMUEXT_PIN_L2_TABLE, lab.s2), "pin sandbox L2");
	must(set_entry(lab.s2, 0, (lab.s1[0] << 12) | tbl), "sandbox L2[0]");
	must(set_entry(lab.s2, 1, (lab.s1[1] << 12) | tbl), "sandbox L2[1]");
	must(ext1(MMUEXT_PIN_L3_TABLE, lab.s3), "pin sandbox L3");
	must(set_entry(lab.s3, 0, (lab.s2 << 12) | tbl), "sandbox L3[0]");
	must(set_entry(lab.l4, SANDBOX_SLOT, (lab.s3 << 12) | tbl), "hook sandbox");

	/* Grant frames of our own, and the ports we keep. */
	struct gnttab_setup_table gs = { .dom = DOMID_SELF, .nr_frames = NR_GRANT };
	unsigned long frames[NR_GRANT];
	gs.frame_list.p = frames;
	if (!PV_HYPERCALL(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, &gs, 1, 0, 0) && !gs.status)
		for (int i = 0; i < NR_GRANT; i++)
			lab.grant[i] = frames[i];
	must(md_bind_virq(VIRQ_TIMER, &lab.timer_port), "bind VIRQ_TIMER");
	struct evtchn_unmask um = { .port = lab.timer_port };
	(void)HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &um);

	/* Other domains' frames and unowned frames, from the M2P. */
	const unsigned long *m2p = (const unsigned long *)0xffff800000000000UL;
	unsigned long step = lab.max_mfn / 4096 + 1;
	for (unsigned long m = 1; m < lab.max_mfn; m += step) {
		unsigned long p = m2p[m];
		if (p == ~0UL) {
			if (lab.nr_unowned < NR_UNOWNED)
				lab.unowned[lab.nr_unowned++] = m;
		} else if ((p >= si->nr_pages || pv_pfn_to_mfn(p) != m) &&
			   lab.nr_foreign < NR_FOREIGN) {
			lab.foreign[lab.nr_foreign++] = m;
		}
	}
	pv_printf("hcall_fuzz: sandbox at %lx (L3 %lx), %u foreign and %u "
		  "unowned frames, max_mfn %lx, mapping ends at %lx\n",
		  SANDBOX_VA, lab.s3, lab.nr_foreign, lab.nr_unowned,
		  lab.max_mfn, lab.end_va);
}

/* ---- main ---------------------------------------------------------------- */

/* trace=1: each call before it is made, straight to the hypervisor's
 * console (console_io), so the last call shows even if the ring stalls. */
static void trace_call(unsigned long i, unsigned long nr, const unsigned long a[5])
{
	char line[160];
	int n = pv_snprintf(line, sizeof(line),
			    "call %lu: %lu(%lx, %lx, %lx, %lx, %lx)\n",
			    i, nr, a[0], a[1], a[2], a[3], a[4]);

	(void)HYPERVISOR_console_io(CONSOLEIO_write, n, line);
}

static unsigned long pick_number(void)
{
	switch (below(40)) {
	case 0: return 64 + below(64);
	case 1: return rnd() & 0xffffffff;
	case 2: return rnd();
	case 3: case 4: case 5: case 6: return below(64);
	default: {
		static const unsigned char live[] = { 0, 1, 2, 3, 4, 5, 8, 9, 10, 12,
			13, 14, 15, 17, 18, 20, 21, 24, 25, 26, 29, 30, 32, 33,
			6, 16, 19, 22, 13, 1, 26, 14 };
		return live[below(sizeof(live))];
	}
	}
}

void kernel_main(start_info_t *si)
{
	unsigned long seed = md_arg("seed", 1), calls = md_arg("calls", 10000);
	unsigned long per_nr[6] = { 0 }, tenth;
	trace = md_arg("trace", 0) != 0;        /* print every call before it */
	(void)si;

	victim = (domid_t)md_arg("victim", 0);
	self_id = (domid_t)md_arg("self", 1);
	holes = (unsigned int)md_arg("holes", KNOWN_HOLES_DEFAULT);
	pv_printf("hcall_fuzz: seed %lu, calls %lu, known_holes %#x\n", seed,
		  calls, holes);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	if (!rng_state)
		rng_state = 1;
	md_init();
	if (pv_callbacks_init())
		pv_crash("hcall_fuzz: could not register callbacks\n");
	install_handlers();
	setup();

	tenth = calls / 10 ? calls / 10 : 1;
	volatile unsigned long i = 0;
	while (i < calls) {
		if (fuzz_setjmp(&recover)) {
			restore(R_ALL);
			i++;
			continue;
		}
		for (; i < calls; i++) {
			unsigned long a[5];
			call_index = i;
			arena_used = 0;
			unsigned long nr = pick_number();
			unsigned int r = gen_call(&nr, a, 0);
			if (trace)
				trace_call(i, nr, a);
			long rc = nr < PV_HYPERCALL_PAGE_ENTRIES ?
				pv_hypercall6((unsigned int)nr, a[0], a[1], a[2],
					      a[3], a[4]) :
				pv_hypercall_raw(nr, a[0], a[1], a[2], a[3], a[4]);
			restore(r);
			per_nr[rc == 0 ? 0 : rc == -XEN_ENOSYS ? 1 :
			       rc == -XEN_EFAULT ? 2 : rc == -XEN_EINVAL ? 3 :
			       rc < 0 ? 4 : 5]++;
			if ((i + 1) % tenth == 0)
				pv_printf("hcall_fuzz: %lu calls\n", i + 1);
		}
	}
	pv_printf("hcall_fuzz: results: %lu ok, %lu ENOSYS, %lu EFAULT, %lu "
		  "EINVAL, %lu other errors, %lu positive\n", per_nr[0],
		  per_nr[1], per_nr[2], per_nr[3], per_nr[4], per_nr[5]);
	if (debug_traps)
		pv_printf("hcall_fuzz: %lu debug traps\n", debug_traps);
	pv_printf("hcall_fuzz: done, %lu calls, %lu faults\n", (unsigned long)i,
		  faults);
	test_check(i == calls, "fuzz_quota", "%lu of %lu calls", (unsigned long)i,
		   calls);
	test_check(faults == 0, "fuzz_no_self_faults", "%lu faults", faults);
	test_finish();
}
