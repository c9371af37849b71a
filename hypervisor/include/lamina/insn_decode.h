/*
 * Decoder for the instruction a 64-bit PV guest (running at CPL3) faulted on
 * with #GP or #UD.  The trap handler copies up to 15 bytes from the guest's
 * RIP (fewer if the guest page ended) and asks what they are, so it can
 * emulate the instruction, bounce the fault to the guest, or skip it.
 *
 * Only privileged or sensitive instructions are recognised; everything else
 * decodes as PV_INSN_UNKNOWN.  Pure logic: no hardware access.
 */
#ifndef LAMINA_INSN_DECODE_H
#define LAMINA_INSN_DECODE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Architectural maximum length of one x86 instruction. */
#define PV_INSN_MAX_LEN 15

/* The forced-emulation prefix: ud2a followed by the ASCII bytes "xen". */
#define PV_FEP_LEN 5

enum pv_insn_kind {
	PV_INSN_UNKNOWN = 0,
	PV_INSN_FEP_CPUID,	/* 0f 0b 'x' 'e' 'n' 0f a2 */
	PV_INSN_FEP_OTHER,	/* the FEP prefix followed by anything else */
	PV_INSN_CPUID,		/* 0f a2 */
	PV_INSN_RDMSR,		/* 0f 32 */
	PV_INSN_WRMSR,		/* 0f 30 */
	PV_INSN_MOV_FROM_CR,	/* 0f 20 /r, any mod (ignored) */
	PV_INSN_MOV_TO_CR,	/* 0f 22 /r, any mod (ignored) */
	PV_INSN_MOV_FROM_DR,	/* 0f 21 /r, any mod (ignored) */
	PV_INSN_MOV_TO_DR,	/* 0f 23 /r, any mod (ignored) */
	PV_INSN_CLI,		/* fa */
	PV_INSN_STI,		/* fb */
	PV_INSN_HLT,		/* f4 */
	PV_INSN_LGDT,		/* 0f 01 /2, mod != 3 */
	PV_INSN_LIDT,		/* 0f 01 /3, mod != 3 */
	PV_INSN_SGDT,		/* 0f 01 /0, mod != 3 */
	PV_INSN_SIDT,		/* 0f 01 /1, mod != 3 */
	PV_INSN_LLDT,		/* 0f 00 /2 */
	PV_INSN_LTR,		/* 0f 00 /3 */
	PV_INSN_IN,		/* e4 e5 ec ed */
	PV_INSN_OUT,		/* e6 e7 ee ef */
	PV_INSN_INS,		/* 6c 6d */
	PV_INSN_OUTS,		/* 6e 6f */
	PV_INSN_INVLPG,		/* 0f 01 /7, mod != 3 */
	PV_INSN_WBINVD,		/* 0f 09 */
	PV_INSN_WBNOINVD,	/* f3 0f 09 */
	PV_INSN_INVD,		/* 0f 08 */
	PV_INSN_INT,		/* cd ib */
	PV_INSN_INT3,		/* cc */
	PV_INSN_INTO,		/* ce (always #UD in 64-bit mode) */
	PV_INSN_RDTSC,		/* 0f 31 */
	PV_INSN_RDTSCP,		/* 0f 01 f9 */
	PV_INSN_XSETBV,		/* 0f 01 d1 */
	PV_INSN_SWAPGS,		/* 0f 01 f8 */
	PV_INSN_CLTS,		/* 0f 06 */
	PV_INSN_LMSW,		/* 0f 01 /6 (register or memory) */
	PV_INSN_SMSW,		/* 0f 01 /4 (register or memory) */
	PV_INSN_KIND_COUNT
};

/* Marks "no register" in a decoded memory operand. */
#define PV_INSN_NO_REG 0xff

/*
 * A ModRM memory operand: address = base + index * scale + disp (+ RIP of
 * the next instruction when rip_relative), truncated to 32 bits when
 * addr_size is 4, in the segment given by pv_insn.seg (only fs/gs matter
 * in 64-bit mode).
 */
struct pv_insn_mem {
	uint8_t base;		/* GPR number 0-15, or PV_INSN_NO_REG */
	uint8_t index;		/* GPR number 0-15, or PV_INSN_NO_REG */
	uint8_t scale;		/* 1, 2, 4 or 8 */
	bool rip_relative;
	int32_t disp;
};

struct pv_insn {
	enum pv_insn_kind kind;
	uint8_t length;		/* total bytes, prefixes included */
	uint8_t cr;		/* mov cr: ModRM.reg + REX.R (any value 0-15) */
	uint8_t dr;		/* mov dr: ModRM.reg + REX.R */
	uint8_t gpr;		/* register operand: ModRM.rm + REX.B */
	uint8_t int_vector;	/* int imm8 (3 for int3, 4 for into) */
	uint8_t io_size;	/* in/out/ins/outs: 1, 2 or 4 bytes */
	bool io_port_in_dx;	/* port number comes from %dx */
	uint8_t io_port_imm;	/* port number when !io_port_in_dx */
	uint8_t op_size;	/* operand size in bytes: 2 (66), 4, 8 (REX.W) */
	uint8_t addr_size;	/* 8, or 4 with a 67 prefix */
	uint8_t seg;		/* last segment-override prefix byte, 0 if none */
	uint8_t rep;		/* last of f2/f3 seen, 0 if none */
	uint8_t rex;		/* REX byte in effect, 0 if none */
	uint8_t prefix_len;	/* legacy + REX prefix bytes */
	bool has_mem;		/* mem describes a memory operand */
	struct pv_insn_mem mem;
	bool truncated;		/* failed only because the copy was too short */
};

/*
 * Decode bytes[0..len) into *out.  Returns 0 on success.  Returns -1, with
 * out->kind == PV_INSN_UNKNOWN and out->length == 0, when the bytes are not
 * one of the recognised instructions, are malformed (LOCK prefix, wrong
 * ModRM form, longer than 15 bytes) or are cut short; out->truncated tells
 * the last case apart (the guest page ended: the caller injects #PF).
 * Never reads bytes[len] or beyond.
 */
int pv_insn_decode(const uint8_t *bytes, size_t len, struct pv_insn *out);

/* Short name of a kind ("cpuid", "mov-to-cr", ...), for fault reports. */
const char *pv_insn_kind_name(enum pv_insn_kind kind);

#endif
