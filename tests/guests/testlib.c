/* Reporting and fault-probe helpers shared by the PV test guests. */
#include <libpv/hypercall.h>
#include <libpv/string.h>
#include <pv/errno.h>
#include "testlib.h"

static unsigned int passed, failed;

volatile struct probe_result probe_seen;
volatile unsigned long probe_resume;

void test_pass(const char *name)
{
	passed++;
	pv_printf("PASS %s\n", name);
}

/* Print "FAIL name: why" from a format and a va_list. */
static void vfail(const char *name, const char *fmt, va_list ap)
{
	char why[200];

	failed++;
	pv_vsnprintf(why, sizeof(why), fmt, ap);
	pv_printf("FAIL %s: %s\n", name, why);
}

void test_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

bool test_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		test_pass(name);
		return true;
	}
	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
	return false;
}

bool test_expect_eq(const char *name, unsigned long got, unsigned long want)
{
	return test_check(got == want, name, "got %#lx, want %#lx", got, want);
}

bool test_expect_rc(const char *name, long got, long want)
{
	return test_check(got == want, name, "returned %ld, want %ld", got,
			  want);
}

void test_finish(void)
{
	pv_printf("%u passed, %u failed\n", passed, failed);
	pv_shutdown(SHUTDOWN_poweroff);
}

/* Record the exception and resume after the probed instruction. */
static void probe_handler(struct pv_trap_frame *f)
{
	if (!probe_resume)
		pv_crash("unexpected %s at rip=%lx error code=%lx\n",
			 pv_trap_name(f->vector), f->rip, f->error_code);
	probe_seen.hits++;
	probe_seen.vector = f->vector;
	probe_seen.rip = f->rip;
	probe_seen.error_code = f->error_code;
	f->rip = probe_resume;
	probe_resume = 0;
}

void probe_catch(unsigned int vector)
{
	pv_trap_set_handler(vector, probe_handler);
}

void probe_reset(void)
{
	probe_seen.hits = 0;
	probe_seen.vector = ~0UL;
	probe_seen.rip = 0;
	probe_seen.error_code = 0;
}

void expect_fault(const char *name, unsigned long at, unsigned int vector,
		  unsigned long want_ec)
{
	if (probe_seen.hits != 1)
		test_fail(name, "no exception (want %s at %lx)",
			  pv_trap_name(vector), at);
	else if (probe_seen.vector != vector)
		test_fail(name, "got %s, want %s", pv_trap_name(probe_seen.vector),
			  pv_trap_name(vector));
	else if (probe_seen.rip != at)
		test_fail(name, "rip %lx, want %lx", probe_seen.rip, at);
	else if (want_ec != ~0UL && probe_seen.error_code != want_ec)
		test_fail(name, "error code %#lx, want %#lx",
			  probe_seen.error_code, want_ec);
	else
		test_pass(name);
	probe_resume = 0;
}

void expect_no_fault(const char *name)
{
	test_check(probe_seen.hits == 0, name, "unexpected %s at rip=%lx",
		   pv_trap_name(probe_seen.vector), probe_seen.rip);
	probe_resume = 0;
}

/* A Xen errno value as its name, for attack reports. */
const char *test_err_name(long rc)
{
	switch (rc) {
	case 0: return "0";
	case -XEN_EPERM: return "-EPERM";
	case -XEN_EFAULT: return "-EFAULT";
	case -XEN_EBUSY: return "-EBUSY";
	case -XEN_EINVAL: return "-EINVAL";
	case -XEN_ENOSYS: return "-ENOSYS";
	}
	return "an unexpected error";
}

/* PASS "<attack>: refused with <want>" if rc == want, else FAIL. */
bool test_refused(const char *attack, long rc, long want)
{
	char line[120];

	if (rc != want) {
		test_fail(attack, "returned %s (%ld), want %s", test_err_name(rc), rc,
			  test_err_name(want));
		return false;
	}
	pv_snprintf(line, sizeof(line), "%s: refused with %s", attack,
		    test_err_name(want));
	test_pass(line);
	return true;
}

long pt_set_entry(unsigned long mfn, unsigned int idx, unsigned long val)
{
	mmu_update_t req = {
		.ptr = (mfn << PV_PAGE_SHIFT) + idx * 8UL + MMU_NORMAL_PT_UPDATE,
		.val = val,
	};

	return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long mmuext2(unsigned int cmd, unsigned long a1, unsigned long a2)
{
	mmuext_op_t op;

	memset(&op, 0, sizeof(op));
	op.cmd = cmd;
	op.arg1.mfn = a1;
	op.arg2.src_mfn = a2;   /* the union's widest member: covers nr_ents too */
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long mmuext1(unsigned int cmd, unsigned long mfn)
{
	return mmuext2(cmd, mfn, 0);
}

long pt_pin(unsigned int level, unsigned long mfn)
{
	return mmuext1(MMUEXT_PIN_L1_TABLE + level - 1, mfn);
}
