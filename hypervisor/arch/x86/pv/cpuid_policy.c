/*
 * CPUID as a 64-bit PV guest sees it (see lamina/cpuid_policy.h).
 *
 * What is hidden and why.  The facts come from Xen; the file each rule was
 * learned from is named in brackets.
 *
 * Feature bits.  A guest sees a host feature only if Xen's default PV
 * featureset has it: the bits marked 'A' (upper case: "all guests, on by
 * default") [public/arch-x86/cpufeatureset.h].  Everything else is hidden,
 * notably:
 *  - leaf 1 edx: VME, PSE, PGE, PSE36, MTRR (PV guests don't own paging
 *    modes or memory types; Xen validates their page tables), DS, TM, PBE
 *    (debug store / thermal: host resources).
 *  - leaf 1 ecx: DTES64, DS-CPL, PDCM (debug store / perf MSRs), MONITOR
 *    (PV guests cannot use MONITOR/MWAIT), VMX, SMX, EIST, TM2, xTPR, DCA,
 *    PCID (HAP-only), x2APIC (HVM only), TSC-deadline (HVM only).
 *  - leaf 7: SMEP, SMAP, UMIP (HVM only: a PV kernel runs in ring 3),
 *    INVPCID, PKU (HAP only), MPX, HLE, SGX, PT, CET, TSC_ADJUST.
 *  - 0x80000001: SVM, PAGE1GB (HAP only), EXTAPIC, CR8_LEGACY, OSVW, IBS,
 *    SKINIT, WDT, LWP, NODEID, TOPOEXT, MONITORX.  SYSCALL, NX and LM stay:
 *    64-bit PV guests enter their kernel through syscall [cpu-policy.c
 *    only clears SYSCALL for 32-bit PV].
 *  - 0xd subleaf 1: XSAVES (HVM only).
 *  - 0x80000007 edx: invariant TSC ('a': opt-in, given to domains that
 *    don't migrate) -> params->invariant_tsc.
 * Special ('!') bits: HYPERVISOR always set [cpu-policy.c,
 * guest_common_feature_adjustments]; OSXSAVE and OSPKE follow the guest's
 * virtual CR4, with OSXSAVE also shown to a kernel using forced emulation
 * [cpuid.c, guest_cpuid] -> params->osxsave (PKU is hidden, so OSPKE is
 * never set); APIC is the host's bit, which Xen passes through for PV ->
 * params->expose_apic; HTT, CMP_LEGACY, RDRAND, RTM, CLWB, MD_CLEAR are
 * the host's; FDP_EXCP_ONLY and NO_FPU_SEL are folded in from the host
 * [cpu-policy.c, recalculate_cpuid_policy]; SRSO_US_NO is hidden (PV64
 * user and kernel share CPL3) [cpu-policy.c, calculate_pv_max_policy].
 * MSR-backed bits (IBRSB, STIBP, SSBD, IBPB, PSFD, SBPB, ...) need
 * MSR_SPEC_CTRL/PRED_CMD virtualised -> params->spec_ctrl; ARCH_CAPS
 * needs MSR_ARCH_CAPABILITIES emulated -> params->arch_caps.  Lamina
 * extra: FSGSBASE is hidden unless params->fsgsbase (the hypervisor must
 * let the guest turn CR4.FSGSBASE on, which Xen does).
 *
 * Dependencies: with no XSAVE (params->xcr0_mask == 0, or max leaf below
 * 0xd) XSAVE, OSXSAVE, AVX and everything built on AVX go; without YMM
 * state AVX and its dependents go; without the three AVX-512 state
 * components every AVX-512 bit goes [cpuid.c, sanitise_featureset and the
 * deep dependency table].
 *
 * Whole leaves [cpu-policy.c, recalculate_misc; cpuid.c, guest_cpuid]:
 *  - Out-of-range leaves read as zero (the AMD model); max basic leaf 0xd,
 *    max leaf-7 subleaf 2, max extended leaf 0x80000008 (Intel) or
 *    0x80000021 (AMD).
 *  - Zeroed: 3 (PSN), 5 (MONITOR), 6 (thermal/power), 8, 9 (DCA),
 *    0xa (PMU, unless params->pmu on Intel; version clamped to 3),
 *    0xb (topology), 0xc; on AMD also 2, 4 and many extended leaves.
 *  - Leaf 1: processor-type bits (eax 13:12) and the initial APIC ID
 *    (ebx 31:24) are cleared.
 *  - 0x80000007: power-management bits cleared; 0x80000008: only the
 *    address sizes survive in eax (GuestMaxPhysAddr hidden), the linear
 *    size at most 48 (PV guests have 4-level paging).
 *  - Intel: 0x80000000 vendor registers, 0x80000001 eax/ebx and 0x80000005
 *    zero; only ecx of 0x80000006.
 *
 * Hypervisor leaves [public/arch-x86/cpuid.h; cpuid.c,
 * cpuid_hypervisor_leaves]: base 0x40000000, last leaf base+5 for PV.
 *  +0  eax = base+5, "XenVMMXenVMM"
 *  +1  eax = major << 16 | minor
 *  +2  eax = 1 hypercall page, ebx = MSR base 0x40000000,
 *      ecx = PT_UPDATE_PRESERVE_AD if supported
 *  +3  time leaf: subleaf 0 flags/mode/kHz/incarnation, 1 offset and
 *      tsc->ns scale, 2 host kHz
 *  +4  HVM only: zero for PV
 *  +5  subleaf 0: ebx = machine address width
 * Leaves base+6 .. base+0x1ff and other 0x4xxxxxxx leaves read as zero.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/cpuid_policy.h"

#define BIT(n) (1u << (n))

/* Leaf 1 edx: FPU DE TSC MSR PAE MCE CX8 APIC SEP MCA CMOV PAT CLFLUSH
 * ACPI MMX FXSR SSE SSE2 SS HTT. */
#define LEAF1_EDX_PV (BIT(0) | BIT(2) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | \
	BIT(8) | BIT(9) | BIT(11) | BIT(14) | BIT(15) | BIT(16) | BIT(19) | \
	BIT(22) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27) | BIT(28))

/* Leaf 1 ecx: SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT
 * AESNI XSAVE AVX F16C RDRAND (HYPERVISOR is forced on separately). */
#define LEAF1_ECX_PV (BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | \
	BIT(19) | BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(26) | \
	BIT(28) | BIT(29) | BIT(30))

/* Leaf 7.0 ebx: FSGSBASE BMI1 AVX2 BMI2 ERMS RTM AVX512F AVX512DQ RDSEED
 * ADX AVX512_IFMA CLFLUSHOPT CLWB AVX512PF AVX512ER AVX512CD SHA AVX512BW
 * AVX512VL. */
#define LEAF7_EBX_PV (BIT(0) | BIT(3) | BIT(5) | BIT(8) | BIT(9) | BIT(11) | \
	BIT(16) | BIT(17) | BIT(18) | BIT(19) | BIT(21) | BIT(23) | BIT(24) | \
	BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(30) | BIT(31))
/* Leaf 7.0 ebx bits taken from the host as they are: FDP_EXCP_ONLY,
 * NO_FPU_SEL (they describe x87 behaviour, not an opt-in feature). */
#define LEAF7_EBX_HOST (BIT(6) | BIT(13))

/* Leaf 7.0 ecx: PREFETCHWT1 AVX512_VBMI AVX512_VBMI2 GFNI VAES VPCLMULQDQ
 * AVX512_VNNI AVX512_BITALG AVX512_VPOPCNTDQ RDPID CLDEMOTE. */
#define LEAF7_ECX_PV (BIT(0) | BIT(1) | BIT(6) | BIT(8) | BIT(9) | BIT(10) | \
	BIT(11) | BIT(12) | BIT(14) | BIT(22) | BIT(25))

/* Leaf 7.0 edx: AVX512_4VNNIW AVX512_4FMAPS FSRM MD_CLEAR SERIALIZE. */
#define LEAF7_EDX_PV (BIT(2) | BIT(3) | BIT(4) | BIT(10) | BIT(14))
/* Leaf 7.0 edx bits backed by MSR_SPEC_CTRL: IBRSB STIBP SSBD. */
#define LEAF7_EDX_SPEC_CTRL (BIT(26) | BIT(27) | BIT(31))

/* Leaf 7.1 eax: AVX_VNNI AVX512_BF16 FZRM FSRS FSRCS. */
#define LEAF7_1_EAX_PV (BIT(4) | BIT(5) | BIT(10) | BIT(11) | BIT(12))
/* Leaf 7.2 edx: MCDT_NO; INTEL_PSFD needs MSR_SPEC_CTRL. */
#define LEAF7_2_EDX_PV BIT(5)
#define LEAF7_2_EDX_SPEC_CTRL BIT(0)

/* AVX-dependent bits, hidden when YMM state is not available. */
#define LEAF1_ECX_AVX (BIT(12) | BIT(28) | BIT(29))	/* FMA AVX F16C */
#define LEAF7_EBX_AVX512 (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | \
	BIT(28) | BIT(30) | BIT(31))
#define LEAF7_EBX_AVX (BIT(5) | LEAF7_EBX_AVX512)	/* AVX2 + AVX-512 */
#define LEAF7_ECX_AVX512 (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define LEAF7_ECX_AVX (BIT(9) | BIT(10) | LEAF7_ECX_AVX512) /* VAES VPCLMULQDQ */
#define LEAF7_EDX_AVX512 (BIT(2) | BIT(3))
#define LEAF7_1_EAX_AVX512 BIT(5)
#define LEAF7_1_EAX_AVX (BIT(4) | LEAF7_1_EAX_AVX512)
#define EXTD1_ECX_AVX (BIT(11) | BIT(16))			/* XOP FMA4 */

/* Leaf 0xd.1 eax: XSAVEOPT XSAVEC XGETBV1 (not XSAVES). */
#define XSAVE1_EAX_PV (BIT(0) | BIT(1) | BIT(2))
#define XSAVE_COMP_ECX_ALIGN64 BIT(1)

/* 0x80000001 edx (bits not shared with leaf 1): SYSCALL NX MMXEXT FFXSR
 * RDTSCP LM 3DNOWEXT 3DNOW. */
#define EXTD1_EDX_PV (BIT(11) | BIT(20) | BIT(22) | BIT(25) | BIT(27) | \
	BIT(29) | BIT(30) | BIT(31))
/* Leaf 1 edx bits AMD mirrors into 0x80000001 edx. */
#define EXTD1_EDX_COMMON (0x3ffu | BIT(12) | BIT(13) | BIT(14) | BIT(15) | \
	BIT(16) | BIT(17) | BIT(23) | BIT(24))
/* 0x80000001 ecx: LAHF_LM CMP_LEGACY ABM SSE4A MISALIGNSSE 3DNOWPREFETCH
 * XOP FMA4 TBM DBEXT. */
#define EXTD1_ECX_PV (BIT(0) | BIT(1) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | \
	BIT(11) | BIT(16) | BIT(21) | BIT(26))

#define EXTD7_EDX_ITSC BIT(8)

/* 0x80000008 ebx: CLZERO RSTR_FP_ERR_PTRS SSB_NO BTC_NO IBPB_RET; IBPB
 * needs MSR_PRED_CMD. */
#define EXTD8_EBX_PV (BIT(0) | BIT(2) | BIT(26) | BIT(29) | BIT(30))
#define EXTD8_EBX_SPEC_CTRL BIT(12)

/* 0x80000021 eax: LFENCE_DISPATCH VERW_CLEAR NSCB SRSO_NO; SBPB and
 * IBPB_BRTYPE need MSR_PRED_CMD.  ecx: TSA_SQ_NO TSA_L1_NO. */
#define EXTD21_EAX_PV (BIT(2) | BIT(5) | BIT(6) | BIT(29))
#define EXTD21_EAX_SPEC_CTRL (BIT(27) | BIT(28))
#define EXTD21_ECX_PV (BIT(1) | BIT(2))

static const struct cpuid_regs zero_leaf;

/* "GenuineIntel", "AuthenticAMD", "HygonGenuine" as leaf 0 ebx/ecx/edx. */
enum pv_cpu_vendor pv_cpuid_vendor(const struct cpuid_regs *leaf0)
{
	if (leaf0->b == 0x756e6547 && leaf0->d == 0x49656e69 &&
	    leaf0->c == 0x6c65746e)
		return PV_CPU_VENDOR_INTEL;
	if (leaf0->b == 0x68747541 && leaf0->d == 0x69746e65 &&
	    leaf0->c == 0x444d4163)
		return PV_CPU_VENDOR_AMD;
	if (leaf0->b == 0x6f677948 && leaf0->d == 0x6e65476e &&
	    leaf0->c == 0x656e6975)
		return PV_CPU_VENDOR_AMD;
	return PV_CPU_VENDOR_OTHER;
}

void pv_cpuid_params_init(struct pv_cpuid_params *p,
			  const struct cpuid_regs *host_leaf0,
			  const struct cpuid_regs *host_extd0)
{
	memset(p, 0, sizeof(*p));
	p->xen_major = PV_CPUID_XEN_MAJOR;
	p->xen_minor = PV_CPUID_XEN_MINOR;
	p->vendor = pv_cpuid_vendor(host_leaf0);
	p->max_basic_leaf = host_leaf0->a;
	p->max_extd_leaf = host_extd0->a;
	p->xcr0_mask = PV_XCR0_X87 | PV_XCR0_SSE | PV_XCR0_YMM;
	p->osxsave = true;
	p->expose_apic = true;
}

static bool is_amd(const struct pv_cpuid_params *p)
{
	return p->vendor == PV_CPU_VENDOR_AMD;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Highest basic leaf the guest may see. */
static uint32_t guest_max_basic(const struct pv_cpuid_params *p)
{
	if (p->max_basic_leaf)
		return min_u32(p->max_basic_leaf, PV_CPUID_MAX_BASIC_LEAF);
	return PV_CPUID_MAX_BASIC_LEAF;
}

/* Highest extended leaf the guest may see (0 if the host reports none). */
static uint32_t guest_max_extd(const struct pv_cpuid_params *p)
{
	uint32_t max = is_amd(p) ? PV_CPUID_MAX_EXTD_AMD : PV_CPUID_MAX_EXTD_INTEL;

	if (p->max_extd_leaf == 0)
		return max;
	if ((p->max_extd_leaf & 0xffff0000u) != 0x80000000u)
		return 0;
	return min_u32(p->max_extd_leaf, max);
}

/* XCR0 components the guest may use; 0 when XSAVE is hidden altogether. */
static uint64_t guest_xcr0(const struct pv_cpuid_params *p)
{
	uint64_t mask = p->xcr0_mask & PV_XCR0_PV_ALLOWED;

	if (mask == 0 || guest_max_basic(p) < 0xd)
		return 0;
	mask |= PV_XCR0_X87 | PV_XCR0_SSE;
	if (!(mask & PV_XCR0_YMM) || (mask & PV_XCR0_AVX512) != PV_XCR0_AVX512)
		mask &= ~PV_XCR0_AVX512;
	return mask;
}

static bool ymm_usable(const struct pv_cpuid_params *p)
{
	return guest_xcr0(p) & PV_XCR0_YMM;
}

static bool avx512_usable(const struct pv_cpuid_params *p)
{
	return guest_xcr0(p) & PV_XCR0_AVX512;
}

/* Leaf 0: clamp the max leaf; the vendor string passes through. */
static void leaf_0(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	*out = *host;
	out->a = min_u32(host->a, guest_max_basic(p));
}

/* Leaf 1 edx: the PV feature set, APIC optional, no SYSENTER on AMD. */
static uint32_t leaf1_edx(uint32_t host, const struct pv_cpuid_params *p)
{
	uint32_t mask = LEAF1_EDX_PV;

	if (!p->expose_apic)
		mask &= ~CPUID1_EDX_APIC;
	if (is_amd(p))	/* long-mode Xen leaves SYSENTER unusable on AMD */
		mask &= ~CPUID1_EDX_SEP;
	return host & mask;
}

/* Leaf 1 ecx: the PV feature set, XSAVE/AVX per XCR0, HYPERVISOR set. */
static uint32_t leaf1_ecx(uint32_t host, const struct pv_cpuid_params *p)
{
	uint32_t mask = LEAF1_ECX_PV;
	uint32_t ecx;

	if (!guest_xcr0(p))
		mask &= ~CPUID1_ECX_XSAVE;
	if (!ymm_usable(p))
		mask &= ~LEAF1_ECX_AVX;
	ecx = (host & mask) | CPUID1_ECX_HYPERVISOR;
	if (p->osxsave && (ecx & CPUID1_ECX_XSAVE))
		ecx |= CPUID1_ECX_OSXSAVE;
	return ecx;
}

/* Leaf 1: signature kept (minus processor type), APIC ID 0, features. */
static void leaf_1(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	out->a = host->a & 0x0fff0fffu;
	out->b = host->b & 0x00ffffffu;
	out->c = leaf1_ecx(host->c, p);
	out->d = leaf1_edx(host->d, p);
}

/* Leaf 2 (Intel cache descriptors): one query is enough. */
static void leaf_2(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	if (is_amd(p))
		return;
	*out = *host;
	out->a = (host->a & ~0xffu) | 1;
}

/* Leaf 4 (Intel deterministic cache): valid subleaves with reserved bits cleared. */
static void leaf_4(uint32_t subleaf, const struct cpuid_regs *host,
		   struct cpuid_regs *out, const struct pv_cpuid_params *p)
{
	uint32_t type = host->a & 0x1f;

	if (is_amd(p) || subleaf >= 5 || type < 1 || type > 3)
		return;
	*out = *host;
	out->a &= 0xffffc3ffu;
	out->d &= 0x7u;
}

/* Leaf 7 subleaf 0 ebx: the PV set with AVX/FSGSBASE rules, host x87 bits. */
static uint32_t leaf7_ebx(uint32_t host, const struct pv_cpuid_params *p)
{
	uint32_t mask = LEAF7_EBX_PV;

	if (!p->fsgsbase)
		mask &= ~CPUID7_EBX_FSGSBASE;
	if (!ymm_usable(p))
		mask &= ~LEAF7_EBX_AVX;
	else if (!avx512_usable(p))
		mask &= ~LEAF7_EBX_AVX512;
	return host & (mask | LEAF7_EBX_HOST);
}

static uint32_t leaf7_ecx(uint32_t host, const struct pv_cpuid_params *p)
{
	uint32_t mask = LEAF7_ECX_PV;

	if (!ymm_usable(p))
		mask &= ~LEAF7_ECX_AVX;
	else if (!avx512_usable(p))
		mask &= ~LEAF7_ECX_AVX512;
	return host & mask;
}

static uint32_t leaf7_edx(uint32_t host, const struct pv_cpuid_params *p)
{
	uint32_t mask = LEAF7_EDX_PV;

	if (p->spec_ctrl)
		mask |= LEAF7_EDX_SPEC_CTRL;
	if (p->arch_caps)
		mask |= CPUID7_EDX_ARCH_CAPS;
	if (!avx512_usable(p))
		mask &= ~LEAF7_EDX_AVX512;
	return host & mask;
}

/* Leaf 7: structured extended features, subleaves 0-2. */
static void leaf_7(uint32_t subleaf, const struct cpuid_regs *host,
		   struct cpuid_regs *out, const struct pv_cpuid_params *p)
{
	uint32_t mask;

	switch (subleaf) {
	case 0:
		out->a = min_u32(host->a, PV_CPUID_MAX_FEAT_SUBLEAF);
		out->b = leaf7_ebx(host->b, p);
		out->c = leaf7_ecx(host->c, p);
		out->d = leaf7_edx(host->d, p);
		break;
	case 1:
		mask = LEAF7_1_EAX_PV;
		if (!ymm_usable(p))
			mask &= ~LEAF7_1_EAX_AVX;
		else if (!avx512_usable(p))
			mask &= ~LEAF7_1_EAX_AVX512;
		out->a = host->a & mask;
		break;
	case 2:
		mask = LEAF7_2_EDX_PV | (p->spec_ctrl ? LEAF7_2_EDX_SPEC_CTRL : 0);
		out->d = host->d & mask;
		break;
	}
}

/* Leaf 0xa: architectural PMU, only when enabled and on Intel (max v3). */
static void leaf_a(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	if (!p->pmu || p->vendor != PV_CPU_VENDOR_INTEL)
		return;
	*out = *host;
	if ((out->a & 0xff) > 3)
		out->a = (out->a & ~0xffu) | 3;
}

/*
 * Leaf 0xd: XSAVE state.  Subleaf 0 ebx (size for the XCR0 in force) comes
 * from hardware as Xen does; ecx (size for every component the guest may
 * enable) is params->xsave_max_size when set, else the host's (an upper
 * bound when the guest may use fewer components).
 */
static void leaf_d(uint32_t subleaf, const struct cpuid_regs *host,
		   struct cpuid_regs *out, const struct pv_cpuid_params *p)
{
	uint64_t xcr0 = guest_xcr0(p);

	if (!xcr0)
		return;
	if (subleaf == 0) {
		out->a = host->a & (uint32_t)xcr0;
		out->b = host->b;
		out->c = p->xsave_max_size ? p->xsave_max_size : host->c;
		out->d = host->d & (uint32_t)(xcr0 >> 32);
	} else if (subleaf == 1) {
		out->a = host->a & XSAVE1_EAX_PV;
	} else if (subleaf < 63 && (xcr0 & (1ull << subleaf))) {
		out->a = host->a;
		out->b = host->b;
		out->c = host->c & XSAVE_COMP_ECX_ALIGN64;
	}
}

/* Basic leaves 0 .. max. */
static void basic_leaf(uint32_t leaf, uint32_t subleaf,
		       const struct cpuid_regs *host, struct cpuid_regs *out,
		       const struct pv_cpuid_params *p)
{
	switch (leaf) {
	case 0x0: leaf_0(host, out, p); break;
	case 0x1: leaf_1(host, out, p); break;
	case 0x2: leaf_2(host, out, p); break;
	case 0x4: leaf_4(subleaf, host, out, p); break;
	case 0x7: leaf_7(subleaf, host, out, p); break;
	case 0xa: leaf_a(host, out, p); break;
	case 0xd: leaf_d(subleaf, host, out, p); break;
	default:
		/* 3 PSN, 5 MONITOR, 6 power, 8, 9 DCA, 0xb topology, 0xc. */
		break;
	}
}

/* 0x80000001: extended signature and features. */
static void extd_1(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	uint32_t ecx_mask = EXTD1_ECX_PV;

	if (!ymm_usable(p))
		ecx_mask &= ~EXTD1_ECX_AVX;
	out->c = host->c & ecx_mask;
	out->d = host->d & EXTD1_EDX_PV;
	if (is_amd(p)) {
		out->a = host->a;
		out->b = host->b & 0xff00ffffu;
		out->d |= leaf1_edx(host->d & EXTD1_EDX_COMMON, p);
	}
}

/* 0x80000006 (L2/L3 cache); Intel defines only ecx. */
static void extd_6(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	if (is_amd(p))
		*out = *host;
	else
		out->c = host->c;
}

/* 0x80000008: address sizes and a few features; GuestMaxPhysAddr hidden. */
static void extd_8(const struct cpuid_regs *host, struct cpuid_regs *out,
		   const struct pv_cpuid_params *p)
{
	uint32_t ebx_mask = EXTD8_EBX_PV;

	if (p->spec_ctrl)
		ebx_mask |= EXTD8_EBX_SPEC_CTRL;
	out->a = host->a & 0xffffu;
	/* 4-level paging only: at most 48 linear address bits (no LA57). */
	if (((out->a >> 8) & 0xffu) > 48)
		out->a = (out->a & 0xffu) | (48u << 8);
	out->b = host->b & ebx_mask;
	if (is_amd(p))
		out->c = host->c & 0x0003f0ffu;
}

/* 0x80000021 (AMD): speculation-related features. */
static void extd_21(const struct cpuid_regs *host, struct cpuid_regs *out,
		    const struct pv_cpuid_params *p)
{
	uint32_t eax_mask = EXTD21_EAX_PV;

	if (p->spec_ctrl)
		eax_mask |= EXTD21_EAX_SPEC_CTRL;
	out->a = host->a & eax_mask;
	out->c = host->c & EXTD21_ECX_PV;
}

/* Extended leaves 0x80000000 .. max. */
static void extd_leaf(uint32_t leaf, const struct cpuid_regs *host,
		      struct cpuid_regs *out, const struct pv_cpuid_params *p)
{
	switch (leaf & 0xffff) {
	case 0x0:
		if (host->a >= 0x80000000u)
			out->a = min_u32(host->a, guest_max_extd(p));
		if (is_amd(p)) {
			out->b = host->b;
			out->c = host->c;
			out->d = host->d;
		}
		break;
	case 0x1: extd_1(host, out, p); break;
	case 0x2: case 0x3: case 0x4:	/* brand string */
		*out = *host;
		break;
	case 0x5:
		if (is_amd(p))
			*out = *host;
		break;
	case 0x6: extd_6(host, out, p); break;
	case 0x7:
		if (p->invariant_tsc)
			out->d = host->d & EXTD7_EDX_ITSC;
		break;
	case 0x8: extd_8(host, out, p); break;
	case 0x1a:			/* AMD performance hints */
		*out = *host;
		break;
	case 0x21: extd_21(host, out, p); break;
	default:
		/* SVM (0xa), 1G TLB (0x19, no 1G pages), IBS, LWP, topology,
		 * SEV, QoS...: not for PV guests. */
		break;
	}
}

/* 0x40000003: Xen's time leaf. */
static void hv_time_leaf(uint32_t subleaf, struct cpuid_regs *out,
			 const struct pv_cpuid_tsc *t)
{
	switch (subleaf) {
	case 0:
		out->a = (t->emulated ? 1u : 0) | (t->host_reliable ? 2u : 0) |
			 (t->rdtscp ? 4u : 0);
		out->b = t->mode;
		out->c = t->khz;
		out->d = t->incarnation;
		break;
	case 1:
		if (!t->emulated) {
			out->a = (uint32_t)t->offset;
			out->b = (uint32_t)(t->offset >> 32);
		}
		out->c = t->mul_frac;
		out->d = (uint32_t)(int32_t)t->shift;
		break;
	case 2:
		out->a = t->host_khz;
		break;
	}
}

/* 0x40000000 .. 0x400001ff: the Xen leaves at base 0x40000000. */
static void hypervisor_leaf(uint32_t leaf, uint32_t subleaf,
			    struct cpuid_regs *out,
			    const struct pv_cpuid_params *p)
{
	switch (leaf - PV_CPUID_HV_BASE) {
	case 0:
		out->a = PV_CPUID_HV_BASE + PV_CPUID_HV_LEAVES;
		out->b = PV_CPUID_HV_SIG_EBX;
		out->c = PV_CPUID_HV_SIG_ECX;
		out->d = PV_CPUID_HV_SIG_EDX;
		break;
	case 1:
		out->a = ((uint32_t)p->xen_major << 16) | p->xen_minor;
		break;
	case 2:
		out->a = 1;
		out->b = PV_CPUID_HV_MSR_BASE;
		out->c = p->preserve_ad ? PV_CPUID_FEAT1_PRESERVE_AD : 0;
		break;
	case 3:
		hv_time_leaf(subleaf, out, &p->tsc);
		break;
	case 5:
		if (subleaf == 0)
			out->b = p->machine_address_bits;
		break;
	default:	/* 4: HVM only; beyond base+5: nothing */
		break;
	}
}

void pv_cpuid_policy(uint32_t leaf, uint32_t subleaf,
		     const struct cpuid_regs *host, struct cpuid_regs *out,
		     const struct pv_cpuid_params *p)
{
	struct cpuid_regs in = *host;	/* host and out may alias */

	*out = zero_leaf;
	if (leaf <= guest_max_basic(p))
		basic_leaf(leaf, subleaf, &in, out, p);
	else if (leaf >= PV_CPUID_HV_BASE && leaf <= PV_CPUID_HV_BASE + 0x1ff)
		hypervisor_leaf(leaf, subleaf, out, p);
	else if (leaf >= 0x80000000u && leaf <= guest_max_extd(p))
		extd_leaf(leaf, &in, out, p);
}
