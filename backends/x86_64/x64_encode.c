/* x64_encode.c -- x86-64 encoders: REX prefix, ModRM/SIB addressing and
 * one function per Intel SDM encoding form used by the backend. */
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

/* Prefixes: 0x66, then REX when an extended register, REX.W or a byte
 * access to SPL/BPL/SIL/DIL (which without REX would mean AH..BH) needs it. */
static void emit_prefixes(struct be_code *c, int flags, int reg, int index, int base)
{
    uint8_t rex = (uint8_t)(0x40 | ((flags & X64_W) ? 8 : 0) | ((reg & 8) ? 4 : 0)
                            | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0));
    bool bytes = (flags & X64_BYTE) && (is_byte_high(reg) || is_byte_high(base));
    if (flags & X64_LOCK)
        x64_emit_byte(c, 0xf0);
    if (flags & X64_P66)
        x64_emit_byte(c, 0x66);
    if (rex != 0x40 || bytes)
        x64_emit_byte(c, rex);
}

static void emit_opcode(struct be_code *c, uint32_t opc)
{
    if (opc > 0xffff)
        x64_emit_byte(c, (uint8_t)(opc >> 16));
    if (opc > 0xff)
        x64_emit_byte(c, (uint8_t)(opc >> 8));
    x64_emit_byte(c, (uint8_t)opc);
}

static void emit_modrm(struct be_code *c, int mod, int reg, int rm)
{
    x64_emit_byte(c, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (rm & 7)));
}

/* [base + disp]: RSP/R12 need a SIB byte, RBP/R13 cannot use mod 00. */
static void emit_mem(struct be_code *c, int reg, int base, int32_t disp)
{
    int mod = (disp == 0 && (base & 7) != 5) ? 0 : x64_fits_s8(disp) ? 1 : 2;
    emit_modrm(c, mod, reg, base);
    if ((base & 7) == 4)
        x64_emit_byte(c, 0x24);
    if (mod == 1)
        x64_emit_byte(c, (uint8_t)disp);
    else if (mod == 2)
        x64_emit_u32(c, (uint32_t)disp);
}

void x64_emit_op_rm_r(struct be_code *c, int flags, uint32_t opc, int reg, int rm)
{
    emit_prefixes(c, flags, reg, 0, rm);
    emit_opcode(c, opc);
    emit_modrm(c, 3, reg, rm);
}

void x64_emit_op_m_r(struct be_code *c, int flags, uint32_t opc, int reg, int base, int32_t disp)
{
    emit_prefixes(c, flags, reg, 0, base);
    emit_opcode(c, opc);
    emit_mem(c, reg, base, disp);
}

/* [disp32] with no base: ModRM rm=100 and SIB base=101, index=100. */
void x64_emit_op_abs_r(struct be_code *c, int flags, uint32_t opc, int reg, int32_t addr)
{
    emit_prefixes(c, flags, reg, 0, 0);
    emit_opcode(c, opc);
    emit_modrm(c, 0, reg, 4);
    x64_emit_byte(c, 0x25);
    x64_emit_u32(c, (uint32_t)addr);
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
    emit_prefixes(c, 0, 0, 0, reg);
    x64_emit_byte(c, (uint8_t)(0xb8 + (reg & 7)));
    x64_emit_u32(c, imm);
}

void x64_emit_mov_rm_imm32(struct be_code *c, int flags, int rm, int32_t imm)
{
    x64_emit_op_rm_r(c, flags, 0xc7, 0, rm);
    x64_emit_u32(c, (uint32_t)imm);
}

void x64_emit_mov_r_imm64(struct be_code *c, int reg, uint64_t imm)
{
    emit_prefixes(c, X64_W, 0, 0, reg);
    x64_emit_byte(c, (uint8_t)(0xb8 + (reg & 7)));
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
    emit_prefixes(c, flags, reg, index, base);
    emit_opcode(c, opc);
    emit_modrm(c, mod, reg, 4);
    x64_emit_byte(c, (uint8_t)((scale << 6) | ((index & 7) << 3) | (base & 7)));
    if (mod == 1)
        x64_emit_byte(c, (uint8_t)disp);
    else if (mod == 2)
        x64_emit_u32(c, (uint32_t)disp);
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
    emit_prefixes(c, flags, 0, 0, reg);
    x64_emit_byte(c, 0x0f);
    x64_emit_byte(c, (uint8_t)(0xc8 + (reg & 7)));
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

void x64_emit_push_r(struct be_code *c, int reg)
{
    emit_prefixes(c, 0, 0, 0, reg);
    x64_emit_byte(c, (uint8_t)(0x50 + (reg & 7)));
}

void x64_emit_pop_r(struct be_code *c, int reg)
{
    emit_prefixes(c, 0, 0, 0, reg);
    x64_emit_byte(c, (uint8_t)(0x58 + (reg & 7)));
}

void x64_emit_ret(struct be_code *c) { x64_emit_byte(c, 0xc3); }

/* Recommended multi-byte NOPs (SDM vol. 2B, NOP). */
void x64_emit_nops(struct be_code *c, int n)
{
    static const uint8_t nops[8][8] = {
        { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };
    while (n > 0) {
        int k = n > 8 ? 8 : n;
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
