/* x86_fma_ops.h -- template of the fused multiply-add core, included
 * twice by x86_fma.c (binary32 and binary64) with FN and F_WIDTH set (the
 * parameters: x86_float_width.h; F_FMA is the host's correctly rounded
 * fma: fused on AArch64, glibc's on x86-64).  x86 rules on top of it
 * (x86_float_rules.h): DAZ, DE, NaN operands (the first NaN of the three
 * in the instruction's order of roles a*b+c), the default NaN, tininess
 * after rounding, FTZ.
 */
#include "x86_float_width.h"
#include "x86_float_rules.h"

/* Is a*b+c (r its rounded value) tiny after rounding with an unbounded
 * exponent?  Only r == the smallest normal leaves doubt: redo it scaled
 * up (exact for the operands of a tiny result: the smaller factor and c
 * are small). */
static bool FN(fma_tiny)(UT r, FT a, FT b, FT c)
{
    if (!FN(tiny_in_doubt)(r))
        return FN(is_denormal)(r);
    FT big = F_ABS(a) < F_ABS(b) ? F_FMA(a * F_SCALE, b, c * F_SCALE)
                                 : F_FMA(a, b * F_SCALE, c * F_SCALE);
    return FN(scaled_tiny)(big);
}

/* Whether x*y+z rounded to FT's precision with an unbounded exponent is
 * inexact: computed in long double (x86_float_rules.h). */
static bool FN(fma_unbounded_inexact)(FT x, FT y, FT z)
{
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_INEXACT);
    volatile long double r = fmal(x, y, z);
    bool inexact = fetestexcept(FE_INEXACT) != 0;
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    return FN(inexact_unbounded)(r, inexact);
}

/* x*y+z with OE or UE unmasked (FN(judged_flags)): the element's host
 * flags taken apart from the ones accumulated.  FTZ applies only while UE
 * is masked (measured: a tiny result with UE unmasked raises #XM). */
static UT FN(fma_unmasked)(struct x86_cpu *env, FT x, FT y, FT z)
{
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    volatile FT result = F_FMA(x, y, z);
    UT r = F_BITS(result);
    int fl = fetestexcept(FE_ALL_EXCEPT);
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    if (F_IS_NAN(r))
        return FN(invalid_result)(env);
    bool tiny = FN(fma_tiny)(r, x, y, z);
    if (!tiny && FN(tiny_in_doubt)(r))
        fl &= ~FE_UNDERFLOW;                    /* a host detecting tininess before rounding */
    tiny = tiny || (fl & FE_UNDERFLOW);
    bool judged = (fl & FE_OVERFLOW) || tiny;
    env->mxcsr |= FN(judged_flags)(env, fl, tiny, judged && FN(fma_unbounded_inexact)(x, y, z));
    if ((env->mxcsr & SSE_MXCSR_FTZ) && (env->mxcsr & (SSE_MXCSR_UE << 7)) && tiny)
        return FN(flush_to_zero)(env, r);
    return r;
}

/* (neg_ab ? -(a*b) : a*b) + (neg_c ? -c : c), rounded once. */
UT FN(fma)(struct x86_cpu *env, UT a, UT b, UT c, bool neg_ab, bool neg_c)
{
    a = FN(daz)(env, a);
    b = FN(daz)(env, b);
    c = FN(daz)(env, c);
    if (F_IS_NAN(a) || F_IS_NAN(b) || F_IS_NAN(c))
        return FN(propagate_nan)(env, (UT[3]){ a, b, c }, 3);
    FT x = F_VAL(a), y = F_VAL(b), z = F_VAL(c);
    if (neg_ab)
        x = -x;
    if (neg_c)
        z = -z;
    /* an invalid operation (0 * inf, inf - inf) takes precedence over DE */
    bool inf_ab = isinf(x) || isinf(y), zero_ab = x == 0 || y == 0;
    bool invalid = (inf_ab && zero_ab) || (inf_ab && isinf(z) && ((signbit(x) != 0) != (signbit(y) != 0)) != (signbit(z) != 0));
    if (!invalid && (FN(is_denormal)(a) || FN(is_denormal)(b) || FN(is_denormal)(c)))
        env->mxcsr |= SSE_MXCSR_DE;
    if (sse_oe_ue_unmasked(env))
        return FN(fma_unmasked)(env, x, y, z);
    int uf_before = fetestexcept(FE_UNDERFLOW);
    volatile FT result = F_FMA(x, y, z);        /* before the mode is restored */
    UT r = F_BITS(result);
    if (F_IS_NAN(r))
        return FN(invalid_result)(env);
    bool tiny = FN(fma_tiny)(r, x, y, z);
    FN(underflow_after_rounding)(uf_before, r, tiny);
    if ((env->mxcsr & SSE_MXCSR_FTZ) && tiny)
        return FN(flush_to_zero)(env, r);
    return r;
}

#include "x86_float_width.h"
