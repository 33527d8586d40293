/* x86_flag_ir.c -- the arithmetic flags of a known producer (sub/cmp,
 * add, adc/sbb, and/or/xor/test, inc/dec, shifts, mul, bsf/bsr,
 * tzcnt/lzcnt, the BMI1 kind) as plain IR ops, for x86_flags_eflags and
 * the conditions x86_cond.c cannot test directly.
 *
 * Why: the cc_compute helper costs ~88 host instructions a call (register
 * saves around the call, the kind switch); these are 5-25 IR ops, only for
 * the bits asked for.  Same values as x86_eflags.c's evaluation (the
 * oracle-tested one), vendor choices included: recorded values are
 * zero-extended at the operand size except a shift's src, of which only
 * single bits are used.  Kinds not handled here return IR_NONE.
 */
#include "x86_internal.h"

/* (v >> from & 1) << to, in two ops. */
static ir_ref bit_move(struct x86_dc *dc, ir_ref v, int from, int to)
{
    ir_ref s = from >= to ? x86_op2(dc, IR_shr, 8, v, x86_imm(dc, (uint64_t)(from - to)))
                          : x86_op2(dc, IR_shl, 8, v, x86_imm(dc, (uint64_t)(to - from)));
    return x86_op2(dc, IR_and, 8, s, x86_imm(dc, 1ull << to));
}

static ir_ref or_in(struct x86_dc *dc, ir_ref acc, ir_ref v)
{
    if (acc == IR_NONE) return v;
    return v == IR_NONE ? acc : x86_op2(dc, IR_or, 8, acc, v);
}

/* PF: even parity of the low byte.  0x9669 has bit n set when the nibble
 * n has even parity; the byte's parity is that of its two nibbles xored. */
static ir_ref parity_flag(struct x86_dc *dc, ir_ref r)
{
    ir_ref t = x86_op2(dc, IR_xor, 8, r, x86_op2(dc, IR_shr, 8, r, x86_imm(dc, 4)));
    t = x86_op2(dc, IR_and, 8, t, x86_imm(dc, 15));
    t = x86_op2(dc, IR_shr, 8, x86_imm(dc, 0x9669ull << 2), t);
    return x86_op2(dc, IR_and, 8, t, x86_imm(dc, X86_PF));
}

/* flag (a single bit) when r is 0 at the operand size. */
static ir_ref zero_bit(struct x86_dc *dc, ir_ref r, int bytes, uint64_t flag)
{
    if (bytes < 4) r = x86_op2(dc, IR_and, 4, r, x86_imm(dc, x86_mask(bytes)));
    ir_ref z = x86_setcond(dc, IR_EQ, x86_ir_size(bytes), r, x86_imm(dc, 0));
    return flag == 1 ? z : x86_op2(dc, IR_shl, 8, z, x86_imm(dc, (uint64_t)__builtin_ctzll(flag)));
}

static ir_ref zero_flag(struct x86_dc *dc, ir_ref r, int bytes)
{
    return zero_bit(dc, r, bytes, X86_ZF);
}

/* P Z S of the result r, those in want. */
static ir_ref pzs(struct x86_dc *dc, ir_ref r, int bytes, uint64_t want)
{
    ir_ref f = IR_NONE;
    if (want & X86_PF) f = or_in(dc, f, parity_flag(dc, r));
    if (want & X86_ZF) f = or_in(dc, f, zero_flag(dc, r, bytes));
    if (want & X86_SF) f = or_in(dc, f, bit_move(dc, r, bytes * 8 - 1, 7));
    return f;
}

/* AF = bit 4 of a ^ b ^ r (the carry into bit 4). */
static ir_ref aux_flag(struct x86_dc *dc, ir_ref a, ir_ref b, ir_ref r)
{
    ir_ref t = x86_op2(dc, IR_xor, 8, x86_op2(dc, IR_xor, 8, a, b), r);
    return x86_op2(dc, IR_and, 8, t, x86_imm(dc, X86_AF));
}

/* OF = the sign bit of x & y. */
static ir_ref of_of_and(struct x86_dc *dc, ir_ref x, ir_ref y, int bytes)
{
    return bit_move(dc, x86_op2(dc, IR_and, 8, x, y), bytes * 8 - 1, 11);
}

/* add (a + b = r) or sub (a - b = r): C O A of the operands. */
static ir_ref addsub_coa(struct x86_dc *dc, bool sub, ir_ref a, ir_ref b, ir_ref r,
                         uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    int size = x86_ir_size(f->bytes);
    ir_ref out = IR_NONE;
    if (want & X86_CF)
        out = sub ? x86_setcond(dc, IR_LTU, size, a, b) : x86_setcond(dc, IR_LTU, size, r, b);
    if (want & X86_AF) out = or_in(dc, out, aux_flag(dc, a, b, r));
    if (want & X86_OF) {
        /* sub: (a ^ b) & (a ^ r); add: (a ^ r) & (b ^ r) */
        ir_ref x = x86_op2(dc, IR_xor, 8, a, sub ? b : r);
        ir_ref y = x86_op2(dc, IR_xor, 8, sub ? a : b, r);
        out = or_in(dc, out, of_of_and(dc, x, y, f->bytes));
    }
    return out;
}

static ir_ref flags_add(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref a = f->lhs;
    if (a == IR_NONE) a = x86_op2(dc, IR_sub, 8, f->dst, f->src);  /* (low bits exact) */
    return addsub_coa(dc, false, a, f->src, f->dst, want);
}

static ir_ref flags_sub(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    if (f->lhs == IR_NONE) return IR_NONE;
    return addsub_coa(dc, true, f->lhs, f->src, f->dst, want);
}

/* adc/sbb (r = lhs +- src +- cin): AF and OF by add/sub's formulas, which
 * the carry in does not change; CF as x86_flags_cf_known computes it. */
static ir_ref flags_carry(struct x86_dc *dc, bool sub, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref out = addsub_coa(dc, sub, f->lhs, f->src, f->dst, want & ~(uint64_t)X86_CF);
    return (want & X86_CF) ? or_in(dc, out, x86_flags_cf_known(dc)) : out;
}

/* inc/dec: CF kept (src, 0/1); OF when r is the one value the step
 * overflows into; AF from the operand r -+ 1. */
static ir_ref flags_incdec(struct x86_dc *dc, bool inc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    uint64_t sign = 1ull << (f->bytes * 8 - 1);
    ir_ref out = IR_NONE, one = x86_imm(dc, 1);
    if (want & X86_CF) out = f->src;
    if (want & X86_AF) {
        ir_ref a = x86_op2(dc, inc ? IR_sub : IR_add, 8, f->dst, one);
        out = or_in(dc, out, aux_flag(dc, a, one, f->dst));
    }
    if (want & X86_OF) {
        ir_ref r = f->bytes < 4 ? x86_op2(dc, IR_and, 4, f->dst, x86_imm(dc, x86_mask(f->bytes)))
                                : f->dst;
        ir_ref o = x86_setcond(dc, IR_EQ, x86_ir_size(f->bytes), r,
                               x86_imm(dc, inc ? sign : sign - 1));
        out = or_in(dc, out, x86_op2(dc, IR_shl, 8, o, x86_imm(dc, 11)));
    }
    return out;
}

/* shl/shr/sar: CF from the value shifted by count-1 (src: its msb for
 * shl, its lsb otherwise).  AMD: AF set, OF = msb of src ^ result; Intel:
 * AF clear, OF = the sign bit of src2 (x86_shift.c). */
static ir_ref flags_shift(struct x86_dc *dc, bool left, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    int msb = f->bytes * 8 - 1;
    bool intel = x86_machine()->intel;
    ir_ref out = IR_NONE;
    if (want & X86_CF) out = bit_move(dc, f->src, left ? msb : 0, 0);
    if ((want & X86_AF) && !intel) out = or_in(dc, out, x86_imm(dc, X86_AF));
    if (want & X86_OF) {
        if (intel && f->src2 == IR_NONE) return IR_NONE;
        ir_ref v = intel ? f->src2 : x86_op2(dc, IR_xor, 8, f->src, f->dst);
        out = or_in(dc, out, bit_move(dc, v, msb, 11));
    }
    return out;
}

/* mul: CF = OF = overflow (dst).  AMD keeps S Z A P (src); Intel sets SF
 * and PF from the low half of the product (src) and clears ZF and AF. */
static ir_ref flags_mul(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref out = x86_machine()->intel ? pzs(dc, f->src, f->bytes, want & (X86_SF | X86_PF))
               : x86_op2(dc, IR_and, 8, f->src,
                         x86_imm(dc, want & (X86_SF | X86_ZF | X86_AF | X86_PF)));
    if (out == IR_NONE) out = x86_imm(dc, 0);
    if (want & (X86_CF | X86_OF)) {
        ir_ref o = x86_setcond(dc, IR_NE, 64, f->dst, x86_imm(dc, 0));
        o = x86_op2(dc, IR_mul, 8, o, x86_imm(dc, want & (X86_CF | X86_OF)));
        out = x86_op2(dc, IR_or, 8, out, o);
    }
    return out;
}

/* bsf/bsr: PF from the index (dst), ZF when the source (src) is 0; the
 * rest clear. */
static ir_ref flags_bsf(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref out = (want & X86_PF) ? parity_flag(dc, f->dst) : IR_NONE;
    if (want & X86_ZF) out = or_in(dc, out, zero_flag(dc, f->src, f->bytes));
    return out;
}

/* tzcnt/lzcnt: OF as src2 holds it, CF when the source (src) is 0, ZF
 * when the count (dst) is; the rest clear. */
static ir_ref flags_count(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref out = (want & X86_OF) ? x86_op2(dc, IR_and, 8, f->src2, x86_imm(dc, X86_OF)) : IR_NONE;
    if (want & X86_CF) out = or_in(dc, out, zero_bit(dc, f->src, f->bytes, X86_CF));
    if (want & X86_ZF) out = or_in(dc, out, zero_flag(dc, f->dst, f->bytes));
    return out;
}

/* The BMI1 kind: P Z S of the result (dst) as src2 (a constant) picks,
 * C and A from src; OF clear. */
static ir_ref flags_bmi1(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    if (!ir_is_const(dc->b, f->src2)) return IR_NONE;
    ir_ref out = pzs(dc, f->dst, f->bytes, want & dc->b->values[f->src2].imm);
    uint64_t fixed = want & (X86_CF | X86_AF);
    if (fixed) out = or_in(dc, out, x86_op2(dc, IR_and, 8, f->src, x86_imm(dc, fixed)));
    return out == IR_NONE ? x86_imm(dc, 0) : out;
}

/* The kinds whose flags are not P Z S of dst plus C O A: all of them. */
static ir_ref flags_whole(struct x86_dc *dc, uint64_t want)
{
    ir_ref out;
    switch (dc->flags->kind) {
    case X86_CC_MUL: return flags_mul(dc, want);
    case X86_CC_BMI1: return flags_bmi1(dc, want);
    case X86_CC_BSF: out = flags_bsf(dc, want); break;
    case X86_CC_BMI: out = flags_count(dc, want); break;
    default: return IR_NONE;
    }
    return out == IR_NONE ? x86_imm(dc, 0) : out;
}

/* C O A (those in want) of the known producer; *ok false when not handled. */
static ir_ref flags_coa(struct x86_dc *dc, uint64_t want, bool *ok)
{
    *ok = true;
    switch (dc->flags->kind) {
    case X86_CC_ADD: return flags_add(dc, want);
    case X86_CC_SUB: *ok = dc->flags->lhs != IR_NONE; return flags_sub(dc, want);
    case X86_CC_ADC: case X86_CC_SBB:
        *ok = dc->flags->lhs != IR_NONE;
        return *ok ? flags_carry(dc, dc->flags->kind == X86_CC_SBB, want) : IR_NONE;
    case X86_CC_LOGIC: return IR_NONE;
    case X86_CC_INC: return flags_incdec(dc, true, want);
    case X86_CC_DEC: return flags_incdec(dc, false, want);
    case X86_CC_INC_OVER: case X86_CC_DEC_OVER: {   /* CF: the older state's, in C */
        ir_ref v = flags_incdec(dc, dc->flags->kind == X86_CC_INC_OVER, want & ~(uint64_t)X86_CF);
        return (want & X86_CF) ? or_in(dc, v, x86_flags_cf(dc)) : v;
    }
    case X86_CC_SHL: case X86_CC_SAR: {
        ir_ref v = flags_shift(dc, dc->flags->kind == X86_CC_SHL, want);
        *ok = v != IR_NONE || !want;    /* IR_NONE: not handled, or no bit asked for */
        return v;
    }
    default: *ok = false; return IR_NONE;
    }
}

ir_ref x86_flags_inline(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    bool ok;
    if (!f->known || want == 0) return IR_NONE;
    ir_ref whole = flags_whole(dc, want);
    if (whole != IR_NONE) return whole;
    ir_ref coa = flags_coa(dc, want & (X86_CF | X86_OF | X86_AF), &ok);
    if (!ok) return IR_NONE;
    ir_ref out = or_in(dc, coa, pzs(dc, f->dst, f->bytes, want));
    return out == IR_NONE ? x86_imm(dc, 0) : out;
}
