/*
 * Domains and their virtual CPUs.
 */
#ifndef LAMINA_DOMAIN_H
#define LAMINA_DOMAIN_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <pv/xen.h>
#include <asm/regs.h>
#include <lamina/perf.h>
#include <lamina/event.h>
#include <lamina/sched_policy.h>
#include <lamina/timer.h>

#define MAX_DOMAINS         64
#define MAX_VCPUS_PER_DOM   8     /* domain<N>=vcpus=K, at most this */

enum domain_state {
	DOMAIN_RUNNING,
	DOMAIN_SHUTDOWN,    /* asked to end: poweroff, reboot, suspend, ... */
	DOMAIN_CRASHED,     /* ended by the hypervisor or SHUTDOWN_crash */
};

/* Guest callbacks registered with set_callbacks / callback_op. */
struct guest_callback {
	uint64_t address;
	uint16_t flags;     /* CALLBACKF_* */
};

struct vcpu {
	struct domain *domain;
	unsigned int vcpu_id;

	/* Guest state while another context runs (the live frame is on the stack). */
	struct cpu_regs saved_regs;

	struct trap_info trap_ctxt[256];        /* virtual IDT */
	struct guest_callback event_cb, failsafe_cb, syscall_cb,
			      syscall32_cb, sysenter_cb, nmi_cb;

	uint64_t kernel_ss, kernel_sp;          /* stack_switch */
	uint64_t fs_base, gs_base_kernel, gs_base_user;
	uint16_t ds_sel, es_sel, fs_sel, gs_sel; /* data selectors while switched out */
	uint64_t debugreg[8];                   /* set_debugreg; 4 and 5 unused */
	bool kernel_mode;                       /* Xen's TF_kernel_mode */
	bool virt_cr0_ts;                       /* fpu_taskswitch / CR0.TS view */
	uint64_t kernel_l4_mfn, user_l4_mfn;    /* user_l4_mfn 0: none yet */
	uint64_t gdt_frames[14];                /* set_gdt */
	unsigned int gdt_nr_frames, gdt_ents;
	uint64_t ldt_frames[16];                /* MMUEXT_SET_LDT */
	unsigned int ldt_nr_frames, ldt_ents;

	struct vcpu_info *vcpu_info;            /* in the domain's shared_info */
	uint64_t vcpu_info_mfn;                 /* register_vcpu_info frame; 0: none */

	/* Scheduling (common/schedule.c). */
	struct sched_unit sched;
	bool initialised;                       /* has a context (vCPU 0, VCPUOP_initialise) */
	bool down;                              /* offline: VCPUOP_down, or never up */
	bool blocked;                           /* SCHEDOP_block / poll */
	uint64_t poll_ports[4];                 /* SCHEDOP_poll: ports waited on */
	unsigned int nr_poll_ports;
	struct timer poll_timer;                /* SCHEDOP_poll timeout */
	/* fxsave image, or xsave area when XSAVE is on (asm/xstate.h). */
	uint8_t fpu_state[832] __attribute__((aligned(64)));
	bool fpu_initialised;
	uint64_t xcr0;                          /* xsetbv; x87|SSE until then */
	bool virt_cr4_osxsave;                  /* the guest's CR4.OSXSAVE */

	/* Time (common/time.c, vcpu_op timers). */
	struct timer singleshot_timer;          /* set_timer_op, VCPUOP_set_singleshot_timer */
	struct timer periodic_timer;            /* VCPUOP_set_periodic_timer */
	uint64_t periodic_period;               /* ns, 0 = off */
	uint64_t runstate_guest_va;             /* VCPUOP_register_runstate_memory_area */
	uint64_t runstate_entry_time;
	uint64_t runstate_time[4];              /* RUNSTATE_* totals, ns */
	int runstate;                           /* RUNSTATE_* */

	/* Events (common/event_channel.c). */
	uint32_t virq_to_port[NR_VIRQS];        /* 0 = unbound */
};

struct domain {
	domid_t domain_id;
	char name[32];
	bool privileged;                        /* SIF_PRIVILEGED */
	bool initial;                           /* SIF_INITDOMAIN */
	enum domain_state state;
	unsigned int shutdown_reason;           /* SHUTDOWN_* once ended */
	unsigned int shutdown_code;             /* SCHEDOP_shutdown_code */
	const char *end_cause;                  /* human-readable end reason */

	uint64_t nr_pages, max_pages;
	uint64_t *p2m;                          /* the builder's pfn -> mfn list; the
						   guest's own p2m is authoritative after */
	uint64_t shared_info_mfn;
	struct shared_info *shared_info;
	uint64_t vm_assist;                     /* VMASST_TYPE_* bits */
	xen_domain_handle_t handle;

	struct vcpu *vcpus[MAX_VCPUS_PER_DOM];
	unsigned int nr_vcpus;

	struct lamina_perf_counters perf;        /* see pv-abi/include/lamina/perf.h */

	/* Boot configuration (docs/command-line.md). */
	unsigned int weight, cap;               /* scheduler share and % cap */

	/* Grant table v1 frames (common/grant_table.c). */
	uint64_t grant_frames[32];
	unsigned int nr_grant_frames;

	/* Event channels: table owned by common/event_channel.c. */
	struct evtchn_table *evtchn;
	/* Rings the hypervisor serves for an unprivileged domain (0: none). */
	uint64_t console_mfn, xenstore_mfn;
	unsigned int console_port, xenstore_port;

	char cmdline[1024];
	char console_line[160];
	size_t console_len;
	uint64_t console_io_hidden;     /* console_io bytes kept off the serial line */
};

extern struct vcpu *current;
extern struct domain *domains[MAX_DOMAINS];

struct domain *domain_alloc(domid_t id, const char *name);
/* Give d vCPUs 1..n-1 (down, with no context); 0 or -1 if out of memory. */
int domain_alloc_vcpus(struct domain *d, unsigned int n);
/* End a domain: record why, free what it holds, print its end. */
void domain_shutdown(struct domain *d, unsigned int reason);
/* Crash a domain with a report of the cause and the registers. */
void domain_crash(struct domain *d, const struct cpu_regs *regs,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Crash the domain running on this CPU and run something else. */
void domain_crash_current(const struct cpu_regs *regs, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Pick what runs next; ends the whole run when no domain is left. */
void schedule(void) __attribute__((noreturn));
/* Print every domain's end and power QEMU off with the run's status. */
void end_run(void) __attribute__((noreturn));
/* Enter a vCPU's guest context from its saved registers. */
void vcpu_run(struct vcpu *v) __attribute__((noreturn));

#endif
