/*
 * libpv helpers for guests that run their own user mode (Xen's 64-bit PV
 * model: user code on its own L4, entering the kernel through the syscall
 * callback, int $0x80 or exceptions, always on the stack_switch stack).
 *
 * The entry stubs below build the same struct pv_trap_frame as the
 * exception stubs (libpv/traps.h) and call pv_trap_dispatch() under their
 * vector, so a kernel installs C handlers with pv_trap_set_handler(). They
 * differ in the way back: when the frame's vector (which a handler may
 * rewrite, e.g. when it switches to another process's saved frame) still
 * says PV_VEC_SYSCALL, the return uses HYPERVISOR_iret with VGCF_in_syscall
 * (the hypervisor may use sysret; rcx and r11 are not restored), otherwise
 * a full iret restoring every register.
 */
#ifndef LIBPV_USERMODE_H
#define LIBPV_USERMODE_H

#include <libpv/traps.h>
#include <pv/xen.h>

/* The software-interrupt vector Linux and Xen guests use for system calls. */
#define PV_VEC_INT80 0x80

/* Syscall callback entry (register with CALLBACKTYPE_syscall). */
void pv_syscall_fast_entry(void);

/* Trap-table entry for int $0x80, dispatched under vector PV_VEC_INT80. */
void pv_int80_entry(void);

/*
 * Resume the context saved in *frame with HYPERVISOR_iret (user mode when
 * frame->cs has RPL 3). The frame's memory serves as the stack of the
 * return, so its contents are clobbered. Never returns.
 */
void pv_trap_resume(struct pv_trap_frame *frame) __attribute__((noreturn));

/*
 * Add (or replace) one trap-table entry: vector, the lowest privilege that
 * may raise it with int n (dpl 0..3), and its handler. Events are masked
 * while the handler runs. Returns the set_trap_table result.
 */
long pv_trap_set_entry(unsigned int vector, unsigned int dpl, void (*entry)(void));

/*
 * Map the shared_info page (start_info.shared_info) at page-aligned kernel
 * address va, which must already be mapped by an L1 entry (its old frame
 * is just no longer reachable there). Returns the page, or NULL on failure.
 */
shared_info_t *pv_map_shared_info(void *va);

/* The page pv_map_shared_info() mapped, or NULL before. */
shared_info_t *pv_shared_info(void);

/* The faulting address of the last #PF, once pv_map_shared_info succeeded. */
unsigned long pv_fault_address(void);

#endif /* LIBPV_USERMODE_H */
