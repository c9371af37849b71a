/*
 * VCPUOP_initialise: a down, never-initialised vCPU of the caller's domain
 * gets its whole state from a struct vcpu_guest_context, with Xen 4.17's
 * checks and error codes (arch_set_info_guest for a 64-bit PV guest):
 *  - -EINVAL for a non-canonical rip, rsp, kernel_sp, fs/gs bases, callback
 *    or trap-table address, an LDT base that is not page aligned (or not
 *    canonical while ldt_ents != 0) or ldt_ents > 8192, or a user-mode
 *    start (no VGCF_in_kernel) without user page tables (ctrlreg[1]);
 *  - the GDT frames as set_gdt takes them (its errors);
 *  - ctrlreg[3] (and ctrlreg[1] if set) must name a frame of the domain
 *    that validates as an L4: the vCPU holds a base-pointer reference to
 *    it, as MMUEXT_NEW_BASEPTR takes one; -EINVAL otherwise;
 *  - debug registers that set_debugreg refuses are ignored (left at their
 *    reset values), as Xen ignores set_debugreg's result here.
 * Nothing is changed unless every check passes. Selectors get RPL 3 where
 * Xen fixes them up; exit_to_guest checks the rest on the way in.
 * VGCF_online brings the vCPU up at once (Xen clears its down flag).
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <asm/xstate.h>
#include <lamina/guest_access.h>
#include <lamina/lib.h>
#include <lamina/mm.h>
#include <lamina/pv.h>
#include <lamina/pv_mm.h>
#include <lamina/schedule.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include <pv/xen.h>
#include <asm/cpu.h>

#define MXCSR_SAFE_BITS 0xffbfU         /* all but DAZ: valid on every CPU */

static uint16_t fixup_rpl(uint64_t sel)
{
	return (sel & 3) ? (sel & 0xffff) : ((sel & 0xffff) | 3);
}

/* The canonical-address checks, all before anything is touched. */
static bool context_canonical(const struct vcpu_guest_context *c)
{
	if (!is_canonical(c->user_regs.rip) || !is_canonical(c->user_regs.rsp) ||
	    !is_canonical(c->kernel_sp) ||
	    (c->ldt_ents && !is_canonical(c->ldt_base)) ||
	    !is_canonical(c->fs_base) || !is_canonical(c->gs_base_kernel) ||
	    !is_canonical(c->gs_base_user) ||
	    !is_canonical(c->event_callback_eip) ||
	    !is_canonical(c->syscall_callback_eip) ||
	    !is_canonical(c->failsafe_callback_eip))
		return false;
	for (unsigned int i = 0; i < 256; i++)
		if (!is_canonical(c->trap_ctxt[i].address))
			return false;
	return true;
}

/* A base-pointer reference to the domain's frame mfn as an L4. */
static int get_l4(struct domain *d, uint64_t mfn)
{
	struct pt_ctx c;

	if (mfn >= max_mfn || frame_table[mfn].owner != d->domain_id)
		return -XEN_EINVAL;
	pv_pt_ctx(d, &c);
	return pt_get_page_and_type(&c, mfn, FRAME_TYPE_L4) ? -XEN_EINVAL : 0;
}

static void put_l4(struct domain *d, uint64_t mfn)
{
	struct pt_ctx c;

	pv_pt_ctx(d, &c);
	pt_put_page_and_type(&c, mfn);
}

/* The references the context asks for: L4s, GDT, LDT; all or none. */
static long take_references(struct vcpu *v, const struct vcpu_guest_context *c)
{
	struct domain *d = v->domain;
	uint64_t kl4 = c->ctrlreg[3] >> PAGE_SHIFT, ul4 = c->ctrlreg[1] >> PAGE_SHIFT;
	long rc;

	if ((rc = pv_set_gdt(v, c->gdt_frames, c->gdt_ents)))
		return rc;
	if ((rc = get_l4(d, kl4)))
		goto no_kernel;
	if (c->ctrlreg[1] && (rc = get_l4(d, ul4)))
		goto no_user;
	v->kernel_l4_mfn = kl4;
	v->user_l4_mfn = c->ctrlreg[1] ? ul4 : 0;
	/* The LDT's frames are found through the kernel tables just taken. */
	if ((rc = pv_set_ldt(v, c->ldt_base, c->ldt_ents)))
		goto no_ldt;
	return 0;

no_ldt:
	v->kernel_l4_mfn = v->user_l4_mfn = 0;
	if (c->ctrlreg[1])
		put_l4(d, ul4);
no_user:
	put_l4(d, kl4);
no_kernel:
	pv_destroy_descriptor_tables(v);
	return rc;
}

static void set_callback(struct guest_callback *cb, uint64_t addr, bool mask)
{
	cb->address = addr;
	cb->flags = mask ? CALLBACKF_mask_events : 0;
}

/* Everything but the references, which take_references set. */
static void load_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
	const struct cpu_user_regs *u = &c->user_regs;
	struct cpu_regs *r = &v->saved_regs;

	memset(r, 0, sizeof(*r));
	r->r15 = u->r15; r->r14 = u->r14; r->r13 = u->r13; r->r12 = u->r12;
	r->rbp = u->rbp; r->rbx = u->rbx; r->r11 = u->r11; r->r10 = u->r10;
	r->r9 = u->r9; r->r8 = u->r8; r->rax = u->rax; r->rcx = u->rcx;
	r->rdx = u->rdx; r->rsi = u->rsi; r->rdi = u->rdi;
	r->rip = u->rip;
	r->cs = fixup_rpl(u->cs);
	r->ss = fixup_rpl(u->ss);
	r->rsp = u->rsp;
	/* IOPL is virtual; hardware interrupts stay on (exit_to_guest). */
	r->rflags = (u->rflags & ~X86_EFLAGS_IOPL) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
	v->ds_sel = u->ds;
	v->es_sel = u->es;
	v->fs_sel = u->fs;
	v->gs_sel = u->gs;

	for (unsigned int i = 0; i < 256; i++) {
		v->trap_ctxt[i] = c->trap_ctxt[i];
		v->trap_ctxt[i].cs = fixup_rpl(c->trap_ctxt[i].cs);
	}
	v->kernel_ss = fixup_rpl(c->kernel_ss);
	v->kernel_sp = c->kernel_sp;
	v->kernel_mode = c->flags & VGCF_in_kernel;
	v->virt_cr0_ts = c->ctrlreg[0] & X86_CR0_TS;
	v->fs_base = c->fs_base;
	v->gs_base_kernel = c->gs_base_kernel;
	v->gs_base_user = c->gs_base_user;
	set_callback(&v->event_cb, c->event_callback_eip, true);
	set_callback(&v->failsafe_cb, c->failsafe_callback_eip,
		     c->flags & VGCF_failsafe_disables_events);
	set_callback(&v->syscall_cb, c->syscall_callback_eip,
		     c->flags & VGCF_syscall_disables_events);

	if (c->flags & VGCF_I387_VALID) {
		/*
		 * The context carries the 512-byte FXSAVE image only. The rest
		 * of the save area (the XSAVE header and extended state) is the
		 * hypervisor's: a guest-chosen header or a reserved MXCSR bit
		 * would fault the hypervisor's own xrstor/fxrstor in ring 0.
		 */
		memset(v->fpu_state, 0, sizeof(v->fpu_state));
		memcpy(v->fpu_state, c->fpu_ctxt.x, sizeof(c->fpu_ctxt.x));
		*(uint32_t *)&v->fpu_state[24] &= MXCSR_SAFE_BITS;
		*(uint32_t *)&v->fpu_state[28] = 0;
		*(uint64_t *)&v->fpu_state[XSTATE_HEADER_OFFSET] = XSTATE_LEGACY;
		v->xcr0 = XSTATE_LEGACY;
		v->fpu_initialised = true;
	} else {
		v->fpu_initialised = false;     /* reset state on first run */
	}

	v->debugreg[6] = 0xffff0ff0;
	v->debugreg[7] = 0x400;
	for (unsigned int i = 0; i < 8; i++)
		if (i != 4 && i != 5)
			(void)pv_set_debugreg(v, i, c->debugreg[i]);
}

long pv_vcpu_initialise(struct vcpu *v, uint64_t arg)
{
	static struct vcpu_guest_context c;     /* 5 KiB: not on the stack */
	long rc;

	if (copy_from_guest(&c, arg, sizeof(c)))
		return -XEN_EFAULT;
	if (v->initialised)
		return -XEN_EEXIST;
	if (!context_canonical(&c))
		return -XEN_EINVAL;
	if ((c.ldt_base & (PAGE_SIZE - 1)) || c.ldt_ents > 8192)
		return -XEN_EINVAL;
	if (!(c.flags & VGCF_in_kernel) && !c.ctrlreg[1])
		return -XEN_EINVAL;
	if ((rc = take_references(v, &c)))
		return rc;
	load_context(v, &c);
	v->initialised = true;
	if (c.flags & VGCF_online)
		vcpu_up(v);
	return 0;
}
