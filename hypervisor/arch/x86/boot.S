/*
 * Multiboot entry: QEMU's -kernel (or GRUB) starts us in 32-bit protected
 * mode with paging off, eax = 0x2BADB002 and ebx = physical address of the
 * multiboot information. We build just enough page tables to reach 64-bit
 * mode at our link address, then call start_hypervisor() in C.
 *
 * Boot page tables (replaced by paging_init() once RAM is known):
 *   L4[0]   -> identity map of the first 4 GiB (2 MiB pages), for the switch
 *   L4[262] -> the same L3: the direct map of the first 4 GiB
 *   L4[261] -> image map: HV_IMAGE_VIRT_BASE + [0, 1 GiB) -> [0, 1 GiB)
 */
#include <lamina/config.h>

#define PHYS(sym)       ((sym) - HV_IMAGE_VIRT_BASE)
#define MB_MAGIC        0x1BADB002
#define MB_FLAGS        ((1 << 1) | (1 << 16))   /* memory info, address fields */

	.section .multiboot, "a"
	.align 4
multiboot_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long PHYS(multiboot_header)    /* header_addr */
	.long PHYS(_start_image)        /* load_addr */
	.long PHYS(_edata)              /* load_end_addr */
	.long PHYS(_end)                /* bss_end_addr */
	.long PHYS(multiboot_entry)     /* entry_addr */

	.section .boot.text, "ax"
	.code32
	.globl multiboot_entry
multiboot_entry:
	cli
	cld
	mov	%eax, %esi              /* multiboot magic */
	mov	%ebx, %edi              /* multiboot info (physical) */

	/* Refuse to go on without long mode: end the run with a boot error. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	.Lno_long_mode
	mov	$0x80000001, %eax
	cpuid
	bt	$29, %edx
	jnc	.Lno_long_mode

	/* Identity + direct map L3: four 1 GiB slots, each a table of 2 MiB pages. */
	mov	$PHYS(boot_l2), %ebx
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$21, %eax               /* low 32 bits of the 2 MiB frame address */
	mov	%ecx, %edx
	shr	$11, %edx               /* high bits: i * 2 MiB >> 32 */
	or	$0x83, %eax             /* present, writable, 2 MiB */
	mov	%eax, (%ebx, %ecx, 8)
	mov	%edx, 4(%ebx, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jne	1b

	mov	$PHYS(boot_l3_low), %ebx
	mov	$PHYS(boot_l2) + 3, %eax
	mov	%eax, 0(%ebx)
	add	$4096, %eax
	mov	%eax, 8(%ebx)
	add	$4096, %eax
	mov	%eax, 16(%ebx)
	add	$4096, %eax
	mov	%eax, 24(%ebx)

	/* Image map: L3 slot of HV_IMAGE_VIRT_BASE -> first 1 GiB. */
	mov	$PHYS(boot_l3_image), %ebx
	movl	$PHYS(boot_l2) + 3, ((HV_IMAGE_VIRT_BASE >> 30) & 511) * 8(%ebx)

	mov	$PHYS(boot_l4), %ebx
	movl	$PHYS(boot_l3_low) + 3, 0(%ebx)
	movl	$PHYS(boot_l3_low) + 3, ((DIRECTMAP_VIRT_START >> 39) & 511) * 8(%ebx)
	movl	$PHYS(boot_l3_image) + 3, ((HV_IMAGE_VIRT_BASE >> 39) & 511) * 8(%ebx)

	/* PAE paging, long mode with NX, then paging on with write protection. */
	mov	%cr4, %eax
	or	$(1 << 5), %eax
	mov	%eax, %cr4
	mov	%ebx, %cr3
	mov	$0xc0000080, %ecx
	rdmsr
	or	$((1 << 8) | (1 << 11)), %eax
	wrmsr
	mov	$0x80010011, %eax       /* PG | WP | ET | PE */
	mov	%eax, %cr0

	lgdt	PHYS(boot_gdtr)
	ljmp	$0x08, $PHYS(.Llong_mode_low)

.Lno_long_mode:
	mov	$(RUN_END_BOOT_ERROR), %al
	out	%al, $DEBUG_EXIT_PORT
2:	hlt
	jmp	2b

	.code64
.Llong_mode_low:
	movabs	$.Llong_mode_high, %rax
	jmp	*%rax
.Llong_mode_high:
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	/* start_hypervisor(magic, info): esi/edi hold them, zero-extended. */
	mov	%esi, %eax
	mov	%edi, %esi
	mov	%eax, %edi
	call	start_hypervisor
	ud2

	.section .rodata
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit ring-0 code */
	.quad 0x00cf92000000ffff        /* 0x10: ring-0 data */
boot_gdt_end:
	.align 4
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .bss
	.align 4096
boot_l4:	.skip 4096
boot_l3_low:	.skip 4096
boot_l3_image:	.skip 4096
boot_l2:	.skip 4096 * 4
	.globl boot_stack_top
boot_stack:	.skip HV_STACK_SIZE
boot_stack_top:
