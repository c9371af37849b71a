/*
 * Lamina PV ABI: core definitions shared by every hypercall.
 *
 * Hypercall numbers, virtual IRQs, page-table update commands, domain ids
 * and the three pages a PV guest starts from (start_info, shared_info with
 * its vcpu_info slots). Identifiers follow Xen's public headers so ported
 * code compiles; values are checked by tests/unit/test_abi_conformance.
 */
#ifndef LAMINA_PV_XEN_H
#define LAMINA_PV_XEN_H

#include "arch-x86_64.h"

/*
 * Hypercall numbers: the index of the 32-byte stub in the hypercall page,
 * and the value in %rax at `syscall`.
 */
#define __HYPERVISOR_set_trap_table           0
#define __HYPERVISOR_mmu_update               1
#define __HYPERVISOR_set_gdt                  2
#define __HYPERVISOR_stack_switch             3
#define __HYPERVISOR_set_callbacks            4
#define __HYPERVISOR_fpu_taskswitch           5
#define __HYPERVISOR_sched_op_compat          6   /* old form of sched_op */
#define __HYPERVISOR_platform_op              7
#define __HYPERVISOR_set_debugreg             8
#define __HYPERVISOR_get_debugreg             9
#define __HYPERVISOR_update_descriptor       10
#define __HYPERVISOR_memory_op               12
#define __HYPERVISOR_multicall               13
#define __HYPERVISOR_update_va_mapping       14
#define __HYPERVISOR_set_timer_op            15
#define __HYPERVISOR_event_channel_op_compat 16   /* old form */
#define __HYPERVISOR_xen_version             17
#define __HYPERVISOR_console_io              18
#define __HYPERVISOR_physdev_op_compat       19   /* old form */
#define __HYPERVISOR_grant_table_op          20
#define __HYPERVISOR_vm_assist               21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                    23
#define __HYPERVISOR_vcpu_op                 24
#define __HYPERVISOR_set_segment_base        25
#define __HYPERVISOR_mmuext_op               26
#define __HYPERVISOR_xsm_op                  27
#define __HYPERVISOR_nmi_op                  28
#define __HYPERVISOR_sched_op                29
#define __HYPERVISOR_callback_op             30
#define __HYPERVISOR_xenoprof_op             31
#define __HYPERVISOR_event_channel_op        32
#define __HYPERVISOR_physdev_op              33
#define __HYPERVISOR_hvm_op                  34
#define __HYPERVISOR_sysctl                  35
#define __HYPERVISOR_domctl                  36
#define __HYPERVISOR_kexec_op                37
#define __HYPERVISOR_tmem_op                 38
#define __HYPERVISOR_argo_op                 39
#define __HYPERVISOR_xenpmu_op               40
#define __HYPERVISOR_dm_op                   41
#define __HYPERVISOR_hypfs_op                42

/* Numbers left to each architecture. */
#define __HYPERVISOR_arch_0                  48
#define __HYPERVISOR_arch_1                  49
#define __HYPERVISOR_arch_2                  50
#define __HYPERVISOR_arch_3                  51
#define __HYPERVISOR_arch_4                  52
#define __HYPERVISOR_arch_5                  53
#define __HYPERVISOR_arch_6                  54
#define __HYPERVISOR_arch_7                  55

/*
 * Virtual IRQs, bound to event channels with EVTCHNOP_bind_virq.
 * Per-vCPU: TIMER, DEBUG, XENOPROF, XENPMU. The others are global and
 * mostly meant for the control domain.
 */
#define VIRQ_TIMER       0   /* timer deadline reached / time update */
#define VIRQ_DEBUG       1   /* please dump debug state */
#define VIRQ_CONSOLE     2   /* input on the hypervisor console */
#define VIRQ_DOM_EXC     3   /* a domain hit an exceptional condition */
#define VIRQ_TBUF        4   /* trace records ready */
#define VIRQ_DEBUGGER    6   /* a domain paused for a debugger */
#define VIRQ_XENOPROF    7   /* profiling sample ready */
#define VIRQ_CON_RING    8   /* hypervisor console ring has new bytes */
#define VIRQ_PCPU_STATE  9   /* a physical CPU changed state */
#define VIRQ_MEM_EVENT  10   /* a memory event happened */
#define VIRQ_ARGO       11   /* Argo message notification */
#define VIRQ_ENOMEM     12   /* hypervisor heap is low */
#define VIRQ_XENPMU     13   /* PMU counter interrupt */

#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23

#define NR_VIRQS        24

/*
 * mmu_update requests: the low 2 bits of mmu_update.ptr select the kind,
 * the rest is a machine address.
 */
#define MMU_NORMAL_PT_UPDATE       0  /* validated write of a PTE */
#define MMU_MACHPHYS_UPDATE        1  /* set the M2P entry of a frame */
#define MMU_PT_UPDATE_PRESERVE_AD  2  /* PTE write keeping Accessed/Dirty */
#define MMU_PT_UPDATE_NO_TRANSLATE 3  /* PTE write, val taken as-is */

/* mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE        0
#define MMUEXT_PIN_L2_TABLE        1
#define MMUEXT_PIN_L3_TABLE        2
#define MMUEXT_PIN_L4_TABLE        3
#define MMUEXT_UNPIN_TABLE         4
#define MMUEXT_NEW_BASEPTR         5
#define MMUEXT_TLB_FLUSH_LOCAL     6
#define MMUEXT_INVLPG_LOCAL        7
#define MMUEXT_TLB_FLUSH_MULTI     8
#define MMUEXT_INVLPG_MULTI        9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

/*
 * update_va_mapping flags: a flush type in bits 0-1, a scope in bit 2.
 * For a subset of vCPUs, OR a pointer to their bitmap into the flags.
 */
#define UVMF_NONE           (xen_mk_ulong(0) << 0)
#define UVMF_TLB_FLUSH      (xen_mk_ulong(1) << 0)
#define UVMF_INVLPG         (xen_mk_ulong(2) << 0)
#define UVMF_FLUSHTYPE_MASK (xen_mk_ulong(3) << 0)
#define UVMF_MULTI          (xen_mk_ulong(0) << 2)
#define UVMF_LOCAL          (xen_mk_ulong(0) << 2)
#define UVMF_ALL            (xen_mk_ulong(1) << 2)

/* console_io commands. */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* vm_assist commands and the assists they switch. */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2  /* trap-and-emulate PTE writes */
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_architectural_iopl   4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict           32

/*
 * Domain ids. Ordinary domains are numbered below DOMID_FIRST_RESERVED;
 * the values from there up name special owners or contexts.
 */
#define DOMID_FIRST_RESERVED xen_mk_uint(0x7FF0)
#define DOMID_SELF           xen_mk_uint(0x7FF0)  /* the calling domain */
#define DOMID_IO             xen_mk_uint(0x7FF1)  /* owner of I/O memory */
#define DOMID_XEN            xen_mk_uint(0x7FF2)  /* owner of hypervisor pages */
#define DOMID_COW            xen_mk_uint(0x7FF3)  /* shared copy-on-write pages */
#define DOMID_INVALID        xen_mk_uint(0x7FF4)  /* owner unknown */
#define DOMID_IDLE           xen_mk_uint(0x7FFF)  /* the idle domain */
#define DOMID_MASK           xen_mk_uint(0x7FFF)

/* vcpu_time_info.flags bits. */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1)

/* Length of start_info.cmd_line, including the terminating NUL. */
#define MAX_GUEST_CMDLINE 1024

/* start_info.flags bits. */
#define SIF_PRIVILEGED      (1 << 0)    /* domain may use privileged ops */
#define SIF_INITDOMAIN      (1 << 1)    /* this is the initial domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)    /* mod_start is a module list */
#define SIF_MOD_START_PFN   (1 << 3)    /* mod_start is a PFN, not a VA */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)    /* tools understand a linear p2m */
#define SIF_PM_MASK         (0xFF << 8) /* power-management options */

/* dom0_vga_console_info.video_type values. */
#define XEN_VGATYPE_TEXT_MODE_3 0x03
#define XEN_VGATYPE_VESA_LFB    0x23
#define XEN_VGATYPE_EFI_LFB     0x70

#ifndef __ASSEMBLY__

/* Handles to primitive types used by many hypercalls. */
DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);

typedef uint16_t domid_t;

/* A domain's 16-byte UUID. */
typedef uint8_t xen_domain_handle_t[16];

/*
 * One page-table or M2P update for HYPERVISOR_mmu_update. ptr is a machine
 * address whose low bits carry the MMU_* request type.
 */
struct mmu_update {
	uint64_t ptr;
	uint64_t val;
};
typedef struct mmu_update mmu_update_t;
DEFINE_XEN_GUEST_HANDLE(mmu_update_t);

/* One extended MMU command for HYPERVISOR_mmuext_op. */
struct mmuext_op {
	unsigned int cmd;               /* MMUEXT_* */
	union {
		xen_pfn_t mfn;              /* pin/unpin, baseptr, clear/copy, super */
		unsigned long linear_addr;  /* invlpg, set_ldt */
	} arg1;
	union {
		unsigned int nr_ents;       /* set_ldt */
		XEN_GUEST_HANDLE(const_void) vcpumask; /* *_MULTI */
		xen_pfn_t src_mfn;          /* copy_page */
	} arg2;
};
typedef struct mmuext_op mmuext_op_t;
DEFINE_XEN_GUEST_HANDLE(mmuext_op_t);

/* One call of a HYPERVISOR_multicall batch; result is written back. */
struct multicall_entry {
	xen_ulong_t op, result;
	xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);

/*
 * Per-vCPU time base. The hypervisor makes version odd while it updates the
 * record and even again afterwards; readers retry until they see the same
 * even version before and after. Now, in ns since boot, is
 *   system_time + (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul >> 32)
 * with a negative tsc_shift meaning a right shift.
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;              /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

/*
 * Per-vCPU event state (64 bytes). The hypervisor sets upcall_pending and a
 * bit of pending_sel per word of shared_info.evtchn_pending with new work;
 * while upcall_mask is non-zero no event callback is made.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	xen_ulong_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	vcpu_time_info_t time;
};
typedef struct vcpu_info vcpu_info_t;

/*
 * The page shared between the hypervisor and a domain: vcpu_info slots,
 * the two-level event channel bitmaps (pending, mask) and the wall clock
 * (seconds and ns since the epoch at system time 0, versioned like
 * vcpu_time_info).
 */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
	xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

/*
 * The start-of-day page the domain builder fills in; %rsi points at it
 * when a PV guest starts. All addresses are guest-virtual unless noted.
 */
struct start_info {
	char magic[32];             /* "xen-<version>-<platform>" */
	unsigned long nr_pages;     /* pages given to the domain */
	unsigned long shared_info;  /* machine address of shared_info */
	uint32_t flags;             /* SIF_* */
	xen_pfn_t store_mfn;        /* xenstore ring frame */
	uint32_t store_evtchn;      /* xenstore event channel */
	union {
		struct {
			xen_pfn_t mfn;      /* console ring frame */
			uint32_t evtchn;    /* console event channel */
		} domU;
		struct {
			uint32_t info_off;  /* offset of dom0_vga_console_info */
			uint32_t info_size; /* its size */
		} dom0;
	} console;
	unsigned long pt_base;      /* the bootstrap L4 */
	unsigned long nr_pt_frames; /* bootstrap page-table frames */
	unsigned long mfn_list;     /* the p2m array */
	unsigned long mod_start;    /* initial module (PFN with SIF_MOD_START_PFN) */
	unsigned long mod_len;      /* its size in bytes */
	int8_t cmd_line[MAX_GUEST_CMDLINE];
	unsigned long first_p2m_pfn; /* first pfn of the p2m/page-table range */
	unsigned long nr_p2m_frames; /* its length in frames */
};
typedef struct start_info start_info_t;

/*
 * With SIF_MULTIBOOT_MOD, mod_start points at an array of these, ended by
 * an entry with mod_start == 0. Addresses are guest physical.
 */
struct xen_multiboot_mod_list {
	uint32_t mod_start;     /* first byte of the module */
	uint32_t mod_end;       /* last byte of the module, inclusive */
	uint32_t cmdline;       /* NUL-terminated command line */
	uint32_t pad;           /* zero */
};

/* What the initial domain is told about the boot display. */
typedef struct dom0_vga_console_info {
	uint8_t video_type;     /* XEN_VGATYPE_* */
	union {
		struct {
			uint16_t font_height;
			uint16_t cursor_x, cursor_y;
			uint16_t rows, columns;
		} text_mode_3;
		struct {
			uint16_t width, height;
			uint16_t bytes_per_line;
			uint16_t bits_per_pixel;
			uint32_t lfb_base;      /* low 32 bits of the framebuffer */
			uint32_t lfb_size;      /* in 64 KiB units */
			uint8_t red_pos, red_size;
			uint8_t green_pos, green_size;
			uint8_t blue_pos, blue_size;
			uint8_t rsvd_pos, rsvd_size;
			uint32_t gbl_caps;      /* VBE capabilities */
			uint16_t mode_attrs;    /* VBE mode attributes */
			uint16_t pad;
			uint32_t ext_lfb_base;  /* high 32 bits of the framebuffer */
		} vesa_lfb;
	} u;
} dom0_vga_console_info_t;

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_XEN_H */
