/*
 * Writable page tables (VMASST_TYPE_writable_pagetables): a guest kernel
 * may store straight into one of its L1 tables, which are always mapped
 * read-only. The store faults; if the fault is a write to a present,
 * read-only L1 entry that maps one of the domain's validated L1 tables, the
 * hypervisor decodes the store, runs the new entry through the validator
 * (pt_mod_entry) and, if it passes, completes it and skips the instruction.
 * Anything else is left to the guest as the original #PF.
 *
 * The stores understood are those kernels use for PTEs: an 8-byte mov
 * (register or immediate), xchg and lock cmpxchg, and a 4-byte mov of
 * either half of an entry.
 */
#include <lamina/config.h>
#include <lamina/domain.h>
#include <lamina/guest_access.h>
#include <lamina/mm.h>
#include <lamina/pv.h>
#include <lamina/pv_mm.h>
#include <pv/xen.h>
#include <asm/cpu.h>

#define PFEC_PRESENT  (1u << 0)
#define PFEC_WRITE    (1u << 1)
#define PFEC_RSVD     (1u << 3)
#define PFEC_INSN     (1u << 4)

enum ptwr_op { PTWR_MOV, PTWR_XCHG, PTWR_CMPXCHG };

struct ptwr_insn {
	enum ptwr_op op;
	unsigned int len;       /* instruction bytes */
	unsigned int size;      /* 4 or 8 bytes stored */
	bool imm;               /* source is imm32 (sign-extended) */
	int64_t imm_val;
	unsigned int reg;       /* source register 0-15 */
};

/* Length of a ModRM memory operand's SIB/displacement bytes after ModRM. */
static int modrm_tail(const uint8_t *p, size_t left, uint8_t modrm)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, n = 0;

	if (mod == 3)
		return -1;              /* a register, not memory */
	if (rm == 4) {
		if (left < 1)
			return -1;
		uint8_t sib = p[0];
		n = 1;
		if (mod == 0 && (sib & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		n = 4;                  /* rip-relative */
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return n <= left ? (int)n : -1;
}

/* Decode one of the PTE stores above; false for anything else. */
static bool ptwr_decode(const uint8_t *b, size_t len, struct ptwr_insn *out)
{
	size_t i = 0;
	uint8_t rex = 0;
	bool lock = false;

	if (i < len && b[i] == 0xf0) {
		lock = true;
		i++;
	}
	if (i < len && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i >= len)
		return false;
	out->size = (rex & 8) ? 8 : 4;
	uint8_t op = b[i++];
	if (op == 0x0f) {
		if (i >= len || b[i++] != 0xb1 || !lock || !(rex & 8))
			return false;
		out->op = PTWR_CMPXCHG;
	} else if (op == 0x89 && !lock) {
		out->op = PTWR_MOV;
	} else if (op == 0x87) {
		out->op = PTWR_XCHG;    /* implicitly locked */
	} else if (op == 0xc7 && !lock) {
		out->op = PTWR_MOV;
	} else {
		return false;
	}
	if (i >= len)
		return false;
	uint8_t modrm = b[i++];
	int tail = modrm_tail(b + i, len - i, modrm);
	if (tail < 0)
		return false;
	i += (size_t)tail;
	out->imm = op == 0xc7;
	if (out->imm) {
		if (((modrm >> 3) & 7) != 0 || i + 4 > len)
			return false;
		out->imm_val = (int32_t)((uint32_t)b[i] | (uint32_t)b[i + 1] << 8 |
					 (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24);
		i += 4;
	}
	if (out->op != PTWR_MOV && out->size != 8)
		return false;
	out->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	out->len = (unsigned int)i;
	return true;
}

/* General register n of a frame (0 = rax ... 15 = r15). */
static uint64_t *reg_ptr(struct cpu_regs *r, unsigned int n)
{
	uint64_t *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi,
		&r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
		&r->r14, &r->r15,
	};
	return map[n & 15];
}

/* The L1 entry through which the guest sees va, and that entry's table. */
static bool lookup_l1e(const struct vcpu *v, uint64_t va, uint64_t *l1e)
{
	uint64_t mfn = v->kernel_mode || !v->user_l4_mfn ? v->kernel_l4_mfn
						       : v->user_l4_mfn;

	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = ((uint64_t *)mfn_to_virt(mfn))[(va >> shift) & 511];
		if (!(e & PTE_PRESENT) || (shift > 12 && (e & PTE_PSE)))
			return false;
		if (shift == 12) {
			*l1e = e;
			return true;
		}
		mfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
		if (mfn >= max_mfn)
			return false;
	}
	return false;
}

bool pv_ptwr_fault(struct cpu_regs *regs, uint64_t addr)
{
	struct vcpu *v = current;
	struct domain *d = v->domain;
	uint64_t l1e, target;
	struct ptwr_insn insn = { 0 };
	uint8_t bytes[15];
	size_t len;

	if (!(d->vm_assist & (1UL << VMASST_TYPE_writable_pagetables)) ||
	    !v->kernel_mode)
		return false;
	if ((regs->error_code & (PFEC_PRESENT | PFEC_WRITE | PFEC_RSVD | PFEC_INSN)) !=
	    (PFEC_PRESENT | PFEC_WRITE))
		return false;
	if (!lookup_l1e(v, addr, &l1e) || (l1e & PTE_WRITE))
		return false;
	target = (l1e & PTE_MFN_MASK) >> PAGE_SHIFT;
	if (target >= max_mfn || frame_table[target].owner != d->domain_id ||
	    frame_table[target].type != FRAME_TYPE_L1 ||
	    !frame_table[target].type_count)
		return false;

	for (len = 0; len < sizeof(bytes); len++)
		if (copy_from_guest(&bytes[len], regs->rip + len, 1))
			break;
	if (!ptwr_decode(bytes, len, &insn) || (addr & (insn.size - 1)))
		return false;

	uint64_t *table = mfn_to_virt(target);
	unsigned int idx = (addr & (PAGE_SIZE - 1)) >> 3;
	uint64_t old = table[idx];
	uint64_t src = insn.imm ? (uint64_t)insn.imm_val : *reg_ptr(regs, insn.reg);
	uint64_t val = src;

	if (insn.size == 4) {
		/* Half an entry: combine with the half already there. */
		unsigned int shift = (addr & 4) ? 32 : 0;
		val = (old & ~(0xffffffffUL << shift)) | ((src & 0xffffffffUL) << shift);
	}
	if (insn.op == PTWR_CMPXCHG && regs->rax != old) {
		regs->rax = old;        /* compare failed: nothing stored, ZF clear */
		regs->rflags &= ~(1UL << 6);
		regs->rip += insn.len;
		return true;
	}

	struct pt_ctx c;
	pv_pt_ctx(d, &c);
	/* No flush, as for mmu_update: the guest flushes what it needs. */
	if (pt_mod_entry(&c, target, idx, val, false))
		return false;           /* refused: the guest gets its #PF */
	if (insn.op == PTWR_XCHG)
		*reg_ptr(regs, insn.reg) = old;
	if (insn.op == PTWR_CMPXCHG)
		regs->rflags |= 1UL << 6;       /* ZF: the exchange happened */
	regs->rip += insn.len;
	return true;
}
