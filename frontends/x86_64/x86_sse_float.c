/* x86_sse_float.c -- the floating-point core of the SSE helpers: x86 NaN,
 * DAZ/FTZ and exception-flag rules on top of host IEEE arithmetic, the
 * rcp/rsqrt approximations, float<->double conversion, MXCSR.RC as the
 * host rounding mode and MXCSR exception flags.
 *
 * Exception flags: ops that x86 defines specially (NaN operands, invalid
 * conversions, FTZ) set MXCSR bits here; everything IEEE defines the same
 * way (inexact, overflow, underflow, divide-by-zero, invalid) accumulates
 * in the host's sticky FP status and is merged in when the guest reads
 * MXCSR.  These helpers compute the masked response; unmasked
 * exceptions are x86_sse_xm.c's.
 *
 * DE (denormal operand), which <fenv.h> cannot see, is the backend's
 * (tr_fp_denormal_flag: backend.h's be_fp_denormal_flag): on an x86 host
 * the translated float ops set it in the host MXCSR as the guest's, and
 * every read of MXCSR merges it in (writes clear it); a host without it
 * has translated code send denormal operands to the helpers.  The
 * helpers set DE in env by the x86 rules and must not leave the host's
 * set by their own arithmetic (on scaled or flushed values, say):
 * sse_round_enter/leave put it back as it was.
 */
#pragma GCC optimize("rounding-math", "fp-contract=off")

#include <fenv.h>
#include <math.h>

#include "translator.h"
#include "x86_sse.h"
#include "x86_sse_float.h"

/* rcpps/rsqrtps: 1/x and 1/sqrt(x) with the low 11 mantissa bits cleared
 * (the hardware gives ~12 bits; vendors' tables differ, so only the
 * special cases are bit-exact), but Zen 5's or Intel's own tables where
 * ferry imitates them (x86_sse_approx.c).  Denormal inputs count as zero and
 * results below the normal range are flushed, as the hardware does. */
static uint32_t sse_f32_approx(enum sse_fop op, uint32_t b)
{
    uint32_t sign = b & F32_SIGN, mag = b & ~F32_SIGN;
    if (f32_is_nan(b))
        return b | F32_QUIET;
    if ((b & 0x7f800000u) == 0)                 /* zero or denormal */
        return sign | 0x7f800000u;
    if (op == SSE_FRSQRT && sign)
        return F32_DEFAULT_NAN;
    if (mag == 0x7f800000u || (op == SSE_FRCP && mag >= 0x7e800000u))
        return sign;                            /* 1/x is zero or not normal */
    if (x86_machine()->zen5)
        return sse_approx_zen5(op, b);
    if (x86_machine()->intel)
        return sse_approx_intel(op, b);
    fexcept_t status;                           /* rcp/rsqrt raise no flags */
    fegetexceptflag(&status, FE_ALL_EXCEPT);
    double x = f32_val(b);
    double r = op == SSE_FRCP ? 1.0 / x : 1.0 / sqrt(x);
    uint32_t u = f32_bits((float)r) & ~0x7ffu;
    fesetexceptflag(&status, FE_ALL_EXCEPT);
    return u;
}

static uint64_t sse_f64_approx(enum sse_fop op, uint64_t b)
{
    double x = f64_val(b);
    return f64_bits(op == SSE_FRCP ? 1.0 / x : 1.0 / sqrt(x));
}

/* Truncation toward zero without touching the FP status (libm's trunc
 * may raise inexact, which cvtt* must not). */
static double sse_trunc(double x)
{
    uint64_t u = f64_bits(x);
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    if (e >= 52)
        return x;
    if (e < 0)
        return f64_val(u & F64_SIGN);
    return f64_val(u & ~((1ull << (52 - e)) - 1));
}

#define FN(name) sse_f32_##name
#define F_WIDTH 32
#include "x86_sse_float_ops.h"

#define FN(name) sse_f64_##name
#define F_WIDTH 64
#include "x86_sse_float_ops.h"

/* NaNs keep sign and payload (top bits), and become quiet. */
uint64_t sse_f32_to_f64(struct x86_cpu *env, uint32_t a)
{
    sse_f32_operands(env, -1, &a, &a, true);
    if (f32_is_nan(a)) {
        if (f32_is_snan(a))
            env->mxcsr |= SSE_MXCSR_IE;
        return ((uint64_t)(a & F32_SIGN) << 32) | 0x7ff0000000000000ull | F64_QUIET |
               ((uint64_t)(a & 0x7fffffu) << 29);
    }
    return f64_bits(f32_val(a));
}

/* Below the smallest normal once rounded to 24 bits (with an unbounded
 * exponent).  Raises host flags of its own: callers order it. */
static bool f64_to_f32_tiny(double x)
{
    return x != 0 && fabs(x) < 0x1p-125 && fabsf((float)(x * 0x1p64)) < 0x1p-62f;
}

/* The narrowing with OE or UE unmasked (sse_f32_judged_flags): the host
 * flags of this element alone; FTZ only while UE is masked. */
static uint32_t f64_to_f32_unmasked(struct x86_cpu *env, double x)
{
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    volatile float narrowed = (float)x;         /* before the caller restores the mode */
    int fl = fetestexcept(FE_ALL_EXCEPT);
    bool tiny = f64_to_f32_tiny(x);
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    if (!tiny)
        fl &= ~FE_UNDERFLOW;                    /* a host detecting tininess before rounding */
    bool judged = (fl & FE_OVERFLOW) || tiny;
    env->mxcsr |= sse_f32_judged_flags(env, fl, tiny, judged && sse_f32_inexact_unbounded(x, false));
    uint32_t r = f32_bits(narrowed);
    if ((env->mxcsr & SSE_MXCSR_FTZ) && (env->mxcsr & (SSE_MXCSR_UE << 7)) && tiny) {
        env->mxcsr |= SSE_MXCSR_UE | SSE_MXCSR_PE;
        return r & F32_SIGN;
    }
    return r;
}

uint32_t sse_f64_to_f32(struct x86_cpu *env, uint64_t a)
{
    sse_f64_operands(env, -1, &a, &a, true);
    if (f64_is_nan(a)) {
        if (f64_is_snan(a))
            env->mxcsr |= SSE_MXCSR_IE;
        return (uint32_t)(a >> 32 & F32_SIGN) | 0x7f800000u | F32_QUIET |
               (uint32_t)((a >> 29) & 0x7fffffu);
    }
    double x = f64_val(a);
    if (sse_oe_ue_unmasked(env))
        return f64_to_f32_unmasked(env, x);
    int uf_before = fetestexcept(FE_UNDERFLOW);
    volatile float narrowed = (float)x;         /* before the caller restores the mode */
    uint32_t r = f32_bits(narrowed);
    /* tiny: below the smallest normal once rounded to 24 bits */
    bool tiny = f64_to_f32_tiny(x);
    if ((env->mxcsr & SSE_MXCSR_FTZ) && tiny) {
        env->mxcsr |= SSE_MXCSR_UE | SSE_MXCSR_PE;       /* tiny: flush */
        return r & F32_SIGN;
    }
    /* x86 detects tininess after rounding, some hosts before (see arith) */
    if (!uf_before && !tiny && (r & ~F32_SIGN) == 0x00800000u)
        feclearexcept(FE_UNDERFLOW);
    return r;
}

static const int sse_host_round[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

/* The saved state: the host rounding mode + 1 (0: not changed) above
 * bit 0, the host DE flag in bit 0. */
int sse_round_enter(const struct x86_cpu *env)
{
    int de = tr_fp_denormal_flag(false);
    unsigned rc = (env->mxcsr >> SSE_MXCSR_RC_SHIFT) & 3;
    if (rc == 0)
        return de;
    int saved = fegetround();
    fesetround(sse_host_round[rc]);
    return (saved + 1) << 1 | de;
}

/* The helper's own arithmetic may have raised the host DE: a guest DE
 * is recorded in env (sse_f32_operands), so the host's goes back to what
 * it was. */
void sse_round_leave(int saved)
{
    if (saved >> 1)
        fesetround((saved >> 1) - 1);
    if (!(saved & 1))
        tr_fp_denormal_flag(true);
}

static const struct { int host; uint32_t mxcsr; } sse_host_flags[] = {
    { FE_INVALID, SSE_MXCSR_IE }, { FE_DIVBYZERO, SSE_MXCSR_ZE },
    { FE_OVERFLOW, SSE_MXCSR_OE }, { FE_UNDERFLOW, SSE_MXCSR_UE },
    { FE_INEXACT, SSE_MXCSR_PE },
};

uint32_t sse_mxcsr_read(struct x86_cpu *env)
{
    int raised = fetestexcept(FE_ALL_EXCEPT);
    if (tr_fp_denormal_flag(false))
        env->mxcsr |= SSE_MXCSR_DE;
    env->mxcsr |= env->mxcsr_held;          /* an #XM check cut short by a fault */
    env->mxcsr_held = 0;
    for (size_t i = 0; i < sizeof sse_host_flags / sizeof sse_host_flags[0]; i++)
        if (raised & sse_host_flags[i].host)
            env->mxcsr |= sse_host_flags[i].mxcsr;
    return env->mxcsr;
}

bool sse_step_stops(struct x86_cpu *env)
{
    if ((env->mxcsr & 0x1f80u) == 0x1f80u)
        return false;
    uint32_t raised = env->mxcsr & 0x3fu;
    int host = fetestexcept(FE_ALL_EXCEPT);
    for (size_t i = 0; i < sizeof sse_host_flags / sizeof sse_host_flags[0]; i++)
        if (host & sse_host_flags[i].host)
            raised |= sse_host_flags[i].mxcsr;
    if (raised & ~(env->mxcsr >> 7) & 0x3fu)
        return true;
    feclearexcept(FE_ALL_EXCEPT);
    env->mxcsr &= ~0x3fu;
    env->mxcsr_held |= raised;
    return false;
}

void sse_mxcsr_write(struct x86_cpu *env, uint32_t v)
{
    feclearexcept(FE_ALL_EXCEPT);
    tr_fp_denormal_flag(true);
    env->mxcsr = v;
    env->mxcsr_held = 0;
    x86_xm_mode_update(env);
}
