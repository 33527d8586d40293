/* x86_sse_ext.c -- emitters of the SSE4 operand forms the generic ones in
 * x86_sse.c do not cover: lane extraction to a general register or
 * memory (pextrb/w/d/q, extractps), the string compares with their ECX /
 * XMM0 and EFLAGS results, and crc32 (general registers only).
 */
#include "x86_internal.h"
#include "x86_sse.h"
#include "x86_avx.h"

static ir_ref sse_ext_call(struct x86_dc *dc, const struct sse_row *row, ir_ref d, ir_ref s,
                           uint64_t imm)
{
    ir_ref args[3] = { d, s, ir_const(dc->b, imm) };
    ir_ref ret = ir_temp(dc->b);
    ir_call(dc->b, &row->helper, ret, args);
    return ret;
}

static uint8_t sse_ext_imm8(const struct x86_dc *dc)
{
    return dc->insn->bytes[dc->insn->size - 1];
}

/* op0 (gpr, zero-extended, or memory of its size) <- lane of xmm op1. */
bool sse_emit_extract(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int s = sse_op_xmm(&ops[1]);
    bool reg = ops[0].type == X86_OP_REG && sse_op_xmm(&ops[0]) < 0;
    if (s < 0 || (!reg && ops[0].type != X86_OP_MEM))
        return false;
    ir_ref v = sse_ext_call(dc, row, ir_const(dc->b, 0), ir_const(dc->b, s), sse_ext_imm8(dc));
    if (reg)
        x86_gpr_write(dc, ops[0].reg, v);
    else
        x86_store(dc, ops[0].size, x86_ea(dc, &ops[0]), v);
    return true;
}

static bool sse_ext_is_index(unsigned id)
{
    return id == X86_INS_PCMPESTRI || id == X86_INS_PCMPISTRI || id == X86_INS_VPCMPESTRI ||
           id == X86_INS_VPCMPISTRI;
}

/* REX.W, or VEX.W for the VEX forms: 64-bit lengths for the E forms. */
static bool sse_ext_w(const struct x86_dc *dc)
{
    struct avx_vex v;
    return avx_vex(dc, &v) ? v.w : (dc->x->rex & 8) != 0;
}

/* pcmp[ei]str[im]: the helper returns EFLAGS << 32 | index; the index
 * forms write ECX (zero-extending RCX), the mask forms wrote XMM0. */
bool sse_emit_pcmpstr(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || dc->x->op_count < 3 || (ops[1].type == X86_OP_REG && sse_op_xmm(&ops[1]) < 0))
        return false;
    int s = sse_source(dc, &ops[1], 16);
    uint64_t imm = sse_ext_imm8(dc) | (sse_ext_w(dc) ? 0x100u : 0);
    ir_ref r = sse_ext_call(dc, row, ir_const(dc->b, d), ir_const(dc->b, s), imm);
    if (sse_ext_is_index(dc->insn->id))
        x86_gpr_write(dc, X86_REG_ECX, r);
    ir_ref fl = ir_temp(dc->b);
    ir_binop(dc->b, IR_shr, 64, fl, r, ir_const(dc->b, 32));
    x86_flags_set_eflags(dc, fl);
    return true;
}

/* crc32 r32/r64, r/m8..64: CRC of the source into the low 32 bits of the
 * destination, zero-extended. */
bool sse_emit_crc32(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    if (ops[0].type != X86_OP_REG || x86_gpr_num(ops[0].reg) < 0 || dc->x->op_count != 2)
        return false;
    if (ops[1].type == X86_OP_REG && x86_gpr_num(ops[1].reg) < 0)
        return false;
    ir_ref acc = x86_operand_read(dc, &ops[0]), data = x86_operand_read(dc, &ops[1]);
    ir_ref r = sse_ext_call(dc, row, acc, data, ops[1].size);
    x86_set_reg(dc, x86_gpr_num(ops[0].reg), r);
    return true;
}
