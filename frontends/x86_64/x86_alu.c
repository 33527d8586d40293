/* x86_alu.c -- integer arithmetic and logic: add adc sub sbb and or xor
 * cmp test inc dec neg not, at 8/16/32/64 bits, register or memory
 * destinations.  Each handler computes the result at the operand size
 * (zero-extended) and records the lazy flags.
 */
#include "x86_internal.h"

static bool same_reg(const struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    return d->type == X86_OP_REG && s->type == X86_OP_REG && d->reg == s->reg;
}

/* dst = dst OP src with flags of `kind`; write back unless cmp/test. */
static void binop(struct x86_dc *dc, enum ir_op op, int kind, bool write)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    int bytes = d->size;
    ir_ref a = x86_read(dc, d, bytes), b = x86_read(dc, s, bytes), r;
    if ((op == IR_xor || op == IR_sub) && same_reg(dc)) r = x86_imm(dc, 0);
    else r = x86_arith(dc, op, bytes, a, b);
    if (write) x86_operand_write(dc, d, r);
    x86_flags_set(dc, kind, bytes, r, b, IR_NONE, a);
}

static void h_add(struct x86_dc *dc) { binop(dc, IR_add, X86_CC_ADD, true); }
static void h_sub(struct x86_dc *dc) { binop(dc, IR_sub, X86_CC_SUB, true); }
static void h_cmp(struct x86_dc *dc) { binop(dc, IR_sub, X86_CC_SUB, false); }
static void h_and(struct x86_dc *dc) { binop(dc, IR_and, X86_CC_LOGIC, true); }
static void h_or(struct x86_dc *dc)  { binop(dc, IR_or, X86_CC_LOGIC, true); }
static void h_xor(struct x86_dc *dc) { binop(dc, IR_xor, X86_CC_LOGIC, true); }
static void h_test(struct x86_dc *dc) { binop(dc, IR_and, X86_CC_LOGIC, false); }

/* adc/sbb: dst = dst +- src +- CF. */
static void carry_op(struct x86_dc *dc, enum ir_op op, int kind)
{
    const cs_x86_op *d = x86_opnd(dc, 0), *s = x86_opnd(dc, 1);
    int bytes = d->size;
    ir_ref cin = x86_flags_cf(dc);
    ir_ref a = x86_read(dc, d, bytes), b = x86_read(dc, s, bytes);
    ir_ref r = x86_arith(dc, op, bytes, x86_op2(dc, op, bytes, a, b), cin);
    x86_operand_write(dc, d, r);
    x86_flags_set(dc, kind, bytes, r, b, cin, a);
}

static void h_adc(struct x86_dc *dc) { carry_op(dc, IR_add, X86_CC_ADC); }
static void h_sbb(struct x86_dc *dc) { carry_op(dc, IR_sub, X86_CC_SBB); }

/* inc/dec keep CF: it is captured before the new state replaces it
 * (unless nothing reads that CF: then any value will do), or, when the
 * block does not know it, kept lazily with the older state's fields. */
static void incdec(struct x86_dc *dc, enum ir_op op, int kind)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref cf = IR_NONE;
    bool lazy = x86_flags_live(dc) && dc->flags->cf_live && !x86_flags_cf_at_hand(dc);
    if (x86_flags_live(dc) && !lazy)
        cf = dc->flags->cf_live ? x86_flags_cf(dc) : x86_imm(dc, 0);
    ir_ref r = x86_arith(dc, op, bytes, x86_read(dc, d, bytes), x86_imm(dc, 1));
    x86_operand_write(dc, d, r);
    if (lazy)
        x86_flags_set_incdec_over(dc, kind, bytes, r);
    else
        x86_flags_set(dc, kind, bytes, r, cf, IR_NONE, IR_NONE);
}

static void h_inc(struct x86_dc *dc) { incdec(dc, IR_add, X86_CC_INC); }
static void h_dec(struct x86_dc *dc) { incdec(dc, IR_sub, X86_CC_DEC); }

static void h_neg(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref zero = x86_imm(dc, 0), a = x86_read(dc, d, bytes);
    ir_ref r = x86_arith(dc, IR_sub, bytes, zero, a);
    x86_operand_write(dc, d, r);
    x86_flags_set(dc, X86_CC_SUB, bytes, r, a, IR_NONE, zero);
}

static void h_not(struct x86_dc *dc)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    ir_ref r = x86_op2(dc, IR_xor, bytes, x86_read(dc, d, bytes), x86_imm(dc, x86_mask(bytes)));
    x86_operand_write(dc, d, r);
}

static const struct x86_insn_row alu_rows[] = {
    X86_ROW_LOCK(ADD, h_add, FULL, x86_atomic_add),
    X86_ROW_LOCK(SUB, h_sub, FULL, x86_atomic_sub),
    X86_ROW(CMP, h_cmp, FULL, 0),
    X86_ROW_LOCK(AND, h_and, FULL, x86_atomic_and),
    X86_ROW_LOCK(OR, h_or, FULL, x86_atomic_or),
    X86_ROW_LOCK(XOR, h_xor, FULL, x86_atomic_xor),
    X86_ROW(TEST, h_test, FULL, 0),
    X86_ROW_LOCK(ADC, h_adc, READ, x86_atomic_adc),
    X86_ROW_LOCK(SBB, h_sbb, READ, x86_atomic_sbb),
    X86_ROW_LOCK(INC, h_inc, PASS, x86_atomic_inc),
    X86_ROW_LOCK(DEC, h_dec, PASS, x86_atomic_dec),
    X86_ROW_LOCK(NEG, h_neg, FULL, x86_atomic_neg),
    X86_ROW_LOCK(NOT, h_not, PASS, x86_atomic_not),
};
const struct x86_row_set x86_alu_rows = X86_ROW_SET("alu", alu_rows);
