/*
 * ctxswitch: guest-visible CPU state survives being switched out, and
 * nothing of another domain's shows through. Two domains run this guest
 * side by side (seed=1 and seed=2). Every round each one loads values of
 * its own into everything it can set, yields the CPU to the other (which
 * does the same with different values), and checks on its return:
 *   - the data selectors ds, es, fs, gs (valid flat selectors and null
 *     selectors with RPL 0-3, a different mix per domain and round);
 *   - the FS base and the kernel GS base (read through %fs:0 and %gs:0, so
 *     the CPU's values are checked, not the hypervisor's copies), and the
 *     user GS base;
 *   - the whole x87/MMX/SSE register file and its control words (fxsave);
 *   - its hardware breakpoints: each domain watches a different variable
 *     and writes both; only its own write may raise #DB.
 * Arguments: seed=<1|2>, rounds=<n> (default 300), fpu_ptrs=1: also the
 * x87 error pointers FIP, FDP and FOP (run with the hypervisor clearing
 * them before each restore, that must not touch the restored values).
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include "mdlib.h"

#define MSR_SHADOW_GS_BASE 0xc0000102

/*
 * Selectors a ring-3 guest may load into a data segment register and keep:
 * the null selector and the flat ones. A null selector with a nonzero RPL
 * also stays in %fs/%gs, but in %ds/%es every return to ring 3 (iretq)
 * may turn it into 0, so it is only used there.
 */
static const unsigned short selectors[] = {
	0, FLAT_KERNEL_DS, FLAT_KERNEL_CS, 0xe023, 3, 1,
};
#define NR_SEL    (sizeof(selectors) / sizeof(selectors[0]))
#define NR_SEL_DS (NR_SEL - 2)

static unsigned long seed;
static unsigned long slots[64] __attribute__((aligned(64)));
static volatile unsigned long watch[2] __attribute__((aligned(64)));
static volatile unsigned long db_hits;
static unsigned char fx_set[512] __attribute__((aligned(16)));
static unsigned char fx_now[512] __attribute__((aligned(16)));
static unsigned long failures;
static bool fpu_ptrs;

struct state {
	unsigned short ds, es, fs, gs;
	unsigned long fs_slot, gs_slot, gs_user;
};

static void on_debug(struct pv_trap_frame *f)
{
	(void)f;
	db_hits++;
}

static unsigned long rdmsr(unsigned int msr)
{
	unsigned int lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((unsigned long)hi << 32) | lo;
}

static unsigned long mix(unsigned long round, unsigned long k)
{
	unsigned long x = (round * 2654435761UL) ^ (seed * 40503UL) ^ (k * 97UL);

	x ^= x >> 13;
	x *= 0x9e3779b97f4a7c15UL;
	return x ^ (x >> 29);
}

/* Load this round's values into the CPU (through the hypervisor for bases). */
static void load_state(unsigned long round, struct state *s)
{
	s->ds = selectors[mix(round, 1) % NR_SEL_DS];
	s->es = selectors[mix(round, 2) % NR_SEL_DS];
	s->fs = selectors[mix(round, 3) % NR_SEL];
	s->gs = selectors[mix(round, 4) % NR_SEL];
	s->fs_slot = mix(round, 5) % 32;
	s->gs_slot = 32 + mix(round, 6) % 32;
	s->gs_user = (mix(round, 7) & 0x7ffffffff000UL) | (seed << 4);
	for (unsigned int i = 0; i < 64; i++)
		slots[i] = (seed << 56) | (round << 8) | i;

	asm volatile("mov %0, %%ds" : : "r"(s->ds));
	asm volatile("mov %0, %%es" : : "r"(s->es));
	asm volatile("mov %0, %%fs" : : "r"(s->fs));
	asm volatile("mov %0, %%gs" : : "r"(s->gs));
	/* Selector loads reset the bases: set them afterwards. */
	if (HYPERVISOR_set_segment_base(SEGBASE_FS, (unsigned long)&slots[s->fs_slot]) ||
	    HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL,
					(unsigned long)&slots[s->gs_slot]) ||
	    HYPERVISOR_set_segment_base(SEGBASE_GS_USER, s->gs_user))
		pv_crash("set_segment_base failed\n");

	/* x87/SSE: a pattern in every byte fxrstor accepts. */
	memset(fx_set, 0, sizeof(fx_set));
	*(unsigned short *)&fx_set[0] = 0x037f ^ ((mix(round, 8) & 3) << 10); /* FCW: RC */
	*(unsigned int *)&fx_set[24] = 0x1f80 | ((mix(round, 9) & 3) << 13);  /* MXCSR: RC */
	fx_set[4] = 0xff;                                  /* FTW: all valid */
	for (unsigned int i = 0; i < 8; i++)               /* ST0-7: 80-bit values */
		for (unsigned int b = 0; b < 10; b++)
			fx_set[32 + 16 * i + b] = (unsigned char)mix(round, 100 + i * 10 + b);
	for (unsigned int i = 0; i < 16 * 16; i++)         /* XMM0-15 */
		fx_set[160 + i] = (unsigned char)mix(round, 1000 + i);
	asm volatile("fxrstor64 %0" : : "m"(*(unsigned char (*)[512])fx_set));
	/* An x87 load from our own data: FIP, FDP and FOP become ours. */
	asm volatile("fildl %0\n\tfstp %%st(0)" : : "m"(slots[mix(round, 10) % 64]));
	asm volatile("fxsave64 %0" : "=m"(*(unsigned char (*)[512])fx_set));
}

static bool check(bool ok, unsigned long round, const char *what,
		  unsigned long got, unsigned long want)
{
	if (!ok && failures++ < 8)
		pv_printf("round %lu: %s is %#lx, want %#lx\n", round, what, got, want);
	return ok;
}

static void check_state(unsigned long round, const struct state *s)
{
	unsigned short ds, es, fs, gs;
	unsigned long fs0, gs0;

	asm volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
		     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
	check(ds == s->ds, round, "ds", ds, s->ds);
	check(es == s->es, round, "es", es, s->es);
	check(fs == s->fs, round, "fs", fs, s->fs);
	check(gs == s->gs, round, "gs", gs, s->gs);
	asm volatile("mov %%fs:0, %0" : "=r"(fs0));
	asm volatile("mov %%gs:0, %0" : "=r"(gs0));
	check(fs0 == slots[s->fs_slot], round, "%fs:0", fs0, slots[s->fs_slot]);
	check(gs0 == slots[s->gs_slot], round, "%gs:0", gs0, slots[s->gs_slot]);
	check(rdmsr(MSR_SHADOW_GS_BASE) == s->gs_user, round, "user GS base",
	      rdmsr(MSR_SHADOW_GS_BASE), s->gs_user);

	asm volatile("fxsave64 %0" : "=m"(*(unsigned char (*)[512])fx_now));
	/* Control words, tags, MXCSR, and every register (not FIP/FDP/FOP). */
	for (unsigned int i = 0; i < 416; i++) {
		if (i >= 6 && i < 24 && !fpu_ptrs)
			continue;
		if (!check(fx_now[i] == fx_set[i], round, "fxsave byte", i,
			   fx_set[i]))
			break;
	}

	/* Our breakpoint on watch[seed - 1], none on the other's. */
	unsigned long before = db_hits;
	watch[0]++;
	watch[1]++;
	check(db_hits - before == 1, round, "#DB count for writes to both", db_hits - before, 1);
}

void kernel_main(start_info_t *si)
{
	unsigned long rounds = md_arg("rounds", 300);
	struct state s;
	long rc;

	(void)si;
	md_init();
	seed = md_arg("seed", 1);
	fpu_ptrs = md_arg("fpu_ptrs", 0) != 0;
	pv_printf("ctxswitch: seed %lu, %lu rounds\n", seed, rounds);
	pv_trap_set_handler(PV_TRAP_DB, on_debug);
	/* DR(seed-1) = our watch variable, write, 8 bytes; the others unused. */
	unsigned int n = (unsigned int)(seed - 1) & 1;
	if ((rc = pv_hypercall6(__HYPERVISOR_set_debugreg, n,
				(unsigned long)&watch[n], 0, 0, 0)) ||
	    (rc = pv_hypercall6(__HYPERVISOR_set_debugreg, 7,
				(1UL << (2 * n)) | (1UL << (16 + 4 * n)) |
				(2UL << (18 + 4 * n)), 0, 0, 0)))
		pv_crash("set_debugreg failed: %ld\n", rc);

	for (unsigned long r = 1; r <= rounds; r++) {
		load_state(r, &s);
		md_yield();
		/* Spin a little too, so the timer also switches us out. */
		for (volatile unsigned int i = 0; i < (r & 7) * 2000; i++)
			;
		check_state(r, &s);
	}
	test_check(failures == 0, "state_survives_switches",
		   "%lu differences over %lu rounds", failures, rounds);
	/* Wait for the other domain, so both check while the other runs. */
	for (unsigned int i = 0; i < 50; i++)
		md_yield();
	test_finish();
}
