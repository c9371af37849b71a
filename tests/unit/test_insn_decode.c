/*
 * Unit tests for the PV privileged-instruction decoder
 * (hypervisor/arch/x86/pv/insn_decode.c), run under ASan/UBSan.
 *
 * Every decode reads from a heap buffer whose last byte is the last byte
 * passed in, so any read past `len` is an ASan heap-buffer-overflow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lamina/insn_decode.h"

static int failures;

/* Print one PASS/FAIL line; msg is NULL on success. */
static void report(const char *name, const char *msg)
{
	if (msg) {
		printf("FAIL %s: %s\n", name, msg);
		failures++;
	} else {
		printf("PASS %s\n", name);
	}
}

/* Decode len bytes placed at the very end of a fresh heap allocation. */
static int decode_at_end(const uint8_t *bytes, size_t len, struct pv_insn *out)
{
	uint8_t *buf = malloc(len ? len : 1);
	uint8_t *start = buf + (len ? 0 : 1);
	int rc;

	if (!buf) {
		perror("malloc");
		exit(2);
	}
	memcpy(start, bytes, len);
	rc = pv_insn_decode(start, len, out);
	free(buf);
	return rc;
}

/* Parse "0f 01 d1" style hex into bytes; returns the count. */
static size_t parse_hex(const char *hex, uint8_t *bytes, size_t max)
{
	size_t n = 0;

	while (*hex && n < max) {
		char *end;
		unsigned long v;

		while (*hex == ' ')
			hex++;
		if (!*hex)
			break;
		v = strtoul(hex, &end, 16);
		if (end == hex) {
			fprintf(stderr, "bad hex '%s'\n", hex);
			exit(2);
		}
		bytes[n++] = (uint8_t)v;
		hex = end;
	}
	return n;
}

/* Expected decode of one byte sequence; unused fields are left 0. */
struct expect {
	const char *name;
	const char *hex;
	enum pv_insn_kind kind;	/* PV_INSN_UNKNOWN: decode must fail */
	uint8_t length;
	int cr, dr, gpr;	/* W(value), or 0: don't check */
	int int_vector;
	int io_size, io_dx, io_imm;
	int op_size;
	int has_mem, base, index, scale, disp, rip;
	int seg, rep, addr_size;
};

/* Checked fields hold value + 1, so that 0 means "don't check". */
#define W(x) ((x) + 1)

static const struct expect cases[] = {
	{ .name = "fep_cpuid", .hex = "0f 0b 78 65 6e 0f a2", .kind = PV_INSN_FEP_CPUID, .length = 7 },
	{ .name = "fep_other_rdtsc", .hex = "0f 0b 78 65 6e 0f 31", .kind = PV_INSN_FEP_OTHER, .length = 5 },
	{ .name = "fep_other_nop", .hex = "0f 0b 78 65 6e 90", .kind = PV_INSN_FEP_OTHER, .length = 5 },
	{ .name = "fep_other_prefixed_cpuid", .hex = "0f 0b 78 65 6e 66 0f a2", .kind = PV_INSN_FEP_OTHER, .length = 5 },
	{ .name = "ud2_plain", .hex = "0f 0b 90", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "ud2_not_xen", .hex = "0f 0b 78 65 6f 0f a2", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "prefixed_fep_not_fep", .hex = "66 0f 0b 78 65 6e 0f a2", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "cpuid", .hex = "0f a2", .kind = PV_INSN_CPUID, .length = 2 },
	{ .name = "cpuid_66", .hex = "66 0f a2", .kind = PV_INSN_CPUID, .length = 3, .op_size = W(2)},
	{ .name = "cpuid_rexw", .hex = "48 0f a2", .kind = PV_INSN_CPUID, .length = 3, .op_size = W(8)},
	{ .name = "rdmsr", .hex = "0f 32", .kind = PV_INSN_RDMSR, .length = 2 },
	{ .name = "wrmsr", .hex = "0f 30", .kind = PV_INSN_WRMSR, .length = 2 },
	{ .name = "wrmsr_rex", .hex = "41 0f 30", .kind = PV_INSN_WRMSR, .length = 3 },
	{ .name = "mov_from_cr0", .hex = "0f 20 c0", .kind = PV_INSN_MOV_FROM_CR, .length = 3, .cr = W(0), .gpr = W(0)},
	{ .name = "mov_from_cr3_rax", .hex = "0f 20 d8", .kind = PV_INSN_MOV_FROM_CR, .length = 3, .cr = W(3), .gpr = W(0)},
	{ .name = "mov_from_cr4_r15", .hex = "41 0f 20 e7", .kind = PV_INSN_MOV_FROM_CR, .length = 4, .cr = W(4), .gpr = W(15)},
	{ .name = "mov_from_cr8", .hex = "44 0f 20 c0", .kind = PV_INSN_MOV_FROM_CR, .length = 4, .cr = W(8), .gpr = W(0)},
	{ .name = "mov_to_cr3", .hex = "0f 22 d8", .kind = PV_INSN_MOV_TO_CR, .length = 3, .cr = W(3), .gpr = W(0)},
	{ .name = "mov_to_cr4_rsi", .hex = "0f 22 e6", .kind = PV_INSN_MOV_TO_CR, .length = 3, .cr = W(4), .gpr = W(6)},
	{ .name = "mov_to_cr0_r9_rex_last", .hex = "66 45 0f 22 c1", .kind = PV_INSN_MOV_TO_CR, .length = 5, .cr = W(8), .gpr = W(9)},
	{ .name = "mov_cr_rex_not_last", .hex = "41 66 0f 20 c0", .kind = PV_INSN_MOV_FROM_CR, .length = 5, .cr = W(0), .gpr = W(0)},
	{ .name = "mov_cr_two_rex_last_wins", .hex = "48 41 0f 20 c0", .kind = PV_INSN_MOV_FROM_CR, .length = 5, .cr = W(0), .gpr = W(8)},
	/* mod is ignored (register form, no displacement), as the CPU does. */
	{ .name = "mov_cr_mod0_is_register_form", .hex = "0f 22 00", .kind = PV_INSN_MOV_TO_CR, .length = 3, .cr = W(0), .gpr = W(0)},
	{ .name = "mov_dr_mod1_is_register_form", .hex = "0f 21 78", .kind = PV_INSN_MOV_FROM_DR, .length = 3, .dr = W(7), .gpr = W(0)},
	{ .name = "mov_cr_mod1_no_displacement", .hex = "0f 20 40 00", .kind = PV_INSN_MOV_FROM_CR, .length = 3, .cr = W(0), .gpr = W(0)},
	{ .name = "mov_from_dr7", .hex = "0f 21 f8", .kind = PV_INSN_MOV_FROM_DR, .length = 3, .dr = W(7), .gpr = W(0)},
	{ .name = "mov_to_dr0_rcx", .hex = "0f 23 c1", .kind = PV_INSN_MOV_TO_DR, .length = 3, .dr = W(0), .gpr = W(1)},
	{ .name = "mov_from_dr6_r9", .hex = "41 0f 21 f1", .kind = PV_INSN_MOV_FROM_DR, .length = 4, .dr = W(6), .gpr = W(9)},
	{ .name = "mov_to_dr8_rex_r", .hex = "44 0f 23 c0", .kind = PV_INSN_MOV_TO_DR, .length = 4, .dr = W(8), .gpr = W(0)},
	{ .name = "mov_from_dr4_rex_w", .hex = "48 0f 21 e3", .kind = PV_INSN_MOV_FROM_DR, .length = 4, .dr = W(4), .gpr = W(3)},
	{ .name = "mov_dr_mod2_no_displacement", .hex = "0f 23 81 00 00 00 00", .kind = PV_INSN_MOV_TO_DR, .length = 3, .dr = W(0), .gpr = W(1)},
	{ .name = "cli", .hex = "fa", .kind = PV_INSN_CLI, .length = 1 },
	{ .name = "sti", .hex = "fb", .kind = PV_INSN_STI, .length = 1 },
	{ .name = "hlt", .hex = "f4", .kind = PV_INSN_HLT, .length = 1 },
	{ .name = "hlt_rex", .hex = "48 f4", .kind = PV_INSN_HLT, .length = 2 },
	{ .name = "lgdt_rax", .hex = "0f 01 10", .kind = PV_INSN_LGDT, .length = 3, .has_mem = W(1), .base = W(0),
	  .index = W(PV_INSN_NO_REG), .scale = W(1), .disp = W(0), .rip = W(0)},
	{ .name = "lgdt_rip", .hex = "0f 01 15 10 20 30 40", .kind = PV_INSN_LGDT, .length = 7, .has_mem = W(1),
	  .base = W(PV_INSN_NO_REG), .index = W(PV_INSN_NO_REG), .disp = W(0x40302010), .rip = W(1)},
	{ .name = "lgdt_rsp_disp8", .hex = "0f 01 54 24 08", .kind = PV_INSN_LGDT, .length = 5, .has_mem = W(1),
	  .base = W(4), .index = W(PV_INSN_NO_REG), .scale = W(1), .disp = W(8), .rip = W(0)},
	{ .name = "lgdt_sib_abs", .hex = "0f 01 14 25 00 10 00 00", .kind = PV_INSN_LGDT, .length = 8,
	  .has_mem = W(1), .base = W(PV_INSN_NO_REG), .index = W(PV_INSN_NO_REG),
	  .disp = W(0x1000), .rip = W(0)},
	{ .name = "lgdt_sib_disp32", .hex = "0f 01 94 c8 00 01 00 00", .kind = PV_INSN_LGDT, .length = 8,
	  .has_mem = W(1), .base = W(0), .index = W(1), .scale = W(8), .disp = W(0x100)},
	{ .name = "lgdt_rex_sib", .hex = "43 0f 01 94 c8 00 01 00 00", .kind = PV_INSN_LGDT, .length = 9,
	  .has_mem = W(1), .base = W(8), .index = W(9), .scale = W(8), .disp = W(0x100)},
	{ .name = "lgdt_r13_mod0_is_rip", .hex = "41 0f 01 15 00 00 00 00", .kind = PV_INSN_LGDT, .length = 8,
	  .has_mem = W(1), .base = W(PV_INSN_NO_REG), .rip = W(1)},
	{ .name = "lgdt_r12_needs_sib", .hex = "41 0f 01 14 24", .kind = PV_INSN_LGDT, .length = 5,
	  .has_mem = W(1), .base = W(12), .index = W(PV_INSN_NO_REG)},
	{ .name = "lgdt_addr32_gs", .hex = "65 67 0f 01 50 7f", .kind = PV_INSN_LGDT, .length = 6, .has_mem = W(1),
	  .base = W(0), .disp = W(0x7f), .seg = W(0x65), .addr_size = W(4)},
	{ .name = "lgdt_sib_base5_mod1", .hex = "0f 01 54 25 f0", .kind = PV_INSN_LGDT, .length = 5, .has_mem = W(1),
	  .base = W(5), .index = W(PV_INSN_NO_REG), .disp = W(-16)},
	{ .name = "lidt_rax", .hex = "0f 01 18", .kind = PV_INSN_LIDT, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "lidt_rbp_disp8", .hex = "0f 01 5d f0", .kind = PV_INSN_LIDT, .length = 4, .has_mem = W(1),
	  .base = W(5), .disp = W(-16), .rip = W(0)},
	{ .name = "sgdt", .hex = "0f 01 00", .kind = PV_INSN_SGDT, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "sidt", .hex = "0f 01 08", .kind = PV_INSN_SIDT, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "xgetbv_not_lgdt", .hex = "0f 01 d0", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "monitor_unknown", .hex = "0f 01 c8", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "group7_mem_5_unknown", .hex = "0f 01 28", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "lldt_reg", .hex = "0f 00 d0", .kind = PV_INSN_LLDT, .length = 3, .gpr = W(0), .has_mem = W(0)},
	{ .name = "lldt_mem", .hex = "0f 00 10", .kind = PV_INSN_LLDT, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "ltr_reg_r10", .hex = "41 0f 00 da", .kind = PV_INSN_LTR, .length = 4, .gpr = W(10)},
	{ .name = "sldt_unknown", .hex = "0f 00 c0", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "in_al_imm", .hex = "e4 60", .kind = PV_INSN_IN, .length = 2, .io_size = W(1), .io_dx = W(0), .io_imm = W(0x60)},
	{ .name = "in_eax_imm", .hex = "e5 71", .kind = PV_INSN_IN, .length = 2, .io_size = W(4), .io_dx = W(0), .io_imm = W(0x71)},
	{ .name = "in_ax_imm", .hex = "66 e5 71", .kind = PV_INSN_IN, .length = 3, .io_size = W(2), .io_dx = W(0), .io_imm = W(0x71)},
	{ .name = "in_al_dx", .hex = "ec", .kind = PV_INSN_IN, .length = 1, .io_size = W(1), .io_dx = W(1)},
	{ .name = "in_eax_dx", .hex = "ed", .kind = PV_INSN_IN, .length = 1, .io_size = W(4), .io_dx = W(1)},
	{ .name = "in_ax_dx", .hex = "66 ed", .kind = PV_INSN_IN, .length = 2, .io_size = W(2), .io_dx = W(1)},
	{ .name = "in_rexw_still_4", .hex = "48 ed", .kind = PV_INSN_IN, .length = 2, .io_size = W(4), .io_dx = W(1)},
	{ .name = "out_imm_al", .hex = "e6 80", .kind = PV_INSN_OUT, .length = 2, .io_size = W(1), .io_dx = W(0), .io_imm = W(0x80)},
	{ .name = "out_imm_eax", .hex = "e7 f4", .kind = PV_INSN_OUT, .length = 2, .io_size = W(4), .io_dx = W(0), .io_imm = W(0xf4)},
	{ .name = "out_dx_al", .hex = "ee", .kind = PV_INSN_OUT, .length = 1, .io_size = W(1), .io_dx = W(1)},
	{ .name = "out_dx_eax", .hex = "ef", .kind = PV_INSN_OUT, .length = 1, .io_size = W(4), .io_dx = W(1)},
	{ .name = "out_dx_ax", .hex = "66 ef", .kind = PV_INSN_OUT, .length = 2, .io_size = W(2), .io_dx = W(1)},
	{ .name = "insb", .hex = "6c", .kind = PV_INSN_INS, .length = 1, .io_size = W(1), .io_dx = W(1)},
	{ .name = "insd_rep", .hex = "f3 6d", .kind = PV_INSN_INS, .length = 2, .io_size = W(4), .rep = W(0xf3)},
	{ .name = "insw", .hex = "66 6d", .kind = PV_INSN_INS, .length = 2, .io_size = W(2)},
	{ .name = "outsb_gs", .hex = "65 6e", .kind = PV_INSN_OUTS, .length = 2, .io_size = W(1), .seg = W(0x65)},
	{ .name = "outsw_rep_a32", .hex = "f3 66 67 6f", .kind = PV_INSN_OUTS, .length = 4, .io_size = W(2),
	  .rep = W(0xf3), .addr_size = W(4)},
	{ .name = "outsd", .hex = "6f", .kind = PV_INSN_OUTS, .length = 1, .io_size = W(4)},
	{ .name = "invlpg_rax", .hex = "0f 01 38", .kind = PV_INSN_INVLPG, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "invlpg_rsp", .hex = "0f 01 3c 24", .kind = PV_INSN_INVLPG, .length = 4, .has_mem = W(1), .base = W(4)},
	{ .name = "invlpg_rdi_disp32", .hex = "0f 01 bf 00 10 00 00", .kind = PV_INSN_INVLPG, .length = 7,
	  .has_mem = W(1), .base = W(7), .disp = W(0x1000)},
	{ .name = "invlpg_fs_rex", .hex = "64 49 0f 01 3c 8f", .kind = PV_INSN_INVLPG, .length = 6, .has_mem = W(1),
	  .base = W(15), .index = W(1), .scale = W(4), .seg = W(0x64)},
	{ .name = "wbinvd", .hex = "0f 09", .kind = PV_INSN_WBINVD, .length = 2 },
	{ .name = "wbnoinvd", .hex = "f3 0f 09", .kind = PV_INSN_WBNOINVD, .length = 3 },
	{ .name = "f2_0f09_unknown", .hex = "f2 0f 09", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "invd", .hex = "0f 08", .kind = PV_INSN_INVD, .length = 2 },
	{ .name = "int_80", .hex = "cd 80", .kind = PV_INSN_INT, .length = 2, .int_vector = W(0x80)},
	{ .name = "int_prefixed", .hex = "66 cd 03", .kind = PV_INSN_INT, .length = 3, .int_vector = W(3)},
	{ .name = "int3", .hex = "cc", .kind = PV_INSN_INT3, .length = 1, .int_vector = W(3)},
	{ .name = "into", .hex = "ce", .kind = PV_INSN_INTO, .length = 1, .int_vector = W(4)},
	{ .name = "rdtsc", .hex = "0f 31", .kind = PV_INSN_RDTSC, .length = 2 },
	{ .name = "rdtscp", .hex = "0f 01 f9", .kind = PV_INSN_RDTSCP, .length = 3 },
	{ .name = "rdtscp_f3_unknown", .hex = "f3 0f 01 f9", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "xsetbv", .hex = "0f 01 d1", .kind = PV_INSN_XSETBV, .length = 3 },
	{ .name = "xsetbv_rex", .hex = "48 0f 01 d1", .kind = PV_INSN_XSETBV, .length = 4 },
	{ .name = "xsetbv_66_unknown", .hex = "66 0f 01 d1", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "xsetbv_f2_unknown", .hex = "f2 0f 01 d1", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "swapgs", .hex = "0f 01 f8", .kind = PV_INSN_SWAPGS, .length = 3 },
	{ .name = "clts", .hex = "0f 06", .kind = PV_INSN_CLTS, .length = 2 },
	{ .name = "lmsw_reg", .hex = "0f 01 f0", .kind = PV_INSN_LMSW, .length = 3, .gpr = W(0), .has_mem = W(0)},
	{ .name = "lmsw_reg_r11", .hex = "41 0f 01 f3", .kind = PV_INSN_LMSW, .length = 4, .gpr = W(11)},
	{ .name = "lmsw_mem", .hex = "0f 01 30", .kind = PV_INSN_LMSW, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "smsw_reg", .hex = "0f 01 e0", .kind = PV_INSN_SMSW, .length = 3, .gpr = W(0), .op_size = W(4)},
	{ .name = "smsw_reg64", .hex = "48 0f 01 e0", .kind = PV_INSN_SMSW, .length = 4, .gpr = W(0), .op_size = W(8)},
	{ .name = "smsw_reg16", .hex = "66 0f 01 e2", .kind = PV_INSN_SMSW, .length = 4, .gpr = W(2), .op_size = W(2)},
	{ .name = "smsw_mem", .hex = "0f 01 20", .kind = PV_INSN_SMSW, .length = 3, .has_mem = W(1), .base = W(0)},
	{ .name = "lock_mov_cr_rejected", .hex = "f0 0f 20 c0", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "lock_cli_rejected", .hex = "f0 fa", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "lock_cpuid_rejected", .hex = "66 f0 0f a2", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "max_len_15", .hex = "66 66 66 66 66 66 66 66 66 66 66 66 66 0f a2", .kind = PV_INSN_CPUID, .length = 15 },
	{ .name = "too_long_16", .hex = "66 66 66 66 66 66 66 66 66 66 66 66 66 66 0f a2", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "prefix_only_15", .hex = "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "nop_unknown", .hex = "90", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "syscall_unknown", .hex = "0f 05", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "ret_unknown", .hex = "c3", .kind = PV_INSN_UNKNOWN, .length = 0 },
	{ .name = "mov_unknown", .hex = "48 89 c3", .kind = PV_INSN_UNKNOWN, .length = 0 },
};

/* Compare one optional field; returns a message on mismatch. */
static const char *check_field(const char *field, int want, int got, char *msg,
			       size_t size)
{
	if (want == 0 || want - 1 == got)
		return NULL;
	snprintf(msg, size, "%s: want %d got %d", field, want - 1, got);
	return msg;
}

/* Check every field the case cares about. */
static const char *check_fields(const struct expect *e, const struct pv_insn *in,
				char *msg, size_t size)
{
	const char *why = NULL;
	struct { const char *name; int want, got; } f[] = {
		{ "cr", e->cr, in->cr }, { "dr", e->dr, in->dr },
		{ "gpr", e->gpr, in->gpr }, { "int_vector", e->int_vector, in->int_vector },
		{ "io_size", e->io_size, in->io_size },
		{ "io_port_in_dx", e->io_dx, in->io_port_in_dx },
		{ "io_port_imm", e->io_imm, in->io_port_imm },
		{ "op_size", e->op_size, in->op_size },
		{ "has_mem", e->has_mem, in->has_mem },
		{ "mem.base", e->base, in->mem.base },
		{ "mem.index", e->index, in->mem.index },
		{ "mem.scale", e->scale, in->mem.scale },
		{ "mem.rip_relative", e->rip, in->mem.rip_relative },
		{ "seg", e->seg, in->seg }, { "rep", e->rep, in->rep },
		{ "addr_size", e->addr_size, in->addr_size },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && !why; i++)
		why = check_field(f[i].name, f[i].want, f[i].got, msg, size);
	if (!why)
		why = check_field("mem.disp", e->disp, in->mem.disp, msg, size);
	return why;
}

/* Decode bytes[0..len) and compare with the expectation. */
static const char *check_decode(const struct expect *e, const uint8_t *bytes,
				size_t len, char *msg, size_t size)
{
	struct pv_insn in;
	int rc = decode_at_end(bytes, len, &in);

	if (e->kind == PV_INSN_UNKNOWN) {
		if (rc != -1 || in.kind != PV_INSN_UNKNOWN || in.length != 0) {
			snprintf(msg, size, "want failure, got rc %d kind %s length %u",
				 rc, pv_insn_kind_name(in.kind), in.length);
			return msg;
		}
		if (in.truncated) {
			snprintf(msg, size, "failure wrongly marked truncated");
			return msg;
		}
		return NULL;
	}
	if (rc != 0 || in.kind != e->kind || in.length != e->length) {
		snprintf(msg, size, "want %s/%u, got rc %d %s/%u", pv_insn_kind_name(e->kind),
			 e->length, rc, pv_insn_kind_name(in.kind), in.length);
		return msg;
	}
	return check_fields(e, &in, msg, size);
}

/* Every strict prefix of an instruction must fail as truncated. */
static const char *check_truncations(const uint8_t *bytes, size_t length,
				     char *msg, size_t size)
{
	for (size_t cut = 0; cut < length; cut++) {
		struct pv_insn in;
		int rc = decode_at_end(bytes, cut, &in);

		if (rc != -1 || !in.truncated || in.kind != PV_INSN_UNKNOWN ||
		    in.length != 0) {
			snprintf(msg, size, "cut at %zu: rc %d truncated %d kind %s",
				 cut, rc, in.truncated, pv_insn_kind_name(in.kind));
			return msg;
		}
	}
	return NULL;
}

/* Run one table case: exact bytes, trailing junk, truncations, variants. */
static void run_case(const struct expect *e)
{
	uint8_t bytes[32], padded[PV_INSN_MAX_LEN + 8];
	char msg[160], name[96];
	size_t n = parse_hex(e->hex, bytes, sizeof(bytes));
	const char *why = check_decode(e, bytes, n, msg, sizeof(msg));

	if (!why && e->kind != PV_INSN_UNKNOWN) {
		/* Same answer with trailing junk after the instruction. */
		memset(padded, 0xcc, sizeof(padded));
		memcpy(padded, bytes, n);
		why = check_decode(e, padded, sizeof(padded), msg, sizeof(msg));
		if (!why)
			why = check_truncations(bytes, e->length, msg, sizeof(msg));
	}
	report(e->name, why);

	/* Neutral prefixes (ds override, empty REX) change only the length. */
	if (e->kind != PV_INSN_UNKNOWN && e->kind != PV_INSN_FEP_CPUID &&
	    e->kind != PV_INSN_FEP_OTHER && n + 2 <= PV_INSN_MAX_LEN &&
	    e->seg == 0 && bytes[0] < 0x40) {
		struct expect v = *e;
		uint8_t pre[34] = { 0x3e, 0x40 };

		memcpy(pre + 2, bytes, n);
		v.length = (uint8_t)(e->length + 2);
		snprintf(name, sizeof(name), "%s+ds+rex40", e->name);
		report(name, check_decode(&v, pre, n + 2, msg, sizeof(msg)));
		pre[0] = 0xf0;	/* and LOCK always makes it fail */
		v.kind = PV_INSN_UNKNOWN;
		snprintf(name, sizeof(name), "%s+lock", e->name);
		report(name, check_decode(&v, pre, n + 2, msg, sizeof(msg)));
	}
}

/* Small deterministic PRNG so fuzz failures are reproducible. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* A random byte, biased towards the bytes the decoder cares about. */
static uint8_t fuzz_byte(void)
{
	static const uint8_t hot[] = {
		0x0f, 0x01, 0x00, 0x20, 0x22, 0x21, 0x23, 0x0b, 0x78, 0x65, 0x6e,
		0xa2, 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x64, 0x40, 0x48, 0x4f,
		0xcd, 0xe4, 0xec, 0x6c, 0xd1, 0xf8, 0xf9, 0x04, 0x05, 0x14, 0x25,
		0x44, 0x84, 0x3c, 0x10, 0x18, 0x38, 0xc0, 0xe0, 0xf0,
	};
	uint32_t r = rng();

	if (r & 1)
		return hot[(r >> 1) % sizeof(hot)];
	return (uint8_t)(r >> 8);
}

/* Properties every decode result must have; NULL if they hold. */
static const char *check_invariants(const uint8_t *bytes, size_t len, char *msg,
				    size_t size)
{
	struct pv_insn in, again;
	int rc = decode_at_end(bytes, len, &in);

	if (rc != 0 && rc != -1)
		return "rc not 0/-1";
	if (rc == -1) {
		if (in.kind != PV_INSN_UNKNOWN || in.length != 0)
			return "failure without UNKNOWN/0";
		if (in.truncated && len >= PV_INSN_MAX_LEN)
			return "truncated with a full 15-byte copy";
		return NULL;
	}
	if (in.kind == PV_INSN_UNKNOWN || in.length == 0 || in.length > len ||
	    in.length > PV_INSN_MAX_LEN) {
		snprintf(msg, size, "bad success: kind %s length %u len %zu",
			 pv_insn_kind_name(in.kind), in.length, len);
		return msg;
	}
	if (in.kind == PV_INSN_FEP_OTHER)
		return NULL;	/* needs the byte after the prefix to decide */
	if (decode_at_end(bytes, in.length, &again) != 0 || again.kind != in.kind ||
	    again.length != in.length)
		return "decoding exactly `length` bytes gives another answer";
	return NULL;
}

/* Random byte strings of every length: no crash, overread or bad result. */
static void fuzz(void)
{
	uint8_t bytes[PV_INSN_MAX_LEN + 4];
	char msg[160];
	const char *why = NULL;
	int decoded = 0;

	for (int i = 0; i < 20000 && !why; i++) {
		size_t len = rng() % (sizeof(bytes) + 1);

		for (size_t j = 0; j < len; j++)
			bytes[j] = fuzz_byte();
		why = check_invariants(bytes, len, msg, sizeof(msg));
		if (why)
			fprintf(stderr, "fuzz iteration %d len %zu\n", i, len);
		else if (decode_at_end(bytes, len, &(struct pv_insn){0}) == 0)
			decoded++;
	}
	if (!why && decoded == 0)
		why = "fuzz never produced a decodable instruction";
	report("fuzz_random_bytes", why);
}

/* Empty and NULL input are truncated, not crashes. */
static void edge_inputs(void)
{
	struct pv_insn in;
	int rc = pv_insn_decode(NULL, 0, &in);

	report("empty_input", rc == -1 && in.truncated ? NULL : "not -1/truncated");
	report("kind_names", strcmp(pv_insn_kind_name(PV_INSN_XSETBV), "xsetbv") == 0 &&
	       strcmp(pv_insn_kind_name((enum pv_insn_kind)999), "invalid") == 0 ?
	       NULL : "wrong names");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	edge_inputs();
	fuzz();
	return failures ? 1 : 0;
}
