/* x64_encode.c -- x86-64 encoders: REX prefix, ModRM/SIB addressing and
 * one function per Intel SDM encoding form used by the backend. */
#include <stddef.h>
#include <string.h>

#include "x64_encode.h"

void x64_emit_byte(struct be_code *c, uint8_t b) { *be_writable(c, c->ptr++) = b; }

void x64_emit_u32(struct be_code *c, uint32_t v)
{
    memcpy(be_writable(c, c->ptr), &v, 4);
    c->ptr += 4;
}

void x64_emit_u64(struct be_code *c, uint64_t v)
{
    memcpy(be_writable(c, c->ptr), &v, 8);
    c->ptr += 8;
}

static bool is_byte_high(int reg) { return reg >= 4 && reg < 8; }

/* One instruction is assembled here and stored with a single copy: a
 * be_writable() and a store per byte cost several times as much. */
struct insn_bytes {
    uint8_t b[16];
    unsigned n;
};

static inline void put(struct insn_bytes *x, uint8_t v) { x->b[x->n++] = v; }

static inline void put_u32(struct insn_bytes *x, uint32_t v)
{
    memcpy(&x->b[x->n], &v, 4);
    x->n += 4;
}

/* A whole 16-byte copy when the buffer has room for it (the bytes past
 * the instruction are overwritten by what follows or lie past the code). */
static void store(struct be_code *c, const struct insn_bytes *x)
{
    uint8_t *w = be_writable(c, c->ptr);
    if (c->end - c->ptr >= (ptrdiff_t)sizeof x->b)
        memcpy(w, x->b, sizeof x->b);
    else
        memcpy(w, x->b, x->n);
    c->ptr += x->n;
}

/* Prefixes: 0x66, then REX when an extended register, REX.W or a byte
 * access to SPL/BPL/SIL/DIL (which without REX would mean AH..BH) needs it. */
static void put_prefixes(struct insn_bytes *x, int flags, int reg, int index, int base)
{
    uint8_t rex = (uint8_t)(0x40 | ((flags & X64_W) ? 8 : 0) | ((reg & 8) ? 4 : 0)
                            | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0));
    bool bytes = (flags & X64_BYTE) && (is_byte_high(reg) || is_byte_high(base));
    if (flags & X64_LOCK)
        put(x, 0xf0);
    if (flags & X64_P66)
        put(x, 0x66);
    if (rex != 0x40 || bytes)
        put(x, rex);
}

static void put_opcode(struct insn_bytes *x, uint32_t opc)
{
    if (opc > 0xffff)
        put(x, (uint8_t)(opc >> 16));
    if (opc > 0xff)
        put(x, (uint8_t)(opc >> 8));
    put(x, (uint8_t)opc);
}

static void put_modrm(struct insn_bytes *x, int mod, int reg, int rm)
{
    put(x, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (rm & 7)));
}

/* [base + disp]: RSP/R12 need a SIB byte, RBP/R13 cannot use mod 00. */
static void put_mem(struct insn_bytes *x, int reg, int base, int32_t disp)
{
    int mod = (disp == 0 && (base & 7) != 5) ? 0 : x64_fits_s8(disp) ? 1 : 2;
    put_modrm(x, mod, reg, base);
    if ((base & 7) == 4)
        put(x, 0x24);
    if (mod == 1)
        put(x, (uint8_t)disp);
    else if (mod == 2)
        put_u32(x, (uint32_t)disp);
}

/* Prefixes and a one-byte opcode with the register in its low bits. */
static void emit_op_plus_reg(struct be_code *c, int flags, uint8_t opc, int reg)
{
    struct insn_bytes x = { .n = 0 };
    put_prefixes(&x, flags, 0, 0, reg);
    put(&x, (uint8_t)(opc + (reg & 7)));
    store(c, &x);
}

void x64_emit_op_rm_r(struct be_code *c, int flags, uint32_t opc, int reg, int rm)
{
    struct insn_bytes x = { .n = 0 };
    put_prefixes(&x, flags, reg, 0, rm);
    put_opcode(&x, opc);
    put_modrm(&x, 3, reg, rm);
    store(c, &x);
}

void x64_emit_op_m_r(struct be_code *c, int flags, uint32_t opc, int reg, int base, int32_t disp)
{
    struct insn_bytes x = { .n = 0 };
    put_prefixes(&x, flags, reg, 0, base);
    put_opcode(&x, opc);
    put_mem(&x, reg, base, disp);
    store(c, &x);
}

/* [disp32] with no base: ModRM rm=100 and SIB base=101, index=100. */
void x64_emit_op_abs_r(struct be_code *c, int flags, uint32_t opc, int reg, int32_t addr)
{
    struct insn_bytes x = { .n = 0 };
    put_prefixes(&x, flags, reg, 0, 0);
    put_opcode(&x, opc);
    put_modrm(&x, 0, reg, 4);
    put(&x, 0x25);
    put_u32(&x, (uint32_t)addr);
    store(c, &x);
}

void x64_emit_alu_rm_r(struct be_code *c, enum x64_alu op, int flags, int rm, int reg)
{
    x64_emit_op_rm_r(c, flags, 0x01u + 8u * op, reg, rm);
}

void x64_emit_alu_rm_imm(struct be_code *c, enum x64_alu op, int flags, int rm, int32_t imm)
{
    if (x64_fits_s8(imm)) {
        x64_emit_op_rm_r(c, flags, 0x83, op, rm);
        x64_emit_byte(c, (uint8_t)imm);
    } else {
        x64_emit_op_rm_r(c, flags, 0x81, op, rm);
        x64_emit_u32(c, (uint32_t)imm);
    }
}

void x64_emit_test_rm_r(struct be_code *c, int flags, int rm, int reg)
{
    x64_emit_op_rm_r(c, flags, 0x85, reg, rm);
}

void x64_emit_test_rm_imm(struct be_code *c, int flags, int rm, int32_t imm)
{
    x64_emit_op_rm_r(c, flags, 0xf7, 0, rm);
    x64_emit_u32(c, (uint32_t)imm);
}

void x64_emit_mov_rm_r(struct be_code *c, int flags, int rm, int reg)
{
    x64_emit_op_rm_r(c, flags, (flags & X64_BYTE) ? 0x88 : 0x89, reg, rm);
}

void x64_emit_mov_r_imm32(struct be_code *c, int reg, uint32_t imm)
{
    emit_op_plus_reg(c, 0, 0xb8, reg);
    x64_emit_u32(c, imm);
}

void x64_emit_mov_rm_imm32(struct be_code *c, int flags, int rm, int32_t imm)
{
    x64_emit_op_rm_r(c, flags, 0xc7, 0, rm);
    x64_emit_u32(c, (uint32_t)imm);
}

void x64_emit_mov_r_imm64(struct be_code *c, int reg, uint64_t imm)
{
    emit_op_plus_reg(c, X64_W, 0xb8, reg);
    x64_emit_u64(c, imm);
}

void x64_emit_mov_r_m(struct be_code *c, int flags, int reg, int base, int32_t disp)
{
    x64_emit_op_m_r(c, flags, (flags & X64_BYTE) ? 0x8a : 0x8b, reg, base, disp);
}

void x64_emit_mov_m_r(struct be_code *c, int flags, int base, int32_t disp, int reg)
{
    x64_emit_op_m_r(c, flags, (flags & X64_BYTE) ? 0x88 : 0x89, reg, base, disp);
}

/* C6 /0 ib for bytes, C7 /0 iw (0x66) or id otherwise. */
void x64_emit_mov_m_imm32(struct be_code *c, int flags, int base, int32_t disp, int32_t imm)
{
    x64_emit_op_m_r(c, flags, (flags & X64_BYTE) ? 0xc6 : 0xc7, 0, base, disp);
    if (flags & X64_BYTE)
        x64_emit_byte(c, (uint8_t)imm);
    else if (flags & X64_P66) {
        x64_emit_byte(c, (uint8_t)imm);
        x64_emit_byte(c, (uint8_t)(imm >> 8));
    } else
        x64_emit_u32(c, (uint32_t)imm);
}

void x64_emit_lea_r_m(struct be_code *c, int flags, int reg, int base, int32_t disp)
{
    x64_emit_op_m_r(c, flags, 0x8d, reg, base, disp);
}

/* opc with [base + (index << scale) + disp]; index must not be RSP. */
void x64_emit_op_sib_r(struct be_code *c, int flags, uint32_t opc, int reg, int base, int index,
                       int scale, int32_t disp)
{
    int mod = (disp == 0 && (base & 7) != 5) ? 0 : x64_fits_s8(disp) ? 1 : 2;
    struct insn_bytes x = { .n = 0 };
    put_prefixes(&x, flags, reg, index, base);
    put_opcode(&x, opc);
    put_modrm(&x, mod, reg, 4);
    put(&x, (uint8_t)((scale << 6) | ((index & 7) << 3) | (base & 7)));
    if (mod == 1)
        put(&x, (uint8_t)disp);
    else if (mod == 2)
        put_u32(&x, (uint32_t)disp);
    store(c, &x);
}

/* lea reg, [base + index*1 + disp]. */
void x64_emit_lea_r_sib(struct be_code *c, int flags, int reg, int base, int index, int32_t disp)
{
    x64_emit_op_sib_r(c, flags, 0x8d, reg, base, index, 0, disp);
}

void x64_emit_shift_rm_imm(struct be_code *c, enum x64_shift op, int flags, int rm, uint8_t n)
{
    if (n == 1) {
        x64_emit_op_rm_r(c, flags, 0xd1, op, rm);
        return;
    }
    x64_emit_op_rm_r(c, flags, 0xc1, op, rm);
    x64_emit_byte(c, n);
}

void x64_emit_shift_rm_cl(struct be_code *c, enum x64_shift op, int flags, int rm)
{
    x64_emit_op_rm_r(c, flags, 0xd3, op, rm);
}

void x64_emit_unary_rm(struct be_code *c, enum x64_unary op, int flags, int rm)
{
    x64_emit_op_rm_r(c, flags, 0xf7, op, rm);
}

void x64_emit_imul_r_rm(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags, 0x0faf, reg, rm);
}

void x64_emit_imul_r_rm_imm(struct be_code *c, int flags, int reg, int rm, int32_t imm)
{
    if (x64_fits_s8(imm)) {
        x64_emit_op_rm_r(c, flags, 0x6b, reg, rm);
        x64_emit_byte(c, (uint8_t)imm);
    } else {
        x64_emit_op_rm_r(c, flags, 0x69, reg, rm);
        x64_emit_u32(c, (uint32_t)imm);
    }
}

void x64_emit_movzx_r_rm8(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags | X64_BYTE, 0x0fb6, reg, rm);
}

void x64_emit_movzx_r_rm16(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags, 0x0fb7, reg, rm);
}

void x64_emit_movsx_r_rm8(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags | X64_BYTE, 0x0fbe, reg, rm);
}

void x64_emit_movsx_r_rm16(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags, 0x0fbf, reg, rm);
}

void x64_emit_movsxd_r_rm(struct be_code *c, int reg, int rm)
{
    x64_emit_op_rm_r(c, X64_W, 0x63, reg, rm);
}

void x64_emit_bswap_r(struct be_code *c, int flags, int reg)
{
    struct insn_bytes x = { .n = 0 };
    put_prefixes(&x, flags, 0, 0, reg);
    put(&x, 0x0f);
    put(&x, (uint8_t)(0xc8 + (reg & 7)));
    store(c, &x);
}

void x64_emit_bsf_r_rm(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags, 0x0fbc, reg, rm);
}

void x64_emit_bsr_r_rm(struct be_code *c, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags, 0x0fbd, reg, rm);
}

void x64_emit_setcc_rm8(struct be_code *c, enum x64_cc cc, int rm)
{
    x64_emit_op_rm_r(c, X64_BYTE, 0x0f90u + cc, 0, rm);
}

void x64_emit_cmovcc_r_rm(struct be_code *c, enum x64_cc cc, int flags, int reg, int rm)
{
    x64_emit_op_rm_r(c, flags, 0x0f40u + cc, reg, rm);
}

void x64_emit_push_r(struct be_code *c, int reg) { emit_op_plus_reg(c, 0, 0x50, reg); }
void x64_emit_pop_r(struct be_code *c, int reg) { emit_op_plus_reg(c, 0, 0x58, reg); }

void x64_emit_ret(struct be_code *c) { x64_emit_byte(c, 0xc3); }

/* Recommended multi-byte NOPs (SDM vol. 2B, NOP). */
void x64_emit_nops(struct be_code *c, int n)
{
    static const uint8_t nops[4][4] = {
        { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
    };
    while (n > 0) {
        int k = n > 4 ? 4 : n;
        memcpy(be_writable(c, c->ptr), nops[k - 1], (size_t)k);
        c->ptr += k;
        n -= k;
    }
}

static void emit_rel32(struct be_code *c, const uint8_t *target)
{
    x64_emit_u32(c, (uint32_t)(int32_t)(target - (c->ptr + 4)));
}

void x64_emit_jmp_rel32(struct be_code *c, const uint8_t *target)
{
    x64_emit_byte(c, 0xe9);
    emit_rel32(c, target);
}

void x64_emit_jcc_rel32(struct be_code *c, enum x64_cc cc, const uint8_t *target)
{
    x64_emit_byte(c, 0x0f);
    x64_emit_byte(c, (uint8_t)(0x80 + cc));
    emit_rel32(c, target);
}

void x64_emit_call_rel32(struct be_code *c, const uint8_t *target)
{
    x64_emit_byte(c, 0xe8);
    emit_rel32(c, target);
}

void x64_emit_call_rm(struct be_code *c, int rm) { x64_emit_op_rm_r(c, 0, 0xff, 2, rm); }
void x64_emit_jmp_rm(struct be_code *c, int rm) { x64_emit_op_rm_r(c, 0, 0xff, 4, rm); }
