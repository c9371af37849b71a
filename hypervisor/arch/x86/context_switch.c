/*
 * Switching the CPU between vCPUs, x86 side: what a vCPU's guest can see
 * or set in the CPU is copied out when it leaves (arch_vcpu_save) and back
 * when it returns (arch_vcpu_restore), and pending events are delivered by
 * rewriting the frame of the return to the guest (arch_deliver_events).
 * common/schedule.c decides who runs; it calls these through lamina/arch.h.
 */
#include <lamina/config.h>
#include <lamina/arch.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/hypercall.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv.h>
#include <lamina/pv_mm.h>
#include <lamina/schedule.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/spec_ctrl.h>
#include <asm/xstate.h>

void enter_guest(struct cpu_regs *frame) __attribute__((noreturn));

struct cpu_regs *arch_guest_frame(void)
{
	return (struct cpu_regs *)(hv_stack_top - sizeof(struct cpu_regs));
}

void arch_enter_guest(void)
{
	enter_guest(arch_guest_frame());
}

void arch_cpu_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_fold_counters(struct domain *d)
{
	perf_switch_domain(d);
}

void arch_switch_domain(struct domain *from, struct domain *to)
{
	perf_switch_domain(from);
	spec_ctrl_switch_domain(to);
}

/*
 * AMD CPUs without CPUID 0x80000008 EBX bit 2 (RstrFpErrPtrs) save and
 * restore the x87 last-instruction and last-operand pointers (FIP, FDP) and
 * the last opcode (FOP) only when an x87 exception is pending (FSW.ES): a
 * vCPU whose state has none would keep the previous vCPU's, which tell
 * where another domain last used the x87 unit. Before such a restore, one
 * x87 load from a fixed hypervisor address overwrites all three.
 */
static bool fpu_ptr_reset;
static const uint32_t fpu_ptr_scrub_word;

static void fpu_ptr_reset_init(void)
{
	uint32_t a, b, c, d, max_ext;

	cpuid_count(0, 0, &a, &b, &c, &d);
	/* "AuthenticAMD" and Hygon's "HygonGenuine". */
	bool amd = (b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163) ||
		   (b == 0x6f677948 && d == 0x6e65476e && c == 0x656e6975);
	cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
	if (amd && max_ext >= 0x80000008) {
		cpuid_count(0x80000008, 0, &a, &b, &c, &d);
		fpu_ptr_reset = !(b & (1u << 2));
	} else {
		fpu_ptr_reset = amd;
	}
	if (hv_options.force_fpu_ptr_reset)
		fpu_ptr_reset = true;
	if (fpu_ptr_reset)
		printk("x87 error pointers cleared on every vCPU switch (%s)\n",
		       hv_options.force_fpu_ptr_reset ? "forced" :
		       "AMD CPU without RstrFpErrPtrs");
}

/* Overwrite FIP/FDP/FOP: fnclex so no exception is raised, ffree so the
 * load cannot overflow the stack, then the load. Needs CR0.TS clear. */
static inline void fpu_ptr_scrub(void)
{
	__asm__ volatile("fnclex\n\tffree %%st(7)\n\tfildl %0"
			 : : "m"(fpu_ptr_scrub_word));
}

void arch_sched_init(void)
{
	fpu_ptr_reset_init();
}

int load_ds_checked(uint16_t sel);
int load_es_checked(uint16_t sel);
int load_fs_checked(uint16_t sel);
int load_gs_checked(uint16_t sel);

/*
 * Copy the running vCPU's live state out of the CPU: everything a guest can
 * see or set that the next vCPU would otherwise inherit. General registers,
 * rip, rflags, cs and ss are in the frame; then the data selectors (the
 * hypervisor never loads them, so they still hold the guest's), the FS and
 * both GS bases, and the FPU state (with the components of the vCPU's XCR0
 * when XSAVE is on). Debug registers, CR0.TS, page tables and descriptor
 * tables live in the vCPU already and are reloaded by arch_vcpu_restore.
 */
void arch_vcpu_save(struct vcpu *v)
{
	v->saved_regs = *arch_guest_frame();
	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
			 : "=r"(v->ds_sel), "=r"(v->es_sel), "=r"(v->fs_sel),
			   "=r"(v->gs_sel));
	v->fs_base = rdmsr(MSR_FS_BASE);
	uint64_t gs = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_SHADOW_GS_BASE);
	v->gs_base_kernel = v->kernel_mode ? gs : shadow;
	v->gs_base_user = v->kernel_mode ? shadow : gs;
	clts();
	xstate_save(v->fpu_state, v->xcr0);
}

/* A vCPU's first FPU state: what fninit and a reset MXCSR give. */
static void init_fpu_state(struct vcpu *v)
{
	memset(v->fpu_state, 0, sizeof(v->fpu_state));
	*(uint16_t *)&v->fpu_state[0] = 0x37f;          /* FCW */
	*(uint32_t *)&v->fpu_state[24] = 0x1f80;        /* MXCSR */
	/* XSTATE_BV: x87 and SSE as above (the rest in their initial state). */
	*(uint64_t *)&v->fpu_state[XSTATE_HEADER_OFFSET] = XSTATE_LEGACY;
	v->xcr0 = XSTATE_LEGACY;
	v->fpu_initialised = true;
}

/* Load a vCPU's state into the CPU (the frame goes to the stack top). */
void arch_vcpu_restore(struct vcpu *v)
{
	struct cpu_regs *frame = arch_guest_frame();

	*frame = v->saved_regs;
	pv_load_cr3(v);
	pv_load_descriptor_tables(v);
	pv_load_debugregs(v);
	/*
	 * Selectors after the descriptor tables they name, and before the
	 * bases (a %fs/%gs load sets its base from the descriptor). One the
	 * CPU now refuses (its descriptor changed) becomes the null selector.
	 */
	if (load_ds_checked(v->ds_sel))
		load_ds_checked(0);
	if (load_es_checked(v->es_sel))
		load_es_checked(0);
	if (load_fs_checked(v->fs_sel))
		load_fs_checked(0);
	if (load_gs_checked(v->gs_sel))
		load_gs_checked(0);
	wrmsr(MSR_FS_BASE, v->fs_base);
	wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
	wrmsr(MSR_SHADOW_GS_BASE, v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
	if (!v->fpu_initialised)
		init_fpu_state(v);
	clts();
	if (fpu_ptr_reset)
		fpu_ptr_scrub();
	xstate_restore(v->fpu_state, v->xcr0);
	if (v->virt_cr0_ts)
		stts();
}

/* Deliver pending events: enter the event callback with events masked. */
void arch_deliver_events(struct vcpu *v, struct cpu_regs *regs)
{
	struct vcpu_info *vi = v->vcpu_info;

	if (!vi->evtchn_upcall_pending || vi->evtchn_upcall_mask ||
	    !v->event_cb.address)
		return;
	cpu_perf.bounces++;
	pv_bounce_inline(regs, v->event_cb.address, PV_ENTRY_EVENT, false, 0, NULL,
			 true);
	sched_update_fast_path(v);
}


void arch_leave_guest_context(void)
{
	write_cr3(virt_to_maddr(idle_l4));
	pv_unload_descriptor_tables();
}

void arch_flush_tlb(void)
{
	flush_tlb_local(NULL);
}
