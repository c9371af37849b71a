/*
 * libpv exception handling: the trap table, callback registration and the
 * C dispatcher the assembly stubs (trap_entry.S) call.
 */
#include <stddef.h>
#include <libpv/console.h>
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <libpv/traps.h>
#include <pv/callback.h>

_Static_assert(offsetof(struct pv_trap_frame, r11) == PV_FRAME_R11, "frame");
_Static_assert(offsetof(struct pv_trap_frame, rcx) == PV_FRAME_RCX, "frame");
_Static_assert(offsetof(struct pv_trap_frame, rax) == PV_FRAME_RAX, "frame");
_Static_assert(offsetof(struct pv_trap_frame, vector) == PV_FRAME_VECTOR,
	       "frame");
_Static_assert(offsetof(struct pv_trap_frame, rip) == PV_FRAME_RIP, "frame");
_Static_assert(offsetof(struct pv_trap_frame, ss) == PV_FRAME_SS, "frame");
_Static_assert(sizeof(struct pv_trap_frame) == PV_FRAME_SIZE, "frame");

/* trap_info.flags bit 2: mask events while the handler runs. */
#define TRAP_FLAG_MASK_EVENTS 4

static pv_trap_handler_t handlers[PV_NR_VECTORS];

/* Names of vectors 0..19, indexed by vector. */
static const char *const exception_names[PV_NR_EXCEPTIONS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
	"coprocessor overrun", "#TS", "#NP", "#SS", "#GP", "#PF",
	"reserved 15", "#MF", "#AC", "#MC", "#XM",
};

const char *pv_trap_name(unsigned long vector)
{
	if (vector < PV_NR_EXCEPTIONS)
		return exception_names[vector];
	switch (vector) {
	case PV_VEC_EVENT:
		return "event callback";
	case PV_VEC_FAILSAFE:
		return "failsafe callback";
	case PV_VEC_SYSCALL:
		return "syscall callback";
	default:
		return "software interrupt";
	}
}

/* DPL 3 for the vectors user code may raise with int3 / into. */
static unsigned int trap_dpl(unsigned int vector)
{
	return (vector == PV_TRAP_BP || vector == PV_TRAP_OF) ? 3 : 0;
}

long pv_traps_init(void)
{
	static trap_info_t table[PV_NR_EXCEPTIONS + 1];
	unsigned int v;

	for (v = 0; v < PV_NR_EXCEPTIONS; v++) {
		table[v] = (trap_info_t){
			.vector = (uint8_t)v,
			.flags = (uint8_t)(trap_dpl(v) | TRAP_FLAG_MASK_EVENTS),
			.cs = FLAT_KERNEL_CS,
			.address = pv_trap_stubs[v],
		};
	}
	table[PV_NR_EXCEPTIONS] = (trap_info_t){ 0 };   /* terminator */
	return HYPERVISOR_set_trap_table(table);
}

/* Register one callback of the given CALLBACKTYPE_*. */
static long register_callback(unsigned int type, void (*entry)(void))
{
	struct callback_register cb = {
		.type = (uint16_t)type,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)entry,
	};

	return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

long pv_callbacks_init(void)
{
	long rc;

	rc = register_callback(CALLBACKTYPE_event, pv_event_callback_entry);
	if (rc == 0)
		rc = register_callback(CALLBACKTYPE_failsafe,
				       pv_failsafe_callback_entry);
	if (rc == 0)
		rc = register_callback(CALLBACKTYPE_syscall,
				       pv_syscall_callback_entry);
	return rc;
}

void pv_trap_set_handler(unsigned int vector, pv_trap_handler_t fn)
{
	if (vector < PV_NR_VECTORS)
		handlers[vector] = fn;
}

void pv_trap_dump(const struct pv_trap_frame *f)
{
	pv_printf("rip=%016lx cs=%04lx rflags=%016lx rsp=%016lx ss=%04lx\n",
		  f->rip, f->cs & 0xffff, f->rflags, f->rsp, f->ss & 0xffff);
	pv_printf("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n",
		  f->rax, f->rbx, f->rcx, f->rdx);
	pv_printf("rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n",
		  f->rsi, f->rdi, f->rbp, f->r8);
	pv_printf("r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n",
		  f->r9, f->r10, f->r11, f->r12);
	pv_printf("r13=%016lx r14=%016lx r15=%016lx\n", f->r13, f->r14, f->r15);
}

/* No handler registered: report and crash the domain. */
static void unhandled(struct pv_trap_frame *f, unsigned long vector)
{
	pv_printf("libpv: unhandled %s (vector %lu) at rip=%016lx "
		  "error code=%lx\n", pv_trap_name(vector), vector, f->rip,
		  f->error_code);
	pv_trap_dump(f);
	pv_shutdown(SHUTDOWN_crash);
}

void pv_trap_dispatch(struct pv_trap_frame *frame, unsigned long vector)
{
	pv_trap_handler_t fn = vector < PV_NR_VECTORS ? handlers[vector] : NULL;

	if (fn)
		fn(frame);
	else
		unhandled(frame, vector);
}
