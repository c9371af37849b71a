/*
 * Unit tests for the PV CPUID policy (hypervisor/arch/x86/pv/cpuid_policy.c),
 * run under ASan/UBSan.  Most checks feed an all-ones host leaf and look at
 * which bits survive.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lamina/cpuid_policy.h"

static int failures;
static char why_buf[200];

/* Print one PASS/FAIL line; why is NULL on success. */
static void report(const char *name, const char *why)
{
	if (why) {
		printf("FAIL %s: %s\n", name, why);
		failures++;
	} else {
		printf("PASS %s\n", name);
	}
}

static const struct cpuid_regs all_ones = { ~0u, ~0u, ~0u, ~0u };
static const struct cpuid_regs intel_leaf0 = { 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69 };
static const struct cpuid_regs amd_leaf0 = { 0x10, 0x68747541, 0x444d4163, 0x69746e65 };
static const struct cpuid_regs hygon_leaf0 = { 0xd, 0x6f677948, 0x656e6975, 0x6e65476e };
static const struct cpuid_regs intel_extd0 = { 0x80000008, 0, 0, 0 };
static const struct cpuid_regs amd_extd0 = { 0x80000028, 0x68747541, 0x444d4163, 0x69746e65 };

/* Default params for an Intel or AMD host. */
static struct pv_cpuid_params params_for(enum pv_cpu_vendor v)
{
	struct pv_cpuid_params p;

	if (v == PV_CPU_VENDOR_AMD)
		pv_cpuid_params_init(&p, &amd_leaf0, &amd_extd0);
	else
		pv_cpuid_params_init(&p, &intel_leaf0, &intel_extd0);
	return p;
}

/* Run the policy on a poisoned output so stale fields show up. */
static struct cpuid_regs query(uint32_t leaf, uint32_t subleaf,
			       const struct cpuid_regs *host,
			       const struct pv_cpuid_params *p)
{
	struct cpuid_regs out;

	memset(&out, 0x5a, sizeof(out));	/* must be fully overwritten */
	pv_cpuid_policy(leaf, subleaf, host, &out, p);
	return out;
}

/* NULL if (value & bits) == want, else a message naming the register. */
static const char *bits(const char *reg, uint32_t value, uint32_t mask, uint32_t want)
{
	if ((value & mask) == want)
		return NULL;
	snprintf(why_buf, sizeof(why_buf), "%s=%#x: bits %#x should be %#x",
		 reg, value, mask, want);
	return why_buf;
}

/* NULL if *got is exactly a, b, c, d. */
static const char *regs_equal(const struct cpuid_regs *got, uint32_t a, uint32_t b,
			      uint32_t c, uint32_t d)
{
	if (got->a == a && got->b == b && got->c == c && got->d == d)
		return NULL;
	snprintf(why_buf, sizeof(why_buf), "got %#x %#x %#x %#x want %#x %#x %#x %#x",
		 got->a, got->b, got->c, got->d, a, b, c, d);
	return why_buf;
}

/* NULL if all four registers are zero. */
static const char *is_zero(const struct cpuid_regs *r)
{
	return regs_equal(r, 0, 0, 0, 0);
}

/* The first failure message of two checks. */
#define FIRST(a, b) ((a) ? (a) : (b))

static void test_signature(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(0x40000000, 0, &all_ones, &p);
	char sig[13];

	memcpy(sig, &r.b, 4);
	memcpy(sig + 4, &r.c, 4);
	memcpy(sig + 8, &r.d, 4);
	sig[12] = 0;
	report("hv_signature", strcmp(sig, "XenVMMXenVMM") ? "signature differs" :
	       r.a != 0x40000005 ? "max hypervisor leaf not base+5" : NULL);
}

static void test_version(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(0x40000001, 0, &all_ones, &p);

	report("hv_version_4_17", regs_equal(&r, 0x00040011, 0, 0, 0));
	p.xen_major = 4;
	p.xen_minor = 19;
	r = query(0x40000001, 0, &all_ones, &p);
	report("hv_version_param", regs_equal(&r, 0x00040013, 0, 0, 0));
}

static void test_hypercall_leaf(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(0x40000002, 0, &all_ones, &p);

	report("hv_hypercall_pages_msr", regs_equal(&r, 1, 0x40000000, 0, 0));
	p.preserve_ad = true;
	r = query(0x40000002, 0, &all_ones, &p);
	report("hv_preserve_ad_flag", regs_equal(&r, 1, 0x40000000, 1, 0));
}

static void test_time_leaf(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r;

	p.tsc = (struct pv_cpuid_tsc){
		.emulated = false, .host_reliable = true, .rdtscp = true,
		.mode = 2, .khz = 2000000, .incarnation = 3,
		.offset = 0x1122334455667788ull, .mul_frac = 0x80000000u,
		.shift = -1, .host_khz = 2100000,
	};
	r = query(0x40000003, 0, &all_ones, &p);
	report("hv_time_sub0", regs_equal(&r, 6, 2, 2000000, 3));
	r = query(0x40000003, 1, &all_ones, &p);
	report("hv_time_sub1", regs_equal(&r, 0x55667788, 0x11223344, 0x80000000u,
					  0xffffffffu));
	r = query(0x40000003, 2, &all_ones, &p);
	report("hv_time_sub2", regs_equal(&r, 2100000, 0, 0, 0));
	p.tsc.emulated = true;
	r = query(0x40000003, 1, &all_ones, &p);
	report("hv_time_vtsc_no_offset", regs_equal(&r, 0, 0, 0x80000000u, 0xffffffffu));
	r = query(0x40000003, 0, &all_ones, &p);
	report("hv_time_vtsc_flag", bits("eax", r.a, 1, 1));
}

static void test_other_hv_leaves(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r;

	p.machine_address_bits = 46;
	r = query(0x40000004, 0, &all_ones, &p);
	report("hv_leaf4_hvm_only_zero", is_zero(&r));
	r = query(0x40000005, 0, &all_ones, &p);
	report("hv_leaf5_address_width", regs_equal(&r, 0, 46, 0, 0));
	r = query(0x40000005, 1, &all_ones, &p);
	report("hv_leaf5_sub1_zero", is_zero(&r));
	r = query(0x40000006, 0, &all_ones, &p);
	report("hv_leaf6_zero", is_zero(&r));
	r = query(0x40000100, 0, &all_ones, &p);
	report("hv_base100_zero", is_zero(&r));
	r = query(0x4fffffff, 0, &all_ones, &p);
	report("hv_4fffffff_zero", is_zero(&r));
}

static void test_leaf1_hidden(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(1, 0, &all_ones, &p);
	uint32_t ecx_hidden = CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_MONITOR |
		CPUID1_ECX_EIST | CPUID1_ECX_TM2 | CPUID1_ECX_DSCPL |
		CPUID1_ECX_PDCM | CPUID1_ECX_DTES64 | CPUID1_ECX_X2APIC |
		CPUID1_ECX_PCID | CPUID1_ECX_TSC_DEADLINE;
	uint32_t edx_hidden = CPUID1_EDX_DS | CPUID1_EDX_TM | CPUID1_EDX_PBE |
		CPUID1_EDX_VME | CPUID1_EDX_PSE | CPUID1_EDX_PGE | CPUID1_EDX_MTRR;

	report("leaf1_ecx_hidden", bits("ecx", r.c, ecx_hidden, 0));
	report("leaf1_edx_hidden", bits("edx", r.d, edx_hidden, 0));
	report("leaf1_sse_kept", bits("edx", r.d, CPUID1_EDX_SSE | CPUID1_EDX_SSE2 |
				      CPUID1_EDX_ACPI | CPUID1_EDX_SEP,
				      CPUID1_EDX_SSE | CPUID1_EDX_SSE2 |
				      CPUID1_EDX_ACPI | CPUID1_EDX_SEP));
	report("leaf1_apic_id_cleared", bits("ebx", r.b, 0xff000000u, 0));
	report("leaf1_ebx_low_kept", bits("ebx", r.b, 0x00ffffffu, 0x00ffffffu));
	report("leaf1_proc_type_cleared", bits("eax", r.a, 0xf000f000u, 0));
	report("leaf1_signature_kept", bits("eax", r.a, 0x0fff0fffu, 0x0fff0fffu));
}

static void test_hypervisor_bit(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs host = { 0x000906ea, 0x00100800, 0, 0 };
	struct cpuid_regs r = query(1, 0, &host, &p);

	report("hypervisor_bit_set_from_clear_host",
	       bits("ecx", r.c, CPUID1_ECX_HYPERVISOR, CPUID1_ECX_HYPERVISOR));
	report("hypervisor_bit_only_bit",
	       bits("ecx", r.c, ~0u, CPUID1_ECX_HYPERVISOR));
	r = query(1, 0, &all_ones, &p);
	report("hypervisor_bit_set_all_ones",
	       bits("ecx", r.c, CPUID1_ECX_HYPERVISOR, CPUID1_ECX_HYPERVISOR));
}

static void test_apic_and_sep(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(1, 0, &all_ones, &p);

	report("apic_passed_by_default", bits("edx", r.d, CPUID1_EDX_APIC, CPUID1_EDX_APIC));
	p.expose_apic = false;
	r = query(1, 0, &all_ones, &p);
	report("apic_hidden_when_not_exposed", bits("edx", r.d, CPUID1_EDX_APIC, 0));
	p = params_for(PV_CPU_VENDOR_AMD);
	r = query(1, 0, &all_ones, &p);
	report("sep_hidden_on_amd", bits("edx", r.d, CPUID1_EDX_SEP, 0));
}

static void test_xsave_bits(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	uint32_t x = CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE | CPUID1_ECX_AVX;
	struct cpuid_regs r = query(1, 0, &all_ones, &p);

	report("xsave_osxsave_avx_default", bits("ecx", r.c, x, x));
	p.osxsave = false;
	r = query(1, 0, &all_ones, &p);
	report("osxsave_follows_param", bits("ecx", r.c, CPUID1_ECX_OSXSAVE, 0));
	p.osxsave = true;
	p.xcr0_mask = 0;
	r = query(1, 0, &all_ones, &p);
	report("no_xcr0_hides_xsave_avx",
	       bits("ecx", r.c, x | CPUID1_ECX_FMA | CPUID1_ECX_F16C, 0));
	r = query(0xd, 0, &all_ones, &p);
	report("no_xcr0_leaf_d_zero", is_zero(&r));
	r = query(7, 0, &all_ones, &p);
	report("no_xcr0_hides_avx2", bits("ebx", r.b, CPUID7_EBX_AVX2, 0));
	p = params_for(PV_CPU_VENDOR_INTEL);
	p.xcr0_mask = PV_XCR0_X87 | PV_XCR0_SSE;
	r = query(1, 0, &all_ones, &p);
	report("no_ymm_keeps_xsave_hides_avx",
	       bits("ecx", r.c, x, CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE));
	p = params_for(PV_CPU_VENDOR_INTEL);
	p.max_basic_leaf = 7;
	r = query(1, 0, &all_ones, &p);
	report("max_leaf_below_d_hides_xsave", bits("ecx", r.c, x, 0));
}

static void test_leaf7(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(7, 0, &all_ones, &p);

	report("leaf7_max_subleaf", bits("eax", r.a, ~0u, 2));
	report("leaf7_smep_smap_invpcid_hidden",
	       bits("ebx", r.b, CPUID7_EBX_SMEP | CPUID7_EBX_SMAP | CPUID7_EBX_INVPCID, 0));
	report("leaf7_pku_umip_ospke_hidden",
	       bits("ecx", r.c, CPUID7_ECX_PKU | CPUID7_ECX_UMIP | CPUID7_ECX_OSPKE, 0));
	report("leaf7_avx2_kept", bits("ebx", r.b, CPUID7_EBX_AVX2, CPUID7_EBX_AVX2));
	report("leaf7_avx512_hidden_default", bits("ebx", r.b, CPUID7_EBX_AVX512F, 0));
	report("leaf7_fsgsbase_hidden_default", bits("ebx", r.b, CPUID7_EBX_FSGSBASE, 0));
	report("leaf7_spec_ctrl_hidden_default",
	       bits("edx", r.d, CPUID7_EDX_IBRSB | CPUID7_EDX_ARCH_CAPS, 0));
	p.xcr0_mask |= PV_XCR0_AVX512;
	p.fsgsbase = p.spec_ctrl = p.arch_caps = true;
	r = query(7, 0, &all_ones, &p);
	report("leaf7_avx512_with_state", bits("ebx", r.b, CPUID7_EBX_AVX512F,
					       CPUID7_EBX_AVX512F));
	report("leaf7_fsgsbase_param", bits("ebx", r.b, CPUID7_EBX_FSGSBASE,
					    CPUID7_EBX_FSGSBASE));
	report("leaf7_spec_ctrl_param",
	       bits("edx", r.d, CPUID7_EDX_IBRSB | CPUID7_EDX_ARCH_CAPS,
		    CPUID7_EDX_IBRSB | CPUID7_EDX_ARCH_CAPS));
	r = query(7, 3, &all_ones, &p);
	report("leaf7_subleaf3_zero", is_zero(&r));
}

static void test_zeroed_basic_leaves(void)
{
	static const uint32_t leaves[] = { 3, 5, 6, 8, 9, 0xa, 0xb, 0xc, 0xe, 0x1f, 0x20 };
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]) && !why; i++) {
		struct cpuid_regs r = query(leaves[i], 0, &all_ones, &p);

		why = is_zero(&r);
	}
	report("basic_leaves_hidden_zero", why);
}

static void test_pmu(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs host = { 0x07300805, 0, 0, 0x603 };
	struct cpuid_regs r;

	p.pmu = true;
	r = query(0xa, 0, &host, &p);
	report("pmu_version_clamped_to_3", regs_equal(&r, 0x07300803, 0, 0, 0x603));
	p = params_for(PV_CPU_VENDOR_AMD);
	p.pmu = true;
	r = query(0xa, 0, &host, &p);
	report("pmu_hidden_on_amd", is_zero(&r));
}

static void test_leaf0_clamp(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(0, 0, &intel_leaf0, &p);

	report("leaf0_clamped_to_d", regs_equal(&r, 0xd, intel_leaf0.b, intel_leaf0.c,
						intel_leaf0.d));
	p.max_basic_leaf = 4;
	r = query(0, 0, &intel_leaf0, &p);
	report("leaf0_param_clamp", bits("eax", r.a, ~0u, 4));
	r = query(7, 0, &all_ones, &p);
	report("leaf_above_clamp_zero", is_zero(&r));
}

static void test_leaf_d(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs host0 = { 0x2e7, 0x340, 0xa88, 0 };
	struct cpuid_regs r = query(0xd, 0, &host0, &p);

	report("xstate_sub0_masked", regs_equal(&r, 0x7, 0x340, 0xa88, 0));
	r = query(0xd, 1, &all_ones, &p);
	report("xstate_sub1_no_xsaves", regs_equal(&r, 0x7, 0, 0, 0));
	r = query(0xd, 2, &(struct cpuid_regs){ 256, 576, 0, 0 }, &p);
	report("xstate_ymm_component", regs_equal(&r, 256, 576, 0, 0));
	r = query(0xd, 5, &(struct cpuid_regs){ 64, 832, 0, 0 }, &p);
	report("xstate_opmask_hidden_default", is_zero(&r));
	r = query(0xd, 9, &(struct cpuid_regs){ 8, 2688, 0, 0 }, &p);
	report("xstate_pkru_hidden", is_zero(&r));
	/* The hypervisor's area size for the offered components replaces ecx. */
	p.xsave_max_size = 832;
	r = query(0xd, 0, &host0, &p);
	report("xstate_sub0_max_size_param", regs_equal(&r, 0x7, 0x340, 832, 0));
}

static void test_leaf4(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs host = { 0xfc004121, 0x01c0003f, 0x3f, 0xffffffff };
	struct cpuid_regs r = query(4, 0, &host, &p);

	report("leaf4_reserved_cleared", regs_equal(&r, 0xfc004121 & 0xffffc3ff,
						    0x01c0003f, 0x3f, 7));
	r = query(4, 4, &(struct cpuid_regs){ 0, 1, 2, 3 }, &p);
	report("leaf4_null_type_zero", is_zero(&r));
	p = params_for(PV_CPU_VENDOR_AMD);
	r = query(4, 0, &host, &p);
	report("leaf4_amd_zero", is_zero(&r));
}

static void test_extended(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = query(0x80000000, 0, &all_ones, &p);

	report("extd0_intel_max", regs_equal(&r, 0x80000008, 0, 0, 0));
	r = query(0x80000001, 0, &all_ones, &p);
	report("extd1_svm_hidden", bits("ecx", r.c, CPUIDX1_ECX_SVM, 0));
	report("extd1_syscall_nx_lm_rdtscp_kept",
	       bits("edx", r.d, CPUIDX1_EDX_SYSCALL | CPUIDX1_EDX_NX | CPUIDX1_EDX_LM |
		    CPUIDX1_EDX_RDTSCP | CPUIDX1_EDX_PAGE1GB,
		    CPUIDX1_EDX_SYSCALL | CPUIDX1_EDX_NX | CPUIDX1_EDX_LM |
		    CPUIDX1_EDX_RDTSCP));
	report("extd1_intel_no_common_bits", bits("edx", r.d, 0x1ffffu & ~CPUIDX1_EDX_SYSCALL, 0));
	r = query(0x80000007, 0, &all_ones, &p);
	report("extd7_no_itsc_default", is_zero(&r));
	p.invariant_tsc = true;
	r = query(0x80000007, 0, &all_ones, &p);
	report("extd7_itsc_param", regs_equal(&r, 0, 0, 0, 1u << 8));
	r = query(0x80000008, 0, &(struct cpuid_regs){ 0x00393030, 0, ~0u, ~0u }, &p);
	report("extd8_sizes_only", regs_equal(&r, 0x3030, 0, 0, 0));
	/* LA57 hosts: a PV guest still has 48 linear address bits. */
	r = query(0x80000008, 0, &(struct cpuid_regs){ 0x3930, 0, 0, 0 }, &p);
	report("extd8_linear_bits_at_most_48", regs_equal(&r, 0x3030, 0, 0, 0));
	r = query(0x80000009, 0, &all_ones, &p);
	report("extd_above_max_zero", is_zero(&r));
	r = query(0x80000002, 0, &(struct cpuid_regs){ 0x65746e49, 1, 2, 3 }, &p);
	report("extd_brand_passthrough", regs_equal(&r, 0x65746e49, 1, 2, 3));
}

static void test_extended_amd(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_AMD);
	struct cpuid_regs r = query(0x80000000, 0, &amd_extd0, &p);

	report("extd0_amd_clamp_vendor",
	       regs_equal(&r, 0x80000021, amd_extd0.b, amd_extd0.c, amd_extd0.d));
	r = query(0x80000001, 0, &all_ones, &p);
	report("extd1_amd_common_follow_leaf1",
	       bits("edx", r.d, CPUID1_EDX_VME | CPUID1_EDX_PSE | CPUID1_EDX_MTRR | 1u,
		    1u));
	report("extd1_amd_svm_page1gb_hidden",
	       FIRST(bits("ecx", r.c, CPUIDX1_ECX_SVM, 0),
		     bits("edx", r.d, CPUIDX1_EDX_PAGE1GB, 0)));
	r = query(0x8000000a, 0, &all_ones, &p);
	report("extd_svm_leaf_zero", is_zero(&r));
	r = query(0x80000021, 0, &all_ones, &p);
	report("extd21_srso_us_no_hidden", bits("eax", r.a, 1u << 30, 0));
	r = query(0x80000022, 0, &all_ones, &p);
	report("extd_above_amd_max_zero", is_zero(&r));
}

static void test_unknown_ranges(void)
{
	static const uint32_t leaves[] = { 0x20000000, 0x3fffffff, 0x50000000,
					   0x7fffffff, 0xc0000000, 0xffffffff };
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]) && !why; i++) {
		struct cpuid_regs r = query(leaves[i], 0, &all_ones, &p);

		why = is_zero(&r);
	}
	report("unknown_leaf_ranges_zero", why);
}

static void test_alias_and_vendor(void)
{
	struct pv_cpuid_params p = params_for(PV_CPU_VENDOR_INTEL);
	struct cpuid_regs r = all_ones;

	pv_cpuid_policy(1, 0, &r, &r, &p);
	report("host_out_alias", bits("ecx", r.c, CPUID1_ECX_VMX | CPUID1_ECX_HYPERVISOR,
				      CPUID1_ECX_HYPERVISOR));
	report("vendor_detect",
	       pv_cpuid_vendor(&intel_leaf0) == PV_CPU_VENDOR_INTEL &&
	       pv_cpuid_vendor(&amd_leaf0) == PV_CPU_VENDOR_AMD &&
	       pv_cpuid_vendor(&hygon_leaf0) == PV_CPU_VENDOR_AMD &&
	       pv_cpuid_vendor(&all_ones) == PV_CPU_VENDOR_OTHER ? NULL : "wrong vendor");
	report("params_init_defaults",
	       p.xen_major == 4 && p.xen_minor == 17 && p.max_basic_leaf == 0x1f &&
	       p.vendor == PV_CPU_VENDOR_INTEL ? NULL : "unexpected defaults");
}

int main(void)
{
	test_signature();
	test_version();
	test_hypercall_leaf();
	test_time_leaf();
	test_other_hv_leaves();
	test_leaf1_hidden();
	test_hypervisor_bit();
	test_apic_and_sep();
	test_xsave_bits();
	test_leaf7();
	test_zeroed_basic_leaves();
	test_pmu();
	test_leaf0_clamp();
	test_leaf_d();
	test_leaf4();
	test_extended();
	test_extended_amd();
	test_unknown_ranges();
	test_alias_and_vendor();
	return failures ? 1 : 0;
}
