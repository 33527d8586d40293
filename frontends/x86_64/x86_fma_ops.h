/* x86_fma_ops.h -- template of the fused multiply-add core, included twice
 * by x86_fma.c (binary32 and binary64) with the parameters of
 * x86_sse_float_ops.h (FN FT UT F_SIGN F_EXP F_QUIET F_DNAN F_IS_NAN
 * F_IS_SNAN F_VAL F_BITS F_MIN_NORMAL F_SCALE) plus F_FMA (the host's
 * correctly rounded fma: fused on AArch64, glibc's on x86-64) and F_ABS.
 * x86 rules on top of it: DAZ, DE, NaN operands (the first NaN of the
 * three in the instruction's order of roles a*b+c, quieted; IE for an
 * SNaN), the negative default NaN, tininess after rounding, FTZ.
 */

static bool FN(fma_denormal)(UT a)
{
    return (a & F_EXP) == 0 && (a & ~F_SIGN) != 0;
}

static UT FN(fma_daz)(const struct x86_cpu *env, UT a)
{
    return (env->mxcsr & SSE_MXCSR_DAZ) && FN(fma_denormal)(a) ? a & F_SIGN : a;
}

/* Is a*b+c (r its rounded value) tiny after rounding with an unbounded
 * exponent?  Only r == the smallest normal leaves doubt: redo it scaled
 * up (exact for the operands of a tiny result: the smaller factor and c
 * are small). */
static bool FN(fma_tiny)(UT r, FT a, FT b, FT c)
{
    if ((r & ~F_SIGN) != F_MIN_NORMAL)
        return (r & F_EXP) == 0 && (r & ~F_SIGN) != 0;
    FT big = F_ABS(a) < F_ABS(b) ? F_FMA(a * F_SCALE, b, c * F_SCALE)
                                 : F_FMA(a, b * F_SCALE, c * F_SCALE);
    return F_ABS(big) < F_VAL(F_MIN_NORMAL) * F_SCALE;
}

/* (neg_ab ? -(a*b) : a*b) + (neg_c ? -c : c), rounded once. */
UT FN(fma)(struct x86_cpu *env, UT a, UT b, UT c, bool neg_ab, bool neg_c)
{
    a = FN(fma_daz)(env, a);
    b = FN(fma_daz)(env, b);
    c = FN(fma_daz)(env, c);
    if (F_IS_NAN(a) || F_IS_NAN(b) || F_IS_NAN(c)) {
        if (F_IS_SNAN(a) || F_IS_SNAN(b) || F_IS_SNAN(c))
            env->mxcsr |= SSE_MXCSR_IE;
        return (F_IS_NAN(a) ? a : F_IS_NAN(b) ? b : c) | F_QUIET;
    }
    FT x = F_VAL(a), y = F_VAL(b), z = F_VAL(c);
    if (neg_ab)
        x = -x;
    if (neg_c)
        z = -z;
    /* an invalid operation (0 * inf, inf - inf) takes precedence over DE */
    bool inf_ab = isinf(x) || isinf(y), zero_ab = x == 0 || y == 0;
    bool invalid = (inf_ab && zero_ab) || (inf_ab && isinf(z) && ((signbit(x) != 0) != (signbit(y) != 0)) != (signbit(z) != 0));
    if (!invalid && (FN(fma_denormal)(a) || FN(fma_denormal)(b) || FN(fma_denormal)(c)))
        env->mxcsr |= SSE_MXCSR_DE;
    int uf_before = fetestexcept(FE_UNDERFLOW);
    volatile FT result = F_FMA(x, y, z);        /* before the mode is restored */
    UT r = F_BITS(result);
    if (F_IS_NAN(r)) {                          /* invalid: x86's default NaN */
        env->mxcsr |= SSE_MXCSR_IE;
        return F_DNAN;
    }
    bool tiny = FN(fma_tiny)(r, x, y, z);
    if (!uf_before && !tiny && (r & ~F_SIGN) == F_MIN_NORMAL)
        feclearexcept(FE_UNDERFLOW);            /* hosts with tininess before rounding */
    if ((env->mxcsr & SSE_MXCSR_FTZ) && tiny) {
        env->mxcsr |= SSE_MXCSR_UE | SSE_MXCSR_PE;
        return r & F_SIGN;
    }
    return r;
}
