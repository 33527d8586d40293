/* x86_sse_float.h -- x86 floating-point semantics in portable C, shared by
 * the SSE arithmetic, compare and conversion helpers: NaN propagation and
 * the x86 default NaN, DAZ/FTZ, MXCSR rounding and exception flags.
 * Values travel as raw bits (uint32_t / uint64_t) so NaN payloads never
 * pass through host conversions.
 */
#ifndef FERRY_X86_SSE_FLOAT_H
#define FERRY_X86_SSE_FLOAT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "x86_cpu.h"

#define F32_DEFAULT_NAN 0xffc00000u
#define F64_DEFAULT_NAN 0xfff8000000000000ull
#define F32_QUIET 0x00400000u
#define F64_QUIET 0x0008000000000000ull
#define F32_SIGN 0x80000000u
#define F64_SIGN 0x8000000000000000ull

static inline float f32_val(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline double f64_val(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }
static inline uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline uint64_t f64_bits(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }

static inline bool f32_is_nan(uint32_t u) { return (u & 0x7fffffffu) > 0x7f800000u; }
static inline bool f64_is_nan(uint64_t u) { return (u & ~F64_SIGN) > 0x7ff0000000000000ull; }
static inline bool f32_is_snan(uint32_t u) { return f32_is_nan(u) && !(u & F32_QUIET); }
static inline bool f64_is_snan(uint64_t u) { return f64_is_nan(u) && !(u & F64_QUIET); }

/* Binary and unary operations of the SSE arithmetic instructions. */
enum sse_fop {
    SSE_FADD, SSE_FSUB, SSE_FMUL, SSE_FDIV, SSE_FMIN, SSE_FMAX,
    SSE_FSQRT, SSE_FRCP, SSE_FRSQRT,
};

/* a = first source (destination register), b = second source; unary
 * operations use b only, as the instructions do. */
uint32_t sse_f32_op(struct x86_cpu *env, enum sse_fop op, uint32_t a, uint32_t b);
uint64_t sse_f64_op(struct x86_cpu *env, enum sse_fop op, uint64_t a, uint64_t b);

/* The same, when MXCSR has RC = nearest and neither FTZ nor DAZ. */
uint32_t sse_f32_op_default(struct x86_cpu *env, enum sse_fop op, uint32_t a, uint32_t b);
uint64_t sse_f64_op_default(struct x86_cpu *env, enum sse_fop op, uint64_t a, uint64_t b);
#define SSE_MXCSR_MODE_BITS (3u << SSE_MXCSR_RC_SHIFT | 0x8040u)   /* RC, FTZ, DAZ */

/* x86_sse_approx.c: rcp/rsqrt of a normal b as AMD Zen 5 gives them. */
uint32_t sse_approx_zen5(enum sse_fop op, uint32_t b);
/* ... and as Intel gives them (measured on Ice Lake). */
uint32_t sse_approx_intel(enum sse_fop op, uint32_t b);

/* Compare predicate 0..7 (eq lt le unord neq nlt nle ord) -> mask bit. */
bool sse_f32_cmp(struct x86_cpu *env, int pred, uint32_t a, uint32_t b);
bool sse_f64_cmp(struct x86_cpu *env, int pred, uint64_t a, uint64_t b);
/* ucomis/comis: EFLAGS with ZF PF CF as x86 sets them. */
uint64_t sse_f32_eflags(struct x86_cpu *env, uint32_t a, uint32_t b, bool signaling);
uint64_t sse_f64_eflags(struct x86_cpu *env, uint64_t a, uint64_t b, bool signaling);

/* Conversions. Integer results use the "integer indefinite" value. */
uint64_t sse_f32_to_f64(struct x86_cpu *env, uint32_t a);
uint32_t sse_f64_to_f32(struct x86_cpu *env, uint64_t a);
int64_t sse_f64_to_int(struct x86_cpu *env, uint64_t a, int bits, bool truncate);
int64_t sse_f32_to_int(struct x86_cpu *env, uint32_t a, int bits, bool truncate);
uint32_t sse_f32_from_int(struct x86_cpu *env, int64_t v);
uint64_t sse_f64_from_int(struct x86_cpu *env, int64_t v);

/* Host rounding mode follows MXCSR.RC between enter and leave (only
 * changed when RC is not round-to-nearest); leave also clears the host
 * DE flag (be_fp_denormal_flag) unless it was set at enter. */
int sse_round_enter(const struct x86_cpu *env);
void sse_round_leave(int saved);

/* MXCSR as the guest sees it: the stored value plus the exception flags
 * accumulated in the host FP status since the last write. */
uint32_t sse_mxcsr_read(struct x86_cpu *env);
/* Between two steps of a multi-step helper (dpps, dppd) while some
 * exception is unmasked (the #XM mode, x86_sse_xm.c: the instruction's
 * flags show alone): true when the steps so far raised an unmasked one
 * (the CPU stops there); else their flags are set aside with the sticky
 * ones, as the CPU keeps them when a later step stops on an unmasked
 * pre-computation exception. */
bool sse_step_stops(struct x86_cpu *env);
void sse_mxcsr_write(struct x86_cpu *env, uint32_t v);

#endif
