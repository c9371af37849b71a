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

/*
 * Event rows (events.c, loops.S): offsets into shared_info of vCPU 0's
 * evtchn_upcall_pending, evtchn_pending_sel and of evtchn_pending[]
 * (checked against pv/xen.h in events.c), the domain that plays the peer
 * in the two-domain rows, and the untimed warm-up round trips of the
 * ping-pong, which the peer must answer too.
 */
#define SHINFO_UPCALL_PENDING   0
#define SHINFO_PENDING_SEL      8
#define SHINFO_EVTCHN_PENDING   2048
#define BENCH_PEER_DOMID        1
#define BENCH_PINGPONG_WARMUP   16

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#include <pv/event_channel.h>

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
	bench_loop_t baseline;    /* subtracted loop; NULL: bench_loop_empty */
	bool two_domains;         /* needs the peer domain (two-domain boot) */
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
uint64_t bench_loop_evtchn_clear(uint64_t iterations);
uint64_t bench_loop_timer_wakeup(uint64_t iterations);
uint64_t bench_loop_pingpong(uint64_t iterations);
uint64_t bench_loop_yield(uint64_t iterations);
void bench_event_callback(void);

/* The peer's side of the two-domain rows (loops.S): answer `count`
 * events, each sent back on bench_evtchn_send's port; yield for ever. */
void bench_peer_answer(uint64_t count);
void bench_peer_yield_forever(void) __attribute__((noreturn));

/* Event rows' state (events.c, read by loops.S). */
extern evtchn_send_t bench_evtchn_send;
extern evtchn_port_t bench_event_port;
extern volatile uint64_t bench_events_seen;
extern char bench_shared_page[4096];

/* Rows (events.c). */
long bench_setup_evtchn_send(void);
long bench_setup_timer_wakeup(void);
long bench_setup_roundtrip_2dom(void);
long bench_setup_context_switch(void);

/* The peer domain's program (events.c): never returns. */
void bench_peer_main(uint64_t iterations) __attribute__((noreturn));

/* Stop the vCPU's periodic timer (timer noise in the loops). */
void bench_stop_periodic_timer(void);
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
