/* Reading "key=value" words from the guest command line. */
#include <libpv/pv.h>
#include <libpv/string.h>

const char *pv_cmdline(void)
{
	return (const char *)pv_start_info->cmd_line;
}

/* Return the value after "key=" in the word-separated line, or NULL. */
static const char *find_value(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=')
			return p + klen + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool pv_cmdline_get(const char *key, char *out, size_t size)
{
	const char *line = pv_cmdline();
	size_t len = 0;
	const char *v;

	if (strnlen(line, MAX_GUEST_CMDLINE) == MAX_GUEST_CMDLINE)
		return false;   /* not terminated: do not trust it */
	v = find_value(line, key);
	if (!v || size == 0)
		return false;
	while (v[len] && v[len] != ' ' && len + 1 < size) {
		out[len] = v[len];
		len++;
	}
	out[len] = '\0';
	return true;
}

/* Value of one digit in base 16, or 16 when c is not a hex digit. */
static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	return 16;
}

bool pv_cmdline_ulong(const char *key, unsigned long *value)
{
	char text[32];
	const char *p = text;
	unsigned int base = 10, d;
	unsigned long v = 0;

	if (!pv_cmdline_get(key, text, sizeof(text)) || !text[0])
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return false;
	for (; *p; p++) {
		d = digit_value(*p);
		if (d >= base)
			return false;
		v = v * base + d;
	}
	*value = v;
	return true;
}
