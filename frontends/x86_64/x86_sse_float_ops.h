/* x86_sse_float_ops.h -- template of the per-width floating-point core,
 * included twice by x86_sse_float.c (32 and 64 bits) with FN and F_WIDTH
 * set (the parameters: x86_float_width.h).  Assumes the host rounding
 * mode already follows MXCSR.RC.
 */
#include "x86_float_width.h"
#include "x86_float_rules.h"

/* Exceptions that take precedence over the denormal-operand one: NaN
 * operands, division by zero, square root of a negative number. */
static bool FN(before_denormal)(int op, UT a, UT b, bool unary)
{
    if (F_IS_NAN(b) || (!unary && F_IS_NAN(a)))
        return true;
    if (op == SSE_FDIV)
        return (b & ~F_SIGN) == 0;
    return op == SSE_FSQRT && (b & F_SIGN);
}

/* Reads the source operands of an arithmetic (op), compare or convert
 * (op -1) instruction: DAZ applies, else a denormal operand raises DE. */
static void FN(operands)(struct x86_cpu *env, int op, UT *a, UT *b, bool unary)
{
    *a = FN(daz)(env, *a);
    *b = FN(daz)(env, *b);
    bool den = FN(is_denormal)(*b) || (!unary && FN(is_denormal)(*a));
    if (den && !FN(before_denormal)(op, *a, *b, unary))
        env->mxcsr |= SSE_MXCSR_DE;
}

/* x86 calls a result tiny when, rounded to full precision with an
 * unbounded exponent, it is below the smallest normal.  The host result
 * (rounded to the denormal grid) only leaves doubt when it is exactly the
 * smallest normal: redo the operation scaled up by F_SCALE (exact, as a
 * tiny product or quotient has a small first operand; a tiny sum is exact
 * anyway) and compare. */
static bool FN(tiny)(UT r, FT x, FT y, int op)
{
    if (!FN(tiny_in_doubt)(r))
        return FN(is_denormal)(r);
    FT big;
    if (op == SSE_FMUL)
        big = F_ABS(x) < F_ABS(y) ? (x * F_SCALE) * y : x * (y * F_SCALE);
    else if (op == SSE_FDIV)
        big = (x * F_SCALE) / y;
    else
        return false;
    return FN(scaled_tiny)(big);
}

/* x86 rules: min/max return the second operand; otherwise the first
 * operand's NaN if it has one, else the second's, made quiet. */
static UT FN(nan_result)(struct x86_cpu *env, enum sse_fop op, UT a, UT b, bool unary)
{
    if (op == SSE_FMIN || op == SSE_FMAX) {
        env->mxcsr |= SSE_MXCSR_IE;
        return b;
    }
    return unary ? FN(propagate_nan)(env, &b, 1) : FN(propagate_nan)(env, (UT[2]){ a, b }, 2);
}

static FT FN(arith_host)(FT x, FT y, int op)
{
    switch (op) {
    case SSE_FADD: return x + y;
    case SSE_FSUB: return x - y;
    case SSE_FMUL: return x * y;
    case SSE_FDIV: return x / y;
    default:       return F_SQRT(y);
    }
}

/* The host's IEEE result and flags, with x86's underflow rule (only mul
 * and div can round up to the smallest normal: tiny sums are exact). */
static FT FN(arith)(FT x, FT y, int op)
{
    if (op != SSE_FMUL && op != SSE_FDIV)
        return FN(arith_host)(x, y, op);
    int uf_before = fetestexcept(FE_UNDERFLOW);
    volatile FT r = FN(arith_host)(x, y, op);   /* before the mode is restored */
    UT u = F_BITS(r);
    FN(underflow_after_rounding)(uf_before, u, FN(tiny)(u, x, y, op));
    return r;
}

/* Whether x op y, rounded to FT's precision with an unbounded exponent,
 * is inexact (x86_float_rules.h): computed in long double. */
static bool FN(unbounded_inexact)(FT x, FT y, int op)
{
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_INEXACT);
    long double lx = x, ly = y;
    volatile long double r = op == SSE_FADD ? lx + ly : op == SSE_FSUB ? lx - ly
                           : op == SSE_FMUL ? lx * ly : op == SSE_FDIV ? lx / ly : sqrtl(ly);
    bool inexact = fetestexcept(FE_INEXACT) != 0;
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    return FN(inexact_unbounded)(r, inexact);
}

/* With OE or UE unmasked (FN(judged_flags)): the element's host flags
 * taken apart from the ones accumulated. */
static UT FN(arith_unmasked)(struct x86_cpu *env, FT x, FT y, int op)
{
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    volatile FT result = FN(arith)(x, y, op);
    UT r = F_BITS(result);
    int fl = fetestexcept(FE_ALL_EXCEPT);
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    bool tiny = !F_IS_NAN(r) && ((fl & FE_UNDERFLOW) || FN(tiny)(r, x, y, op));
    bool judged = (fl & FE_OVERFLOW) || tiny;
    env->mxcsr |= FN(judged_flags)(env, fl, tiny, judged && FN(unbounded_inexact)(x, y, op));
    return r;
}

UT FN(op)(struct x86_cpu *env, enum sse_fop op, UT a, UT b)
{
    bool unary = op >= SSE_FSQRT;
    if (op >= SSE_FRCP)
        return FN(approx)(op, b);
    FN(operands)(env, op, &a, &b, unary);
    if ((!unary && F_IS_NAN(a)) || F_IS_NAN(b))
        return FN(nan_result)(env, op, a, b, unary);
    FT x = F_VAL(a), y = F_VAL(b);
    if (op == SSE_FMIN)
        return x < y ? a : b;
    if (op == SSE_FMAX)
        return x > y ? a : b;
    if (sse_oe_ue_unmasked(env)) {
        UT u = FN(arith_unmasked)(env, x, y, op);
        return F_IS_NAN(u) ? FN(invalid_result)(env) : u;   /* (an #XM: not stored) */
    }
    volatile FT result = FN(arith)(x, y, op);   /* before the mode is restored */
    UT r = F_BITS(result);
    if (F_IS_NAN(r))
        return FN(invalid_result)(env);
    if ((env->mxcsr & SSE_MXCSR_FTZ) && FN(tiny)(r, x, y, op))
        return FN(flush_to_zero)(env, r);
    return r;
}

/* Finite and normal, or zero: no NaN, infinity or denormal rules apply. */
static inline bool FN(plain)(UT a)
{
    UT e = a & F_EXP;
    return (e != 0 && e != F_EXP) || (a & ~F_SIGN) == 0;
}

/* FN(op) for the default MXCSR (round to nearest, no FTZ/DAZ; the caller
 * checks): with plain operands the host's IEEE result is x86's, and the
 * host accumulates the flags. */
UT FN(op_default)(struct x86_cpu *env, enum sse_fop op, UT a, UT b)
{
    if (FN(plain)(a) && FN(plain)(b) && !sse_oe_ue_unmasked(env)) {
        FT x = F_VAL(a), y = F_VAL(b), r;
        switch (op) {
        case SSE_FMIN: return x < y ? a : b;
        case SSE_FMAX: return x > y ? a : b;
        case SSE_FRCP: case SSE_FRSQRT: return FN(op)(env, op, a, b);
        case SSE_FSQRT: if (b & F_SIGN) return FN(op)(env, op, a, b); /* fall through */
        default: r = FN(arith)(x, y, op);
        }
        if (!F_IS_NAN(F_BITS(r)))
            return F_BITS(r);
    }
    return FN(op)(env, op, a, b);
}

/* Predicates 1, 2, 5, 6 (lt, le, nlt, nle) signal on any NaN.  AVX's
 * 32 (vcmpps): bit 3 inverts the result for unordered operands, bit 4
 * inverts which predicates signal on a quiet NaN. */
bool FN(cmp)(struct x86_cpu *env, int pred, UT a, UT b)
{
    FN(operands)(env, -1, &a, &b, false);
    bool un = F_IS_NAN(a) || F_IS_NAN(b);
    bool signaling = ((pred & 3) == 1 || (pred & 3) == 2) != ((pred & 16) != 0);
    if (un && (signaling || F_IS_SNAN(a) || F_IS_SNAN(b)))
        env->mxcsr |= SSE_MXCSR_IE;
    bool lt = !un && F_VAL(a) < F_VAL(b), eq = !un && F_VAL(a) == F_VAL(b), r;
    switch (pred & 7) {
    case 0:  r = eq; break;
    case 1:  r = lt; break;
    case 2:  r = lt || eq; break;
    case 3:  r = un; break;
    case 4:  r = !eq; break;
    case 5:  r = !lt; break;
    case 6:  r = !(lt || eq); break;
    default: r = !un; break;
    }
    return un && (pred & 8) ? !r : r;
}

uint64_t FN(eflags)(struct x86_cpu *env, UT a, UT b, bool signaling)
{
    FN(operands)(env, -1, &a, &b, false);
    if (F_IS_NAN(a) || F_IS_NAN(b)) {
        if (signaling || F_IS_SNAN(a) || F_IS_SNAN(b))
            env->mxcsr |= SSE_MXCSR_IE;
        return X86_ZF | X86_PF | X86_CF;
    }
    if (F_VAL(a) < F_VAL(b))
        return X86_CF;
    return F_VAL(a) == F_VAL(b) ? X86_ZF : 0;
}

/* float/double -> integer: NaN and out-of-range give integer indefinite. */
int64_t FN(to_int)(struct x86_cpu *env, UT a, int bits, bool truncate)
{
    double lim = bits == 32 ? 2147483648.0 : 9223372036854775808.0;
    int64_t indefinite = bits == 32 ? INT32_MIN : INT64_MIN;
    a = FN(daz)(env, a);
    if (F_IS_NAN(a)) {
        env->mxcsr |= SSE_MXCSR_IE;
        return indefinite;
    }
    double x = F_VAL(a);
    double r = truncate ? sse_trunc(x) : nearbyint(x);   /* no inexact flag */
    if (!(r >= -lim && r < lim)) {
        env->mxcsr |= SSE_MXCSR_IE;
        return indefinite;
    }
    if (r != x)
        env->mxcsr |= SSE_MXCSR_PE;
    return (int64_t)r;
}

UT FN(from_int)(struct x86_cpu *env, int64_t v)
{
    volatile FT f = (FT)v;                      /* before the mode is restored */
    return F_BITS(f);
}

#include "x86_float_width.h"
