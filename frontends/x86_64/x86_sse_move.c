/* x86_sse_move.c -- SSE/SSE2 data movement as direct IR, no helper
 * calls: whole registers and zero-extending loads as vector moves (vmov,
 * vld, vst: one 16-byte access of the register, which later vector ops
 * read back without a store-forwarding stall), halves and lanes as
 * ld/st and ld_env/st_env on env->xmm.  Each emitter checks the operand
 * shapes first and returns false, having emitted nothing, for forms that
 * are not SSE (MMX registers, string movsd).
 */
#include "x86_sse.h"
#include "x86_internal.h"

/* Moves `bytes` (4, 8 or 16) between a memory operand and env. */
static void sse_mem_xfer(struct x86_dc *dc, const cs_x86_op *mem, int32_t off,
                         int bytes, bool store)
{
    ir_ref ea = x86_ea(dc, mem);
    int step = bytes < 8 ? bytes : 8;
    unsigned mo = step == 8 ? IR_MO_64 : IR_MO_32;
    for (int i = 0; i < bytes; i += step) {
        ir_ref addr = ea, t = ir_temp(dc->b);
        if (i) {
            addr = ir_temp(dc->b);
            ir_binop(dc->b, IR_add, 64, addr, ea, ir_const(dc->b, i));
        }
        if (store) {
            ir_ld_env(dc->b, mo, t, off + i);
            ir_st(dc->b, mo, addr, t);
        } else {
            ir_ld(dc->b, mo, t, addr);
            ir_st_env(dc->b, mo, t, off + i);
        }
    }
}

/* Vector moves between env offset `off` and a memory operand: vld loads
 * `bytes` (4, 8 or 16) zero-extended to 16, vst stores the low bytes. */
void sse_vld(struct x86_dc *dc, const cs_x86_op *mem, int32_t off, int bytes)
{
    ir_ref ea = x86_ea(dc, mem);
    ir_vec(dc->b, IR_vld, IR_VE_8, ir_vec_pack(off, off, off, (unsigned)bytes), NULL)->args[0] = ea;
}

static void sse_vst(struct x86_dc *dc, const cs_x86_op *mem, int32_t off, int bytes)
{
    ir_ref ea = x86_ea(dc, mem);
    ir_vec(dc->b, IR_vst, IR_VE_8 | x86_vst_aligned(dc, mem), ir_vec_pack(off, off, off, (unsigned)bytes),
           NULL)->args[0] = ea;
}

/* Register to register: vmov (the low bytes, zero-extended) or vmovl
 * (merged into the destination's low bytes). */
static void sse_vmov(struct x86_dc *dc, enum ir_op op, int32_t dst, int32_t src, int bytes)
{
    ir_vec(dc->b, op, IR_VE_8, ir_vec_pack(dst, dst, src, (unsigned)bytes), NULL);
}

/* Low `bytes` of xmm/mem op1 into xmm/mem op0; when the destination is a
 * register loaded from memory, the rest of it is zeroed if zero_rest. */
static bool sse_move_low(struct x86_dc *dc, int bytes, bool zero_rest_from_mem,
                         bool zero_rest_from_reg)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = sse_op_xmm(&ops[1]);
    if (d >= 0 && s >= 0) {
        bool whole = bytes == 16 || zero_rest_from_reg;
        sse_vmov(dc, whole ? IR_vmov : IR_vmovl, sse_xmm_off(d), sse_xmm_off(s), bytes);
    } else if (d >= 0 && ops[1].type == X86_OP_MEM && (zero_rest_from_mem || bytes == 16)) {
        sse_vld(dc, &ops[1], sse_xmm_off(d), bytes);
    } else if (d >= 0 && ops[1].type == X86_OP_MEM) {
        sse_mem_xfer(dc, &ops[1], sse_xmm_off(d), bytes, false);
    } else if (s >= 0 && ops[0].type == X86_OP_MEM) {
        sse_vst(dc, &ops[0], sse_xmm_off(s), bytes);
    } else {
        return false;
    }
    return true;
}

bool sse_emit_mov128(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_low(dc, 16, false, false);
}

bool sse_emit_movss(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_low(dc, 4, true, false);
}

/* Also the string instruction movsd (no XMM operand): not ours. */
bool sse_emit_movsd(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_low(dc, 8, true, false);
}

/* movd/movq between a general register (or memory) and an XMM register:
 * loads zero-extend to 128 bits. */
static bool sse_move_gpr(struct x86_dc *dc, int bytes)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = sse_op_xmm(&ops[1]);
    if (d >= 0 && s < 0) {
        ir_ref v = x86_operand_read(dc, &ops[1]);
        int32_t off = sse_xmm_off(d);
        ir_vec(dc->b, IR_vfromg, IR_VE_8, ir_vec_pack(off, off, off, 8), NULL)->args[0] = v;
        return true;
    }
    if (s >= 0 && d < 0 && (ops[0].type == X86_OP_MEM || ops[0].size == bytes)) {
        ir_ref v = ir_temp(dc->b);
        ir_ld_env(dc->b, bytes == 8 ? IR_MO_64 : IR_MO_32, v, sse_xmm_off(s));
        x86_operand_write(dc, &ops[0], v);
        return true;
    }
    return false;
}

bool sse_emit_movd(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    if (sse_op_xmm(&ops[0]) < 0 && sse_op_xmm(&ops[1]) < 0)
        return false;                           /* MMX movd */
    return sse_move_gpr(dc, 4);
}

/* movq xmm, xmm/m64 zeroes the upper half; movq r64/m64 <-> xmm. */
bool sse_emit_movq(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = sse_op_xmm(&ops[1]);
    if (d < 0 && s < 0)
        return false;                           /* MMX movq */
    if (d >= 0 && (s >= 0 || ops[1].type == X86_OP_MEM))
        return sse_move_low(dc, 8, true, true);
    if (s >= 0 && ops[0].type == X86_OP_MEM)
        return sse_move_low(dc, 8, false, false);
    return sse_move_gpr(dc, 8);
}

/* movlps/movlpd and movhps/movhpd: one 64-bit half <-> m64. */
static bool sse_move_half(struct x86_dc *dc, int half)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = sse_op_xmm(&ops[1]);
    if (d >= 0 && ops[1].type == X86_OP_MEM)
        sse_mem_xfer(dc, &ops[1], sse_xmm_off(d) + 8 * half, 8, false);
    else if (s >= 0 && ops[0].type == X86_OP_MEM)
        sse_mem_xfer(dc, &ops[0], sse_xmm_off(s) + 8 * half, 8, true);
    else
        return false;
    return true;
}

bool sse_emit_movlo(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_half(dc, 0);
}

bool sse_emit_movhi(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_half(dc, 1);
}

/* Register-to-register half moves: dst half `dh` <- src half `sh`. */
static bool sse_move_half_reg(struct x86_dc *dc, int dh, int sh)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = sse_op_xmm(&ops[1]);
    if (d < 0 || s < 0)
        return false;
    sse_copy_env(dc, sse_xmm_off(d) + 8 * dh, sse_xmm_off(s) + 8 * sh, 8);
    return true;
}

bool sse_emit_movhlps(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_half_reg(dc, 0, 1);
}

bool sse_emit_movlhps(struct x86_dc *dc, const struct sse_row *row)
{
    return sse_move_half_reg(dc, 1, 0);
}

/* movnti m32/m64, r: an ordinary integer store. */
bool sse_emit_movnti(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    if (ops[0].type != X86_OP_MEM || ops[1].type != X86_OP_REG)
        return false;
    x86_operand_write(dc, &ops[0], x86_operand_read(dc, &ops[1]));
    return true;
}
