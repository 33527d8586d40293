/* x86_mmx.c -- translates the MMX-register forms of MMX, SSE, SSE2 and
 * SSSE3 instructions: recognises them (an MM operand, or an id that only
 * exists as an MMX instruction) for the dispatcher, and, as the handler of
 * the MMX rows (x86_mmx_table.c), emits IR for the row's form.  Memory
 * operands are loaded by IR before any helper runs, so a faulting access
 * leaves the FPU state untouched.
 */
#include <stddef.h>

#include "x86_internal.h"
#include "x86_mmx.h"

_Static_assert(offsetof(struct mmx_row, insn) == 0, "dc->row is the mmx_row");

static const struct ir_helper mmx_run_helper = { (void *)x86_mmx_run, "mmx_run", 4, 1, 0 };
static const struct ir_helper mmx_set_helper = { (void *)x86_mmx_set, "mmx_set", 2, 0, 0 };
static const struct ir_helper mmx_enter_helper = { (void *)x86_mmx_enter, "mmx_enter", 0, 0, 0 };
static const struct ir_helper mmx_wait_helper = { (void *)x86_mmx_wait, "mmx_wait", 0, 0,
                                                   IR_HELPER_RW_GLOBALS };

/* cvtpi2ps/cvtpi2pd xmm, m64 have no MM operand but exist only as MMX
 * instructions; emms has no operand at all. */
bool x86_mmx_is_mmx(const struct x86_dc *dc)
{
    unsigned id = dc->insn->id;
    if (id == X86_INS_EMMS || id == X86_INS_CVTPI2PS || id == X86_INS_CVTPI2PD)
        return true;
    for (int i = 0; i < dc->x->op_count; i++)
        if (mmx_op_reg(&dc->x->operands[i]) >= 0)
            return true;
    return false;
}

void mmx_call_enter(struct x86_dc *dc)
{
    ir_call(dc->b, &mmx_enter_helper, IR_NONE, (ir_ref[1]){ IR_NONE });
}

static ir_ref mmx_call_run(struct x86_dc *dc, const struct mmx_row *row,
                           uint64_t d, ir_ref s, uint64_t imm)
{
    ir_ref args[4] = { ir_const(dc->b, mmx_row_index(row)), ir_const(dc->b, d), s,
                       ir_const(dc->b, imm) };
    ir_ref ret = ir_temp(dc->b);
    ir_call(dc->b, &mmx_run_helper, ret, args);
    return ret;
}

static uint64_t mmx_imm8(const struct x86_dc *dc, const struct mmx_row *row)
{
    return row->has_imm ? dc->insn->bytes[dc->insn->size - 1] : 0;
}

/* An mm/m64 source (or a shift's imm8 count) as an s code for the helper:
 * MMi, or MMX_SRC_MEM after IR stored the value in env->xmm_tmp[1]. */
static int mmx_source(struct x86_dc *dc, const cs_x86_op *op, int bytes)
{
    if (op->type == X86_OP_MEM) {
        sse_load_tmp(dc, op, bytes, 1);
        return MMX_SRC_MEM;
    }
    if (op->type == X86_OP_IMM) {
        ir_st_env(dc->b, IR_MO_64, ir_const(dc->b, (uint64_t)op->imm & 0xff),
                  X86_ENV_OFF(xmm_tmp) + 16);
        return MMX_SRC_MEM;
    }
    return mmx_op_reg(op);
}

static bool mmx_emit_mm(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = mmx_op_reg(&ops[0]);
    if (d < 0 || dc->x->op_count < 2 || (ops[1].type == X86_OP_REG && mmx_op_reg(&ops[1]) < 0))
        return false;
    /* punpckl* mm, m32 read 4 bytes: a fault or #AC as the CPU's */
    unsigned id = dc->insn->id;
    bool m32 = id == X86_INS_PUNPCKLBW || id == X86_INS_PUNPCKLWD || id == X86_INS_PUNPCKLDQ;
    int bytes = m32 ? 4 : 8;
    int s = mmx_source(dc, &ops[1], bytes);
    mmx_call_run(dc, row, (uint64_t)d, ir_const(dc->b, (uint64_t)s), mmx_imm8(dc, row));
    return true;
}

/* pand/pandn/por/pxor as IR on the register file, then the transition. */
static bool mmx_emit_logic(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = mmx_op_reg(&ops[0]), s = mmx_op_reg(&ops[1]);
    if (d < 0 || (s < 0 && ops[1].type != X86_OP_MEM))
        return false;
    ir_ref a = ir_temp(dc->b), b, r = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_64, a, mmx_env_off(d));
    if (s >= 0) {
        b = ir_temp(dc->b);
        ir_ld_env(dc->b, IR_MO_64, b, mmx_env_off(s));
    } else {
        b = x86_operand_read(dc, &ops[1]);
    }
    sse_logic_op(dc, (enum sse_logic)row->shape, r, a, b);
    ir_call(dc->b, &mmx_set_helper, IR_NONE, (ir_ref[2]){ ir_const(dc->b, (uint64_t)d), r });
    return true;
}

/* pextrw r, mm, imm8 / pmovmskb r, mm */
static bool mmx_emit_gpr_mm(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int s = mmx_op_reg(&ops[1]);
    if (ops[0].type != X86_OP_REG || x86_gpr_num(ops[0].reg) < 0 || s < 0)
        return false;
    ir_ref v = mmx_call_run(dc, row, 0, ir_const(dc->b, (uint64_t)s), mmx_imm8(dc, row));
    x86_gpr_write(dc, ops[0].reg, v);
    return true;
}

/* pinsrw mm, r32/m16, imm8 */
static bool mmx_emit_mm_gpr(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = mmx_op_reg(&ops[0]);
    if (d < 0 || (ops[1].type == X86_OP_REG && x86_gpr_num(ops[1].reg) < 0))
        return false;
    ir_ref v = x86_operand_read(dc, &ops[1]);
    mmx_call_run(dc, row, (uint64_t)d, v, mmx_imm8(dc, row));
    return true;
}

/* cvtpi2ps/cvtpi2pd xmm, mm/m64; cvt(t)ps2pi mm, xmm/m64; cvt(t)pd2pi
 * mm, xmm/m128. */
static bool mmx_emit_cvt(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool to_xmm = row->shape == MMX_CVT_MM_TO_XMM_LO || row->shape == MMX_CVT_MM_TO_XMM;
    int d = to_xmm ? sse_op_xmm(&ops[0]) : mmx_op_reg(&ops[0]);
    int s = to_xmm ? mmx_op_reg(&ops[1]) : sse_op_xmm(&ops[1]);
    if (d < 0 || (s < 0 && ops[1].type != X86_OP_MEM))
        return false;
    if (s < 0) {
        sse_load_tmp(dc, &ops[1], row->shape == MMX_CVT_XMM_TO_MM ? 16 : 8, 1);
        s = MMX_SRC_MEM;
    }
    mmx_call_run(dc, row, (uint64_t)d, ir_const(dc->b, (uint64_t)s), 0);
    return true;
}

static mmx_emit_fn *const mmx_form_emit[] = {
    [MMX_F_MM] = mmx_emit_mm,           [MMX_F_GPR_MM] = mmx_emit_gpr_mm,
    [MMX_F_MM_GPR] = mmx_emit_mm_gpr,   [MMX_F_LOGIC] = mmx_emit_logic,
    [MMX_F_CVT] = mmx_emit_cvt,
};

static bool mmx_emit_row(struct x86_dc *dc, const struct mmx_row *row)
{
    if (row->form == MMX_F_EMIT)
        return row->emit(dc, row);
    return mmx_form_emit[row->form](dc, row);
}

/* Nothing is emitted for an MM operand in a shape the instruction does
 * not have: SIGILL. */
void x86_mmx_translate(struct x86_dc *dc)
{
    const struct mmx_row *row = (const struct mmx_row *)dc->row;
    x86_sync_pc(dc);                    /* #MF first (x86_mmx_wait) */
    ir_call(dc->b, &mmx_wait_helper, IR_NONE, (ir_ref[1]){ IR_NONE });
    if (!mmx_emit_row(dc, row))
        x86_raise_sigill(dc);
}
