/*
 * libpv helpers for guests with a user mode: single trap-table entries and
 * the shared_info mapping that carries the #PF address. See usermode.h.
 */
#include <libpv/hypercall.h>
#include <libpv/pv.h>
#include <libpv/usermode.h>

/* trap_info.flags bit 2: mask events while the handler runs. */
#define TRAP_FLAG_MASK_EVENTS 4

static shared_info_t *shared_info;

long pv_trap_set_entry(unsigned int vector, unsigned int dpl, void (*entry)(void))
{
	trap_info_t table[2] = {
		{
			.vector = (uint8_t)vector,
			.flags = (uint8_t)((dpl & 3) | TRAP_FLAG_MASK_EVENTS),
			.cs = FLAT_KERNEL_CS,
			.address = (unsigned long)entry,
		},
		{ 0 },          /* terminator */
	};

	return HYPERVISOR_set_trap_table(table);
}

shared_info_t *pv_map_shared_info(void *va)
{
	unsigned long pte = pv_start_info->shared_info | 7;   /* P, RW, USER */

	if (HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG))
		return NULL;
	shared_info = va;
	return shared_info;
}

shared_info_t *pv_shared_info(void)
{
	return shared_info;
}

unsigned long pv_fault_address(void)
{
	return shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
}
