/* x86_x87_rem.c -- fprem and fprem1 of the soft x87, exactly (a remainder
 * is always representable): integer long division of the significands
 * when the exponents are less than 64 apart; otherwise the FPU's partial
 * reduction (C2 set, the guest loops) by b * 2^(D - N), N = 32 + D mod 32.
 * Condition codes: C0 C3 C1 = bits 2 1 0 of the quotient, C2 = partial.
 */
#include "x86_x87_soft.h"

#define C0 0x0100
#define C1 0x0200
#define C2 0x0400
#define C3 0x4000
#define FCW_EXACT 0x037f            /* 64-bit precision: packs exactly */

static uint16_t quotient_cc(uint64_t q)
{
    return (uint16_t)((q & 4 ? C0 : 0) | (q & 2 ? C3 : 0) | (q & 1 ? C1 : 0));
}

/* sign * r * 2^(exp - 63), r < 2^64 (0: a zero of that sign). */
static x87s_f80 make_value(bool sign, uint64_t r, int32_t exp, uint16_t *sw)
{
    if (r == 0)
        return x87s_zero(sign);
    int n = __builtin_clzll(r);
    struct x87s_unpacked u = { sign, exp - n, (x87s_u128)(r << n) << 64, false };
    return x87s_pack(u, FCW_EXACT, sw);
}

/* A unchanged, but pseudo-denormals normalised, as the FPU does. */
static x87s_f80 same_value(x87s_f80 a, uint16_t *sw)
{
    if (x87s_classify(a) != X87S_DENORMAL)
        return a;
    return x87s_pack(x87s_unpack(a), FCW_EXACT, sw);
}

/* Special operands; true when *r (and *cc) are the result. */
static bool rem_special(x87s_f80 a, x87s_f80 b, x87s_f80 *r, uint16_t *sw)
{
    enum x87s_class ca = x87s_classify(a), cb = x87s_classify(b);
    if (ca == X87S_NAN || cb == X87S_NAN || ca == X87S_INVALID || cb == X87S_INVALID) {
        *r = x87s_nan_result(a, b, true, sw);
    } else if (ca == X87S_INF || cb == X87S_ZERO) {
        *sw |= X87S_IE;
        *r = x87s_indefinite();
    } else {
        if (ca == X87S_DENORMAL || cb == X87S_DENORMAL)
            *sw |= X87S_DE;
        if (ca != X87S_ZERO && cb != X87S_INF)
            return false;
        *r = same_value(a, sw);
    }
    return true;
}

/* |a| < |b| (exponent difference D < 0): quotient 0, or 1 for fprem1
 * when |a| > |b| / 2. */
static x87s_f80 rem_small(x87s_f80 a, struct x87s_unpacked ua, struct x87s_unpacked ub, bool ieee,
                          uint16_t *cc, uint16_t *sw)
{
    uint64_t ma = (uint64_t)(ua.sig >> 64), mb = (uint64_t)(ub.sig >> 64);
    if (!ieee || ua.exp < ub.exp - 1 || ma <= mb)
        return same_value(a, sw);
    *cc = C1;
    return make_value(!ua.sign, 2 * mb - ma, ua.exp, sw);     /* |a| - |b|, < 0 */
}

x87s_f80 x87s_remainder(x87s_f80 a, x87s_f80 b, bool ieee, uint16_t *cc, uint16_t *sw)
{
    x87s_f80 r;
    *cc = 0;
    if (rem_special(a, b, &r, sw))
        return r;
    struct x87s_unpacked ua = x87s_unpack(a), ub = x87s_unpack(b);
    int32_t d = ua.exp - ub.exp;
    if (d < 0)
        return rem_small(a, ua, ub, ieee, cc, sw);
    bool partial = d >= 64;
    if (partial) {
        ub.exp += d - (32 + d % 32);
        d = 32 + d % 32;
        ieee = false;
    }
    uint64_t mb = (uint64_t)(ub.sig >> 64);
    x87s_u128 n = (ua.sig >> 64) << d, q = n / mb;
    uint64_t rem = (uint64_t)(n % mb);
    bool sign = ua.sign;
    if (ieee && (2 * (x87s_u128)rem > mb || (2 * (x87s_u128)rem == mb && (q & 1)))) {
        rem = mb - rem;
        q++;
        sign = !sign;
    }
    *cc = partial ? C2 : quotient_cc((uint64_t)q);
    return make_value(rem ? sign : ua.sign, rem, ub.exp, sw);
}
