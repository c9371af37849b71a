/*
 * Shared helpers for Lamina's PV test guests (built on libpv only).
 *
 * Reporting: every check prints "PASS <name>" or "FAIL <name>: <why>";
 * test_finish() prints "<N> passed, <M> failed" and powers off. The system
 * test counts the PASS/FAIL lines, so the domain powers off either way.
 *
 * Fault probes: PROBE() runs one instruction that may raise an exception.
 * The handler installed by probe_catch() records the vector, rip and error
 * code and resumes right after the instruction.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdbool.h>
#include <libpv/console.h>
#include <libpv/pv.h>
#include <libpv/traps.h>

/* Report one check. */
void test_pass(const char *name);
void test_fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* PASS if ok, else FAIL with the formatted reason. Returns ok. */
bool test_check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* PASS if got == want, else FAIL naming both (printed in hex). */
bool test_expect_eq(const char *name, unsigned long got, unsigned long want);

/* PASS if a hypercall returned want (a negative errno or 0). */
bool test_expect_rc(const char *name, long got, long want);

/* Print the summary line and power off. */
void test_finish(void) __attribute__((noreturn));

/* What the last probe saw. hits is 0 when the instruction did not fault. */
struct probe_result {
	unsigned long hits;
	unsigned long vector;
	unsigned long rip;
	unsigned long error_code;
};
extern volatile struct probe_result probe_seen;
extern volatile unsigned long probe_resume;

/* Route vector's exceptions to the probe handler. */
void probe_catch(unsigned int vector);

/* Clear probe_seen before a new probe. */
void probe_reset(void);

/*
 * PROBE_RW(insn, a, c, d): run the instruction text insn with rax, rcx, rdx
 * loaded from the unsigned long lvalues a, c, d and stored back into them
 * afterwards (rbx is clobbered too). Evaluates to the address of the
 * instruction; what it raised, if anything, is in probe_seen.
 */
#define PROBE_RW(insn, a, c, d) ({                                           \
	unsigned long __at;                                                 \
	probe_reset();                                                      \
	asm volatile("lea 1f(%%rip), %[at]\n\t"                             \
		     "movq $2f, %[resume]\n"                                \
		     "1:\t" insn "\n"                                       \
		     "2:"                                                   \
		     : [at] "=&r"(__at), "+a"(a), "+c"(c), "+d"(d),         \
		       [resume] "=m"(probe_resume)                          \
		     :                                                      \
		     : "rbx", "memory");                                    \
	__at;                                                               \
})

/* PROBE(insn, a, c, d): PROBE_RW with values instead of lvalues. */
#define PROBE(insn, a, c, d) ({                                              \
	unsigned long __pa = (unsigned long)(a);                            \
	unsigned long __pc = (unsigned long)(c);                            \
	unsigned long __pd = (unsigned long)(d);                            \
	PROBE_RW(insn, __pa, __pc, __pd);                                   \
})

/*
 * Check that insn raised vector at its own address (error code checked
 * too when want_ec is not ~0UL).
 */
void expect_fault(const char *name, unsigned long at, unsigned int vector,
		  unsigned long want_ec);

/* Check that the last probe ran without any exception. */
void expect_no_fault(const char *name);

/* Attack reports: "PASS <attack>: refused with <error>" when rc == want. */
const char *test_err_name(long rc);
bool test_refused(const char *attack, long rc, long want);

/* Page-table work through the hypervisor, on this domain's own frames. */
/* mmu_update: entry idx of (page-table or plain) frame mfn becomes val. */
long pt_set_entry(unsigned long mfn, unsigned int idx, unsigned long val);
/* One mmuext_op with arg1.mfn = mfn. */
long mmuext1(unsigned int cmd, unsigned long mfn);
/* One mmuext_op with arg1.mfn = a1 and arg2 = a2 (src_mfn, nr_ents, ...). */
long mmuext2(unsigned int cmd, unsigned long a1, unsigned long a2);
/* MMUEXT_PIN_L<level>_TABLE of mfn. */
long pt_pin(unsigned int level, unsigned long mfn);

#endif /* TESTLIB_H */
