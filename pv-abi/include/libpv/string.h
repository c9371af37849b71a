/*
 * The few C string and memory functions libpv guests need. They carry the
 * standard names because the compiler may emit calls to memcpy/memset.
 */
#ifndef LIBPV_STRING_H
#define LIBPV_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);
char *strchr(const char *s, int c);

#endif /* LIBPV_STRING_H */
