/* x86_f16c.c -- F16C: vcvtph2ps (binary16 -> binary32, exact) and
 * vcvtps2ph (binary32 -> binary16 rounded by imm8: imm[2] set = MXCSR.RC,
 * else imm[1:0]), 128 and 256 bits, register and memory operands.  The
 * conversions are integer code (no host half-precision needed): NaNs keep
 * sign and payload and become quiet (IE for a signaling one), DAZ applies
 * to binary32 inputs, and PE/UE/OE follow x86 (tininess after rounding).
 */
#include "x86_avx.h"
#include "x86_avx_rows.h"
#include "x86_sse_float.h"

static uint32_t f16c_to_f32(struct x86_cpu *env, uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = h >> 10 & 31, m = h & 0x3ff;
    if (e == 31) {
        if (m && !(m & 0x200))
            env->mxcsr |= SSE_MXCSR_IE;
        return sign | 0x7f800000u | (m ? 0x400000u | m << 13 : 0);
    }
    if (e == 0) {
        if (!m)
            return sign;
        int shift = 0;
        while (!(m & 0x400)) {                  /* normalize the subnormal */
            m <<= 1;
            shift++;
        }
        return sign | (uint32_t)(113 - shift) << 23 | (m & 0x3ff) << 13;
    }
    return sign | (e + 112) << 23 | m << 13;
}

/* Rounds magnitude m (the value m >> drop) per mode: 0 nearest even, 1
 * down, 2 up, 3 toward zero, for a number of sign `neg`. */
static uint64_t f16c_round(uint64_t m, int drop, unsigned mode, bool neg, bool *inexact)
{
    if (drop > 62)
        drop = 62;
    uint64_t kept = m >> drop, rem = m & ((1ull << drop) - 1), half = 1ull << (drop - 1);
    *inexact = rem != 0;
    bool up;
    switch (mode) {
    case 0:  up = rem > half || (rem == half && (kept & 1)); break;
    case 1:  up = rem && neg; break;
    case 2:  up = rem && !neg; break;
    default: up = false; break;
    }
    return kept + up;
}

static uint16_t f16c_overflow(unsigned mode, bool neg)
{
    bool to_inf = mode == 0 || (mode == 1 && neg) || (mode == 2 && !neg);
    return (uint16_t)((neg ? 0x8000 : 0) | (to_inf ? 0x7c00 : 0x7bff));
}

/* An overflowing or tiny result while OE resp. UE is unmasked: judged
 * by its rounding to 11 bits with an unbounded exponent, as the SSE
 * arithmetic (x86_float_rules.h, measured for vcvtps2ph too): OE / UE
 * alone when it is exact (2^16, 2^-20), with PE when not.  False when
 * that exception is masked (the masked rule applies). */
static bool f16c_judged(struct x86_cpu *env, bool over, uint64_t sig)
{
    uint32_t flag = over ? SSE_MXCSR_OE : SSE_MXCSR_UE;
    if (env->mxcsr & flag << 7)
        return false;
    while (!(sig & 0x800000))                   /* a binary32 denormal: tiny */
        sig <<= 1;
    env->mxcsr |= flag | (sig & 0x1fff ? SSE_MXCSR_PE : 0);
    return true;
}

static uint16_t f16c_from_f32(struct x86_cpu *env, uint32_t f, unsigned mode)
{
    bool neg = f >> 31;
    uint16_t sign = neg ? 0x8000 : 0;
    int e = (int)(f >> 23 & 0xff);
    uint32_t m = f & 0x7fffff;
    if (e == 255) {
        if (m && !(m & 0x400000))
            env->mxcsr |= SSE_MXCSR_IE;
        return (uint16_t)(sign | 0x7c00 | (m ? 0x200 | m >> 13 : 0));
    }
    if (e == 0 && m) {
        if (env->mxcsr & SSE_MXCSR_DAZ)
            return sign;
        env->mxcsr |= SSE_MXCSR_DE;
    }
    if (e == 0 && !m)
        return sign;
    int exp = e ? e - 127 : -126;               /* value = sig * 2^(exp - 23) */
    uint64_t sig = e ? m | 0x800000 : m;
    bool inexact, ignore;
    int drop = 13 + (exp < -14 ? -14 - exp : 0);
    uint64_t kept = f16c_round(sig, drop, mode, neg, &inexact);
    /* tiny after rounding to 11 bits with an unbounded exponent */
    uint64_t full = f16c_round(sig, 13, mode, neg, &ignore);
    bool tiny = exp < -14 && !(exp == -15 && full >= 2048 && sig >= 0x800000);
    uint32_t bits = exp < -14 ? (uint32_t)kept : (uint32_t)(exp + 15) * 1024 + (uint32_t)kept - 1024;
    bool over = bits >= 0x7c00;
    if ((over || tiny) && f16c_judged(env, over, sig))
        return over ? f16c_overflow(mode, neg) : (uint16_t)(sign | bits);
    if (over) {
        env->mxcsr |= SSE_MXCSR_OE | SSE_MXCSR_PE;
        return f16c_overflow(mode, neg);
    }
    if (inexact)
        env->mxcsr |= SSE_MXCSR_PE | (tiny ? SSE_MXCSR_UE : 0);
    return (uint16_t)(sign | bits);
}

/* d = destination offsets lo | hi << 16, s = source offset, imm = wide. */
static uint64_t f16c_helper_ph2ps(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    x86_xmm src = *sse_reg(env, s), *D[2] = { sse_reg(env, d & 0xffff), sse_reg(env, d >> 16) };
    for (int i = 0; i < (imm ? 8 : 4); i++)
        D[i / 4]->d[i % 4] = f16c_to_f32(env, src.w[i]);
    return 0;
}

/* d = destination offset (16 bytes written), s = source offsets lo | hi
 * << 16, imm = imm8 | wide << 8. */
static uint64_t f16c_helper_ps2ph(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    x86_xmm S[2] = { *sse_reg(env, s & 0xffff), *sse_reg(env, s >> 16) }, r = { { 0 } };
    unsigned mode = imm & 4 ? (env->mxcsr >> SSE_MXCSR_RC_SHIFT) & 3 : imm & 3;
    for (int i = 0; i < (imm >> 8 ? 8 : 4); i++)
        r.w[i] = f16c_from_f32(env, S[i / 4].d[i % 4], mode);
    *sse_reg(env, d) = r;
    return 0;
}

static const struct ir_helper f16c_h_ph2ps = { (void *)f16c_helper_ph2ps, "vcvtph2ps", 3, 0, 0 };
static const struct ir_helper f16c_h_ps2ph = { (void *)f16c_helper_ps2ph, "vcvtps2ph", 3, 0, 0 };

bool avx_emit_cvtph2ps(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d;
    if (!avx_ops_dst_src(dc, row, &d, &wide))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], wide ? 16 : 8), dd = avx_regop(d);
    avx_call(dc, &f16c_h_ph2ps, (uint64_t)dd.lo | (uint64_t)dd.hi << 16, (uint64_t)s.lo, wide);
    avx_write_done(dc, d, wide);
    return true;
}

bool avx_emit_cvtps2ph(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d = avx_reg(&ops[0]), s = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || s < 0 || (d < 0 && ops[0].type != X86_OP_MEM) ||
        !avx_row_width(dc, row, &wide))
        return false;
    struct avx_opnd so = avx_regop(s), t = avx_tmpop(AVX_TMP_SCRATCH);
    uint64_t imm = (dc->insn->bytes[dc->insn->size - 1] & 7) | (uint64_t)wide << 8;
    avx_call(dc, &f16c_h_ps2ph, (uint64_t)(d >= 0 ? avx_regop(d).lo : t.lo),
              (uint64_t)so.lo | (uint64_t)so.hi << 16, imm);
    if (d >= 0)
        avx_write_done(dc, d, false);
    else {
        x86_xm_end(dc);             /* an unmasked exception leaves memory */
        avx_store(dc, &ops[0], t, wide ? 16 : 8);
    }
    return true;
}

static const struct avx_row f16c_rows[] = {
    AE(VCVTPH2PS, cvtph2ps), AE(VCVTPS2PH, cvtps2ph),
};

const struct x86_row_set x86_f16c_rows = X86_ROW_SET_OF("f16c", f16c_rows, insn);
