/*
 * Lamina PV ABI: HYPERVISOR_sched_op(cmd, arg), the scheduler interface.
 */
#ifndef LAMINA_PV_SCHED_H
#define LAMINA_PV_SCHED_H

#include "event_channel.h"

#define SCHEDOP_yield           0  /* arg: NULL; give up the CPU */
#define SCHEDOP_block           1  /* arg: NULL; sleep until an event, unmasking events */
#define SCHEDOP_shutdown        2  /* arg: struct sched_shutdown */
#define SCHEDOP_poll            3  /* arg: struct sched_poll */
#define SCHEDOP_remote_shutdown 4  /* arg: struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code   5  /* arg: struct sched_shutdown; record only */
#define SCHEDOP_watchdog        6  /* arg: struct sched_watchdog */
#define SCHEDOP_pin_override    7  /* arg: struct sched_pin_override */

/* Reasons a domain stops. */
#define SHUTDOWN_poweroff   0  /* finished normally */
#define SHUTDOWN_reboot     1  /* restart me */
#define SHUTDOWN_suspend    2  /* save state for a later resume */
#define SHUTDOWN_crash      3  /* the domain crashed */
#define SHUTDOWN_watchdog   4  /* a watchdog expired */
#define SHUTDOWN_soft_reset 5  /* reset state, keep memory */
#define SHUTDOWN_MAX        5

#ifndef __ASSEMBLY__

struct sched_shutdown {
	unsigned int reason;        /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

/* Block until one of the listed ports is pending or timeout (system time, ns; 0 = none). */
struct sched_poll {
	XEN_GUEST_HANDLE(evtchn_port_t) ports;
	unsigned int nr_ports;
	uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);

/* Stop another domain (privileged). */
struct sched_remote_shutdown {
	domid_t domain_id;
	unsigned int reason;        /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

/* id 0 creates a watchdog; otherwise re-arm (timeout s) or destroy (0) it. */
struct sched_watchdog {
	uint32_t id;
	uint32_t timeout;
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

/* Pin the vCPU to a physical CPU temporarily (-1 undoes it). */
struct sched_pin_override {
	int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);

#endif /* !__ASSEMBLY__ */

#endif /* LAMINA_PV_SCHED_H */
