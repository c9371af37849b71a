/*
 * Lamina PV ABI: HYPERVISOR_vcpu_op(cmd, vcpuid, arg), per-vCPU control.
 */
#ifndef LAMINA_PV_VCPU_H
#define LAMINA_PV_VCPU_H

#include "xen.h"

#define VCPUOP_initialise                     0  /* arg: vcpu_guest_context */
#define VCPUOP_up                             1  /* arg: NULL */
#define VCPUOP_down                           2  /* arg: NULL */
#define VCPUOP_is_up                          3  /* arg: NULL; returns 0 or 1 */
#define VCPUOP_get_runstate_info              4  /* arg: vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5  /* arg: vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer             6  /* arg: vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7  /* arg: NULL */
#define VCPUOP_set_singleshot_timer           8  /* arg: vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9  /* arg: NULL */
#define VCPUOP_register_vcpu_info            10  /* arg: vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                      11  /* arg: NULL */
#define VCPUOP_get_physid                    12  /* arg: vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13 /* arg: vcpu_register_time_memory_area */

/* vcpu_runstate_info.state values. */
#define RUNSTATE_running  0  /* on a physical CPU */
#define RUNSTATE_runnable 1  /* ready, waiting for a CPU */
#define RUNSTATE_blocked  2  /* waiting for an event */
#define RUNSTATE_offline  3  /* down or paused */

/*
 * Set in state_entry_time while the hypervisor rewrites a registered
 * runstate area (with VMASST_TYPE_runstate_update_flag enabled).
 */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)

/* VCPUOP_set_singleshot_timer flags: fail with -ETIME if already past. */
#define _VCPU_SSHOTTMR_future (0)
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

/* The APIC and ACPI ids packed into vcpu_get_physid.phys_id. */
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

#ifndef __ASSEMBLY__

/* Where a vCPU spends its time; times are ns of system time. */
struct vcpu_runstate_info {
	int state;                  /* RUNSTATE_* */
	uint64_t state_entry_time;  /* when state was entered */
	uint64_t time[4];           /* total time in each RUNSTATE_* */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);

/* Guest address the hypervisor keeps a runstate copy at. */
struct vcpu_register_runstate_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
		struct vcpu_runstate_info *v;
		uint64_t p;
	} addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

/* Periodic VIRQ_TIMER every period_ns. */
struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

/* One VIRQ_TIMER at an absolute system time. */
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags;             /* VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);

/* Move the vCPU's vcpu_info out of shared_info, to mfn:offset. */
struct vcpu_register_vcpu_info {
	uint64_t mfn;
	uint32_t offset;
	uint32_t rsvd;
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);

/* Physical CPU identity (APIC id low, ACPI id high). */
struct vcpu_get_physid {
	uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);

/* Extra guest address the hypervisor keeps a vcpu_time_info copy at. */
DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_time_info_t) h;
		struct vcpu_time_info *v;
		uint64_t p;
	} addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_VCPU_H */
