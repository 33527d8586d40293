/* x86_quick.c -- decodes the commonest integer forms (ALU with r/m or
 * immediate, test, mov, lea, push/pop, jmp/call/jcc, ret, nop, endbr64)
 * by their opcode bytes alone.  Only an 0x66 prefix and a REX prefix are
 * accepted (none before branches); anything else returns false and the
 * caller asks capstone.  Used by the successor flag scans, which decode
 * about 1.4 instructions per translated one.
 */
#include <capstone/capstone.h>
#include <stddef.h>
#include <string.h>

#include "x86_quick.h"

/* The eight ALU operations in opcode order (00-3F and 80-83 /reg). */
static const unsigned quick_alu[8] = {
    X86_INS_ADD, X86_INS_OR, X86_INS_ADC, X86_INS_SBB,
    X86_INS_AND, X86_INS_SUB, X86_INS_XOR, X86_INS_CMP,
};

static const unsigned quick_jcc[16] = {
    X86_INS_JO, X86_INS_JNO, X86_INS_JB, X86_INS_JAE, X86_INS_JE, X86_INS_JNE,
    X86_INS_JBE, X86_INS_JA, X86_INS_JS, X86_INS_JNS, X86_INS_JP, X86_INS_JNP,
    X86_INS_JL, X86_INS_JGE, X86_INS_JLE, X86_INS_JG,
};

/* Length of a ModRM operand (ModRM, SIB, displacement) at p. */
static int modrm_len(const uint8_t *p)
{
    int mod = p[0] >> 6, rm = p[0] & 7, n = 1;
    if (mod == 3) return 1;
    if (rm == 4) {
        n++;
        if (mod == 0 && (p[1] & 7) == 5) return n + 4;
    } else if (mod == 0 && rm == 5) {
        return n + 4;                           /* rip-relative */
    }
    return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static int32_t quick_rel(const uint8_t *p, int bytes)
{
    if (bytes == 1) return (int8_t)p[0];
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static bool quick_branch(const uint8_t *p, uint64_t pc, int prefixes, struct x86_quick *q)
{
    int rel = 0;
    if (prefixes) return false;
    if (p[0] == 0xe8 || p[0] == 0xe9) { q->id = p[0] == 0xe8 ? X86_INS_CALL : X86_INS_JMP; rel = 4; }
    else if (p[0] == 0xeb) { q->id = X86_INS_JMP; rel = 1; }
    else if ((p[0] & 0xf0) == 0x70) { q->id = quick_jcc[p[0] & 15]; rel = 1; }
    else if (p[0] == 0x0f && (p[1] & 0xf0) == 0x80) { q->id = quick_jcc[p[1] & 15]; rel = 4; p++; q->size++; }
    else if (p[0] == 0xc3) { q->id = X86_INS_RET; q->size += 1; q->mem = true; return true; }
    else return false;
    q->mem = q->id == X86_INS_CALL;
    q->size += 1 + rel;
    q->target = pc + q->size + (int64_t)quick_rel(p + 1, rel);
    return true;
}

/* Immediate bytes of an operand-size immediate (imm16 under 0x66). */
static int imm_z(bool o16) { return o16 ? 2 : 4; }

static bool quick_modrm_form(const uint8_t *p, bool o16, struct x86_quick *q)
{
    uint8_t op = p[0];
    int reg = (p[1] >> 3) & 7, imm = 0;
    if (op < 0x40 && (op & 7) < 4) q->id = quick_alu[op >> 3];
    else if (op == 0x80 || op == 0x83) { q->id = quick_alu[reg]; imm = 1; }
    else if (op == 0x81) { q->id = quick_alu[reg]; imm = imm_z(o16); }
    else if (op == 0x84 || op == 0x85) q->id = X86_INS_TEST;
    else if (op >= 0x88 && op <= 0x8b) q->id = X86_INS_MOV;
    else if (op == 0x8d && (p[1] >> 6) != 3) q->id = X86_INS_LEA;
    else if (op == 0xc6 && reg == 0) { q->id = X86_INS_MOV; imm = 1; }
    else if (op == 0xc7 && reg == 0) { q->id = X86_INS_MOV; imm = imm_z(o16); }
    else if (op == 0xff && (reg == 2 || reg == 4) && !o16) q->id = reg == 2 ? X86_INS_CALL : X86_INS_JMP;
    else return false;
    q->mem = ((p[1] >> 6) != 3 && q->id != X86_INS_LEA) || q->id == X86_INS_CALL;   /* (the push) */
    q->size += 1 + modrm_len(p + 1) + imm;
    return true;
}

static bool quick_short_form(const uint8_t *p, bool o16, bool rexw, struct x86_quick *q)
{
    uint8_t op = p[0];
    if (op < 0x40 && (op & 7) == 4) { q->id = quick_alu[op >> 3]; q->size += 2; }
    else if (op < 0x40 && (op & 7) == 5) { q->id = quick_alu[op >> 3]; q->size += 1 + imm_z(o16); }
    else if (op == 0xa8) { q->id = X86_INS_TEST; q->size += 2; }
    else if (op == 0xa9) { q->id = X86_INS_TEST; q->size += 1 + imm_z(o16); }
    else if (op >= 0x50 && op <= 0x57) { q->id = X86_INS_PUSH; q->size += 1; q->mem = true; }
    else if (op >= 0x58 && op <= 0x5f) { q->id = X86_INS_POP; q->size += 1; q->mem = true; }
    else if (op >= 0xb8 && op <= 0xbf && rexw) { q->id = X86_INS_MOVABS; q->size += 9; }
    else if (op >= 0xb8 && op <= 0xbf) { q->id = X86_INS_MOV; q->size += 1 + imm_z(o16); }
    else return false;
    return true;
}

bool x86_quick_decode(const uint8_t *p, uint64_t pc, struct x86_quick *q)
{
    bool o16 = false, rexw = false;
    int prefixes = 0;
    q->size = 0;
    q->target = 0;
    q->mem = false;
    if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa) {
        q->id = X86_INS_ENDBR64;
        q->size = 4;
        return true;
    }
    if (p[0] == 0x66) { o16 = true; p++; prefixes++; }
    if ((p[0] & 0xf0) == 0x40) { rexw = p[0] & 8; p++; prefixes++; }
    q->size = prefixes;
    if (rexw) o16 = false;                      /* REX.W wins over 0x66 */
    if (p[0] == 0x0f && p[1] == 0x1f && ((p[2] >> 3) & 7) == 0 && (p[2] >> 6) != 3) {
        q->id = X86_INS_NOP;
        q->size += 2 + modrm_len(p + 2);
        return true;
    }
    if (quick_branch(p, pc, prefixes, q)) return true;
    if (quick_short_form(p, o16, rexw, q)) return true;
    return quick_modrm_form(p, o16, q);
}

/* ---- full decoding of the commonest forms, for translation ---------------
 * The translator's handlers read the id, size, bytes and, of the detail,
 * prefix, opcode, rex, addr_size, modrm, op_count and the operands; these
 * are filled exactly as capstone fills them (test_x86_quick compares them
 * field by field on random encodings), so capstone only sees the rest. */

static const x86_reg quick_r64[16] = {
    X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
    X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
    X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15,
};
static const x86_reg quick_r32[16] = {
    X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP,
    X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
    X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D,
};
static const x86_reg quick_r16[16] = {
    X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP, X86_REG_BP,
    X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W,
    X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W,
};
static const x86_reg quick_r8[16] = {
    X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_SPL, X86_REG_BPL,
    X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B,
    X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B,
};
static const x86_reg quick_r8_legacy[8] = {
    X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_AH, X86_REG_CH,
    X86_REG_DH, X86_REG_BH,
};

struct quick_dec {
    const uint8_t *p;           /* next byte */
    uint8_t rex;
    int osize;                  /* operand size in bytes: 2, 4 or 8 */
    cs_insn *ci;
    cs_x86 *x;
};

static x86_reg quick_reg(const struct quick_dec *d, int n, int bytes)
{
    switch (bytes) {
    case 8: return quick_r64[n];
    case 4: return quick_r32[n];
    case 2: return quick_r16[n];
    default: return d->rex ? quick_r8[n] : n < 8 ? quick_r8_legacy[n] : X86_REG_INVALID;
    }
}

static cs_x86_op *quick_op(struct quick_dec *d, x86_op_type type, int bytes, int access)
{
    cs_x86_op *o = &d->x->operands[d->x->op_count++];
    o->type = type;
    o->size = (uint8_t)bytes;
    o->access = (uint8_t)access;
    return o;
}

static void quick_reg_op(struct quick_dec *d, int n, int bytes, int access)
{
    quick_op(d, X86_OP_REG, bytes, access)->reg = quick_reg(d, n, bytes);
}

static void quick_imm_op(struct quick_dec *d, int64_t v, int bytes)
{
    quick_op(d, X86_OP_IMM, bytes, 0)->imm = v;
}

static int64_t quick_read(struct quick_dec *d, int bytes)
{
    int64_t v = 0;
    if (bytes == 1) v = (int8_t)d->p[0];
    else if (bytes == 2) { int16_t t; memcpy(&t, d->p, 2); v = t; }
    else if (bytes == 4) { int32_t t; memcpy(&t, d->p, 4); v = t; }
    else memcpy(&v, d->p, 8);
    d->p += bytes;
    return v;
}

/* The ModRM operand: a register (mod 3) or memory; false for forms left
 * to capstone. */
static bool quick_rm_op(struct quick_dec *d, int bytes, int access)
{
    uint8_t m = *d->p++;
    int mod = m >> 6, rm = (m & 7) | (d->rex & 1 ? 8 : 0);
    cs_x86 *x = d->x;
    x->modrm = m;
    if (mod == 3) {
        if (bytes == 1 && !d->rex && (m & 7) >= 4) rm = m & 7;
        quick_reg_op(d, rm, bytes, access);
        return quick_reg(d, rm, bytes) != X86_REG_INVALID;
    }
    x86_op_mem mem = { X86_REG_INVALID, X86_REG_INVALID, X86_REG_INVALID, 1, 0 };
    if ((m & 7) == 4) {
        uint8_t s = *d->p++;
        int base = (s & 7) | (d->rex & 1 ? 8 : 0), index = ((s >> 3) & 7) | (d->rex & 2 ? 8 : 0);
        x->sib = s;
        if (index != 4) mem.index = quick_r64[index];
        mem.scale = 1 << (s >> 6);
        if (!(mod == 0 && (s & 7) == 5)) mem.base = quick_r64[base];
        x->sib_index = mem.index;
        x->sib_scale = (int8_t)mem.scale;
        x->sib_base = mem.base;
        if (mod == 0 && (s & 7) == 5) mod = 2;       /* disp32, no base */
    } else if (mod == 0 && (m & 7) == 5) {
        mem.base = X86_REG_RIP;
        mod = 2;
    } else {
        mem.base = quick_r64[rm];
    }
    if (mod) mem.disp = quick_read(d, mod == 1 ? 1 : 4);
    x->disp = mem.disp;
    quick_op(d, X86_OP_MEM, bytes, access)->mem = mem;
    return true;
}

/* The register number of the ModRM operand just read (mod 3). */
static int quick_rm_number(const struct quick_dec *d)
{
    return (d->x->modrm & 7) | (d->rex & 1 ? 8 : 0);
}

enum { QUICK_R = CS_AC_READ, QUICK_W = CS_AC_WRITE, QUICK_RW = CS_AC_READ | CS_AC_WRITE };

static int quick_reg_field(const struct quick_dec *d)
{
    return ((d->p[0] >> 3) & 7) | (d->rex & 4 ? 8 : 0);
}

/* reg, r/m or r/m, reg (dir: the register is the destination). */
static bool quick_rm_reg(struct quick_dec *d, bool dir, int bytes, int dst_ac, int src_ac)
{
    int reg = quick_reg_field(d);
    if (dir) {
        quick_reg_op(d, reg, bytes, dst_ac);
        return quick_rm_op(d, bytes, src_ac) && quick_reg(d, reg, bytes) != X86_REG_INVALID;
    }
    if (!quick_rm_op(d, bytes, dst_ac)) return false;
    quick_reg_op(d, reg, bytes, src_ac);
    return quick_reg(d, reg, bytes) != X86_REG_INVALID;
}

static int quick_imm_bytes(const struct quick_dec *d, int bytes) { return bytes == 8 ? 4 : bytes; }

/* An immediate operand of `bytes` encoded in `enc` bytes, valued as
 * capstone values it: sign-extended, but cut to the operand size when the
 * encoding is that size, and for the logic ops' sign-extended imm8. */
static void quick_imm(struct quick_dec *d, int enc, int bytes)
{
    int64_t v = quick_read(d, enc);
    unsigned id = d->ci->id;
    bool logic = id == X86_INS_OR || id == X86_INS_AND || id == X86_INS_XOR;
    if (bytes < 8 && (enc == bytes || logic))
        v &= (int64_t)((1ull << (8 * bytes)) - 1);
    quick_imm_op(d, v, bytes);
}

/* `id` on a destination and an immediate of enc bytes: the r/m operand
 * (rm) or the accumulator (the short forms). */
static bool quick_dst_imm(struct quick_dec *d, unsigned id, bool rm, int bytes, int access, int enc)
{
    d->ci->id = id;                             /* before quick_imm reads it */
    if (rm && !quick_rm_op(d, bytes, access)) return false;
    if (!rm) quick_reg_op(d, 0, bytes, access);
    quick_imm(d, enc, bytes);
    return true;
}

/* cmp only reads its destination. */
static int quick_alu_access(unsigned id) { return id == X86_INS_CMP ? QUICK_R : QUICK_RW; }

static bool quick_alu_form(struct quick_dec *d, uint8_t op)
{
    unsigned id = quick_alu[op >> 3];
    int bytes = op & 1 ? d->osize : 1;
    if ((op & 7) >= 4) return quick_dst_imm(d, id, false, bytes, quick_alu_access(id), quick_imm_bytes(d, bytes));
    d->ci->id = id;
    return quick_rm_reg(d, op & 2, bytes, quick_alu_access(id), QUICK_R);
}

static bool quick_group1(struct quick_dec *d, uint8_t op)
{
    unsigned id = quick_alu[(d->p[0] >> 3) & 7];
    int bytes = op == 0x80 ? 1 : d->osize;
    return quick_dst_imm(d, id, true, bytes, quick_alu_access(id), op == 0x81 ? quick_imm_bytes(d, bytes) : 1);
}

static bool quick_mov_imm(struct quick_dec *d, uint8_t op)
{
    int bytes = op == 0xc6 ? 1 : d->osize;
    if ((d->p[0] >> 3) & 7) return false;
    return quick_dst_imm(d, X86_INS_MOV, true, bytes, QUICK_W, quick_imm_bytes(d, bytes));
}

static bool quick_short(struct quick_dec *d, uint8_t op)
{
    int n = (op & 7) | (d->rex & 1 ? 8 : 0);
    if (op >= 0x50 && op <= 0x5f) {
        int bytes = d->osize == 2 ? 2 : 8;
        d->ci->id = op < 0x58 ? X86_INS_PUSH : X86_INS_POP;
        quick_reg_op(d, n, bytes, op < 0x58 ? QUICK_R : QUICK_W);
        return true;
    }
    if (op >= 0xb8 && op <= 0xbf) {
        d->ci->id = d->osize == 8 ? X86_INS_MOVABS : X86_INS_MOV;
        quick_reg_op(d, n, d->osize, QUICK_W);
        quick_imm(d, d->osize, d->osize);
        return true;
    }
    if (op == 0xa8 || op == 0xa9) {
        int bytes = op == 0xa8 ? 1 : d->osize;
        d->ci->id = X86_INS_TEST;
        quick_reg_op(d, 0, bytes, QUICK_R);
        quick_imm(d, quick_imm_bytes(d, bytes), bytes);
        return true;
    }
    return false;
}

static bool quick_modrm(struct quick_dec *d, uint8_t op)
{
    if (op < 0x40 && (op & 7) < 6) return quick_alu_form(d, op);
    if (op >= 0x80 && op <= 0x83 && op != 0x82) return quick_group1(d, op);
    if (op == 0x84 || op == 0x85) {
        d->ci->id = X86_INS_TEST;
        return quick_rm_reg(d, false, op == 0x84 ? 1 : d->osize, QUICK_R, QUICK_R);
    }
    if (op >= 0x88 && op <= 0x8b) {
        d->ci->id = X86_INS_MOV;
        return quick_rm_reg(d, op & 2, op & 1 ? d->osize : 1, QUICK_W, QUICK_R);
    }
    if (op == 0x8d && (d->p[0] >> 6) != 3) {
        d->ci->id = X86_INS_LEA;
        return quick_rm_reg(d, true, d->osize, QUICK_W, QUICK_R);
    }
    if (op == 0xc6 || op == 0xc7) return quick_mov_imm(d, op);
    return false;
}

/* ---- two-byte (0x0f) and group 2/3 forms: extensions, setcc, cmovcc,
 * imul, shifts by an immediate, 1 or cl, test/not/neg. ---- */

static const unsigned quick_setcc[16] = {
    X86_INS_SETO, X86_INS_SETNO, X86_INS_SETB, X86_INS_SETAE, X86_INS_SETE, X86_INS_SETNE,
    X86_INS_SETBE, X86_INS_SETA, X86_INS_SETS, X86_INS_SETNS, X86_INS_SETP, X86_INS_SETNP,
    X86_INS_SETL, X86_INS_SETGE, X86_INS_SETLE, X86_INS_SETG,
};

static const unsigned quick_cmovcc[16] = {
    X86_INS_CMOVO, X86_INS_CMOVNO, X86_INS_CMOVB, X86_INS_CMOVAE, X86_INS_CMOVE, X86_INS_CMOVNE,
    X86_INS_CMOVBE, X86_INS_CMOVA, X86_INS_CMOVS, X86_INS_CMOVNS, X86_INS_CMOVP, X86_INS_CMOVNP,
    X86_INS_CMOVL, X86_INS_CMOVGE, X86_INS_CMOVLE, X86_INS_CMOVG,
};

/* The source of a widening move (operands[1]) is `bytes` wide. */
static bool quick_narrow_source(struct quick_dec *d, int bytes)
{
    cs_x86_op *src = &d->x->operands[1];
    src->size = (uint8_t)bytes;
    if (src->type != X86_OP_REG)
        return true;                /* (reg shares a union with mem) */
    src->reg = quick_reg(d, quick_rm_number(d), bytes);
    return src->reg != X86_REG_INVALID;
}

/* movzx/movsx r, r/m8 or r/m16 (0f b6 b7 be bf). */
static bool quick_extend(struct quick_dec *d, uint8_t op)
{
    int src = op & 1 ? 2 : 1;
    if (src == 2 && d->osize == 2) return false;
    d->ci->id = op < 0xb8 ? X86_INS_MOVZX : X86_INS_MOVSX;
    return quick_rm_reg(d, true, d->osize, QUICK_W, QUICK_R) && quick_narrow_source(d, src);
}

static bool quick_twobyte(struct quick_dec *d, uint8_t op)
{
    d->x->opcode[1] = op;
    if ((op & 0xf0) == 0x90) {
        if ((d->p[0] >> 3) & 7) return false;
        d->ci->id = quick_setcc[op & 15];
        return quick_rm_op(d, 1, QUICK_W);
    }
    if ((op & 0xf0) == 0x40) {
        d->ci->id = quick_cmovcc[op & 15];
        return quick_rm_reg(d, true, d->osize, QUICK_RW, QUICK_R);
    }
    if (op == 0xaf) {
        d->ci->id = X86_INS_IMUL;
        return quick_rm_reg(d, true, d->osize, QUICK_RW, QUICK_R);
    }
    if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf) return quick_extend(d, op);
    if (op == 0x1f && ((d->p[0] >> 3) & 7) == 0 && (d->p[0] >> 6) != 3 && !(d->rex & 8)) {
        d->ci->id = X86_INS_NOP;                /* nop r/m (the multi-byte padding) */
        return quick_rm_op(d, d->x->prefix[2] ? 2 : 4, QUICK_R);
    }
    return false;
}

/* movsxd r64, r/m32 (REX.W 63). */
static bool quick_movsxd(struct quick_dec *d)
{
    if (d->osize != 8) return false;
    d->ci->id = X86_INS_MOVSXD;
    return quick_rm_reg(d, true, 8, QUICK_W, QUICK_R) && quick_narrow_source(d, 4);
}

/* rol/ror/shl/shr/sar r/m by imm8 (c0 c1), 1 (d0 d1) or cl (d2 d3). */
static bool quick_shift(struct quick_dec *d, uint8_t op)
{
    static const unsigned ids[8] = { X86_INS_ROL, X86_INS_ROR, 0, 0, X86_INS_SHL, X86_INS_SHR, 0,
                                     X86_INS_SAR };
    unsigned id = ids[(d->p[0] >> 3) & 7];
    int bytes = op & 1 ? d->osize : 1;
    if (!id) return false;
    d->ci->id = id;
    if (!quick_rm_op(d, bytes, QUICK_RW)) return false;
    if (op >= 0xd2) quick_op(d, X86_OP_REG, 1, QUICK_R)->reg = X86_REG_CL;
    else if (op >= 0xd0) quick_imm_op(d, 1, bytes);
    else quick_imm_op(d, *d->p++, 1);
    return true;
}

/* test r/m, imm (f6/f7 /0); not, neg r/m (/2 /3). */
static bool quick_group3(struct quick_dec *d, uint8_t op)
{
    int reg = (d->p[0] >> 3) & 7, bytes = op == 0xf6 ? 1 : d->osize;
    if (reg == 0) {
        d->ci->id = X86_INS_TEST;
        if (!quick_rm_op(d, bytes, QUICK_R)) return false;
        quick_imm(d, quick_imm_bytes(d, bytes), bytes);
        return true;
    }
    if (reg != 2 && reg != 3) return false;
    d->ci->id = reg == 2 ? X86_INS_NOT : X86_INS_NEG;
    return quick_rm_op(d, bytes, QUICK_RW);
}

/* call/jmp r/m64 (ff /2, /4; not under 0x66, a 16-bit target). */
static bool quick_indirect(struct quick_dec *d)
{
    int reg = (d->p[0] >> 3) & 7;
    if ((reg != 2 && reg != 4) || d->x->prefix[2]) return false;
    d->ci->id = reg == 2 ? X86_INS_CALL : X86_INS_JMP;
    return quick_rm_op(d, 8, QUICK_R);
}

/* imul r, r/m, imm8 or imm (6b, 69). */
static bool quick_imul_imm(struct quick_dec *d, uint8_t op)
{
    d->ci->id = X86_INS_IMUL;
    if (!quick_rm_reg(d, true, d->osize, QUICK_W, QUICK_R)) return false;
    quick_imm(d, op == 0x6b ? 1 : quick_imm_bytes(d, d->osize), d->osize);
    return true;
}

/* cbw/cwde/cdqe (98), cwd/cdq/cqo (99): no explicit operands. */
static bool quick_widen_acc(struct quick_dec *d, uint8_t op)
{
    static const unsigned ids[2][3] = { { X86_INS_CBW, X86_INS_CWDE, X86_INS_CDQE },
                                        { X86_INS_CWD, X86_INS_CDQ, X86_INS_CQO } };
    d->ci->id = ids[op & 1][d->osize == 2 ? 0 : d->osize == 4 ? 1 : 2];
    return true;
}

static bool quick_more(struct quick_dec *d, uint8_t op)
{
    if (op == 0xff) return quick_indirect(d);
    if (op == 0x6b || op == 0x69) return quick_imul_imm(d, op);
    if (op == 0x98 || op == 0x99) return quick_widen_acc(d, op);
    if (op == 0x0f) return quick_twobyte(d, *d->p++);
    if (op == 0x63) return quick_movsxd(d);
    if (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op <= 0xd3)) return quick_shift(d, op);
    if (op == 0xf6 || op == 0xf7) return quick_group3(d, op);
    return false;
}

/* jmp/call/jcc rel, ret: no prefixes. */
static bool quick_control(struct quick_dec *d, const uint8_t *start, uint64_t pc)
{
    struct x86_quick q = { 0, 0, 0 };
    if (!quick_branch(start, pc, 0, &q)) return false;
    d->ci->id = q.id;
    d->x->opcode[0] = start[0];
    if (start[0] == 0x0f) d->x->opcode[1] = start[1];
    d->p = start + q.size;
    if (q.id != X86_INS_RET) quick_imm_op(d, (int64_t)q.target, 8);
    return true;
}

bool x86_quick_insn(const uint8_t *p, uint64_t pc, cs_insn *ci)
{
    const uint8_t *start = p;
    struct quick_dec d = { .p = p, .osize = 4, .ci = ci, .x = &ci->detail->x86 };
    /* The detail as capstone leaves it: all zero but what is decoded.  The
     * operands past op_count are zero already (every decoder of this slot
     * clears or copies a whole detail, or keeps to this rule): only the
     * ones the last decoding used are cleared (a quarter of the cost of
     * the quick decoder was clearing 464 bytes). */
    unsigned used = d.x->op_count < 8 ? d.x->op_count : 8;
    memset(ci->detail, 0, offsetof(cs_detail, x86) + offsetof(cs_x86, operands));
    memset(d.x->operands, 0, sizeof(d.x->operands[0]) * used);
    d.x->addr_size = 8;
    bool ok;
    if (p[0] == 0x66) { d.osize = 2; d.x->prefix[2] = 0x66; d.p++; }
    if ((d.p[0] & 0xf0) == 0x40) { d.rex = d.x->rex = *d.p++; if (d.rex & 8) d.osize = 8; }
    if (d.p == start) ok = quick_control(&d, start, pc);
    else ok = false;
    if (!ok) {
        uint8_t op = *d.p++;            /* (quick_control wrote nothing) */
        d.x->opcode[0] = op;
        ok = quick_modrm(&d, op) || quick_short(&d, op) || quick_more(&d, op);
    }
    if (!ok) return false;
    ci->address = pc;
    ci->size = (uint16_t)(d.p - start);
    memcpy(ci->bytes, start, ci->size);
    ci->mnemonic[0] = ci->op_str[0] = 0;
    return true;
}
