/*
 * Processes and the round-robin scheduler.
 *
 * Each process has its own address space (vspace.c) and, while it is not
 * running, its user registers in a struct pv_trap_frame. The kernel runs
 * user code only from trap context: sched_run() enters the first process
 * with HYPERVISOR_iret; from then on every entry to the kernel (system
 * call, int $0x80, fault) arrives on the kernel stack with the user state
 * in a frame, and switching process means saving that frame, installing
 * the next process's L4 with MMUEXT_NEW_USER_BASEPTR and putting the next
 * process's saved frame in its place before the entry stub returns. When
 * no process is left, the kernel context saved by sched_run() is resumed.
 *
 * Preemption: the event callback is one more such entry. On VIRQ_TIMER
 * from user mode the running process is charged a tick and, round robin,
 * put behind the next runnable one. A process may sleep until a system
 * time; the timer event that reaches it makes it runnable again.
 *
 * Idle: when nothing can run but some process sleeps, the kernel blocks
 * (SCHEDOP_block, which unmasks events) inside the trap handler that found
 * nothing to run. The event callback then arrives nested, in kernel mode,
 * wakes the sleeper and returns; the handler masks events again and
 * switches to it. Elsewhere the kernel always runs with events masked.
 */
#include <libpv/console.h>
#include <libpv/events.h>
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/time.h>
#include <libpv/usermode.h>
#include "kernel.h"

#define MAX_PROCS   12
#define LINE_MAX    120
#define RFLAGS_IF   0x200UL
#define RFLAGS_MBS  0x002UL     /* bit 1 always reads as one */

enum proc_state { PROC_FREE, PROC_RUNNABLE, PROC_SLEEPING, PROC_EXITED,
		  PROC_KILLED };

struct proc {
	int pid;
	enum proc_state state;
	const char *name;
	struct vspace vs;
	struct pv_trap_frame regs;      /* user state while not running */
	uint64_t wake_at;               /* PROC_SLEEPING: system time, ns */
	unsigned int ticks;             /* timer ticks it was charged */
	unsigned int tick_limit;        /* 0: none */
	char line[LINE_MAX + 1];        /* output not yet ended by a newline */
	size_t line_len;
};

static struct proc procs[MAX_PROCS];
static struct proc *current;
static unsigned int nr_started, nr_exited, nr_killed, nr_switches;
static unsigned int nr_preemptions, nr_ticks, nr_idle_blocks;
static struct kctx sched_ctx;

/* Copy len bytes of the image into the process, one fresh page at a time. */
static int load_image(struct vspace *vs, const unsigned char *image,
		      unsigned long size, unsigned long va)
{
	for (unsigned long off = 0; off < size; off += PV_PAGE_SIZE) {
		unsigned long pfn = vs_map_new(vs, va + off, true);
		unsigned long n = size - off < PV_PAGE_SIZE ? size - off : PV_PAGE_SIZE;

		if (!pfn)
			return -1;
		memcpy(pv_pfn_to_virt(pfn), image + off, n);
	}
	return 0;
}

/* Code, optional private page, stack. */
static int build_address_space(struct proc *p, const struct user_program *prog)
{
	unsigned long pfn;

	if (vs_create(&p->vs))
		return -1;
	if (load_image(&p->vs, prog->image,
		       (unsigned long)(prog->image_end - prog->image), USER_CODE_BASE))
		return -1;
	if (prog->private_data) {
		if (!(pfn = vs_map_new(&p->vs, USER_PRIVATE_PAGE, false)))
			return -1;
		memcpy(pv_pfn_to_virt(pfn), prog->private_data,
		       strnlen(prog->private_data, PV_PAGE_SIZE - 1));
	}
	for (unsigned int i = 1; i <= USER_STACK_PAGES; i++)
		if (!vs_map_new(&p->vs, USER_STACK_TOP - i * PV_PAGE_SIZE, true))
			return -1;
	return 0;
}

/* Registers a process starts with: entry point, stack, pid in rdi. */
static void initial_frame(struct proc *p)
{
	memset(&p->regs, 0, sizeof(p->regs));
	p->regs.rip = USER_CODE_BASE;
	p->regs.cs = FLAT_USER_CS;
	p->regs.rflags = RFLAGS_IF | RFLAGS_MBS;
	p->regs.rsp = USER_STACK_TOP;
	p->regs.ss = FLAT_USER_SS;
	p->regs.rdi = (uint64_t)p->pid;
}

int proc_spawn(const struct user_program *prog)
{
	struct proc *p = NULL;

	for (unsigned int i = 0; i < MAX_PROCS && !p; i++)
		if (procs[i].state == PROC_FREE)
			p = &procs[i];
	if (!p || (unsigned long)(prog->image_end - prog->image) > USER_IMAGE_MAX)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = (int)(p - procs) + 1;
	p->name = prog->name;
	p->tick_limit = prog->tick_limit;
	if (build_address_space(p, prog)) {
		vs_destroy(&p->vs);
		return -1;
	}
	initial_frame(p);
	p->state = PROC_RUNNABLE;
	nr_started++;
	pv_printf("spawned pid %d (%s): %u frames, L4 mfn %lx\n", p->pid, p->name,
		  p->vs.nr_frames, vs_l4_mfn(&p->vs));
	return p->pid;
}

/* The next runnable process after `after` in round-robin order, or NULL. */
static struct proc *pick_next(const struct proc *after)
{
	unsigned int start = after ? (unsigned int)(after - procs) + 1 : 0;

	for (unsigned int i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &procs[(start + i) % MAX_PROCS];
		if (p->state == PROC_RUNNABLE)
			return p;
	}
	return NULL;
}

/*
 * Make p's address space the one user mode runs on (NULL: none). Called
 * before current changes, so a switch between processes can be counted.
 */
static void set_user_l4(struct proc *p)
{
	long rc = mmuext(MMUEXT_NEW_USER_BASEPTR, p ? vs_l4_mfn(&p->vs) : 0);

	if (rc)
		pv_crash("sched: NEW_USER_BASEPTR failed: %ld\n", rc);
	if (p && current && p != current)
		nr_switches++;
}

void sched_run(void)
{
	struct pv_trap_frame frame;

	if (kctx_save(&sched_ctx))
		return;         /* kctx_restore: every process has ended */
	if (!(current = pick_next(NULL)))
		return;
	set_user_l4(current);
	frame = current->regs;
	pv_trap_resume(&frame);
}

/* Continue with the next runnable process in *f, or end the run. */
static void switch_to_next(struct pv_trap_frame *f, struct proc *next)
{
	if (!next) {
		current = NULL;
		kctx_restore(&sched_ctx);
	}
	if (next != current)
		set_user_l4(next);
	current = next;
	*f = next->regs;
}

void sched_yield(struct pv_trap_frame *f)
{
	struct proc *next = pick_next(current);

	current->regs = *f;
	if (next != current)
		switch_to_next(f, next);
}

/*
 * Make runnable every sleeper whose time has come, and ask for a timer
 * event at the earliest deadline still ahead. True if any process sleeps.
 */
static bool wake_sleepers(void)
{
	uint64_t now = pv_system_time_ns(), earliest = 0;

	for (unsigned int i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &procs[i];

		if (p->state != PROC_SLEEPING)
			continue;
		if (p->wake_at <= now)
			p->state = PROC_RUNNABLE;
		else if (!earliest || p->wake_at < earliest)
			earliest = p->wake_at;
	}
	if (earliest)
		timer_wake_at(earliest);
	return earliest != 0;
}

/*
 * Nothing can run but a process sleeps: block until an event. The block
 * unmasks events; the callback (nested, kernel mode) runs the timer's
 * wake-ups before we mask events again.
 */
static void idle_wait(void)
{
	long rc;

	nr_idle_blocks++;
	rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	(void)pv_events_disable();
	if (rc)
		pv_crash("idle: SCHEDOP_block failed: %ld\n", rc);
}

/* The next runnable process after `after`, idling while only sleepers are
 * left; NULL when every process has ended. */
static struct proc *next_or_idle(const struct proc *after)
{
	for (;;) {
		bool sleeping = wake_sleepers();
		struct proc *next = pick_next(after);

		if (next || !sleeping)
			return next;
		idle_wait();
	}
}

void sched_sleep(struct pv_trap_frame *f, unsigned long ms)
{
	current->wake_at = pv_system_time_ns() + ms * PV_NS_PER_MS;
	current->state = PROC_SLEEPING;
	current->regs = *f;
	(void)wake_sleepers();          /* arms the deadline */
	switch_to_next(f, next_or_idle(current));
}

/* The running process used up its CPU limit: say so and kill it. */
static void kill_over_limit(struct pv_trap_frame *f)
{
	pv_printf("pid %d: CPU limit of %u ticks used up, killed\n",
		  current->pid, current->tick_limit);
	proc_kill(f);
}

void sched_timer_event(struct pv_trap_frame *f)
{
	struct proc *next;

	nr_ticks++;
	(void)wake_sleepers();
	if ((f->cs & 3) != 3 || !current)
		return;         /* kernel mode: the idle loop picks who runs */
	if (current->tick_limit && ++current->ticks >= current->tick_limit) {
		kill_over_limit(f);
		return;
	}
	next = pick_next(current);
	if (next && next != current) {
		nr_preemptions++;
		current->regs = *f;
		switch_to_next(f, next);
	}
}

/* Print the process's pending output as one line, prefixed by its pid. */
static void print_line(struct proc *p)
{
	p->line[p->line_len] = '\0';
	pv_printf("pid %d: %s\n", p->pid, p->line);
	p->line_len = 0;
}

/* Print whatever output the process left without a final newline. */
static void flush_line(struct proc *p)
{
	if (p->line_len)
		print_line(p);
}

/* The current process is gone: free it and run the next one. */
static void end_current(struct pv_trap_frame *f, enum proc_state how)
{
	struct proc *dead = current;
	struct proc *next;

	flush_line(dead);
	dead->state = how;
	next = next_or_idle(dead);
	/* The L4 must stop being the user base pointer before it is unpinned. */
	set_user_l4(next);
	vs_destroy(&dead->vs);
	current = next;         /* set_user_l4 done: skip it in switch_to_next */
	switch_to_next(f, next);
}

void proc_exit(struct pv_trap_frame *f, long code)
{
	pv_printf("pid %d (%s) exited with code %ld\n", current->pid,
		  current->name, code);
	nr_exited++;
	end_current(f, PROC_EXITED);
}

void proc_kill(struct pv_trap_frame *f)
{
	nr_killed++;
	end_current(f, PROC_KILLED);
}

int proc_current_pid(void)
{
	return current ? current->pid : 0;
}

long proc_copy_from_user(void *dst, unsigned long va, size_t len)
{
	return vs_copy_from(&current->vs, dst, va, len);
}

void proc_write(const char *buf, size_t len)
{
	struct proc *p = current;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			print_line(p);
			continue;
		}
		if (p->line_len == LINE_MAX)
			flush_line(p);
		p->line[p->line_len++] = buf[i];
	}
}

unsigned int proc_count_alive(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < MAX_PROCS; i++)
		if (procs[i].state == PROC_RUNNABLE || procs[i].state == PROC_SLEEPING)
			n++;
	return n;
}

void proc_summary(void)
{
	pv_printf("scheduler: %u switches between processes, %u preemptions\n",
		  nr_switches, nr_preemptions);
	pv_printf("timer: %u events, idle blocked %u times\n", nr_ticks,
		  nr_idle_blocks);
	pv_printf("processes: %u started, %u exited, %u killed\n", nr_started,
		  nr_exited, nr_killed);
}
