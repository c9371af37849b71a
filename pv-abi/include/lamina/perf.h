/*
 * Lamina's one extension to the Xen ABI: event counters for benchmarks.
 *
 * Instruction counts hide what makes a path expensive on real hardware
 * (privilege transitions, CR3 writes, TLB flushes), so the hypervisor counts
 * them and a guest can read them. The call uses a hypercall number Xen
 * reserves for architecture-specific use and leaves unimplemented
 * (__HYPERVISOR_arch_7), so on Xen it returns -ENOSYS and a guest can tell.
 * Not part of Xen's ABI: lives outside pv/ and is not in the conformance test.
 */
#ifndef LAMINA_PERF_H
#define LAMINA_PERF_H

#include <stdint.h>

#define __HYPERVISOR_lamina_perf  55    /* = __HYPERVISOR_arch_7 */

#define LAMINA_PERF_READ   0   /* arg: struct lamina_perf_counters * */
#define LAMINA_PERF_RESET  1   /* arg: ignored; zero this domain's counters */

/* Per-domain counts since the domain started or the last reset. */
struct lamina_perf_counters {
	uint64_t guest_entries;   /* entries from the guest: each is a ring 3 -> 0 -> 3 round trip */
	uint64_t hypercalls;      /* of which: syscall into the hypercall gate */
	uint64_t exceptions;      /* of which: exceptions and interrupts from guest code */
	uint64_t bounces;         /* exceptions/events delivered into the guest */
	uint64_t cr3_writes;      /* address-space switches done for the guest */
	uint64_t tlb_flushes;     /* full TLB flushes done for the guest */
	uint64_t invlpgs;         /* single-page invalidations done for the guest */
	/* Speculative-execution mitigations (docs/security.md); fields are only
	 * ever appended. */
	uint64_t ibpbs;           /* branch-predictor flushes on switching to it */
	uint64_t verws;           /* buffer flushes (VERW) on exits to it */
};

#endif
