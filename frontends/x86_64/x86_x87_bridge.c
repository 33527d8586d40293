/* x86_x87_bridge.c -- the soft x87 (x86_x87_soft.h) behind the interface of
 * the x87 helpers' arithmetic (x86_sse_x87_value.h), so that the
 * correctly rounded operations there can be routed here and become
 * bit-exact on every host (through binary128 long double on AArch64 hosts,
 * mul/div/sqrt are double-rounded):
 *   x87_arith                 -> x87_soft_arith
 *   x87_unary fsqrt/frndint   -> x87_soft_unary (returns false otherwise)
 *   x87_to_f32/_f64/_int      -> x87_soft_store_f32/_f64/_int
 *   x87_remainder             -> x87_soft_remainder (with IE/DE into x)
 *   x87_scale                 -> x87_soft_scale
 *   fbld / fbstp (DF /4, /6)  -> x87_soft_fbld / x87_soft_fbstp
 *   f2xm1 fsin fcos fptan fyl2x fyl2xp1 fpatan -> x87_soft_trans (MPFR)
 * The status flags go straight into the stack state: C1 (rounded up) and
 * every exception flag (IE DE ZE OE UE PE), as the FPU sets them.
 */
#include "x86_x87_bridge.h"
#include "x86_x87_soft.h"

static x87s_f80 to_soft(f80 v) { return (x87s_f80){ v.m, v.se }; }
static f80 from_soft(x87s_f80 v) { return (f80){ v.m, v.se }; }

static void note_status(struct x87 *x, uint16_t sw)
{
    if (!x)
        return;
    x->cc = (uint16_t)((x->cc & ~X87_C1) | (sw & X87S_C1));
    x->exc |= sw & 0x3f;
}

f80 x87_soft_arith(struct x87 *x, uint16_t fcw, enum x87_op op, f80 a, f80 b)
{
    x87s_f80 p = to_soft(a), q = to_soft(b), r;
    uint16_t sw = 0;
    switch (op) {
    case X87_ADD:  r = x87s_add(p, q, fcw, &sw); break;
    case X87_MUL:  r = x87s_mul(p, q, fcw, &sw); break;
    case X87_SUB:  r = x87s_sub(p, q, fcw, &sw); break;
    case X87_SUBR: r = x87s_sub(q, p, fcw, &sw); break;
    case X87_DIV:  r = x87s_div(p, q, fcw, &sw); break;
    default:       r = x87s_div(q, p, fcw, &sw); break;
    }
    note_status(x, sw);
    return from_soft(r);
}

/* fsqrt (D9 FA) and frndint (D9 FC). */
bool x87_soft_unary(struct x87 *x, uint16_t fcw, int fn, f80 a, f80 *result)
{
    uint16_t sw = 0;
    if (fn == 0xfa)
        *result = from_soft(x87s_sqrt(to_soft(a), fcw, &sw));
    else if (fn == 0xfc)
        *result = from_soft(x87s_rndint(to_soft(a), fcw, &sw));
    else
        return false;
    note_status(x, sw);
    return true;
}

uint32_t x87_soft_store_f32(struct x87 *x, uint16_t fcw, f80 v)
{
    uint16_t sw = 0;
    uint32_t r = x87s_to_f32(to_soft(v), fcw, &sw);
    note_status(x, sw);
    return r;
}

/* A zero, or a normal value in a double's normal range whose low 11
 * significand bits are clear: a double holds it exactly, so the store
 * rounds nothing and raises nothing under any control word (the common
 * case: values loaded from doubles, exact remainders). */
static bool exact_f64(f80 v, uint64_t *r)
{
    int exp = v.se & 0x7fff;
    uint64_t sign = (uint64_t)(v.se >> 15) << 63;
    if (exp == 0 && v.m == 0) {
        *r = sign;
        return true;
    }
    if (!(v.m >> 63) || (v.m & 0x7ff) || exp < 16383 - 1022 || exp > 16383 + 1023)
        return false;
    *r = sign | (uint64_t)(exp - 16383 + 1023) << 52 | (v.m >> 11 & ((1ull << 52) - 1));
    return true;
}

uint64_t x87_soft_store_f64(struct x87 *x, uint16_t fcw, f80 v)
{
    uint16_t sw = 0;
    uint64_t r;
    if (exact_f64(v, &r)) {
        note_status(x, 0);
        return r;
    }
    r = x87s_to_f64(to_soft(v), fcw, &sw);
    note_status(x, sw);
    return r;
}

/* fist/fistp/fisttp: NaN, infinity and out-of-range give the integer
 * indefinite with IE (and C1 clear). */
int64_t x87_soft_store_int(struct x87 *x, uint16_t fcw, f80 v, int bits, bool truncate)
{
    uint16_t sw = 0;
    int64_t r = x87s_to_int(to_soft(v), bits, truncate, fcw, &sw);
    note_status(x, sw);
    return r;
}

/* fprem / fprem1: *cc gets C0..C3 (C1 included: it is a quotient bit). */
f80 x87_soft_remainder(struct x87 *x, f80 a, f80 b, bool ieee, uint16_t *cc)
{
    uint16_t sw = 0;
    f80 r = from_soft(x87s_remainder(to_soft(a), to_soft(b), ieee, cc, &sw));
    if (x)
        x->exc |= sw & 0x3f;
    return r;
}

/* fscale: ST0 * 2^trunc(ST1), rounded under RC only. */
f80 x87_soft_scale(struct x87 *x, uint16_t fcw, f80 a, f80 b)
{
    uint16_t sw = 0;
    f80 r = from_soft(x87s_scale(to_soft(a), to_soft(b), fcw, &sw));
    note_status(x, sw);
    return r;
}

f80 x87_soft_fbld(const uint8_t bcd[10])
{
    return from_soft(x87s_from_bcd(bcd));
}

/* C1 and the flags as for fist; the caller pops. */
void x87_soft_fbstp(struct x87 *x, uint16_t fcw, f80 v, uint8_t bcd[10])
{
    uint16_t sw = 0;
    x87s_to_bcd(to_soft(v), fcw, bcd, &sw);
    note_status(x, sw);
}

static x87s_f80 trans_one(int fn, x87s_f80 p, x87s_f80 q, uint16_t fcw, uint16_t *sw)
{
    switch (fn) {
    case 0xf0: return x87s_f2xm1(p, fcw, sw);
    case 0xfe: return x87s_trig(0, p, fcw, sw);
    case 0xff: return x87s_trig(1, p, fcw, sw);
    case 0xf2: return x87s_trig(2, p, fcw, sw);
    case 0xf1: return x87s_yl2x(p, q, fcw, sw);
    case 0xf9: return x87s_yl2xp1(p, q, fcw, sw);
    default:   return x87s_atan(p, q, fcw, sw);
    }
}

f80 x87_soft_trans(struct x87 *x, uint16_t fcw, int fn, f80 st0, f80 st1)
{
    uint16_t sw = 0;
    f80 r = from_soft(trans_one(fn, to_soft(st0), to_soft(st1), fcw, &sw));
    note_status(x, sw);
    return r;
}

bool x87_soft_trig_in_range(f80 v)
{
    return x87s_trig_in_range(to_soft(v));
}
