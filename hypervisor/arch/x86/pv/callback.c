/*
 * Hypercalls that set per-vCPU entry points and CPU state: the virtual IDT
 * (set_trap_table), callbacks, the kernel stack (stack_switch), lazy FPU
 * (fpu_taskswitch), segment bases, and VM assists.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/lib.h>
#include <lamina/pv.h>
#include <lamina/hypercall.h>
#include <pv/xen.h>
#include <pv/callback.h>
#include <pv/errno.h>
#include <asm/cpu.h>

/* A legitimate table has at most one entry per vector; this bounds a
 * hostile, endless one (Xen relies on preemption instead). */
#define MAX_TRAP_TABLE_ENTRIES 4096

/* 64-bit PV code selectors with RPL 0 are taken to mean RPL 3, as in Xen. */
static uint16_t fixup_code_selector(uint16_t cs)
{
	return (cs & 3) ? cs : (cs | 3);
}

long do_set_trap_table(uint64_t table, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct vcpu *v = current;
	(void)a2, (void)a3, (void)a4, (void)a5;

	/* A NULL table clears every entry. */
	if (!table) {
		memset(v->trap_ctxt, 0, sizeof(v->trap_ctxt));
		return 0;
	}
	for (unsigned int i = 0; i < MAX_TRAP_TABLE_ENTRIES; i++) {
		struct trap_info ti;
		if (copy_from_guest(&ti, table + i * sizeof(ti), sizeof(ti)))
			return -XEN_EFAULT;
		if (ti.address == 0)
			return 0;
		if (!is_canonical(ti.address))
			return -XEN_EINVAL;
		ti.cs = fixup_code_selector(ti.cs);
		v->trap_ctxt[ti.vector] = ti;
	}
	return -XEN_E2BIG;
}

static struct guest_callback *callback_slot(struct vcpu *v, unsigned int type)
{
	switch (type) {
	case CALLBACKTYPE_event:     return &v->event_cb;
	case CALLBACKTYPE_failsafe:  return &v->failsafe_cb;
	case CALLBACKTYPE_syscall:   return &v->syscall_cb;
	case CALLBACKTYPE_syscall32: return &v->syscall32_cb;
	case CALLBACKTYPE_sysenter:  return &v->sysenter_cb;
	case CALLBACKTYPE_nmi:       return &v->nmi_cb;
	}
	return NULL;
}

static long register_callback(unsigned int type, uint16_t flags, uint64_t addr)
{
	struct guest_callback *cb = callback_slot(current, type);

	/* Xen checks the address first, then the type. */
	if (!is_canonical(addr))
		return -XEN_EINVAL;
	if (!cb)
		return -XEN_ENOSYS;
	cb->address = addr;
	cb->flags = flags & CALLBACKF_mask_events;
	return 0;
}

long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall,
		      uint64_t a4, uint64_t a5)
{
	(void)a4, (void)a5;

	/*
	 * Xen masks events on entry to the event and failsafe callbacks, and
	 * this old interface ignores bad addresses (each is left unchanged)
	 * and always succeeds.
	 */
	register_callback(CALLBACKTYPE_event, CALLBACKF_mask_events, event);
	register_callback(CALLBACKTYPE_failsafe, CALLBACKF_mask_events, failsafe);
	register_callback(CALLBACKTYPE_syscall, CALLBACKF_mask_events, syscall);
	return 0;
}

long do_callback_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;

	switch (cmd) {
	case CALLBACKOP_register: {
		struct callback_register reg;
		if (copy_from_guest(&reg, arg, sizeof(reg)))
			return -XEN_EFAULT;
		return register_callback(reg.type, reg.flags, reg.address);
	}
	case CALLBACKOP_unregister: {
		struct callback_unregister unreg;
		if (copy_from_guest(&unreg, arg, sizeof(unreg)))
			return -XEN_EFAULT;
		/* Only the NMI callback can be withdrawn, as in Xen. */
		if (unreg.type == CALLBACKTYPE_nmi) {
			current->nmi_cb.address = 0;
			return 0;
		}
		return callback_slot(current, unreg.type) ? -XEN_EINVAL : -XEN_ENOSYS;
	}
	}
	return -XEN_ENOSYS;
}

long do_stack_switch(uint64_t ss, uint64_t sp, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	/* Stack selectors with RPL 0 become RPL 3, as Xen fixes them up. */
	current->kernel_ss = (ss & 3) ? (ss & 0xffff) : ((ss & 0xffff) | 3);
	current->kernel_sp = sp;
	return 0;
}

void pv_set_virtual_ts(struct vcpu *v, bool set)
{
	v->virt_cr0_ts = set;
	if (v == current) {
		if (set)
			stts();
		else
			clts();
	}
}

long do_fpu_taskswitch(uint64_t set, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	pv_set_virtual_ts(current, set != 0);
	return 0;
}

int load_gs_checked(uint16_t sel);

long pv_set_segment_base(unsigned int which, uint64_t base)
{
	struct vcpu *v = current;

	switch (which) {
	case SEGBASE_FS:
		if (!is_canonical(base))
			return -XEN_EINVAL;
		v->fs_base = base;
		wrmsr(MSR_FS_BASE, base);
		return 0;
	case SEGBASE_GS_USER:
		if (!is_canonical(base))
			return -XEN_EINVAL;
		v->gs_base_user = base;
		wrmsr(v->kernel_mode ? MSR_SHADOW_GS_BASE : MSR_GS_BASE, base);
		return 0;
	case SEGBASE_GS_KERNEL:
		if (!is_canonical(base))
			return -XEN_EINVAL;
		v->gs_base_kernel = base;
		wrmsr(v->kernel_mode ? MSR_GS_BASE : MSR_SHADOW_GS_BASE, base);
		return 0;
	case SEGBASE_GS_USER_SEL: {
		/*
		 * Load the user's %gs selector: swap the bases so the load lands
		 * on the user side, and fall back to the null selector if the
		 * CPU refuses it. Loading a selector resets the user base.
		 */
		__asm__ volatile("swapgs");
		if (load_gs_checked(base & 0xffff))
			load_gs_checked(0);
		v->gs_base_user = rdmsr(MSR_GS_BASE);
		__asm__ volatile("swapgs");
		return 0;
	}
	}
	return -XEN_EINVAL;
}

long do_set_segment_base(uint64_t which, uint64_t base, uint64_t a3,
			 uint64_t a4, uint64_t a5)
{
	(void)a3, (void)a4, (void)a5;
	if (which > SEGBASE_GS_USER_SEL)
		return -XEN_EINVAL;
	return pv_set_segment_base((unsigned int)which, base);
}

/* VM assists a 64-bit PV guest may turn on (Xen's set for native guests). */
#define VM_ASSIST_VALID ((1UL << VMASST_TYPE_4gb_segments) |            \
			 (1UL << VMASST_TYPE_4gb_segments_notify) |     \
			 (1UL << VMASST_TYPE_writable_pagetables) |     \
			 (1UL << VMASST_TYPE_pae_extended_cr3) |        \
			 (1UL << VMASST_TYPE_architectural_iopl) |      \
			 (1UL << VMASST_TYPE_runstate_update_flag) |    \
			 (1UL << VMASST_TYPE_m2p_strict))

long do_vm_assist(uint64_t cmd, uint64_t type, uint64_t a3, uint64_t a4,
		  uint64_t a5)
{
	struct domain *d = current->domain;
	(void)a3, (void)a4, (void)a5;

	if (type >= 64 || !(VM_ASSIST_VALID & (1UL << type)))
		return -XEN_EINVAL;
	switch (cmd) {
	case VMASST_CMD_enable:
		d->vm_assist |= 1UL << type;
		return 0;
	case VMASST_CMD_disable:
		d->vm_assist &= ~(1UL << type);
		return 0;
	}
	return -XEN_ENOSYS;
}
