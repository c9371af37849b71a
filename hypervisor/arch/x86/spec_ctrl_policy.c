/*
 * Which speculative-execution mitigations this CPU needs: a pure function of
 * CPUID and MSR values (see lamina/spec_ctrl_policy.h), plus the options
 * that force each on or off.
 *
 * Model lists are Intel family 6 only: no other family or vendor is known
 * to have L1TF or MDS. A model missing from a list is assumed affected
 * (new parts announce immunity through ARCH_CAPABILITIES instead).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/spec_ctrl_policy.h"

enum { MODEL_UNLISTED = -1 };

struct model_fact {
	uint8_t model;
	int8_t value;
};

static int lookup(const struct model_fact *t, size_t n, unsigned int model)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].model == model)
			return t[i].value;
	return MODEL_UNLISTED;
}

/*
 * L1TF per model: 0 not affected; otherwise affected, and the value is the
 * address width the L1D lookup uses (wider than CPUID's MAXPHYADDR on
 * Nehalem and later client parts), or 1 for "same as CPUID".
 */
static const struct model_fact l1tf_models[] = {
	{ 0x17, 1 }, { 0x1d, 1 },                       /* Penryn, Dunnington */
	{ 0x1a, 44 }, { 0x1e, 44 }, { 0x1f, 44 }, { 0x2e, 44 },  /* Nehalem */
	{ 0x25, 44 }, { 0x2c, 44 }, { 0x2f, 44 },       /* Westmere */
	{ 0x2a, 46 }, { 0x2d, 46 },                     /* Sandy Bridge */
	{ 0x3a, 46 }, { 0x3e, 46 },                     /* Ivy Bridge */
	{ 0x3c, 46 }, { 0x3f, 46 }, { 0x45, 46 }, { 0x46, 46 },  /* Haswell */
	{ 0x3d, 46 }, { 0x47, 46 }, { 0x4f, 46 }, { 0x56, 46 },  /* Broadwell */
	{ 0x4e, 46 }, { 0x55, 46 }, { 0x5e, 46 },       /* Skylake */
	{ 0x66, 46 }, { 0x67, 46 },                     /* Cannon Lake */
	{ 0x8e, 46 }, { 0x9e, 46 },                     /* Kaby/Coffee Lake */
	/* Atoms and Xeon Phi: not affected. */
	{ 0x1c, 0 }, { 0x26, 0 }, { 0x27, 0 }, { 0x35, 0 }, { 0x36, 0 },
	{ 0x37, 0 }, { 0x4a, 0 }, { 0x4c, 0 }, { 0x4d, 0 }, { 0x5a, 0 },
	{ 0x5c, 0 }, { 0x5f, 0 }, { 0x7a, 0 }, { 0x57, 0 }, { 0x85, 0 },
};

/*
 * MDS per model: 0 not affected, 1 affected, 2 store-buffer part only
 * (MSBDS: still needs VERW), or 16 + s: affected up to stepping s.
 */
static const struct model_fact mds_models[] = {
	{ 0x1a, 1 }, { 0x1e, 1 }, { 0x1f, 1 }, { 0x2e, 1 },     /* Nehalem */
	{ 0x25, 1 }, { 0x2c, 1 }, { 0x2f, 1 },                  /* Westmere */
	{ 0x2a, 1 }, { 0x2d, 1 }, { 0x3a, 1 }, { 0x3e, 1 },     /* SNB, IVB */
	{ 0x3c, 1 }, { 0x3f, 1 }, { 0x45, 1 }, { 0x46, 1 },     /* Haswell */
	{ 0x3d, 1 }, { 0x47, 1 }, { 0x4f, 1 }, { 0x56, 1 },     /* Broadwell */
	{ 0x4e, 1 }, { 0x5e, 1 },                               /* Skylake */
	{ 0x55, 16 + 5 },       /* Skylake-X / Cascade Lake: fixed after 5 */
	{ 0x8e, 16 + 0xb },     /* Kaby/Coffee/Whiskey Lake mobile */
	{ 0x9e, 16 + 0xc },     /* Kaby/Coffee Lake desktop */
	{ 0x1c, 0 }, { 0x26, 0 }, { 0x27, 0 }, { 0x35, 0 }, { 0x36, 0 },
	{ 0x7a, 0 },            /* old and newest Atoms */
	{ 0x37, 2 }, { 0x4a, 2 }, { 0x4c, 2 }, { 0x4d, 2 }, { 0x5a, 2 },
	{ 0x5d, 2 }, { 0x65, 2 }, { 0x6e, 2 }, { 0x75, 2 },     /* Silvermont/Airmont */
	{ 0x57, 2 }, { 0x85, 2 },                               /* Xeon Phi */
};

static bool intel_family6(const struct spec_cpu *c)
{
	return c->vendor == SPEC_VENDOR_INTEL && c->family == 6;
}

static void decide_l1tf(const struct spec_cpu *c, struct spec_state *s)
{
	unsigned int paddr = c->paddr_bits;
	int fact = intel_family6(c)
		   ? lookup(l1tf_models, ARRAY_SIZE(l1tf_models), c->model) : 0;

	if (paddr < 36 || paddr > 52)
		paddr = paddr < 36 ? 36 : 52;
	s->l1tf_bug = fact != 0 && !(c->arch_caps & ARCH_CAPS_RDCL_NO);
	/* Never narrower than MAXPHYADDR (a virtual CPU may report more bits
	 * than the model had): else no address would be safe. */
	s->l1d_bits = fact > (int)paddr ? (unsigned int)fact : paddr;
	s->l1tf_addr_mask = ((1ull << s->l1d_bits) - 1) & ~0xfffull;
	/*
	 * Above the highest cacheable address. If the L1D is wider than
	 * MAXPHYADDR, anything from 2^MAXPHYADDR up is never RAM; otherwise
	 * assume nothing cacheable lives in the top quarter of the address
	 * space. Either way no lower than the end of the memory map. Linux's
	 * inverted swap entries set the high bits, so they land above this.
	 */
	uint64_t heuristic = s->l1d_bits > paddr ? 1ull << paddr
						 : 3ull << (paddr - 2);
	uint64_t top = (c->mem_top + 0xfff) & ~0xfffull;
	s->l1tf_safe_maddr = top > heuristic ? top : heuristic;
}

static void decide_mds(const struct spec_cpu *c, struct spec_state *s)
{
	s->md_clear = c->leaf7_edx & CPUID7_EDX_MD_CLEAR;
	if (intel_family6(c) && !(c->arch_caps & ARCH_CAPS_MDS_NO)) {
		int fact = lookup(mds_models, ARRAY_SIZE(mds_models), c->model);
		if (fact == MODEL_UNLISTED || fact == 1)
			s->mds_bug = true;
		else if (fact == 2)
			s->msbds_only = true;
		else if (fact >= 16)
			s->mds_bug = c->stepping <= (unsigned int)(fact - 16);
	}
	/*
	 * TAA: a TSX abort leaks the same buffers on parts fixed for MDS but
	 * not for TAA; the microcode that enumerates TSX_CTRL makes VERW
	 * flush them again.
	 */
	s->taa_bug = c->vendor == SPEC_VENDOR_INTEL &&
		     ((c->leaf7_ebx & CPUID7_EBX_RTM) ||
		      (c->arch_caps & ARCH_CAPS_TSX_CTRL)) &&
		     (c->arch_caps & (ARCH_CAPS_MDS_NO | ARCH_CAPS_TAA_NO)) ==
		     ARCH_CAPS_MDS_NO;
}

void spec_decide(const struct spec_cpu *c, const struct spec_opts *o,
		 struct spec_state *s)
{
	memset(s, 0, sizeof(*s));
	decide_l1tf(c, s);
	/* As Xen: the initial domain is trusted unless told otherwise. */
	s->pv_l1tf_dom0 = o->pv_l1tf_dom0 >= 0 ? o->pv_l1tf_dom0 : false;
	s->pv_l1tf_domu = o->pv_l1tf_domu >= 0 ? o->pv_l1tf_domu : s->l1tf_bug;

	s->has_ibpb = (c->leaf7_edx & CPUID7_EDX_IBRSB) ||
		      (c->e8_ebx & CPUIDE8_EBX_IBPB);
	/* Forcing IBPB on cannot make a CPU without it take the MSR write. */
	s->ibpb = s->has_ibpb && o->ibpb != 0;

	decide_mds(c, s);
	s->meltdown_bug = c->vendor != SPEC_VENDOR_AMD &&
			  c->vendor != SPEC_VENDOR_HYGON &&
			  !(c->arch_caps & ARCH_CAPS_RDCL_NO);
	/* VERW is harmless without MD_CLEAR (no flush), so forcing works. */
	s->verw = o->verw >= 0 ? o->verw
		  : s->md_clear && (s->mds_bug || s->msbds_only || s->taa_bug);
}

static const char *l1tf_reason(const struct spec_opts *o, const struct spec_state *s)
{
	if (o->pv_l1tf_dom0 >= 0 || o->pv_l1tf_domu >= 0)
		return "forced";
	return s->l1tf_bug ? "L1TF" : "not affected";
}

static const char *ibpb_reason(const struct spec_opts *o, const struct spec_state *s)
{
	if (o->ibpb == 1 && !s->has_ibpb)
		return "forced on, but the CPU has no IBPB";
	if (o->ibpb >= 0)
		return "forced";
	return s->has_ibpb ? "IBPB" : "no IBPB";
}

static const char *verw_reason(const struct spec_opts *o, const struct spec_state *s)
{
	if (o->verw >= 0)
		return "forced";
	if (!s->mds_bug && !s->msbds_only && !s->taa_bug)
		return "not affected";
	if (!s->md_clear)
		return "affected, no MD_CLEAR microcode";
	return s->mds_bug ? "MDS" : s->msbds_only ? "MSBDS" : "TAA";
}

int spec_describe(const struct spec_cpu *c, const struct spec_opts *o,
		  const struct spec_state *s, char *buf, size_t len)
{
	static const char *const vendors[] = { "other", "intel", "amd", "hygon" };
	char l1tf[48];

	if (s->pv_l1tf_dom0 == s->pv_l1tf_domu)
		snprintf(l1tf, sizeof(l1tf), "%s", s->pv_l1tf_domu ? "on" : "off");
	else
		snprintf(l1tf, sizeof(l1tf), "dom0 %s domU %s",
			 s->pv_l1tf_dom0 ? "on" : "off",
			 s->pv_l1tf_domu ? "on" : "off");
	return snprintf(buf, len,
			"%s %u:%#x:%u paddr %u l1d %u caps %#lx: "
			"l1tf pv-check %s (%s; safe from %#lx), "
			"ibpb on switch %s (%s), verw on exit %s (%s)",
			vendors[c->vendor], c->family, c->model, c->stepping,
			c->paddr_bits, s->l1d_bits, (unsigned long)c->arch_caps,
			l1tf, l1tf_reason(o, s), (unsigned long)s->l1tf_safe_maddr,
			s->ibpb ? "on" : "off", ibpb_reason(o, s),
			s->verw ? "on" : "off", verw_reason(o, s));
}

/* Xen's boolean spellings; -1 if s is none of them. */
static int parse_bool(const char *s, size_t n)
{
	static const char *const yes[] = { "1", "on", "yes", "true", "enable" };
	static const char *const no[] = { "0", "off", "no", "false", "disable" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strlen(yes[i]) == n && !strncmp(s, yes[i], n))
			return 1;
		if (strlen(no[i]) == n && !strncmp(s, no[i], n))
			return 0;
	}
	return -1;
}

static bool word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && !strncmp(s, w, n);
}

/*
 * One "name", "no-name" or "name=<bool>" item: the value for name, -1 if
 * the item is about something else, -2 if it is about name but malformed.
 */
static int parse_item(const char *s, size_t n, const char *name)
{
	size_t nl = strlen(name);

	if (word_is(s, n, name))
		return 1;
	if (n == nl + 3 && !strncmp(s, "no-", 3) && !strncmp(s + 3, name, nl))
		return 0;
	if (n > nl && !strncmp(s, name, nl) && s[nl] == '=') {
		int v = parse_bool(s + nl + 1, n - nl - 1);
		return v < 0 ? -2 : v;
	}
	return -1;
}

/* Apply f(opts, item) to each comma-separated item; NULL or an error. */
static const char *for_each_item(struct spec_opts *o, const char *val, size_t vlen,
				 const char *(*f)(struct spec_opts *, const char *, size_t))
{
	while (vlen) {
		size_t n = 0;
		while (n < vlen && val[n] != ',')
			n++;
		const char *err = f(o, val, n);
		if (err)
			return err;
		val += n < vlen ? n + 1 : n;
		vlen -= n < vlen ? n + 1 : n;
	}
	return NULL;
}

static const char *spec_ctrl_item(struct spec_opts *o, const char *s, size_t n)
{
	int v = parse_bool(s, n);

	if (v == 0) {
		o->ibpb = o->verw = 0;
		if (o->pv_l1tf_dom0 < 0)
			o->pv_l1tf_dom0 = 0;
		if (o->pv_l1tf_domu < 0)
			o->pv_l1tf_domu = 0;
		return NULL;
	}
	if (v == 1)
		return "spec-ctrl: only spec-ctrl=no (all off) or items such as ibpb=on";
	if ((v = parse_item(s, n, "ibpb")) != -1) {
		o->ibpb = (int8_t)v;
	} else if ((v = parse_item(s, n, "md-clear")) != -1 ||
		   (v = parse_item(s, n, "verw")) != -1) {
		o->verw = (int8_t)v;
	} else {
		return "spec-ctrl: items are ibpb=<bool>, md-clear=<bool> (or verw=<bool>)";
	}
	return v == -2 ? "spec-ctrl: <bool> is on/off, yes/no, true/false, 1/0" : NULL;
}

static const char *pv_l1tf_item(struct spec_opts *o, const char *s, size_t n)
{
	int v = parse_bool(s, n);

	if (v >= 0) {
		o->pv_l1tf_dom0 = o->pv_l1tf_domu = (int8_t)v;
	} else if ((v = parse_item(s, n, "dom0")) != -1) {
		o->pv_l1tf_dom0 = (int8_t)v;
	} else if ((v = parse_item(s, n, "domu")) != -1) {
		o->pv_l1tf_domu = (int8_t)v;
	} else {
		return "pv-l1tf: <bool>, or dom0=<bool>,domu=<bool>";
	}
	return v == -2 ? "pv-l1tf: <bool> is on/off, yes/no, true/false, 1/0" : NULL;
}

int spec_parse_option(struct spec_opts *o, const char *name, size_t nlen,
		      const char *val, size_t vlen, const char **err)
{
	const char *(*f)(struct spec_opts *, const char *, size_t);

	if (word_is(name, nlen, "spec-ctrl"))
		f = spec_ctrl_item;
	else if (word_is(name, nlen, "pv-l1tf"))
		f = pv_l1tf_item;
	else
		return 0;
	/* A bare option is its positive form, as in Xen. */
	*err = vlen ? for_each_item(o, val, vlen, f) : f(o, "1", 1);
	return *err ? -1 : 1;
}
