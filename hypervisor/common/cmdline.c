/*
 * The hypervisor command line: space-separated name=value options.
 * Unknown options are reported and ignored, so a Xen command line (which
 * carries options Lamina does not have, like console=com1) still boots.
 */
#include <stdbool.h>
#include <lamina/cmdline.h>
#include <lamina/console.h>
#include <lamina/lib.h>

struct hv_options hv_options = {
	.dom0_mem = 128UL << 20,
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

static const char *apply_option(const char *name, size_t nlen,
				const char *val, size_t vlen)
{
	if (nlen == 8 && !strncmp(name, "dom0_mem", 8)) {
		uint64_t bytes;
		if (!parse_size(val, vlen, &bytes) || bytes < (4UL << 20))
			return "dom0_mem: expected a size of at least 4M, e.g. dom0_mem=256M";
		hv_options.dom0_mem = bytes;
		return NULL;
	}
	if (nlen == 14 && !strncmp(name, "selftest_fault", 14)) {
		hv_options.selftest_fault = true;
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
