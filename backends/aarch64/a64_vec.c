/* a64_vec.c -- the vector IR ops (ir_ops.def, IR_F_VEC) on AArch64 with
 * Advanced SIMD: operands are loaded from env into v0 (a) and v1 (b), the
 * result is built in v2 and stored to d.  Scratch: v0-v7 (v8-v15 are
 * callee-saved in AAPCS64 and never touched), x16, x17.
 *
 * Integer and data-movement ops are exact by construction.  Float ops
 * compute with host IEEE arithmetic and take the op's exact C helper (the
 * slow path) whenever the result or the MXCSR flags might differ from
 * x86's: MXCSR not in its default state (input 0), any NaN or denormal
 * input, a NaN result (x86's default NaN is negative, ARM's positive), a
 * result of magnitude up to the smallest normal (ARM detects tininess
 * before rounding, x86 after, so their underflow flags differ there),
 * out-of-range integer conversions (ARM saturates, x86 gives the integer
 * indefinite).  The host's sticky FPSR flags are the guest's MXCSR flags
 * (x86_sse_float.c reads them), so FPSR is saved before the fast path and
 * restored before the slow path runs.
 *
 * The slow path calls fn(env, d, s, imm) through one stub per code cache
 * (a64_vec_emit_stub, right before the epilogue) that saves the
 * call-clobbered registers holding values (temporaries, pinned globals):
 * x16 = fn, x17 = d | imm << 32, d7 = s; the helper's result comes back
 * in x16.
 */
#include <stdlib.h>
#include <string.h>

#include "a64_emit.h"
#include "a64_encode_simd.h"
#include "a64_vec.h"

enum { VA = 0, VB = 1, VR = 2, VT = 3, VU = 4, VM = 5, VC = 6, VS = 7 };
enum { MAX_SLOW = 8 };

struct vctx {
    struct be_code *c;
    const struct ir_insn *i;
    uint8_t *slow[MAX_SLOW];        /* branches to the slow path */
    int n_slow;
    bool fpsr_saved, have_mask;
};

/* The stub's length: it ends where the epilogue starts (the same code in
 * every code cache). */
static ptrdiff_t stub_bytes = -1;

static void put(struct vctx *v, uint32_t w) { a64_put(v->c, w); }

/* ---- operands ---- */

/* ldr/str of 1 << size_log2 bytes (4 s, 8 d, 16 q) at env + off. */
void a64_vec_env_ldst(struct be_code *c, unsigned size_log2, bool load, unsigned vreg,
                      int32_t off)
{
    int32_t scale = 1 << size_log2;
    if (off >= 0 && off % scale == 0 && off / scale < 4096) {
        a64_put(c, a64_fp_ldst_unsigned_imm(size_log2, load, (unsigned)(off / scale), A64_ENV, vreg));
    } else if (off >= -256 && off < 256) {
        a64_put(c, a64_fp_ldst_unscaled_imm(size_log2, load, off, A64_ENV, vreg));
    } else {
        be_emit_movi(c, A64_TMP0, (uint64_t)(int64_t)off);
        a64_put(c, a64_fp_ldst_reg_offset(size_log2, load, A64_TMP0, A64_ENV, vreg));
    }
}

static void vmem(struct vctx *v, unsigned size_log2, bool load, unsigned vreg, int32_t off)
{
    a64_vec_env_ldst(v->c, size_log2, load, vreg, off);
}

static void load_ab(struct vctx *v, unsigned size_log2)
{
    vmem(v, size_log2, true, VA, ir_vec_a(v->i));
    vmem(v, size_log2, true, VB, ir_vec_b(v->i));
}

static void store_r(struct vctx *v, unsigned size_log2)
{
    vmem(v, size_log2, false, VR, ir_vec_d(v->i));
}

/* ---- branches to the slow path ---- */

static void to_slow(struct vctx *v, uint32_t branch_without_offset)
{
    if (v->n_slow >= MAX_SLOW)
        abort();                    /* a ferry bug: raise MAX_SLOW */
    v->slow[v->n_slow++] = v->c->ptr;
    put(v, branch_without_offset);
}

static void patch19(struct be_code *c, uint8_t *at, const uint8_t *target)
{
    uint32_t w;
    memcpy(&w, at, 4);
    w |= (uint32_t)(((target - at) >> 2) & 0x7ffff) << 5;
    memcpy(be_writable(c, at), &w, 4);
}

/* Input 0 (the MXCSR mode) nonzero: slow path.  False: always slow. */
static bool mode_check(struct vctx *v, const struct be_arg *mode)
{
    if (mode->is_const)
        return mode->imm == 0;
    to_slow(v, a64_compare_branch_imm(true, true, 0, mode->reg));
    return true;
}

static void save_fpsr(struct vctx *v)
{
    put(v, a64_mrs_fpsr(A64_TMP1));
    v->fpsr_saved = true;
}

/* ---- checks: lanes that need the slow path accumulate in VM ---- */

static void accumulate(struct vctx *v, unsigned t)
{
    put(v, a64_simd_logic(true, A64_V_ORR, t, v->have_mask ? VM : t, VM));
    v->have_mask = true;
}

/* VC = all ones (the -1 of tiny_bytes). */
static void ones(struct vctx *v)
{
    put(v, a64_simd_movi2d_ones(VC));
}

/* t = ((|x| << 1) - 1) >> k per lane, zero exactly when 0 < |x| <= the
 * smallest normal for binary32 (k = 24).  Binary64 uses k = 56, which
 * also counts the normals below 2^-1015 but leaves every lane's test in
 * its low byte, so that umin merges two operands' tests.  Integer SIMD
 * only: no FP flags, and cheap wherever SIMD integer ops are. */
static void tiny_bytes(struct vctx *v, bool q, bool dbl, unsigned x, unsigned t)
{
    unsigned e = dbl ? 3 : 2;
    put(v, a64_simd_shift_imm(q, A64_V_SHL, e, 1, x, t));
    put(v, a64_simd_3same(q, A64_V_ADD, e, VC, t, t));
    put(v, a64_simd_shift_imm(q, A64_V_USHR, e, dbl ? 56 : 24, t, t));
}

/* Lanes where x (or y, if y >= 0) is denormal or the smallest normal
 * (for an input: DE; for a result: possibly x86-tiny).  Needs ones(). */
static void chk_tiny(struct vctx *v, bool q, bool dbl, unsigned x, int y)
{
    tiny_bytes(v, q, dbl, x, VT);
    if (y >= 0) {
        tiny_bytes(v, q, dbl, (unsigned)y, VU);
        put(v, a64_simd_3same(q, A64_V_UMIN, 0, VU, VT, VT));
    }
    put(v, a64_simd_2misc(q, A64_V_CMEQ0, dbl ? 3 : 2, VT, VT));
    accumulate(v, VT);
}

/* NaN lanes (x != x). */
static void chk_nan(struct vctx *v, bool q, bool dbl, unsigned x)
{
    put(v, a64_simd_3same(q, A64_V_FCMEQ, a64_fsz(dbl, false), x, x, VT));
    if (q && v->have_mask) {
        put(v, a64_simd_logic(true, A64_V_ORN, VT, VM, VM));
        return;
    }
    put(v, a64_simd_2misc(q, A64_V_NOT, 0, VT, VT));
    accumulate(v, VT);
}

/* Integer lanes (32-bit) equal to INT32_MIN or INT32_MAX: x ^ (x >> 31)
 * is 0x7fffffff exactly for those. */
static void chk_saturated(struct vctx *v, bool q, unsigned x)
{
    put(v, a64_simd_shift_imm(q, A64_V_SSHR, 2, 31, x, VT));
    put(v, a64_simd_logic(q, A64_V_EOR, x, VT, VT));
    put(v, a64_simd_mvni4s_lsl(VU, 0x80, 24));
    put(v, a64_simd_3same(q, A64_V_CMEQ, 2, VU, VT, VT));
    accumulate(v, VT);
}

static void reduce_mask(struct vctx *v)
{
    if (!v->have_mask)
        return;
    put(v, a64_simd_umaxv(true, 2, VM, VT));
    put(v, a64_fp_int(false, 0, A64_FMOV_TO_G, VT, A64_TMP0));
    to_slow(v, a64_compare_branch_imm(false, true, 0, A64_TMP0));
    v->have_mask = false;
}

/* ---- integer and data-movement ops ---- */

/* and/orr/eor; vandn is bic with the operands swapped (emit_int2). */
static const uint8_t logic3[IR_NUM_OPS] = {
    [IR_vand] = A64_V_AND + 1, [IR_vor] = A64_V_ORR + 1, [IR_vxor] = A64_V_EOR + 1,
    [IR_vandn] = A64_V_BIC + 1,
};

static const struct { uint8_t op, sizes; } int3[IR_NUM_OPS] = {
    [IR_vadd] = { A64_V_ADD, 0xf },     [IR_vsub] = { A64_V_SUB, 0xf },
    [IR_vadds] = { A64_V_SQADD, 0xf },  [IR_vaddus] = { A64_V_UQADD, 0xf },
    [IR_vsubs] = { A64_V_SQSUB, 0xf },  [IR_vsubus] = { A64_V_UQSUB, 0xf },
    [IR_vmul] = { A64_V_MUL, 0x7 },     [IR_vcmpeq] = { A64_V_CMEQ, 0xf },
    [IR_vcmpgt] = { A64_V_CMGT, 0xf },  [IR_vmins] = { A64_V_SMIN, 0x7 },
    [IR_vmaxs] = { A64_V_SMAX, 0x7 },   [IR_vminu] = { A64_V_UMIN, 0x7 },
    [IR_vmaxu] = { A64_V_UMAX, 0x7 },   [IR_vavgu] = { A64_V_URHADD, 0x7 },
};

/* Whether op has an inline form for element size e (else: the helper). */
static bool int2_inline(enum ir_op op, unsigned e)
{
    if ((int3[op].sizes & (1u << e)) || logic3[op])
        return true;
    switch (op) {
    case IR_vmulhs: case IR_vmulhu: case IR_vmaddw: return e == IR_VE_16;
    case IR_vmulwu:                 return e == IR_VE_32;
    case IR_vsadu: case IR_vtbl:    return e == IR_VE_8;
    case IR_vpackss: case IR_vpackus: return e == IR_VE_16 || e == IR_VE_32;
    case IR_vziplo: case IR_vziphi: return true;
    default:                        return false;
    }
}

/* Product halves: smull/umull of the low and high halves into VT, VU. */
static void mull_halves(struct vctx *v, bool is_unsigned, unsigned e)
{
    put(v, a64_simd_mull(false, is_unsigned, e, VB, VA, VT));
    put(v, a64_simd_mull(true, is_unsigned, e, VB, VA, VU));
}

static void emit_mul_wide(struct vctx *v, unsigned e)
{
    switch (v->i->op) {
    case IR_vmulhs: case IR_vmulhu:
        mull_halves(v, v->i->op == IR_vmulhu, e);
        put(v, a64_simd_permute(true, A64_V_UZP2, e, VU, VT, VR));
        break;
    case IR_vmaddw:
        mull_halves(v, false, e);
        put(v, a64_simd_3same(true, A64_V_ADDP, e + 1, VU, VT, VR));
        break;
    default:                        /* vmulwu: even lanes narrowed, widen-multiplied */
        put(v, a64_simd_2misc(false, A64_V_XTN, e, VA, VT));
        put(v, a64_simd_2misc(false, A64_V_XTN, e, VB, VU));
        put(v, a64_simd_mull(false, true, e, VU, VT, VR));
        break;
    }
}

static void emit_int_special(struct vctx *v, unsigned e)
{
    switch (v->i->op) {
    case IR_vsadu:
        put(v, a64_simd_3same(true, A64_V_UABD, 0, VB, VA, VR));
        for (unsigned s = 0; s < 3; s++)
            put(v, a64_simd_2misc(true, A64_V_UADDLP, s, VR, VR));
        break;
    case IR_vpackss: case IR_vpackus: {
        enum a64_simd_2misc_op n = v->i->op == IR_vpackss ? A64_V_SQXTN : A64_V_SQXTUN;
        put(v, a64_simd_2misc(false, n, e - 1, VA, VR));
        put(v, a64_simd_2misc(true, n, e - 1, VB, VR));
        break;
    }
    case IR_vziplo: case IR_vziphi:
        put(v, a64_simd_permute(true, v->i->op == IR_vziplo ? A64_V_ZIP1 : A64_V_ZIP2, e,
                                VB, VA, VR));
        break;
    case IR_vtbl:                   /* x86 index bit 7 -> out of tbl's range */
        put(v, a64_simd_movi16b(VT, 0x8f));
        put(v, a64_simd_logic(true, A64_V_AND, VT, VB, VT));
        put(v, a64_simd_tbl1(true, VT, VA, VR));
        break;
    default:
        emit_mul_wide(v, e);
        break;
    }
}

/* Two-source lane ops: a in VA, b in VB, result to d. */
static bool emit_int2(struct vctx *v)
{
    unsigned e = v->i->size & IR_VE_MASK;
    if (ir_vec_scalar(v->i) || !int2_inline(v->i->op, e))
        return false;
    load_ab(v, 4);
    if (v->i->op == IR_vandn)
        put(v, a64_simd_logic(true, A64_V_BIC, VA, VB, VR));
    else if (logic3[v->i->op])
        put(v, a64_simd_logic(true, logic3[v->i->op] - 1, VB, VA, VR));
    else if (int3[v->i->op].sizes & (1u << e))
        put(v, a64_simd_3same(true, int3[v->i->op].op, e, VB, VA, VR));
    else
        emit_int_special(v, e);
    store_r(v, 4);
    return true;
}

static void zero_r(struct vctx *v) { put(v, a64_simd_movi16b(VR, 0)); }

/* d = a shifted by n bytes: ext over a zero vector. */
static void byte_shift(struct vctx *v, bool left, unsigned n)
{
    put(v, a64_simd_movi16b(VT, 0));
    if (left)
        put(v, a64_simd_ext(true, VA, 16 - n, VT, VR));
    else
        put(v, a64_simd_ext(true, VT, n, VA, VR));
}

/* Shifts of a by imm: lanes (vshli/vshri/vsari) or bytes (vshlb/vshrb);
 * a zero count stores a unchanged. */
static bool emit_shift(struct vctx *v)
{
    enum ir_op op = v->i->op;
    unsigned e = v->i->size & IR_VE_MASK, n = ir_vec_imm(v->i), bits = 8u << e;
    bool bytes = op == IR_vshlb || op == IR_vshrb;
    vmem(v, 4, true, VA, ir_vec_a(v->i));
    if (n == 0) {
        vmem(v, 4, false, VA, ir_vec_d(v->i));
        return true;
    }
    if (n >= (bytes ? 16 : bits) && op != IR_vsari)
        zero_r(v);
    else if (bytes)
        byte_shift(v, op == IR_vshlb, n);
    else if (op == IR_vshli)
        put(v, a64_simd_shift_imm(true, A64_V_SHL, e, n, VA, VR));
    else
        put(v, a64_simd_shift_imm(true, op == IR_vshri ? A64_V_USHR : A64_V_SSHR, e,
                                  n < bits ? n : bits, VA, VR));
    store_r(v, 4);
    return true;
}

static bool shuffle_inline(enum ir_op op, unsigned e)
{
    switch (op) {
    case IR_vshuf:                  return e == IR_VE_32;
    case IR_vshuflo: case IR_vshufhi: return e == IR_VE_16;
    default:                        return e == IR_VE_32 || e == IR_VE_64;
    }
}

/* Lane shuffles by imm, with ins (mov Vd.T[i], Vn.T[j]). */
static bool emit_shuffle(struct vctx *v)
{
    unsigned imm = ir_vec_imm(v->i), e = v->i->size & IR_VE_MASK;
    if (!shuffle_inline(v->i->op, e))
        return false;
    load_ab(v, 4);
    if (v->i->op == IR_vshuf) {
        for (unsigned k = 0; k < 4; k++)
            put(v, a64_simd_ins_elem(2, k, imm >> 2 * k & 3, VB, VR));
    } else if (v->i->op != IR_vshuf2) {
        unsigned base = v->i->op == IR_vshufhi ? 4 : 0;
        put(v, a64_simd_logic(true, A64_V_ORR, VB, VB, VR));
        for (unsigned k = 0; k < 4; k++)
            put(v, a64_simd_ins_elem(1, base + k, base + (imm >> 2 * k & 3), VB, VR));
    } else if (e == IR_VE_32) {
        for (unsigned k = 0; k < 4; k++)
            put(v, a64_simd_ins_elem(2, k, imm >> 2 * k & 3, k < 2 ? VA : VB, VR));
    } else {
        put(v, a64_simd_ins_elem(3, 0, imm & 1, VA, VR));
        put(v, a64_simd_ins_elem(3, 1, imm >> 1 & 1, VB, VR));
    }
    store_r(v, 4);
    return true;
}

/* ---- float ops ---- */

static bool is_dbl(const struct ir_insn *i) { return (i->size & IR_VE_MASK) == IR_VE_64; }
static unsigned ftype(const struct ir_insn *i) { return is_dbl(i); }
/* Access size of one operand: a lane for scalar forms, else the vector. */
static unsigned fsize(const struct ir_insn *i) { return ir_vec_scalar(i) ? 2 + is_dbl(i) : 4; }

static const uint8_t fp2_scalar[IR_NUM_OPS] = {
    [IR_vfadd] = A64_FADD, [IR_vfsub] = A64_FSUB, [IR_vfmul] = A64_FMUL, [IR_vfdiv] = A64_FDIV,
};

static void arith_op(struct vctx *v, bool dbl)
{
    const struct ir_insn *i = v->i;
    if (ir_vec_scalar(i) && i->op == IR_vfsqrt)
        put(v, a64_fp_1src(ftype(i), A64_FSQRT, VB, VR));
    else if (ir_vec_scalar(i))
        put(v, a64_fp_2src(ftype(i), fp2_scalar[i->op], VB, VA, VR));
    else if (i->op == IR_vfsqrt)
        put(v, a64_simd_2misc(true, A64_V_FSQRT, a64_fsz(dbl, true), VB, VR));
    else if (i->op == IR_vfadd || i->op == IR_vfsub)
        put(v, a64_simd_3same(true, A64_V_FADD, a64_fsz(dbl, i->op == IR_vfsub), VB, VA, VR));
    else
        put(v, a64_simd_3same(true, i->op == IR_vfmul ? A64_V_FMUL : A64_V_FDIV,
                              a64_fsz(dbl, false), VB, VA, VR));
}

/* add sub mul div sqrt: denormal inputs, NaN results, and for mul/div
 * results at the underflow boundary take the slow path. */
static void emit_arith(struct vctx *v)
{
    const struct ir_insn *i = v->i;
    bool dbl = is_dbl(i), unary = i->op == IR_vfsqrt;
    load_ab(v, fsize(i));
    ones(v);
    chk_tiny(v, true, dbl, VB, unary ? -1 : VA);
    arith_op(v, dbl);
    chk_nan(v, true, dbl, VR);
    if (i->op == IR_vfmul || i->op == IR_vfdiv)
        chk_tiny(v, true, dbl, VR, -1);
    reduce_mask(v);
    store_r(v, fsize(i));
}

/* Operands a and b must be neither NaN nor denormal. */
static void plain_inputs(struct vctx *v, bool q, bool dbl)
{
    ones(v);
    chk_nan(v, q, dbl, VA);
    chk_nan(v, q, dbl, VB);
    chk_tiny(v, q, dbl, VA, VB);
    reduce_mask(v);
}

/* fcmgt (fcmge with `ge`) d = n > m. */
static uint32_t fcmgt(bool dbl, bool ge, unsigned m, unsigned n, unsigned d)
{
    return a64_simd_3same(true, A64_V_FCMGE, a64_fsz(dbl, !ge), m, n, d);
}

/* x86 min/max: a < b ? a : b and a > b ? a : b, so the second operand
 * when equal (zeros of either sign). */
static void emit_minmax(struct vctx *v)
{
    bool dbl = is_dbl(v->i);
    load_ab(v, fsize(v->i));
    plain_inputs(v, true, dbl);
    if (v->i->op == IR_vfmin)
        put(v, fcmgt(dbl, false, VA, VB, VR));
    else
        put(v, fcmgt(dbl, false, VB, VA, VR));
    put(v, a64_simd_logic(true, A64_V_BSL, VB, VA, VR));
    store_r(v, fsize(v->i));
}

/* cmpps predicates on ordered, normal operands. */
static void emit_cmp(struct vctx *v)
{
    bool dbl = is_dbl(v->i);
    unsigned pred = ir_vec_imm(v->i) & 7;
    load_ab(v, fsize(v->i));
    plain_inputs(v, true, dbl);
    switch (pred & 3) {
    case 0: put(v, a64_simd_3same(true, A64_V_FCMEQ, a64_fsz(dbl, false), VB, VA, VR)); break;
    case 1: put(v, fcmgt(dbl, false, VA, VB, VR)); break;
    case 2: put(v, fcmgt(dbl, true, VA, VB, VR)); break;
    default: put(v, a64_simd_movi16b(VR, 0)); break;    /* unord */
    }
    if (pred & 4)
        put(v, a64_simd_2misc(true, A64_V_NOT, 0, VR, VR));
    store_r(v, fsize(v->i));
}

/* ucomis/comis: EFLAGS CF (a < b) and ZF (a == b) of ordered operands. */
static void emit_comi(struct vctx *v, const struct be_arg *out)
{
    bool dbl = is_dbl(v->i);
    unsigned r = out[0].reg;
    load_ab(v, 2 + dbl);
    plain_inputs(v, true, dbl);
    put(v, a64_fp_compare(dbl, false, VB, VA));
    put(v, a64_cset(false, r, A64_MI));
    put(v, a64_cset(false, A64_TMP0, A64_EQ));
    put(v, a64_logical_shifted_reg(false, A64_ORR, false, A64_LSL, A64_TMP0, 6, r, r));
}

static void emit_cvti2f(struct vctx *v, const struct be_arg *in)
{
    bool dbl = is_dbl(v->i), wide = ir_vec_imm(v->i) == 8;
    unsigned src = a64_src(v->c, &in[1], A64_TMP0, 64);
    put(v, a64_fp_int(wide, dbl, A64_SCVTF_G, src, VR));
    store_r(v, 2 + dbl);
}

/* Float to int: NaN (ARM gives 0) and saturated results (ARM clamps, x86
 * gives the integer indefinite) take the slow path. */
static void emit_cvtf2i(struct vctx *v, const struct be_arg *out)
{
    bool dbl = is_dbl(v->i), wide = (ir_vec_imm(v->i) & 0xff) == 8;
    bool trunc = ir_vec_imm(v->i) & 0x100;
    unsigned r = out[0].reg;
    vmem(v, 2 + dbl, true, VB, ir_vec_b(v->i));
    put(v, a64_fp_compare(dbl, false, VB, VB));
    to_slow(v, a64_cond_branch_imm(A64_VS, 0));
    put(v, a64_fp_int(wide, dbl, trunc ? A64_FCVTZS_G : A64_FCVTNS_G, VB, r));
    put(v, a64_logical_shifted_reg(wide, A64_EOR, false, A64_ASR, r, wide ? 63 : 31, r,
                                   A64_TMP0));
    put(v, a64_add_sub_imm(wide, false, true, false, 1, A64_TMP0, A64_TMP0));
    to_slow(v, a64_cond_branch_imm(A64_VS, 0));
}

static void emit_cvtf2f(struct vctx *v)
{
    const struct ir_insn *i = v->i;
    bool from_dbl = is_dbl(i), sc = ir_vec_scalar(i);
    vmem(v, sc ? 2 + from_dbl : 4, true, VB, ir_vec_b(i));
    ones(v);
    chk_nan(v, sc || from_dbl, from_dbl, VB);
    chk_tiny(v, sc || from_dbl, from_dbl, VB, -1);
    if (sc)
        put(v, a64_fp_1src(from_dbl, from_dbl ? A64_FCVT_TO_S : A64_FCVT_TO_D, VB, VR));
    else
        put(v, a64_simd_2misc(false, from_dbl ? A64_V_FCVTN : A64_V_FCVTL, 1, VB, VR));  /* sz 1: 2s <-> 2d */
    if (from_dbl)                   /* narrowing: the underflow boundary */
        chk_tiny(v, true, false, VR, -1);
    reduce_mask(v);
    store_r(v, sc ? 2 + !from_dbl : 4);
}

static void emit_cvti2fv(struct vctx *v)
{
    bool dbl = is_dbl(v->i);
    vmem(v, 4, true, VB, ir_vec_b(v->i));
    unsigned src = VB;
    if (dbl) {
        put(v, a64_simd_shift_imm(false, A64_V_SSHLL, 2, 0, VB, VR));
        src = VR;
    }
    put(v, a64_simd_2misc(true, A64_V_SCVTF, a64_fsz(dbl, false), src, VR));
    store_r(v, 4);
}

static void emit_cvtf2iv(struct vctx *v)
{
    bool dbl = is_dbl(v->i), trunc = ir_vec_imm(v->i) & 0x100;
    vmem(v, 4, true, VB, ir_vec_b(v->i));
    chk_nan(v, true, dbl, VB);
    put(v, a64_simd_2misc(true, trunc ? A64_V_FCVTZS : A64_V_FCVTNS, a64_fsz(dbl, trunc), VB, VR));
    if (dbl)
        put(v, a64_simd_2misc(false, A64_V_SQXTN, 2, VR, VR));
    chk_saturated(v, !dbl, VR);
    reduce_mask(v);
    store_r(v, 4);
}

static bool emit_float(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    enum ir_op op = v->i->op;
    if (in[0].is_const && in[0].imm)
        return false;
    if (op != IR_vcvti2f && op != IR_vcvti2fv)      /* the others may raise flags */
        save_fpsr(v);           /* before any branch to the slow path, which restores it */
    mode_check(v, &in[0]);
    switch (v->i->op) {
    case IR_vfadd: case IR_vfsub: case IR_vfmul: case IR_vfdiv: case IR_vfsqrt:
        emit_arith(v); break;
    case IR_vfmin: case IR_vfmax: emit_minmax(v); break;
    case IR_vfcmp:   emit_cmp(v); break;
    case IR_vfcomi:  emit_comi(v, out); break;
    case IR_vcvti2f: emit_cvti2f(v, in); break;
    case IR_vcvtf2i: emit_cvtf2i(v, out); break;
    case IR_vcvtf2f: emit_cvtf2f(v); break;
    case IR_vcvti2fv: emit_cvti2fv(v); break;
    default:         emit_cvtf2iv(v); break;
    }
    return true;
}

/* ---- moves ---- */

static void emit_move(struct vctx *v, const struct be_arg *in)
{
    const struct ir_insn *i = v->i;
    unsigned n = ir_vec_imm(i), sl = n == 4 ? 2 : n == 8 ? 3 : 4;
    unsigned base;
    switch (i->op) {
    case IR_vmov:                   /* ldr s/d zero the rest */
        vmem(v, sl, true, VA, ir_vec_b(i));
        break;
    case IR_vmovl:
        vmem(v, 4, true, VA, ir_vec_a(i));
        vmem(v, sl, true, VB, ir_vec_b(i));
        put(v, a64_simd_ins_elem(sl, 0, 0, VB, VA));
        break;
    case IR_vfromg:                 /* fmov d0, x zeroes the upper half */
        put(v, a64_fp_int(true, 1, A64_FMOV_FROM_G, a64_src_zr(v->c, &in[0], A64_TMP0, 64), VA));
        break;
    case IR_vld:
        base = a64_guest_addr(v->c, IR_MO_64, &in[0]);
        put(v, a64_fp_ldst_unsigned_imm(sl, true, 0, base, VA));
        break;
    default:                        /* vst */
        vmem(v, sl, true, VA, ir_vec_b(i));
        base = a64_guest_addr(v->c, IR_MO_64, &in[0]);
        put(v, a64_fp_ldst_unsigned_imm(sl, false, 0, base, VA));
        return;
    }
    vmem(v, 4, false, VA, ir_vec_d(i));
}

/* ---- dispatch, slow path ---- */

static bool emit_inline(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    if (IR_VEC_IS_MOVE(v->i->op)) {
        emit_move(v, in);
        return true;
    }
    switch (v->i->op) {
    case IR_vshli: case IR_vshri: case IR_vsari: case IR_vshlb: case IR_vshrb:
        return emit_shift(v);
    case IR_vshuf: case IR_vshuflo: case IR_vshufhi: case IR_vshuf2:
        return emit_shuffle(v);
    case IR_vmskeq: case IR_vmskz: case IR_vmskany:
        return a64_emit_vec_str(v->c, v->i, out);
    default:
        if (ir_op_info[v->i->op].n_in)
            return emit_float(v, out, in);
        return emit_int2(v);
    }
}

static void call_stub(struct vctx *v)
{
    const uint8_t *stub = v->c->epilogue - stub_bytes;
    if (stub_bytes < 0)
        abort();                    /* no prologue emitted: a ferry bug */
    if (a64_emit_branch_code(v->c, stub, true))
        return;
    a64_emit_movi_addr(v->c, A64_LR, stub, BE_RELOC_CODE);
    put(v, a64_uncond_branch_reg(A64_BLR, A64_LR));
}

/* fn(env, d, s, imm) through the stub; s is b's offset or (vcvti2f) the
 * integer input's value. */
static void emit_slow(struct vctx *v, const struct be_arg *out, const struct be_arg *in)
{
    const struct ir_insn *i = v->i;
    if (v->fpsr_saved)
        put(v, a64_msr_fpsr(A64_TMP1));
    if (i->op == IR_vcvti2f)
        be_emit_mov(v->c, A64_TMP0, a64_src(v->c, &in[1], A64_TMP0, 64));
    else
        be_emit_movi(v->c, A64_TMP0, (uint64_t)ir_vec_b(i));
    put(v, a64_fp_int(true, 1, A64_FMOV_FROM_G, A64_TMP0, VS));
    a64_emit_movi_addr(v->c, A64_TMP0, ir_vec_helper(i)->fn, BE_RELOC_HOST);
    be_emit_movi(v->c, A64_TMP1, (uint64_t)(uint32_t)ir_vec_d(i) | (uint64_t)ir_vec_imm(i) << 32);
    call_stub(v);
    if (ir_op_info[i->op].n_out)
        be_emit_mov(v->c, out[0].reg, A64_TMP0);
}

void a64_emit_vec(struct be_code *c, const struct ir_insn *insn, unsigned param,
                  const struct be_arg *out, const struct be_arg *in)
{
    struct vctx v = { .c = c, .i = insn };
    if (!emit_inline(&v, out, in)) {
        v.fpsr_saved = false;
        emit_slow(&v, out, in);
        return;
    }
    if (!v.n_slow)
        return;
    uint8_t *skip = c->ptr;
    put(&v, a64_uncond_branch_imm(false, 0));
    for (int k = 0; k < v.n_slow; k++)
        patch19(c, v.slow[k], c->ptr);
    emit_slow(&v, out, in);
    uint32_t b = a64_uncond_branch_imm(false, (int32_t)(c->ptr - skip));
    memcpy(be_writable(c, skip), &b, 4);
}

/* Saves every call-clobbered register translated code may hold a value
 * in (x0-x15: temporaries, pinned globals; x18) and x30, calls x16(env,
 * w17, d7, x17 >> 32), returns the result in x16.  sp stays 16-byte
 * aligned. */
void a64_vec_emit_stub(struct be_code *c)
{
    struct vctx v = { .c = c };
    uint8_t *start = c->ptr;
    put(&v, a64_load_store_pair(false, A64_PAIR_PRE, -18, 1, A64_SP, 0));
    for (unsigned r = 2; r < 16; r += 2)
        put(&v, a64_load_store_pair(false, A64_PAIR_OFFSET, (int)r, r + 1, A64_SP, r));
    put(&v, a64_load_store_pair(false, A64_PAIR_OFFSET, 16, 18, A64_SP, A64_LR));
    put(&v, a64_mov(true, 0, A64_ENV));
    put(&v, a64_mov(false, 1, A64_TMP1));
    put(&v, a64_fp_int(true, 1, A64_FMOV_TO_G, VS, 2));
    put(&v, a64_lsr_imm(true, 3, A64_TMP1, 32));
    put(&v, a64_uncond_branch_reg(A64_BLR, A64_TMP0));
    put(&v, a64_mov(true, A64_TMP0, 0));
    put(&v, a64_load_store_pair(true, A64_PAIR_OFFSET, 16, 18, A64_SP, A64_LR));
    for (unsigned r = 2; r < 16; r += 2)
        put(&v, a64_load_store_pair(true, A64_PAIR_OFFSET, (int)r, r + 1, A64_SP, r));
    put(&v, a64_load_store_pair(true, A64_PAIR_POST, 18, 1, A64_SP, 0));
    put(&v, a64_ret());
    stub_bytes = c->ptr - start;
}
