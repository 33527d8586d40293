/* x86_flag_ir.c -- the arithmetic flags of a known producer (sub/cmp,
 * add, and/or/xor/test, inc/dec, shifts, AMD's mul) as plain IR ops, for
 * x86_flags_eflags and the conditions x86_cond.c cannot test directly.
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

static ir_ref zero_flag(struct x86_dc *dc, ir_ref r, int bytes)
{
    if (bytes < 4) r = x86_op2(dc, IR_and, 4, r, x86_imm(dc, x86_mask(bytes)));
    ir_ref z = x86_setcond(dc, IR_EQ, x86_ir_size(bytes), r, x86_imm(dc, 0));
    return x86_op2(dc, IR_shl, 8, z, x86_imm(dc, 6));
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

/* AMD's mul: S Z A P kept in src, CF = OF = overflow (dst). */
static ir_ref flags_mul(struct x86_dc *dc, uint64_t want)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref out = x86_op2(dc, IR_and, 8, f->src,
                         x86_imm(dc, want & (X86_SF | X86_ZF | X86_AF | X86_PF)));
    if (want & (X86_CF | X86_OF)) {
        ir_ref o = x86_setcond(dc, IR_NE, 64, f->dst, x86_imm(dc, 0));
        o = x86_op2(dc, IR_mul, 8, o, x86_imm(dc, want & (X86_CF | X86_OF)));
        out = x86_op2(dc, IR_or, 8, out, o);
    }
    return out;
}

/* C O A (those in want) of the known producer; *ok false when not handled. */
static ir_ref flags_coa(struct x86_dc *dc, uint64_t want, bool *ok)
{
    *ok = true;
    switch (dc->flags->kind) {
    case X86_CC_ADD: return flags_add(dc, want);
    case X86_CC_SUB: *ok = dc->flags->lhs != IR_NONE; return flags_sub(dc, want);
    case X86_CC_LOGIC: return IR_NONE;
    case X86_CC_INC: return flags_incdec(dc, true, want);
    case X86_CC_DEC: return flags_incdec(dc, false, want);
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
    if (f->kind == X86_CC_MUL)
        return x86_machine()->intel ? IR_NONE : flags_mul(dc, want);
    ir_ref coa = flags_coa(dc, want & (X86_CF | X86_OF | X86_AF), &ok);
    if (!ok) return IR_NONE;
    ir_ref out = or_in(dc, coa, pzs(dc, f->dst, f->bytes, want));
    return out == IR_NONE ? x86_imm(dc, 0) : out;
}
