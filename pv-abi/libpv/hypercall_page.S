/*
 * The hypercall page: 4 KiB that the domain builder fills with 128 call
 * stubs of 32 bytes each (see the XEN_ELFNOTE_HYPERCALL_PAGE note).
 * Stub i loads i into eax and executes syscall; stub 23 (iret) is jumped
 * to, never called. Until the builder writes it, the page holds int3 so a
 * guest that calls into an unfilled page traps at once.
 */
	.section .text.hypercall_page, "ax", @progbits
	.balign 4096
	.globl hypercall_page
	.type hypercall_page, @object
hypercall_page:
	.fill 4096, 1, 0xcc
	.size hypercall_page, 4096
