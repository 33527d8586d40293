/* x86_sse_vec.c -- emitters of the SSE rows translated to vector IR ops
 * (ir_ops.def, IR_F_VEC), which backends emit inline: integer lane
 * arithmetic, compares, shifts by imm8, unpacks, packs and shuffles, and
 * the float arithmetic, compares and conversions.  Operands are env
 * offsets of XMM registers (a memory source is loaded into xmm_tmp[0]
 * first); the row's helper is the op's exact C form, which the backends
 * call when they cannot guarantee x86's result (see x86_sse.h: helpers
 * take env offsets as well as register indices).
 *
 * Float ops take the MXCSR mode: zero when MXCSR's control bits are in
 * their default state (RC nearest, no DAZ/FTZ, every exception masked),
 * nonzero otherwise (the backends then call the helper).  A constant: the
 * translation-mode bit X86_TB_MXCSR says which (x86_xm_mode_update keeps
 * it from every MXCSR write), so blocks of the default mode test nothing
 * per op; the instructions that write MXCSR leave their block when the
 * mode changed (x86_xm_mode_check), so the rest of it keeps the value.
 */
#include "x86_internal.h"
#include "x86_sse.h"
#include "x86_avx.h"

ir_ref sse_mxcsr_mode(struct x86_dc *dc)
{
    return ir_const(dc->b, (dc->b->mode & X86_TB_MXCSR) != 0);
}

static struct ir_insn *sse_vop(struct x86_dc *dc, const struct sse_row *row, int d, int s,
                               unsigned imm, const struct ir_helper *h)
{
    int64_t operands = ir_vec_pack(sse_xmm_off(d), sse_xmm_off(d), sse_xmm_off(s), imm);
    bool mode_first = ir_op_info[row->vop].n_in && !ir_op_info[row->vop].n_out;
    ir_ref mode = mode_first ? sse_mxcsr_mode(dc) : IR_NONE;     /* its IR goes before the op */
    struct ir_insn *i = ir_vec(dc->b, row->vop, row->vsize, operands, h);
    i->args[0] = mode;
    return i;
}

static unsigned sse_vimm(const struct x86_dc *dc, const struct sse_row *row)
{
    if (row->imm == SSE_IMM_BYTE)
        return dc->insn->bytes[dc->insn->size - 1];
    return row->vimm;
}

/* xmm op0 <- op(op0, xmm/mem op1 [, imm8]). */
bool sse_emit_vec(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || dc->x->op_count < 2 || ops[1].type == X86_OP_IMM)
        return false;
    int s = sse_source(dc, &ops[1], row->mem_bytes);
    if (s < 0)
        return false;
    sse_vop(dc, row, d, s, sse_vimm(dc, row), &row->helper);
    return true;
}

/* psllw & co: the imm8 forms are vector ops, the xmm/m128 count forms
 * call the row's helper. */
bool sse_emit_vshift(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || dc->x->op_count < 2)
        return false;
    if (ops[1].type != X86_OP_IMM)
        return sse_emit_xx(dc, row);
    sse_vop(dc, row, d, d, (unsigned)(ops[1].imm & 0xff), row->vhelper);
    return true;
}

/* ucomis/comis: EFLAGS from the op's output. */
bool sse_emit_vcomi(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    int s = d < 0 ? -1 : sse_source(dc, &ops[1], row->mem_bytes);
    if (s < 0)
        return false;
    ir_ref fl = ir_temp(dc->b), mode = sse_mxcsr_mode(dc);
    struct ir_insn *i = sse_vop(dc, row, d, s, row->vimm, &row->helper);
    i->args[0] = fl;
    i->args[1] = mode;
    x86_flags_set_eflags(dc, fl);
    return true;
}

/* cvt(t)ss2si / cvt(t)sd2si: general register op0 <- xmm/mem op1. */
bool sse_emit_vcvtf2i(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    if (ops[0].type != X86_OP_REG || sse_op_xmm(&ops[0]) >= 0)
        return false;
    int s = sse_source(dc, &ops[1], row->mem_bytes);
    if (s < 0)
        return false;
    ir_ref r = ir_temp(dc->b), mode = sse_mxcsr_mode(dc);
    struct ir_insn *i = sse_vop(dc, row, s, s, row->vimm | ops[0].size, &row->helper);
    i->args[0] = r;
    i->args[1] = mode;
    x86_gpr_write(dc, ops[0].reg, r);
    return true;
}

/* cvtsi2ss / cvtsi2sd: xmm op0 <- general register or memory op1. */
bool sse_emit_vcvti2f(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || (ops[1].type == X86_OP_REG && sse_op_xmm(&ops[1]) >= 0))
        return false;
    ir_ref v = x86_operand_read_low(dc, &ops[1]);
    struct ir_insn *i = sse_vop(dc, row, d, d, ops[1].size, &row->helper);
    i->args[1] = v;
    return true;
}

#define SHIFT_IMM_HELPER(name) \
    const struct ir_helper sse_vh_##name = { (void *)x86_sse_helper_##name, "sse_" #name, 3, 0, 0 };
SHIFT_IMM_HELPER(psllwi) SHIFT_IMM_HELPER(pslldi) SHIFT_IMM_HELPER(psllqi)
SHIFT_IMM_HELPER(psrlwi) SHIFT_IMM_HELPER(psrldi) SHIFT_IMM_HELPER(psrlqi)
SHIFT_IMM_HELPER(psrawi) SHIFT_IMM_HELPER(psradi)
SHIFT_IMM_HELPER(pslldqi) SHIFT_IMM_HELPER(psrldqi)
