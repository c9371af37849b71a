/*
 * Lamina PV ABI: ELF note types a PV kernel uses to describe itself.
 *
 * The notes live in a PT_NOTE segment with owner name "Xen". Numeric notes
 * hold a little-endian integer of 4 or 8 bytes; string notes hold a
 * NUL-terminated string.
 */
#ifndef LAMINA_PV_ELFNOTE_H
#define LAMINA_PV_ELFNOTE_H

#define XEN_ELFNOTE_INFO                0  /* placeholder, ignored */
#define XEN_ELFNOTE_ENTRY               1  /* entry point (virtual) */
#define XEN_ELFNOTE_HYPERCALL_PAGE      2  /* where to write the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE           3  /* virtual address of the image base */
#define XEN_ELFNOTE_PADDR_OFFSET        4  /* virt_base minus ELF paddr */
#define XEN_ELFNOTE_XEN_VERSION         5  /* string: ABI, "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS            6  /* string: OS name */
#define XEN_ELFNOTE_GUEST_VERSION       7  /* string: OS version */
#define XEN_ELFNOTE_LOADER              8  /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE            9  /* string: 32-bit PAE mode */
#define XEN_ELFNOTE_FEATURES           10  /* string: '|'-separated, '!' = required */
#define XEN_ELFNOTE_BSD_SYMTAB         11  /* string: "yes" to load symbols */
#define XEN_ELFNOTE_HV_START_LOW       12  /* 32-bit guests only */
#define XEN_ELFNOTE_L1_MFN_VALID       13  /* mask/value pairs for L1 entries */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14  /* resumes after cancelled suspend */
#define XEN_ELFNOTE_INIT_P2M           15  /* separate virtual address for the p2m */
#define XEN_ELFNOTE_MOD_START_PFN      16  /* accepts mod_start as a PFN */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17  /* bitmap of XENFEAT_* supported */
#define XEN_ELFNOTE_PHYS32_ENTRY       18  /* PVH 32-bit entry point */

#define XEN_ELFNOTE_MAX XEN_ELFNOTE_PHYS32_ENTRY

/* Notes found in crash dumps and core files rather than in kernels. */
#define XEN_ELFNOTE_CRASH_INFO              0x1000001
#define XEN_ELFNOTE_CRASH_REGS              0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* LAMINA_PV_ELFNOTE_H */
