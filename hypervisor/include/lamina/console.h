/*
 * The hypervisor console: COM1, polled. Hypervisor messages are prefixed
 * "(lamina) ", each domain's output "(d<id>) ", one line at a time.
 */
#ifndef LAMINA_CONSOLE_H
#define LAMINA_CONSOLE_H

#include <stddef.h>
#include <stdbool.h>

struct domain;

void console_init(void);
/* Print a hypervisor message; lines get the "(lamina) " prefix. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append guest output to the domain's line buffer; complete lines are printed. */
void console_domain_write(struct domain *d, const char *buf, size_t len);
/* Print whatever partial line the domain left behind. */
void console_domain_flush(struct domain *d);
/* A byte from the serial line, or -1 if none is waiting. */
int console_try_getc(void);

#endif
