/* x86_avx_int.c -- emitters of VEX integer forms that are not one op
 * per half: the shifts (by imm8: dst = vvvv, the r/m register shifted;
 * by xmm/m128: the same 64-bit count for both halves).
 */
#include "x86_avx.h"

/* The helper of the imm8 form of a shift op (the op's exact form). */
static const struct ir_helper *avx_shift_imm_helper(unsigned op, unsigned size)
{
    switch (op) {
    case IR_vshli: return size == IR_VE_16 ? &sse_vh_psllwi : size == IR_VE_32 ? &sse_vh_pslldi
                                                                              : &sse_vh_psllqi;
    case IR_vshri: return size == IR_VE_16 ? &sse_vh_psrlwi : size == IR_VE_32 ? &sse_vh_psrldi
                                                                              : &sse_vh_psrlqi;
    case IR_vsari: return size == IR_VE_16 ? &sse_vh_psrawi : &sse_vh_psradi;
    case IR_vshlb: return &sse_vh_pslldqi;
    default:       return &sse_vh_psrldqi;
    }
}

bool avx_emit_shifti(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || d < 0 || a < 0 || !avx_row_width(dc, row, &wide))
        return false;
    struct avx_opnd dd = avx_regop(d), ad = avx_regop(a);
    if (ops[2].type == X86_OP_IMM) {
        struct avx_step st = { row->vop, row->vsize, (unsigned)(ops[2].imm & 0xff),
                               avx_shift_imm_helper(row->vop, row->vsize) };
        avx_vop3(dc, &st, dd, ad, ad, wide);
    } else if (avx_src_ok(&ops[2]) && (row->vop != IR_vshlb && row->vop != IR_vshrb)) {
        struct avx_step st = { 0, 0, 0, &row->helper };
        int32_t count = avx_src(dc, &ops[2], 16).lo;
        if (wide)                   /* high half first: d may be the count */
            avx_vop_half(dc, &st, dd.hi, ad.hi, count);
        avx_vop_half(dc, &st, dd.lo, ad.lo, count);
    } else {
        return false;
    }
    avx_write_done(dc, d, wide);
    return true;
}
