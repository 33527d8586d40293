/* x86_x87_round.c -- the representation side of the soft x87: classifying
 * and unpacking 80-bit values, rounding an exact intermediate to a format
 * (f80 under PC, binary64, binary32, integers) under RC, and the load/store
 * conversions.  Integer-only C (see x86_x87_soft.h for why).
 */
#include "x86_x87_soft.h"

#define F80_BIAS 16383
#define F80_EMAX 0x7fff
#define INT_BIT  0x8000000000000000ull

static const struct x87s_format fmt_f64 = { 53, 53, 1023, 0x7ff };
static const struct x87s_format fmt_f32 = { 24, 24, 127, 0xff };

static int rc_of(uint16_t fcw) { return fcw >> 10 & 3; }

/* PC: 00 single (24 bits), 10 double (53), 11 extended (64); 01 reserved. */
static int pc_bits(uint16_t fcw)
{
    static const int bits[4] = { 24, 64, 53, 64 };
    return bits[fcw >> 8 & 3];
}

enum x87s_class x87s_classify(x87s_f80 a)
{
    unsigned e = a.se & F80_EMAX;
    if (e == 0)
        return a.m == 0 ? X87S_ZERO : X87S_DENORMAL;
    if (!(a.m & INT_BIT))
        return X87S_INVALID;            /* unnormal, pseudo-inf, pseudo-NaN */
    if (e == F80_EMAX)
        return a.m << 1 ? X87S_NAN : X87S_INF;
    return X87S_NORMAL;
}

bool x87s_is_snan(x87s_f80 a)
{
    return x87s_classify(a) == X87S_NAN && !(a.m & (INT_BIT >> 1));
}

x87s_f80 x87s_indefinite(void) { return (x87s_f80){ 0xc000000000000000ull, 0xffff }; }
x87s_f80 x87s_zero(bool sign) { return (x87s_f80){ 0, (uint16_t)(sign ? 0x8000 : 0) }; }
x87s_f80 x87s_inf(bool sign) { return (x87s_f80){ INT_BIT, (uint16_t)((sign ? 0x8000 : 0) | F80_EMAX) }; }

/* Finite nonzero only (denormals and pseudo-denormals normalised). */
struct x87s_unpacked x87s_unpack(x87s_f80 a)
{
    int32_t e = a.se & F80_EMAX;
    int shift = a.m ? __builtin_clzll(a.m) : 0;   /* clz(0) is undefined (UBSan) */
    return (struct x87s_unpacked){
        .sign = a.se >> 15,
        .exp = (e ? e : 1) - F80_BIAS - shift,
        .sig = (x87s_u128)(a.m << shift) << 64,
    };
}

/* Keeps sig >> shift rounded under rc; PE and C1 ("rounded up") into *sw. */
static x87s_u128 round_at(struct x87s_unpacked u, int shift, int rc, uint16_t *sw)
{
    x87s_u128 kept = 0;
    bool half = false, below = true;
    if (shift == 128) {
        half = true;
        below = (u.sig << 1) != 0 || u.sticky;
    } else if (shift < 128) {
        x87s_u128 rem = u.sig & (((x87s_u128)1 << shift) - 1), hb = (x87s_u128)1 << (shift - 1);
        kept = u.sig >> shift;
        half = (rem & hb) != 0;
        below = (rem & (hb - 1)) != 0 || u.sticky;
    }
    if (!half && !below)
        return kept;
    *sw |= X87S_PE;
    bool up = rc == 0 ? half && (below || (kept & 1)) : rc == 1 ? u.sign : rc == 2 ? !u.sign : false;
    if (up) {
        kept++;
        *sw |= X87S_C1;
    }
    return kept;
}

/* Overflow: infinity when RC rounds away from zero in the value's
 * direction, else the largest finite value at the format's precision. */
static uint64_t round_overflow(struct x87s_unpacked u, struct x87s_format fmt, int rc,
                               int32_t *biased, uint16_t *sw)
{
    *sw |= X87S_OE | X87S_PE;
    *sw &= ~X87S_C1;
    if (rc == 0 || (rc == 1 && u.sign) || (rc == 2 && !u.sign)) {
        *sw |= X87S_C1;
        *biased = fmt.exp_max;
        return INT_BIT;
    }
    *biased = fmt.exp_max - 1;
    return ~0ull << (64 - fmt.bits);
}

/* IEEE tininess after rounding (what the FPU does): the value rounded to
 * the precision with an unbounded exponent is still below the smallest
 * normal.  E is the biased exponent before rounding (< 1). */
static bool tiny_after_rounding(struct x87s_unpacked u, struct x87s_format fmt, int32_t e, int rc)
{
    uint16_t ignored = 0;
    return !(e == 0 && round_at(u, 128 - fmt.bits, rc, &ignored) >> fmt.bits);
}

static uint64_t round_masked(struct x87s_unpacked u, struct x87s_format fmt, uint16_t fcw,
                             int32_t *biased, uint16_t *sw);

/* With OE or UE unmasked, a register result that overflows or is tiny
 * gets its exponent re-biased by 24576 and is rounded as a normal value
 * (the operand the trap handler sees); stores to memory keep the masked
 * results (the FPU does not store them: not modelled). */
#define X87S_REBIAS 24576

uint64_t x87s_round(struct x87s_unpacked u, struct x87s_format fmt, uint16_t fcw,
                    int32_t *biased, uint16_t *sw)
{
    uint16_t flags = 0;
    uint64_t m = round_masked(u, fmt, fcw, biased, &flags);
    bool reg = fmt.width == 64;
    if (reg && (flags & X87S_OE) && !(fcw & X87S_OE)) {
        u.exp -= X87S_REBIAS;
        flags = X87S_OE;
        m = round_masked(u, fmt, fcw, biased, &flags);
    } else if (reg && u.exp + fmt.bias < 1 && !(fcw & X87S_UE)) {
        u.exp += X87S_REBIAS;
        flags = X87S_UE;
        m = round_masked(u, fmt, fcw, biased, &flags);
    }
    *sw |= flags;
    return m;
}

static uint64_t round_masked(struct x87s_unpacked u, struct x87s_format fmt, uint16_t fcw,
                             int32_t *biased, uint16_t *sw)
{
    int32_t e = u.exp + fmt.bias;
    int den = e < 1 ? (1 - e > 200 ? 200 : 1 - e) : 0;
    int shift = 128 - fmt.bits, dshift = 128 - fmt.width + den;
    if (dshift > shift)
        shift = dshift;
    uint16_t flags = 0;
    x87s_u128 kept = round_at(u, shift, rc_of(fcw), &flags);
    *sw |= flags;
    if (den) {
        uint64_t m = (uint64_t)(kept << (shift - 64 - den));
        *biased = m >> 63;
        if ((flags & X87S_PE) && tiny_after_rounding(u, fmt, e, rc_of(fcw)))
            *sw |= X87S_UE;
        return m;
    }
    if (kept >> (128 - shift)) {
        kept >>= 1;
        e++;
    }
    if (e >= fmt.exp_max)
        return round_overflow(u, fmt, rc_of(fcw), biased, sw);
    *biased = e;
    return (uint64_t)(kept << (shift - 64));
}

x87s_f80 x87s_pack(struct x87s_unpacked u, uint16_t fcw, uint16_t *sw)
{
    /* PC also narrows the stored significand: a denormal result keeps only
     * the top PC bits of the 64-bit field (as the FPU does) */
    struct x87s_format fmt = { pc_bits(fcw), pc_bits(fcw), F80_BIAS, F80_EMAX };
    int32_t e;
    uint64_t m = x87s_round(u, fmt, fcw, &e, sw);
    return (x87s_f80){ m, (uint16_t)((u.sign ? 0x8000 : 0) | e) };
}

/* ---- loads ---------------------------------------------------------------- */

/* A binary32/64 value given as sign, biased exponent, fraction. */
static x87s_f80 from_ieee(bool sign, int32_t e, uint64_t frac, struct x87s_format fmt, uint16_t *sw)
{
    uint16_t s = sign ? 0x8000 : 0;
    int fbits = fmt.width - 1;
    if (e == fmt.exp_max) {
        if (frac && !(frac >> (fbits - 1)))
            *sw |= X87S_IE;                          /* signaling: quieted */
        uint64_t m = frac ? INT_BIT | INT_BIT >> 1 | frac << (63 - fbits) : INT_BIT;
        return (x87s_f80){ m, (uint16_t)(s | F80_EMAX) };
    }
    if (e == 0 && frac == 0)
        return x87s_zero(sign);
    if (e == 0) {
        *sw |= X87S_DE;
        int k = 63 - __builtin_clzll(frac);
        return (x87s_f80){ frac << (63 - k), (uint16_t)(s | (k - fbits + 1 - fmt.bias + F80_BIAS)) };
    }
    return (x87s_f80){ INT_BIT | frac << (63 - fbits), (uint16_t)(s | (e - fmt.bias + F80_BIAS)) };
}

x87s_f80 x87s_from_f32(uint32_t v, uint16_t *sw)
{
    return from_ieee(v >> 31, v >> 23 & 0xff, v & 0x7fffff, fmt_f32, sw);
}

x87s_f80 x87s_from_f64(uint64_t v, uint16_t *sw)
{
    return from_ieee(v >> 63, v >> 52 & 0x7ff, v & 0xfffffffffffffull, fmt_f64, sw);
}

x87s_f80 x87s_from_int(int64_t v)
{
    if (v == 0)
        return x87s_zero(false);
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
    int lz = __builtin_clzll(mag);
    return (x87s_f80){ mag << lz, (uint16_t)((v < 0 ? 0x8000 : 0) | (F80_BIAS + 63 - lz)) };
}

/* ---- stores --------------------------------------------------------------- */

/* Rounds A to a binary format: sign, biased exponent, fraction bits. */
static uint64_t to_ieee(x87s_f80 a, struct x87s_format fmt, uint16_t fcw, uint16_t *sw)
{
    int fbits = fmt.width - 1;
    uint64_t sign = (uint64_t)(a.se >> 15) << (fbits + (fmt.width == 53 ? 11 : 8));
    uint64_t inf = (uint64_t)fmt.exp_max << fbits, quiet = 1ull << (fbits - 1);
    switch (x87s_classify(a)) {
    case X87S_ZERO:
        return sign;
    case X87S_INF:
        return sign | inf;
    case X87S_NAN:
        if (x87s_is_snan(a))
            *sw |= X87S_IE;
        return sign | inf | quiet | (a.m << 1 >> (64 - fbits));
    case X87S_INVALID:
        *sw |= X87S_IE;
        return (uint64_t)1 << (fbits + (fmt.width == 53 ? 11 : 8)) | inf | quiet;
    default:
        break;
    }
    int32_t e;
    uint64_t m = x87s_round(x87s_unpack(a), fmt, fcw, &e, sw);
    return sign | (uint64_t)e << fbits | (m << 1 >> (64 - fbits));
}

uint32_t x87s_to_f32(x87s_f80 a, uint16_t fcw, uint16_t *sw)
{
    return (uint32_t)to_ieee(a, fmt_f32, fcw, sw);
}

uint64_t x87s_to_f64(x87s_f80 a, uint16_t fcw, uint16_t *sw)
{
    return to_ieee(a, fmt_f64, fcw, sw);
}

/* The integer part of a finite nonzero value under rc (magnitude, may
 * exceed 64 bits: then saturated to 2^64). */
static x87s_u128 round_to_integer(x87s_f80 a, int rc, uint16_t *sw)
{
    struct x87s_unpacked u = x87s_unpack(a);
    if (u.exp >= 64)
        return (x87s_u128)1 << 64;
    int shift = 127 - u.exp;
    return round_at(u, shift > 129 ? 129 : shift, rc, sw);
}

int64_t x87s_to_int(x87s_f80 a, int bits, bool truncate, uint16_t fcw, uint16_t *sw)
{
    int64_t indefinite = (int64_t)(~0ull << (bits - 1));
    enum x87s_class c = x87s_classify(a);
    if (c == X87S_ZERO)
        return 0;
    if (c != X87S_NORMAL && c != X87S_DENORMAL) {
        *sw |= X87S_IE;
        return indefinite;
    }
    uint16_t flags = 0;
    x87s_u128 mag = round_to_integer(a, truncate ? 3 : rc_of(fcw), &flags);
    x87s_u128 limit = ((x87s_u128)1 << (bits - 1)) - (a.se >> 15 ? 0 : 1);
    if (mag > limit) {
        *sw |= X87S_IE;
        return indefinite;
    }
    *sw |= flags;
    return a.se >> 15 ? (int64_t)-(uint64_t)mag : (int64_t)(uint64_t)mag;
}

/* frndint: RC applies, PC does not. */
x87s_f80 x87s_rndint(x87s_f80 a, uint16_t fcw, uint16_t *sw)
{
    enum x87s_class c = x87s_classify(a);
    if (c == X87S_NAN || c == X87S_INVALID)
        return x87s_nan_result(a, a, false, sw);
    if (c == X87S_ZERO || c == X87S_INF)
        return a;
    if (c == X87S_DENORMAL)
        *sw |= X87S_DE;
    if ((a.se & F80_EMAX) >= F80_BIAS + 63)
        return a;
    x87s_u128 mag = round_to_integer(a, rc_of(fcw), sw);
    if (mag == 0)
        return x87s_zero(a.se >> 15);
    x87s_f80 r = x87s_from_int((int64_t)(uint64_t)mag);
    if (mag >> 63)                                  /* 2^63: from_int would see a negative */
        r = (x87s_f80){ INT_BIT, F80_BIAS + 63 };
    r.se = (uint16_t)((r.se & F80_EMAX) | (a.se & 0x8000));
    return r;
}
