/*
 * The benchmark guest's rows. Each row is one operation timed by an
 * assembly loop in loops.S; a row's setup prepares the loop's arguments
 * and makes one untimed call, whose result decides whether the row can be
 * measured (-ENOSYS: the hypervisor lacks the hypercall, printed "n/a").
 *
 * Adding a row: write a LOOP_BEGIN/LOOP_END body in loops.S, a setup in
 * rows.c, and one line in bench_rows[].
 */
#ifndef BENCH_H
#define BENCH_H

/* Where user mode runs, and the vector that ends a user run (loops.S too). */
#define BENCH_USER_CODE_VA      0x400000
#define BENCH_USER_EXIT_VECTOR  0x80

#ifndef __ASSEMBLY__
#include <stdint.h>

/* A timed loop: run the operation iterations times, return the TSC delta. */
typedef uint64_t (*bench_loop_t)(uint64_t iterations);

/*
 * Prepare a row and run its operation once. Returns 0 when the row can be
 * measured, or the failing hypercall's (negative) result.
 */
typedef long (*bench_setup_t)(void);

struct bench_row {
	const char *name;
	bench_loop_t loop;
	bench_setup_t setup;      /* NULL: nothing to prepare */
	unsigned int ops_per_iteration;  /* operations one loop pass performs */
	unsigned int iteration_divisor;  /* heavy rows run iterations/divisor */
	const char *not_yet;      /* non-NULL: not measurable yet, and why */
};

extern const struct bench_row bench_rows[];
extern const unsigned int bench_nr_rows;

/* Loops (loops.S). */
uint64_t bench_loop_empty(uint64_t iterations);
uint64_t bench_loop_xen_version(uint64_t iterations);
uint64_t bench_loop_console_io(uint64_t iterations);
uint64_t bench_loop_multicall(uint64_t iterations);
uint64_t bench_loop_set_segment_base(uint64_t iterations);
uint64_t bench_loop_stack_switch(uint64_t iterations);
uint64_t bench_loop_fpu_taskswitch(uint64_t iterations);
uint64_t bench_loop_int3_bounce(uint64_t iterations);
uint64_t bench_loop_mmu_update(uint64_t iterations);
uint64_t bench_loop_update_va_mapping(uint64_t iterations);
uint64_t bench_loop_mmuext_op(uint64_t iterations);
uint64_t bench_loop_pin_unpin(uint64_t iterations);
uint64_t bench_loop_evtchn_send(uint64_t iterations);
uint64_t bench_loop_set_timer_op(uint64_t iterations);
void bench_int3_handler(void);

/*
 * Guest user mode (userspace.c, loops.S). bench_loop_user_syscall enters
 * user mode at BENCH_USER_CODE_VA, where a copy of bench_user_code times
 * `iterations` syscalls with rdtsc, in the same loop shape as the others,
 * and leaves with int $BENCH_USER_EXIT_VECTOR carrying the TSC delta.
 */
uint64_t bench_loop_user_syscall(uint64_t iterations);
extern const char bench_user_code[], bench_user_code_end[];
void bench_syscall_callback(void);
void bench_user_exit(void);

/* Build the user address space (once) and install the entries it needs. */
long bench_user_space_init(void);

#endif /* __ASSEMBLY__ */
#endif /* BENCH_H */
