/*
 * Decoder for the privileged and sensitive instructions a 64-bit PV guest
 * can fault on (see lamina/insn_decode.h).
 *
 * The bytes come from guest memory and are hostile: every byte is fetched
 * through a cursor that stops at the copied length and at the architectural
 * 15-byte limit, so nothing past `len` is ever read.
 *
 * Decoding rules (64-bit mode):
 *  - Legacy prefixes 66 67 f2 f3 2e 36 3e 26 64 65 f0 in any order.  A REX
 *    byte (40-4f) only counts when it is the last prefix before the opcode;
 *    one followed by a legacy prefix is ignored, as the CPU does.
 *  - A LOCK prefix on any recognised instruction raises #UD on hardware, so
 *    such bytes decode as UNKNOWN and are never emulated.
 *  - The forced-emulation prefix (ud2a; "xen") is recognised only at the
 *    very first byte and must be followed directly by 0f a2 to be
 *    FEP_CPUID, as Xen's pv/emul-inv-op.c requires.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lamina/lib.h"
#include "lamina/insn_decode.h"

static const uint8_t fep_signature[PV_FEP_LEN] = { 0x0f, 0x0b, 'x', 'e', 'n' };

/* Bounded reader over the copied guest bytes. */
struct cursor {
	const uint8_t *bytes;
	size_t len;		/* bytes the caller copied */
	size_t pos;		/* next byte to read */
	bool truncated;		/* a read ran past len (and len < 15) */
};

/* Fetch the next byte; false if it lies past the copy or the 15-byte limit. */
static bool next_byte(struct cursor *c, uint8_t *byte)
{
	if (c->pos >= PV_INSN_MAX_LEN)
		return false;
	if (c->pos >= c->len) {
		c->truncated = true;
		return false;
	}
	*byte = c->bytes[c->pos++];
	return true;
}

/* Fetch a little-endian signed displacement of 1 or 4 bytes. */
static bool next_disp(struct cursor *c, size_t size, int32_t *disp)
{
	uint8_t b;
	uint32_t value = 0;

	for (size_t i = 0; i < size; i++) {
		if (!next_byte(c, &b))
			return false;
		value |= (uint32_t)b << (8 * i);
	}
	if (size == 1)
		*disp = (int8_t)value;
	else
		*disp = (int32_t)value;
	return true;
}

/* Operand/address size, rep, lock and segment-override prefixes. */
static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x66: case 0x67: case 0xf2: case 0xf3: case 0xf0:
	case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
		return true;
	default:
		return false;
	}
}

/* Remember what one legacy prefix byte changes. */
static void apply_legacy_prefix(struct pv_insn *insn, uint8_t b, bool *lock)
{
	switch (b) {
	case 0x66:
		insn->op_size = 2;
		break;
	case 0x67:
		insn->addr_size = 4;
		break;
	case 0xf2: case 0xf3:
		insn->rep = b;
		break;
	case 0xf0:
		*lock = true;
		break;
	default:
		insn->seg = b;
		break;
	}
}

/*
 * Consume prefixes and return the opcode byte in *opcode.  Sets insn->rex,
 * op_size, addr_size, seg, rep and prefix_len.  False if the bytes ran out.
 */
static bool read_prefixes(struct cursor *c, struct pv_insn *insn,
			  uint8_t *opcode, bool *lock)
{
	uint8_t b;

	for (;;) {
		if (!next_byte(c, &b))
			return false;
		if (is_legacy_prefix(b)) {
			insn->rex = 0;	/* REX not last: ignored */
			apply_legacy_prefix(insn, b, lock);
		} else if ((b & 0xf0) == 0x40) {
			insn->rex = b;
		} else {
			break;
		}
	}
	if (insn->rex & 0x08)
		insn->op_size = 8;
	insn->prefix_len = (uint8_t)(c->pos - 1);
	*opcode = b;
	return true;
}

/* The three ModRM fields. */
static uint8_t modrm_mod(uint8_t modrm) { return modrm >> 6; }
static uint8_t modrm_reg(uint8_t modrm) { return (modrm >> 3) & 7; }
static uint8_t modrm_rm(uint8_t modrm) { return modrm & 7; }

/* ModRM.reg extended by REX.R. */
static uint8_t reg_field(const struct pv_insn *insn, uint8_t modrm)
{
	return modrm_reg(modrm) | ((insn->rex & 0x04) << 1);
}

/* ModRM.rm extended by REX.B. */
static uint8_t rm_field(const struct pv_insn *insn, uint8_t modrm)
{
	return modrm_rm(modrm) | ((insn->rex & 0x01) << 3);
}

/* Decode a SIB byte into base/index/scale; may need a disp32 (no base). */
static bool read_sib(struct cursor *c, struct pv_insn *insn, uint8_t mod)
{
	struct pv_insn_mem *mem = &insn->mem;
	uint8_t sib, index, base;

	if (!next_byte(c, &sib))
		return false;
	mem->scale = (uint8_t)(1u << (sib >> 6));
	index = ((sib >> 3) & 7) | ((insn->rex & 0x02) << 2);
	mem->index = index == 4 ? PV_INSN_NO_REG : index;	/* rsp: none */
	base = sib & 7;
	if (base == 5 && mod == 0) {
		mem->base = PV_INSN_NO_REG;
		return next_disp(c, 4, &mem->disp);
	}
	mem->base = base | ((insn->rex & 0x01) << 3);
	return true;
}

/*
 * Decode the memory operand that follows a ModRM byte with mod != 3:
 * optional SIB, then an 8- or 32-bit displacement.  In 64-bit mode rm 4
 * always means a SIB and mod 0 rm 5 means RIP-relative, whatever REX.B is.
 */
static bool read_mem_operand(struct cursor *c, struct pv_insn *insn,
			     uint8_t modrm)
{
	struct pv_insn_mem *mem = &insn->mem;
	uint8_t mod = modrm_mod(modrm), rm = modrm_rm(modrm);

	insn->has_mem = true;
	mem->base = PV_INSN_NO_REG;
	mem->index = PV_INSN_NO_REG;
	mem->scale = 1;
	if (rm == 4) {
		if (!read_sib(c, insn, mod))
			return false;
	} else if (mod == 0 && rm == 5) {
		mem->rip_relative = true;
		return next_disp(c, 4, &mem->disp);
	} else {
		mem->base = rm_field(insn, modrm);
	}
	if (mod == 1)
		return next_disp(c, 1, &mem->disp);
	if (mod == 2)
		return next_disp(c, 4, &mem->disp);
	return true;
}

/* Read a ModRM byte and, for memory forms, its operand; sets insn->gpr. */
static bool read_modrm(struct cursor *c, struct pv_insn *insn, uint8_t *modrm)
{
	if (!next_byte(c, modrm))
		return false;
	if (modrm_mod(*modrm) == 3) {
		insn->gpr = rm_field(insn, *modrm);
		return true;
	}
	return read_mem_operand(c, insn, *modrm);
}

/* 0f 20-23: mov to/from a control or debug register, register form only. */
static bool decode_mov_cr_dr(struct cursor *c, struct pv_insn *insn,
			     uint8_t opcode)
{
	static const enum pv_insn_kind kinds[4] = {
		PV_INSN_MOV_FROM_CR, PV_INSN_MOV_FROM_DR,
		PV_INSN_MOV_TO_CR, PV_INSN_MOV_TO_DR,
	};
	uint8_t modrm;

	/* The CPU ignores mod here: every form names a register, no memory. */
	if (!next_byte(c, &modrm))
		return false;
	insn->kind = kinds[opcode - 0x20];
	insn->gpr = rm_field(insn, modrm);
	if (opcode & 1)
		insn->dr = reg_field(insn, modrm);
	else
		insn->cr = reg_field(insn, modrm);
	return true;
}

/* 0f 01 with mod == 3: the instructions encoded by the whole ModRM byte. */
static bool decode_group7_register(struct pv_insn *insn, uint8_t modrm)
{
	/* f2/f3 select different instructions here (setssbsy, uiret...). */
	if (insn->rep)
		return false;
	switch (modrm) {
	case 0xd1:
		if (insn->op_size == 2)	/* NP 0f 01 d1 */
			return false;
		insn->kind = PV_INSN_XSETBV;
		return true;
	case 0xf8:
		insn->kind = PV_INSN_SWAPGS;
		return true;
	case 0xf9:
		insn->kind = PV_INSN_RDTSCP;
		return true;
	}
	if (modrm_reg(modrm) == 4)
		insn->kind = PV_INSN_SMSW;
	else if (modrm_reg(modrm) == 6)
		insn->kind = PV_INSN_LMSW;
	else
		return false;
	insn->gpr = rm_field(insn, modrm);
	return true;
}

/* 0f 01: descriptor tables, invlpg, msw and the register-only forms. */
static bool decode_group7(struct cursor *c, struct pv_insn *insn)
{
	static const enum pv_insn_kind memory_kinds[8] = {
		PV_INSN_SGDT, PV_INSN_SIDT, PV_INSN_LGDT, PV_INSN_LIDT,
		PV_INSN_SMSW, PV_INSN_UNKNOWN, PV_INSN_LMSW, PV_INSN_INVLPG,
	};
	uint8_t modrm;

	if (!next_byte(c, &modrm))
		return false;
	if (modrm_mod(modrm) == 3)
		return decode_group7_register(insn, modrm);
	insn->kind = memory_kinds[modrm_reg(modrm)];
	if (insn->kind == PV_INSN_UNKNOWN)
		return false;
	return read_mem_operand(c, insn, modrm);
}

/* 0f 00 /2 lldt and /3 ltr, with a register or memory selector operand. */
static bool decode_group6(struct cursor *c, struct pv_insn *insn)
{
	uint8_t modrm;

	if (!read_modrm(c, insn, &modrm))
		return false;
	if (modrm_reg(modrm) == 2)
		insn->kind = PV_INSN_LLDT;
	else if (modrm_reg(modrm) == 3)
		insn->kind = PV_INSN_LTR;
	else
		return false;
	return true;
}

/* Opcodes after 0f that take no operand bytes. */
static enum pv_insn_kind simple_two_byte_kind(const struct pv_insn *insn,
					      uint8_t opcode)
{
	switch (opcode) {
	case 0x06: return PV_INSN_CLTS;
	case 0x08: return PV_INSN_INVD;
	case 0x09:
		if (insn->rep == 0xf2)
			return PV_INSN_UNKNOWN;
		return insn->rep == 0xf3 ? PV_INSN_WBNOINVD : PV_INSN_WBINVD;
	case 0x30: return PV_INSN_WRMSR;
	case 0x31: return PV_INSN_RDTSC;
	case 0x32: return PV_INSN_RDMSR;
	case 0xa2: return PV_INSN_CPUID;
	default:   return PV_INSN_UNKNOWN;
	}
}

/* Decode the opcode byte that follows 0f. */
static bool decode_two_byte(struct cursor *c, struct pv_insn *insn)
{
	uint8_t opcode;

	if (!next_byte(c, &opcode))
		return false;
	switch (opcode) {
	case 0x00:
		return decode_group6(c, insn);
	case 0x01:
		return decode_group7(c, insn);
	case 0x20: case 0x21: case 0x22: case 0x23:
		return decode_mov_cr_dr(c, insn, opcode);
	}
	insn->kind = simple_two_byte_kind(insn, opcode);
	return insn->kind != PV_INSN_UNKNOWN;
}

/* e4-e7, ec-ef: in/out with an immediate or %dx port. */
static bool decode_in_out(struct cursor *c, struct pv_insn *insn,
			  uint8_t opcode)
{
	bool is_out = opcode & 0x02;

	insn->kind = is_out ? PV_INSN_OUT : PV_INSN_IN;
	insn->io_size = (opcode & 1) ? (insn->op_size == 2 ? 2 : 4) : 1;
	insn->io_port_in_dx = opcode & 0x08;
	if (insn->io_port_in_dx)
		return true;
	return next_byte(c, &insn->io_port_imm);
}

/* 6c-6f: ins/outs; the caller looks at rep, addr_size and seg. */
static void decode_string_io(struct pv_insn *insn, uint8_t opcode)
{
	insn->kind = (opcode & 0x02) ? PV_INSN_OUTS : PV_INSN_INS;
	insn->io_size = (opcode & 1) ? (insn->op_size == 2 ? 2 : 4) : 1;
	insn->io_port_in_dx = true;
}

/* Decode one opcode byte (after prefixes). */
static bool decode_opcode(struct cursor *c, struct pv_insn *insn,
			  uint8_t opcode)
{
	switch (opcode) {
	case 0x0f:
		return decode_two_byte(c, insn);
	case 0xf4: insn->kind = PV_INSN_HLT; return true;
	case 0xfa: insn->kind = PV_INSN_CLI; return true;
	case 0xfb: insn->kind = PV_INSN_STI; return true;
	case 0xcc:
		insn->kind = PV_INSN_INT3;
		insn->int_vector = 3;
		return true;
	case 0xce:
		insn->kind = PV_INSN_INTO;
		insn->int_vector = 4;
		return true;
	case 0xcd:
		insn->kind = PV_INSN_INT;
		return next_byte(c, &insn->int_vector);
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		return decode_in_out(c, insn, opcode);
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
		decode_string_io(insn, opcode);
		return true;
	default:
		return false;
	}
}

/*
 * Match the forced-emulation prefix at the start of the bytes.  Returns 1
 * and fills *insn for FEP_CPUID/FEP_OTHER, 0 if the bytes are no FEP, -1
 * if they could still be one but the copy ended first.
 */
static int decode_fep(const uint8_t *bytes, size_t len, struct pv_insn *insn)
{
	static const uint8_t cpuid[2] = { 0x0f, 0xa2 };
	size_t have = len < PV_FEP_LEN ? len : PV_FEP_LEN;

	if (memcmp(bytes, fep_signature, have) != 0)
		return 0;
	if (len < PV_FEP_LEN)
		return -1;
	for (size_t i = 0; i < sizeof(cpuid); i++) {
		if (PV_FEP_LEN + i >= len)
			return -1;
		if (bytes[PV_FEP_LEN + i] != cpuid[i]) {
			insn->kind = PV_INSN_FEP_OTHER;
			insn->length = PV_FEP_LEN;
			return 1;
		}
	}
	insn->kind = PV_INSN_FEP_CPUID;
	insn->length = PV_FEP_LEN + sizeof(cpuid);
	return 1;
}

/* Reset *out to the "nothing decoded" state. */
static void clear_insn(struct pv_insn *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = PV_INSN_UNKNOWN;
	out->op_size = 4;
	out->addr_size = 8;
}

/* Report a failed decode: UNKNOWN, length 0, and whether it was a short copy. */
static int decode_failed(struct pv_insn *out, bool truncated)
{
	clear_insn(out);
	out->truncated = truncated;
	return -1;
}

int pv_insn_decode(const uint8_t *bytes, size_t len, struct pv_insn *out)
{
	struct cursor c = { .bytes = bytes, .len = len };
	uint8_t opcode;
	bool lock = false;
	int fep;

	clear_insn(out);
	if (len == 0 || bytes == NULL)
		return decode_failed(out, true);
	fep = decode_fep(bytes, len, out);
	if (fep != 0)
		return fep > 0 ? 0 : decode_failed(out, true);
	if (!read_prefixes(&c, out, &opcode, &lock))
		return decode_failed(out, c.truncated);
	if (!decode_opcode(&c, out, opcode))
		return decode_failed(out, c.truncated);
	if (lock)
		return decode_failed(out, false);
	out->length = (uint8_t)c.pos;
	return 0;
}

static const char *const kind_names[PV_INSN_KIND_COUNT] = {
	[PV_INSN_UNKNOWN] = "unknown",
	[PV_INSN_FEP_CPUID] = "fep-cpuid",
	[PV_INSN_FEP_OTHER] = "fep-other",
	[PV_INSN_CPUID] = "cpuid",
	[PV_INSN_RDMSR] = "rdmsr",
	[PV_INSN_WRMSR] = "wrmsr",
	[PV_INSN_MOV_FROM_CR] = "mov-from-cr",
	[PV_INSN_MOV_TO_CR] = "mov-to-cr",
	[PV_INSN_MOV_FROM_DR] = "mov-from-dr",
	[PV_INSN_MOV_TO_DR] = "mov-to-dr",
	[PV_INSN_CLI] = "cli",
	[PV_INSN_STI] = "sti",
	[PV_INSN_HLT] = "hlt",
	[PV_INSN_LGDT] = "lgdt",
	[PV_INSN_LIDT] = "lidt",
	[PV_INSN_SGDT] = "sgdt",
	[PV_INSN_SIDT] = "sidt",
	[PV_INSN_LLDT] = "lldt",
	[PV_INSN_LTR] = "ltr",
	[PV_INSN_IN] = "in",
	[PV_INSN_OUT] = "out",
	[PV_INSN_INS] = "ins",
	[PV_INSN_OUTS] = "outs",
	[PV_INSN_INVLPG] = "invlpg",
	[PV_INSN_WBINVD] = "wbinvd",
	[PV_INSN_WBNOINVD] = "wbnoinvd",
	[PV_INSN_INVD] = "invd",
	[PV_INSN_INT] = "int",
	[PV_INSN_INT3] = "int3",
	[PV_INSN_INTO] = "into",
	[PV_INSN_RDTSC] = "rdtsc",
	[PV_INSN_RDTSCP] = "rdtscp",
	[PV_INSN_XSETBV] = "xsetbv",
	[PV_INSN_SWAPGS] = "swapgs",
	[PV_INSN_CLTS] = "clts",
	[PV_INSN_LMSW] = "lmsw",
	[PV_INSN_SMSW] = "smsw",
};

const char *pv_insn_kind_name(enum pv_insn_kind kind)
{
	if ((unsigned int)kind >= PV_INSN_KIND_COUNT || !kind_names[kind])
		return "invalid";
	return kind_names[kind];
}
