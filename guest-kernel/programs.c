/*
 * The user programs built into the kernel image (flat binaries from
 * guest-kernel/user/, embedded by user_blobs.S), in the order they start.
 */
#include "kernel.h"

/* spin's CPU limit: 30 ticks of 10 ms. */
#define SPIN_TICK_LIMIT 30

#define BLOB(name) \
	extern const unsigned char user_##name##_start[], user_##name##_end[]
BLOB(ping);
BLOB(pong);
BLOB(peek_kernel);
BLOB(peek_other);
BLOB(poke_m2p);
BLOB(priv_insn);
BLOB(spin);
BLOB(yielder);
BLOB(sleeper);

#define PROGRAM(prog) \
	.name = #prog, .image = user_##prog##_start, .image_end = user_##prog##_end

const struct user_program user_programs[] = {
	{ PROGRAM(ping), .private_data = "ping's private page" },
	{ PROGRAM(pong) },
	{ PROGRAM(peek_kernel) },
	{ PROGRAM(peek_other) },
	{ PROGRAM(poke_m2p) },
	{ PROGRAM(priv_insn) },
	/* Never yields: preempted by the tick, killed after its CPU limit. */
	{ PROGRAM(spin), .tick_limit = SPIN_TICK_LIMIT },
	{ PROGRAM(yielder) },
	{ PROGRAM(sleeper) },
};

const unsigned int nr_user_programs =
	sizeof(user_programs) / sizeof(user_programs[0]);
