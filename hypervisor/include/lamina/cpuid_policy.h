/*
 * The CPUID view of a 64-bit PV guest (what forced-emulation cpuid, or a
 * cpuid trapped by CPUID faulting, returns).  The hypervisor executes the
 * real cpuid for the requested leaf/subleaf and passes the result here;
 * pv_cpuid_policy() filters it the way Xen's default PV policy does and
 * answers the Xen hypervisor leaves 0x40000000-0x40000005 itself.
 * Pure logic: no hardware access.
 */
#ifndef LAMINA_CPUID_POLICY_H
#define LAMINA_CPUID_POLICY_H

#include <stdint.h>
#include <stdbool.h>

struct cpuid_regs {
	uint32_t a, b, c, d;
};

enum pv_cpu_vendor {
	PV_CPU_VENDOR_OTHER = 0,
	PV_CPU_VENDOR_INTEL,
	PV_CPU_VENDOR_AMD,	/* also Hygon: same CPUID layout */
};

/* Xen version Lamina reports, so guests treat it as Xen 4.17. */
#define PV_CPUID_XEN_MAJOR 4
#define PV_CPUID_XEN_MINOR 17

/* Hypervisor leaves (public/arch-x86/cpuid.h). */
#define PV_CPUID_HV_BASE		0x40000000u
#define PV_CPUID_HV_LEAVES		5	/* PV: base+0 .. base+5 */
#define PV_CPUID_HV_SIG_EBX		0x566e6558u	/* "XenV" */
#define PV_CPUID_HV_SIG_ECX		0x65584d4du	/* "MMXe" */
#define PV_CPUID_HV_SIG_EDX		0x4d4d566eu	/* "nVMM" */
#define PV_CPUID_HV_MSR_BASE		0x40000000u
#define PV_CPUID_FEAT1_PRESERVE_AD	(1u << 0)	/* mmu_update PT_UPDATE_PRESERVE_AD */

/* Highest leaves a PV guest may see (Xen 4.17 CPUID_GUEST_NR_*). */
#define PV_CPUID_MAX_BASIC_LEAF		0xdu
#define PV_CPUID_MAX_FEAT_SUBLEAF	2u
#define PV_CPUID_MAX_EXTD_INTEL		0x80000008u
#define PV_CPUID_MAX_EXTD_AMD		0x80000021u

/* XCR0 state components. */
#define PV_XCR0_X87		(1ull << 0)
#define PV_XCR0_SSE		(1ull << 1)
#define PV_XCR0_YMM		(1ull << 2)
#define PV_XCR0_OPMASK		(1ull << 5)
#define PV_XCR0_ZMM_HI256	(1ull << 6)
#define PV_XCR0_HI16_ZMM	(1ull << 7)
#define PV_XCR0_AVX512		(PV_XCR0_OPMASK | PV_XCR0_ZMM_HI256 | PV_XCR0_HI16_ZMM)
/* Components a PV guest may ever enable (no MPX, PKRU, AMX, CET...). */
#define PV_XCR0_PV_ALLOWED	(PV_XCR0_X87 | PV_XCR0_SSE | PV_XCR0_YMM | PV_XCR0_AVX512)

/* Feature bits the policy and its tests name. */
#define CPUID1_EDX_VME		(1u << 1)
#define CPUID1_EDX_PSE		(1u << 3)
#define CPUID1_EDX_APIC		(1u << 9)
#define CPUID1_EDX_SEP		(1u << 11)
#define CPUID1_EDX_MTRR		(1u << 12)
#define CPUID1_EDX_PGE		(1u << 13)
#define CPUID1_EDX_DS		(1u << 21)
#define CPUID1_EDX_ACPI		(1u << 22)
#define CPUID1_EDX_SSE		(1u << 25)
#define CPUID1_EDX_SSE2		(1u << 26)
#define CPUID1_EDX_TM		(1u << 29)
#define CPUID1_EDX_PBE		(1u << 31)
#define CPUID1_ECX_DTES64	(1u << 2)
#define CPUID1_ECX_MONITOR	(1u << 3)
#define CPUID1_ECX_DSCPL	(1u << 4)
#define CPUID1_ECX_VMX		(1u << 5)
#define CPUID1_ECX_SMX		(1u << 6)
#define CPUID1_ECX_EIST		(1u << 7)
#define CPUID1_ECX_TM2		(1u << 8)
#define CPUID1_ECX_FMA		(1u << 12)
#define CPUID1_ECX_PDCM		(1u << 15)
#define CPUID1_ECX_PCID		(1u << 17)
#define CPUID1_ECX_X2APIC	(1u << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)
#define CPUID1_ECX_F16C		(1u << 29)
#define CPUID1_ECX_HYPERVISOR	(1u << 31)
#define CPUID7_EBX_FSGSBASE	(1u << 0)
#define CPUID7_EBX_AVX2		(1u << 5)
#define CPUID7_EBX_SMEP		(1u << 7)
#define CPUID7_EBX_INVPCID	(1u << 10)
#define CPUID7_EBX_AVX512F	(1u << 16)
#define CPUID7_EBX_SMAP		(1u << 20)
#define CPUID7_ECX_UMIP		(1u << 2)
#define CPUID7_ECX_PKU		(1u << 3)
#define CPUID7_ECX_OSPKE	(1u << 4)
#define CPUID7_EDX_IBRSB	(1u << 26)
#define CPUID7_EDX_ARCH_CAPS	(1u << 29)
#define CPUIDX1_ECX_SVM		(1u << 2)
#define CPUIDX1_EDX_SYSCALL	(1u << 11)
#define CPUIDX1_EDX_NX		(1u << 20)
#define CPUIDX1_EDX_PAGE1GB	(1u << 26)
#define CPUIDX1_EDX_RDTSCP	(1u << 27)
#define CPUIDX1_EDX_LM		(1u << 29)

/* Values for the Xen time leaf (0x40000003), from the domain's TSC setup. */
struct pv_cpuid_tsc {
	bool emulated;		/* rdtsc is emulated (vtsc) */
	bool host_reliable;	/* host TSC known constant and synchronised */
	bool rdtscp;		/* host has RDTSCP */
	uint32_t mode;		/* 0 default, 1 always emulate, 2 never emulate */
	uint32_t khz;		/* guest TSC frequency */
	uint32_t incarnation;	/* migration count */
	uint64_t offset;	/* guest TSC offset (reported only if !emulated) */
	uint32_t mul_frac;	/* tsc -> ns: ns = (tsc << shift) * mul_frac >> 32 */
	int8_t shift;
	uint32_t host_khz;	/* physical TSC frequency */
};

struct pv_cpuid_params {
	uint16_t xen_major, xen_minor;	/* reported in leaf 0x40000001 */
	enum pv_cpu_vendor vendor;	/* from host leaf 0 */
	uint32_t max_basic_leaf;	/* host's leaf 0 eax (clamped to 0xd) */
	uint32_t max_extd_leaf;		/* host's 0x80000000 eax (clamped), 0 = none */
	uint64_t xcr0_mask;		/* XCR0 bits the guest may set; 0 hides XSAVE */
	bool osxsave;		/* report OSXSAVE (guest CR4.OSXSAVE, or FEP from the kernel) */
	bool expose_apic;	/* pass the host's APIC bit through */
	bool fsgsbase;		/* guest may turn on CR4.FSGSBASE */
	bool pmu;		/* expose the architectural PMU leaf 0xa (Intel) */
	bool invariant_tsc;	/* pass the host's invariant-TSC bit through */
	bool spec_ctrl;		/* MSR_SPEC_CTRL / MSR_PRED_CMD are virtualised */
	bool arch_caps;		/* MSR_ARCH_CAPABILITIES reads are emulated */
	bool preserve_ad;	/* mmu_update supports MMU_PT_UPDATE_PRESERVE_AD */
	uint8_t machine_address_bits;	/* leaf 0x40000005 ebx */
	uint32_t xsave_max_size;	/* leaf 0xd.0 ecx; 0: the host's */
	struct pv_cpuid_tsc tsc;
};

/*
 * Fill *p with Lamina's defaults for a host whose leaf 0 and leaf
 * 0x80000000 returned *host_leaf0 and *host_extd0: vendor and max leaves
 * from them, Xen 4.17, XCR0 limited to x87/SSE/AVX, OSXSAVE reported, the
 * host's APIC bit passed through (as Xen does); FSGSBASE, PMU, invariant
 * TSC, SPEC_CTRL and ARCH_CAPS hidden until the hypervisor supports them.
 */
void pv_cpuid_params_init(struct pv_cpuid_params *p,
			  const struct cpuid_regs *host_leaf0,
			  const struct cpuid_regs *host_extd0);

/* Vendor from the host's leaf 0 (GenuineIntel, AuthenticAMD, HygonGenuine). */
enum pv_cpu_vendor pv_cpuid_vendor(const struct cpuid_regs *leaf0);

/*
 * What the guest sees for (leaf, subleaf), given what the real CPU returned
 * for the same (leaf, subleaf) in *host.  host and out may be the same.
 */
void pv_cpuid_policy(uint32_t leaf, uint32_t subleaf,
		     const struct cpuid_regs *host, struct cpuid_regs *out,
		     const struct pv_cpuid_params *p);

#endif
