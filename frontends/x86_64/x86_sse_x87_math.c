/* x86_sse_x87_math.c -- x87 arithmetic on 80-bit values in portable C.
 *
 * add/sub/mul/div, fsqrt, frndint and the stores to m32/m64/integers are
 * the soft x87's (x86_x87_bridge.h: integer C, bit-exact, all flags).
 * The transcendentals are the soft x87's too (x86_x87_trans.c, MPFR).
 * Loads, compares and fxtract are exact through the host's long double
 * (the x87 format on x86-64 hosts, binary128 on AArch64 hosts).
 */
#pragma GCC optimize("rounding-math", "fp-contract=off")

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

/* The basic operations are the soft x87's (x86_x87_bridge.h): bit-exact
 * on every host, with all status flags. */
f80 x87_arith(struct x87 *x, uint16_t fcw, enum x87_op op, f80 a, f80 b)
{
    return x87_soft_arith(x, fcw, op, a, b);
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
    return x87_soft_trans(x, fcw, fn, a, a);             /* f2xm1 fsin fcos fptan */
}

/* NaNs keep their quiet bit: arithmetic picks between NaN operands by
 * their significands before quieting them (fld quiets on its own). */
/* A nonzero magnitude `mag` * 2^(scale) as an x87 value: exact, since
 * the 64-bit significand holds every float, double and int64 (integer
 * C: a long double on AArch64 hosts is a soft binary128). */
static f80 f80_from_scaled(uint64_t mag, int scale, uint16_t sign)
{
    int s = __builtin_clzll(mag);
    return (f80){ mag << s, (uint16_t)(sign | (F80_BIAS + 63 + scale - s)) };
}

/* From a binary interchange format: fraction bits `fb`, exponent bias;
 * NaNs keep their payload and quiet bit (arithmetic picks between NaN
 * operands by their significands before quieting them; fld quiets on
 * its own). */
static f80 f80_from_ieee(uint64_t v, int fb, int eb, int bias)
{
    uint16_t sign = (uint16_t)(v >> (fb + eb) << 15);
    uint64_t frac = v & ((1ull << fb) - 1);
    int exp = (int)(v >> fb & ((1u << eb) - 1));
    if (exp == (1 << eb) - 1)
        return (f80){ F80_INT_BIT | frac << (63 - fb), (uint16_t)(sign | F80_EXP_MAX) };
    if (exp == 0)
        return frac ? f80_from_scaled(frac, 1 - bias - fb, sign) : (f80){ 0, sign };
    return (f80){ F80_INT_BIT | frac << (63 - fb), (uint16_t)(sign | (exp - bias + F80_BIAS)) };
}

f80 x87_from_f32(uint32_t v)
{
    return f80_from_ieee(v, 23, 8, 127);
}

f80 x87_from_f64(uint64_t v)
{
    return f80_from_ieee(v, 52, 11, 1023);
}

f80 x87_from_int(int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return v ? f80_from_scaled(mag, 0, v < 0 ? 0x8000 : 0) : (f80){ 0, 0 };
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

/* A finite nonzero magnitude as (exponent, significand with its top bit
 * set): unnormals and denormals normalised, so that the pairs order as
 * the values do. */
static void f80_magnitude(f80 v, int32_t *e, uint64_t *m)
{
    int exp = v.se & F80_EXP_MAX, s = __builtin_clzll(v.m);
    *e = (exp ? exp : 1) - s;
    *m = v.m << s;
}

/* -1, 0, 1, or 2 for unordered; any exponent-0x7fff non-NaN is infinite. */
int x87_compare(f80 a, f80 b)
{
    if (f80_is_nan(a) || f80_is_nan(b))
        return 2;
    bool za = a.m == 0 && (a.se & F80_EXP_MAX) != F80_EXP_MAX;
    bool zb = b.m == 0 && (b.se & F80_EXP_MAX) != F80_EXP_MAX;
    bool na = f80_sign(a) && !za, nb = f80_sign(b) && !zb;
    if (za && zb)
        return 0;
    if (na != nb)
        return na ? -1 : 1;
    if (za || zb)
        return za == na ? 1 : -1;          /* same side of zero: the zero is nearer */
    int32_t ea = INT32_MAX, eb = INT32_MAX;
    uint64_t ma = 0, mb = 0;
    if ((a.se & F80_EXP_MAX) != F80_EXP_MAX)
        f80_magnitude(a, &ea, &ma);
    if ((b.se & F80_EXP_MAX) != F80_EXP_MAX)
        f80_magnitude(b, &eb, &mb);
    int mag = ea != eb ? (ea < eb ? -1 : 1) : ma != mb ? (ma < mb ? -1 : 1) : 0;
    return na ? -mag : mag;
}

uint16_t x87_examine(f80 v, bool empty)
{
    uint16_t c1 = f80_sign(v) ? X87_C1 : 0, exp = v.se & F80_EXP_MAX;
    if (empty)
        return c1 | X87_C3 | X87_C0;
    if (f80_is_unsupported(v))
        return c1;
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

/* fxtract: unbiased exponent and significand (in [1, 2)). */
void x87_extract(f80 a, f80 *exp, f80 *sig)
{
    long double p = f80_to_ld(a);
    if (f80_is_unsupported(a)) {
        *exp = *sig = f80_indefinite();
        return;
    }
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
