/* Printing the start_info page the domain builder filled in. */
#include <libpv/console.h>
#include "kernel.h"

/* magic is not guaranteed to be terminated: print at most its size. */
static void print_magic(const start_info_t *si)
{
	char magic[sizeof(si->magic) + 1];
	size_t i;

	for (i = 0; i < sizeof(si->magic) && si->magic[i]; i++)
		magic[i] = si->magic[i];
	magic[i] = '\0';
	pv_printf("start_info at %p: magic \"%s\"\n", (const void *)si, magic);
}

/* The console fields mean different things for dom0 and domU. */
static void print_console(const start_info_t *si)
{
	if (si->flags & SIF_INITDOMAIN)
		pv_printf("  console.dom0: info_off=%u info_size=%u\n",
			  si->console.dom0.info_off,
			  si->console.dom0.info_size);
	else
		pv_printf("  console.domU: mfn=%lx evtchn=%u\n",
			  si->console.domU.mfn, si->console.domU.evtchn);
}

void bootinfo_print(const start_info_t *si)
{
	print_magic(si);
	pv_printf("  nr_pages=%lu shared_info=%lx flags=%x\n",
		  si->nr_pages, si->shared_info, si->flags);
	pv_printf("  pt_base=%lx nr_pt_frames=%lu mfn_list=%lx\n",
		  si->pt_base, si->nr_pt_frames, si->mfn_list);
	pv_printf("  mod_start=%lx mod_len=%lu\n", si->mod_start, si->mod_len);
	pv_printf("  store_mfn=%lx store_evtchn=%u\n", si->store_mfn,
		  si->store_evtchn);
	print_console(si);
	pv_printf("  first_p2m_pfn=%lx nr_p2m_frames=%lu\n",
		  si->first_p2m_pfn, si->nr_p2m_frames);
	pv_printf("  cmd_line=\"%s\"\n", pv_cmdline());
}
