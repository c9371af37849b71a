/*
 * Extended processor state (XSAVE) for guests: CR4.OSXSAVE, each vCPU's
 * XCR0 and the save area the scheduler switches it with.
 */
#ifndef ASM_XSTATE_H
#define ASM_XSTATE_H

#include <stdbool.h>
#include <stdint.h>

#define X86_CR4_OSXSAVE (1UL << 18)

#define XSTATE_X87 (1UL << 0)
#define XSTATE_SSE (1UL << 1)
#define XSTATE_YMM (1UL << 2)
#define XSTATE_LEGACY (XSTATE_X87 | XSTATE_SSE)

/* Legacy region, XSAVE header, then YMM_Hi128 at its standard offset. */
#define XSTATE_HEADER_OFFSET 512
#define XSTATE_YMM_OFFSET    576
#define XSTATE_AREA_SIZE     832

/* True once CR4.OSXSAVE is on: vCPU state moves with xsave/xrstor. */
extern bool xstate_enabled;
/* XCR0 components a guest may enable (0: XSAVE hidden from guests). */
extern uint64_t xstate_guest_mask;

/* At boot: turn CR4.OSXSAVE on if the CPU has XSAVE; XCR0 = x87|SSE. */
void xstate_init(void);

/* Save / load a vCPU's FPU state (area of XSTATE_AREA_SIZE, 64-aligned). */
void xstate_save(uint8_t *area, uint64_t xcr0);
void xstate_restore(const uint8_t *area, uint64_t xcr0);

/* Put xcr0 into the CPU's XCR0 (no-op if it is already there). */
void xstate_load_xcr0(uint64_t xcr0);

/* Is xcr0 a value a guest may set with xsetbv? */
bool xstate_guest_xcr0_ok(uint64_t xcr0);

#endif
