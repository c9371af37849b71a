/*
 * Native baseline kernel for `make bench`: measures the floors a PV
 * hypercall is compared with, on bare (emulated) hardware, and prints them
 * on the serial port in the benchmark guest's format:
 *   BENCH row=native_<op> iters=<n> insns_per_op=<x.y>
 * Under QEMU -icount shift=0,sleep=off rdtsc counts instructions, so these
 * are instruction counts; under KVM they are cycles.
 */
#include <stdint.h>

#define ITERATIONS   10000UL
#define COM1         0x3f8
#define DEBUG_EXIT   0xf4
#define MSR_STAR     0xc0000081
#define MSR_LSTAR    0xc0000082
#define MSR_FMASK    0xc0000084
#define KERNEL_CS    0x08
#define SYSRET_BASE  0x18      /* sysret: SS = base + 8, CS = base + 16 */
#define GATE_INTR    0x8e      /* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER    0xee      /* present, DPL 3 */

uint64_t native_loop_empty(uint64_t n);
uint64_t native_loop_syscall(uint64_t n);
uint64_t native_loop_int(uint64_t n);
uint64_t native_loop_cr3(uint64_t n);
uint64_t native_loop_invlpg(uint64_t n);
uint64_t native_loop_cpuid(uint64_t n);
void native_run_user(void (*fn)(void));
void native_user_exit(void);
void native_int_return(void);
void native_syscall_return(void);
void native_fault(void);
void native_main(void);
void native_report_fault(void);

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));

/* Results of the ring 3 loops, written from ring 3. */
static volatile uint64_t user_empty, user_syscall, user_int;

/* Write one byte to an I/O port. */
static void outb(uint16_t port, uint8_t value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

/* Write a model-specific register. */
static void wrmsr(uint32_t msr, uint64_t value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value),
		     "d"((uint32_t)(value >> 32)));
}

/* Send a string to COM1. */
static void puts_serial(const char *s)
{
	while (*s)
		outb(COM1, (uint8_t)*s++);
}

/* Send an unsigned decimal number to COM1. */
static void putu_serial(uint64_t v)
{
	char buf[24];
	int i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_serial(&buf[i]);
}

/* Point IDT vector at handler with the given gate type. */
static void set_gate(unsigned int vector, void (*handler)(void), uint8_t type)
{
	uint64_t a = (uint64_t)handler;

	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)a, .selector = KERNEL_CS, .type = type,
		.offset_mid = (uint16_t)(a >> 16),
		.offset_high = (uint32_t)(a >> 32),
	};
}

/* Install the IDT: faults stop the run; 0x80/0x81 are ring 3 gates. */
static void idt_install(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {
		sizeof(idt) - 1, (uint64_t)idt,
	};
	unsigned int v;

	for (v = 0; v < 32; v++)
		set_gate(v, native_fault, GATE_INTR);
	set_gate(0x80, native_int_return, GATE_USER);
	set_gate(0x81, native_user_exit, GATE_USER);
	asm volatile("lidt %0" : : "m"(ptr));
}

/* Print one row: (delta - empty) / n with one decimal. */
static void print_row(const char *name, uint64_t delta, uint64_t empty)
{
	uint64_t net = delta > empty ? delta - empty : 0;
	uint64_t tenths = (net * 10 + ITERATIONS / 2) / ITERATIONS;

	puts_serial("BENCH row=");
	puts_serial(name);
	puts_serial(" iters=");
	putu_serial(ITERATIONS);
	puts_serial(" insns_per_op=");
	putu_serial(tenths / 10);
	puts_serial(".");
	putu_serial(tenths % 10);
	puts_serial("\n");
}

/* Ring 3 part: time syscall and int round trips, then leave ring 3. */
static void user_measure(void)
{
	user_empty = native_loop_empty(ITERATIONS);
	user_syscall = native_loop_syscall(ITERATIONS);
	user_int = native_loop_int(ITERATIONS);
	asm volatile("int $0x81");
	for (;;)
		;
}

void native_report_fault(void)
{
	puts_serial("BENCH native: unexpected exception\n");
	outb(DEBUG_EXIT, 1);
}

void native_main(void)
{
	uint64_t empty;

	idt_install();
	wrmsr(MSR_STAR, ((uint64_t)SYSRET_BASE << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)native_syscall_return);
	wrmsr(MSR_FMASK, 0x200);
	puts_serial("BENCH hypervisor=native\n");

	native_run_user(user_measure);
	print_row("native_syscall_sysret", user_syscall, user_empty);
	print_row("native_int_iretq", user_int, user_empty);

	empty = native_loop_empty(ITERATIONS);
	print_row("native_cr3_reload", native_loop_cr3(ITERATIONS), empty);
	print_row("native_invlpg", native_loop_invlpg(ITERATIONS), empty);
	print_row("native_cpuid", native_loop_cpuid(ITERATIONS), empty);
	puts_serial("BENCH done\n");
	outb(DEBUG_EXIT, 0);
}
