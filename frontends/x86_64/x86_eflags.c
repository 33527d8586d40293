/* x86_eflags.c -- evaluates a lazy flag state (cc_op, cc_dst, cc_src,
 * cc_src2) into the six arithmetic EFLAGS bits, exactly as the native CPU
 * sets them, including the "undefined" bits, which differ by vendor
 * (x86_machine()).  As measured on the AMD host: shifts set AF, logic
 * clears it, mul keeps S Z A P, bsf/bsr set PF from the index,
 * tzcnt/lzcnt keep OF.  As measured on Intel (Sapphire Rapids, session
 * 18): shifts clear AF and take OF from the operand before the shift
 * (cc_src2, see x86_shift.c), mul sets SF PF from the low half and
 * clears ZF AF.  Also the full EFLAGS image of a CPU state (pushf,
 * signal frames, syscall's r11).
 */
#include "x86_internal.h"

struct cc_vals { uint64_t dst, src, src2, sign, mask; int bits; };

/* The helpers below are inlined into their switch: out of line, each call
 * made x86_cc_compute save six registers and build cc_vals on the stack,
 * and cc_compute/cc_bits calls from translated code are over 10 % of a
 * warm cc1's host instructions (3.2 M + 1.7 M calls on the bench's file). */
#define CC_INLINE inline __attribute__((always_inline))

static CC_INLINE uint64_t parity_zero_sign(const struct cc_vals *v)
{
    uint64_t d = v->dst & v->mask, f = 0;
    if (!__builtin_parity((unsigned)(d & 0xff))) f |= X86_PF;
    if (d == 0) f |= X86_ZF;
    if (d & v->sign) f |= X86_SF;
    return f;
}

static CC_INLINE uint64_t of_if(bool c) { return c ? X86_OF : 0; }
static CC_INLINE uint64_t cf_if(bool c) { return c ? X86_CF : 0; }

static CC_INLINE uint64_t cc_add(const struct cc_vals *v, uint64_t cin)
{
    uint64_t r = v->dst & v->mask, b = v->src & v->mask, a = (r - b - cin) & v->mask;
    bool cf = cin ? r <= b : r < b;
    return parity_zero_sign(v) | cf_if(cf) | ((a ^ b ^ r) & X86_AF)
         | of_if(((a ^ r) & (b ^ r) & v->sign) != 0);
}

static CC_INLINE uint64_t cc_sub(const struct cc_vals *v, uint64_t cin)
{
    uint64_t r = v->dst & v->mask, b = v->src & v->mask, a = (r + b + cin) & v->mask;
    bool cf = cin ? a <= b : a < b;
    return parity_zero_sign(v) | cf_if(cf) | ((a ^ b ^ r) & X86_AF)
         | of_if(((a ^ b) & (a ^ r) & v->sign) != 0);
}

static CC_INLINE uint64_t cc_incdec(const struct cc_vals *v, int delta)
{
    uint64_t r = v->dst & v->mask, a = (r - (uint64_t)delta) & v->mask;
    uint64_t ovf = delta > 0 ? v->sign : v->sign - 1;
    return parity_zero_sign(v) | (v->src & X86_CF) | ((a ^ 1 ^ r) & X86_AF) | of_if(r == ovf);
}

/* x86_machine() is fixed for the process but costs a pthread_once per
 * call: its answer is kept here (0 until first asked, then 1 AMD, 2 Intel;
 * threads racing to fill it store the same value).  The entry points
 * (x86_cc_compute, x86_cc_bits) fill it before the inlined evaluation
 * runs, so that holds no call and saves no registers. */
static int cc_vendor;

static bool cc_vendor_known(void)
{
    return __builtin_expect(__atomic_load_n(&cc_vendor, __ATOMIC_RELAXED) != 0, 1);
}

static __attribute__((noinline, cold)) void cc_vendor_decide(void)
{
    __atomic_store_n(&cc_vendor, x86_machine()->intel ? 2 : 1, __ATOMIC_RELAXED);
}

static CC_INLINE bool intel(void) { return __atomic_load_n(&cc_vendor, __ATOMIC_RELAXED) == 2; }

/* Intel clears AF after a shift and its OF is the count-1 OF of the
 * operand before the shift whatever the count: the shifter put a value
 * whose sign bit is that OF in cc_src2 (measured: shl by 7 of 1 has OF 0
 * on Intel, 1 on AMD, which takes OF from the last step). */
static CC_INLINE uint64_t cc_shift_intel(const struct cc_vals *v, bool cf)
{
    return parity_zero_sign(v) | cf_if(cf) | of_if((v->src2 & v->sign) != 0);
}

static CC_INLINE uint64_t cc_shl(const struct cc_vals *v)
{
    bool cf = (v->src >> (v->bits - 1)) & 1;
    bool msb = (v->dst & v->sign) != 0;
    if (intel()) return cc_shift_intel(v, cf);
    return parity_zero_sign(v) | X86_AF | cf_if(cf) | of_if(cf != msb);
}

static CC_INLINE uint64_t cc_sar(const struct cc_vals *v)
{
    if (intel()) return cc_shift_intel(v, v->src & 1);
    return parity_zero_sign(v) | X86_AF | cf_if(v->src & 1)
         | of_if(((v->src ^ v->dst) & v->sign) != 0);
}

/* mul/imul: CF = OF = overflow (dst).  AMD keeps S Z A P (src: the older
 * flags); Intel sets SF and PF from the low half of the product (src),
 * clears ZF and AF (measured on every mul/imul form here). */
static CC_INLINE uint64_t cc_mul(const struct cc_vals *v)
{
    uint64_t ovf = v->dst ? X86_CF | X86_OF : 0;
    if (!intel()) return (v->src & (X86_SF | X86_ZF | X86_AF | X86_PF)) | ovf;
    struct cc_vals lo = *v;
    lo.dst = v->src;
    return (parity_zero_sign(&lo) & (X86_SF | X86_PF)) | ovf;
}

static CC_INLINE uint64_t cc_compute(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    int bits = 8 << (cc_op & 3);
    struct cc_vals v = { dst, src, src2, 1ull << (bits - 1),
                         bits == 64 ? ~0ull : (1ull << bits) - 1, bits };
    switch (cc_op >> 2) {
    case X86_CC_EFLAGS: return src & X86_ARITH_FLAGS;
    case X86_CC_ADD:   return cc_add(&v, 0);
    case X86_CC_ADC:   return cc_add(&v, src2 & 1);
    case X86_CC_SUB:   return cc_sub(&v, 0);
    case X86_CC_SBB:   return cc_sub(&v, src2 & 1);
    case X86_CC_LOGIC: return parity_zero_sign(&v);
    case X86_CC_INC:   return cc_incdec(&v, 1);
    case X86_CC_DEC:   return cc_incdec(&v, -1);
    case X86_CC_SHL:   return cc_shl(&v);
    case X86_CC_SAR:   return cc_sar(&v);
    case X86_CC_MUL:   return cc_mul(&v);
    case X86_CC_BSF:
        return (parity_zero_sign(&v) & X86_PF) | ((src & v.mask) ? 0 : X86_ZF);
    case X86_CC_BMI:
        return (src2 & X86_OF) | ((src & v.mask) ? 0 : X86_CF) | ((dst & v.mask) ? 0 : X86_ZF);
    case X86_CC_BMI1:
        return (parity_zero_sign(&v) & src2) | (src & (X86_CF | X86_AF));
    default: return 0;
    }
}

/* An X86_CC_CF_OVER state: the older state's flags, CF replaced. */
static __attribute__((noinline)) uint64_t cc_compute_cf_over(uint64_t cc_op, uint64_t dst,
                                                             uint64_t src, uint64_t src2)
{
    return (cc_compute(cc_op & 0xff, dst, src, src2) & ~(uint64_t)X86_CF)
         | (cc_op >> X86_CC_CF_SHIFT & 1);
}

static __attribute__((noinline, cold)) uint64_t cc_compute_first(uint64_t cc_op, uint64_t dst,
                                                                  uint64_t src, uint64_t src2)
{
    cc_vendor_decide();
    return x86_cc_compute(cc_op, dst, src, src2);
}

static uint64_t cc_carry(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);

/* An X86_CC_INCDEC_OVER state: the inc/dec's flags, the older state's CF
 * (with the older fields as x86_internal.h has them). */
static __attribute__((noinline)) uint64_t cc_compute_incdec_over(uint64_t cc_op, uint64_t dst,
                                                                 uint64_t src, uint64_t src2)
{
    uint64_t own = cc_op >> X86_CC_INCDEC_OP_SHIFT & 0xff;
    return (cc_compute(own, dst, 0, 0) & ~(uint64_t)X86_CF) | cc_carry(cc_op, dst, src, src2);
}

uint64_t x86_cc_compute(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (!cc_vendor_known())
        return cc_compute_first(cc_op, dst, src, src2);
    if (cc_op & X86_CC_INCDEC_OVER_BIT)
        return cc_compute_incdec_over(cc_op, dst, src, src2);
    if (cc_op & X86_CC_CF_OVER_BIT)
        return cc_compute_cf_over(cc_op, dst, src, src2);
    return cc_compute(cc_op, dst, src, src2);
}

/* CF alone, without the parity and overflow work.  Over an inc/dec that
 * kept it, the older state's (its CF override too, bits 8-9). */
static CC_INLINE uint64_t cc_carry(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op & X86_CC_INCDEC_OVER_BIT) {
        dst = src2;
        src2 = cc_op >> X86_CC_INCDEC_CIN_SHIFT & 1;
        cc_op &= (1ull << X86_CC_INCDEC_CIN_SHIFT) - 1;
    }
    int bits = 8 << (cc_op & 3);
    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, r = dst & m, b = src & m, a;
    if (cc_op & X86_CC_CF_OVER_BIT) return cc_op >> X86_CC_CF_SHIFT & 1;
    switch (cc_op >> 2) {
    case X86_CC_EFLAGS: return src & 1;
    case X86_CC_ADD: return r < b;
    case X86_CC_ADC: return (src2 & 1) ? r <= b : r < b;
    case X86_CC_SUB: a = (r + b) & m; return a < b;
    case X86_CC_SBB: a = (r + b + (src2 & 1)) & m; return (src2 & 1) ? a <= b : a < b;
    case X86_CC_INC: case X86_CC_DEC: return src & 1;
    case X86_CC_SHL: return (src >> (bits - 1)) & 1;
    case X86_CC_SAR: return src & 1;
    case X86_CC_MUL: return dst != 0;
    case X86_CC_BMI: return b == 0;
    case X86_CC_BMI1: return src & 1;
    default: return 0;
    }
}

/* Kinds whose ZF and SF come straight from the result in dst. */
static bool zs_from_result(uint64_t kind)
{
    return kind >= X86_CC_ADD && kind <= X86_CC_SAR;
}

uint64_t x86_cc_bits(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2, uint64_t want)
{
    int bits = 8 << (cc_op & 3);
    uint64_t r = bits == 64 ? dst : dst & ((1ull << bits) - 1), f = 0;
    if (want == X86_CF) return cc_carry(cc_op, dst, src, src2);
    if ((want & ~(uint64_t)(X86_CF | X86_ZF | X86_SF)) || !zs_from_result(cc_op >> 2))
        return x86_cc_compute(cc_op, dst, src, src2) & want;
    if ((want & X86_ZF) && r == 0) f |= X86_ZF;
    if ((want & X86_SF) && (r >> (bits - 1))) f |= X86_SF;
    if ((want & X86_CF) && cc_carry(cc_op, dst, src, src2)) f |= X86_CF;
    return f;
}

static uint64_t helper_cc_bits(void *env, uint64_t op, uint64_t dst, uint64_t src,
                               uint64_t src2, uint64_t want)
{
    (void)env;
    return x86_cc_bits(op, dst, src, src2, want);
}

const struct ir_helper x86_helper_cc_bits = {
    (void *)helper_cc_bits, "cc_bits", 5, 1, IR_HELPER_NO_STORE
};

static uint64_t helper_cc_compute(void *env, uint64_t op, uint64_t dst, uint64_t src,
                                  uint64_t src2)
{
    (void)env;
    return x86_cc_compute(op, dst, src, src2);
}

const struct ir_helper x86_helper_cc_compute = {
    (void *)helper_cc_compute, "cc_compute", 4, 1, IR_HELPER_NO_STORE
};

uint64_t x86_get_eflags(const struct x86_cpu *cpu)
{
    uint64_t f = x86_cc_compute(cpu->cc_op, cpu->cc_dst, cpu->cc_src, cpu->cc_src2);
    if (cpu->df == (uint64_t)-1) f |= X86_DF;
    return f | cpu->eflags_rest | 2;
}

void x86_set_eflags(struct x86_cpu *cpu, uint64_t eflags)
{
    cpu->cc_op = X86_CC_OP(X86_CC_EFLAGS, 8);
    cpu->cc_src = eflags & X86_ARITH_FLAGS;
    cpu->cc_dst = cpu->cc_src2 = 0;
    cpu->df = (eflags & X86_DF) ? (uint64_t)-1 : 1;
    cpu->eflags_rest = (eflags & ~(uint64_t)(X86_ARITH_FLAGS | X86_DF | X86_TF)) | 2 |
                       (cpu->eflags_rest & X86_TF);         /* x86_set_tf's */
}
