/* x86_shift.c -- shl/sal shr sar rol ror rcl rcr shld shrd.
 *
 * Counts are masked to 5 bits (6 for 64-bit operands); a zero count leaves
 * the flags alone, which for a count in CL means choosing between the old
 * and the new flag state at run time (movcond on the cc_* globals).
 * OF for counts above 1 is undefined: AMD computes it from the last step,
 * Intel as for a count of 1 from the operand before the shift (measured
 * on Sapphire Rapids, every count and width): shifts record that operand's
 * OF in cc_src2's sign bit there, rotates compute it here.
 */
#include "x86_internal.h"

enum shift_kind { SH_SHL, SH_SHR, SH_SAR };

struct count { bool is_const; uint64_t c; ir_ref v; };

static struct count shift_count(struct x86_dc *dc, int idx, int bytes)
{
    uint64_t mask = bytes == 8 ? 63 : 31;
    if (dc->x->op_count <= idx) return (struct count){ true, 1, IR_NONE };
    const cs_x86_op *op = x86_opnd(dc, idx);
    if (op->type == X86_OP_IMM) return (struct count){ true, (uint64_t)op->imm & mask, IR_NONE };
    ir_ref v = x86_op2(dc, IR_and, 8, x86_operand_read(dc, op), x86_imm(dc, mask));
    return (struct count){ false, 0, v };
}

static ir_ref count_val(struct x86_dc *dc, const struct count *c, int minus)
{
    if (c->is_const) return x86_imm(dc, c->c - (uint64_t)minus);
    return minus ? x86_op2(dc, IR_sub, 8, c->v, x86_imm(dc, (uint64_t)minus)) : c->v;
}

/* Value shifted by n: at 32/64 bits; 8/16-bit operands zero- or
 * sign-extended first so the same IR shifts work. */
static ir_ref do_shift(struct x86_dc *dc, enum shift_kind k, int bytes, ir_ref a, ir_ref n)
{
    static const enum ir_op ops[3] = { IR_shl, IR_shr, IR_sar };
    if (k == SH_SAR && bytes < 4) return x86_op2(dc, IR_sar, 8, a, n);
    return x86_op2(dc, ops[k], bytes, a, n);
}

/* Flags of a CL-count shift: unchanged when the count is zero.  src2
 * (Intel's OF source, else IR_NONE) is chosen the same way. */
static void flags_if_count(struct x86_dc *dc, ir_ref cnt, uint64_t op, ir_ref dst, ir_ref src,
                           ir_ref src2)
{
    ir_ref zero = x86_imm(dc, 0);
    struct x86_cmp z = { IR_EQ, 64, cnt, zero };
    x86_flags_sync(dc);
    ir_ref nop = x86_select(dc, &z, x86_g_cc_op, x86_imm(dc, op));
    ir_ref ndst = x86_select(dc, &z, x86_g_cc_dst, dst);
    ir_ref nsrc = x86_select(dc, &z, x86_g_cc_src, src);
    ir_ref nsrc2 = src2 == IR_NONE ? IR_NONE : x86_select(dc, &z, x86_g_cc_src2, src2);
    ir_mov(dc->b, x86_g_cc_op, nop);
    ir_mov(dc->b, x86_g_cc_dst, ndst);
    ir_mov(dc->b, x86_g_cc_src, nsrc);
    if (nsrc2 != IR_NONE) ir_mov(dc->b, x86_g_cc_src2, nsrc2);
    x86_flags_clobbered(dc);
}

/* Intel's OF of a shift, in the sign bit of the value returned: that of a
 * shift by 1 of the operand a (shl: its top two bits differ; shr: its top
 * bit; sar: 0).  IR_NONE on AMD (x86_eflags.c's cc_shl/cc_sar). */
static ir_ref intel_shift_of(struct x86_dc *dc, enum shift_kind k, ir_ref a)
{
    if (!x86_machine()->intel) return IR_NONE;
    if (k == SH_SAR) return x86_imm(dc, 0);
    if (k == SH_SHR) return a;
    return x86_op2(dc, IR_xor, 8, a, x86_op2(dc, IR_shl, 8, a, x86_imm(dc, 1)));
}

static void shift(struct x86_dc *dc, enum shift_kind k)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    struct count c = shift_count(dc, 1, bytes);
    ir_ref a = x86_read(dc, d, bytes);
    if (k == SH_SAR && bytes < 4) a = x86_sext(dc, a, bytes);
    if (c.is_const && c.c == 0) {
        if (bytes == 4) x86_operand_write(dc, d, a);    /* still zero-extends */
        return;
    }
    ir_ref r = do_shift(dc, k, bytes, a, count_val(dc, &c, 0));
    if (bytes < 4) r = x86_trunc(dc, r, bytes);
    x86_operand_write(dc, d, r);
    if (!x86_flags_live(dc)) return;
    ir_ref src = do_shift(dc, k, bytes, a, count_val(dc, &c, 1));
    int kind = k == SH_SHL ? X86_CC_SHL : X86_CC_SAR;
    ir_ref of = intel_shift_of(dc, k, a);
    if (c.is_const) x86_flags_set(dc, kind, bytes, r, src, of, IR_NONE);
    else flags_if_count(dc, c.v, X86_CC_OP(kind, bytes), r, src, of);
}

static void h_shl(struct x86_dc *dc) { shift(dc, SH_SHL); }
static void h_shr(struct x86_dc *dc) { shift(dc, SH_SHR); }
static void h_sar(struct x86_dc *dc) { shift(dc, SH_SAR); }

/* 8/16-bit rotates: replicate the value across 32 bits, rotate that. */
static ir_ref replicate(struct x86_dc *dc, ir_ref a, int bytes)
{
    uint64_t k = bytes == 1 ? 0x01010101 : 0x00010001;
    return x86_op2(dc, IR_mul, 4, a, x86_imm(dc, k));
}

static ir_ref bit_of(struct x86_dc *dc, ir_ref v, int pos)
{
    ir_ref d = x86_new(dc);
    ir_extract(dc->b, d, v, pos, 1);
    return d;
}

/* Intel's OF of a rotate: with an immediate count other than 1 the old
 * OF; else a count of 1's OF, from the operand a before it (rol: its top
 * two bits differ; ror: its top and bottom bits) -- measured on Sapphire
 * Rapids, CL and immediate counts apart.  AMD's is from the result, after
 * the last step (rotate_flags). */
static ir_ref intel_rotate_of(struct x86_dc *dc, bool left, int bits, ir_ref a, ir_ref prev,
                              const struct count *c)
{
    if (c->is_const && c->c != 1) return bit_of(dc, prev, 11);
    return x86_op2(dc, IR_xor, 8, bit_of(dc, a, bits - 1), bit_of(dc, a, left ? bits - 2 : 0));
}

/* CF and OF of a rotate of a into r, merged into the older flags. */
static void rotate_flags(struct x86_dc *dc, bool left, int bytes, ir_ref a, ir_ref r,
                         const struct count *c)
{
    int bits = bytes * 8;
    ir_ref prev = x86_flags_eflags(dc), msb = bit_of(dc, r, bits - 1);
    ir_ref cf = left ? bit_of(dc, r, 0) : msb;
    ir_ref of = x86_machine()->intel ? intel_rotate_of(dc, left, bits, a, prev, c)
              : x86_op2(dc, IR_xor, 8, msb, left ? cf : bit_of(dc, r, bits - 2));
    ir_ref nf = x86_op2(dc, IR_andc, 8, prev, x86_imm(dc, X86_CF | X86_OF));
    nf = x86_op2(dc, IR_or, 8, nf, cf);
    nf = x86_op2(dc, IR_or, 8, nf, x86_op2(dc, IR_shl, 8, of, x86_imm(dc, 11)));
    if (!c->is_const) {
        struct x86_cmp z = { IR_EQ, 64, c->v, x86_imm(dc, 0) };
        nf = x86_select(dc, &z, prev, nf);
    }
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, nf, IR_NONE, IR_NONE);
}

static void rotate(struct x86_dc *dc, bool left)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    struct count c = shift_count(dc, 1, bytes);
    ir_ref a = x86_read(dc, d, bytes);
    if (c.is_const && c.c == 0) {
        if (bytes == 4) x86_operand_write(dc, d, a);
        return;
    }
    ir_ref v = bytes < 4 ? replicate(dc, a, bytes) : a;
    ir_ref r = x86_op2(dc, left ? IR_rotl : IR_rotr, bytes, v, count_val(dc, &c, 0));
    if (bytes < 4) r = x86_trunc(dc, r, bytes);
    x86_operand_write(dc, d, r);
    if (x86_flags_live(dc)) rotate_flags(dc, left, bytes, a, r, &c);
}

static void h_rol(struct x86_dc *dc) { rotate(dc, true); }
static void h_ror(struct x86_dc *dc) { rotate(dc, false); }

/* rcl rcr shld shrd: C helpers that also write the cc_* globals. */
static void helper_shift(struct x86_dc *dc, const struct ir_helper *h, int count_idx,
                         bool two_sources)
{
    const cs_x86_op *d = x86_opnd(dc, 0);
    int bytes = d->size;
    struct count c = shift_count(dc, count_idx, bytes);
    ir_ref a = x86_read(dc, d, bytes);
    ir_ref b = two_sources ? x86_operand_read(dc, x86_opnd(dc, 1)) : x86_imm(dc, 0);
    x86_flags_sync(dc);
    ir_ref r = x86_call(dc, h, a, b, count_val(dc, &c, 0), x86_imm(dc, (uint64_t)bytes), IR_NONE);
    x86_operand_write(dc, d, r);
    x86_flags_clobbered(dc);
}

static void h_rcl(struct x86_dc *dc) { helper_shift(dc, &x86_helper_rcl, 1, false); }
static void h_rcr(struct x86_dc *dc) { helper_shift(dc, &x86_helper_rcr, 1, false); }
static void h_shld(struct x86_dc *dc) { helper_shift(dc, &x86_helper_shld, 2, true); }
static void h_shrd(struct x86_dc *dc) { helper_shift(dc, &x86_helper_shrd, 2, true); }

/* Constant non-zero counts overwrite every flag; others may keep them. */
static const struct x86_insn_row shift_rows[] = {
    X86_ROW(SHL, h_shl, PASS, 0),
    X86_ROW(SAL, h_shl, PASS, 0),
    X86_ROW(SHR, h_shr, PASS, 0),
    X86_ROW(SAR, h_sar, PASS, 0),
    X86_ROW(ROL, h_rol, PASS, 0),
    X86_ROW(ROR, h_ror, PASS, 0),
    X86_ROW(RCL, h_rcl, READ, 0),
    X86_ROW(RCR, h_rcr, READ, 0),
    X86_ROW(SHLD, h_shld, READ, 0),
    X86_ROW(SHRD, h_shrd, READ, 0),
};
const struct x86_row_set x86_shift_rows = X86_ROW_SET("shift", shift_rows);
