/* x86_sse41_fp.c -- helpers of the SSE4.1 floating-point instructions:
 * roundps/pd/ss/sd (rounding to an integral value in integer C, so the
 * result and the flags never depend on the host) and the dot products
 * dpps/dppd (a sequence of x86 multiplies and adds, each rounded, in the
 * order the SDM gives, returning the NaN Intel or AMD does: dpps_sums; an
 * unmasked exception of the multiplies stops the instruction before the
 * adds, and the multiplies' flags stay when an add stops on an unmasked
 * DE: sse_step_stops).
 */
#include "x86_sse.h"
#include "x86_sse_float.h"

/* An IEEE format by its widths: 23/8 (single) or 52/11 (double). */
struct sse41_fmt { int mant, exp; };
static const struct sse41_fmt sse41_f32 = { 23, 8 }, sse41_f64 = { 52, 11 };

/* Whether rounding away the `frac` bits (of which `half` is the top one)
 * increases the magnitude, in rounding mode 0..3 (nearest, down, up,
 * toward zero); `odd` is the lowest kept bit. */
static bool sse41_round_up(unsigned mode, bool neg, uint64_t frac, uint64_t half, bool odd)
{
    switch (mode) {
    case 0:  return frac > half || (frac == half && odd);
    case 1:  return neg;
    case 2:  return !neg;
    default: return false;
    }
}

/* imm[1:0] mode unless imm[2] (then MXCSR.RC); imm[3] suppresses the
 * precision exception.  SNaN -> QNaN with IE; DAZ reads denormals as 0. */
static uint64_t sse41_round(struct x86_cpu *env, uint64_t a, struct sse41_fmt f, unsigned imm)
{
    unsigned mode = imm & 4 ? (env->mxcsr >> SSE_MXCSR_RC_SHIFT) & 3 : imm & 3;
    uint64_t sign = 1ull << (f.mant + f.exp), emax = (1ull << f.exp) - 1;
    uint64_t quiet = 1ull << (f.mant - 1), mant_mask = (1ull << f.mant) - 1;
    uint64_t e = (a >> f.mant) & emax, bias = emax >> 1;
    if (e == emax && (a & mant_mask)) {
        if (!(a & quiet))
            env->mxcsr |= SSE_MXCSR_IE;
        return a | quiet;
    }
    if (e == 0 && (env->mxcsr & SSE_MXCSR_DAZ))
        a &= sign;
    if (e >= bias + (uint64_t)f.mant || (a & ~sign) == 0)
        return a;                               /* integral, infinite or zero */
    uint64_t r;
    if (e < bias) {                 /* 0 < |a| < 1: compare with 0.5 */
        bool one = sse41_round_up(mode, a & sign, a & ~sign, (bias - 1) << f.mant, false);
        r = (a & sign) | (one ? bias << f.mant : 0);
    } else {
        unsigned bits = (unsigned)(bias + (uint64_t)f.mant - e);
        uint64_t m = (1ull << bits) - 1, frac = a & m;
        if (!frac)
            return a;
        bool up = sse41_round_up(mode, a & sign, frac, 1ull << (bits - 1), a >> bits & 1);
        r = (a & ~m) + (up ? 1ull << bits : 0);
    }
    if (!(imm & 8))
        env->mxcsr |= SSE_MXCSR_PE;
    return r;
}

SSE_HELPER(roundps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++)
        D->d[i] = (uint32_t)sse41_round(env, S->d[i], sse41_f32, (unsigned)imm);
    return 0;
}

SSE_HELPER(roundpd)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 2; i++)
        D->q[i] = sse41_round(env, S->q[i], sse41_f64, (unsigned)imm);
    return 0;
}

SSE_HELPER(roundss)
{
    sse_reg(env, d)->d[0] = (uint32_t)sse41_round(env, sse_reg(env, s)->d[0], sse41_f32,
                                                  (unsigned)imm);
    return 0;
}

SSE_HELPER(roundsd)
{
    sse_reg(env, d)->q[0] = sse41_round(env, sse_reg(env, s)->q[0], sse41_f64, (unsigned)imm);
    return 0;
}

/* The sums only differ in which NaN they return (x86 returns an add's
 * first NaN operand) and in nothing else: the adds raise the same flags in
 * either order.  AMD: one sum (p0 + p1) + (p2 + p3), broadcast.  Intel
 * (measured natively on a Sapphire Rapids with NaNs of distinct payloads
 * in every product; tests/insn/sse41.c dpps_*): each lane i sums in its
 * own order, t[j] = p[j^1] + p[j], then t[i] + t[i^2], as a swap-and-add
 * tree would; dppd's lane i is p[i] + p[i^1]. */
static void dpps_sums(struct x86_cpu *env, const uint32_t p[4], uint32_t sum[4])
{
    if (!x86_machine()->intel) {
        uint32_t lo = sse_f32_op(env, SSE_FADD, p[0], p[1]);
        uint32_t hi = sse_f32_op(env, SSE_FADD, p[2], p[3]);
        sum[0] = sum[1] = sum[2] = sum[3] = sse_f32_op(env, SSE_FADD, lo, hi);
        return;
    }
    uint32_t t[4];
    for (int j = 0; j < 4; j++)
        t[j] = sse_f32_op(env, SSE_FADD, p[j ^ 1], p[j]);
    for (int i = 0; i < 4; i++)
        sum[i] = sse_f32_op(env, SSE_FADD, t[i], t[i ^ 2]);
}

/* Products of the lanes selected by imm[7:4] (+0.0 for the others),
 * summed pairwise (dpps_sums), written to the lanes selected by imm[3:0]
 * (+0.0 elsewhere). */
SSE_HELPER(dpps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    int saved = sse_round_enter(env);
    uint32_t p[4], sum[4];
    for (int i = 0; i < 4; i++)
        p[i] = imm >> (4 + i) & 1 ? sse_f32_op(env, SSE_FMUL, D->d[i], S->d[i]) : 0;
    if (sse_step_stops(env)) {             /* #XM: nothing is written */
        sse_round_leave(saved);
        return 0;
    }
    dpps_sums(env, p, sum);
    sse_round_leave(saved);
    for (int i = 0; i < 4; i++)
        D->d[i] = imm >> i & 1 ? sum[i] : 0;
    return 0;
}

SSE_HELPER(dppd)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    int saved = sse_round_enter(env);
    uint64_t p[2];
    for (int i = 0; i < 2; i++)
        p[i] = imm >> (4 + i) & 1 ? sse_f64_op(env, SSE_FMUL, D->q[i], S->q[i]) : 0;
    if (sse_step_stops(env)) {             /* #XM: nothing is written */
        sse_round_leave(saved);
        return 0;
    }
    uint64_t sum[2];                       /* the NaN each returns: dpps_sums */
    sum[0] = sse_f64_op(env, SSE_FADD, p[0], p[1]);
    sum[1] = x86_machine()->intel ? sse_f64_op(env, SSE_FADD, p[1], p[0]) : sum[0];
    sse_round_leave(saved);
    for (int i = 0; i < 2; i++)
        D->q[i] = imm >> i & 1 ? sum[i] : 0;
    return 0;
}
