/* x64_ops.c -- emission of IR operations on x86-64: the allocator glue
 * (mov/movi/env loads and stores/calls) and one emitter per IR op, chosen
 * through a table indexed by op.  x86 is two-address, so every emitter
 * copes with the output register aliasing any input. */
#include <stdio.h>
#include <stdlib.h>

#include "x64_backend.h"
#include "x64_vec.h"

typedef void x64_op_fn(struct be_code *c, const struct ir_insn *i,
                       const struct be_arg *out, const struct be_arg *in);

static int wflag(const struct ir_insn *i) { return i->size == 64 ? X64_W : 0; }

static void copy_reg(struct be_code *c, int w, int dst, int src)
{
    if (dst != src)
        x64_emit_mov_rm_r(c, w, dst, src);
}

/* ---- allocator glue ---- */

void be_emit_mov(struct be_code *c, int dst, int src)
{
    const uint8_t *before = c->ptr;
    copy_reg(c, X64_W, dst, src);
    vcache_keep(c, before);
    x64_vec_pend_keep(c, before, 0, 0);
}

/* Never `xor r, r` for zero: the allocator's glue must keep the host
 * flags between a subf/addf/andf and the op reading them (ir_flags.c). */
void be_emit_movi(struct be_code *c, int dst, uint64_t imm)
{
    const uint8_t *before = c->ptr;
    if (imm <= 0xffffffffull)
        x64_emit_mov_r_imm32(c, dst, (uint32_t)imm);
    else if (x64_fits_s32((int64_t)imm))
        x64_emit_mov_rm_imm32(c, X64_W, dst, (int32_t)imm);
    else
        x64_emit_mov_r_imm64(c, dst, imm);
    vcache_keep(c, before);
    x64_vec_pend_keep(c, before, 0, 0);
}

void be_emit_ld_env(struct be_code *c, int reg, int32_t offset)
{
    const uint8_t *before = c->ptr;
    x64_emit_mov_r_m(c, X64_W, reg, X64_ENV, x64_env_disp(offset));
    vcache_keep(c, before);
    x64_vec_pend_keep(c, before, offset, 8);
}

void be_emit_st_env(struct be_code *c, int reg, int32_t offset)
{
    const uint8_t *before = c->ptr;
    x64_emit_mov_m_r(c, X64_W, X64_ENV, x64_env_disp(offset), reg);
    vcache_clobber(c, before, offset, 8);
    x64_vec_pend_keep(c, before, offset, 8);
}

void be_emit_call(struct be_code *c, const void *fn)
{
    vcache_reset();                 /* C code: any xmm, any env byte */
    x64_vec_pend_end();
    x64_emit_lea_r_m(c, X64_W, X64_RDI, X64_ENV, -X64_ENV_BIAS);
    int64_t rel = (const uint8_t *)fn - (c->ptr + 5);
    if (!c->relocs && x64_fits_s32(rel)) {
        x64_emit_call_rel32(c, fn);
        return;
    }
    x64_emit_movi_addr(c, X64_RAX, fn, BE_RELOC_HOST);
    x64_emit_call_rm(c, X64_RAX);
}

/* ---- arithmetic ---- */

static const uint8_t alu_of[IR_NUM_OPS] = {
    [IR_add] = X64_ADD, [IR_sub] = X64_SUB, [IR_and] = X64_AND,
    [IR_or] = X64_OR, [IR_xor] = X64_XOR,
};

/* Into another register, add and sub of a constant are one lea (a sub's
 * constant negated: any for 32 bits, all but -2^31 for 64). */
static void emit_alu_imm(struct be_code *c, const struct ir_insn *i, int d, int a, uint64_t imm)
{
    if (i->op == IR_add && d != a) {
        x64_emit_lea_r_m(c, wflag(i), d, a, (int32_t)imm);
        return;
    }
    if (i->op == IR_sub && d != a && (i->size != 64 || (int64_t)imm != INT32_MIN)) {
        x64_emit_lea_r_m(c, wflag(i), d, a, (int32_t)(0u - (uint32_t)imm));
        return;
    }
    copy_reg(c, wflag(i), d, a);
    x64_emit_alu_rm_imm(c, (enum x64_alu)alu_of[i->op], wflag(i), d, (int32_t)imm);
}

static void emit_alu(struct be_code *c, const struct ir_insn *i,
                     const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, a = in[0].reg, b = in[1].reg, w = wflag(i);
    enum x64_alu op = (enum x64_alu)alu_of[i->op];
    if (in[1].is_const)
        emit_alu_imm(c, i, d, a, in[1].imm);
    else if (d == a)
        x64_emit_alu_rm_r(c, op, w, d, b);
    else if (d == b && op == X64_SUB) {
        x64_emit_unary_rm(c, X64_NEG, w, d);            /* d = -b + a */
        x64_emit_alu_rm_r(c, X64_ADD, w, d, a);
    } else if (d == b)
        x64_emit_alu_rm_r(c, op, w, d, a);
    else if (op == X64_ADD)
        x64_emit_lea_r_sib(c, w, d, a, b, 0);
    else {
        x64_emit_mov_rm_r(c, w, d, a);
        x64_emit_alu_rm_r(c, op, w, d, b);
    }
}

/* subf/addf/andf: the op itself with the host flags it sets left for the
 * brflags/setflags/movflags after it (ir_ops.def), so always a real
 * sub/add/and of a and b, never lea or neg+add; d == b (a subf) is
 * computed in a, saved and restored around it (push, mov and pop keep
 * the flags), so the op needs no scratch register (x64_op_clobbers). */
/* Where the last subf/addf/andf's code is: a brflags right behind it may
 * slide it to place its jcc (x64_emit_brcond_exit). */
static struct { uint8_t *start, *end; } flags_op;

static void emit_alu_flags_at(struct be_code *c, const struct ir_insn *i,
                              const struct be_arg *out, const struct be_arg *in);

static void emit_alu_flags(struct be_code *c, const struct ir_insn *i,
                           const struct be_arg *out, const struct be_arg *in)
{
    flags_op.start = c->ptr;
    emit_alu_flags_at(c, i, out, in);
    flags_op.end = c->ptr;
}

static void emit_alu_flags_at(struct be_code *c, const struct ir_insn *i,
                              const struct be_arg *out, const struct be_arg *in)
{
    static const uint8_t base_op[] = { [IR_subf] = X64_SUB, [IR_addf] = X64_ADD, [IR_andf] = X64_AND };
    int d = out[0].reg, a = in[0].reg, w = wflag(i);
    enum x64_alu op = (enum x64_alu)base_op[i->op];
    if (in[1].is_const) {
        copy_reg(c, w, d, a);
        x64_emit_alu_rm_imm(c, op, w, d, (int32_t)in[1].imm);
    } else if (d == in[1].reg && d != a && i->op != IR_subf) {
        x64_emit_alu_rm_r(c, op, w, d, a);      /* add/and commute: same flags */
    } else if (d == in[1].reg && d != a) {
        x64_emit_push_r(c, a);                  /* rare (d = a - d): no scratch needed */
        x64_emit_alu_rm_r(c, op, w, a, d);
        x64_emit_mov_rm_r(c, X64_W, d, a);
        x64_emit_pop_r(c, a);
    } else {
        copy_reg(c, w, d, a);
        x64_emit_alu_rm_r(c, op, w, d, in[1].reg);
    }
}

/* d = a & ~b without a scratch register (x64_op_clobbers): ~b built in d,
 * or, when d is a, b inverted in place and back (nothing runs in between
 * that could see it; andc leaves no flags to read). */
static void emit_andc(struct be_code *c, const struct ir_insn *i,
                      const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, a = in[0].reg, b = in[1].reg, w = wflag(i);
    if (in[1].is_const) {
        copy_reg(c, w, d, a);
        x64_emit_alu_rm_imm(c, X64_AND, w, d, (int32_t)~in[1].imm);
    } else if (d != a) {
        copy_reg(c, w, d, b);
        x64_emit_unary_rm(c, X64_NOT, w, d);
        x64_emit_alu_rm_r(c, X64_AND, w, d, a);
    } else if (d != b) {                /* 64-bit nots: a 32-bit one would clear b's top */
        x64_emit_unary_rm(c, X64_NOT, X64_W, b);
        x64_emit_alu_rm_r(c, X64_AND, w, d, b);
        x64_emit_unary_rm(c, X64_NOT, X64_W, b);
    } else {
        x64_emit_alu_rm_r(c, X64_XOR, w, d, d);    /* a & ~a */
    }
}

static void emit_mul(struct be_code *c, const struct ir_insn *i,
                     const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, a = in[0].reg, w = wflag(i);
    if (in[1].is_const)
        x64_emit_imul_r_rm_imm(c, w, d, a, (int32_t)in[1].imm);
    else if (d == in[1].reg)
        x64_emit_imul_r_rm(c, w, d, a);
    else {
        copy_reg(c, w, d, a);
        x64_emit_imul_r_rm(c, w, d, in[1].reg);
    }
}

/* High half through MUL/IMUL's RDX:RAX (both scratch registers). */
static void emit_mulh(struct be_code *c, const struct ir_insn *i,
                      const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_mov_rm_r(c, X64_W, X64_RAX, in[0].reg);
    x64_emit_unary_rm(c, i->op == IR_mulhu ? X64_MUL : X64_IMUL1, X64_W, in[1].reg);
    x64_emit_mov_rm_r(c, X64_W, out[0].reg, X64_RDX);
}

static const uint8_t shift_of[IR_NUM_OPS] = {
    [IR_shl] = X64_SHL, [IR_shr] = X64_SHR, [IR_sar] = X64_SAR,
    [IR_rotl] = X64_ROL, [IR_rotr] = X64_ROR,
};

/* 32-bit results must be zero-extended even for a zero count, so the
 * input is always copied with a 32-bit move first. */
static void emit_shift(struct be_code *c, const struct ir_insn *i,
                       const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, w = wflag(i);
    enum x64_shift op = (enum x64_shift)shift_of[i->op];
    if (in[1].is_const) {
        uint8_t n = (uint8_t)(in[1].imm & (unsigned)(i->size - 1));
        if (w == 0 || d != in[0].reg)
            x64_emit_mov_rm_r(c, w, d, in[0].reg);
        if (n)
            x64_emit_shift_rm_imm(c, op, w, d, n);
        return;
    }
    x64_emit_mov_rm_r(c, 0, X64_RCX, in[1].reg);
    if (w == 0 || d != in[0].reg)
        x64_emit_mov_rm_r(c, w, d, in[0].reg);
    x64_emit_shift_rm_cl(c, op, w, d);
}

static void emit_unary(struct be_code *c, const struct ir_insn *i,
                       const struct be_arg *out, const struct be_arg *in)
{
    copy_reg(c, wflag(i), out[0].reg, in[0].reg);
    x64_emit_unary_rm(c, i->op == IR_neg ? X64_NEG : X64_NOT, wflag(i), out[0].reg);
}

static void emit_ext(struct be_code *c, const struct ir_insn *i,
                     const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, a = in[0].reg;
    switch (i->op) {
    case IR_ext8u:  x64_emit_movzx_r_rm8(c, 0, d, a); break;
    case IR_ext8s:  x64_emit_movsx_r_rm8(c, X64_W, d, a); break;
    case IR_ext16u: x64_emit_movzx_r_rm16(c, 0, d, a); break;
    case IR_ext16s: x64_emit_movsx_r_rm16(c, X64_W, d, a); break;
    case IR_ext32u: x64_emit_mov_rm_r(c, 0, d, a); break;
    default:        x64_emit_movsxd_r_rm(c, d, a); break;
    }
}

static void emit_extract(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, pos = (int)i->aux[0], len = (int)i->aux[1];
    static const uint8_t ext_for_len[33] = { [8] = IR_ext8u, [16] = IR_ext16u, [32] = IR_ext32u };
    if (pos == 0 && len <= 32 && ext_for_len[len]) {
        emit_ext(c, &(struct ir_insn){ .op = ext_for_len[len] }, out, in);
        return;
    }
    copy_reg(c, X64_W, d, in[0].reg);
    if (pos + len == 64) {
        x64_emit_shift_rm_imm(c, X64_SHR, X64_W, d, (uint8_t)pos);
    } else if (len <= 31) {
        if (pos)
            x64_emit_shift_rm_imm(c, X64_SHR, X64_W, d, (uint8_t)pos);
        x64_emit_alu_rm_imm(c, X64_AND, 0, d, (int32_t)((1u << len) - 1));
    } else {
        x64_emit_shift_rm_imm(c, X64_SHL, X64_W, d, (uint8_t)(64 - pos - len));
        x64_emit_shift_rm_imm(c, X64_SHR, X64_W, d, (uint8_t)(64 - len));
    }
}

static uint64_t field_mask(int pos, int len)
{
    return (len >= 64 ? ~0ull : (1ull << len) - 1) << pos;
}

/* d &= m, or d |= m, with a 64-bit constant that may not fit an imm32. */
static void alu_const64(struct be_code *c, enum x64_alu op, int d, uint64_t m)
{
    if (x64_fits_s32((int64_t)m)) {
        x64_emit_alu_rm_imm(c, op, X64_W, d, (int32_t)m);
        return;
    }
    x64_emit_mov_r_imm64(c, X64_RCX, m);
    x64_emit_alu_rm_r(c, op, X64_W, d, X64_RCX);
}

/* Byte and word fields at bit 0 (AL/AX-style writes): a partial move;
 * with d the field's register, the field's bits of a ^ b flipped in a
 * (no scratch register: x64_op_clobbers). */
static bool deposit_low(struct be_code *c, int d, const struct be_arg *in, int pos, int len)
{
    if (pos != 0 || (len != 8 && len != 16) || in[1].is_const)
        return false;
    if (d == in[1].reg && d != in[0].reg) {
        x64_emit_alu_rm_r(c, X64_XOR, X64_W, d, in[0].reg);
        x64_emit_alu_rm_imm(c, X64_AND, X64_W, d, len == 8 ? 0xff : 0xffff);
        x64_emit_alu_rm_r(c, X64_XOR, X64_W, d, in[0].reg);
        return true;
    }
    copy_reg(c, X64_W, d, in[0].reg);
    x64_emit_mov_rm_r(c, len == 8 ? X64_BYTE : X64_P66, d, in[1].reg);
    return true;
}

static void emit_deposit(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, pos = (int)i->aux[0], len = (int)i->aux[1];
    uint64_t m = field_mask(pos, len);
    if (deposit_low(c, d, in, pos, len))
        return;
    if (!in[1].is_const) {
        x64_emit_mov_rm_r(c, X64_W, X64_RAX, in[1].reg);
        if (len < 64)
            x64_emit_shift_rm_imm(c, X64_SHL, X64_W, X64_RAX, (uint8_t)(64 - len));
        if (len < 64 && 64 - len - pos)
            x64_emit_shift_rm_imm(c, X64_SHR, X64_W, X64_RAX, (uint8_t)(64 - len - pos));
    }
    copy_reg(c, X64_W, d, in[0].reg);
    if (~m)
        alu_const64(c, X64_AND, d, ~m);
    else
        be_emit_movi(c, d, 0);
    if (!in[1].is_const)
        x64_emit_alu_rm_r(c, X64_OR, X64_W, d, X64_RAX);
    else if ((in[1].imm << pos) & m)
        alu_const64(c, X64_OR, d, (in[1].imm << pos) & m);
}

static void emit_bswap(struct be_code *c, const struct ir_insn *i,
                       const struct be_arg *out, const struct be_arg *in)
{
    copy_reg(c, wflag(i), out[0].reg, in[0].reg);
    x64_emit_bswap_r(c, wflag(i), out[0].reg);
}

/* clz = (size-1) - bsr, with bsr of zero taken as -1 (giving size). */
static void emit_clz(struct be_code *c, const struct ir_insn *i,
                     const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_bsr_r_rm(c, wflag(i), X64_RAX, in[0].reg);
    x64_emit_mov_rm_imm32(c, X64_W, X64_RCX, -1);
    x64_emit_cmovcc_r_rm(c, X64_CC_E, X64_W, X64_RAX, X64_RCX);
    x64_emit_mov_r_imm32(c, out[0].reg, (uint32_t)i->size - 1);
    x64_emit_alu_rm_r(c, X64_SUB, X64_W, out[0].reg, X64_RAX);
}

static void emit_ctz(struct be_code *c, const struct ir_insn *i,
                     const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_bsf_r_rm(c, wflag(i), X64_RAX, in[0].reg);
    x64_emit_mov_r_imm32(c, X64_RCX, (uint32_t)i->size);
    x64_emit_cmovcc_r_rm(c, X64_CC_E, 0, X64_RAX, X64_RCX);
    x64_emit_mov_rm_r(c, X64_W, out[0].reg, X64_RAX);
}

/* ---- comparisons ---- */

static const uint8_t cc_of[IR_NUM_CONDS] = {
    [IR_EQ] = X64_CC_E, [IR_NE] = X64_CC_NE, [IR_LT] = X64_CC_L, [IR_GE] = X64_CC_GE,
    [IR_LE] = X64_CC_LE, [IR_GT] = X64_CC_G, [IR_LTU] = X64_CC_B, [IR_GEU] = X64_CC_AE,
    [IR_LEU] = X64_CC_BE, [IR_GTU] = X64_CC_A, [IR_TSTEQ] = X64_CC_E, [IR_TSTNE] = X64_CC_NE,
};

enum x64_cc x64_cond_cc(enum ir_cond c) { return (enum x64_cc)cc_of[c]; }

/* Sets flags for a cond b; `test a, a` replaces `cmp a, 0`: same flags. */
static void emit_compare(struct be_code *c, const struct ir_insn *i, const struct be_arg *in)
{
    int w = wflag(i), a = in[0].reg;
    bool tst = i->cond == IR_TSTEQ || i->cond == IR_TSTNE;
    if (!in[1].is_const)
        tst ? x64_emit_test_rm_r(c, w, a, in[1].reg) : x64_emit_alu_rm_r(c, X64_CMP, w, a, in[1].reg);
    else if (tst)
        x64_emit_test_rm_imm(c, w, a, (int32_t)in[1].imm);
    else if ((w ? in[1].imm : (uint32_t)in[1].imm) == 0)
        x64_emit_test_rm_r(c, w, a, a);
    else
        x64_emit_alu_rm_imm(c, X64_CMP, w, a, (int32_t)in[1].imm);
}

static void emit_setcond(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    emit_compare(c, i, in);
    x64_emit_setcc_rm8(c, x64_cond_cc(i->cond), out[0].reg);
    x64_emit_movzx_r_rm8(c, 0, out[0].reg, out[0].reg);
}

static void emit_movcond(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, vt = in[2].reg, vf = in[3].reg;
    enum x64_cc cc = x64_cond_cc(i->cond);
    emit_compare(c, i, in);
    if (d == vt) {
        x64_emit_cmovcc_r_rm(c, cc ^ 1, X64_W, d, vf);
    } else {
        copy_reg(c, X64_W, d, vf);
        x64_emit_cmovcc_r_rm(c, cc, X64_W, d, vt);
    }
}

/* setflags/movflags: the flags of the subf/addf/andf before (ir_ops.def). */
static void emit_setflags(struct be_code *c, const struct ir_insn *i,
                          const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_setcc_rm8(c, x64_cond_cc(i->cond), out[0].reg);
    x64_emit_movzx_r_rm8(c, 0, out[0].reg, out[0].reg);
}

static void emit_movflags(struct be_code *c, const struct ir_insn *i,
                          const struct be_arg *out, const struct be_arg *in)
{
    int d = out[0].reg, vt = in[0].reg, vf = in[1].reg;
    enum x64_cc cc = x64_cond_cc(i->cond);
    if (d == vt) {
        x64_emit_cmovcc_r_rm(c, cc ^ 1, X64_W, d, vf);
    } else {
        copy_reg(c, X64_W, d, vf);
        x64_emit_cmovcc_r_rm(c, cc, X64_W, d, vt);
    }
}

/* ---- memory ---- */

/* Load opcodes per memop: movzx/movsx/mov/movsxd. */
static const struct { uint32_t opc; int flags; } load_form[8] = {
    [IR_MO_8]  = { 0x0fb6, 0 },     [IR_MO_16] = { 0x0fb7, 0 },
    [IR_MO_32] = { 0x8b, 0 },       [IR_MO_64] = { 0x8b, X64_W },
    [IR_MO_8 | IR_MO_SIGN]  = { 0x0fbe, X64_W }, [IR_MO_16 | IR_MO_SIGN] = { 0x0fbf, X64_W },
    [IR_MO_32 | IR_MO_SIGN] = { 0x63, X64_W },   [IR_MO_64 | IR_MO_SIGN] = { 0x8b, X64_W },
};
static const int store_flags[4] = { X64_BYTE, X64_P66, 0, X64_W };

/* A memory operand: base (a register or a constant) + (index << scale) + disp. */
struct x64_mem {
    const struct be_arg *base;
    int index;                  /* host register, or -1 */
    int scale;
    int32_t disp;
};

static void mem_op(struct be_code *c, int flags, uint32_t opc, int reg, const struct x64_mem *m)
{
    const struct be_arg *addr = m->base;
    int32_t disp = m->disp;
    uint64_t abs = addr->imm + (uint64_t)(int64_t)disp;
    if (m->index >= 0) {        /* ldx/stx: base and index are registers */
        x64_emit_op_sib_r(c, flags, opc, reg, addr->reg, m->index, m->scale, disp);
    } else if (!addr->is_const) {
        x64_emit_op_m_r(c, flags, opc, reg, addr->reg, disp);
    } else if ((uint64_t)(int64_t)(int32_t)abs == abs) {
        x64_emit_op_abs_r(c, flags, opc, reg, (int32_t)abs);
    } else {    /* be_imm_fits kept constant + displacement within s32: rax may be live */
        fputs("ferry: x86_64 backend: constant address out of reach\n", stderr);
        abort();
    }
}

static void emit_load(struct be_code *c, unsigned mo, int d, const struct x64_mem *m)
{
    mem_op(c, load_form[mo & 7].flags, load_form[mo & 7].opc, d, m);
}

static void emit_store(struct be_code *c, unsigned mo, const struct x64_mem *m,
                       const struct be_arg *v)
{
    int flags = store_flags[mo & IR_MO_SIZE];
    if (!v->is_const) {
        mem_op(c, flags, (flags & X64_BYTE) ? 0x88 : 0x89, v->reg, m);
        return;
    }
    mem_op(c, flags, (flags & X64_BYTE) ? 0xc6 : 0xc7, 0, m);
    if (flags & X64_BYTE)
        x64_emit_byte(c, (uint8_t)v->imm);
    else if (flags & X64_P66) {
        x64_emit_byte(c, (uint8_t)v->imm);
        x64_emit_byte(c, (uint8_t)(v->imm >> 8));
    } else
        x64_emit_u32(c, (uint32_t)v->imm);
}

_Noreturn void be_unsupported_mem_mode(void)
{
    fputs("ferry: x86_64 backend: guest-memory mode not implemented\n", stderr);
    abort();
}

const struct be_arg *x64_guest_addr(struct be_code *c, unsigned memop, const struct be_arg *addr)
{
    if (!be_access_is_direct(c, memop))
        be_unsupported_mem_mode();
    return addr;
}

/* The guest address of ld/st (index: none) or ldx/stx (index: its input). */
static struct x64_mem guest_mem(struct be_code *c, const struct ir_insn *i,
                                const struct be_arg *base, const struct be_arg *index,
                                const struct be_arg *val)
{
    static const struct be_arg probed = { .reg = X64_RAX };
    if (!be_access_is_direct(c, i->size) && c->mem->soft && c->mem->soft->tlb) {
        x64_tlb_probe(c, i->size, base, index ? index->reg : -1, (int)i->aux[1],
                      (int32_t)i->aux[0], val);     /* software MMU: x64_tlb.c */
        return (struct x64_mem){ .base = &probed, .index = -1 };
    }
    return (struct x64_mem){ .base = x64_guest_addr(c, i->size, base),
                             .index = index ? index->reg : -1, .scale = (int)i->aux[1],
                             .disp = (int32_t)i->aux[0] };
}

static void emit_ld(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in)
{
    struct x64_mem m = guest_mem(c, i, &in[0], i->op == IR_ldx ? &in[1] : NULL, NULL);
    emit_load(c, i->size & ~IR_MO_HOST, out[0].reg, &m);
}

static void emit_st(struct be_code *c, const struct ir_insn *i,
                    const struct be_arg *out, const struct be_arg *in)
{
    struct x64_mem m = guest_mem(c, i, &in[0], i->op == IR_stx ? &in[2] : NULL, &in[1]);
    emit_store(c, i->size & ~IR_MO_HOST, &m, &in[1]);
}

static const struct be_arg env_base = { .reg = X64_ENV };

static struct x64_mem env_mem(const struct ir_insn *i)
{
    return (struct x64_mem){ .base = &env_base, .index = -1,
                             .disp = x64_env_disp((int32_t)i->aux[0]) };
}

static void emit_ld_env(struct be_code *c, const struct ir_insn *i,
                        const struct be_arg *out, const struct be_arg *in)
{
    struct x64_mem m = env_mem(i);
    emit_load(c, i->size, out[0].reg, &m);
}

static void emit_st_env(struct be_code *c, const struct ir_insn *i,
                        const struct be_arg *out, const struct be_arg *in)
{
    if (i->size == IR_MO_64 && in[0].is_const && in[0].imm == 0) {
        x64_env_store_zero(c, (int32_t)i->aux[0]);      /* (vzeroupper's runs) */
        return;
    }
    struct x64_mem m = env_mem(i);
    emit_store(c, i->size, &m, &in[0]);
}

/* ---- calls and exits ---- */

static void emit_call(struct be_code *c, const struct ir_insn *i,
                      const struct be_arg *out, const struct be_arg *in)
{
    be_emit_call(c, ((const struct ir_helper *)(intptr_t)i->aux[0])->fn);
}

static void emit_brcond(struct be_code *c, const struct ir_insn *i,
                        const struct be_arg *out, const struct be_arg *in)
{
    bool back = x64_vloop_back_edge(c, (uint64_t)i->aux[0]);
    uint8_t *compare = c->ptr;
    emit_compare(c, i, in);
    x64_emit_brcond_exit(c, x64_cond_cc(i->cond), (uint64_t)i->aux[0], (int)i->aux[1], compare);
    if (back)
        x64_vloop_after_jcc(c, c->jump_site[(int)i->aux[1]]);
    else
        x64_vloop_cond_exit(c, c->jump_site[(int)i->aux[1]]);
}

static void emit_brexit(struct be_code *c, const struct ir_insn *i,
                        const struct be_arg *out, const struct be_arg *in)
{
    emit_compare(c, i, in);
    x64_emit_brexit(c, x64_cond_cc(i->cond), (uint64_t)i->aux[0], (int)i->aux[1]);
}

static void emit_brflags(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    bool back = x64_vloop_back_edge(c, (uint64_t)i->aux[0]);
    bool adjacent = flags_op.end == c->ptr && flags_op.start >= c->start;
    x64_emit_brcond_exit(c, x64_cond_cc(i->cond), (uint64_t)i->aux[0], (int)i->aux[1],
                         adjacent ? flags_op.start : NULL);
    if (back)
        x64_vloop_after_jcc(c, c->jump_site[(int)i->aux[1]]);
    else
        x64_vloop_cond_exit(c, c->jump_site[(int)i->aux[1]]);
}

static void emit_goto_tb(struct be_code *c, const struct ir_insn *i,
                         const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_goto_tb(c, (uint64_t)i->aux[0], (int)i->aux[1], i->cond);
}

static void emit_exit_indirect(struct be_code *c, const struct ir_insn *i,
                               const struct be_arg *out, const struct be_arg *in)
{
    struct x64_canonical k = { (uint64_t)i->aux[0], ir_canon_undo(i), -1 };
    if (ir_canon_checked(i) && k.undo)
        k.undo_reg = x64_pinned_regs[ir_canon_global(i)];   /* (pinned: ir_canonical.c) */
    x64_emit_exit_indirect(c, &in[0], i->cond, ir_canon_checked(i) ? &k : NULL);
}

static void emit_exit_code(struct be_code *c, const struct ir_insn *i,
                           const struct be_arg *out, const struct be_arg *in)
{
    x64_emit_exit_code(c, (uint64_t)i->aux[0], (int)i->aux[1]);
}

/* A guard load that only backward chains need, first in the block (not
 * behind a vector loop's preamble, x64_vloop.c): other entries come in
 * past it (be_code.entry_off). */
static void emit_exit_request(struct be_code *c, const struct ir_insn *i,
                              const struct be_arg *out, const struct be_arg *in)
{
    bool first = c->ptr == c->start;
    x64_emit_exit_request(c, (uint64_t)i->aux[0], i->aux[1] != 0);
    if (first && (i->aux[1] & IR_REQUEST_GUARD) && (i->aux[1] & IR_REQUEST_BACKWARD_ONLY))
        c->entry_off = (uint8_t)(c->ptr - c->start);
}

static void emit_mov_op(struct be_code *c, const struct ir_insn *i,
                        const struct be_arg *out, const struct be_arg *in)
{
    if (in[0].is_const)
        be_emit_movi(c, out[0].reg, in[0].imm);
    else
        copy_reg(c, X64_W, out[0].reg, in[0].reg);
}

static x64_op_fn *const x64_ops[IR_NUM_OPS] = {
    [IR_mov] = emit_mov_op,
    [IR_add] = emit_alu, [IR_sub] = emit_alu, [IR_and] = emit_alu,
    [IR_or] = emit_alu, [IR_xor] = emit_alu, [IR_andc] = emit_andc,
    [IR_mul] = emit_mul, [IR_mulhu] = emit_mulh, [IR_mulhs] = emit_mulh,
    [IR_shl] = emit_shift, [IR_shr] = emit_shift, [IR_sar] = emit_shift,
    [IR_rotl] = emit_shift, [IR_rotr] = emit_shift,
    [IR_neg] = emit_unary, [IR_not] = emit_unary,
    [IR_ext8u] = emit_ext, [IR_ext8s] = emit_ext, [IR_ext16u] = emit_ext,
    [IR_ext16s] = emit_ext, [IR_ext32u] = emit_ext, [IR_ext32s] = emit_ext,
    [IR_extract] = emit_extract, [IR_deposit] = emit_deposit,
    [IR_bswap] = emit_bswap, [IR_clz] = emit_clz, [IR_ctz] = emit_ctz,
    [IR_setcond] = emit_setcond, [IR_movcond] = emit_movcond,
    [IR_subf] = emit_alu_flags, [IR_addf] = emit_alu_flags, [IR_andf] = emit_alu_flags,
    [IR_setflags] = emit_setflags, [IR_movflags] = emit_movflags, [IR_brflags] = emit_brflags,
    [IR_ld] = emit_ld, [IR_st] = emit_st, [IR_ldx] = emit_ld, [IR_stx] = emit_st,
    [IR_ld_env] = emit_ld_env, [IR_st_env] = emit_st_env,
    [IR_call] = emit_call, [IR_brcond] = emit_brcond, [IR_brexit] = emit_brexit,
    [IR_divu] = x64_emit_div, [IR_divs] = x64_emit_div,
    [IR_goto_tb] = emit_goto_tb,
    [IR_exit_indirect] = emit_exit_indirect, [IR_exit_code] = emit_exit_code,
    [IR_exit_request] = emit_exit_request,
    [IR_canon_test] = x64_emit_canon_test,
    [IR_atomic_rmw] = x64_emit_atomic_rmw, [IR_atomic_cas] = x64_emit_atomic_cas,
    [IR_fence] = x64_emit_fence,
    [IR_VEC_FIRST ... IR_NUM_OPS - 1] = x64_emit_vec,
};

void be_emit_insn(struct be_code *c, const struct ir_insn *insn,
                  const struct be_arg *out, const struct be_arg *in)
{
    x64_op_fn *fn = insn->op < IR_NUM_OPS ? x64_ops[insn->op] : NULL;
    x64_vloop_op_begin(c, insn);
    x64_canon_block_start(c);
    const uint8_t *before = c->ptr;
    bool vec = insn->op >= IR_VEC_FIRST;
    vcache_begin(c);
    if (!vec)
        x64_vec_pend_op_begin();
    if (fn)
        fn(c, insn, out, in);
    if (!vec)
        x64_vec_pend_op(c, insn, before);
    if (insn->op == IR_st_env)
        vcache_forget((int32_t)insn->aux[0], 8);
    /* x64_emit_vec keeps the cache itself */
    vcache_end(c, insn->op >= IR_VEC_FIRST || vcache_keeps_op(c, insn));   /* xmm8-15 */
    x64_vloop_op_end(c, insn);
}
