/*
 * Lamina PV ABI: HYPERVISOR_callback_op(cmd, arg), registration of the
 * guest entry points the hypervisor calls into.
 */
#ifndef LAMINA_PV_CALLBACK_H
#define LAMINA_PV_CALLBACK_H

#include "xen.h"

#define CALLBACKTYPE_event               0  /* event upcall */
#define CALLBACKTYPE_failsafe            1  /* guest state could not be restored */
#define CALLBACKTYPE_syscall             2  /* 64-bit user syscall */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                 4
#define CALLBACKTYPE_sysenter            5  /* 32-bit user sysenter */
#define CALLBACKTYPE_syscall32           7  /* 32-bit user syscall */

/* Mask events (set upcall_mask) when entering the callback. */
#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register   0  /* arg: struct callback_register */
#define CALLBACKOP_unregister 1  /* arg: struct callback_unregister */

#ifndef __ASSEMBLY__

struct callback_register {
	uint16_t type;              /* CALLBACKTYPE_* */
	uint16_t flags;             /* CALLBACKF_* */
	xen_callback_t address;
};
typedef struct callback_register callback_register_t;
DEFINE_XEN_GUEST_HANDLE(callback_register_t);

struct callback_unregister {
	uint16_t type;              /* CALLBACKTYPE_* */
	uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;
DEFINE_XEN_GUEST_HANDLE(callback_unregister_t);

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_CALLBACK_H */
