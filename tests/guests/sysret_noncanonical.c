/*
 * sysret_noncanonical: a hypercall whose return address is not canonical.
 *
 * The kernel maps a code page at 0x7ffffffff000 whose last two bytes are a
 * `syscall`, so the hypercall returns to 0x800000000000, the first
 * non-canonical address. A hypervisor that leaves with sysretq there takes
 * #GP in ring 0 on Intel CPUs, with the guest's rsp (a guest-controlled
 * stack in ring 0). It must refuse the return instead and give the guest
 * #GP(0) at that rip, as Xen does, which the guest's handler can fix up.
 *
 * Both hypercall paths: xen_version (the fast path) and sched_op yield and
 * mmu_update with no requests (the full-frame path). Under TCG an unchecked
 * sysretq shows as a #GP raised by the CPU in guest context after the
 * return (one more exception in the hypervisor's counters); a checked
 * return delivers the #GP without any guest exception.
 *
 * Last, HYPERVISOR_iret with rflags a guest may not have (IOPL 3, NT, VIF,
 * VIP, IF clear): the code it returns to must see none of them, and IF set.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/usermode.h>
#include <pv/version.h>
#include <lamina/perf.h>
#include "testlib.h"
#include <libpv/pagetable.h>

#define TOP_PAGE_VA  0x7ffffffff000UL
#define SYSCALL_VA   0x7ffffffffffeUL
#define RETURN_RIP   0x800000000000UL

#define PTE_TABLE (PTE_P | PTE_RW | PTE_US | PTE_A)

/* A page of code ending in `syscall`, mapped at TOP_PAGE_VA. */
extern const char top_page[];
asm(".pushsection .text\n"
    ".balign 4096\n"
    "top_page:\n"
    ".fill 4094, 1, 0xcc\n"
    "syscall\n"
    ".popsection");

static char shared_page[4096] __attribute__((aligned(4096)));
static unsigned long next_pfn;

static void must(long rc, const char *step)
{
	if (rc)
		pv_crash("sysret_noncanonical: \"%s\" failed: %ld\n", step, rc);
}

static unsigned long spare_frame(void)
{
	const start_info_t *si = pv_start_info;
	mmuext_op_t op;

	if (!next_pfn) {
		unsigned long va = si->pt_base + si->nr_pt_frames * PV_PAGE_SIZE;
		while (pv_pt_lookup(va) & PTE_P)
			va += PV_PAGE_SIZE;
		next_pfn = pv_virt_to_pfn((void *)va);
	}
	if (next_pfn >= si->nr_pages)
		pv_crash("out of spare pages\n");
	memset(&op, 0, sizeof(op));
	op.cmd = MMUEXT_CLEAR_PAGE;
	op.arg1.mfn = pv_pfn_to_mfn(next_pfn++);
	must(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), "clear a frame");
	return op.arg1.mfn;
}

static void set_entry(unsigned long mfn, unsigned int idx, unsigned long val)
{
	mmu_update_t req = { .ptr = (mfn << PV_PAGE_SHIFT) + idx * 8UL, .val = val };

	must(HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF), "write an entry");
}

/* Map top_page at TOP_PAGE_VA in the kernel's own page tables. */
static void map_top_page(void)
{
	unsigned long l4 = pv_pfn_to_mfn(pv_virt_to_pfn((void *)pv_start_info->pt_base));
	unsigned long l3 = spare_frame(), l2 = spare_frame(), l1 = spare_frame();
	unsigned long code = pv_pfn_to_mfn(pv_virt_to_pfn(top_page));

	set_entry(l1, 511, (code << PV_PAGE_SHIFT) | PTE_P | PTE_US | PTE_A);
	set_entry(l2, 511, (l1 << PV_PAGE_SHIFT) | PTE_TABLE);
	set_entry(l3, 511, (l2 << PV_PAGE_SHIFT) | PTE_TABLE);
	set_entry(l4, 255, (l3 << PV_PAGE_SHIFT) | PTE_TABLE);
}

static unsigned long guest_exceptions(void)
{
	struct lamina_perf_counters perf;

	must(pv_hypercall6(__HYPERVISOR_lamina_perf, LAMINA_PERF_READ,
			   (unsigned long)&perf, 0, 0, 0), "lamina_perf read");
	return perf.exceptions;
}

/*
 * Make hypercall nr from the syscall at SYSCALL_VA. The #GP handler (the
 * test library's probe) records what it saw and resumes after the jump;
 * returns rax as the handler's iret left it: the hypercall's result.
 */
static long hypercall_at_top(unsigned long nr, unsigned long a1, unsigned long a2)
{
	long rax = (long)nr;
	register unsigned long a3 asm("rdx") = 0;
	register unsigned long a4 asm("r10") = DOMID_SELF;

	probe_reset();
	asm volatile("movabs $1f, %%rcx\n\t"
		     "mov %%rcx, probe_resume(%%rip)\n\t"
		     "jmp *%[target]\n"
		     "1:"
		     : "+a"(rax), "+D"(a1), "+S"(a2), "+r"(a3), "+r"(a4)
		     : [target] "r"(SYSCALL_VA)
		     : "rcx", "r8", "r9", "r11", "memory");
	return rax;
}

static void one_path(const char *name, unsigned long nr, unsigned long a1,
		     unsigned long a2, long want_rc)
{
	char check[80];
	unsigned long before = guest_exceptions();
	long rc = hypercall_at_top(nr, a1, a2);
	unsigned long cpu_faults = guest_exceptions() - before;

	pv_snprintf(check, sizeof(check), "%s_gp0_at_return_rip", name);
	test_check(probe_seen.hits == 1 && probe_seen.vector == PV_TRAP_GP &&
		   probe_seen.rip == RETURN_RIP && probe_seen.error_code == 0,
		   check, "hits %lu, %s at %lx error %#lx", probe_seen.hits,
		   pv_trap_name(probe_seen.vector), probe_seen.rip,
		   probe_seen.error_code);
	pv_snprintf(check, sizeof(check), "%s_hypercall_done", name);
	test_expect_eq(check, (unsigned long)rc, (unsigned long)want_rc);
	pv_snprintf(check, sizeof(check), "%s_return_refused_by_hypervisor", name);
	test_check(cpu_faults == 0, check,
		   "%lu exception(s) from guest code: the hypervisor returned to "
		   "the non-canonical rip", cpu_faults);
}

#define RFLAGS_IF   (1UL << 9)
#define RFLAGS_IOPL (3UL << 12)
#define RFLAGS_NT   (1UL << 14)
#define RFLAGS_VIF  (1UL << 19)
#define RFLAGS_VIP  (1UL << 20)

static char landing_stack[4096] __attribute__((aligned(16)));

/* Where the bad-rflags iret lands, on its own stack: check, then finish. */
static void __attribute__((noreturn, used)) iret_landing(void)
{
	unsigned long fl;

	asm volatile("pushfq; pop %0" : "=r"(fl));
	test_check(!(fl & (RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VIF | RFLAGS_VIP)) &&
		   (fl & RFLAGS_IF), "iret_rflags_sanitized",
		   "rflags %#lx after iret with IOPL 3, NT, VIF, VIP, IF clear", fl);
	test_finish();
}

static void __attribute__((noreturn)) iret_with_bad_rflags(void)
{
	static struct pv_trap_frame f;

	memset(&f, 0, sizeof(f));
	f.rip = (unsigned long)iret_landing;
	f.cs = FLAT_KERNEL_CS & ~3UL;    /* RPL 0: back to kernel mode */
	f.ss = FLAT_KERNEL_SS;
	f.rsp = (unsigned long)landing_stack + sizeof(landing_stack) - 8;
	f.rflags = 0x2 | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VIF | RFLAGS_VIP;
	pv_trap_resume(&f);
}

void kernel_main(start_info_t *si)
{
	(void)si;
	pv_printf("sysret_noncanonical: hypercalls returning to %#lx\n", RETURN_RIP);
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	if (!pv_map_shared_info(shared_page))
		pv_crash("could not map shared_info\n");
	probe_catch(PV_TRAP_GP);
	map_top_page();

	one_path("fast_xen_version", __HYPERVISOR_xen_version, XENVER_version, 0,
		 HYPERVISOR_xen_version(XENVER_version, NULL));
	one_path("slow_sched_yield", __HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0);
	one_path("slow_mmu_update_0", __HYPERVISOR_mmu_update, 0, 0, 0);
	/* The kernel carries on: an ordinary hypercall still works. */
	test_expect_rc("hypercall_after_recovery",
		       HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
	iret_with_bad_rflags();
}
