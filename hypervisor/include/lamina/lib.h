/*
 * The few C library functions the hypervisor provides for itself
 * (hypervisor/common/string.c, hypervisor/common/format.c).
 *
 * Pure modules (frame allocator, ELF parser, boot layout, instruction decoder)
 * include only this header, <stdint.h>, <stddef.h> and <stdbool.h>, so the same
 * source builds inside the hypervisor and into host unit tests, where these
 * names resolve to the host's libc.
 */
#ifndef LAMINA_LIB_H
#define LAMINA_LIB_H

#include <stddef.h>
#include <stdarg.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Formatting: %d %i %u %x %X %p %s %c %% with l/ll/z modifiers, width, precision
 * for strings (%.*s),
 * '0' padding, '-' left alignment and '#'. Always NUL-terminates. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
