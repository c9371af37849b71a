/*
 * poke_m2p: reads the hypervisor's machine-to-phys table, which every PV
 * guest may read (user mode included), then tries to write it. The write
 * must fault (a protection violation) and the kernel kill the process.
 */
#include "ulib.h"

#define M2P_ADDRESS 0xffff800000000000UL

int main(long pid)
{
	volatile unsigned long *m2p = (volatile unsigned long *)M2P_ADDRESS;
	char num[24];

	(void)pid;
	print("M2P entry 0 reads as ");
	print(fmt_hex(num, m2p[0]));
	print("; writing it\n");
	m2p[0] = 0;
	print("BUG: wrote the M2P table\n");
	return 1;
}
