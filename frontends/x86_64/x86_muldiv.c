/* x86_muldiv.c -- mul, imul (one, two and three operands), div, idiv.
 *
 * Products are computed in IR (64-bit mul plus mulhu/mulhs for the high
 * half).  mul/imul set CF=OF=overflow; AMD keeps S Z A P, so the older
 * flags are only evaluated when someone reads them; Intel sets SF PF from
 * the low half of the product and clears ZF AF (measured on Sapphire
 * Rapids), so there the low half is recorded instead (x86_eflags.c's
 * cc_mul).  Division is IR divu/divs, whose #DE exits raise SIGFPE.
 */
#include "x86_internal.h"

/* lo: the product's low half (the destination's value). */
static void mul_flags(struct x86_dc *dc, ir_ref overflow, ir_ref lo, int bytes)
{
    if (!x86_flags_live(dc)) return;
    ir_ref src = x86_machine()->intel ? lo : x86_flags_kept(dc, X86_SF | X86_ZF | X86_AF | X86_PF);
    x86_flags_set(dc, X86_CC_MUL, bytes, overflow, src, IR_NONE, IR_NONE);
}

/* 1 if the signed value v (64-bit) does not fit in `bytes`. */
static ir_ref sext_differs(struct x86_dc *dc, ir_ref v, int bytes)
{
    return x86_setcond(dc, IR_NE, 64, v, x86_sext(dc, v, bytes));
}

static const x86_reg dx_of[4] = { X86_REG_AH, X86_REG_DX, X86_REG_EDX, X86_REG_RDX };
static const x86_reg ax_of[4] = { X86_REG_AL, X86_REG_AX, X86_REG_EAX, X86_REG_RAX };

/* One-operand forms: rDX:rAX = rAX * src (AX = AL * src for bytes). */
static void mul_wide(struct x86_dc *dc, bool is_signed)
{
    const cs_x86_op *s = x86_opnd(dc, 0);
    int bytes = s->size, lg = x86_log2(bytes);
    ir_ref a = x86_gpr_read(dc, ax_of[lg]), b = x86_operand_read(dc, s), lo, hi, ovf;
    if (bytes == 8) {
        lo = x86_op2(dc, IR_mul, 8, a, b);
        hi = x86_op2(dc, is_signed ? IR_mulhs : IR_mulhu, 8, a, b);
        ovf = is_signed ? x86_setcond(dc, IR_NE, 64, hi, x86_op2(dc, IR_sar, 8, lo, x86_imm(dc, 63)))
                        : x86_setcond(dc, IR_NE, 64, hi, x86_imm(dc, 0));
    } else {
        if (is_signed) { a = x86_sext(dc, a, bytes); b = x86_sext(dc, b, bytes); }
        ir_ref p = x86_op2(dc, IR_mul, 8, a, b);
        lo = x86_trunc(dc, p, bytes);
        hi = x86_trunc(dc, x86_op2(dc, IR_shr, 8, p, x86_imm(dc, (uint64_t)bytes * 8)), bytes);
        ovf = is_signed ? sext_differs(dc, p, bytes)
                        : x86_setcond(dc, IR_NE, 64, hi, x86_imm(dc, 0));
    }
    x86_gpr_write(dc, ax_of[lg], lo);
    x86_gpr_write(dc, dx_of[lg], hi);
    mul_flags(dc, ovf, lo, bytes);
}

static void h_mul(struct x86_dc *dc) { mul_wide(dc, false); }

/* imul r, r/m [, imm]: truncated signed product. */
static void h_imul(struct x86_dc *dc)
{
    if (dc->x->op_count == 1) { mul_wide(dc, true); return; }
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    const cs_x86_op *sa = x86_opnd(dc, dc->x->op_count == 3 ? 1 : 0);
    const cs_x86_op *sb = x86_opnd(dc, dc->x->op_count == 3 ? 2 : 1);
    ir_ref a = x86_sext(dc, x86_read(dc, sa, bytes), bytes);
    ir_ref b = x86_sext(dc, x86_read(dc, sb, bytes), bytes);
    ir_ref lo = x86_op2(dc, IR_mul, 8, a, b), ovf;
    if (bytes == 8) {
        ir_ref hi = x86_op2(dc, IR_mulhs, 8, a, b);
        ovf = x86_flags_live(dc)
            ? x86_setcond(dc, IR_NE, 64, hi, x86_op2(dc, IR_sar, 8, lo, x86_imm(dc, 63))) : IR_NONE;
    } else {
        ovf = x86_flags_live(dc) ? sext_differs(dc, lo, bytes) : IR_NONE;
        lo = x86_trunc(dc, lo, bytes);
    }
    x86_operand_write(dc, d, lo);
    mul_flags(dc, ovf, lo, bytes);
}

/* After div/idiv AMD (family 26) sets AF, clears SF ZF PF and keeps CF
 * and OF, at every width, signed or not (measured: session 11's probes;
 * session 1 saw CF/OF kept only for byte and signed 32-bit forms on an
 * older machine).  Intel (Sapphire Rapids, session 18) keeps all six:
 * measured with every combination of them in, div and idiv, all widths.
 * The helper leaves the flags alone (a #DE sees those from before the
 * instruction); they are set here, only when read later: python's float
 * formatting divides often, and each division's helper evaluated the
 * older flags with x86_cc_compute (0.7 % of a json run). */
static void div_flags(struct x86_dc *dc)
{
    if (x86_machine()->intel || !x86_flags_live(dc)) return;
    ir_ref co = x86_op2(dc, IR_and, 8, x86_flags_kept(dc, X86_CF | X86_OF),
                        x86_imm(dc, X86_CF | X86_OF));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, x86_op2(dc, IR_or, 8, co, x86_imm(dc, X86_AF)),
                  IR_NONE, IR_NONE);
}

/* The dividend of an 8- to 32-bit form, zero- or sign-extended from its
 * 2 * bytes bits: AX, DX:AX, EDX:EAX. */
static ir_ref narrow_dividend(struct x86_dc *dc, int bytes, bool is_signed)
{
    int lg = x86_log2(bytes);
    ir_ref n = x86_gpr_read(dc, bytes == 1 ? X86_REG_AX : ax_of[lg]);
    if (bytes > 1) {            /* (edx: rdx << 32 drops rdx's high half itself) */
        ir_ref dx = x86_gpr_read(dc, bytes == 4 ? X86_REG_RDX : dx_of[lg]);
        ir_ref hi = x86_op2(dc, IR_shl, 8, dx, x86_imm(dc, bytes * 8u));
        n = x86_op2(dc, IR_or, 8, hi, n);
    }
    return is_signed && bytes < 4 ? x86_sext(dc, n, 2 * bytes) : n;
}

/* div/idiv: IR divu/divs (the backends divide inline when the dividend
 * fits 64 bits, #DE exits with the flags from before, synced here).  The
 * 8- to 32-bit forms divide their dividend as a 64-bit value and #DE
 * when the quotient does not fit the operand size either. */
static void divide(struct x86_dc *dc, bool is_signed)
{
    const cs_x86_op *s = x86_opnd(dc, 0);
    int bytes = s->size, lg = x86_log2(bytes);
    enum ir_op op = is_signed ? IR_divs : IR_divu;
    ir_ref d = x86_operand_read(dc, s), q = x86_new(dc);
    x86_flags_sync(dc);
    if (bytes == 8) {
        ir_div(dc->b, op, q, x86_gpr_read(dc, X86_REG_RAX), x86_gpr_read(dc, X86_REG_RDX), d,
               dc->pc, 0);
    } else {
        ir_ref n = narrow_dividend(dc, bytes, is_signed);
        if (is_signed)
            d = x86_sext(dc, d, bytes);
        ir_div(dc->b, op, q, n, x86_imm(dc, 0), d, dc->pc, IR_DIV_NARROW);
        if (is_signed)
            ir_brexit(dc->b, IR_NE, 64, q, x86_sext(dc, q, bytes), dc->pc, TR_EXIT_SIGFPE);
        else
            ir_brexit(dc->b, IR_NE, 64, x86_op2(dc, IR_shr, 8, q, x86_imm(dc, bytes * 8u)),
                      x86_imm(dc, 0), dc->pc, TR_EXIT_SIGFPE);
    }
    /* the remainder fits the operand size: rax - q * d in its low bytes
     * (the dividend's other bits are multiples of 2^(8 * bytes)), so the
     * dividend n dies at the division and its register takes q */
    ir_ref r = x86_op2(dc, IR_sub, 8, x86_gpr_read(dc, X86_REG_RAX), x86_op2(dc, IR_mul, 8, q, d));
    if (bytes == 1) {           /* AL = quotient, AH = remainder */
        x86_gpr_write(dc, X86_REG_AL, q);
        x86_gpr_write(dc, X86_REG_AH, r);
    } else {                    /* (writes take the low `bytes`) */
        x86_gpr_write(dc, ax_of[lg], q);
        x86_gpr_write(dc, dx_of[lg], r);
    }
    div_flags(dc);
}

static void h_div(struct x86_dc *dc) { divide(dc, false); }
static void h_idiv(struct x86_dc *dc) { divide(dc, true); }

static const struct x86_insn_row muldiv_rows[] = {
    X86_ROW(MUL, h_mul, PASS, 0),
    X86_ROW(IMUL, h_imul, PASS, 0),
    X86_ROW(DIV, h_div, READ, 0),
    X86_ROW(IDIV, h_idiv, READ, 0),
};
const struct x86_row_set x86_muldiv_rows = X86_ROW_SET("muldiv", muldiv_rows);
