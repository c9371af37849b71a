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
/* A byte of serial input for domain 0's console_io, or -1 if none. */
int console_try_getc(void);
/* The guest notified its console ring's event channel: print its output. */
void console_ring_notified(struct domain *d, unsigned int port);
/* Start polling serial input (Ctrl-A three times switches its domain). */
void console_start_input(void);

#endif
