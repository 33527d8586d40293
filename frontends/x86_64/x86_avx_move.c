/* x86_avx_move.c -- VEX data movement as vector moves and env copies:
 * whole registers (vmovaps & co), the scalar and half moves (vmovss/sd,
 * vmovlps/hps, vmovhlps/lhps, vmovd/q), vzeroupper/vzeroall, and the
 * 128-bit lane moves (vbroadcastss/sd/f128, vinsertf128, vextractf128,
 * vperm2f128), each with the VEX upper-half rule.
 */
#include "x86_avx.h"
#include "x86_internal.h"

/* Copies 16-byte blocks src[k] (env offsets, -1: zeros) to dst[k]: all
 * loads before any store, so sources may alias destinations. */
static void avx_blocks(struct x86_dc *dc, const int32_t *dst, const int32_t *src, int n)
{
    ir_ref t[8];
    for (int k = 0; k < n; k++)
        for (int h = 0; h < 2; h++) {
            t[2 * k + h] = src[k] < 0 ? ir_const(dc->b, 0) : ir_temp(dc->b);
            if (src[k] >= 0)
                ir_ld_env(dc->b, IR_MO_64, t[2 * k + h], src[k] + 8 * h);
        }
    for (int k = 0; k < n; k++)
        for (int h = 0; h < 2; h++)
            ir_st_env(dc->b, IR_MO_64, t[2 * k + h], dst[k] + 8 * h);
}

/* vmovaps/ups/apd/upd/dqa/dqu, vmovnt*, vlddqu, vmovntdqa. */
bool avx_emit_mov(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    if (dc->x->op_count != 2 || !avx_row_width(dc, row, &wide))
        return false;
    int bytes = wide ? 32 : 16, d = avx_reg(&ops[0]), s = avx_reg(&ops[1]);
    if (d >= 0 && avx_src_ok(&ops[1]) && !(row->flags & AVX_FIXED)) {   /* FIXED: stores only */
        if (s >= 0) {
            avx_copy16(dc, avx_regop(d).lo, avx_regop(s).lo);
            if (wide)
                avx_copy16(dc, avx_regop(d).hi, avx_regop(s).hi);
        } else {
            ir_ref ea = x86_ea(dc, &ops[1]);
            struct avx_opnd o = avx_regop(d);
            ir_vec(dc->b, IR_vld, IR_VE_8, ir_vec_pack(o.lo, o.lo, o.lo, 16), NULL)->args[0] = ea;
            if (wide) {
                ir_ref hi = ir_temp(dc->b);
                ir_binop(dc->b, IR_add, 64, hi, ea, ir_const(dc->b, 16));
                ir_vec(dc->b, IR_vld, IR_VE_8, ir_vec_pack(o.hi, o.hi, o.hi, 16), NULL)->args[0] = hi;
            }
        }
        avx_write_done(dc, d, wide);
        return true;
    }
    if (ops[0].type == X86_OP_MEM && s >= 0 && !(row->flags & AVX_IMM)) {   /* IMM: loads only */
        avx_store(dc, &ops[0], avx_regop(s), bytes);
        return true;
    }
    return false;
}

/* vmovss / vmovsd: load (zero the rest), store, or d = a with b's low
 * element. */
bool avx_emit_movs(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int n = row->mem_bytes, d = avx_reg(&ops[0]);
    if (dc->x->op_count == 2 && d >= 0 && ops[1].type == X86_OP_MEM) {
        avx_copy16(dc, avx_regop(d).lo, avx_src(dc, &ops[1], n).lo);
        avx_write_done(dc, d, false);
        return true;
    }
    if (dc->x->op_count == 2 && ops[0].type == X86_OP_MEM && avx_reg(&ops[1]) >= 0) {
        avx_store(dc, &ops[0], avx_regop(avx_reg(&ops[1])), n);
        return true;
    }
    int a = avx_reg(&ops[1]), b = dc->x->op_count == 3 ? avx_reg(&ops[2]) : -1;
    if (d < 0 || a < 0 || b < 0)
        return false;
    struct avx_step st = { IR_vmovl, IR_VE_8, (unsigned)n, NULL };
    avx_vop_half(dc, &st, avx_regop(d).lo, avx_regop(a).lo, avx_regop(b).lo);
    avx_write_done(dc, d, false);
    return true;
}

/* Copies 8 bytes between env offsets through one temp each, all loads
 * first (so any aliasing is fine). */
static void avx_q2(struct x86_dc *dc, int32_t d, int32_t s0, int32_t s1)
{
    ir_ref t0 = ir_temp(dc->b), t1 = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_64, t0, s0);
    ir_ld_env(dc->b, IR_MO_64, t1, s1);
    ir_st_env(dc->b, IR_MO_64, t0, d);
    ir_st_env(dc->b, IR_MO_64, t1, d + 8);
}

/* vmovlps/lpd (half 0) and vmovhps/hpd (half 1): d = a with the 8
 * memory bytes in that half; the store form writes that half. */
bool avx_emit_movhalf(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int h = row->vimm;
    if (dc->x->op_count == 2 && ops[0].type == X86_OP_MEM && avx_reg(&ops[1]) >= 0) {
        struct avx_opnd s = avx_regop(avx_reg(&ops[1]));
        s.lo += 8 * h;
        avx_store(dc, &ops[0], s, 8);
        return true;
    }
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || d < 0 || a < 0 || ops[2].type != X86_OP_MEM)
        return false;
    int32_t m = avx_src(dc, &ops[2], 8).lo, lo = avx_regop(a).lo;
    avx_q2(dc, avx_regop(d).lo, h ? lo : m, h ? m : lo + 8);
    avx_write_done(dc, d, false);
    return true;
}

/* vmovhlps d, a, b: [b.hi, a.hi]; vmovlhps: [a.lo, b.lo] (vimm 1). */
bool avx_emit_movhl(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]), b = avx_reg(&ops[2]);
    if (dc->x->op_count != 3 || d < 0 || a < 0 || b < 0)
        return false;
    int32_t ao = avx_regop(a).lo, bo = avx_regop(b).lo;
    if (row->vimm)
        avx_q2(dc, avx_regop(d).lo, ao, bo);
    else
        avx_q2(dc, avx_regop(d).lo, bo + 8, ao + 8);
    avx_write_done(dc, d, false);
    return true;
}

/* vmovd / vmovq: general register or memory <-> xmm, and vmovq xmm,
 * xmm/m64 (zero-extending); the xmm destination's upper half is zeroed. */
bool avx_emit_movdq(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int n = row->mem_bytes, d = avx_reg(&ops[0]), s = avx_reg(&ops[1]);
    if (dc->x->op_count != 2)
        return false;
    if (d >= 0 && s >= 0) {
        ir_vec(dc->b, IR_vmov, IR_VE_8,
               ir_vec_pack(avx_regop(d).lo, avx_regop(d).lo, avx_regop(s).lo, (unsigned)n), NULL);
    } else if (d >= 0 && ops[1].type == X86_OP_MEM) {
        avx_copy16(dc, avx_regop(d).lo, avx_src(dc, &ops[1], n).lo);
    } else if (d >= 0 && ops[1].type == X86_OP_REG) {
        ir_ref v = x86_operand_read(dc, &ops[1]);
        int32_t o = avx_regop(d).lo;
        ir_vec(dc->b, IR_vfromg, IR_VE_8, ir_vec_pack(o, o, o, 8), NULL)->args[0] = v;
    } else if (s >= 0 && ops[0].type == X86_OP_MEM) {
        avx_store(dc, &ops[0], avx_regop(s), n);
        return true;
    } else if (s >= 0 && ops[0].type == X86_OP_REG) {
        ir_ref v = ir_temp(dc->b);
        ir_ld_env(dc->b, n == 8 ? IR_MO_64 : IR_MO_32, v, avx_regop(s).lo);
        x86_gpr_write(dc, ops[0].reg, v);
        return true;
    } else {
        return false;
    }
    avx_write_done(dc, d, false);
    return true;
}

/* vzeroupper (vimm 0) / vzeroall (vimm 1).  The upper halves first, then
 * the lower ones: each a run of stores at consecutive env offsets, which
 * the backends store 16 or 32 bytes at a time (x64_envzero.c,
 * a64_envpair.c). */
bool avx_emit_zero(struct x86_dc *dc, const struct avx_row *row)
{
    bool wide;
    if (!avx_row_width(dc, row, &wide))
        return false;
    for (int r = 0; r < 16; r++)
        avx_zero16(dc, avx_regop(r).hi);
    for (int r = 0; row->vimm && r < 16; r++)
        avx_zero16(dc, avx_regop(r).lo);
    return true;
}

/* vbroadcastss/sd (element of vsize bytes) and vbroadcastf128 from
 * memory; AVX2 added the register forms of vbroadcastss/sd (gcc -mavx2
 * emits them), vbroadcastf128 has none. */
bool avx_emit_broadcast(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d = avx_reg(&ops[0]), n = row->mem_bytes;
    if (dc->x->op_count != 2 || d < 0 || !avx_row_width(dc, row, &wide))
        return false;
    if (ops[1].type != X86_OP_MEM && n == 16)
        return false;
    if (!avx_src_ok(&ops[1]))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], n), o = avx_regop(d);
    ir_ref v = ir_temp(dc->b);
    if (n == 16) {
        avx_blocks(dc, (int32_t[]){ o.lo, o.hi }, (int32_t[]){ s.lo, s.lo }, 2);
        return true;
    }
    ir_ld_env(dc->b, n == 8 ? IR_MO_64 : IR_MO_32, v, s.lo);
    for (int k = 0; k < (wide ? 32 : 16); k += n)
        ir_st_env(dc->b, n == 8 ? IR_MO_64 : IR_MO_32, v, k < 16 ? o.lo + k : o.hi + k - 16);
    avx_write_done(dc, d, wide);
    return true;
}

/* vinsertf128 d, a, b/m128, imm: d = a with half imm & 1 = b. */
bool avx_emit_insert128(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 4 || d < 0 || a < 0 || !avx_src_ok(&ops[2]) || !avx_wide(dc))
        return false;
    unsigned h = dc->insn->bytes[dc->insn->size - 1] & 1;
    struct avx_opnd b = avx_src(dc, &ops[2], 16), ao = avx_regop(a), o = avx_regop(d);
    avx_blocks(dc, (int32_t[]){ o.lo, o.hi },
               (int32_t[]){ h ? ao.lo : b.lo, h ? b.lo : ao.hi }, 2);
    return true;
}

/* vextractf128 xmm/m128, ymm, imm. */
bool avx_emit_extract128(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int s = avx_reg(&ops[1]), d = avx_reg(&ops[0]);
    if (dc->x->op_count != 3 || s < 0 || !avx_wide(dc))
        return false;
    unsigned h = dc->insn->bytes[dc->insn->size - 1] & 1;
    struct avx_opnd so = avx_regop(s);
    int32_t src = h ? so.hi : so.lo;
    if (ops[0].type == X86_OP_MEM) {
        avx_store(dc, &ops[0], (struct avx_opnd){ src, src, -1 }, 16);
        return true;
    }
    if (d < 0)
        return false;
    avx_copy16(dc, avx_regop(d).lo, src);
    avx_write_done(dc, d, false);
    return true;
}

/* vperm2f128 d, a, b/m256, imm: each half of d is a.lo, a.hi, b.lo or
 * b.hi by imm[1:0] / imm[5:4], or zero with imm[3] / imm[7]. */
bool avx_emit_perm2f128(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 4 || d < 0 || a < 0 || !avx_src_ok(&ops[2]) || !avx_wide(dc))
        return false;
    unsigned imm = dc->insn->bytes[dc->insn->size - 1];
    struct avx_opnd b = avx_src(dc, &ops[2], 32), ao = avx_regop(a), o = avx_regop(d);
    int32_t pick[4] = { ao.lo, ao.hi, b.lo, b.hi }, src[2];
    for (int h = 0; h < 2; h++) {
        unsigned sel = imm >> (4 * h);
        src[h] = sel & 8 ? -1 : pick[sel & 3];
    }
    avx_blocks(dc, (int32_t[]){ o.lo, o.hi }, src, 2);
    return true;
}
