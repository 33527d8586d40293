/* x86_sse_x87_value.h -- x87 80-bit extended values (f80 and struct x87
 * are in x86_cpu.h), shared by the x87 arithmetic (x86_sse_x87_math.c)
 * and the x87 helpers (x86_x87_ops.c, x86_x87_stack.c).
 *
 * Values are kept as raw bits (64-bit significand with explicit integer
 * bit, 15-bit exponent and sign) and converted to the host's long double
 * only for arithmetic: exactly on x86-64 hosts (long double is the x87
 * format), and on AArch64 hosts via binary128, rounded back to 64 bits.
 */
#ifndef FERRY_X86_SSE_X87_VALUE_H
#define FERRY_X86_SSE_X87_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "x86_cpu.h"

#define F80_INT_BIT 0x8000000000000000ull
#define F80_QUIET   0x4000000000000000ull
#define F80_EXP_MAX 0x7fff

static inline bool f80_is_nan(f80 v)
{
    return (v.se & F80_EXP_MAX) == F80_EXP_MAX && (v.m << 1) != 0;
}
static inline bool f80_is_inf(f80 v)
{
    return (v.se & F80_EXP_MAX) == F80_EXP_MAX && (v.m << 1) == 0;
}
static inline bool f80_is_zero(f80 v)
{
    return (v.se & F80_EXP_MAX) == 0 && v.m == 0;
}
/* Unnormals, pseudo-infinities and pseudo-NaNs: invalid operands. */
static inline bool f80_is_unsupported(f80 v)
{
    return (v.se & F80_EXP_MAX) != 0 && !(v.m & F80_INT_BIT);
}
static inline bool f80_is_denormal(f80 v)
{
    return (v.se & F80_EXP_MAX) == 0 && v.m != 0;
}
static inline bool f80_sign(f80 v) { return v.se >> 15; }

/* The "real indefinite" (x87 default NaN). */
static inline f80 f80_indefinite(void)
{
    return (f80){ F80_INT_BIT | F80_QUIET, 0xffff };
}

#define X87_C0 0x0100
#define X87_C1 0x0200
#define X87_C2 0x0400
#define X87_C3 0x4000
#define X87_IE 0x0001
#define X87_DE 0x0002
#define X87_ZE 0x0004
#define X87_OE 0x0008
#define X87_UE 0x0010
#define X87_SF 0x0040       /* stack fault (with IE) */

/* x86_sse_x87_math.c: operations on values under FCW's rounding mode. */
/* Values are the ModRM reg field of the arithmetic group (2, 3: fcom). */
enum x87_op { X87_ADD = 0, X87_MUL = 1, X87_SUB = 4, X87_SUBR = 5, X87_DIV = 6, X87_DIVR = 7 };
f80 x87_arith(struct x87 *x, uint16_t fcw, enum x87_op op, f80 a, f80 b);
f80 x87_unary(struct x87 *x, uint16_t fcw, int fn, f80 a);  /* D9 E0..FF low byte */
f80 x87_from_f32(uint32_t v);
f80 x87_from_f64(uint64_t v);
f80 x87_from_int(int64_t v);
uint32_t x87_to_f32(struct x87 *x, uint16_t fcw, f80 v);
uint64_t x87_to_f64(struct x87 *x, uint16_t fcw, f80 v);
int64_t x87_to_int(struct x87 *x, uint16_t fcw, f80 v, int bits, bool truncate);
f80 x87_constant(uint16_t fcw, int which);                  /* D9 E8..EE low 3 bits */
int x87_compare(f80 a, f80 b);                              /* -1 0 1, 2 unordered */
uint16_t x87_examine(f80 v, bool empty);                    /* fxam C3 C2 C1 C0 */
void x87_extract(f80 a, f80 *exp, f80 *sig);

#endif
