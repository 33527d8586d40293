/* x86_sse_x87ctl.c -- the x87 control and status instructions that SSE
 * code still runs: glibc reads the rounding mode with fnstcw (printf,
 * strtod, fegetround), and its <fenv.h> functions use fldcw, fnstsw,
 * fnstenv/fldenv, fnclex, fwait.  ferry has no x87 arithmetic, so the
 * status word is always clean (no exceptions, empty stack) and only the
 * control word is state.
 *
 * The control word lives in env->pad, XOR-ed with the reset value 0x037f
 * so that a zeroed env already holds the reset state.
 */
#include <string.h>

#include "x86_sse.h"

#define X87_FCW_RESET 0x037f
#define X87_FCW_OFF X86_ENV_OFF(pad)
#define X87_FTW_EMPTY 0xffff

uint16_t sse_x87_fcw(const struct x86_cpu *env)
{
    return (uint16_t)(env->pad ^ X87_FCW_RESET);
}

void sse_x87_set_fcw(struct x86_cpu *env, uint16_t fcw)
{
    env->pad = (uint16_t)(fcw ^ X87_FCW_RESET);
}

static const cs_x86_op *sse_x87_mem(const struct x86_dc *dc)
{
    const cs_x86_op *op = &dc->x->operands[0];
    return dc->x->op_count == 1 && op->type == X86_OP_MEM ? op : NULL;
}

bool sse_emit_fnstcw(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *mem = sse_x87_mem(dc);
    if (!mem)
        return false;
    ir_ref v = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_16, v, X87_FCW_OFF);
    ir_binop(dc->b, IR_xor, 32, v, v, ir_const(dc->b, X87_FCW_RESET));
    ir_st(dc->b, IR_MO_16, x86_ea(dc, mem), v);
    return true;
}

bool sse_emit_fldcw(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *mem = sse_x87_mem(dc);
    if (!mem)
        return false;
    ir_ref v = ir_temp(dc->b);
    ir_ld(dc->b, IR_MO_16, v, x86_ea(dc, mem));
    ir_binop(dc->b, IR_xor, 32, v, v, ir_const(dc->b, X87_FCW_RESET));
    ir_st_env(dc->b, IR_MO_32, v, X87_FCW_OFF);
    return true;
}

/* fnstsw ax / m16: the status word is always 0. */
bool sse_emit_fnstsw(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *op = &dc->x->operands[0];
    if (dc->x->op_count != 1)
        return false;
    if (op->type == X86_OP_MEM)
        ir_st(dc->b, IR_MO_16, x86_ea(dc, op), ir_const(dc->b, 0));
    else if (op->type == X86_OP_REG && op->reg == X86_REG_AX)
        x86_gpr_write(dc, X86_REG_AX, ir_const(dc->b, 0));
    else
        return false;
    return true;
}

bool sse_emit_fninit(struct x86_dc *dc, const struct sse_row *row)
{
    ir_st_env(dc->b, IR_MO_32, ir_const(dc->b, 0), X87_FCW_OFF);
    return true;
}

/* fnstenv/fldenv: helpers on the 28-byte environment at s. */
bool sse_emit_x87env(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *mem = sse_x87_mem(dc);
    if (!mem)
        return false;
    ir_ref args[3] = { ir_const(dc->b, 0), x86_ea(dc, mem), ir_const(dc->b, 0) };
    x86_sync_pc(dc);
    ir_call(dc->b, &row->helper, IR_NONE, args);
    return true;
}

/* 28-byte protected-mode layout: FCW, FSW, FTW, then instruction and
 * operand pointers (zero: no x87 instruction has run).  fnstenv then
 * masks all x87 exceptions, as the hardware does. */
SSE_HELPER(fnstenv)
{
    uint8_t *p = (uint8_t *)(uintptr_t)s;
    uint16_t fcw = sse_x87_fcw(env), ftw = X87_FTW_EMPTY;
    memset(p, 0, 28);
    memcpy(p + 0, &fcw, 2);
    memcpy(p + 8, &ftw, 2);
    sse_x87_set_fcw(env, fcw | 0x3f);
    return 0;
}

SSE_HELPER(fldenv)
{
    uint16_t fcw;
    memcpy(&fcw, (const uint8_t *)(uintptr_t)s, 2);
    sse_x87_set_fcw(env, fcw);
    return 0;
}
