/*
 * Native baseline kernel: multiboot entry (32-bit protected mode), switch
 * to 64-bit long mode with the first 1 GiB identity-mapped by 2 MiB pages
 * (user-accessible, so ring 3 code can run from the same image), then
 * native_main(). Also: the GDT laid out for syscall/sysret, the TSS whose
 * rsp0 receives interrupts from ring 3, and the ring 3 round trip helper.
 */
#define MB_MAGIC      0x1BADB002
#define MB_FLAGS      (1 << 16)          /* load addresses in the header */
#define KERNEL_CS     0x08
#define KERNEL_DS     0x10
#define USER_DS       (0x20 | 3)
#define USER_CS       (0x28 | 3)
#define TSS_SEL       0x30
#define MSR_EFER      0xc0000080
#define EFER_SCE_LME  0x101
#define PTE_P_RW_US   0x7
#define PDE_LARGE     0x87               /* present, RW, user, 2 MiB */

	.section .multiboot, "ax"
	.balign 4
multiboot_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long multiboot_header               /* header_addr */
	.long native_image_start             /* load_addr */
	.long native_load_end                /* load_end_addr */
	.long native_bss_end                 /* bss_end_addr */
	.long native_start32                 /* entry_addr */

	.text
	.code32
	.globl native_start32
native_start32:
	cli
	mov $boot_stack_top, %esp
	/* pd[i] = i * 2 MiB, large page, for i in 0..511 */
	mov $pd, %edi
	mov $PDE_LARGE, %eax
	mov $512, %ecx
1:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b
	movl $(pdpt + PTE_P_RW_US), pml4
	movl $(pd + PTE_P_RW_US), pdpt
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $0x20, %eax                       /* PAE */
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_SCE_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax                 /* PG | PE */
	mov %eax, %cr0
	lgdt gdt_ptr
	ljmp $KERNEL_CS, $start64

	.code64
start64:
	mov $KERNEL_DS, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	call tss_install
	mov $TSS_SEL, %ax
	ltr %ax
	call native_main
2:	hlt
	jmp 2b

/* Fill the TSS descriptor in the GDT (base = tss, limit = 103). */
tss_install:
	mov $tss, %rax
	mov $gdt + TSS_SEL, %rdi
	movw $103, (%rdi)
	mov %ax, 2(%rdi)
	shr $16, %rax
	mov %al, 4(%rdi)
	movb $0x89, 5(%rdi)                  /* present, 64-bit available TSS */
	movb $0, 6(%rdi)
	mov %ah, 7(%rdi)
	shr $16, %rax
	mov %eax, 8(%rdi)
	movl $0, 12(%rdi)
	movq $int_stack_top, tss + 4         /* rsp0 */
	ret

/*
 * native_run_user(fn): run fn() in ring 3 on the user stack; fn ends with
 * `int $0x81`, whose handler (native_user_exit) comes back here.
 */
	.globl native_run_user
native_run_user:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, saved_kernel_rsp
	pushq $USER_DS
	pushq $user_stack_top - 8              /* as if called: rsp = 8 mod 16 */
	pushq $0x2                           /* rflags: IF clear */
	pushq $USER_CS
	push %rdi
	iretq

/* int $0x81 from ring 3: drop the interrupt frame, resume native_run_user. */
	.globl native_user_exit
native_user_exit:
	mov saved_kernel_rsp, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

/* int $0x80: the int/iretq round trip's ring 0 half. */
	.globl native_int_return
native_int_return:
	iretq

/* LSTAR target: the syscall/sysretq round trip's ring 0 half. */
	.globl native_syscall_return
native_syscall_return:
	sysretq

/* Any other exception: report it and stop. */
	.globl native_fault
native_fault:
	mov $boot_stack_top, %rsp
	call native_report_fault
3:	hlt
	jmp 3b

	.data
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff             /* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff             /* 0x10 kernel data */
	.quad 0x00cffa000000ffff             /* 0x18 user code, 32-bit (unused) */
	.quad 0x00cff2000000ffff             /* 0x20 user data */
	.quad 0x00affa000000ffff             /* 0x28 user code, 64-bit */
	.quad 0, 0                           /* 0x30 TSS, filled at boot */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt
saved_kernel_rsp:
	.quad 0

	.bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
	.skip 16384
boot_stack_top:
	.skip 16384
int_stack_top:
	.skip 16384
user_stack_top:
	.balign 16
tss:	.skip 104
