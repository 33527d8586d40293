/* x86_avx_fp.c -- emitters of the VEX forms that are not one op per
 * 128-bit half: compares with all 32 predicates, blends with per-half
 * immediates and register masks, the conversions that change the element
 * width across the halves, vpermilps/pd, masks and flags (vmovmskps,
 * vtestps, vptest), vmaskmovps/pd, inserts, and the forms whose operands
 * are the legacy instruction's (vcvtss2si, vucomiss, vpextrw, ...), which
 * run the legacy row.  Their C helpers are x86_avx_helpers.c's.
 */
#include "x86_avx.h"
#include "x86_avx_helpers.h"
#include "x86_internal.h"

static unsigned avx_imm8(const struct x86_dc *dc)
{
    return dc->insn->bytes[dc->insn->size - 1];
}

/* The operands of the three-operand forms: d, a (vvvv), b (r/m). */
static bool avx_ops3(const struct x86_dc *dc, int *d, int *a, int nops)
{
    const cs_x86_op *ops = dc->x->operands;
    *d = avx_reg(&ops[0]);
    *a = avx_reg(&ops[1]);
    return dc->x->op_count == nops && *d >= 0 && *a >= 0 && avx_src_ok(&ops[2]);
}

/* vcmpps/pd/ss/sd: predicates 0-7 are the vfcmp op, 8-31 its helper
 * (which knows all 32).  imm8 bits 7:5 are ignored: capstone names the
 * predicate (3 operands) only below 32, above it keeps the imm (4). */
bool avx_emit_cmp(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d, a;
    if (!avx_row_width(dc, row, &wide) ||
        !(avx_ops3(dc, &d, &a, 3) || (ops[3].type == X86_OP_IMM && avx_ops3(dc, &d, &a, 4))))
        return false;
    unsigned pred = avx_imm8(dc) & 31;
    struct avx_step st = { pred < 8 ? IR_vfcmp : 0, row->vsize, pred, &row->helper };
    struct avx_opnd s = avx_src(dc, &ops[2], avx_mem_bytes(row, wide));
    avx_vop3(dc, &st, avx_regop(d), avx_regop(a), s, wide);
    avx_write_done(dc, d, wide);
    return true;
}

/* Binary forms whose high half takes imm >> vimm (vblendps 4, vblendpd
 * 2, vshufpd 2): the row's op, or its helper when vop is 0. */
bool avx_emit_blend(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d, a;
    if (!avx_row_width(dc, row, &wide) || !avx_ops3(dc, &d, &a, 4))
        return false;
    unsigned imm = avx_imm8(dc);
    struct avx_opnd s = avx_src(dc, &ops[2], avx_mem_bytes(row, wide));
    struct avx_step st = { row->vop, row->vsize, imm, &row->helper };
    avx_vop3_split(dc, &st, avx_regop(d), avx_regop(a), s, wide, imm >> row->vimm);
    avx_write_done(dc, d, wide);
    return true;
}

/* vblendvps/pd, vpblendvb d, a, b, mask: the helper's imm is the mask's
 * env offset (copied aside first when the mask is d). */
bool avx_emit_blendv(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d, a, m = dc->x->op_count == 4 ? avx_reg(&ops[3]) : -1;
    if (!avx_row_width(dc, row, &wide) || m < 0 || !avx_ops3(dc, &d, &a, 4))
        return false;
    struct avx_opnd mo = avx_regop(m);
    if (m == d && d != a) {
        struct avx_opnd t = avx_tmpop(AVX_TMP_EXTRA);
        avx_copy16(dc, t.lo, mo.lo);
        avx_copy16(dc, t.hi, mo.hi);
        mo = t;
    }
    struct avx_opnd s = avx_src(dc, &ops[2], avx_mem_bytes(row, wide));
    struct avx_step st = { 0, 0, (unsigned)mo.lo, &row->helper };
    avx_vop3_split(dc, &st, avx_regop(d), avx_regop(a), s, wide, (unsigned)mo.hi);
    avx_write_done(dc, d, wide);
    return true;
}

/* The legacy row of the same instruction (operands as in SSE: vcvtss2si,
 * vucomiss, vpextrw, vpmovmskb, vmaskmovdqu ...): VEX.128 only, or any
 * VEX.L with AVX_SCALAR. */
bool avx_emit_legacy(struct x86_dc *dc, const struct avx_row *row)
{
    const struct x86_insn_row *legacy = x86_row_of_id(row->vimm);
    bool wide;
    if (!legacy || !avx_row_width(dc, row, &wide) || wide)
        return false;
    x86_translate_row(dc, legacy);
    return true;
}

/* Widening conversions, xmm/m64 -> xmm or xmm/m128 -> ymm (vcvtps2pd,
 * vcvtdq2pd): the op reads the low two lanes of its source, so the high
 * half converts the source's upper 8 bytes, first (d may be the source). */
bool avx_emit_cvt_up(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d;
    if (!avx_ops_dst_src(dc, row, &d, &wide))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], wide ? 16 : 8), dd = avx_regop(d);
    struct avx_step st = { row->vop, row->vsize, row->vimm, &row->helper };
    if (wide) {
        int32_t t = avx_tmpop(AVX_TMP_SCRATCH).hi;
        ir_vec(dc->b, IR_vmov, IR_VE_8, ir_vec_pack(t, t, s.lo + 8, 8), NULL);
        avx_vop_half(dc, &st, dd.hi, dd.hi, t);
    }
    avx_vop_half(dc, &st, dd.lo, dd.lo, s.lo);
    avx_write_done(dc, d, wide);
    return true;
}

/* Narrowing conversions, xmm/m128 or ymm/m256 -> xmm (vcvtpd2ps,
 * vcvt(t)pd2dq): the op fills the low 8 bytes of its destination. */
bool avx_emit_cvt_down(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]);
    bool wide = avx_wide(dc);
    if (dc->x->op_count != 2 || d < 0 || !avx_src_ok(&ops[1]))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], wide ? 32 : 16), dd = avx_regop(d);
    struct avx_step st = { row->vop, row->vsize, row->vimm, &row->helper };
    int32_t t = avx_tmpop(AVX_TMP_SCRATCH).hi;
    if (wide)
        avx_vop_half(dc, &st, t, t, s.hi);
    avx_vop_half(dc, &st, dd.lo, dd.lo, s.lo);
    if (wide) {
        ir_ref v = ir_temp(dc->b);
        ir_ld_env(dc->b, IR_MO_64, v, t);
        ir_st_env(dc->b, IR_MO_64, v, dd.lo + 8);
    }
    avx_write_done(dc, d, false);
    return true;
}

/* vcvtsi2ss/sd d, a, r/m32/64: d = a with lane 0 converted. */
bool avx_emit_cvti2f(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || d < 0 || a < 0 || avx_reg(&ops[2]) >= 0)
        return false;
    ir_ref v = x86_operand_read_low(dc, &ops[2]);
    int32_t dl = avx_regop(d).lo;
    avx_copy16(dc, dl, avx_regop(a).lo);
    ir_ref mode = sse_mxcsr_mode(dc);           /* its IR goes before the op */
    struct ir_insn *i = ir_vec(dc->b, IR_vcvti2f, row->vsize,
                               ir_vec_pack(dl, dl, dl, ops[2].size), &row->helper);
    i->args[0] = mode;
    i->args[1] = v;
    avx_write_done(dc, d, false);
    return true;
}

/* vmovmskps/pd r, xmm/ymm: the legacy helper per half, the high half's
 * bits above the low half's (vimm: lanes per half). */
bool avx_emit_movmsk(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int s = dc->x->op_count == 2 ? avx_reg(&ops[1]) : -1;
    if (s < 0 || ops[0].type != X86_OP_REG || avx_reg(&ops[0]) >= 0 ||
        !avx_row_width(dc, row, &wide))
        return false;
    struct avx_results r = avx_call_halves(dc, &row->helper, (struct avx_opnd){ 0, 0, -1 },
                                           avx_regop(s), 0, 0, wide);
    if (wide) {
        ir_binop(dc->b, IR_shl, 64, r.hi, r.hi, ir_const(dc->b, row->vimm));
        ir_binop(dc->b, IR_or, 64, r.lo, r.lo, r.hi);
    }
    x86_gpr_write(dc, ops[0].reg, r.lo);
    return true;
}

/* vtestps/pd, vptest: ZF and CF from both halves (the helper's result
 * per half; AND of the two), the other arithmetic flags cleared. */
bool avx_emit_test(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d;
    if (!avx_ops_dst_src(dc, row, &d, &wide))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], avx_mem_bytes(row, wide));
    struct avx_results r = avx_call_halves(dc, &row->helper, avx_regop(d), s, row->vimm, row->vimm, wide);
    if (wide)
        ir_binop(dc->b, IR_and, 64, r.lo, r.lo, r.hi);
    x86_flags_set_eflags(dc, r.lo);
    return true;
}

/* vpermilps/pd: by imm8 (ps: vshuf, the same imm for both halves; pd:
 * the helper, imm bits 1:0 for the low half, 3:2 for the high one) or
 * by a control register (the variable helper). */
bool avx_emit_permil(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide, pd = row->vimm;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || d < 0 || !avx_row_width(dc, row, &wide))
        return false;
    struct avx_opnd dd = avx_regop(d);
    if (ops[2].type == X86_OP_IMM) {
        if (!avx_src_ok(&ops[1]))
            return false;
        unsigned imm = avx_imm8(dc);
        struct avx_opnd s = avx_src(dc, &ops[1], wide ? 32 : 16);
        struct avx_step st = pd ? (struct avx_step){ 0, 0, imm, &avx_h_permilpd_imm }
                                : (struct avx_step){ IR_vshuf, IR_VE_32, imm, &avx_h_pshufd };
        avx_vop3_split(dc, &st, dd, dd, s, wide, pd ? imm >> 2 : imm);
    } else {
        if (a < 0 || !avx_src_ok(&ops[2]))
            return false;
        struct avx_opnd s = avx_src(dc, &ops[2], wide ? 32 : 16);
        struct avx_step st = { 0, 0, 0, pd ? &avx_h_permilpd_var : &avx_h_permilps_var };
        avx_vop3(dc, &st, dd, avx_regop(a), s, wide);
    }
    avx_write_done(dc, d, wide);
    return true;
}

/* vmaskmovps/pd: load (d, mask, mem) or store (mem, mask, src); one
 * helper call for all lanes, which probes the selected ones first (a
 * fault leaves registers and memory unchanged; unselected lanes never
 * fault). */
bool avx_emit_maskmov(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    if (dc->x->op_count != 3 || !avx_row_width(dc, row, &wide))
        return false;
    bool store = ops[0].type == X86_OP_MEM;
    int r = avx_reg(&ops[store ? 2 : 0]), m = avx_reg(&ops[1]);
    const cs_x86_op *mem = &ops[store ? 0 : 2];
    if (r < 0 || m < 0 || mem->type != X86_OP_MEM)
        return false;
    struct avx_opnd ro = avx_regop(r), mo = avx_regop(m);
    uint64_t imm = (uint64_t)mo.lo | (uint64_t)mo.hi << 16 | (uint64_t)row->vsize << 32 |
                   (uint64_t)store << 40 | (uint64_t)wide << 41;
    ir_ref ea = x86_ea(dc, mem);
    x86_sync_pc(dc);
    ir_call(dc->b, &row->helper, IR_NONE, (ir_ref[3]){
            ir_const(dc->b, (uint64_t)ro.lo | (uint64_t)ro.hi << 16), ea, ir_const(dc->b, imm) });
    if (!store)
        avx_write_done(dc, r, wide);
    return true;
}

/* vpinsrb/w/d/q, vinsertps: d = a with the general register, memory or
 * (vinsertps) xmm source inserted by the legacy helper.  vinsertps's
 * helper is told a memory source by imm bit 8. */
bool avx_emit_insert(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    bool xmm_src = row->vsize != 0;
    if (dc->x->op_count != 4 || d < 0 || a < 0 || avx_wide(dc))
        return false;
    if (xmm_src ? !avx_src_ok(&ops[2]) : avx_reg(&ops[2]) >= 0)
        return false;
    unsigned imm = avx_imm8(dc);
    struct avx_opnd dd = avx_regop(d);
    if (xmm_src) {
        struct avx_opnd s = avx_src(dc, &ops[2], 4);
        struct avx_step st = { 0, 0, imm | (ops[2].type == X86_OP_MEM ? 0x100u : 0), &row->helper };
        avx_vop_half(dc, &st, dd.lo, avx_regop(a).lo, s.lo);
    } else {
        ir_ref v = x86_operand_read(dc, &ops[2]);
        avx_copy16(dc, dd.lo, avx_regop(a).lo);
        ir_call(dc->b, &row->helper, IR_NONE,
                (ir_ref[3]){ ir_const(dc->b, (uint64_t)dd.lo), v, ir_const(dc->b, imm) });
    }
    avx_write_done(dc, d, false);
    return true;
}

/* vmovddup: xmm/m64 or ymm/m256 (the even doubles duplicated). */
bool avx_emit_movddup(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d;
    if (!avx_ops_dst_src(dc, row, &d, &wide))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], wide ? 32 : 8);
    struct avx_step st = { 0, 0, 0, &row->helper };
    avx_vop3(dc, &st, avx_regop(d), avx_regop(d), s, wide);
    avx_write_done(dc, d, wide);
    return true;
}
