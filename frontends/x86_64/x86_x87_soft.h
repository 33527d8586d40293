/* x86_x87_soft.h -- bit-exact x87 extended-precision arithmetic in integer C
 * (no host floating point, no long double: the same results on x86-64 and
 * AArch64 hosts, where long double is binary128 and double rounding through
 * it gives wrong last bits for mul/div/sqrt).
 *
 * Values are raw 80-bit registers {64-bit significand with explicit integer
 * bit, sign+15-bit exponent} (the layout of the SSE x87 code's f80).
 * Every operation takes the x87 control word (RC rounding, PC precision)
 * and ORs into *sw what the instruction sets in the status word: the
 * exception flags IE DE ZE OE UE PE (tininess before rounding) and C1
 * ("rounded up") -- callers clear C1 first.  Masked responses, except
 * that a register result of an unmasked overflow or underflow gets its
 * exponent re-biased by 24576 (x87s_round).
 * Unsupported encodings (pseudo-NaN, unnormals, pseudo-infinity) are
 * invalid operands, as on every x87 since the 387.
 */
#ifndef FERRY_X86_X87_SOFT_H
#define FERRY_X86_X87_SOFT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct { uint64_t m; uint16_t se; } x87s_f80;

/* status word bits */
#define X87S_IE 0x0001
#define X87S_DE 0x0002
#define X87S_ZE 0x0004
#define X87S_OE 0x0008
#define X87S_UE 0x0010
#define X87S_PE 0x0020
#define X87S_C1 0x0200

x87s_f80 x87s_add(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_sub(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_mul(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_div(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_sqrt(x87s_f80 a, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_rndint(x87s_f80 a, uint16_t fcw, uint16_t *sw);     /* frndint: RC only */
x87s_f80 x87s_scale(x87s_f80 a, x87s_f80 b, uint16_t fcw, uint16_t *sw);  /* a * 2^trunc(b) */
/* fprem (ieee false) / fprem1: exact; *cc gets C0 C1 C2 C3 (status bits). */
x87s_f80 x87s_remainder(x87s_f80 a, x87s_f80 b, bool ieee, uint16_t *cc, uint16_t *sw);

/* Conversions.  Loads are exact (sNaN: IE and quieted); stores round under
 * RC (fst ignores PC); integer stores of NaN/inf/out-of-range give the
 * integer indefinite with IE.  bits: 16, 32 or 64. */
x87s_f80 x87s_from_f32(uint32_t v, uint16_t *sw);
x87s_f80 x87s_from_f64(uint64_t v, uint16_t *sw);
x87s_f80 x87s_from_int(int64_t v);
uint32_t x87s_to_f32(x87s_f80 a, uint16_t fcw, uint16_t *sw);
uint64_t x87s_to_f64(x87s_f80 a, uint16_t fcw, uint16_t *sw);
int64_t x87s_to_int(x87s_f80 a, int bits, bool truncate, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_from_bcd(const uint8_t bcd[10]);                       /* fbld */
void x87s_to_bcd(x87s_f80 a, uint16_t fcw, uint8_t bcd[10], uint16_t *sw);  /* fbstp */

/* Transcendentals (x86_x87_trans.c, MPFR): correctly rounded to 64 bits
 * under RC (PC does not apply), fsin/fcos/fptan reduced by the FPU's
 * 66-bit pi.  x = ST0, y = ST1.  x87s_trig: fn 0 sin, 1 cos, 2 tan, for
 * operands x87s_trig_in_range (else the FPU sets C2 and does nothing). */
x87s_f80 x87s_f2xm1(x87s_f80 x, uint16_t fcw, uint16_t *sw);
bool x87s_trig_in_range(x87s_f80 x);
x87s_f80 x87s_trig(int fn, x87s_f80 x, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_yl2x(x87s_f80 x, x87s_f80 y, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_yl2xp1(x87s_f80 x, x87s_f80 y, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_atan(x87s_f80 x, x87s_f80 y, uint16_t fcw, uint16_t *sw);

/* ---- internal: shared by x86_x87_round.c and x86_x87_arith.c ---------- */

/* An unpacked finite nonzero value: sig * 2^(exp - 127), sig bit 127 set. */
typedef unsigned __int128 x87s_u128;
struct x87s_unpacked {
    bool sign;
    int32_t exp;
    x87s_u128 sig;
    bool sticky;                /* nonzero bits below sig */
};

/* The target of a rounding: precision in bits, stored significand width
 * (denormals lose bits below it), exponent bias and the all-ones exponent. */
struct x87s_format { int bits, width; int32_t bias, exp_max; };

enum x87s_class { X87S_ZERO, X87S_DENORMAL, X87S_NORMAL, X87S_INF, X87S_NAN, X87S_INVALID };

enum x87s_class x87s_classify(x87s_f80 a);
struct x87s_unpacked x87s_unpack(x87s_f80 a);
bool x87s_is_snan(x87s_f80 a);
x87s_f80 x87s_indefinite(void);
x87s_f80 x87s_nan_result(x87s_f80 a, x87s_f80 b, bool two, uint16_t *sw);
/* Rounds to FMT under RC; returns the significand left-aligned in 64 bits
 * (integer bit at 63 for normals) and the biased exponent (0: denormal). */
uint64_t x87s_round(struct x87s_unpacked u, struct x87s_format fmt, uint16_t fcw,
                    int32_t *biased, uint16_t *sw);
x87s_f80 x87s_pack(struct x87s_unpacked u, uint16_t fcw, uint16_t *sw);
x87s_f80 x87s_zero(bool sign);
x87s_f80 x87s_inf(bool sign);

#endif
