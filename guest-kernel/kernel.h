/*
 * Lamina guest kernel: interfaces between its parts. One file per concern:
 *   main.c       start of day and the order things are brought up in
 *   bootinfo.c   printing what the domain builder handed over
 *   traps.c      exception handlers, their self-test, user faults
 *   events.c     hypervisor callbacks (event upcall, failsafe)
 *   console.c    console output: console_io in domain 0, else the PV ring
 *   timer.c      VIRQ_TIMER: the periodic tick and sleepers' deadlines
 *   mm.c         frame allocator and the kernel's linear map of all frames
 *   vspace.c     user address spaces (validated page tables)
 *   proc.c       processes, the preemptive round-robin scheduler, idle
 *   syscall.c    the system-call interface (user/sysabi.h)
 *   programs.c   the user programs built into the image
 *   kctx.S       saving and resuming the scheduler's kernel context
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <libpv/pv.h>
#include <libpv/traps.h>
#include "user/sysabi.h"
#include <libpv/pagetable.h>

/* Print every start_info field. */
void bootinfo_print(const start_info_t *si);

/* Install the trap table and the kernel's exception handlers. */
void traps_init(void);

/* Raise int3 and ud2 and check our handlers catch them; false on failure. */
bool traps_selftest(void);

/* Register the event and failsafe callbacks. */
void events_init(void);

/* Start the event demultiplexer (needs shared_info, mapped by traps_init). */
void events_start(void);

/* ---- console (console.c) ---- */

/* Before any output: in a domain other than 0, print through the PV ring. */
void console_init(void);

/* Once events run: take (and drop) console input arriving on the ring. */
void console_start_input(void);

/* ---- timer (timer.c) ---- */

#define TICK_NS  10000000ULL     /* 10 ms periodic tick */

/* Bind VIRQ_TIMER and start the periodic tick. */
void timer_init(void);

/* Stop the tick and any deadline (when the processes are all gone). */
void timer_stop(void);

/* Did VIRQ_TIMER fire since the last call? Clears the indication. */
bool timer_take_event(void);

/* Ask for a VIRQ_TIMER at system time deadline_ns (one deadline at a time). */
void timer_wake_at(uint64_t deadline_ns);

/* ---- page-table entries and hypercall wrappers (mm.c) ---- */

/* Upper-level entries: user bit set, as both modes run in ring 3. */
#define PTE_TABLE      (PTE_P | PTE_RW | PTE_US | PTE_A)
#define PTE_KERNEL_RW  (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_KERNEL_RO  (PTE_P | PTE_A)
#define PTE_USER_RW    (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define PTE_USER_RO    (PTE_P | PTE_US | PTE_A)

/* Index of va in its page table at level (4 = L4 .. 1 = L1). */
static inline unsigned int pt_index(unsigned long va, int level)
{
	return (unsigned int)(va >> (PV_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

/* One mmu_update: entry idx of page-table frame table_mfn becomes val. */
long mmu_set_entry(unsigned long table_mfn, unsigned int idx, uint64_t val);

/* One mmuext_op command taking a frame number (pin, unpin, baseptr ...). */
long mmuext(unsigned int cmd, unsigned long mfn);

/* The frame an entry points at, and its address in the linear map. */
unsigned long pte_mfn(uint64_t pte);
uint64_t *pte_to_virt(uint64_t pte);

/* Find the free frames and map all of them into the kernel's linear map. */
void mm_init(const start_info_t *si);

/* A zeroed frame mapped writable at pv_pfn_to_virt(pfn); 0 when none. */
unsigned long frame_alloc(void);
void frame_free(unsigned long pfn);
unsigned long frames_free(void);

/* A zeroed frame whose kernel mapping is read-only: a page table to be. */
unsigned long pt_frame_alloc(void);
/* Free such a frame once it is no longer a page table. */
void pt_frame_free(unsigned long pfn);

/* ---- user address spaces (vspace.c) ---- */

#define VS_MAX_FRAMES  64
#define USER_VA_END    (1UL << 39)      /* user memory: L4 slot 0 only */

struct vspace {
	unsigned long l4_pfn;                   /* pinned user L4; 0: none */
	unsigned int nr_frames;                 /* tables and pages it owns */
	unsigned long frames[VS_MAX_FRAMES];
	bool is_table[VS_MAX_FRAMES];
};

/* A new address space with an empty, pinned L4; 0 or -1. */
int vs_create(struct vspace *vs);

/* Map a fresh zeroed frame at user address va; its pfn, or 0 on failure. */
unsigned long vs_map_new(struct vspace *vs, unsigned long va, bool writable);

/* Copy len bytes at user address va; bytes copied, or -1 if not mapped. */
long vs_copy_from(const struct vspace *vs, void *dst, unsigned long va, size_t len);

/* Machine frame of the L4, for MMUEXT_NEW_USER_BASEPTR. */
unsigned long vs_l4_mfn(const struct vspace *vs);

/* Unpin and free everything; vs must not be the active user L4. */
void vs_destroy(struct vspace *vs);

/* ---- processes (proc.c) ---- */

/* A user program built into the image (programs.c). */
struct user_program {
	const char *name;
	const unsigned char *image;     /* flat binary linked at USER_CODE_BASE */
	const unsigned char *image_end;
	const char *private_data;       /* if set: mapped at USER_PRIVATE_PAGE */
	unsigned int tick_limit;        /* if set: killed after this many ticks */
};

extern const struct user_program user_programs[];
extern const unsigned int nr_user_programs;

/* Create a process running prog in a new address space: pid, or -1. */
int proc_spawn(const struct user_program *prog);

/* Run the processes round robin until every one has exited or died. */
void sched_run(void);

/* Print the "processes: N started, N exited, M killed" summary. */
void proc_summary(void);

/* pid of the process that entered the kernel (trap context). */
int proc_current_pid(void);

/* Console output of the current process, prefixed per line with its pid. */
void proc_write(const char *buf, size_t len);

/* Copy from the current process's memory; bytes copied or -1. */
long proc_copy_from_user(void *dst, unsigned long va, size_t len);

/* In a trap from user mode, *f being the saved user state: */
void sched_yield(struct pv_trap_frame *f);      /* run the next process */
void sched_sleep(struct pv_trap_frame *f, unsigned long ms);
void proc_exit(struct pv_trap_frame *f, long code);
void proc_kill(struct pv_trap_frame *f);        /* after printing why */

/*
 * VIRQ_TIMER fired; *f is the interrupted context. Wakes the sleepers whose
 * time has come; from user mode, charges the tick to the running process
 * (killing it past its limit) and preempts it when another can run.
 */
void sched_timer_event(struct pv_trap_frame *f);

/* Processes not yet ended (running, runnable or sleeping). */
unsigned int proc_count_alive(void);

/* Initial entry to user mode and the way back when all are done (kctx.S). */
struct kctx { unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip; };
int kctx_save(struct kctx *c) __attribute__((returns_twice));
void kctx_restore(struct kctx *c) __attribute__((noreturn));

/* ---- system calls (syscall.c) ---- */

/* Register the syscall callback, int $0x80 and the kernel stack. */
void syscall_init(void);

#endif /* GUEST_KERNEL_H */
