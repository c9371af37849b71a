/*
 * test_abi_conformance: compare Lamina's ABI headers with Xen's.
 *
 * The same generated item list was measured against both sets of headers
 * (collect.c); this program compares the two measurements item by item and
 * prints one PASS line per group that matches completely and one FAIL line
 * per difference. A third measurement, of deliberately broken headers,
 * must produce the expected mismatches: that shows the test can fail.
 *
 * Usage: test_abi_conformance [-v]    (-v also lists every item checked)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_item.h"

/* Append one item to a list (aborts on out-of-memory). */
void abi_list_add(struct abi_list *list, struct abi_item item)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 256;
		struct abi_item *grown = realloc(list->items, capacity * sizeof(*grown));
		if (!grown) {
			perror("realloc");
			exit(2);
		}
		list->items = grown;
		list->capacity = capacity;
	}
	list->items[list->count++] = item;
}

/* Release a list's storage. */
void abi_list_free(struct abi_list *list)
{
	free(list->items);
	*list = (struct abi_list){ 0 };
}

/* Text for a kind number, to make FAIL lines readable. */
static const char *kind_name(int kind)
{
	static const char *const names[] = {
		"other", "char", "signed char", "unsigned char", "short",
		"unsigned short", "int", "unsigned int", "long", "unsigned long",
		"long long", "unsigned long long", "_Bool", "void *", "const void *",
	};
	if (kind < 0 || kind >= (int)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[kind];
}

/* Where a comparison's results go: printed, or only counted. */
struct report {
	int quiet;              /* count only */
	int verbose;            /* also print passing items */
	unsigned failures;
	const char *const *watch;  /* names whose failure is looked for */
	unsigned watch_hits;    /* bit i set: watch[i] failed */
};

/* Record that item `name` differs in `what`. */
static void fail_item(struct report *r, const char *name, const char *what,
		      const char *lamina, const char *xen)
{
	r->failures++;
	for (unsigned i = 0; r->watch && r->watch[i]; i++)
		if (strcmp(r->watch[i], name) == 0)
			r->watch_hits |= 1u << i;
	if (!r->quiet)
		printf("FAIL %s: %s lamina=%s xen=%s\n", name, what, lamina, xen);
}

/* Compare one number of an item; returns 1 if equal. */
static int same_number(struct report *r, const char *name, const char *what,
		       unsigned long long lamina, unsigned long long xen)
{
	char l[32], x[32];
	if (lamina == xen)
		return 1;
	snprintf(l, sizeof(l), "%#llx", lamina);
	snprintf(x, sizeof(x), "%#llx", xen);
	fail_item(r, name, what, l, x);
	return 0;
}

/* Compare the type kind of an item; returns 1 if equal. */
static int same_kind(struct report *r, const char *name, int lamina, int xen)
{
	if (lamina == xen)
		return 1;
	fail_item(r, name, "type", kind_name(lamina), kind_name(xen));
	return 0;
}

/* Compare two measurements of the same item; returns 1 if they agree. */
static int compare_item(struct report *r, const struct abi_item *l, const struct abi_item *x)
{
	int ok = 1;
	const char *value_what = l->cls == ABI_CLASS_FIELD || l->cls == ABI_CLASS_FLEX_FIELD
				 ? "offset" : "value";
	switch (l->cls) {
	case ABI_CLASS_CONST:
	case ABI_CLASS_EXPR:
	case ABI_CLASS_FIELD:
		ok &= same_number(r, l->name, value_what, l->value, x->value);
		ok &= same_number(r, l->name, "size", l->size, x->size);
		ok &= same_kind(r, l->name, l->kind, x->kind);
		break;
	case ABI_CLASS_FLEX_FIELD:
		ok &= same_number(r, l->name, value_what, l->value, x->value);
		ok &= same_kind(r, l->name, l->kind, x->kind);
		break;
	case ABI_CLASS_TYPE:
		ok &= same_kind(r, l->name, l->kind, x->kind);
		/* fall through */
	case ABI_CLASS_RECORD:
		ok &= same_number(r, l->name, "size", l->size, x->size);
		ok &= same_number(r, l->name, "align", l->align, x->align);
		break;
	case ABI_CLASS_GROUP:
		break;
	}
	if (ok && r->verbose && !r->quiet)
		printf("  ok %s\n", l->name);
	return ok;
}

/* Print PASS for a finished group whose items all agree (the items that
 * differ were printed as FAIL lines already). */
static void end_group(const struct report *r, const char *group, unsigned items,
		      unsigned failed)
{
	if (r->quiet || !group || failed)
		return;
	printf("PASS %s (%u items)\n", group, items);
}

/* Compare two lists measured from the same item list; returns failures. */
static unsigned compare_lists(struct report *r, const struct abi_list *lamina,
			      const struct abi_list *xen)
{
	const char *group = NULL;
	unsigned items = 0, failed = 0;

	if (lamina->count != xen->count || lamina->count == 0) {
		fail_item(r, "abi-item-lists", "length", "?", "?");
		return r->failures;
	}
	for (size_t i = 0; i < lamina->count; i++) {
		const struct abi_item *l = &lamina->items[i], *x = &xen->items[i];
		if (l->cls != x->cls || strcmp(l->name, x->name) != 0) {
			fail_item(r, "abi-item-lists", "order", l->name, x->name);
			return r->failures;
		}
		if (l->cls == ABI_CLASS_GROUP) {
			end_group(r, group, items, failed);
			group = l->name;
			items = failed = 0;
			continue;
		}
		items++;
		failed += !compare_item(r, l, x);
	}
	end_group(r, group, items, failed);
	return r->failures;
}

/* The broken headers must be caught: one mistake of each sort. */
static int selftest(const struct abi_list *xen)
{
	static const char *const expected[] = {
		"__HYPERVISOR_iret",                /* wrong value */
		"DOMID_SELF",                       /* wrong type */
		"struct start_info.store_mfn",      /* wrong offset */
		NULL,
	};
	struct abi_list broken = { 0 };
	struct report r = { .quiet = 1, .watch = expected };
	unsigned all = (1u << 3) - 1;

	abi_collect_broken(&broken);
	compare_lists(&r, &broken, xen);
	abi_list_free(&broken);
	if (r.watch_hits == all) {
		printf("PASS selftest-detects-mismatch\n");
		return 1;
	}
	for (unsigned i = 0; expected[i]; i++)
		if (!(r.watch_hits & (1u << i)))
			printf("FAIL selftest-detects-mismatch: broken %s not reported\n",
			       expected[i]);
	return 0;
}

int main(int argc, char **argv)
{
	struct abi_list lamina = { 0 }, xen = { 0 };
	struct report r = { .verbose = argc > 1 && strcmp(argv[1], "-v") == 0 };
	int ok;

	abi_collect_lamina(&lamina);
	abi_collect_xen(&xen);
	ok = compare_lists(&r, &lamina, &xen) == 0;
	ok &= selftest(&xen);
	abi_list_free(&lamina);
	abi_list_free(&xen);
	return ok ? 0 : 1;
}
