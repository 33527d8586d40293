/* x86_fma.c -- FMA3: vfmadd, vfmsub, vfnmadd, vfnmsub (132/213/231,
 * ps/pd/ss/sd) and vfmaddsub, vfmsubadd (ps/pd), 128 and 256 bits.  One C
 * helper per 128-bit half computes every lane with a single rounding (the
 * host's fma()/fmaf(), x86_fma_ops.h), under MXCSR's rounding mode and
 * with x86's NaN, DAZ/FTZ and flag rules.
 *
 * Operand roles: op1 is the destination and a source, op2 is VEX.vvvv,
 * op3 the r/m operand; 132: op1*op3 + op2, 213: op2*op1 + op3, 231:
 * op2*op3 + op1.
 */
#pragma GCC optimize("rounding-math", "fp-contract=off")

#include <fenv.h>
#include <math.h>

#include "x86_avx.h"
#include "x86_avx_rows.h"
#include "x86_sse_float.h"

#define FN(name) fma_f32_##name
#define F_WIDTH 32
#include "x86_fma_ops.h"

#define FN(name) fma_f64_##name
#define F_WIDTH 64
#include "x86_fma_ops.h"

/* The row's vimm: operand order, kind, element and shape. */
enum { FMA_132, FMA_213, FMA_231 };
enum { FMA_MADD, FMA_MSUB, FMA_NMADD, FMA_NMSUB, FMA_MADDSUB, FMA_MSUBADD };
#define FMA_IMM(order, kind, dbl, scalar) ((order) | (kind) << 4 | (dbl) << 8 | (scalar) << 9)

/* Whether lane i subtracts c: msub/nmsub always, maddsub on even lanes,
 * msubadd on odd ones. */
static bool fma_neg_c(unsigned kind, int i)
{
    switch (kind) {
    case FMA_MSUB: case FMA_NMSUB: return true;
    case FMA_MADDSUB: return !(i & 1);
    case FMA_MSUBADD: return i & 1;
    default: return false;
    }
}

/* d = op1's half (written), s = op3's, imm = op2's offset | vimm << 16. */
static uint64_t x86_fma_helper(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    unsigned f = (unsigned)(imm >> 16), order = f & 3, kind = f >> 4 & 7;
    bool dbl = f >> 8 & 1, scalar = f >> 9 & 1;
    x86_xmm *op1 = sse_reg(env, d);
    x86_xmm o1 = *op1, o2 = *sse_reg(env, imm & 0xffff), o3 = *sse_reg(env, s);
    const x86_xmm *A = order == FMA_132 ? &o1 : &o2;
    const x86_xmm *B = order == FMA_213 ? &o1 : &o3;
    const x86_xmm *C = order == FMA_132 ? &o2 : order == FMA_213 ? &o3 : &o1;
    bool neg_ab = kind == FMA_NMADD || kind == FMA_NMSUB;
    int lanes = scalar ? 1 : dbl ? 2 : 4, saved = sse_round_enter(env);
    for (int i = 0; i < lanes; i++) {
        if (dbl)
            op1->q[i] = fma_f64_fma(env, A->q[i], B->q[i], C->q[i], neg_ab, fma_neg_c(kind, i));
        else
            op1->d[i] = fma_f32_fma(env, A->d[i], B->d[i], C->d[i], neg_ab, fma_neg_c(kind, i));
    }
    sse_round_leave(saved);
    return 0;
}

static const struct ir_helper fma_helper = { (void *)x86_fma_helper, "fma", 3, 0, 0 };

bool avx_emit_fma(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d = avx_reg(&ops[0]), v = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || d < 0 || v < 0 || !avx_src_ok(&ops[2]) ||
        !avx_row_width(dc, row, &wide))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[2], wide ? 32 : row->mem_bytes);
    struct avx_opnd vv = avx_regop(v);
    uint64_t vimm = (uint64_t)row->vimm << 16;
    avx_call_halves(dc, &fma_helper, avx_regop(d), s, (uint64_t)vv.lo | vimm, (uint64_t)vv.hi | vimm, wide);
    avx_write_done(dc, d, wide);
    return true;
}

#define FMA_ROW(ID, order, kind, dbl, sc, mem) \
    AEM(ID, fma, mem, FMA_IMM(order, kind, dbl, sc), (sc) ? AVX_SCALAR | AVX_128 : 0)
#define FMA_ORDERS(OP, SH, kind, dbl, sc, mem) \
    FMA_ROW(VF##OP##132##SH, FMA_132, kind, dbl, sc, mem), \
    FMA_ROW(VF##OP##213##SH, FMA_213, kind, dbl, sc, mem), \
    FMA_ROW(VF##OP##231##SH, FMA_231, kind, dbl, sc, mem)
#define FMA_PACKED(OP, kind) FMA_ORDERS(OP, PS, kind, 0, 0, 16), FMA_ORDERS(OP, PD, kind, 1, 0, 16)
#define FMA_ALL(OP, kind) \
    FMA_PACKED(OP, kind), FMA_ORDERS(OP, SS, kind, 0, 1, 4), FMA_ORDERS(OP, SD, kind, 1, 1, 8)

static const struct avx_row fma_rows[] = {
    FMA_ALL(MADD, FMA_MADD), FMA_ALL(MSUB, FMA_MSUB), FMA_ALL(NMADD, FMA_NMADD),
    FMA_ALL(NMSUB, FMA_NMSUB), FMA_PACKED(MADDSUB, FMA_MADDSUB), FMA_PACKED(MSUBADD, FMA_MSUBADD),
};

const struct x86_row_set x86_fma_rows = X86_ROW_SET_OF("fma", fma_rows, insn);
