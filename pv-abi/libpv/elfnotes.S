/*
 * The Xen ELF notes that describe a libpv guest to the domain builder
 * (hypervisor dom0 builder or toolstack). Without them the image is not
 * recognised as a PV kernel.
 *
 * Layout of one note: namesz, descsz, type (4 bytes each), the name "Xen\0",
 * then the descriptor, each padded to 4 bytes.
 *
 * The image is linked with p_paddr == p_vaddr (guest.ld), so VIRT_BASE and
 * PADDR_OFFSET are both the link base: the builder computes the kernel's
 * virtual start as p_paddr + VIRT_BASE - PADDR_OFFSET = p_vaddr.
 */
#include <pv/elfnote.h>

#define PV_VIRT_BASE 0xffffffff80000000

/* PV_NOTE(type, descriptor-directive, value): emit one "Xen" note. */
#define PV_NOTE(type, directive, value)  \
	.balign 4;                       \
	.long 2f - 1f;                   \
	.long 4f - 3f;                   \
	.long type;                      \
1:	.asciz "Xen";                    \
2:	.balign 4;                       \
3:	directive value;                 \
4:	.balign 4

	.section .note.Xen, "a", @note
	.balign 4
	.globl pv_elf_notes
pv_elf_notes:
	PV_NOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz, "xen-3.0")
	PV_NOTE(XEN_ELFNOTE_GUEST_OS,       .asciz, "Lamina")
	PV_NOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz, "0.1")
	PV_NOTE(XEN_ELFNOTE_LOADER,         .asciz, "generic")
	PV_NOTE(XEN_ELFNOTE_VIRT_BASE,      .quad,  PV_VIRT_BASE)
	PV_NOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad,  PV_VIRT_BASE)
	PV_NOTE(XEN_ELFNOTE_ENTRY,          .quad,  pv_entry)
	PV_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad,  hypercall_page)
