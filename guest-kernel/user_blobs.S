/*
 * The user programs' flat binaries (built from guest-kernel/user/ into
 * $(BUILD)/guest-kernel/user/, which build.mk puts on the include path),
 * each between user_<name>_start and user_<name>_end.
 */
.macro BLOB name
	.section .rodata
	.balign 16
	.globl user_\name\()_start, user_\name\()_end
user_\name\()_start:
	.incbin "\name\().bin"
user_\name\()_end:
.endm

BLOB ping
BLOB pong
BLOB peek_kernel
BLOB peek_other
BLOB poke_m2p
BLOB priv_insn
BLOB spin
BLOB yielder
BLOB sleeper
