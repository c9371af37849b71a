/*
 * Measure every ABI item listed in the generated abi_items.h against one set
 * of headers. This file is compiled three times:
 *   ABI_SIDE_XEN         against /usr/include/xen       -> abi_collect_xen
 *   (default)            against pv-abi/include/pv      -> abi_collect_lamina
 *   ABI_SELFTEST_BREAK   Lamina's headers with deliberate mistakes
 *                                                       -> abi_collect_broken
 * The broken build proves that the comparison notices wrong values, wrong
 * types and wrong layouts.
 */
#include <stdint.h>
#include <stddef.h>

#ifdef ABI_SIDE_XEN
/* __XEN_TOOLS__ selects the newest interface version (xen-compat.h) and the
 * register-name unions of the hypervisor side (rax/eax/ax/al), which
 * Lamina's cpu_user_regs provides. Nothing else it enables is checked. */
#define __XEN_TOOLS__ 1
#define ABI_COLLECT abi_collect_xen
#elif defined(ABI_SELFTEST_BREAK)
/* Mistake 1: pack structures to 4 bytes, shifting 8-byte members. */
#pragma pack(push, 4)
#define ABI_COLLECT abi_collect_broken
#else
#define ABI_COLLECT abi_collect_lamina
#endif

#include "abi_headers.h"

#ifdef ABI_SELFTEST_BREAK
#pragma pack(pop)
/* Mistake 2: a wrong hypercall number. */
#undef __HYPERVISOR_iret
#define __HYPERVISOR_iret 24
/* Mistake 3: the right value with the wrong type (int, not unsigned). */
#undef DOMID_SELF
#define DOMID_SELF 0x7FF0
#endif

#include "abi_item.h"

/* Number identifying an integer or pointer type; 0 for anything else. */
#define ABI_KIND_OF_VALUE(x) _Generic((x),                              \
	char: 1, signed char: 2, unsigned char: 3,                      \
	short: 4, unsigned short: 5, int: 6, unsigned int: 7,           \
	long: 8, unsigned long: 9, long long: 10, unsigned long long: 11, \
	_Bool: 12, void *: 13, const void *: 14, default: 0)

/* The same numbering, given a pointer to an object of the type. */
#define ABI_KIND_OF_PTR(p) _Generic((p),                                \
	char *: 1, signed char *: 2, unsigned char *: 3,                \
	short *: 4, unsigned short *: 5, int *: 6, unsigned int *: 7,   \
	long *: 8, unsigned long *: 9, long long *: 10,                 \
	unsigned long long *: 11, _Bool *: 12, void **: 13,             \
	const void **: 14, default: 0)

#define ABI_MEMBER(T, path) (((T *)0)->path)

#define ABI_ADD(...) abi_list_add(list, (struct abi_item){ __VA_ARGS__ })

#define ABI_GROUP(label) ABI_ADD(.cls = ABI_CLASS_GROUP, .name = label);

#define ABI_VALUE_ITEM(cls_, label, x)                                  \
	ABI_ADD(.cls = cls_, .name = label,                             \
		.value = (unsigned long long)(uintptr_t)(x),            \
		.size = sizeof(x), .kind = ABI_KIND_OF_VALUE(x));

#define ABI_CONST(name) ABI_VALUE_ITEM(ABI_CLASS_CONST, #name, name)
#define ABI_EXPR(label, ...) ABI_VALUE_ITEM(ABI_CLASS_EXPR, label, (__VA_ARGS__))

#define ABI_TYPE(T)                                                     \
	ABI_ADD(.cls = ABI_CLASS_TYPE, .name = #T, .size = sizeof(T),   \
		.align = _Alignof(T), .kind = ABI_KIND_OF_PTR((T *)0));

#define ABI_RECORD(T)                                                   \
	ABI_ADD(.cls = ABI_CLASS_RECORD, .name = #T, .size = sizeof(T), \
		.align = _Alignof(T));

#define ABI_FIELD(T, path)                                              \
	ABI_ADD(.cls = ABI_CLASS_FIELD, .name = #T "." #path,           \
		.value = offsetof(T, path),                             \
		.size = sizeof(ABI_MEMBER(T, path)),                    \
		.kind = ABI_KIND_OF_PTR(&ABI_MEMBER(T, path)));

#define ABI_FLEX_FIELD(T, path)                                         \
	ABI_ADD(.cls = ABI_CLASS_FLEX_FIELD, .name = #T "." #path,      \
		.value = offsetof(T, path),                             \
		.kind = ABI_KIND_OF_PTR(&ABI_MEMBER(T, path)));

/* Append one measured item per line of abi_items.h to list. */
void ABI_COLLECT(struct abi_list *list)
{
#include "abi_items.h"
}
