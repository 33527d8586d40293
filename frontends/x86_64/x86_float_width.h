/* x86_float_width.h -- the parameters of the per-width floating-point
 * templates (x86_float_rules.h, x86_sse_float_ops.h, x86_fma_ops.h) for
 * F_WIDTH 32 (binary32) or 64 (binary64): FT (the host type), UT (its
 * bits), F_SIGN F_EXP F_QUIET (masks), F_DNAN (x86's default NaN),
 * F_IS_NAN F_IS_SNAN F_VAL F_BITS, F_MIN_NORMAL, F_SCALE (a power of two
 * that lifts every tiny result into the normal range) and the host's
 * libm F_SQRT F_ABS F_FMA.
 *
 * A template includes this file twice: at its top, with FN and F_WIDTH
 * set by the includer, it defines the parameters; at its end it removes
 * them, FN and F_WIDTH, so the next width starts clean.
 */
#ifndef F_SIGN

#if F_WIDTH == 32
#define FT float
#define UT uint32_t
#define F_SIGN F32_SIGN
#define F_EXP 0x7f800000u
#define F_QUIET F32_QUIET
#define F_DNAN F32_DEFAULT_NAN
#define F_IS_NAN f32_is_nan
#define F_IS_SNAN f32_is_snan
#define F_VAL f32_val
#define F_BITS f32_bits
#define F_MIN_NORMAL 0x00800000u
#define F_SCALE 0x1p64f
#define F_SQRT sqrtf
#define F_ABS fabsf
#define F_FMA fmaf
#else
#define FT double
#define UT uint64_t
#define F_SIGN F64_SIGN
#define F_EXP 0x7ff0000000000000ull
#define F_QUIET F64_QUIET
#define F_DNAN F64_DEFAULT_NAN
#define F_IS_NAN f64_is_nan
#define F_IS_SNAN f64_is_snan
#define F_VAL f64_val
#define F_BITS f64_bits
#define F_MIN_NORMAL 0x0010000000000000ull
#define F_SCALE 0x1p128
#define F_SQRT sqrt
#define F_ABS fabs
#define F_FMA fma
#endif

#else

#undef FT
#undef UT
#undef F_SIGN
#undef F_EXP
#undef F_QUIET
#undef F_DNAN
#undef F_IS_NAN
#undef F_IS_SNAN
#undef F_VAL
#undef F_BITS
#undef F_MIN_NORMAL
#undef F_SCALE
#undef F_SQRT
#undef F_ABS
#undef F_FMA
#undef FN
#undef F_WIDTH

#endif
