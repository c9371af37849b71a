/*
 * Privileged instructions a PV kernel still executes, emulated as Xen does
 * for them, and everything else refused.
 *
 *  #UD  forced-emulation prefix `ud2a; .ascii "xen"; cpuid`: filtered CPUID.
 *       The prefix before anything else: #UD.
 *  #GP  rdmsr/wrmsr of FS_BASE, GS_BASE, KERNEL_GS_BASE: like set_segment_base.
 *       mov from CR0/CR2/CR3/CR4: the guest's view of them.
 *       mov to CR4: accepted, and only OSXSAVE taken (when XSAVE is
 *       offered), as Xen filters a PV guest's CR4 writes.
 *       xsetbv: XCR0 with Xen's checks (needs the guest's CR4.OSXSAVE,
 *       else #UD; XCR0 only, x87 on, AVX with SSE, offered components).
 *       clts: fpu_taskswitch(0).
 *       mov to/from DR0-DR7: set_debugreg/get_debugreg, a refused value
 *       being #GP(0); DR4/DR5 alias DR6/DR7 (the guest's CR4.DE is clear),
 *       DR8-DR15 are #UD, as in Xen.
 *       Anything else (cli, sti, hlt, lgdt, lidt, mov to CR0/CR3, other
 *       MSRs, in/out, invlpg, wbinvd, ...): #GP delivered to the guest.
 *  Guest user mode runs in ring 3 like its kernel, but these are the
 *  kernel's: user code gets #GP(0) for every one of them, as in Xen
 *  (xsetbv: #UD while the guest's CR4.OSXSAVE is clear, Xen's order). Only
 *  the forced-emulation cpuid works there too (Xen refuses it to user code
 *  only when the guest turned CPUID faulting on, which Lamina does not offer).
 */
#include <lamina/config.h>
#include <lamina/cpuid_policy.h>
#include <lamina/guest_access.h>
#include <lamina/hypercall.h>
#include <lamina/insn_decode.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv.h>
#include <pv/xen.h>
#include <asm/cpu.h>
#include <asm/traps.h>
#include <asm/xstate.h>

/* Pointer to general register n (0 = rax ... 15 = r15) in a frame. */
static uint64_t *gpr_ptr(struct cpu_regs *r, unsigned int n)
{
	switch (n & 15) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 4: return &r->rsp;
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	default: return &r->r15;
	}
}

static void emulate_cpuid(struct cpu_regs *regs, unsigned int vector)
{
	static struct pv_cpuid_params params;
	static bool params_ready;
	struct cpuid_regs host, out;
	uint32_t leaf = (uint32_t)regs->rax, sub = (uint32_t)regs->rcx;

	if (!params_ready) {
		struct cpuid_regs l0, x0;
		cpuid_count(0, 0, &l0.a, &l0.b, &l0.c, &l0.d);
		cpuid_count(0x80000000, 0, &x0.a, &x0.b, &x0.c, &x0.d);
		pv_cpuid_params_init(&params, &l0, &x0);
		params.xcr0_mask = xstate_guest_mask;
		params.xsave_max_size = (xstate_guest_mask & XSTATE_YMM) ?
			XSTATE_AREA_SIZE : XSTATE_YMM_OFFSET;
		params.fsgsbase = false;
		/* Highest machine address the domain may see, as Xen computes it. */
		params.machine_address_bits = 64 - __builtin_clzl(max_mfn - 1) + PAGE_SHIFT;
		if (x0.a >= 0x80000001) {
			struct cpuid_regs x1;
			cpuid_count(0x80000001, 0, &x1.a, &x1.b, &x1.c, &x1.d);
			params.tsc.rdtscp = x1.d & CPUIDX1_EDX_RDTSCP;
		}
		params.preserve_ad = true;      /* MMU_PT_UPDATE_PRESERVE_AD works */
		params_ready = true;
	}
	/*
	 * OSXSAVE: the guest's CR4.OSXSAVE; a kernel using the forced-emulation
	 * prefix also sees the hypervisor's, as in Xen.
	 */
	params.osxsave = current->virt_cr4_osxsave ||
		(vector == X86_EXC_UD && current->kernel_mode && xstate_enabled);
	cpuid_count(leaf, sub, &host.a, &host.b, &host.c, &host.d);
	pv_cpuid_policy(leaf, sub, &host, &out, &params);
	regs->rax = out.a;
	regs->rbx = out.b;
	regs->rcx = out.c;
	regs->rdx = out.d;
}

/* The segment-base MSRs and their set_segment_base equivalents. */
static bool emulate_rdmsr(struct cpu_regs *regs)
{
	struct vcpu *v = current;
	uint64_t val;

	switch ((uint32_t)regs->rcx) {
	case MSR_FS_BASE:
		val = v->fs_base;
		break;
	case MSR_GS_BASE:
		val = v->kernel_mode ? v->gs_base_kernel : v->gs_base_user;
		break;
	case MSR_SHADOW_GS_BASE:
		val = v->kernel_mode ? v->gs_base_user : v->gs_base_kernel;
		break;
	default:
		return false;
	}
	regs->rax = (uint32_t)val;
	regs->rdx = val >> 32;
	return true;
}

static bool emulate_wrmsr(struct cpu_regs *regs)
{
	uint64_t val = ((regs->rdx & 0xffffffff) << 32) | (regs->rax & 0xffffffff);
	unsigned int which;

	switch ((uint32_t)regs->rcx) {
	case MSR_FS_BASE:
		which = SEGBASE_FS;
		break;
	case MSR_GS_BASE:
		which = current->kernel_mode ? SEGBASE_GS_KERNEL : SEGBASE_GS_USER;
		break;
	case MSR_SHADOW_GS_BASE:
		which = current->kernel_mode ? SEGBASE_GS_USER : SEGBASE_GS_KERNEL;
		break;
	default:
		return false;
	}
	return pv_set_segment_base(which, val) == 0;
}

/* What the guest reads from a control register. */
static bool read_control_register(unsigned int cr, uint64_t *val)
{
	struct vcpu *v = current;

	switch (cr) {
	case 0:
		*val = (read_cr0() & ~X86_CR0_TS) | (v->virt_cr0_ts ? X86_CR0_TS : 0);
		return true;
	case 2:
		*val = v->vcpu_info->arch.cr2;
		return true;
	case 3:
		*val = (v->kernel_mode ? v->kernel_l4_mfn : v->user_l4_mfn) << PAGE_SHIFT;
		return true;
	case 4:
		/* Features the guest may rely on; hypervisor-only bits hidden. */
		*val = read_cr4() & (X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
		if (v->virt_cr4_osxsave)
			*val |= X86_CR4_OSXSAVE;
		return true;
	}
	return false;
}

/* xsetbv: 0, or the exception the guest gets (X86_EXC_UD / X86_EXC_GP). */
static int emulate_xsetbv(struct cpu_regs *regs)
{
	struct vcpu *v = current;
	uint64_t val = ((regs->rdx & 0xffffffff) << 32) | (regs->rax & 0xffffffff);

	if (!v->virt_cr4_osxsave)
		return X86_EXC_UD;
	if ((uint32_t)regs->rcx != 0 || !xstate_guest_xcr0_ok(val))
		return X86_EXC_GP;
	xstate_load_xcr0(val);
	v->xcr0 = val;
	return 0;
}

/*
 * mov to/from a debug register: the values of set_debugreg/get_debugreg.
 * False when the guest must get #GP(0); *ud when it must get #UD instead.
 */
static bool emulate_mov_dr(struct cpu_regs *regs, const struct pv_insn *insn,
			   bool *ud)
{
	unsigned int dr = insn->dr;
	uint64_t *gpr = gpr_ptr(regs, insn->gpr);

	if (dr > 7) {
		*ud = true;
		return false;
	}
	if (dr == 4 || dr == 5)
		dr += 2;
	if (insn->kind == PV_INSN_MOV_FROM_DR) {
		*gpr = current->debugreg[dr];
		return true;
	}
	return do_set_debugreg(dr, *gpr, 0, 0, 0) == 0;
}

bool pv_emulate_privileged(struct cpu_regs *regs, unsigned int vector)
{
	uint8_t bytes[PV_INSN_MAX_LEN];
	struct pv_insn insn;
	size_t len;

	/* Fetch what we can: the instruction may end at an unmapped page. */
	for (len = 0; len < sizeof(bytes); len++)
		if (copy_from_guest(&bytes[len], regs->rip + len, 1))
			break;
	if (pv_insn_decode(bytes, len, &insn) < 0)
		return false;

	if (vector == X86_EXC_GP && !current->kernel_mode) {
		/* Nothing is emulated for user code: #GP(0), except that xsetbv
		 * checks CR4.OSXSAVE (#UD) before privilege, as in Xen. */
		if (insn.kind == PV_INSN_XSETBV && !current->virt_cr4_osxsave) {
			pv_inject_exception(regs, X86_EXC_UD, false, 0);
			return true;
		}
		return false;
	}

	if (vector == X86_EXC_UD) {
		if (insn.kind != PV_INSN_FEP_CPUID)
			return false;
		emulate_cpuid(regs, vector);
		regs->rip += insn.length;
		return true;
	}

	switch (insn.kind) {
	case PV_INSN_RDMSR:
		if (!emulate_rdmsr(regs))
			return false;
		break;
	case PV_INSN_WRMSR:
		if (!emulate_wrmsr(regs))
			return false;
		break;
	case PV_INSN_MOV_FROM_CR: {
		uint64_t val;
		if (!read_control_register(insn.cr, &val))
			return false;
		*gpr_ptr(regs, insn.gpr) = val;
		break;
	}
	case PV_INSN_MOV_TO_CR:
		if (insn.cr != 4)
			return false;
		current->virt_cr4_osxsave = xstate_guest_mask &&
			(*gpr_ptr(regs, insn.gpr) & X86_CR4_OSXSAVE);
		break;
	case PV_INSN_XSETBV: {
		int exc = emulate_xsetbv(regs);
		if (exc == X86_EXC_GP)
			return false;
		if (exc) {
			pv_inject_exception(regs, exc, false, 0);
			return true;
		}
		break;
	}
	case PV_INSN_CLTS:
		pv_set_virtual_ts(current, false);
		break;
	case PV_INSN_MOV_FROM_DR:
	case PV_INSN_MOV_TO_DR: {
		bool ud = false;
		if (!emulate_mov_dr(regs, &insn, &ud)) {
			if (!ud)
				return false;
			pv_inject_exception(regs, X86_EXC_UD, false, 0);
			return true;
		}
		break;
	}
	default:
		return false;
	}
	regs->rip += insn.length;
	return true;
}
