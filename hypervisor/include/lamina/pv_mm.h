/*
 * The PV memory-management hypercalls' shared helpers (arch/x86/pv/mm.c).
 */
#ifndef LAMINA_PV_MM_H
#define LAMINA_PV_MM_H

#include <stdint.h>
#include <stdbool.h>
#include <lamina/domain.h>
#include <lamina/pt_validate.h>
#include <lamina/hypercall.h>

/* The validation context of a domain's page tables. */
void pv_pt_ctx(const struct domain *d, struct pt_ctx *c);
/* Flush this CPU's whole TLB, guest global entries included. */
void flush_tlb_local(struct domain *d);
/* Load the current vCPU's active top-level table into CR3. */
static inline void pv_load_cr3(struct vcpu *v)
{
	uint64_t l4 = v->kernel_mode || !v->user_l4_mfn ? v->kernel_l4_mfn
						       : v->user_l4_mfn;
	__asm__ volatile("mov %0, %%cr3" : : "r"(l4 << 12) : "memory");
	cpu_perf.cr3_writes++;
}
/* Take the bootstrap L4 as the vCPU's kernel base pointer, pinned (builder). */
int pv_install_boot_l4(struct domain *d, uint64_t l4_mfn);

#endif
