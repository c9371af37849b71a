/*
 * user_attacks: what guest user code may not do through the trap paths.
 * User code (its own L4, see usermode_lab.h) runs, in order:
 *   syscall          no syscall callback registered: as in Xen, #UD is
 *                    delivered to the kernel at the syscall instruction;
 *   int $0x81        trap entry with DPL 0: #GP, error (0x81 << 3) | 2;
 *   int $0x82        no trap entry at all: #GP, error (0x82 << 3) | 2;
 *   int $0x80        trap entry with DPL 3: delivered to its handler;
 *   a kernel read    not mapped in the user L4: #PF, user read, not present;
 *   int3             #BP (DPL 3), whose handler checks what was seen.
 * Each trap must arrive on the stack_switch stack with the user's RPL-3 cs.
 */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <libpv/usermode.h>
#include "testlib.h"
#include "usermode_lab.h"

#define NR_STEPS   6
#define KERNEL_VA  PV_VIRT_BASE
#define PF_USER    4

extern const char ua_page[], ua_syscall[], ua_int81[], ua_int82[], ua_int80[],
	ua_kread[], ua_int3[];

asm(".pushsection .text\n"
    ".balign 4096\n"
    "ua_page:\n"
    "ua_syscall:\n\tsyscall\n"
    "ua_int81:\n\tint $0x81\n"
    "ua_int82:\n\tint $0x82\n"
    "ua_int80:\n\tint $0x80\n\t"
    "movabs $0xffffffff80000000, %rax\n"
    "ua_kread:\n\tmov (%rax), %rax\n"
    "ua_int3:\n\tint3\n"
    "1:\tjmp 1b\n"
    ".balign 4096\n"
    ".popsection");

/* One trap as the kernel saw it. */
struct seen {
	unsigned long vector, rip, cs, error_code, frame_at;
};

static struct seen log[NR_STEPS];
static unsigned int nr_seen;
static unsigned long cr2_seen;
static char kstack[16384] __attribute__((aligned(16)));
static char shared_page[4096] __attribute__((aligned(4096)));

/* The user address of a label in the user code page. */
static unsigned long uva(const char *at)
{
	return user_va_of(ua_page, at);
}

/* Record one trap; skip a faulting instruction of len bytes. */
static void record(struct pv_trap_frame *f, unsigned long len)
{
	if (nr_seen < NR_STEPS)
		log[nr_seen++] = (struct seen){ f->vector, f->rip, f->cs,
						f->error_code, (unsigned long)f };
	f->rip += len;
}

/*
 * Faults resume after the instruction (syscall and int n are 2 bytes);
 * int $0x80 is a trap and already resumes after itself.
 */
static void on_ud(struct pv_trap_frame *f)  { record(f, 2); }
static void on_gp(struct pv_trap_frame *f)  { record(f, 2); }
static void on_int80(struct pv_trap_frame *f) { record(f, 0); }

/* The kernel read (3 bytes): also keep the fault address. */
static void on_pf(struct pv_trap_frame *f)
{
	cr2_seen = pv_fault_address();
	record(f, 3);
}

/* Check step i: vector, rip, error code, RPL-3 cs, on the kernel stack. */
static void check_step(unsigned int i, const char *name, unsigned long vector,
		       unsigned long rip, unsigned long ec)
{
	const struct seen *s = &log[i];
	bool on_kstack = s->frame_at >= (unsigned long)kstack &&
			 s->frame_at < (unsigned long)kstack + sizeof(kstack);

	if (i >= nr_seen)
		test_fail(name, "only %u traps seen", nr_seen);
	else
		test_check(s->vector == vector && s->rip == rip &&
			   (ec == ~0UL || s->error_code == ec) &&
			   (s->cs & 3) == 3 && on_kstack, name,
			   "%s at %lx cs %#lx error %#lx frame %lx (want %s at %lx "
			   "error %#lx)", pv_trap_name(s->vector), s->rip, s->cs,
			   s->error_code, s->frame_at, pv_trap_name(vector), rip, ec);
}

/* The last step: user int3. Check everything and power off. */
static void on_bp(struct pv_trap_frame *f)
{
	record(f, 0);
	check_step(0, "user_syscall_without_callback_is_ud", PV_TRAP_UD,
		   uva(ua_syscall), ~0UL);
	check_step(1, "user_int_0x81_dpl0_entry_is_gp", PV_TRAP_GP, uva(ua_int81),
		   (0x81 << 3) | 2);
	check_step(2, "user_int_0x82_no_entry_is_gp", PV_TRAP_GP, uva(ua_int82),
		   (0x82 << 3) | 2);
	check_step(3, "user_int_0x80_dpl3_entry_delivered", PV_VEC_INT80,
		   uva(ua_int80) + 2, ~0UL);
	check_step(4, "user_read_of_kernel_memory_is_pf", PV_TRAP_PF, uva(ua_kread),
		   PF_USER);
	test_expect_eq("user_pf_address_is_kernel_va", cr2_seen, KERNEL_VA);
	check_step(5, "user_int3_delivered", PV_TRAP_BP, uva(ua_int3) + 1, ~0UL);
	test_finish();
}

/* Install the handlers and entries, build user mode, enter it. */
void kernel_main(start_info_t *si)
{
	long rc;

	(void)si;
	pv_printf("user_attacks: trap paths from guest user mode\n");
	if (pv_traps_init() != 0)
		pv_crash("could not install the trap table\n");
	if (!pv_map_shared_info(shared_page))
		pv_crash("could not map shared_info\n");
	pv_trap_set_handler(PV_TRAP_UD, on_ud);
	pv_trap_set_handler(PV_TRAP_GP, on_gp);
	pv_trap_set_handler(PV_TRAP_PF, on_pf);
	pv_trap_set_handler(PV_TRAP_BP, on_bp);
	pv_trap_set_handler(PV_VEC_INT80, on_int80);
	/* 0x81 shares the int $0x80 stub: if it got through, step 1 says so. */
	if (pv_trap_set_entry(0x80, 3, pv_int80_entry) ||
	    pv_trap_set_entry(0x81, 0, pv_int80_entry))
		pv_crash("could not install the int $0x80/0x81 entries\n");
	user_space_init(ua_page);
	rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
				     (unsigned long)kstack + sizeof(kstack));
	if (rc)
		pv_crash("stack_switch failed: %ld\n", rc);
	enter_user(uva(ua_syscall));
}
