/*
 * Descriptor tables.
 *
 * The GDT is 16 pages long because Xen's ABI fixes the selectors a 64-bit PV
 * guest runs on at 0xe023/0xe02b/0xe033, in the last two pages (entries from
 * 0x1c00 on); the first 14 pages are the guest's own GDT area (set_gdt,
 * a later issue). SYSCALL/SYSRET derive their selectors from MSR_STAR, and
 * the reserved layout is exactly what they need: ring-0 CS 0xe008 / SS 0xe010,
 * and SYSRET to CS 0xe033 / SS 0xe02b from a base of 0xe023.
 */
#include <stdint.h>
#include <lamina/config.h>
#include <lamina/lib.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/regs.h>

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

struct __attribute__((packed)) table_ptr {
	uint16_t limit;
	uint64_t base;
};

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_DEBUG        4

static uint64_t gdt[GDT_NR_ENTRIES] __attribute__((aligned(4096)));
/* The guest's LDT is mapped here (16 pages: up to 8192 descriptors). */
static uint64_t ldt_area[8192] __attribute__((aligned(4096)));

void *gdt_guest_area(void)
{
	return gdt;
}

void *ldt_guest_area(void)
{
	return ldt_area;
}

/* Point the LDT descriptor at the LDT area with ents entries and load it. */
void load_guest_ldt(unsigned int ents)
{
	unsigned int idx = HV_LDT_SEL >> 3;
	uint64_t base = (uint64_t)ldt_area, limit = ents * 8 - 1;

	if (!ents) {
		__asm__ volatile("lldt %w0" : : "r"(0));
		return;
	}
	gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		   (0x82UL << 40) | (((limit >> 16) & 0xf) << 48) |
		   (((base >> 24) & 0xff) << 56);
	gdt[idx + 1] = base >> 32;
	__asm__ volatile("lldt %w0" : : "r"(HV_LDT_SEL));
}
static struct idt_gate idt[256] __attribute__((aligned(4096)));
static struct tss64 tss __attribute__((aligned(128)));
static uint8_t cpu0_stack[HV_STACK_SIZE] __attribute__((aligned(4096)));
static uint8_t ist_stacks[4][HV_IST_STACK_SIZE] __attribute__((aligned(4096)));

extern char interrupt_stubs[];
extern char syscall_entry[], syscall_compat_entry[];

static void set_gate(int vec, uint64_t handler, int dpl, int ist)
{
	struct idt_gate *g = &idt[vec];

	g->offset_lo = handler & 0xffff;
	g->selector = HV_CS;
	g->ist = ist;
	g->type_attr = 0x80 | (dpl << 5) | 0xe;     /* present, interrupt gate */
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->reserved = 0;
}

static void set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	unsigned int idx = HV_TSS_SEL >> 3;

	gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		   (0x89UL << 40) | (((limit >> 16) & 0xf) << 48) |
		   (((base >> 24) & 0xff) << 56);
	gdt[idx + 1] = base >> 32;
}

void desc_init_cpu(void)
{
	gdt[HV_CS >> 3] = 0x00af9b000000ffffUL;        /* ring-0 64-bit code */
	gdt[HV_DS >> 3] = 0x00cf93000000ffffUL;        /* ring-0 data */
	gdt[0xe020 >> 3] = 0x00cffb000000ffffUL;       /* FLAT_RING3_CS32 */
	gdt[0xe028 >> 3] = 0x00cff3000000ffffUL;       /* FLAT_RING3_DS32/SS */
	gdt[0xe030 >> 3] = 0x00affb000000ffffUL;       /* FLAT_RING3_CS64 */
	set_tss_descriptor();

	hv_stack_top = (uint64_t)(cpu0_stack + HV_STACK_SIZE);
	tss.rsp[0] = hv_stack_top;
	tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(ist_stacks[0] + HV_IST_STACK_SIZE);
	tss.ist[IST_NMI - 1] = (uint64_t)(ist_stacks[1] + HV_IST_STACK_SIZE);
	tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)(ist_stacks[2] + HV_IST_STACK_SIZE);
	tss.ist[IST_DEBUG - 1] = (uint64_t)(ist_stacks[3] + HV_IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss);   /* no I/O bitmap: guests get no ports */

	for (int v = 0; v < 256; v++)
		set_gate(v, (uint64_t)interrupt_stubs + 16 * v, 0, 0);
	/* int3 and into are allowed from guest code, as on bare metal. */
	set_gate(3, (uint64_t)interrupt_stubs + 16 * 3, 3, 0);
	set_gate(4, (uint64_t)interrupt_stubs + 16 * 4, 3, 0);
	/*
	 * Events that can arrive while rsp is still the guest's (at the first
	 * instructions of syscall_entry, or between loading the guest rsp and
	 * sysretq) get stacks of their own: #DB (a guest's mov ss/pop ss can
	 * delay one into syscall_entry), NMI, #MC, and #DF. entry.S moves a
	 * guest's frame off them at once (ist_common).
	 */
	set_gate(1, (uint64_t)interrupt_stubs + 16 * 1, 0, IST_DEBUG);
	set_gate(2, (uint64_t)interrupt_stubs + 16 * 2, 0, IST_NMI);
	set_gate(8, (uint64_t)interrupt_stubs + 16 * 8, 0, IST_DOUBLE_FAULT);
	set_gate(18, (uint64_t)interrupt_stubs + 16 * 18, 0, IST_MACHINE_CHECK);

	struct table_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };
	struct table_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %2\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %k3, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%eax, %%ds\n\t"
		"mov %%eax, %%es\n\t"
		"mov %%eax, %%fs\n\t"
		"mov %%eax, %%gs\n\t"
		"lidt %1\n\t"
		"ltr %w4"
		: : "m"(gdtr), "m"(idtr), "i"(HV_CS), "r"(HV_DS),
		    "r"(HV_TSS_SEL)
		: "rax", "memory");
}

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
	wrmsr(MSR_STAR, ((uint64_t)0xe023 << 48) | ((uint64_t)HV_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
	/* Enter with interrupts off, no single-step, DF and AC clear. */
	wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF |
				X86_EFLAGS_AC | X86_EFLAGS_NT | X86_EFLAGS_IOPL);
	wrmsr(MSR_SYSENTER_CS, 0);      /* sysenter from a guest: #GP */
}
