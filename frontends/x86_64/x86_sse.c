/* x86_sse.c -- translates SSE to SSE4.2 instructions: the handler of the
 * SSE rows (x86_sse_table.c) emits IR for the row's operand form.  XMM
 * registers live in env (not IR globals): data movement is plain IR
 * (ld_env/st_env, x86_sse_move.c), pmovmskb a vmsks (also vpmovmskb's),
 * the SSE/SSE2 arithmetic, logic, shuffles and conversions vector IR ops
 * (x86_sse_vec.c), the rest a call of a C helper on env->xmm.
 */
#include <stddef.h>

#include "x86_internal.h"
#include "x86_sse.h"

_Static_assert(offsetof(struct sse_row, insn) == 0, "dc->row is the sse_row");

int sse_op_xmm(const cs_x86_op *op)
{
    return op->type == X86_OP_REG ? x86_xmm_index(op->reg) : -1;
}

/* Copies `bytes` (4, 8 or 16) between two env offsets. */
void sse_copy_env(struct x86_dc *dc, int32_t dst, int32_t src, int bytes)
{
    int step = bytes < 8 ? bytes : 8;
    unsigned mo = step == 8 ? IR_MO_64 : IR_MO_32;
    for (int i = 0; i < bytes; i += step) {
        ir_ref t = ir_temp(dc->b);
        ir_ld_env(dc->b, mo, t, src + i);
        ir_st_env(dc->b, mo, t, dst + i);
    }
}

void sse_zero_env(struct x86_dc *dc, int32_t dst, int bytes)
{
    ir_ref zero = ir_const(dc->b, 0);
    int step = (bytes % 8 || dst % 8) ? 4 : 8;
    for (int i = 0; i < bytes; i += step)
        ir_st_env(dc->b, step == 8 ? IR_MO_64 : IR_MO_32, zero, dst + i);
}

/* Loads a memory operand of `bytes` bytes into env->xmm_tmp[tmp]: 4, 8
 * and 16 bytes with one vector load (the rest zeroed). */
void sse_load_tmp(struct x86_dc *dc, const cs_x86_op *op, int bytes, int tmp)
{
    int32_t off = X86_ENV_OFF(xmm_tmp) + 16 * tmp;
    if (bytes == 4 || bytes == 8 || bytes == 16) {
        sse_vld(dc, op, off, bytes);
        return;
    }
    ir_ref ea = x86_ea(dc, op);
    int step = bytes < 8 ? bytes : 8;
    unsigned mo = step == 8 ? IR_MO_64 : step == 4 ? IR_MO_32 : IR_MO_16;
    for (int i = 0; i < bytes; i += step) {
        ir_ref addr = ea, t = ir_temp(dc->b);
        if (i) {
            addr = ir_temp(dc->b);
            ir_binop(dc->b, IR_add, 64, addr, ea, ir_const(dc->b, i));
        }
        ir_ld(dc->b, mo, t, addr);
        ir_st_env(dc->b, mo, t, off + i);
    }
}

/* XMM index of a source operand: the register, or the temporary that the
 * memory operand was just loaded into; -1 if it is neither (e.g. MMX). */
int sse_source(struct x86_dc *dc, const cs_x86_op *op, int bytes)
{
    if (op->type == X86_OP_MEM) {
        sse_load_tmp(dc, op, bytes, 0);
        return SSE_TMP0;
    }
    return sse_op_xmm(op);
}

static uint64_t sse_imm_arg(const struct x86_dc *dc, const struct sse_row *row)
{
    switch (row->imm) {
    case SSE_IMM_BYTE:  return dc->insn->bytes[dc->insn->size - 1];
    case SSE_IMM_SIZE0: return dc->x->operands[0].size;
    case SSE_IMM_SIZE1: return dc->x->operands[1].size;
    default:            return 0;
    }
}

static ir_ref sse_call(struct x86_dc *dc, const struct sse_row *row,
                       ir_ref d, ir_ref s)
{
    ir_ref args[3] = { d, s, ir_const(dc->b, sse_imm_arg(dc, row)) };
    ir_ref ret = row->helper.has_result ? ir_temp(dc->b) : IR_NONE;
    ir_call(dc->b, &row->helper, ret, args);
    return ret;
}

/* Shift-by-immediate forms (psrlw xmm, imm8): the count goes through
 * xmm_tmp[0] so the helper is the same as for the by-register form. */
static int sse_shift_count(struct x86_dc *dc, const cs_x86_op *op)
{
    ir_ref cnt = ir_const(dc->b, (uint64_t)op->imm & 0xff);
    ir_st_env(dc->b, IR_MO_64, cnt, X86_ENV_OFF(xmm_tmp));
    return SSE_TMP0;
}

bool sse_emit_xx(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || dc->x->op_count < 2)
        return false;
    int s = ops[1].type == X86_OP_IMM ? sse_shift_count(dc, &ops[1])
                                      : sse_source(dc, &ops[1], row->mem_bytes);
    if (s < 0)
        return false;
    sse_call(dc, row, ir_const(dc->b, d), ir_const(dc->b, s));
    return true;
}

void sse_logic_op(struct x86_dc *dc, enum sse_logic l, ir_ref r, ir_ref a, ir_ref b)
{
    static const uint16_t ops[] = { [SSE_AND] = IR_and, [SSE_OR] = IR_or, [SSE_XOR] = IR_xor };
    if (l == SSE_ANDN)          /* x86: dst = ~dst & src */
        ir_binop(dc->b, IR_andc, 64, r, b, a);
    else
        ir_binop(dc->b, ops[l], 64, r, a, b);
}

/* vmsks's exact C form: d the high half (imm 1), s the low one. */
static uint64_t sse_msks(struct x86_cpu *env, uint64_t d, uint64_t s, uint64_t imm)
{
    uint64_t m = x86_sse_helper_pmovmskb(env, 0, s, 0);
    if (imm & 1)
        m |= x86_sse_helper_pmovmskb(env, 0, d, 0) << 16;
    return m;
}

static const struct ir_helper sse_h_msks = { (void *)sse_msks, "sse_msks", 3, 1, 0 };

/* The sign bits of the bytes at env offset lo (16 bits) and, when hi >= 0,
 * of those at hi above them (32 bits): one vmsks, whose backends gather
 * them with the host's own vector code (pmovmskb, ushr + usra). */
ir_ref sse_sign_mask(struct x86_dc *dc, int32_t lo, int32_t hi)
{
    int32_t a = hi >= 0 ? hi : lo;
    struct ir_insn *i = ir_vec(dc->b, IR_vmsks, IR_VE_8, ir_vec_pack(a, a, lo, hi >= 0),
                               &sse_h_msks);
    ir_ref r = ir_temp(dc->b);
    i->args[0] = r;
    return r;
}

/* dst (r32 or r64) = a vmsks's mask, whose upper bits are zero already:
 * the whole register, no ext32u. */
void sse_write_mask(struct x86_dc *dc, x86_reg dst, ir_ref mask)
{
    int n = x86_gpr_num(dst);
    if (n < 0)
        x86_gpr_write(dc, dst, mask);
    else
        ir_mov(dc->b, x86_g_reg[n], mask);
}

/* pmovmskb r, xmm (x86_sse_helper_pmovmskb is the reference). */
bool sse_emit_pmovmskb(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int s = sse_op_xmm(&ops[1]);
    (void)row;
    if (ops[0].type != X86_OP_REG || sse_op_xmm(&ops[0]) >= 0 || s < 0)
        return false;
    sse_write_mask(dc, ops[0].reg, sse_sign_mask(dc, sse_xmm_off(s), -1));
    return true;
}

static bool sse_emit_rx(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    if (ops[0].type != X86_OP_REG || sse_op_xmm(&ops[0]) >= 0)
        return false;
    int s = sse_source(dc, &ops[1], row->mem_bytes);
    if (s < 0)
        return false;
    ir_ref r = sse_call(dc, row, ir_const(dc->b, 0), ir_const(dc->b, s));
    x86_gpr_write(dc, ops[0].reg, r);
    return true;
}

static bool sse_emit_xr(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || (ops[1].type == X86_OP_REG && sse_op_xmm(&ops[1]) >= 0))
        return false;
    ir_ref v = x86_operand_read(dc, &ops[1]);
    sse_call(dc, row, ir_const(dc->b, d), v);
    return true;
}

static bool sse_emit_flags(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    int s = d < 0 ? -1 : sse_source(dc, &ops[1], row->mem_bytes);
    if (s < 0)
        return false;
    ir_ref fl = sse_call(dc, row, ir_const(dc->b, d), ir_const(dc->b, s));
    x86_flags_set_eflags(dc, fl);
    return true;
}

static sse_emit_fn *const sse_form_emit[] = {
    [SSE_F_XX] = sse_emit_xx,
    [SSE_F_RX] = sse_emit_rx,       [SSE_F_XR] = sse_emit_xr,
    [SSE_F_FLAGS] = sse_emit_flags,
};

static bool sse_emit_row(struct x86_dc *dc, const struct sse_row *row)
{
    if (row->form == SSE_F_EMIT)
        return row->emit(dc, row);
    return sse_form_emit[row->form](dc, row);
}

/* Emitters validate operands before emitting any IR, so a false return
 * (an operand shape the instruction lacks) leaves the block untouched
 * for the SIGILL exit.  (MMX-register forms have rows of their own.) */
void x86_sse_translate(struct x86_dc *dc)
{
    const struct sse_row *row = (const struct sse_row *)dc->row;
    if (!sse_emit_row(dc, row))
        x86_raise_sigill(dc);
}
