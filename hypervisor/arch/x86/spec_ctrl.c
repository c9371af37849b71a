/*
 * Speculative-execution hygiene, applied: reads the CPU's CPUID and MSRs,
 * lets spec_ctrl_policy.c decide, prints one line, and arms the three
 * mitigations (docs/security.md):
 *   - L1TF: the page-table validator refuses unsafe not-present entries
 *     (spec_ctrl_pt_ctx hands it the rule);
 *   - IBPB when the CPU switches to another domain (spec_ctrl_switch_domain);
 *   - VERW before every exit to a guest (SPEC_CTRL_EXIT_TO_GUEST sites in
 *     entry.S, patched here).
 */
#include <lamina/boot_info.h>
#include <lamina/config.h>
#include <lamina/console.h>
#include <lamina/domain.h>
#include <lamina/lib.h>
#include <lamina/pt_validate.h>
#include <asm/cpu.h>
#include <asm/spec_ctrl.h>

struct spec_opts spec_opts = { -1, -1, -1, -1 };
uint64_t cpu_verw_count;
/* VERW's operand: any valid writable data selector (the hypervisor's). */
const uint16_t spec_ctrl_verw_sel = HV_DS;

uint64_t spec_l1tf_mask[2];
uint64_t spec_l1tf_safe_maddr;

static struct spec_cpu cpu;
static struct spec_state spec;
/* The last guest domain this CPU ran (idle does not count, as in Xen). */
static domid_t last_domid = DOMID_INVALID;

struct exit_site {
	uint64_t site, stub;
};
extern const struct exit_site __spec_ctrl_sites_start[], __spec_ctrl_sites_end[];

static enum spec_vendor vendor_of(uint32_t b, uint32_t c, uint32_t d)
{
	char id[13];

	memcpy(id, &b, 4);
	memcpy(id + 4, &d, 4);
	memcpy(id + 8, &c, 4);
	id[12] = '\0';
	if (!strcmp(id, "GenuineIntel"))
		return SPEC_VENDOR_INTEL;
	if (!strcmp(id, "AuthenticAMD"))
		return SPEC_VENDOR_AMD;
	if (!strcmp(id, "HygonGenuine"))
		return SPEC_VENDOR_HYGON;
	return SPEC_VENDOR_OTHER;
}

static void read_cpu(struct spec_cpu *c)
{
	uint32_t max, a, b, cx, d;

	cpuid_count(0, 0, &max, &b, &cx, &d);
	c->vendor = vendor_of(b, cx, d);
	cpuid_count(1, 0, &a, &b, &cx, &d);
	c->family = (a >> 8) & 0xf;
	c->model = (a >> 4) & 0xf;
	c->stepping = a & 0xf;
	if (c->family == 0xf)
		c->family += (a >> 20) & 0xff;
	if (c->family == 6 || c->family >= 0xf)
		c->model |= ((a >> 16) & 0xf) << 4;
	if (max >= 7)
		cpuid_count(7, 0, &a, &c->leaf7_ebx, &cx, &c->leaf7_edx);
	cpuid_count(0x80000000, 0, &max, &b, &cx, &d);
	c->paddr_bits = 36;
	if (max >= 0x80000008) {
		cpuid_count(0x80000008, 0, &a, &c->e8_ebx, &cx, &d);
		c->paddr_bits = a & 0xff;
	}
	/* The CPUID bit says the MSR exists, so reading it cannot fault. */
	if (c->leaf7_edx & CPUID7_EDX_ARCH_CAPS)
		c->arch_caps = rdmsr(MSR_ARCH_CAPABILITIES);
	/*
	 * Memory the map names may be cacheable (Xen counts every range).
	 * Reserved ranges are left out: QEMU reserves the 12 GiB below 1 TiB
	 * (AMD's HyperTransport hole, not memory), which on a 40-bit CPU would
	 * leave no safe address at all, not even Linux's inverted swap entries.
	 */
	for (unsigned int i = 0; i < boot_info.nr_regions; i++)
		if (boot_info.regions[i].type != 2 &&
		    boot_info.regions[i].end > c->mem_top)
			c->mem_top = boot_info.regions[i].end;
}

/*
 * Turn every exit site into a jmp to its VERW stub. The image's text is
 * mapped read-only, so write through the direct map's alias of the same
 * frames; nothing runs these bytes meanwhile (boot, one CPU, interrupts
 * off), and CPUID serializes before they are next fetched.
 */
static unsigned int patch_exit_sites(void)
{
	unsigned int n = 0;
	uint32_t a, b, c, d;

	for (const struct exit_site *s = __spec_ctrl_sites_start;
	     s < __spec_ctrl_sites_end; s++, n++) {
		uint8_t *alias = maddr_to_virt(virt_to_maddr((void *)s->site));
		int32_t rel = (int32_t)((int64_t)s->stub - (int64_t)(s->site + 5));
		uint8_t jmp[5] = { 0xe9 };

		memcpy(jmp + 1, &rel, 4);
		memcpy(alias, jmp, sizeof(jmp));
	}
	cpuid_count(0, 0, &a, &b, &c, &d);
	return n;
}

void spec_ctrl_init(void)
{
	char line[320];

	read_cpu(&cpu);
	spec_decide(&cpu, &spec_opts, &spec);
	spec_describe(&cpu, &spec_opts, &spec, line, sizeof(line));
	printk("spec-ctrl: %s\n", line);
	spec_l1tf_mask[0] = spec.pv_l1tf_domu ? spec.l1tf_addr_mask : 0;
	spec_l1tf_mask[1] = spec.pv_l1tf_dom0 ? spec.l1tf_addr_mask : 0;
	spec_l1tf_safe_maddr = spec.l1tf_safe_maddr;
	if (spec.meltdown_bug)
		printk("spec-ctrl: WARNING: Meltdown-affected CPU (no RDCL_NO) and "
		       "no XPTI: guests can read hypervisor memory (docs/security.md)\n");
	if (spec.verw)
		printk("spec-ctrl: verw at %u exits to guests\n", patch_exit_sites());
}


/*
 * Spectre v2 across domains: the branch predictors still hold targets the
 * last domain trained; IBPB discards them before another domain runs, so
 * it cannot steer the next one's (or, via shared predictor state, the
 * hypervisor's work for it) speculation. Not on switches to idle or back to
 * the same domain.
 */
void spec_ctrl_switch_domain(struct domain *next)
{
	if (!spec.ibpb || next->domain_id == last_domid)
		return;
	last_domid = next->domain_id;
	wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB);
	next->perf.ibpbs++;
}
