/*
 * The hypervisor command line: space-separated name=value options.
 * Unknown options are reported and ignored, so a Xen command line (which
 * carries options Lamina does not have, like console=com1) still boots.
 */
#include <stdbool.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/lib.h>
#include <asm/spec_ctrl.h>

struct hv_options hv_options = {
	.dom0_mem = 128UL << 20,
	.domains = { [0 ... MAX_BOOT_DOMAINS - 1] = { .role = -1 } },
};

/* Parse "<number>[K|M|G]" (default unit: bytes). */
static bool parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (!len)
		return false;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (~0UL - 9) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return false;
	unsigned int shift = 0;
	if (i < len) {
		switch (s[i++]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return false;
		}
	}
	if (i != len || (shift && v > (~0UL >> shift)))
		return false;
	*out = v << shift;
	return true;
}

/* Parse an unsigned decimal number that fills [s, s+len). */
static bool parse_uint(const char *s, size_t len, unsigned int *out)
{
	unsigned int v = 0;

	if (!len || len > 9)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* One key=value of a domain<N>= option. */
static const char *apply_domain_key(struct boot_domain_config *c, const char *k,
				    size_t klen, const char *v, size_t vlen)
{
	if (klen == 4 && !strncmp(k, "name", 4)) {
		if (!vlen || vlen >= sizeof(c->name))
			return "domain<N>=name=: 1 to 31 characters";
		memcpy(c->name, v, vlen);
		c->name[vlen] = '\0';
	} else if (klen == 3 && !strncmp(k, "mem", 3)) {
		if (!parse_size(v, vlen, &c->mem) || c->mem < (4UL << 20))
			return "domain<N>=mem=: a size of at least 4M";
	} else if (klen == 6 && !strncmp(k, "weight", 6)) {
		if (!parse_uint(v, vlen, &c->weight) || !c->weight || c->weight > 65535)
			return "domain<N>=weight=: 1 to 65535";
	} else if (klen == 3 && !strncmp(k, "cap", 3)) {
		if (!parse_uint(v, vlen, &c->cap) || c->cap > 100)
			return "domain<N>=cap=: 0 to 100 (% of a CPU)";
	} else if (klen == 5 && !strncmp(k, "vcpus", 5)) {
		if (!parse_uint(v, vlen, &c->vcpus) || !c->vcpus ||
		    c->vcpus > MAX_BOOT_VCPUS)
			return "domain<N>=vcpus=: 1 to 8";
	} else if (klen == 4 && !strncmp(k, "role", 4)) {
		if (vlen == 4 && !strncmp(v, "priv", 4))
			c->role = 1;
		else if (vlen == 6 && !strncmp(v, "unpriv", 6))
			c->role = 0;
		else
			return "domain<N>=role=: priv or unpriv";
	} else {
		return "domain<N>=: keys are name, mem, weight, cap, vcpus, role";
	}
	return NULL;
}

/* domain<N>=k=v,k=v,... */
static const char *apply_domain_option(const char *name, size_t nlen,
				       const char *val, size_t vlen)
{
	unsigned int n;

	if (!parse_uint(name + 6, nlen - 6, &n) || n >= MAX_BOOT_DOMAINS)
		return "domain<N>=: N is a module number below 16";
	struct boot_domain_config *c = &hv_options.domains[n];
	while (vlen) {
		size_t item = 0;
		while (item < vlen && val[item] != ',')
			item++;
		size_t eq = 0;
		while (eq < item && val[eq] != '=')
			eq++;
		if (eq == item)
			return "domain<N>=: expected key=value pairs separated by commas";
		const char *err = apply_domain_key(c, val, eq, val + eq + 1, item - eq - 1);
		if (err)
			return err;
		val += item < vlen ? item + 1 : item;
		vlen -= item < vlen ? item + 1 : item;
	}
	return NULL;
}

static const char *apply_option(const char *name, size_t nlen,
				const char *val, size_t vlen)
{
	const char *err;
	if (spec_parse_option(&spec_opts, name, nlen, val, vlen, &err))
		return err;
	if (nlen > 6 && !strncmp(name, "domain", 6))
		return apply_domain_option(name, nlen, val, vlen);
	if (nlen == 8 && !strncmp(name, "dom0_mem", 8)) {
		uint64_t bytes;
		if (!parse_size(val, vlen, &bytes) || bytes < (4UL << 20))
			return "dom0_mem: expected a size of at least 4M, e.g. dom0_mem=256M";
		hv_options.dom0_mem = bytes;
		return NULL;
	}
	if (nlen == 14 && !strncmp(name, "dom0_max_vcpus", 14)) {
		/* Xen's option, so one command line boots both: domain 0's
		 * vcpus=, unless domain0=vcpus= says otherwise. */
		unsigned int n;
		if (!parse_uint(val, vlen, &n) || !n || n > MAX_BOOT_VCPUS)
			return "dom0_max_vcpus: 1 to 8";
		hv_options.dom0_max_vcpus = n;
		return NULL;
	}
	if (nlen == 16 && !strncmp(name, "trace_hypercalls", 16)) {
		hv_options.trace_hypercalls = true;
		return NULL;
	}
	if (nlen == 17 && !strncmp(name, "selftest_db_entry", 17)) {
		hv_options.selftest_db_entry = true;
		return NULL;
	}
	if (nlen == 19 && !strncmp(name, "force_fpu_ptr_reset", 19)) {
		hv_options.force_fpu_ptr_reset = true;
		return NULL;
	}
	if (nlen == 16 && !strncmp(name, "guest_console_io", 16)) {
		if (vlen == 4 && !strncmp(val, "show", 4))
			hv_options.guest_console_io_show = true;
		else if (vlen == 4 && !strncmp(val, "hide", 4))
			hv_options.guest_console_io_show = false;
		else
			return "guest_console_io: show or hide";
		return NULL;
	}
	if (nlen == 14 && !strncmp(name, "selftest_fault", 14)) {
		hv_options.selftest_fault = true;
		return NULL;
	}
	if (nlen == 18 && !strncmp(name, "no_fast_hypercalls", 18)) {
		hv_options.no_fast_hypercalls = true;
		return NULL;
	}
	if (nlen == 12 && !strncmp(name, "audit_frames", 12)) {
		hv_options.audit_frames = true;
		return NULL;
	}
	if (nlen == 14 && !strncmp(name, "selftest_audit", 14)) {
		hv_options.selftest_audit = true;
		return NULL;
	}
	printk("command line: ignoring unknown option '%.*s'\n", (int)nlen, name);
	return NULL;
}

const char *cmdline_parse(const char *s)
{
	while (*s) {
		while (*s == ' ')
			s++;
		const char *start = s;
		while (*s && *s != ' ')
			s++;
		if (s == start)
			break;
		const char *eq = start;
		while (eq < s && *eq != '=')
			eq++;
		const char *val = eq < s ? eq + 1 : s;
		const char *err = apply_option(start, (size_t)(eq - start), val,
					       (size_t)(s - val));
		if (err)
			return err;
	}
	return NULL;
}
