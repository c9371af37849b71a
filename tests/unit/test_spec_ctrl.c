/*
 * Host unit tests for the speculative-execution policy
 * (hypervisor/arch/x86/spec_ctrl_policy.c): detection from CPUID/MSR
 * values, the L1TF-safe address threshold, the options that force each
 * mitigation, and the boot line. The threshold is also run through the page
 * table validator's rule (pt_l1tf_safe), as the hypervisor uses it.
 */
#include <stdint.h>
#include <string.h>
#include "lamina/lib.h"
#include "lamina/spec_ctrl_policy.h"
#include "lamina/pt_validate.h"
#include "lamina/frame_table.h"
#include "hv_unit.h"

/* The frame table's safety flush: nothing to flush on the host. */
void tlb_clock_flush(void)
{
	tlb_clock_flushed();
}

static struct spec_cpu intel(unsigned int model, unsigned int stepping)
{
	return (struct spec_cpu){
		.vendor = SPEC_VENDOR_INTEL, .family = 6, .model = model,
		.stepping = stepping, .paddr_bits = 46, .mem_top = 16ull << 30,
	};
}

static struct spec_state decide(const struct spec_cpu *c, struct spec_opts o)
{
	struct spec_state s;

	spec_decide(c, &o, &s);
	return s;
}

/* --- L1TF detection ---------------------------------------------------- */

static bool l1tf_affected_models(char *why)
{
	unsigned int affected[] = { 0x17, 0x1e, 0x2c, 0x2a, 0x3c, 0x4f, 0x55,
				    0x8e, 0x9e };
	for (unsigned int i = 0; i < ARRAY_SIZE(affected); i++) {
		struct spec_cpu c = intel(affected[i], 0);
		struct spec_state s = decide(&c, SPEC_OPTS_DEFAULT);
		EXPECT(s.l1tf_bug, "model %#x not affected", affected[i]);
		EXPECT(s.pv_l1tf_domu && !s.pv_l1tf_dom0,
		       "model %#x: domU %d dom0 %d (Xen: domU on, dom0 off)",
		       affected[i], s.pv_l1tf_domu, s.pv_l1tf_dom0);
	}
	return true;
}

static bool l1tf_unaffected(char *why)
{
	/* Atoms, Xeon Phi */
	unsigned int atoms[] = { 0x1c, 0x37, 0x5c, 0x5f, 0x7a, 0x57, 0x85 };
	for (unsigned int i = 0; i < ARRAY_SIZE(atoms); i++) {
		struct spec_cpu c = intel(atoms[i], 0);
		struct spec_state s = decide(&c, SPEC_OPTS_DEFAULT);
		EXPECT(!s.l1tf_bug && !s.pv_l1tf_domu, "model %#x affected", atoms[i]);
	}
	/* RDCL_NO, whatever the model */
	struct spec_cpu c = intel(0x55, 7);
	c.arch_caps = ARCH_CAPS_RDCL_NO;
	c.leaf7_edx = CPUID7_EDX_ARCH_CAPS;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "RDCL_NO ignored");
	c = intel(0xaa, 0);
	c.arch_caps = ARCH_CAPS_RDCL_NO;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "RDCL_NO, new model");
	/* Other vendors and families */
	c = intel(0x3c, 0);
	c.vendor = SPEC_VENDOR_AMD;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "AMD");
	c.vendor = SPEC_VENDOR_HYGON;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "Hygon");
	c.vendor = SPEC_VENDOR_OTHER;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "other vendor");
	c = intel(0x3c, 0);
	c.family = 15;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "family 15");
	return true;
}

/* A model nobody listed, without RDCL_NO, is assumed affected. */
static bool l1tf_unknown_model_affected(char *why)
{
	struct spec_cpu c = intel(0xee, 0);

	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).l1tf_bug, "unknown model");
	return true;
}

/* --- the L1TF-safe address ---------------------------------------------- */

static uint64_t mask_of(unsigned int bits)
{
	return ((1ull << bits) - 1) & ~0xfffull;
}

/* L1D as wide as CPUID (Penryn, unknown models): the top quarter. */
static bool safe_addr_same_width(char *why)
{
	for (unsigned int pa = 36; pa <= 52; pa++) {
		struct spec_cpu c = intel(0x17, 0);
		c.paddr_bits = pa;
		c.mem_top = 1ull << 30;
		struct spec_state s = decide(&c, SPEC_OPTS_DEFAULT);
		EXPECT(s.l1d_bits == pa, "paddr %u: l1d %u", pa, s.l1d_bits);
		EXPECT(s.l1tf_addr_mask == mask_of(pa), "paddr %u: mask %#lx", pa,
		       (unsigned long)s.l1tf_addr_mask);
		EXPECT(s.l1tf_safe_maddr == 3ull << (pa - 2),
		       "paddr %u: safe %#lx", pa, (unsigned long)s.l1tf_safe_maddr);
	}
	return true;
}

/* L1D wider than CPUID (Nehalem 44, Sandy Bridge..Kaby Lake 46): anything
 * from 2^MAXPHYADDR up. */
static bool safe_addr_wider_l1d(char *why)
{
	struct { unsigned int model, paddr, l1d; } t[] = {
		{ 0x1e, 36, 44 }, { 0x1e, 40, 44 }, { 0x2a, 36, 46 },
		{ 0x3c, 39, 46 }, { 0x8e, 39, 46 }, { 0x55, 44, 46 },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		struct spec_cpu c = intel(t[i].model, 0);
		c.paddr_bits = t[i].paddr;
		c.mem_top = 8ull << 30;
		struct spec_state s = decide(&c, SPEC_OPTS_DEFAULT);
		EXPECT(s.l1d_bits == t[i].l1d && s.l1tf_addr_mask == mask_of(t[i].l1d),
		       "model %#x: l1d %u", t[i].model, s.l1d_bits);
		EXPECT(s.l1tf_safe_maddr == 1ull << t[i].paddr,
		       "model %#x paddr %u: safe %#lx", t[i].model, t[i].paddr,
		       (unsigned long)s.l1tf_safe_maddr);
	}
	/* The L1D width equals MAXPHYADDR: the top-quarter rule applies. */
	struct spec_cpu c = intel(0x3c, 0);
	c.paddr_bits = 46;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).l1tf_safe_maddr == 3ull << 44,
	       "Haswell with MAXPHYADDR 46");
	return true;
}

/* The memory map's top raises the threshold (page-rounded), never lowers
 * it; out-of-range MAXPHYADDR values are clamped to 36..52. */
static bool safe_addr_memory_top(char *why)
{
	struct spec_cpu c = intel(0x17, 0);

	c.paddr_bits = 36;                      /* heuristic 48 GiB */
	c.mem_top = (60ull << 30) + 1;
	struct spec_state s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.l1tf_safe_maddr == (60ull << 30) + 4096, "RAM above heuristic: %#lx",
	       (unsigned long)s.l1tf_safe_maddr);
	c.mem_top = 4ull << 30;
	s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.l1tf_safe_maddr == 3ull << 34, "RAM below heuristic: %#lx",
	       (unsigned long)s.l1tf_safe_maddr);
	c.paddr_bits = 0;
	s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.l1d_bits == 36, "paddr 0 -> %u", s.l1d_bits);
	c.paddr_bits = 63;
	s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.l1d_bits == 52 && s.l1tf_addr_mask == 0x000ffffffffff000ull,
	       "paddr 63 -> %u", s.l1d_bits);
	return true;
}

/* The validator's rule with the decided numbers: Linux's inverted swap
 * entries pass at every MAXPHYADDR, RAM addresses never do. */
static bool safe_rule_through_validator(char *why)
{
	for (unsigned int pa = 36; pa <= 52; pa++) {
		for (unsigned int model = 0; model < 2; model++) {
			struct spec_cpu c = intel(model ? 0x3c : 0x17, 0);
			c.paddr_bits = pa;
			c.mem_top = 512ull << 20;
			struct spec_state s = decide(&c, SPEC_OPTS_DEFAULT);
			struct pt_ctx ctx = { .l1tf_addr_mask = s.l1tf_addr_mask,
					      .l1tf_safe_maddr = s.l1tf_safe_maddr };
			for (uint64_t off = 1; off < (1ull << 20); off = off * 3 + 1) {
				uint64_t swap = ~(off << 12) & 0x000ffffffffff000ull;
				EXPECT(pt_l1tf_safe(&ctx, swap, 1),
				       "paddr %u model %u: inverted %#lx refused", pa,
				       model, (unsigned long)swap);
				EXPECT(!pt_l1tf_safe(&ctx, off << 12, 1),
				       "paddr %u: RAM address %#lx accepted", pa,
				       (unsigned long)(off << 12));
			}
			EXPECT(pt_l1tf_safe(&ctx, 0, 2), "paddr %u: zero", pa);
			EXPECT(!pt_l1tf_safe(&ctx, s.l1tf_safe_maddr - 4096, 1),
			       "paddr %u: below threshold", pa);
			EXPECT(pt_l1tf_safe(&ctx, s.l1tf_safe_maddr, 1),
			       "paddr %u: threshold", pa);
		}
	}
	return true;
}

/* --- IBPB ---------------------------------------------------------------- */

static bool ibpb_detection(char *why)
{
	struct spec_cpu c = intel(0x55, 7);

	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).has_ibpb, "no bits, has IBPB");
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).ibpb, "no bits, IBPB on");
	c.leaf7_edx = CPUID7_EDX_IBRSB;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).ibpb, "Intel IBRSB ignored");
	c.leaf7_edx = 0;
	c.vendor = SPEC_VENDOR_AMD;
	c.e8_ebx = CPUIDE8_EBX_IBPB;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).ibpb, "AMD IBPB ignored");
	struct spec_opts o = SPEC_OPTS_DEFAULT;
	o.ibpb = 0;
	EXPECT(!decide(&c, o).ibpb, "forced off");
	/* Forcing on without the MSR: refused, never a #GP at switch time. */
	c.e8_ebx = 0;
	o.ibpb = 1;
	struct spec_state s = decide(&c, o);
	EXPECT(!s.ibpb && !s.has_ibpb, "forced on without IBPB");
	return true;
}

/* --- VERW (MDS, TAA) ------------------------------------------------------ */

static bool verw_detection(char *why)
{
	struct spec_cpu c = intel(0x3c, 3);
	struct spec_state s;

	s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.mds_bug && !s.verw, "Haswell without MD_CLEAR: mds %d verw %d",
	       s.mds_bug, s.verw);
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).verw, "Haswell with MD_CLEAR");
	c.arch_caps = ARCH_CAPS_MDS_NO | ARCH_CAPS_TAA_NO;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).verw, "MDS_NO+TAA_NO");
	/* Per-stepping models */
	c = intel(0x55, 4);
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).mds_bug, "SKX stepping 4");
	c.stepping = 5;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).mds_bug, "SKX stepping 5");
	c.stepping = 7;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).mds_bug, "CLX stepping 7");
	c = intel(0x9e, 0xc);
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).mds_bug, "CFL stepping c");
	c.stepping = 0xd;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).mds_bug, "CFL stepping d");
	/* Store-buffer-only parts still flush. */
	c = intel(0x4d, 0);
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR;
	s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.msbds_only && !s.mds_bug && s.verw, "Silvermont");
	/* Unaffected Atom */
	c = intel(0x7a, 0);
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).verw, "Goldmont Plus");
	/* TAA: MDS_NO without TAA_NO on a TSX part */
	c = intel(0x55, 7);
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR | CPUID7_EDX_ARCH_CAPS;
	c.leaf7_ebx = CPUID7_EBX_RTM;
	c.arch_caps = ARCH_CAPS_MDS_NO;
	s = decide(&c, SPEC_OPTS_DEFAULT);
	EXPECT(s.taa_bug && !s.mds_bug && s.verw, "TAA: taa %d verw %d",
	       s.taa_bug, s.verw);
	c.leaf7_ebx = 0;                        /* TSX off, but TSX_CTRL */
	c.arch_caps = ARCH_CAPS_MDS_NO | ARCH_CAPS_TSX_CTRL;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).taa_bug, "TAA via TSX_CTRL");
	c.arch_caps |= ARCH_CAPS_TAA_NO;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).verw, "TAA_NO");
	/* AMD: never */
	c = intel(0x3c, 0);
	c.vendor = SPEC_VENDOR_AMD;
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).verw, "AMD");
	/* Forced on: even without MD_CLEAR (VERW then just does not flush) */
	struct spec_opts o = SPEC_OPTS_DEFAULT;
	o.verw = 1;
	c.leaf7_edx = 0;
	EXPECT(decide(&c, o).verw, "forced on");
	c = intel(0x3c, 3);
	c.leaf7_edx = CPUID7_EDX_MD_CLEAR;
	o.verw = 0;
	EXPECT(!decide(&c, o).verw, "forced off");
	return true;
}

/* Meltdown is reported, as Xen's XPTI default decides: every CPU but AMD's
 * and Hygon's unless it says RDCL_NO. */
static bool meltdown_detection(char *why)
{
	struct spec_cpu c = intel(0x55, 4);

	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).meltdown_bug, "Skylake-X");
	c.arch_caps = ARCH_CAPS_RDCL_NO;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).meltdown_bug, "RDCL_NO");
	c.arch_caps = 0;
	c.vendor = SPEC_VENDOR_AMD;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).meltdown_bug, "AMD");
	c.vendor = SPEC_VENDOR_HYGON;
	EXPECT(!decide(&c, SPEC_OPTS_DEFAULT).meltdown_bug, "Hygon");
	c.vendor = SPEC_VENDOR_OTHER;
	EXPECT(decide(&c, SPEC_OPTS_DEFAULT).meltdown_bug, "other vendor");
	return true;
}

/* --- options ------------------------------------------------------------- */

static int parse(struct spec_opts *o, const char *opt, const char **err)
{
	const char *eq = strchr(opt, '=');
	size_t nlen = eq ? (size_t)(eq - opt) : strlen(opt);
	const char *val = eq ? eq + 1 : opt + nlen;

	*err = NULL;
	return spec_parse_option(o, opt, nlen, val, strlen(val), err);
}

static bool options(char *why)
{
	struct spec_opts o = SPEC_OPTS_DEFAULT;
	const char *err;

	EXPECT(parse(&o, "dom0_mem=1G", &err) == 0, "foreign option taken");
	EXPECT(parse(&o, "pv-l1tf=on", &err) == 1 && o.pv_l1tf_dom0 == 1 &&
	       o.pv_l1tf_domu == 1, "pv-l1tf=on");
	EXPECT(parse(&o, "pv-l1tf=no", &err) == 1 && !o.pv_l1tf_dom0 &&
	       !o.pv_l1tf_domu, "pv-l1tf=no");
	EXPECT(parse(&o, "pv-l1tf=dom0=1,domu=false", &err) == 1 &&
	       o.pv_l1tf_dom0 == 1 && o.pv_l1tf_domu == 0, "dom0=1,domu=false");
	o = SPEC_OPTS_DEFAULT;
	EXPECT(parse(&o, "pv-l1tf", &err) == 1 && o.pv_l1tf_domu == 1, "bare pv-l1tf");
	EXPECT(parse(&o, "pv-l1tf=maybe", &err) == -1 && err, "bad pv-l1tf");
	EXPECT(parse(&o, "pv-l1tf=domu=2", &err) == -1 && err, "bad domu value");
	o = SPEC_OPTS_DEFAULT;
	EXPECT(parse(&o, "spec-ctrl=ibpb=on,md-clear=off", &err) == 1 &&
	       o.ibpb == 1 && o.verw == 0, "ibpb=on,md-clear=off");
	EXPECT(parse(&o, "spec-ctrl=no-ibpb,verw", &err) == 1 && o.ibpb == 0 &&
	       o.verw == 1, "no-ibpb,verw");
	EXPECT(parse(&o, "spec-ctrl=verw=0", &err) == 1 && o.verw == 0, "verw=0");
	EXPECT(parse(&o, "spec-ctrl=ibrs=on", &err) == -1 && err, "unknown item");
	EXPECT(parse(&o, "spec-ctrl=ibpb=sometimes", &err) == -1 && err, "bad bool");
	EXPECT(parse(&o, "spec-ctrl=yes", &err) == -1 && err, "spec-ctrl=yes");
	/* spec-ctrl=no: all off, but an explicit pv-l1tf wins. */
	o = SPEC_OPTS_DEFAULT;
	o.pv_l1tf_domu = 1;
	EXPECT(parse(&o, "spec-ctrl=no", &err) == 1 && o.ibpb == 0 && o.verw == 0 &&
	       o.pv_l1tf_dom0 == 0 && o.pv_l1tf_domu == 1, "spec-ctrl=no");
	/* Forced pv-l1tf on an unaffected CPU */
	struct spec_cpu c = intel(0x7a, 0);
	o = SPEC_OPTS_DEFAULT;
	o.pv_l1tf_dom0 = o.pv_l1tf_domu = 1;
	struct spec_state s = decide(&c, o);
	EXPECT(!s.l1tf_bug && s.pv_l1tf_dom0 && s.pv_l1tf_domu, "forced pv-l1tf");
	o.pv_l1tf_domu = 0;
	c = intel(0x3c, 0);
	s = decide(&c, o);
	EXPECT(s.l1tf_bug && !s.pv_l1tf_domu, "forced off on an affected CPU");
	return true;
}

/* --- the boot line ------------------------------------------------------- */

static bool describe(char *why)
{
	char buf[320];
	struct spec_cpu c = intel(0x3c, 3);
	struct spec_opts o = SPEC_OPTS_DEFAULT;
	struct spec_state s;

	c.leaf7_edx = CPUID7_EDX_MD_CLEAR | CPUID7_EDX_IBRSB;
	s = decide(&c, o);
	spec_describe(&c, &o, &s, buf, sizeof(buf));
	EXPECT(strstr(buf, "intel 6:0x3c:3 paddr 46 l1d 46"), "%s", buf);
	EXPECT(strstr(buf, "l1tf pv-check dom0 off domU on (L1TF; safe from 0x300000000000)"),
	       "%s", buf);
	EXPECT(strstr(buf, "ibpb on switch on (IBPB)"), "%s", buf);
	EXPECT(strstr(buf, "verw on exit on (MDS)"), "%s", buf);

	c = (struct spec_cpu){ .vendor = SPEC_VENDOR_AMD, .family = 15,
			       .paddr_bits = 40 };
	o.pv_l1tf_dom0 = o.pv_l1tf_domu = 1;
	o.ibpb = 1;
	s = decide(&c, o);
	spec_describe(&c, &o, &s, buf, sizeof(buf));
	EXPECT(strstr(buf, "l1tf pv-check on (forced"), "%s", buf);
	EXPECT(strstr(buf, "ibpb on switch off (forced on, but the CPU has no IBPB)"),
	       "%s", buf);
	EXPECT(strstr(buf, "verw on exit off (not affected)"), "%s", buf);
	o.verw = 1;
	s = decide(&c, o);
	spec_describe(&c, &o, &s, buf, sizeof(buf));
	EXPECT(strstr(buf, "verw on exit on (forced)"), "%s", buf);
	c = intel(0x3c, 3);
	s = decide(&c, SPEC_OPTS_DEFAULT);
	spec_describe(&c, &SPEC_OPTS_DEFAULT, &s, buf, sizeof(buf));
	EXPECT(strstr(buf, "verw on exit off (affected, no MD_CLEAR microcode)"),
	       "%s", buf);
	EXPECT(strstr(buf, "ibpb on switch off (no IBPB)"), "%s", buf);
	return true;
}

int main(void)
{
	RUN(l1tf_affected_models);
	RUN(l1tf_unaffected);
	RUN(l1tf_unknown_model_affected);
	RUN(safe_addr_same_width);
	RUN(safe_addr_wider_l1d);
	RUN(safe_addr_memory_top);
	RUN(safe_rule_through_validator);
	RUN(ibpb_detection);
	RUN(verw_detection);
	RUN(meltdown_detection);
	RUN(options);
	RUN(describe);
	return unit_exit_status();
}
