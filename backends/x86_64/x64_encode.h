/* x64_encode.h -- x86-64 instruction encoders for the host backend, named
 * after the Intel SDM encoding forms (rm = ModRM r/m operand, r = ModRM
 * reg operand, imm = immediate).  Registers are numbered 0..15 (rax..r15). */
#ifndef FERRY_X64_ENCODE_H
#define FERRY_X64_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

enum x64_reg {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
};

/* Encoding flags. */
enum {
    X64_W    = 1 << 0,          /* REX.W: 64-bit operand size */
    X64_BYTE = 1 << 1,          /* byte registers: SPL..DIL need a REX */
    X64_P66  = 1 << 2,          /* 0x66 prefix: 16-bit operand size */
    X64_LOCK = 1 << 3,          /* 0xf0 prefix: atomic read-modify-write */
};

/* ALU group (opcode 01+8*op /r, 81/83 /op). */
enum x64_alu { X64_ADD, X64_OR, X64_ADC, X64_SBB, X64_AND, X64_SUB, X64_XOR, X64_CMP };
/* Shift group (C1/D3 /op). */
enum x64_shift { X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7 };
/* Unary group 3 (F7 /op). */
enum x64_unary { X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_IMUL1 = 5, X64_DIV = 6, X64_IDIV = 7 };
/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum x64_cc {
    X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE, X64_CC_A,
    X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
};

static inline bool x64_fits_s8(int64_t v) { return v == (int8_t)v; }
static inline bool x64_fits_s32(int64_t v) { return v == (int32_t)v; }

void x64_emit_byte(struct be_code *c, uint8_t b);
void x64_emit_u32(struct be_code *c, uint32_t v);
void x64_emit_u64(struct be_code *c, uint64_t v);

/* Generic forms: opcode (1-3 bytes, most significant first) with ModRM
 * register-direct, [base + disp], or [disp32] absolute. */
void x64_emit_op_rm_r(struct be_code *c, int flags, uint32_t opc, int reg, int rm);
void x64_emit_op_m_r(struct be_code *c, int flags, uint32_t opc, int reg, int base, int32_t disp);
void x64_emit_op_abs_r(struct be_code *c, int flags, uint32_t opc, int reg, int32_t addr);

void x64_emit_alu_rm_r(struct be_code *c, enum x64_alu op, int flags, int rm, int reg);
void x64_emit_alu_rm_imm(struct be_code *c, enum x64_alu op, int flags, int rm, int32_t imm);
void x64_emit_test_rm_r(struct be_code *c, int flags, int rm, int reg);
void x64_emit_test_rm_imm(struct be_code *c, int flags, int rm, int32_t imm);
void x64_emit_mov_rm_r(struct be_code *c, int flags, int rm, int reg);
void x64_emit_mov_r_imm32(struct be_code *c, int reg, uint32_t imm);      /* B8+r, zero-extends */
void x64_emit_mov_rm_imm32(struct be_code *c, int flags, int rm, int32_t imm); /* C7 /0 */
void x64_emit_mov_r_imm64(struct be_code *c, int reg, uint64_t imm);      /* REX.W B8+r */
void x64_emit_mov_r_m(struct be_code *c, int flags, int reg, int base, int32_t disp);
void x64_emit_mov_m_r(struct be_code *c, int flags, int base, int32_t disp, int reg);
void x64_emit_mov_m_imm32(struct be_code *c, int flags, int base, int32_t disp, int32_t imm);
void x64_emit_lea_r_m(struct be_code *c, int flags, int reg, int base, int32_t disp);
void x64_emit_op_sib_r(struct be_code *c, int flags, uint32_t opc, int reg, int base, int index,
                       int scale, int32_t disp);
void x64_emit_lea_r_sib(struct be_code *c, int flags, int reg, int base, int index, int32_t disp);
void x64_emit_shift_rm_imm(struct be_code *c, enum x64_shift op, int flags, int rm, uint8_t n);
void x64_emit_shift_rm_cl(struct be_code *c, enum x64_shift op, int flags, int rm);
void x64_emit_unary_rm(struct be_code *c, enum x64_unary op, int flags, int rm);
void x64_emit_imul_r_rm(struct be_code *c, int flags, int reg, int rm);
void x64_emit_imul_r_rm_imm(struct be_code *c, int flags, int reg, int rm, int32_t imm);
void x64_emit_movzx_r_rm8(struct be_code *c, int flags, int reg, int rm);
void x64_emit_movzx_r_rm16(struct be_code *c, int flags, int reg, int rm);
void x64_emit_movsx_r_rm8(struct be_code *c, int flags, int reg, int rm);
void x64_emit_movsx_r_rm16(struct be_code *c, int flags, int reg, int rm);
void x64_emit_movsxd_r_rm(struct be_code *c, int reg, int rm);
void x64_emit_bswap_r(struct be_code *c, int flags, int reg);
void x64_emit_bsf_r_rm(struct be_code *c, int flags, int reg, int rm);
void x64_emit_bsr_r_rm(struct be_code *c, int flags, int reg, int rm);
void x64_emit_setcc_rm8(struct be_code *c, enum x64_cc cc, int rm);
void x64_emit_cmovcc_r_rm(struct be_code *c, enum x64_cc cc, int flags, int reg, int rm);
void x64_emit_push_r(struct be_code *c, int reg);
void x64_emit_pop_r(struct be_code *c, int reg);
void x64_emit_ret(struct be_code *c);
void x64_emit_nops(struct be_code *c, int n);
/* Relative branches to an absolute target (rel computed from c->ptr). */
void x64_emit_jmp_rel32(struct be_code *c, const uint8_t *target);
void x64_emit_jcc_rel32(struct be_code *c, enum x64_cc cc, const uint8_t *target);
void x64_emit_call_rel32(struct be_code *c, const uint8_t *target);
void x64_emit_call_rm(struct be_code *c, int rm);
void x64_emit_jmp_rm(struct be_code *c, int rm);

#endif
