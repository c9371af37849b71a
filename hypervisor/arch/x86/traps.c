/*
 * Exceptions and interrupts arriving in the hypervisor.
 *
 * From a guest (CS.RPL 3) they go to the PV layer, which bounces them to the
 * guest or emulates. From ring 0 they are either an expected fault on a guest
 * access (recovered through the exception table) or a hypervisor bug, which
 * is reported in full and ends the run with status "panic".
 */
#include <stdarg.h>
#include <stdint.h>
#include <lamina/arch.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/lib.h>
#include <asm/cpu.h>
#include <asm/traps.h>
#include <lamina/domain.h>
#include <lamina/schedule.h>
#include <lamina/hypercall.h>
#include <lamina/timer.h>
#include <lamina/pv.h>

struct ex_table_entry {
	uint64_t insn;
	uint64_t fixup;
};

extern const struct ex_table_entry __ex_table_start[], __ex_table_end[];
extern char _stext[], _etext[];

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *exception_name(unsigned int vector)
{
	if (vector < 32 && exception_names[vector])
		return exception_names[vector];
	return vector < 32 ? "reserved exception" : "interrupt";
}

/* The fixup address for a faulting hypervisor instruction, or 0. */
static uint64_t search_exception_table(uint64_t rip)
{
	for (const struct ex_table_entry *e = __ex_table_start;
	     e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

void dump_regs(const struct cpu_regs *r)
{
	printk("  rip %016lx  cs %04lx  rflags %08lx\n", r->rip, r->cs, r->rflags);
	printk("  rsp %016lx  ss %04lx  error %lx\n", r->rsp, r->ss, r->error_code);
	printk("  rax %016lx  rbx %016lx  rcx %016lx\n", r->rax, r->rbx, r->rcx);
	printk("  rdx %016lx  rsi %016lx  rdi %016lx\n", r->rdx, r->rsi, r->rdi);
	printk("  rbp %016lx  r8  %016lx  r9  %016lx\n", r->rbp, r->r8, r->r9);
	printk("  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r10, r->r11, r->r12);
	printk("  r13 %016lx  r14 %016lx  r15 %016lx\n", r->r13, r->r14, r->r15);
}

/*
 * Follow the frame-pointer chain (everything is built with frame pointers).
 * Only frames inside the hypervisor's half are followed, and at most 32, so
 * a corrupt chain cannot make the report itself fault forever.
 */
static void backtrace(uint64_t rip, uint64_t rbp)
{
	printk("  backtrace:\n");
	printk("    %016lx\n", rip);
	for (int depth = 0; depth < 32; depth++) {
		if (rbp < HV_VIRT_START || rbp >= HV_VIRT_END || (rbp & 7))
			break;
		uint64_t ret = ((uint64_t *)rbp)[1];
		if (ret < (uint64_t)_stext || ret >= (uint64_t)_etext)
			break;
		printk("    %016lx\n", ret);
		rbp = ((uint64_t *)rbp)[0];
	}
}

void arch_machine_exit(int status)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	/* No isa-debug-exit: try ACPI poweroff on QEMU's q35 and PIIX4. */
	outw(0x604, 0x2000);
	outw(0xb004, 0x2000);
	halt_forever();
	__builtin_unreachable();
}

static void __attribute__((noreturn)) vpanic(const struct cpu_regs *regs, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printk("\n");
	printk("PANIC: %s\n", msg);
	if (regs) {
		dump_regs(regs);
		printk("  cr0 %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n",
		       read_cr0(), read_cr2(), read_cr3(), read_cr4());
		backtrace(regs->rip, regs->rbp);
	} else {
		backtrace((uint64_t)__builtin_return_address(0),
			  (uint64_t)__builtin_frame_address(0));
	}
	printk("run ended: panic (status %d)\n", RUN_END_PANIC);
	arch_machine_exit(RUN_END_PANIC);
}

void panic_regs(const struct cpu_regs *regs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpanic(regs, fmt, ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpanic(0, fmt, ap);
}

/* A device interrupt: today only the local APIC timer. */
static void handle_irq(struct cpu_regs *regs)
{
	unsigned int vector = (unsigned int)regs->entry_vector;

	if (vector == VECTOR_SPURIOUS)
		return;
	apic_eoi();
	if (vector == VECTOR_TIMER)
		timers_run();
	if (regs_from_guest(regs)) {
		cpu_perf.entries++;
		pv_return_to_guest(regs);
	}
}

/* Called from entry.S for every exception and interrupt. */
void handle_exception(struct cpu_regs *regs)
{
	unsigned int vector = (unsigned int)regs->entry_vector;

	if (vector >= 32) {
		handle_irq(regs);
		return;
	}
	if (regs_from_guest(regs)) {
		pv_handle_guest_exception(regs);
		pv_return_to_guest(regs);
		return;
	}

	if (vector == X86_EXC_DB) {
		pv_hypervisor_debug_exception(regs);
		return;
	}
	uint64_t fixup = search_exception_table(regs->rip);
	if (fixup && (vector == X86_EXC_PF || vector == X86_EXC_GP ||
		      vector == X86_EXC_SS || vector == X86_EXC_NP)) {
		regs->rip = fixup;
		return;
	}
	if (vector == X86_EXC_NMI) {
		printk("NMI received at rip %lx; ignored\n", regs->rip);
		return;
	}
	if (vector == X86_EXC_PF)
		panic_regs(regs, "hypervisor fault: vector %u (%s), error %#lx, cr2 %#lx",
			   vector, exception_name(vector), regs->error_code,
			   read_cr2());
	panic_regs(regs, "hypervisor fault: vector %u (%s), error %#lx", vector,
		   exception_name(vector), regs->error_code);
}
