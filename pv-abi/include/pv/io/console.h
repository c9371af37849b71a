/*
 * Lamina PV ABI: the PV console ring page (start_info.console.domU.mfn).
 *
 * Two byte rings: "in" carries input to the guest, "out" its output. Each
 * side only advances its own index: the guest writes out_prod and
 * in_cons, the console backend out_cons and in_prod. Indexes run freely
 * and are reduced with MASK_XENCONS_IDX when used.
 */
#ifndef LAMINA_PV_IO_CONSOLE_H
#define LAMINA_PV_IO_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Reduce a free-running index to a position in a ring array. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
	char in[1024];
	char out[2048];
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
};

#endif /* LAMINA_PV_IO_CONSOLE_H */
