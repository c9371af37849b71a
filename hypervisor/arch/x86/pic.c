/*
 * The legacy 8259 interrupt controllers. The BIOS leaves them delivering
 * IRQ 0-7 on vectors 8-15, on top of CPU exceptions (IRQ 0, the PIT, would
 * look like a double fault). Move them to vectors 0x20-0x2f and mask every
 * line: Lamina's own timer is the local APIC.
 */
#include <asm/cpu.h>
#include <asm/pic.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11);           /* ICW1: initialise, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20);          /* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04);          /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);          /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);          /* mask everything */
	outb(PIC2_DATA, 0xff);
}
