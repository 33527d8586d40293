/* x86_sse_cvt.c -- helpers of the SSE/SSE2 conversions between integers,
 * single and double precision.  Rounding follows MXCSR.RC except for the
 * cvtt* forms (truncate); NaN or out-of-range to integer gives the x86
 * "integer indefinite" (x86_sse_float.c).  Sources are read completely
 * before the destination is written, as d and s may be one register.
 */
#include "x86_sse.h"
#include "x86_sse_float.h"

static int64_t sse_int_arg(uint64_t v, uint64_t size)
{
    return size == 8 ? (int64_t)v : (int64_t)(int32_t)v;
}

SSE_HELPER(cvtsi2ss)
{
    int saved = sse_round_enter(env);
    sse_reg(env, d)->d[0] = sse_f32_from_int(env, sse_int_arg(s, imm));
    sse_round_leave(saved);
    return 0;
}

SSE_HELPER(cvtsi2sd)
{
    int saved = sse_round_enter(env);
    sse_reg(env, d)->q[0] = sse_f64_from_int(env, sse_int_arg(s, imm));
    sse_round_leave(saved);
    return 0;
}

SSE_HELPER(cvtss2sd)
{
    sse_reg(env, d)->q[0] = sse_f32_to_f64(env, sse_reg(env, s)->d[0]);
    return 0;
}

SSE_HELPER(cvtsd2ss)
{
    int saved = sse_round_enter(env);
    sse_reg(env, d)->d[0] = sse_f64_to_f32(env, sse_reg(env, s)->q[0]);
    sse_round_leave(saved);
    return 0;
}

/* Scalar to a 32- or 64-bit general register (imm & 0xff = its size in
 * bytes; vcvtf2i adds a truncation bit); a 32-bit result is returned
 * zero-extended. */
static uint64_t sse_scalar_to_int(struct x86_cpu *env, uint64_t s, uint64_t size,
                                  bool dbl, bool truncate)
{
    const x86_xmm *S = sse_reg(env, s);
    int bits = (size & 0xff) == 8 ? 64 : 32;
    int saved = sse_round_enter(env);
    int64_t r = dbl ? sse_f64_to_int(env, S->q[0], bits, truncate)
                    : sse_f32_to_int(env, S->d[0], bits, truncate);
    sse_round_leave(saved);
    return bits == 64 ? (uint64_t)r : (uint32_t)r;
}

SSE_HELPER(cvtss2si)  { return sse_scalar_to_int(env, s, imm, false, false); }
SSE_HELPER(cvtsd2si)  { return sse_scalar_to_int(env, s, imm, true, false); }
SSE_HELPER(cvttss2si) { return sse_scalar_to_int(env, s, imm, false, true); }
SSE_HELPER(cvttsd2si) { return sse_scalar_to_int(env, s, imm, true, true); }

SSE_HELPER(cvtdq2ps)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    int saved = sse_round_enter(env);
    for (int i = 0; i < 4; i++)
        D->d[i] = sse_f32_from_int(env, S->sd[i]);
    sse_round_leave(saved);
    return 0;
}

static void sse_ps_to_dq(struct x86_cpu *env, uint64_t d, uint64_t s, bool truncate)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    int saved = sse_round_enter(env);
    for (int i = 0; i < 4; i++)
        D->d[i] = (uint32_t)sse_f32_to_int(env, S->d[i], 32, truncate);
    sse_round_leave(saved);
}

SSE_HELPER(cvtps2dq)  { sse_ps_to_dq(env, d, s, false); return 0; }
SSE_HELPER(cvttps2dq) { sse_ps_to_dq(env, d, s, true); return 0; }

SSE_HELPER(cvtdq2pd)
{
    const x86_xmm *S = sse_reg(env, s);
    int32_t lo = S->sd[0], hi = S->sd[1];
    x86_xmm *D = sse_reg(env, d);
    D->q[0] = sse_f64_from_int(env, lo);
    D->q[1] = sse_f64_from_int(env, hi);
    return 0;
}

static void sse_pd_to_dq(struct x86_cpu *env, uint64_t d, uint64_t s, bool truncate)
{
    const x86_xmm *S = sse_reg(env, s);
    x86_xmm r = { .q = { 0, 0 } };
    int saved = sse_round_enter(env);
    for (int i = 0; i < 2; i++)
        r.d[i] = (uint32_t)sse_f64_to_int(env, S->q[i], 32, truncate);
    sse_round_leave(saved);
    *sse_reg(env, d) = r;
}

SSE_HELPER(cvtpd2dq)  { sse_pd_to_dq(env, d, s, false); return 0; }
SSE_HELPER(cvttpd2dq) { sse_pd_to_dq(env, d, s, true); return 0; }

SSE_HELPER(cvtps2pd)
{
    const x86_xmm *S = sse_reg(env, s);
    uint32_t lo = S->d[0], hi = S->d[1];
    x86_xmm *D = sse_reg(env, d);
    D->q[0] = sse_f32_to_f64(env, lo);
    D->q[1] = sse_f32_to_f64(env, hi);
    return 0;
}

SSE_HELPER(cvtpd2ps)
{
    const x86_xmm *S = sse_reg(env, s);
    x86_xmm r = { .q = { 0, 0 } };
    int saved = sse_round_enter(env);
    for (int i = 0; i < 2; i++)
        r.d[i] = sse_f64_to_f32(env, S->q[i]);
    sse_round_leave(saved);
    *sse_reg(env, d) = r;
    return 0;
}
