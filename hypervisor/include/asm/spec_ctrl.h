/*
 * Speculative-execution hygiene for PV guests (arch/x86/spec_ctrl.c;
 * decisions in spec_ctrl_policy.c; docs/security.md).
 */
#ifndef ASM_SPEC_CTRL_H
#define ASM_SPEC_CTRL_H

#ifdef __ASSEMBLY__

/*
 * SPEC_CTRL_EXIT_TO_GUEST exit[, fixup]: write this in place of an exit to
 * a guest (`sysretq` or `iretq`); fixup is the exception-table fixup the
 * exit instruction has, if any.
 *
 * MDS/TAA (affected Intel CPUs): data the hypervisor left in the store,
 * fill and load buffers could be sampled by the guest after the exit; VERW
 * with a memory operand flushes them on CPUs with MD_CLEAR microcode, so it
 * must be the last thing before every exit.
 *
 * Costs nothing when off: the site is the exit instruction itself, padded
 * to 5 bytes (the padding is never reached). spec_ctrl_init() rewrites the
 * site into a `jmp` to this site's stub (count, VERW, the same exit) when
 * the mitigation is on: 3 instructions per exit. Sites are listed in
 * .spec_ctrl_sites (site address, stub address).
 */
.macro SPEC_CTRL_EXIT_TO_GUEST exit:req, fixup
.Lsc_site_\@:
	\exit
	.skip 5 - (. - .Lsc_site_\@), 0xcc
	.pushsection .spec_ctrl_sites, "a"
	.quad .Lsc_site_\@, .Lsc_stub_\@
	.popsection
	.pushsection .text.spec_ctrl_exit, "ax"
.Lsc_stub_\@:
	incq	cpu_verw_count(%rip)
	verw	spec_ctrl_verw_sel(%rip)
.Lsc_exit_\@:
	\exit
	.ifnb \fixup
	.pushsection .ex_table, "a"
	.quad .Lsc_exit_\@, \fixup
	.popsection
	.endif
	.popsection
.endm

#else

#include <stdint.h>
#include <lamina/spec_ctrl_policy.h>

struct domain;
struct pt_ctx;

/* Options from the command line (spec-ctrl=, pv-l1tf=), set before init. */
extern struct spec_opts spec_opts;
/* VERWs executed on exits since the counts were last folded (perf). */
extern uint64_t cpu_verw_count;

/* Detect, decide, print the boot line, patch the exits (after paging). */
void spec_ctrl_init(void);
/* The L1TF rule for validation contexts: address mask of the initial
 * domain [1] and of the others [0] (0: check off), and the safe address. */
extern uint64_t spec_l1tf_mask[2];
extern uint64_t spec_l1tf_safe_maddr;
/* Set the L1TF check of c for a domain (initial: the initial domain's).
 * Inline: every page-table hypercall builds a context. */
#define spec_ctrl_pt_ctx(initial, c) do {                                  \
		(c)->l1tf_addr_mask = spec_l1tf_mask[!!(initial)];         \
		(c)->l1tf_safe_maddr = spec_l1tf_safe_maddr;               \
	} while (0)
/* The CPU is about to run next, whose domain may differ from the last. */
void spec_ctrl_switch_domain(struct domain *next);

#endif
#endif
