/*
 * Lamina PV ABI: the x86-64 specific part.
 *
 * Lamina speaks Xen's 64-bit PV guest ABI. The names below are the ones the
 * Xen public headers use, so code written against Xen builds unchanged; the
 * text and layout of this file are Lamina's own. Values and layouts are
 * checked against /usr/include/xen by tests/unit/test_abi_conformance.
 *
 * Usable from C and (with __ASSEMBLY__ defined) from assembly.
 */
#ifndef LAMINA_PV_ARCH_X86_64_H
#define LAMINA_PV_ARCH_X86_64_H

/*
 * Typed integer literals that also work in assembly, where C suffixes are
 * not understood. The two-step form lets the argument be a macro.
 */
#ifdef __ASSEMBLY__
#define xen_mk_uint(x)   x
#define xen_mk_ulong(x)  x
#define xen_mk_ullong(x) x
#else
#define __xen_mk_uint(x)   x##U
#define __xen_mk_ulong(x)  x##UL
#define __xen_mk_ullong(x) x##ULL
#define xen_mk_uint(x)   __xen_mk_uint(x)
#define xen_mk_ulong(x)  __xen_mk_ulong(x)
#define xen_mk_ullong(x) __xen_mk_ullong(x)
#endif

/*
 * Segment selectors of the flat descriptors the hypervisor keeps in the
 * reserved top of every guest GDT. Guest kernel and guest user both run in
 * ring 3, so the "kernel" and "user" names are aliases of the ring-3 ones.
 * 64-bit data segments are the null selector.
 */
#define FLAT_RING3_CS32 0xe023
#define FLAT_RING3_CS64 0xe033
#define FLAT_RING3_DS32 0xe02b
#define FLAT_RING3_DS64 0x0000
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b

#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS   FLAT_KERNEL_DS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64

#define FLAT_USER_CS32 FLAT_RING3_CS32
#define FLAT_USER_CS64 FLAT_RING3_CS64
#define FLAT_USER_CS   FLAT_USER_CS64
#define FLAT_USER_DS32 FLAT_RING3_DS32
#define FLAT_USER_DS64 FLAT_RING3_DS64
#define FLAT_USER_DS   FLAT_USER_DS64
#define FLAT_USER_SS32 FLAT_RING3_SS32
#define FLAT_USER_SS64 FLAT_RING3_SS64
#define FLAT_USER_SS   FLAT_USER_SS64

/*
 * Virtual addresses the hypervisor keeps for itself (L4 slots 256..271).
 * The machine-to-physical table is mapped read-only for guests at the
 * start of that hole, one 8-byte entry per machine frame.
 */
#define __HYPERVISOR_VIRT_START 0xFFFF800000000000
#define __HYPERVISOR_VIRT_END   0xFFFF880000000000
#define __MACH2PHYS_VIRT_START  0xFFFF800000000000
#define __MACH2PHYS_VIRT_END    0xFFFF804000000000

#ifndef HYPERVISOR_VIRT_START
#define HYPERVISOR_VIRT_START xen_mk_ulong(__HYPERVISOR_VIRT_START)
#define HYPERVISOR_VIRT_END   xen_mk_ulong(__HYPERVISOR_VIRT_END)
#endif
#define MACH2PHYS_VIRT_START  xen_mk_ulong(__MACH2PHYS_VIRT_START)
#define MACH2PHYS_VIRT_END    xen_mk_ulong(__MACH2PHYS_VIRT_END)
#define MACH2PHYS_NR_ENTRIES  ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)

#ifndef machine_to_phys_mapping
#define machine_to_phys_mapping ((unsigned long *)HYPERVISOR_VIRT_START)
#endif

/* Which segment base HYPERVISOR_set_segment_base changes. */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3   /* loads the user %gs selector from base[15:0] */

/*
 * Flag word pushed by the guest under its iret frame: when set, the frame
 * came from a guest syscall and may be returned to with SYSRET (rcx and r11
 * are then not restored).
 */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall  (1 << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL  VGCF_in_syscall

/* Only the first 14 GDT pages belong to the guest; the rest are reserved. */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

/* shared_info carries vcpu_info slots for this many vCPUs. */
#define XEN_LEGACY_MAX_VCPUS 32

/* This ABI has PV guests, and their vcpu_info has an upcall mask. */
#define XEN_HAVE_PV_GUEST_ENTRY 1
#define XEN_HAVE_PV_UPCALL_MASK 1

/* Flag bits of vcpu_guest_context.flags. */
#define _VGCF_i387_valid               0
#define VGCF_i387_valid                (1 << _VGCF_i387_valid)
#define VGCF_I387_VALID                VGCF_i387_valid
#define _VGCF_in_kernel                2
#define VGCF_in_kernel                 (1 << _VGCF_in_kernel)
#define VGCF_IN_KERNEL                 VGCF_in_kernel
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1 << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1 << _VGCF_syscall_disables_events)
#define _VGCF_online                   5
#define VGCF_online                    (1 << _VGCF_online)

/* Convert between a frame number and the cr3 value that points at it. */
#define xen_pfn_to_cr3(pfn) ((unsigned long)(pfn) << 12)
#define xen_cr3_to_pfn(cr3) ((unsigned long)(cr3) >> 12)

/*
 * trap_info.flags: bits 0-1 are the privilege level allowed to raise the
 * vector with INT n; bit 2 asks for events to be masked on entry.
 */
#define TI_GET_DPL(_ti)       ((_ti)->flags & 3)
#define TI_GET_IF(_ti)        ((_ti)->flags & 4)
#define TI_SET_DPL(_ti, _dpl) ((_ti)->flags |= (_dpl))
#define TI_SET_IF(_ti, _if)   ((_ti)->flags |= ((!!(_if)) << 2))

#ifndef __ASSEMBLY__

#include <stdint.h>

/*
 * Guest handles: a guest pointer passed to the hypervisor, wrapped in a
 * one-member struct so that handles to different types do not mix. For
 * every pointee a plain and a const flavour are declared.
 */
#define __DEFINE_XEN_GUEST_HANDLE(name, type)                        \
	typedef struct { type *p; } __guest_handle_##name;           \
	typedef struct { const type *p; } __guest_handle_const_##name
#define DEFINE_XEN_GUEST_HANDLE(name) __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)      __guest_handle_##name
#define XEN_GUEST_HANDLE(name)        __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)  XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val) do { (hnd).p = (val); } while (0)
#define set_xen_guest_handle(hnd, val)     set_xen_guest_handle_raw(hnd, val)

/* Machine-word sized unsigned integer and frame number. */
typedef unsigned long xen_ulong_t;
typedef unsigned long xen_pfn_t;

/* A callback is a plain 64-bit address (the code selector is implied). */
typedef unsigned long xen_callback_t;

/* A raw time-stamp counter value. */
typedef uint64_t tsc_timestamp_t;

/* One entry of the virtual IDT handed over by HYPERVISOR_set_trap_table. */
struct trap_info {
	uint8_t vector;         /* exception vector number */
	uint8_t flags;          /* DPL in bits 0-1, mask-events in bit 2 */
	uint16_t cs;            /* handler code selector */
	unsigned long address;  /* handler entry point */
};
typedef struct trap_info trap_info_t;
DEFINE_XEN_GUEST_HANDLE(trap_info_t);

/*
 * What HYPERVISOR_iret finds at the guest stack pointer: the three
 * registers the hypercall stub pushed, the flag word (VGCF_in_syscall),
 * then an ordinary 64-bit interrupt frame.
 */
struct iret_context {
	uint64_t rax, r11, rcx, flags;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * Saved guest registers. Each general register is a union so that every
 * width of it can be named (rax/eax/ax/al/ah, r8/r8d/r8w/r8b, ...).
 */
struct cpu_user_regs {
	union { uint64_t r15; uint32_t r15d; uint16_t r15w; uint8_t r15b; };
	union { uint64_t r14; uint32_t r14d; uint16_t r14w; uint8_t r14b; };
	union { uint64_t r13; uint32_t r13d; uint16_t r13w; uint8_t r13b; };
	union { uint64_t r12; uint32_t r12d; uint16_t r12w; uint8_t r12b; };
	union { uint64_t rbp; uint32_t ebp; uint16_t bp; uint8_t bpl; };
	union { uint64_t rbx; uint32_t ebx; uint16_t bx;
		struct { uint8_t bl, bh; }; };
	union { uint64_t r11; uint32_t r11d; uint16_t r11w; uint8_t r11b; };
	union { uint64_t r10; uint32_t r10d; uint16_t r10w; uint8_t r10b; };
	union { uint64_t r9; uint32_t r9d; uint16_t r9w; uint8_t r9b; };
	union { uint64_t r8; uint32_t r8d; uint16_t r8w; uint8_t r8b; };
	union { uint64_t rax; uint32_t eax; uint16_t ax;
		struct { uint8_t al, ah; }; };
	union { uint64_t rcx; uint32_t ecx; uint16_t cx;
		struct { uint8_t cl, ch; }; };
	union { uint64_t rdx; uint32_t edx; uint16_t dx;
		struct { uint8_t dl, dh; }; };
	union { uint64_t rsi; uint32_t esi; uint16_t si; uint8_t sil; };
	union { uint64_t rdi; uint32_t edi; uint16_t di; uint8_t dil; };
	uint32_t error_code;    /* hypervisor private */
	uint32_t entry_vector;  /* hypervisor private */
	union { uint64_t rip; uint32_t eip; uint16_t ip; };
	uint16_t cs, _pad0[1];
	uint8_t saved_upcall_mask;  /* vcpu_info upcall mask at entry */
	uint8_t _pad1[3];
	union { uint64_t rflags; uint32_t eflags; uint16_t flags; };
	union { uint64_t rsp; uint32_t esp; uint16_t sp; uint8_t spl; };
	uint16_t ss, _pad2[3];
	uint16_t es, _pad3[3];
	uint16_t ds, _pad4[3];
	uint16_t fs, _pad5[3];
	uint16_t gs, _pad6[3];
};
typedef struct cpu_user_regs cpu_user_regs_t;
DEFINE_XEN_GUEST_HANDLE(cpu_user_regs_t);

/* Per-vCPU architectural state inside vcpu_info: the last #PF address. */
struct arch_vcpu_info {
	unsigned long cr2;
	unsigned long pad;      /* keeps vcpu_info at 64 bytes */
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

/* Per-domain architectural state inside shared_info (p2m publication). */
struct arch_shared_info {
	unsigned long max_pfn;          /* entries in the p2m list */
	xen_pfn_t pfn_to_mfn_frame_list_list; /* 3-level p2m tree root, 0/~0 */
	unsigned long nmi_reason;
	unsigned long p2m_cr3;          /* address space of p2m_vaddr, or 0 */
	unsigned long p2m_vaddr;        /* linear p2m list */
	unsigned long p2m_generation;   /* odd while the guest remaps it */
};
typedef struct arch_shared_info arch_shared_info_t;

/* Full register state of a vCPU (VCPUOP_initialise, domain building). */
struct vcpu_guest_context {
	struct { char x[512]; } fpu_ctxt;  /* FXSAVE image, kept first */
	unsigned long flags;               /* VGCF_* */
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];   /* virtual IDT */
	unsigned long ldt_base, ldt_ents;  /* LDT linear address and size */
	unsigned long gdt_frames[16], gdt_ents; /* GDT machine frames, size */
	unsigned long kernel_ss, kernel_sp;     /* guest kernel stack */
	unsigned long ctrlreg[8];          /* CR0-CR7; ctrlreg[1] = user L4 */
	unsigned long debugreg[8];         /* DR0-DR7 */
	unsigned long event_callback_eip;
	unsigned long failsafe_callback_eip;
	unsigned long syscall_callback_eip;
	unsigned long vm_assist;           /* VMASST_TYPE_* bitmap */
	uint64_t fs_base;
	uint64_t gs_base_kernel;
	uint64_t gs_base_user;
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_guest_context_t);

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_ARCH_X86_64_H */
