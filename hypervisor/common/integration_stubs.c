/*
 * TEMPORARY weak fallbacks while time.c, vcpu_op.c and event_channel.c are
 * being written; each real definition overrides its stub. Delete this file
 * once all three have landed.
 */
#include <lamina/domain.h>
#include <lamina/event.h>
#include <lamina/time.h>
#include <asm/cpu.h>

#define WEAK __attribute__((weak))

WEAK void time_init(void) { }
WEAK uint64_t tsc_to_ns(uint64_t tsc) { return tsc; }
WEAK uint64_t ns_to_tsc(uint64_t ns) { return ns; }
WEAK uint64_t now(void) { return rdtsc(); }
WEAK void update_vcpu_system_time(struct vcpu *v) { (void)v; }
WEAK void update_domain_wallclock_time(struct domain *d) { (void)d; }
WEAK void vcpu_runstate_change(struct vcpu *v, int s, uint64_t t) { (void)v, (void)s, (void)t; }
WEAK int evtchn_domain_init(struct domain *d) { (void)d; return 0; }
WEAK void evtchn_domain_destroy(struct domain *d) { (void)d; }
WEAK void send_guest_virq(struct vcpu *v, unsigned int virq) { (void)v, (void)virq; }
WEAK void send_global_virq(unsigned int virq) { (void)virq; }
WEAK void evtchn_notify_port(struct domain *d, unsigned int port) { (void)d, (void)port; }
WEAK int evtchn_alloc_hypervisor_port(struct domain *d,
				      void (*fn)(struct domain *, unsigned int))
{ (void)d, (void)fn; return 1; }
WEAK bool evtchn_port_is_pending(struct domain *d, unsigned int port)
{ (void)d, (void)port; return false; }
