/*
 * How a run ends: the status the hypervisor writes to QEMU's isa-debug-exit
 * port (QEMU then exits with 2 * status + 1). The one table of these codes:
 * tools/run and tests/run_tests.py read the RUN_END() lines of this file, so
 * keep each entry on one line as RUN_END(NAME, status, "word", "meaning").
 */
#ifndef LAMINA_RUN_END_H
#define LAMINA_RUN_END_H

#define RUN_END_TABLE(RUN_END) \
	RUN_END(POWEROFF,   0, "poweroff",   "every domain ended by poweroff") \
	RUN_END(REBOOT,     1, "reboot",     "a domain asked for reboot") \
	RUN_END(CRASH,      2, "crash",      "a domain crashed") \
	RUN_END(PANIC,      3, "panic",      "the hypervisor itself faulted") \
	RUN_END(BOOT_ERROR, 4, "boot-error", "bad command line or modules, or no domain could be built")

#define RUN_END_ENUM_ENTRY(name, status, word, meaning) RUN_END_##name = status,
#define RUN_END_ASM_ENTRY(name, status, word, meaning) .equ RUN_END_##name, status;
#ifdef __ASSEMBLY__
RUN_END_TABLE(RUN_END_ASM_ENTRY)
#else
enum run_end { RUN_END_TABLE(RUN_END_ENUM_ENTRY) };
#endif

#endif
