/*
 * Exceptions and hypervisor callbacks for libpv guests.
 *
 * The hypervisor delivers an exception by building a "bounce frame" on the
 * guest kernel stack (low to high: rcx, r11, [error code], rip, cs, rflags,
 * rsp, ss) and jumping to the handler named in the guest's trap table.
 * libpv's per-vector stubs turn that into a struct pv_trap_frame holding
 * every general register, call the C handler registered for the vector,
 * and return to the interrupted code with HYPERVISOR_iret using whatever
 * the handler left in the frame.
 */
#ifndef LIBPV_TRAPS_H
#define LIBPV_TRAPS_H

#include <stdint.h>
#include <libpv/asm.h>

/*
 * Saved state of an interrupted context. Layout fixed by libpv/asm.h.
 *  - vector:     exception vector, or PV_VEC_* for callbacks.
 *  - error_code: the CPU's error code, 0 for vectors without one.
 *  - rip..ss:    the hypervisor's iret frame. cs bits 0-15 are the selector
 *                (RPL reads 0 when the guest kernel itself was interrupted);
 *                bits 32-39 hold the event mask saved at entry.
 * A handler may change any field; the stub restores them all on return.
 * #PF: the faulting address (CR2) is in shared_info's vcpu_info.arch.cr2,
 * which libpv does not map yet, so pv_trap_frame has no cr2.
 */
struct pv_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Architectural exception vectors. */
enum {
	PV_TRAP_DE = 0, PV_TRAP_DB = 1, PV_TRAP_NMI = 2, PV_TRAP_BP = 3,
	PV_TRAP_OF = 4, PV_TRAP_BR = 5, PV_TRAP_UD = 6, PV_TRAP_NM = 7,
	PV_TRAP_DF = 8, PV_TRAP_TS = 10, PV_TRAP_NP = 11, PV_TRAP_SS = 12,
	PV_TRAP_GP = 13, PV_TRAP_PF = 14, PV_TRAP_MF = 16, PV_TRAP_AC = 17,
	PV_TRAP_MC = 18, PV_TRAP_XM = 19,
};

/* A C handler: may modify *frame (e.g. advance rip past the instruction). */
typedef void (*pv_trap_handler_t)(struct pv_trap_frame *frame);

/*
 * Install the trap table for vectors 0..19 (HYPERVISOR_set_trap_table).
 * #BP and #OF get DPL 3 so user code may raise them; every entry asks for
 * events to be masked while the handler runs. Returns the hypercall's
 * result (0 on success).
 */
long pv_traps_init(void);

/*
 * Register the event, failsafe and syscall callbacks with
 * HYPERVISOR_callback_op; they dispatch to PV_VEC_EVENT, PV_VEC_FAILSAFE,
 * PV_VEC_SYSCALL. Returns 0 or the first failing hypercall's result.
 */
long pv_callbacks_init(void);

/* Set the handler for vector (0..255 or PV_VEC_*); NULL restores the default. */
void pv_trap_set_handler(unsigned int vector, pv_trap_handler_t fn);

/* Called by the assembly stubs for every exception and callback. */
void pv_trap_dispatch(struct pv_trap_frame *frame, unsigned long vector);

/* Print a frame's registers on the console. */
void pv_trap_dump(const struct pv_trap_frame *frame);

/* A short name for an exception vector ("#GP", "event", ...). */
const char *pv_trap_name(unsigned long vector);

/* Entry points of the assembly stubs (trap_entry.S). */
extern const uint64_t pv_trap_stubs[PV_NR_EXCEPTIONS];
void pv_event_callback_entry(void);
void pv_failsafe_callback_entry(void);
void pv_syscall_callback_entry(void);

/* The registers the domain builder started the guest with (entry.S). */
extern struct pv_trap_frame pv_boot_regs;

#endif /* LIBPV_TRAPS_H */
