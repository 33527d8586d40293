/* x86_x87_arith.c -- the correctly rounded x87 operations of the soft x87
 * (add, subtract, multiply, divide, square root) on 80-bit values: special
 * operands first (NaN propagation, infinities, zeros, invalid encodings),
 * then the exact result as a 128-bit significand plus sticky bit, rounded
 * once by x87s_pack under the control word.  Integer-only C.
 */
#include "x86_x87_soft.h"

static bool sign_of(x87s_f80 a) { return a.se >> 15; }
static int rc_of(uint16_t fcw) { return fcw >> 10 & 3; }

/* SDM "rules for generating QNaNs": an SNaN raises IE; of two NaNs a
 * QNaN wins over an SNaN, else the larger significand (the positive one
 * on a tie); the result is quiet.  Invalid encodings give the indefinite. */
x87s_f80 x87s_nan_result(x87s_f80 a, x87s_f80 b, bool two, uint16_t *sw)
{
    if (x87s_classify(a) == X87S_INVALID || (two && x87s_classify(b) == X87S_INVALID)) {
        *sw |= X87S_IE;
        return x87s_indefinite();
    }
    bool an = x87s_classify(a) == X87S_NAN, bn = two && x87s_classify(b) == X87S_NAN;
    if (x87s_is_snan(a) || (two && x87s_is_snan(b)))
        *sw |= X87S_IE;
    x87s_f80 r = a;
    if (!an)
        r = b;
    else if (an && bn && x87s_is_snan(a) != x87s_is_snan(b))
        r = x87s_is_snan(a) ? b : a;
    else if (an && bn && ((b.m << 1) > (a.m << 1) || ((b.m == a.m) && sign_of(a))))
        r = b;
    r.m |= 0x4000000000000000ull;
    return r;
}

static bool is_special(enum x87s_class c) { return c == X87S_NAN || c == X87S_INVALID; }

static void note_denormals(enum x87s_class ca, enum x87s_class cb, uint16_t *sw)
{
    if (ca == X87S_DENORMAL || cb == X87S_DENORMAL)
        *sw |= X87S_DE;
}

/* ---- add / subtract -------------------------------------------------- */

static bool magnitude_less(struct x87s_unpacked a, struct x87s_unpacked b)
{
    return a.exp != b.exp ? a.exp < b.exp : a.sig < b.sig;
}

static void shift_right_sticky(struct x87s_unpacked *u, int32_t n)
{
    if (n >= 128) {
        u->sticky = u->sticky || u->sig != 0;
        u->sig = 0;
    } else if (n > 0) {
        u->sticky = u->sticky || (u->sig << (128 - n)) != 0;
        u->sig >>= n;
    }
}

/* |a| >= |b|, both finite nonzero. */
static x87s_f80 add_magnitudes(struct x87s_unpacked a, struct x87s_unpacked b, uint16_t fcw,
                               uint16_t *sw)
{
    shift_right_sticky(&b, a.exp - b.exp);
    if (a.sign == b.sign) {
        x87s_u128 sum = a.sig + b.sig;
        a.sticky = b.sticky;
        if (sum < a.sig) {                             /* carry out of bit 127 */
            a.sticky = a.sticky || (sum & 1);
            sum = sum >> 1 | (x87s_u128)1 << 127;
            a.exp++;
        }
        a.sig = sum;
        return x87s_pack(a, fcw, sw);
    }
    /* b's sticky part is a positive fraction below b.sig's last bit */
    x87s_u128 diff = a.sig - b.sig - (b.sticky ? 1 : 0);
    if (diff == 0 && !b.sticky)
        return x87s_zero(rc_of(fcw) == 1);
    int n = diff >> 64 ? __builtin_clzll((uint64_t)(diff >> 64))
                       : 64 + __builtin_clzll((uint64_t)diff);
    a.sig = diff << n;
    a.exp -= n;
    a.sticky = b.sticky;
    return x87s_pack(a, fcw, sw);
}

static x87s_f80 add_signed(x87s_f80 a, x87s_f80 b, bool negate_b, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class ca = x87s_classify(a), cb = x87s_classify(b);
    if (is_special(ca) || is_special(cb))
        return x87s_nan_result(a, b, true, sw);
    note_denormals(ca, cb, sw);
    bool sa = sign_of(a), sb = sign_of(b) ^ negate_b;
    if (ca == X87S_INF && cb == X87S_INF && sa != sb) {
        *sw |= X87S_IE;
        return x87s_indefinite();
    }
    if (ca == X87S_INF || cb == X87S_INF)
        return x87s_inf(ca == X87S_INF ? sa : sb);
    if (ca == X87S_ZERO && cb == X87S_ZERO)
        return x87s_zero(sa == sb ? sa : rc_of(fcw) == 1);
    struct x87s_unpacked ua = x87s_unpack(a), ub = x87s_unpack(b);
    ub.sign = sb;
    if (ca == X87S_ZERO || cb == X87S_ZERO)
        return x87s_pack(ca == X87S_ZERO ? ub : ua, fcw, sw);
    return magnitude_less(ua, ub) ? add_magnitudes(ub, ua, fcw, sw) : add_magnitudes(ua, ub, fcw, sw);
}

x87s_f80 x87s_add(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    return add_signed(a, b, false, fcw, sw);
}

x87s_f80 x87s_sub(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    return add_signed(a, b, true, fcw, sw);
}

/* ---- multiply / divide ------------------------------------------------ */

x87s_f80 x87s_mul(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class ca = x87s_classify(a), cb = x87s_classify(b);
    if (is_special(ca) || is_special(cb))
        return x87s_nan_result(a, b, true, sw);
    bool sign = sign_of(a) ^ sign_of(b);
    if ((ca == X87S_INF && cb == X87S_ZERO) || (ca == X87S_ZERO && cb == X87S_INF)) {
        *sw |= X87S_IE;
        return x87s_indefinite();
    }
    note_denormals(ca, cb, sw);
    if (ca == X87S_INF || cb == X87S_INF)
        return x87s_inf(sign);
    if (ca == X87S_ZERO || cb == X87S_ZERO)
        return x87s_zero(sign);
    struct x87s_unpacked ua = x87s_unpack(a), ub = x87s_unpack(b);
    struct x87s_unpacked r = { sign, ua.exp + ub.exp + 1,
                               (ua.sig >> 64) * (uint64_t)(ub.sig >> 64), false };
    if (!(r.sig >> 127)) {
        r.sig <<= 1;
        r.exp--;
    }
    return x87s_pack(r, fcw, sw);
}

/* Special cases of a / b; true when *r is the result. */
static bool div_special(enum x87s_class ca, enum x87s_class cb, bool sign, x87s_f80 *r, uint16_t *sw)
{
    if ((ca == X87S_INF && cb == X87S_INF) || (ca == X87S_ZERO && cb == X87S_ZERO)) {
        *sw |= X87S_IE;
        *r = x87s_indefinite();
    } else if (ca == X87S_INF) {
        *r = x87s_inf(sign);
    } else if (cb == X87S_INF || ca == X87S_ZERO) {
        *r = x87s_zero(sign);
    } else if (cb == X87S_ZERO) {
        *sw |= X87S_ZE;
        *r = x87s_inf(sign);
    } else {
        return false;
    }
    return true;
}

/* Long division: 128 quotient bits of the 64-bit significands. */
x87s_f80 x87s_div(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class ca = x87s_classify(a), cb = x87s_classify(b);
    if (is_special(ca) || is_special(cb))
        return x87s_nan_result(a, b, true, sw);
    bool sign = sign_of(a) ^ sign_of(b);
    x87s_f80 r;
    if (cb != X87S_ZERO)                    /* x / 0 raises ZE alone */
        note_denormals(ca, cb, sw);
    if (div_special(ca, cb, sign, &r, sw))
        return r;
    struct x87s_unpacked ua = x87s_unpack(a), ub = x87s_unpack(b);
    uint64_t ma = (uint64_t)(ua.sig >> 64), mb = (uint64_t)(ub.sig >> 64);
    bool big = ma >= mb;
    x87s_u128 num = (x87s_u128)ma << (big ? 63 : 64);
    uint64_t q1 = (uint64_t)(num / mb), rem = (uint64_t)(num % mb);
    x87s_u128 num2 = (x87s_u128)rem << 64;
    uint64_t q2 = (uint64_t)(num2 / mb), rem2 = (uint64_t)(num2 % mb);
    struct x87s_unpacked q = { sign, ua.exp - ub.exp - (big ? 0 : 1),
                               (x87s_u128)q1 << 64 | q2, rem2 != 0 };
    return x87s_pack(q, fcw, sw);
}

/* ---- square root -------------------------------------------------------- */

static uint64_t isqrt128(x87s_u128 n)
{
    uint64_t r = 0;
    for (uint64_t bit = 1ull << 63; bit; bit >>= 1) {
        uint64_t t = r | bit;
        if ((x87s_u128)t * t <= n)
            r = t;
    }
    return r;
}

x87s_f80 x87s_sqrt(x87s_f80 a, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class c = x87s_classify(a);
    if (is_special(c))
        return x87s_nan_result(a, a, false, sw);
    if (c == X87S_ZERO)
        return a;
    if (sign_of(a)) {
        *sw |= X87S_IE;
        return x87s_indefinite();
    }
    if (c == X87S_INF)
        return a;
    note_denormals(c, c, sw);
    struct x87s_unpacked u = x87s_unpack(a);
    /* value = m * 2^(exp-63) = (m << s) * 2^k with k even */
    int s = ((u.exp - 127) & 1) ? 63 : 64;
    int32_t k = u.exp - 63 - s;
    x87s_u128 n = (u.sig >> 64) << s;
    uint64_t r = isqrt128(n);
    x87s_u128 rem = n - (x87s_u128)r * r;
    /* never exactly halfway: rem > r means above r + 1/2 */
    struct x87s_unpacked q = { false, k / 2 + 63,
                               (x87s_u128)r << 64 | (rem > r ? 1ull << 63 : 0) | (rem != 0), false };
    return x87s_pack(q, fcw, sw);
}

/* ---- fscale ------------------------------------------------------------- */

/* trunc(b) for finite b, clamped far beyond any exponent range. */
static int32_t scale_count(x87s_f80 b)
{
    if (x87s_classify(b) == X87S_ZERO)
        return 0;
    struct x87s_unpacked u = x87s_unpack(b);
    int32_t n = u.exp < 0 ? 0 : u.exp >= 17 ? 100000 : (int32_t)(u.sig >> (127 - u.exp));
    return u.sign ? -n : n;
}

/* a * 2^(+-inf): exact, but 0 * 2^inf and inf * 2^-inf are invalid. */
static x87s_f80 scale_by_inf(x87s_f80 a, enum x87s_class ca, bool negative, uint16_t *sw)
{
    if (negative ? ca == X87S_INF : ca == X87S_ZERO) {
        *sw |= X87S_IE;
        return x87s_indefinite();
    }
    if (ca == X87S_DENORMAL)
        *sw |= X87S_DE;
    return negative ? x87s_zero(sign_of(a)) : x87s_inf(sign_of(a));
}

x87s_f80 x87s_scale(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class ca = x87s_classify(a), cb = x87s_classify(b);
    if (is_special(ca) || is_special(cb))
        return x87s_nan_result(a, b, true, sw);
    if (cb == X87S_INF)
        return scale_by_inf(a, ca, sign_of(b), sw);
    note_denormals(ca, cb, sw);
    if (ca == X87S_ZERO || ca == X87S_INF)
        return a;
    struct x87s_unpacked u = x87s_unpack(a);
    u.exp += scale_count(b);
    return x87s_pack(u, fcw | 0x0300, sw);          /* PC does not apply (measured) */
}
