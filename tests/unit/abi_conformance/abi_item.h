/*
 * One measured fact about the ABI (a constant's value, a type's size, a
 * member's offset ...), as recorded by collect.c for one set of headers.
 */
#ifndef ABI_ITEM_H
#define ABI_ITEM_H

#include <stddef.h>

/* What an item describes; decides which of its numbers are compared. */
enum abi_item_class {
	ABI_CLASS_GROUP,        /* starts a group; only the label is used */
	ABI_CLASS_CONST,        /* value, kind, size */
	ABI_CLASS_EXPR,         /* value, kind, size of a macro sample */
	ABI_CLASS_TYPE,         /* size, align, kind */
	ABI_CLASS_RECORD,       /* size, align */
	ABI_CLASS_FIELD,        /* offset (in value), size, kind */
	ABI_CLASS_FLEX_FIELD,   /* offset (in value), kind */
};

struct abi_item {
	enum abi_item_class cls;
	const char *name;
	unsigned long long value;
	unsigned long long size;
	unsigned long long align;
	int kind;               /* ABI_KIND_* of the value or member type */
};

/* A growable list of items. */
struct abi_list {
	struct abi_item *items;
	size_t count;
	size_t capacity;
};

/* Append one item to a list (aborts on out-of-memory). */
void abi_list_add(struct abi_list *list, struct abi_item item);

/* Release a list's storage. */
void abi_list_free(struct abi_list *list);

/* The collectors: the same item list compiled against different headers. */
void abi_collect_lamina(struct abi_list *list);
void abi_collect_xen(struct abi_list *list);
void abi_collect_broken(struct abi_list *list);

#endif /* ABI_ITEM_H */
