/* x86_mmx_move.c -- MMX data movement and state: movd/movq between MM
 * registers, general registers and memory (movntq too), movdq2q/movq2dq,
 * emms and maskmovq.  Values move as IR; writing MMi and the x87 -> MMX
 * transition are a helper call made after every guest memory access.
 */
#include "x86_internal.h"
#include "x86_mmx.h"

static const struct ir_helper mmx_set_helper = { (void *)x86_mmx_set, "mmx_set", 2, 0, 0 };
static const struct ir_helper mmx_emms_helper = { (void *)x86_mmx_emms, "mmx_emms", 0, 0, 0 };
static const struct ir_helper mmx_maskmovq_helper = {
    (void *)x86_mmx_maskmovq, "mmx_maskmovq", 3, 0, IR_HELPER_RW_GLOBALS
};

static ir_ref mmx_load_reg(struct x86_dc *dc, int i)
{
    ir_ref v = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_64, v, mmx_env_off(i));
    return v;
}

static void mmx_store_reg(struct x86_dc *dc, int i, ir_ref v)
{
    ir_call(dc->b, &mmx_set_helper, IR_NONE, (ir_ref[2]){ ir_const(dc->b, (uint64_t)i), v });
}

static bool mmx_is_gpr_or_mem(const cs_x86_op *op)
{
    if (op->size != 4 && op->size != 8)
        return false;
    return op->type == X86_OP_MEM || (op->type == X86_OP_REG && x86_gpr_num(op->reg) >= 0);
}

/* movd/movq mm <-> mm, r/m32 or r/m64 (capstone names the REX.W form of
 * 0F 6E/7E movd or movq: the operand size tells). */
static bool mmx_move(struct x86_dc *dc)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = mmx_op_reg(&ops[0]), s = mmx_op_reg(&ops[1]);
    if (d >= 0 && s >= 0) {
        mmx_store_reg(dc, d, mmx_load_reg(dc, s));
    } else if (d >= 0 && mmx_is_gpr_or_mem(&ops[1])) {
        mmx_store_reg(dc, d, x86_trunc(dc, x86_operand_read(dc, &ops[1]), ops[1].size));
    } else if (s >= 0 && mmx_is_gpr_or_mem(&ops[0])) {
        x86_operand_write(dc, &ops[0], x86_trunc(dc, mmx_load_reg(dc, s), ops[0].size));
        mmx_call_enter(dc);
    } else {
        return false;
    }
    return true;
}

bool mmx_emit_movd(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    if (mmx_op_reg(&ops[0]) >= 0 && mmx_op_reg(&ops[1]) >= 0)
        return false;                   /* movd has no mm, mm form */
    return mmx_move(dc);
}

bool mmx_emit_movq(struct x86_dc *dc, const struct mmx_row *row)
{
    return mmx_move(dc);
}

bool mmx_emit_movdq2q(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = mmx_op_reg(&ops[0]), s = sse_op_xmm(&ops[1]);
    if (d < 0 || s < 0)
        return false;
    ir_ref v = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_64, v, sse_xmm_off(s));
    mmx_store_reg(dc, d, v);
    return true;
}

bool mmx_emit_movq2dq(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = mmx_op_reg(&ops[1]);
    if (d < 0 || s < 0)
        return false;
    ir_st_env(dc->b, IR_MO_64, mmx_load_reg(dc, s), sse_xmm_off(d));
    sse_zero_env(dc, sse_xmm_off(d) + 8, 8);
    mmx_call_enter(dc);
    return true;
}

bool mmx_emit_emms(struct x86_dc *dc, const struct mmx_row *row)
{
    ir_call(dc->b, &mmx_emms_helper, IR_NONE, (ir_ref[1]){ IR_NONE });
    return true;
}

/* maskmovq mm1, mm2: the helper stores to [rdi] itself, so the guest pc
 * must be exact if it faults. */
bool mmx_emit_maskmovq(struct x86_dc *dc, const struct mmx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = mmx_op_reg(&ops[0]), m = mmx_op_reg(&ops[1]);
    if (d < 0 || m < 0)
        return false;
    x86_sync_pc(dc);
    ir_ref args[3] = { ir_const(dc->b, (uint64_t)d), x86_gpr_read(dc, X86_REG_RDI),
                       ir_const(dc->b, (uint64_t)m) };
    ir_call(dc->b, &mmx_maskmovq_helper, IR_NONE, args);
    return true;
}
