/*
 * A minimal guest user mode for test guests (Xen's 64-bit PV model): one
 * user L4 built from spare frames above the initial mapping, mapping one
 * page of user code and one stack page, and a way into it.
 *
 * The user code is a page of this image's .text (page-aligned, position-
 * independent): USER_CODE_VA maps it read-only, so a label's user address
 * is USER_CODE_VA + (label - page).
 */
#ifndef USERMODE_LAB_H
#define USERMODE_LAB_H

#define USER_CODE_VA   0x400000UL
#define USER_STACK_VA  0x401000UL
#define USER_STACK_TOP (USER_STACK_VA + 4096)

/*
 * Build and pin the user L4 mapping code_page at USER_CODE_VA and a fresh
 * stack page, and install it with MMUEXT_NEW_USER_BASEPTR. Crashes the
 * domain (with a message) if any step is refused.
 */
void user_space_init(const void *code_page);

/* The user address of code at kernel address at inside code_page. */
unsigned long user_va_of(const void *code_page, const void *at);

/*
 * Enter user mode at rip with the user stack and events masked, through
 * HYPERVISOR_iret. Never returns; traps come back through the trap table
 * onto the stack given to stack_switch.
 */
void enter_user(unsigned long rip) __attribute__((noreturn));

#endif /* USERMODE_LAB_H */
