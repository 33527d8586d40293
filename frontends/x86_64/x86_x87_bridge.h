/* x86_x87_bridge.h -- the soft x87 in the terms of the x87 helpers'
 * arithmetic interface (x86_sse_x87_value.h); see x86_x87_bridge.c. */
#ifndef FERRY_X86_X87_BRIDGE_H
#define FERRY_X86_X87_BRIDGE_H

#include "x86_sse_x87_value.h"

f80 x87_soft_arith(struct x87 *x, uint16_t fcw, enum x87_op op, f80 a, f80 b);
bool x87_soft_unary(struct x87 *x, uint16_t fcw, int fn, f80 a, f80 *result);
uint32_t x87_soft_store_f32(struct x87 *x, uint16_t fcw, f80 v);
uint64_t x87_soft_store_f64(struct x87 *x, uint16_t fcw, f80 v);
f80 x87_soft_remainder(struct x87 *x, f80 a, f80 b, bool ieee, uint16_t *cc);
f80 x87_soft_scale(struct x87 *x, uint16_t fcw, f80 a, f80 b);
f80 x87_soft_fbld(const uint8_t bcd[10]);
void x87_soft_fbstp(struct x87 *x, uint16_t fcw, f80 v, uint8_t bcd[10]);
/* Transcendentals by their D9 low byte: f0 f2xm1, fe fsin, ff fcos,
 * f2 fptan's tangent (x = ST0); f1 fyl2x, f9 fyl2xp1, f3 fpatan (y = ST1). */
f80 x87_soft_trans(struct x87 *x, uint16_t fcw, int fn, f80 st0, f80 st1);
bool x87_soft_trig_in_range(f80 v);
int64_t x87_soft_store_int(struct x87 *x, uint16_t fcw, f80 v, int bits, bool truncate);

#endif
