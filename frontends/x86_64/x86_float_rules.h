/* x86_float_rules.h -- template (per width, x86_float_width.h) of the x86
 * rules that the SSE/AVX arithmetic (x86_sse_float_ops.h) and FMA
 * (x86_fma_ops.h) helpers apply around the host's IEEE result: DAZ and
 * denormal operands, NaN operands, the default NaN of an invalid
 * operation, underflow detected after rounding, FTZ, and how an element
 * is judged while OE or UE is unmasked (the F16C conversions apply the
 * same rule in integer code).
 */

#ifndef FERRY_X86_FLOAT_RULES_ONCE
#define FERRY_X86_FLOAT_RULES_ONCE

/* MXCSR's flags for the host's exception flags. */
static inline uint32_t sse_flags_of_host(int fl)
{
    return (fl & FE_INVALID ? SSE_MXCSR_IE : 0) | (fl & FE_DIVBYZERO ? SSE_MXCSR_ZE : 0) |
           (fl & FE_OVERFLOW ? SSE_MXCSR_OE : 0) | (fl & FE_UNDERFLOW ? SSE_MXCSR_UE : 0) |
           (fl & FE_INEXACT ? SSE_MXCSR_PE : 0);
}

static inline bool sse_oe_ue_unmasked(const struct x86_cpu *env)
{
    uint32_t masks = (SSE_MXCSR_OE | SSE_MXCSR_UE) << 7;
    return (env->mxcsr & masks) != masks;
}

#endif

static bool FN(is_denormal)(UT a)
{
    return (a & F_EXP) == 0 && (a & ~F_SIGN) != 0;
}

/* DAZ: denormal inputs read as zero of the same sign. */
static UT FN(daz)(const struct x86_cpu *env, UT a)
{
    if ((env->mxcsr & SSE_MXCSR_DAZ) && FN(is_denormal)(a))
        return a & F_SIGN;
    return a;
}

/* NaN operands (at least one of the n, in the instruction's order): the
 * first NaN, made quiet; IE if any of them is signalling. */
static UT FN(propagate_nan)(struct x86_cpu *env, const UT *v, int n)
{
    int first = -1;
    for (int i = 0; i < n; i++) {
        if (F_IS_SNAN(v[i]))
            env->mxcsr |= SSE_MXCSR_IE;
        if (first < 0 && F_IS_NAN(v[i]))
            first = i;
    }
    return v[first] | F_QUIET;
}

/* A host result that is NaN from non-NaN operands: the operation was
 * invalid, and x86 gives its default NaN (negative) with IE. */
static UT FN(invalid_result)(struct x86_cpu *env)
{
    env->mxcsr |= SSE_MXCSR_IE;
    return F_DNAN;
}

/* Whether the host result r leaves doubt about x86's tininess (below the
 * smallest normal once rounded with an unbounded exponent): only when it
 * is exactly the smallest normal; the caller then redoes the operation
 * scaled up by F_SCALE and asks FN(scaled_tiny). */
static bool FN(tiny_in_doubt)(UT r)
{
    return (r & ~F_SIGN) == F_MIN_NORMAL;
}

static bool FN(scaled_tiny)(FT big)
{
    return F_ABS(big) < F_VAL(F_MIN_NORMAL) * F_SCALE;
}

/* x86 detects tininess after rounding, some hosts (AArch64) before: they
 * raise underflow for a result that rounds up to the smallest normal.
 * uf_before: the host's underflow flag before the operation. */
static void FN(underflow_after_rounding)(int uf_before, UT r, bool tiny)
{
    if (!uf_before && !tiny && FN(tiny_in_doubt)(r))
        feclearexcept(FE_UNDERFLOW);
}

/* FTZ: a tiny result becomes zero of the same sign (underflow, inexact). */
static UT FN(flush_to_zero)(struct x86_cpu *env, UT r)
{
    env->mxcsr |= SSE_MXCSR_UE | SSE_MXCSR_PE;
    return r & F_SIGN;
}

/* Whether a result computed in long double (wide: that computation was
 * inexact) is inexact once rounded to FT's precision with an unbounded
 * exponent.  long double is wider in precision and exponent on both hosts
 * (x87 extended, binary128), so an inexact wide result is inexact here too. */
static bool FN(inexact_unbounded)(long double r, bool wide)
{
    int e;
    long double m = ldexpl(frexpl(r, &e), F_WIDTH == 32 ? 24 : 53);
    return wide || m != truncl(m);
}

/* With OE or UE unmasked, x86 judges an overflowing or tiny element by
 * its result rounded with an unbounded exponent: OE / UE whenever it
 * overflows / is tiny (UE for an exact tiny result too, where the masked
 * rule raises nothing), PE only when that rounding is inexact (an exact
 * overflow such as max + max: OE alone).  fl: the element's own host
 * flags (underflow after rounding); tiny, inexact: the caller's judgement
 * of the result.  Returns the element's MXCSR flags. */
static uint32_t FN(judged_flags)(const struct x86_cpu *env, int fl, bool tiny, bool inexact)
{
    bool over = (fl & FE_OVERFLOW) && !(env->mxcsr & (SSE_MXCSR_OE << 7));
    tiny = tiny && !(env->mxcsr & (SSE_MXCSR_UE << 7));
    if (over || tiny) {
        fl &= ~(FE_INEXACT | FE_UNDERFLOW);
        fl |= (tiny ? FE_UNDERFLOW : 0) | (inexact ? FE_INEXACT : 0);
    }
    return sse_flags_of_host(fl);
}
