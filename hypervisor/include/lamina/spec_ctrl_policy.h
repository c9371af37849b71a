/*
 * Speculative-execution hygiene: which mitigations a CPU needs, decided from
 * its CPUID and MSR values alone (arch/x86/spec_ctrl_policy.c), so the
 * decision is a pure function the host unit tests can drive with any CPU.
 * Applying it is arch/x86/spec_ctrl.c; docs/security.md has the table.
 *
 * The facts (which models are affected, the L1TF-safe address heuristics)
 * come from Xen's spec_ctrl.c.
 */
#ifndef LAMINA_SPEC_CTRL_POLICY_H
#define LAMINA_SPEC_CTRL_POLICY_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* CPUID bits this needs. */
#define CPUID7_EBX_HLE          (1u << 4)
#define CPUID7_EBX_RTM          (1u << 11)
#define CPUID7_EDX_MD_CLEAR     (1u << 10)  /* VERW flushes CPU buffers */
#define CPUID7_EDX_IBRSB        (1u << 26)  /* Intel: MSR_SPEC_CTRL + IBPB */
#define CPUID7_EDX_ARCH_CAPS    (1u << 29)  /* IA32_ARCH_CAPABILITIES exists */
#define CPUIDE8_EBX_IBPB        (1u << 12)  /* AMD: IBPB in MSR_PRED_CMD */

/* IA32_ARCH_CAPABILITIES (MSR 0x10a) bits. */
#define ARCH_CAPS_RDCL_NO       (1ull << 0)  /* no Meltdown, no L1TF */
#define ARCH_CAPS_MDS_NO        (1ull << 5)
#define ARCH_CAPS_TSX_CTRL      (1ull << 7)
#define ARCH_CAPS_TAA_NO        (1ull << 8)

#define MSR_ARCH_CAPABILITIES   0x10a
#define MSR_PRED_CMD            0x49
#define PRED_CMD_IBPB           (1ull << 0)

enum spec_vendor {
	SPEC_VENDOR_OTHER,
	SPEC_VENDOR_INTEL,
	SPEC_VENDOR_AMD,
	SPEC_VENDOR_HYGON,
};

/* What the CPU says about itself (0 for a leaf or MSR it does not have). */
struct spec_cpu {
	enum spec_vendor vendor;
	unsigned int family, model, stepping;   /* extended fields folded in */
	uint32_t leaf7_ebx, leaf7_edx;          /* CPUID 7.0 */
	uint32_t e8_ebx;                        /* CPUID 0x80000008 EBX */
	unsigned int paddr_bits;                /* CPUID 0x80000008 EAX[7:0] (36 if absent) */
	uint64_t arch_caps;                     /* IA32_ARCH_CAPABILITIES */
	uint64_t mem_top;                       /* end of the highest memory-map range */
};

/* Boot options: -1 follow detection, 0 forced off, 1 forced on. */
struct spec_opts {
	int8_t pv_l1tf_dom0;    /* pv-l1tf=dom0=<bool> (the initial domain) */
	int8_t pv_l1tf_domu;    /* pv-l1tf=domu=<bool> (every other domain) */
	int8_t ibpb;            /* spec-ctrl=ibpb=<bool> */
	int8_t verw;            /* spec-ctrl=md-clear=<bool> (alias verw) */
};
#define SPEC_OPTS_DEFAULT ((struct spec_opts){ -1, -1, -1, -1 })

/* The decision. */
struct spec_state {
	/* L1TF: check guests' not-present page-table entries. */
	bool l1tf_bug;
	unsigned int l1d_bits;          /* address width of the L1D lookup */
	uint64_t l1tf_addr_mask;        /* those address bits, page aligned */
	uint64_t l1tf_safe_maddr;       /* nothing cacheable from here up */
	bool pv_l1tf_dom0, pv_l1tf_domu;
	/* IBPB (flush branch predictions) when the CPU moves to another domain. */
	bool has_ibpb, ibpb;
	/* VERW (flush store/fill/load buffers) before every exit to a guest. */
	bool md_clear, mds_bug, msbds_only, taa_bug, verw;
	/* Meltdown: a ring-3 guest can read supervisor mappings (the whole
	 * hypervisor, its direct map of RAM). Xen's answer is XPTI; Lamina has
	 * none, so this is only reported. */
	bool meltdown_bug;
};

/* Decide the mitigations for cpu under opts. */
void spec_decide(const struct spec_cpu *cpu, const struct spec_opts *opts,
		 struct spec_state *out);

/*
 * The boot line: what was detected and what is on, with the reason, e.g.
 * "l1tf pv-check domU on (L1TF), ibpb on switch off (no IBPB), verw on
 * exit off (not affected)". Returns what snprintf returns.
 */
int spec_describe(const struct spec_cpu *cpu, const struct spec_opts *opts,
		  const struct spec_state *s, char *buf, size_t len);

/*
 * Command-line options this module owns (docs/command-line.md):
 *   spec-ctrl=<bool> | spec-ctrl=<item>[,<item>...] with items
 *        ibpb=<bool>, md-clear=<bool> (or verw=<bool>), "no-ibpb" style too;
 *        spec-ctrl=no turns every mitigation here off (pv-l1tf included,
 *        unless pv-l1tf= says otherwise)
 *   pv-l1tf=<bool> | pv-l1tf=dom0=<bool>,domu=<bool>
 * <bool> is on/off, yes/no, true/false, enable/disable, 1/0.
 * Returns 0 if the option is not one of these, 1 if it was applied, and -1
 * (with *err set) if it is but the value is bad.
 */
int spec_parse_option(struct spec_opts *opts, const char *name, size_t nlen,
		      const char *val, size_t vlen, const char **err);

#endif
