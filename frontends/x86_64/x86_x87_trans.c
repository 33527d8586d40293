/* x86_x87_trans.c -- the x87 transcendental instructions of the soft x87
 * (f2xm1 fsin fcos fptan fsincos fyl2x fyl2xp1 fpatan), computed with
 * MPFR: no host floating point, so x86-64 and AArch64 hosts give the same
 * bits.  Each result is the exact function correctly rounded to 64 bits
 * under FCW.RC (PC does not apply, as on the FPU), with x87 denormals,
 * C1 (rounded up) and the flags DE UE OE ZE IE PE.
 *
 * What the FPU does and is modelled: fsin/fcos/fptan reduce their operand
 * by multiples of a 66-bit pi/2 (not the true pi), which decides the result
 * near the zeros of sin/cos; out-of-range operands (|x| >= 2^63) are the
 * caller's (C2); PE for every finite nonzero result; fyl2x and fyl2xp1
 * multiply y by a 68-bit logarithm and round once (approx_log_product),
 * fptan rounds at 70 bits first (round_result); the measured special
 * cases of f2xm1 and fyl2xp1.  What is not: the FPU's own approximation
 * errors (its 68-bit logarithm is off by up to about 1.4 units of its last
 * bit; the other functions' results are faithful, not correctly rounded:
 * 0.5-3 % of random operands differ from ferry by one ulp or only in C1;
 * docs/status.md, issue 10).
 *
 * Intel (x86_machine()->intel; measured on a Sapphire Rapids) differs in
 * special cases (intel_* below): f2xm1(1) is 1; fsin/fcos of |x| < 2^-68
 * are x and 1, fpatan of |y/x| < 2^-40 (x > 0) is y/x, in every RC; fyl2x
 * and fyl2xp1 take the logarithm truncated to 67 bits (AMD: to nearest at
 * 68), UE from before rounding, and a logarithm of 2^k, k < 0, is just
 * above k (toward zero).
 *
 * Correct rounding of composed functions (y * log2 x ...) by Ziv's loop:
 * approximate with a known error bound at growing precision until
 * mpfr_can_round; exact intermediate results are tracked and rounded
 * directly.
 */
#include <mpfr.h>

#include "x86_cpu.h"
#include "x86_x87_soft.h"

#define F80_BIAS 16383
#define F80_EMAX 0x7fff
#define INT_BIT 0x8000000000000000ull
#define EXP_MIN_NORMAL (-16381)     /* MPFR exponent of 2^-16382 */
#define EXP_MIN_DENORMAL (-16444)   /* of 2^-16445 */
#define EXP_MAX 16384
#define LOG_INTERNAL_BITS 68      /* approx_log_product */
#define LOG_PRODUCT_BITS (LOG_INTERNAL_BITS + 64)   /* exact: UE from before rounding */
#define TAN_INTERNAL_BITS 70      /* see round_result */
#define INTEL_LOG_BITS 67         /* intel_log_product */

static const mpfr_rnd_t rc_mode[4] = { MPFR_RNDN, MPFR_RNDD, MPFR_RNDU, MPFR_RNDZ };

/* An approximation of f(a, b) into t (at t's precision): the number of
 * low bits that may be wrong, or -1 when t is exact. */
typedef int (*approx_fn)(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b);

/* A finite value (zeros included) as an exact 64-bit MPFR number. */
static void to_mpfr(mpfr_ptr r, x87s_f80 v)
{
    if (x87s_classify(v) == X87S_ZERO) {
        mpfr_set_zero(r, v.se >> 15 ? -1 : 1);
        return;
    }
    struct x87s_unpacked u = x87s_unpack(v);
    mpfr_set_ui_2exp(r, (unsigned long)(u.sig >> 64), u.exp - 63, MPFR_RNDN);
    if (u.sign)
        mpfr_neg(r, r, MPFR_RNDN);
}

/* r (64 bits, in the x87 range, subnormalised) as an 80-bit value. */
static x87s_f80 from_mpfr(mpfr_srcptr r)
{
    uint16_t sign = mpfr_signbit(r) ? 0x8000 : 0;
    if (mpfr_zero_p(r))
        return x87s_zero(sign);
    if (mpfr_inf_p(r))
        return x87s_inf(sign);
    mpz_t z;
    mpz_init(z);
    int32_t biased = (int32_t)mpfr_get_z_2exp(z, r) + 63 + F80_BIAS;
    uint64_t m = mpz_getlimbn(z, 0);
    mpz_clear(z);
    if (biased <= 0) {
        m >>= 1 - biased;
        biased = 0;
    }
    return (x87s_f80){ m, (uint16_t)(sign | biased) };
}

/* Rounds t to an x87 value under RC with the status the FPU gives: PE
 * always (it reports even exact results such as log2 8 as inexact), C1
 * when rounded up, OE, and UE for a denormal result.  internal > 0: the
 * FPU's result is rounded to nearest at that many bits first (fptan:
 * it decides C1 and the directed roundings of nearly exact results), and
 * UE follows that internal value.  internal = TINY_BEFORE: rounded once,
 * UE when t is below the smallest normal before rounding (Intel's fyl2x,
 * fyl2xp1). */
#define TINY_BEFORE (-1)
static x87s_f80 round_result(mpfr_srcptr t, int internal, uint16_t fcw, uint16_t *sw)
{
    if (mpfr_zero_p(t))
        return x87s_zero(mpfr_signbit(t));
    *sw |= X87S_PE;
    mpfr_rnd_t rnd = rc_mode[fcw >> 10 & 3];
    mpfr_t mid, r;
    mpfr_init2(mid, internal > 0 ? internal : mpfr_get_prec(t));
    mpfr_init2(r, 64);
    mpfr_set(mid, t, MPFR_RNDN);
    bool tiny = mpfr_get_exp(mid) < EXP_MIN_NORMAL;
    bool midpoint = mpfr_min_prec(mid) == 65;        /* no false ties */
    int tern = mpfr_set(r, (tiny && !internal) || midpoint ? t : mid, rnd);
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_set_emin(EXP_MIN_DENORMAL);
    mpfr_set_emax(EXP_MAX);
    mpfr_clear_overflow();
    tern = mpfr_check_range(r, tern, rnd);
    tern = mpfr_subnormalize(r, tern, rnd);
    if (mpfr_overflow_p())
        *sw |= X87S_OE;
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    if (tern && (tern > 0) != (mpfr_signbit(r) != 0))
        *sw |= X87S_C1;
    x87s_f80 v = from_mpfr(r);
    mpfr_clears(mid, r, (mpfr_ptr)0);
    if (internal ? tiny : (v.se & F80_EMAX) == 0)
        *sw |= X87S_UE;
    return v;
}

/* f(a, b) correctly rounded: Ziv's loop over the approximation. */
static x87s_f80 correctly_rounded(approx_fn f, mpfr_srcptr a, mpfr_srcptr b, int internal,
                                  uint16_t fcw, uint16_t *sw)
{
    mpfr_t t;
    mpfr_init2(t, 96);
    int lost = 0;
    for (mpfr_prec_t p = 96; p <= 1 << 16; p *= 2) {
        mpfr_set_prec(t, p);
        lost = f(t, a, b);
        if (lost < 0 || mpfr_zero_p(t) || mpfr_inf_p(t))
            break;
        if (mpfr_can_round(t, p - lost, MPFR_RNDN, MPFR_RNDZ, (internal > 0 ? internal : 64) + 1))
            break;
    }
    x87s_f80 v = round_result(t, internal, fcw, sw);
    mpfr_clear(t);
    return v;
}

/* Exactness of a chain of MPFR steps: -1 when every ternary was 0. */
static int lost_bits(int bits, bool exact)
{
    return exact ? -1 : bits;
}

/* ---- the functions ------------------------------------------------------ */

/* The FPU's 2^1 - 1 is just below 1 (measured: 1 with C1 set under
 * RC=nearest, 1 - ulp under RC=down). */
static int approx_exp2m1(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    if (mpfr_cmp_ui(a, 1) == 0 && x86_machine()->intel) {
        mpfr_set_ui(t, 1, MPFR_RNDN);       /* Intel: exactly 1, C1 clear (PE) */
        return lost_bits(0, true);
    }
    if (mpfr_cmp_ui(a, 1) == 0) {
        mpfr_set_ui_2exp(t, 1, -66, MPFR_RNDN);
        mpfr_ui_sub(t, 1, t, MPFR_RNDN);
        return lost_bits(0, true);
    }
    return lost_bits(1, mpfr_exp2m1(t, a, MPFR_RNDN) == 0);
}

/* fyl2x, fyl2xp1: the FPU computes the logarithm to 68 bits first, then
 * rounds y times that once (measured: for a fixed x, 20,000 random y give
 * results all consistent with one 68-bit L, and no other).  Its L is not
 * always log2 x rounded to nearest at 68 bits (within about 1.4 units of
 * the 68th bit: its own approximation), which is what ferry takes.  The
 * product of a 68-bit and a 64-bit number is exact at 132 bits. */
static int approx_log_product(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b, bool plus1)
{
    mpfr_t l;
    mpfr_init2(l, LOG_INTERNAL_BITS);
    if (plus1)
        mpfr_log2p1(l, a, MPFR_RNDN);
    else
        mpfr_log2(l, a, MPFR_RNDN);
    mpfr_set_prec(t, LOG_PRODUCT_BITS);
    mpfr_mul(t, l, b, MPFR_RNDN);
    mpfr_clear(l);
    return lost_bits(0, true);
}

/* Intel's logarithm of 2^k with k < 0 is k + d with d > 0 below any
 * precision (measured, fyl2x(2^k, 1) for k = -1, -2, -3, -255: RN and RD
 * give k with C1 set, RU and RZ the next value toward zero; for k > 0 all
 * give k, C1 clear): s = 2^k < 1, an exact power of two. */
static bool intel_log_below_one_pow2(mpfr_srcptr s)
{
    return mpfr_regular_p(s) && mpfr_sgn(s) > 0 && mpfr_cmp_ui(s, 1) < 0 &&
           mpfr_min_prec(s) == 1;
}

/* Intel fyl2x/fyl2xp1: y times log2 s (s = x, or 1 + x) truncated toward
 * zero to 67 bits, rounded once (measured on 5,000 random operands each,
 * every RC, against models rounding L to nearest/toward zero/away/down/up
 * at 64-90 bits: 67 bits toward zero matches fyl2x's result and C1 on
 * 99.7 %, fyl2xp1's on 91.5 %, the best of all; correct rounding 91 % and
 * 85 %); the log of 2^k, k < 0, is nudged toward zero
 * (intel_log_below_one_pow2), given as exact. */
static int intel_log_product(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b, bool plus1)
{
    mpfr_prec_t p = mpfr_get_prec(t);
    mpfr_t s, l;
    mpfr_inits2(p + 16, s, l, (mpfr_ptr)0);
    bool s_exact = (plus1 ? mpfr_add_ui(s, a, 1, MPFR_RNDN) : mpfr_set(s, a, MPFR_RNDN)) == 0;
    if (s_exact && intel_log_below_one_pow2(s)) {
        mpfr_set_si(l, mpfr_get_exp(s) - 1, MPFR_RNDN);     /* k */
        mpfr_mul(t, l, b, MPFR_RNDN);                        /* exact: p >= 96 */
        if (mpfr_sgn(t) > 0)
            mpfr_nextbelow(t);
        else if (mpfr_sgn(t) < 0)
            mpfr_nextabove(t);
        mpfr_clears(s, l, (mpfr_ptr)0);
        return lost_bits(0, true);
    }
    mpfr_set_prec(l, INTEL_LOG_BITS);
    if (plus1)
        mpfr_log2p1(l, a, MPFR_RNDZ);
    else
        mpfr_log2(l, a, MPFR_RNDZ);
    mpfr_set_prec(t, INTEL_LOG_BITS + 64);
    mpfr_mul(t, l, b, MPFR_RNDN);                            /* exact */
    mpfr_clears(s, l, (mpfr_ptr)0);
    return lost_bits(0, true);
}

/* How Intel's y * log2 s is rounded: tininess before rounding (measured:
 * fyl2xp1(1 - 2^-64, 2^-16382) under RN is 2^-16382 with UE), except for
 * the nudged log of 2^k, whose tininess is y k's (fyl2x(0.5, 2^-16382)
 * under RN: -2^-16382 without UE; under RZ the denormal below, UE). */
static int intel_log_rounding(x87s_f80 x, bool plus1)
{
    mpfr_t a, s;
    mpfr_inits2(64, a, s, (mpfr_ptr)0);
    to_mpfr(a, x);
    bool exact = (plus1 ? mpfr_add_ui(s, a, 1, MPFR_RNDN) : mpfr_set(s, a, MPFR_RNDN)) == 0;
    bool pow2 = exact && intel_log_below_one_pow2(s);
    mpfr_clears(a, s, (mpfr_ptr)0);
    return pow2 ? 0 : TINY_BEFORE;
}

static int intel_yl2x(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    return intel_log_product(t, a, b, false);
}

static int intel_yl2xp1(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    return intel_log_product(t, a, b, true);
}

static int approx_yl2x(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    return approx_log_product(t, a, b, false);
}

static int approx_yl2xp1(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    return approx_log_product(t, a, b, true);
}

static int approx_atan2(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    return lost_bits(1, mpfr_atan2(t, b, a, MPFR_RNDN) == 0);
}

/* fsin fcos fptan: a = x - j * P exactly, P the FPU's 66-bit pi over 2;
 * b carries j mod 4 and which function (see trig_reduce). */
enum trig { TRIG_SIN, TRIG_COS, TRIG_TAN };

static int approx_trig(mpfr_ptr t, mpfr_srcptr r, mpfr_srcptr how)
{
    long h = mpfr_get_si(how, MPFR_RNDN), quadrant = h & 3;
    enum trig fn = (enum trig)(h >> 2);
    bool exact;
    if (fn == TRIG_TAN) {
        exact = (quadrant & 1 ? mpfr_cot(t, r, MPFR_RNDN) : mpfr_tan(t, r, MPFR_RNDN)) == 0;
        if (quadrant & 1)
            mpfr_neg(t, t, MPFR_RNDN);
        return lost_bits(1, exact);
    }
    quadrant = (quadrant + (fn == TRIG_COS)) & 3;   /* cos x = sin(x + pi/2) */
    exact = (quadrant & 1 ? mpfr_cos(t, r, MPFR_RNDN) : mpfr_sin(t, r, MPFR_RNDN)) == 0;
    if (quadrant >= 2)
        mpfr_neg(t, t, MPFR_RNDN);
    return lost_bits(1, exact);
}

/* Intel's fsin and fcos of |x| < 2^-68 are x and 1 under every RC, C1
 * clear, PE (measured: fsin(2^-68) under RZ is the value below 2^-68,
 * fsin(2^-69) and fsin(2^-68 - ulp) are x; fcos likewise: 1 - ulp, then
 * 1).  True with *v the result. */
static bool intel_tiny_trig(int fn, mpfr_srcptr x, uint16_t fcw, uint16_t *sw, x87s_f80 *v)
{
    if (fn == TRIG_TAN || !x86_machine()->intel || mpfr_get_exp(x) > -68)
        return false;
    mpfr_t t;
    mpfr_init2(t, 64);
    if (fn == TRIG_COS)
        mpfr_set_ui(t, 1, MPFR_RNDN);
    else
        mpfr_set(t, x, MPFR_RNDN);
    *v = round_result(t, 0, fcw, sw);
    mpfr_clear(t);
    return true;
}

/* Intel's fpatan of x > 0 and |y/x| < 2^-40 is y/x rounded under RC, the
 * -(y/x)^3/3 term dropped (measured with x = 1: y = 2^-41 and 2^-40 - ulp
 * are y under RZ, 2^-40 is the value below). */
static int intel_quotient(mpfr_ptr t, mpfr_srcptr a, mpfr_srcptr b)
{
    return lost_bits(1, mpfr_div(t, b, a, MPFR_RNDN) == 0);
}

static bool intel_tiny_atan(mpfr_srcptr x, mpfr_srcptr y)
{
    if (!x86_machine()->intel || !mpfr_regular_p(x) || !mpfr_regular_p(y) || mpfr_sgn(x) < 0)
        return false;
    mpfr_t q;
    mpfr_init2(q, 64);
    mpfr_div(q, y, x, MPFR_RNDZ);
    bool tiny = mpfr_get_exp(q) <= -40;
    mpfr_clear(q);
    return tiny;
}

/* r = x - j * P (exact at 256 bits); returns j mod 4. */
static long trig_reduce(mpfr_ptr r, mpfr_srcptr x)
{
    mpfr_t half_pi, j;
    mpfr_inits2(256, half_pi, j, (mpfr_ptr)0);
    mpfr_set_prec(half_pi, 66);
    mpfr_const_pi(half_pi, MPFR_RNDN);
    mpfr_div_2ui(half_pi, half_pi, 1, MPFR_RNDN);
    mpfr_div(j, x, half_pi, MPFR_RNDN);
    mpfr_round(j, j);
    long quadrant = mpfr_get_si(j, MPFR_RNDN) & 3;    /* |j| < 2^63 */
    mpfr_mul(j, j, half_pi, MPFR_RNDN);
    mpfr_sub(r, x, j, MPFR_RNDN);
    mpfr_clears(half_pi, j, (mpfr_ptr)0);
    return quadrant;
}

/* ---- special operands and entry points ----------------------------------- */

static bool is_nan_like(enum x87s_class c) { return c == X87S_NAN || c == X87S_INVALID; }

static void note_denormal(enum x87s_class c, uint16_t *sw)
{
    if (c == X87S_DENORMAL)
        *sw |= X87S_DE;
}

static x87s_f80 invalid(uint16_t *sw)
{
    *sw |= X87S_IE;
    return x87s_indefinite();
}

/* One finite operand through f (b: a second finite operand, or null). */
static x87s_f80 compute(approx_fn f, x87s_f80 a, const x87s_f80 *b, int internal, uint16_t fcw,
                        uint16_t *sw)
{
    mpfr_t ma, mb;
    mpfr_inits2(64, ma, mb, (mpfr_ptr)0);
    to_mpfr(ma, a);
    if (b)
        to_mpfr(mb, *b);
    x87s_f80 r = correctly_rounded(f, ma, mb, internal, fcw, sw);
    mpfr_clears(ma, mb, (mpfr_ptr)0);
    return r;
}

/* f2xm1: 2^x - 1 on [-1, 1]; the FPU leaves a finite operand outside
 * alone (PE set), and gives 1 for 1 with C1 set (measured). */
x87s_f80 x87s_f2xm1(x87s_f80 a, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class c = x87s_classify(a);
    if (is_nan_like(c))
        return x87s_nan_result(a, a, false, sw);
    if (c == X87S_INF)
        return a.se >> 15 ? (x87s_f80){ INT_BIT, 0xbfff } : a;
    if (c == X87S_ZERO)
        return a;
    note_denormal(c, sw);
    unsigned e = a.se & F80_EMAX;
    if (e > F80_BIAS || (e == F80_BIAS && a.m != INT_BIT)) {
        *sw |= X87S_PE;
        return a;
    }
    return compute(approx_exp2m1, a, 0, 0, fcw, sw);
}

bool x87s_trig_in_range(x87s_f80 a)
{
    enum x87s_class c = x87s_classify(a);
    return c != X87S_NORMAL || (a.se & F80_EMAX) < F80_BIAS + 63;
}

/* fsin (fn 0), fcos (1), fptan's tangent (2) of an operand in range. */
x87s_f80 x87s_trig(int fn, x87s_f80 a, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class c = x87s_classify(a);
    if (is_nan_like(c))
        return x87s_nan_result(a, a, false, sw);
    if (c == X87S_INF)
        return invalid(sw);
    if (c == X87S_ZERO)
        return fn == TRIG_COS ? (x87s_f80){ INT_BIT, 0x3fff } : a;
    note_denormal(c, sw);
    mpfr_t x, r, how;
    mpfr_inits2(256, x, r, how, (mpfr_ptr)0);
    to_mpfr(x, a);
    x87s_f80 v;
    if (intel_tiny_trig(fn, x, fcw, sw, &v)) {
        mpfr_clears(x, r, how, (mpfr_ptr)0);
        return v;
    }
    long quadrant = trig_reduce(r, x);
    mpfr_set_si(how, fn << 2 | quadrant, MPFR_RNDN);
    v = correctly_rounded(approx_trig, r, how, fn == TRIG_TAN ? TAN_INTERNAL_BITS : 0, fcw, sw);
    mpfr_clears(x, r, how, (mpfr_ptr)0);
    return v;
}

static bool is_negative(x87s_f80 v) { return v.se >> 15; }

/* fyl2x special cases (x = ST0, y = ST1); true when *r is the result. */
static bool yl2x_special(x87s_f80 x, x87s_f80 y, x87s_f80 *r, uint16_t *sw)
{
    enum x87s_class cx = x87s_classify(x), cy = x87s_classify(y);
    bool one = cx == X87S_NORMAL && x.m == INT_BIT && x.se == F80_BIAS;
    if (cx != X87S_ZERO && is_negative(x)) {
        *r = invalid(sw);
    } else if (cx == X87S_ZERO) {               /* log2 0 = -inf */
        if (cy == X87S_ZERO)
            *r = invalid(sw);
        else {
            *sw |= cy == X87S_INF ? 0 : X87S_ZE;
            *r = x87s_inf(!is_negative(y));
        }
    } else if (cx == X87S_INF) {
        *r = cy == X87S_ZERO ? invalid(sw) : x87s_inf(is_negative(y));
    } else if (cy == X87S_INF) {
        *r = one ? invalid(sw) : x87s_inf(is_negative(y) != (x.se < F80_BIAS));
    } else {
        return false;
    }
    return true;
}

static bool two_nan_like(x87s_f80 x, x87s_f80 y)
{
    return is_nan_like(x87s_classify(x)) || is_nan_like(x87s_classify(y));
}

static void note_denormals(x87s_f80 x, x87s_f80 y, uint16_t *sw)
{
    note_denormal(x87s_classify(x), sw);
    note_denormal(x87s_classify(y), sw);
}

x87s_f80 x87s_yl2x(x87s_f80 x, x87s_f80 y, uint16_t fcw, uint16_t *sw)
{
    x87s_f80 r;
    if (two_nan_like(x, y))
        return x87s_nan_result(x, y, true, sw);
    if (yl2x_special(x, y, &r, sw)) {
        if (!(*sw & (X87S_IE | X87S_ZE)))
            note_denormals(x, y, sw);
        return r;
    }
    note_denormals(x, y, sw);
    if (x86_machine()->intel)
        return compute(intel_yl2x, x, &y, intel_log_rounding(x, false), fcw, sw);
    return compute(approx_yl2x, x, &y, LOG_PRODUCT_BITS, fcw, sw);
}

/* fyl2xp1: y * log2(x + 1) (defined for |x| < 1 - sqrt(2)/2).  Measured
 * outside: +inf gives inf (sign of y), x <= -1 gives x itself (PE). */
x87s_f80 x87s_yl2xp1(x87s_f80 x, x87s_f80 y, uint16_t fcw, uint16_t *sw)
{
    if (two_nan_like(x, y))
        return x87s_nan_result(x, y, true, sw);
    enum x87s_class cx = x87s_classify(x), cy = x87s_classify(y);
    bool x_neg = is_negative(x);
    if ((cx == X87S_INF && (x_neg || cy == X87S_ZERO)) || (cy == X87S_INF && cx == X87S_ZERO))
        return invalid(sw);
    note_denormals(x, y, sw);
    if (cx == X87S_INF)
        return x87s_inf(is_negative(y));
    if (cy == X87S_INF)
        return x87s_inf(is_negative(y) != x_neg);
    if (cx == X87S_ZERO || cy == X87S_ZERO)
        return x87s_zero(x_neg != is_negative(y));
    if (x_neg && (x.se & F80_EMAX) >= F80_BIAS) {     /* x <= -1 */
        *sw |= X87S_PE;
        return x;
    }
    if (x86_machine()->intel)
        return compute(intel_yl2xp1, x, &y, intel_log_rounding(x, true), fcw, sw);
    return compute(approx_yl2xp1, x, &y, LOG_PRODUCT_BITS, fcw, sw);
}

/* fpatan: atan2(y, x) with C99's special cases (the x87's too). */
x87s_f80 x87s_atan(x87s_f80 x, x87s_f80 y, uint16_t fcw, uint16_t *sw)
{
    if (two_nan_like(x, y))
        return x87s_nan_result(x, y, true, sw);
    note_denormals(x, y, sw);
    mpfr_t mx, my;
    mpfr_inits2(64, mx, my, (mpfr_ptr)0);
    enum x87s_class cx = x87s_classify(x), cy = x87s_classify(y);
    if (cx == X87S_INF)
        mpfr_set_inf(mx, is_negative(x) ? -1 : 1);
    else
        to_mpfr(mx, x);
    if (cy == X87S_INF)
        mpfr_set_inf(my, is_negative(y) ? -1 : 1);
    else
        to_mpfr(my, y);
    approx_fn f = intel_tiny_atan(mx, my) ? intel_quotient : approx_atan2;
    x87s_f80 r = correctly_rounded(f, mx, my, 0, fcw, sw);
    mpfr_clears(mx, my, (mpfr_ptr)0);
    return r;
}
