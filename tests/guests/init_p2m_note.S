/*
 * An extra Xen ELF note for the boot_info_init_p2m guest: INIT_P2M asks the
 * builder to map the p2m list at 512 GiB, outside the initial mapping, as
 * Linux's note does.
 */
#include <pv/elfnote.h>

	.section .note.Xen, "a", @note
	.balign 4
	.long 4                         /* name size: "Xen\0" */
	.long 8                         /* descriptor size */
	.long XEN_ELFNOTE_INIT_P2M
	.asciz "Xen"
	.balign 4
	.quad 0x8000000000
	.balign 4
