/* x86_sse_x87_math.c -- x87 arithmetic on 80-bit values in portable C.
 *
 * add/sub/mul/div, fsqrt, frndint and the stores to m32/m64/integers are
 * the soft x87's (x86_x87_bridge.h: integer C, bit-exact, all flags).
 * The rest goes through the host's long double: the x87 format itself on
 * x86-64 hosts, binary128 on AArch64 hosts, rounded back to a 64-bit
 * significand under FCW.RC.  Not modelled there: precision control,
 * exception flags other than invalid, and the exact last-bit results of
 * the transcendental instructions.
 */
#pragma GCC optimize("rounding-math", "fp-contract=off")

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "x86_sse_x87_value.h"
#include "x86_x87_bridge.h"

#define F80_BIAS 16383

static long double f80_to_ld(f80 v)
{
    int exp = v.se & F80_EXP_MAX;
    long double mag = exp == F80_EXP_MAX ? (long double)INFINITY
                    : ldexpl((long double)v.m, (exp ? exp : 1) - F80_BIAS - 63);
    return f80_sign(v) ? -mag : mag;
}

/* A finite nonzero host value rounded to a 64-bit significand (or fewer
 * bits for x87 denormals) in the current host rounding mode. */
static f80 ld_round_to_f80(long double v, uint16_t sign)
{
    int e;
    long double f = frexpl(v, &e);                 /* v = f * 2^e, |f| in [0.5, 1) */
    int biased = e - 1 + F80_BIAS, bits = 64;
    if (biased <= 0) {
        bits = 63 + biased;
        biased = 0;
    }
    long double sig = fabsl(rintl(ldexpl(f, bits)));   /* signed: directed modes */
    if (sig >= 0x1p64L) {
        sig = 0x1p63L;
        biased++;
    }
    if (biased == 0 && sig >= 0x1p63L)
        biased = 1;
    if (biased >= F80_EXP_MAX)
        return (f80){ F80_INT_BIT, (uint16_t)(sign | F80_EXP_MAX) };
    return (f80){ (uint64_t)sig, (uint16_t)(sign | biased) };
}

static f80 ld_to_f80(long double v)
{
    if (LDBL_MANT_DIG == 64) {                      /* the host's long double is x87's */
        f80 r;
        memcpy(&r.m, &v, 8);
        memcpy(&r.se, (const char *)&v + 8, 2);
        return r;
    }
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    if (isnan(v))
        return f80_indefinite();
    if (isinf(v))
        return (f80){ F80_INT_BIT, (uint16_t)(sign | F80_EXP_MAX) };
    if (v == 0)
        return (f80){ 0, sign };
    return ld_round_to_f80(v, sign);
}

static const int x87_host_round[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

static int x87_round_enter(uint16_t fcw)
{
    unsigned rc = (fcw >> 10) & 3;
    if (rc == 0)
        return -1;
    int saved = fegetround();
    fesetround(x87_host_round[rc]);
    return saved;
}

static void x87_round_leave(int saved)
{
    if (saved >= 0)
        fesetround(saved);
}

/* A NaN operand: the NaN (with the larger significand if both, compared
 * before quieting), quiet. */
static f80 x87_nan_result(struct x87 *x, f80 a, f80 b)
{
    bool an = f80_is_nan(a), bn = f80_is_nan(b);
    if (x && ((an && !(a.m & F80_QUIET)) || (bn && !(b.m & F80_QUIET))))
        x->exc |= X87_IE;
    f80 r = !bn || (an && (a.m << 1) >= (b.m << 1)) ? a : b;
    r.m |= F80_QUIET;
    return r;
}

/* Rounds a host result to an x87 value; NaN means invalid: indefinite.
 * The volatile store pins the rounding inside the caller's rounding-mode
 * window (GCC may otherwise sink conversions past fesetround). */
static f80 x87_result(struct x87 *x, long double value)
{
    volatile long double pinned = value;
    long double r = pinned;
    if (isnan(r)) {
        if (x)
            x->exc |= X87_IE;
        return f80_indefinite();
    }
    return ld_to_f80(r);
}

/* C1 after a rounded result: set when the magnitude was rounded up,
 * found by redoing the operation rounding toward zero. */
static void x87_set_c1(struct x87 *x, uint16_t fcw, f80 r, f80 (*redo)(const void *), const void *ctx)
{
    x->cc &= ~X87_C1;
    if (((fcw >> 10) & 3) == 3 || f80_is_nan(r))
        return;
    int saved = fegetround();
    fesetround(FE_TOWARDZERO);
    f80 z = redo(ctx);
    fesetround(saved);
    if ((r.se & F80_EXP_MAX) != (z.se & F80_EXP_MAX) ? (r.se & F80_EXP_MAX) > (z.se & F80_EXP_MAX)
                                                     : r.m > z.m)
        x->cc |= X87_C1;
}

struct x87_binary { int op; long double p, q; };

/* The basic operations are the soft x87's (x86_x87_bridge.h): bit-exact
 * on every host, with all status flags. */
f80 x87_arith(struct x87 *x, uint16_t fcw, enum x87_op op, f80 a, f80 b)
{
    return x87_soft_arith(x, fcw, op, a, b);
}

static long double x87_fn(int fn, long double p)
{
    switch (fn) {
    case 0xf0: return expm1l(p * 0.693147180559945309417232121458176568L);  /* f2xm1 */
    case 0xfa: return sqrtl(p);
    case 0xfc: return rintl(p);
    case 0xfe: return sinl(p);
    case 0xff: return cosl(p);
    default:   return tanl(p);
    }
}

static f80 x87_redo_unary(const void *ctx)
{
    const struct x87_binary *c = ctx;
    return x87_result(NULL, x87_fn(c->op, c->p));
}

/* fchs fabs f2xm1 fsqrt frndint fsin fcos fptan (D9 xx low byte). */
f80 x87_unary(struct x87 *x, uint16_t fcw, int fn, f80 a)
{
    if (fn == 0xe0 || fn == 0xe1)
        x->cc &= ~X87_C1;
    if (fn == 0xe0)
        return (f80){ a.m, (uint16_t)(a.se ^ 0x8000) };
    if (fn == 0xe1)
        return (f80){ a.m, (uint16_t)(a.se & 0x7fff) };
    f80 soft;
    if (x87_soft_unary(x, fcw, fn, a, &soft))           /* fsqrt, frndint */
        return soft;
    if (f80_is_nan(a))
        return x87_nan_result(x, a, a);
    struct x87_binary c = { fn, f80_to_ld(a), 0 };
    int saved = x87_round_enter(fcw);
    f80 r = x87_result(x, x87_fn(fn, c.p));
    x87_round_leave(saved);
    x87_set_c1(x, fcw, r, x87_redo_unary, &c);
    return r;
}

/* NaNs keep their quiet bit: arithmetic picks between NaN operands by
 * their significands before quieting them (fld quiets on its own). */
f80 x87_from_f32(uint32_t v)
{
    if ((v & 0x7fffffffu) > 0x7f800000u)
        return (f80){ F80_INT_BIT | (uint64_t)(v & 0x7fffffu) << 40,
                      (uint16_t)((v >> 16 & 0x8000) | F80_EXP_MAX) };
    float f;
    memcpy(&f, &v, 4);
    return ld_to_f80(f);
}

f80 x87_from_f64(uint64_t v)
{
    if ((v & ~(1ull << 63)) > 0x7ff0000000000000ull)
        return (f80){ F80_INT_BIT | (v & 0xfffffffffffffull) << 11,
                      (uint16_t)((v >> 48 & 0x8000) | F80_EXP_MAX) };
    double d;
    memcpy(&d, &v, 8);
    return ld_to_f80(d);
}

f80 x87_from_int(int64_t v)
{
    return ld_to_f80((long double)v);
}

uint32_t x87_to_f32(struct x87 *x, uint16_t fcw, f80 v)
{
    return x87_soft_store_f32(x, fcw, v);
}

uint64_t x87_to_f64(struct x87 *x, uint16_t fcw, f80 v)
{
    return x87_soft_store_f64(x, fcw, v);
}

/* NaN or out of range: the integer indefinite (most negative value). */
int64_t x87_to_int(struct x87 *x, uint16_t fcw, f80 v, int bits, bool truncate)
{
    return x87_soft_store_int(x, fcw, v, bits, truncate);
}

/* fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz; the irrational ones are
 * rounded from a longer internal value: `up` says whether round-to-
 * nearest rounded up, so RC down/zero (or up) give one ulp less (more). */
f80 x87_constant(uint16_t fcw, int which)
{
    static const struct { uint64_t m; uint16_t se; bool up; } k[7] = {
        { F80_INT_BIT, 0x3fff, false },        { 0xd49a784bcd1b8afeull, 0x4000, false },
        { 0xb8aa3b295c17f0bcull, 0x3fff, true }, { 0xc90fdaa22168c235ull, 0x4000, true },
        { 0x9a209a84fbcff799ull, 0x3ffd, true }, { 0xb17217f7d1cf79acull, 0x3ffe, true },
        { 0, 0, false },
    };
    unsigned rc = (fcw >> 10) & 3;
    f80 r = { k[which].m, k[which].se };
    bool exact = which == 0 || which == 6;
    if (!exact && k[which].up && (rc == 1 || rc == 3))
        r.m--;
    if (!exact && !k[which].up && rc == 2)
        r.m++;
    return r;
}

int x87_compare(f80 a, f80 b)
{
    if (f80_is_nan(a) || f80_is_nan(b))
        return 2;
    long double p = f80_to_ld(a), q = f80_to_ld(b);
    return p < q ? -1 : p > q ? 1 : 0;
}

uint16_t x87_examine(f80 v, bool empty)
{
    uint16_t c1 = f80_sign(v) ? X87_C1 : 0, exp = v.se & F80_EXP_MAX;
    if (empty)
        return c1 | X87_C3 | X87_C0;
    if (f80_is_nan(v))
        return c1 | X87_C0;
    if (f80_is_inf(v))
        return c1 | X87_C2 | X87_C0;
    if (f80_is_zero(v))
        return c1 | X87_C3;
    if (exp == 0)
        return c1 | X87_C3 | X87_C2;
    return c1 | ((v.m & F80_INT_BIT) ? X87_C2 : 0);
}

f80 x87_atan2(uint16_t fcw, f80 y, f80 x)
{
    if (f80_is_nan(y) || f80_is_nan(x))
        return x87_nan_result(NULL, y, x);
    int saved = x87_round_enter(fcw);
    f80 r = x87_result(NULL, atan2l(f80_to_ld(y), f80_to_ld(x)));
    x87_round_leave(saved);
    return r;
}

/* y * log2(x) with one rounding when y is ln2, log10(2) or 1 (what libm's
 * logl, log10l, log2l, log1pl load before fyl2x / fyl2xp1); otherwise the
 * product of two roundings. */
static long double x87_ylog2(long double y, long double p, bool plus1)
{
    f80 fy = ld_to_f80(y);
    bool ln2 = fy.se == 0x3ffe && fy.m == 0xb17217f7d1cf79acull;
    bool lg2 = fy.se == 0x3ffd && fy.m == 0x9a209a84fbcff799ull;
    if (plus1)
        return ln2 ? log1pl(p) : y * (log1pl(p) / 0.693147180559945309417232121458176568L);
    if (ln2)
        return logl(p);
    if (lg2)
        return log10l(p);
    return y == 1 ? log2l(p) : y * log2l(p);
}

f80 x87_ylog2x(uint16_t fcw, f80 y, f80 x, bool plus1)
{
    if (f80_is_nan(y) || f80_is_nan(x))
        return x87_nan_result(NULL, x, y);
    int saved = x87_round_enter(fcw);
    f80 r = x87_result(NULL, x87_ylog2(f80_to_ld(y), f80_to_ld(x), plus1));
    x87_round_leave(saved);
    return r;
}

/* fxtract: unbiased exponent and significand (in [1, 2)). */
void x87_extract(f80 a, f80 *exp, f80 *sig)
{
    long double p = f80_to_ld(a);
    if (f80_is_nan(a)) {
        a.m |= F80_QUIET;
        *exp = *sig = a;
        return;
    }
    if (p == 0 || isinf(p)) {
        *sig = a;
        *exp = p == 0 ? (f80){ F80_INT_BIT, 0xffff } : a;
        if (isinf(p))
            *exp = (f80){ F80_INT_BIT, F80_EXP_MAX };
        return;
    }
    int e;
    long double f = frexpl(p, &e);
    *exp = ld_to_f80((long double)(e - 1));
    *sig = ld_to_f80(f * 2);
}
