/* x86_avx2.c -- the AVX2 forms that are not one vector op per 128-bit
 * half (x86_avx2.h): vpmovmskb (one vmsks) and vpbroadcastb/w/d/q as IR;
 * vpblendd and vmpsadbw (an immediate split between the halves); the lane-crossing
 * vpermd/vpermps, vpermq/vpermpd and the widening vpmovsx/zx as C helpers
 * over the whole register; the per-element variable shifts
 * vpsllv/vpsrlv/vpsrav;
 * VEX.128 vpcmp[ei]str[im] through the legacy rows; and the decoder
 * fallback for vbroadcasti128, which capstone 4 does not know.
 */
#include <string.h>

#include "x86_avx2.h"
#include "x86_internal.h"

static uint64_t avx2_pack(struct avx_opnd o)
{
    return (uint32_t)o.lo | (uint64_t)(uint32_t)o.hi << 32;
}

/* The 32 bytes of a packed operand, copied out (sources may alias the
 * destination). */
static void avx2_get(struct x86_cpu *env, uint64_t packed, x86_xmm v[2])
{
    v[0] = *sse_reg(env, (uint32_t)packed);
    v[1] = *sse_reg(env, packed >> 32);
}

static void avx2_put(struct x86_cpu *env, uint64_t packed, const x86_xmm v[2])
{
    *sse_reg(env, (uint32_t)packed) = v[0];
    *sse_reg(env, packed >> 32) = v[1];
}

/* ---- vpmovmskb ---- */

/* vpmovmskb r32/r64, xmm/ymm: 16 or 32 sign bits, zero-extended (one
 * vmsks: x86_sse.c). */
bool avx2_emit_movmsk(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int s = avx_reg(&ops[1]);
    if (dc->x->op_count != 2 || ops[0].type != X86_OP_REG || x86_gpr_num(ops[0].reg) < 0 ||
        s < 0 || !avx_row_width(dc, row, &wide))
        return false;
    struct avx_opnd so = avx_regop(s);
    sse_write_mask(dc, ops[0].reg, sse_sign_mask(dc, so.lo, wide ? so.hi : -1));
    return true;
}

/* ---- vpbroadcastb/w/d/q (element bytes = mem_bytes) ---- */

bool avx2_emit_pbroadcast(struct x86_dc *dc, const struct avx_row *row)
{
    static const uint64_t rep[9] = { [1] = 0x0101010101010101ull, [2] = 0x0001000100010001ull,
                                     [4] = 0x0000000100000001ull, [8] = 1 };
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int n = row->mem_bytes, d = avx_reg(&ops[0]), s = avx_reg(&ops[1]);
    unsigned mo = n == 1 ? IR_MO_8 : n == 2 ? IR_MO_16 : n == 4 ? IR_MO_32 : IR_MO_64;
    if (dc->x->op_count != 2 || d < 0 || (s < 0 && ops[1].type != X86_OP_MEM) ||
        !avx_row_width(dc, row, &wide))
        return false;
    ir_ref v;
    if (s >= 0) {
        v = ir_temp(dc->b);
        ir_ld_env(dc->b, mo, v, avx_regop(s).lo);
    } else {
        v = x86_load(dc, n, x86_ea(dc, &ops[1]));
    }
    ir_ref r = ir_temp(dc->b);
    ir_binop(dc->b, IR_mul, 64, r, v, ir_const(dc->b, rep[n]));
    struct avx_opnd o = avx_regop(d);
    int32_t q[4] = { o.lo, o.lo + 8, o.hi, o.hi + 8 };
    for (int k = 0; k < (wide ? 4 : 2); k++)
        ir_st_env(dc->b, IR_MO_64, r, q[k]);
    avx_write_done(dc, d, wide);
    return true;
}

/* ---- per-half forms with a twist ---- */

/* vpblendd / vmpsadbw d, a, b/m, imm: the row's helper per half, the low
 * half with imm's low vimm bits, the high half with the next vimm bits. */
bool avx2_emit_split_imm(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (dc->x->op_count != 4 || d < 0 || a < 0 || !avx_src_ok(&ops[2]) ||
        ops[3].type != X86_OP_IMM || !avx_row_width(dc, row, &wide))
        return false;
    unsigned imm = (unsigned)ops[3].imm & 0xff, mask = (1u << row->vimm) - 1;
    struct avx_opnd s = avx_src(dc, &ops[2], wide ? 32 : 16), dd = avx_regop(d), ad = avx_regop(a);
    struct avx_step st = { 0, 0, imm & mask, &row->helper };
    avx_vop3_split(dc, &st, dd, ad, s, wide, (imm >> row->vimm) & mask);
    avx_write_done(dc, d, wide);
    return true;
}

/* ---- whole-register helpers ---- */

/* vpermd / vpermps d, idx, src/m256 (256 bits only). */
bool avx2_emit_permd(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]), i = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || d < 0 || i < 0 || !avx_src_ok(&ops[2]) || !avx_wide(dc))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[2], 32);
    avx_call(dc, &row->helper, avx2_pack(avx_regop(d)), avx2_pack(avx_regop(i)), avx2_pack(s));
    return true;
}

/* vpermq / vpermpd d, src/m256, imm (256 bits only). */
bool avx2_emit_permq(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = avx_reg(&ops[0]);
    if (dc->x->op_count != 3 || d < 0 || !avx_src_ok(&ops[1]) || ops[2].type != X86_OP_IMM ||
        !avx_wide(dc))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], 32);
    avx_call(dc, &row->helper, avx2_pack(avx_regop(d)), avx2_pack(s), (uint64_t)ops[2].imm & 0xff);
    return true;
}

/* vpmovsx/zx d, xmm/m: vimm = from bytes | to bytes << 4 | signed << 8;
 * mem_bytes is the source size of the 128-bit form (doubled at 256). */
bool avx2_emit_pmovx(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    int d;
    if (!avx_ops_dst_src(dc, row, &d, &wide))
        return false;
    struct avx_opnd s = avx_src(dc, &ops[1], avx_mem_bytes(row, wide));
    avx_call(dc, &row->helper, avx2_pack(avx_regop(d)), (uint32_t)s.lo,
              row->vimm | (wide ? 1u << 9 : 0));
    return true;
}

/* vpcmp[ei]str[im] (VEX.128): the legacy row (vimm = its id; it reads
 * VEX.W as REX.W), and the mask forms zero YMM0's upper half. */
bool avx2_emit_pcmpstr(struct x86_dc *dc, const struct avx_row *row)
{
    struct avx_vex v;
    const struct sse_row *legacy = (const struct sse_row *)x86_row_of_id(row->vimm);
    if (!legacy || !avx_vex(dc, &v) || v.l)
        return false;
    bool ok = sse_emit_pcmpstr(dc, legacy);
    if (ok && (row->vimm == X86_INS_PCMPESTRM || row->vimm == X86_INS_PCMPISTRM))
        avx_write_done(dc, 0, false);
    return ok;
}

/* ---- helpers ---- */

/* Variable shifts: each element by the matching element of s; counts
 * past the width give 0 (logical) or the sign (arithmetic). */
#define VSHIFT(name, T, n, expr)                                           \
    AVX2_HELPER(name)                                                      \
    {                                                                      \
        x86_xmm *D = sse_reg(env, d);                                      \
        const x86_xmm *S = sse_reg(env, s);                                \
        for (int i = 0; i < n; i++) {                                      \
            uint64_t c = S->T[i];                                          \
            D->T[i] = expr;                                                \
        }                                                                  \
        return 0;                                                          \
    }
VSHIFT(psllvd, d, 4, c > 31 ? 0 : D->d[i] << c)
VSHIFT(psllvq, q, 2, c > 63 ? 0 : D->q[i] << c)
VSHIFT(psrlvd, d, 4, c > 31 ? 0 : D->d[i] >> c)
VSHIFT(psrlvq, q, 2, c > 63 ? 0 : D->q[i] >> c)
VSHIFT(psravd, d, 4, (uint32_t)(D->sd[i] >> (c > 31 ? 31 : c)))

AVX2_HELPER(pblendd)
{
    x86_xmm *D = sse_reg(env, d);
    const x86_xmm *S = sse_reg(env, s);
    for (int i = 0; i < 4; i++)
        if (imm >> i & 1)
            D->d[i] = S->d[i];
    return 0;
}

/* d, idx, src packed */
AVX2_HELPER(permd)
{
    x86_xmm idx[2], src[2], r[2];
    avx2_get(env, s, idx);
    avx2_get(env, imm, src);
    for (int i = 0; i < 8; i++) {
        unsigned k = idx[i / 4].d[i % 4] & 7;
        r[i / 4].d[i % 4] = src[k / 4].d[k % 4];
    }
    avx2_put(env, d, r);
    return 0;
}

AVX2_HELPER(permq)
{
    x86_xmm src[2], r[2];
    avx2_get(env, s, src);
    for (int i = 0; i < 4; i++) {
        unsigned k = imm >> (2 * i) & 3;
        r[i / 2].q[i % 2] = src[k / 2].q[k % 2];
    }
    avx2_put(env, d, r);
    return 0;
}

/* imm = from bytes | to bytes << 4 | signed << 8 | 256-bit << 9 */
AVX2_HELPER(pmovx)
{
    unsigned from = imm & 15, to = imm >> 4 & 15, n = (imm >> 9 & 1 ? 32 : 16) / to;
    const x86_xmm *S = sse_reg(env, s);
    uint8_t out[32] = { 0 };
    x86_xmm r[2];
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = 0;
        memcpy(&v, S->b + i * from, from);
        if (imm >> 8 & 1 && v >> (8 * from - 1) & 1)
            v |= ~0ull << (8 * from);           /* from < 8 always */
        memcpy(out + i * to, &v, to);
    }
    memcpy(r, out, sizeof r);
    avx2_put(env, d, r);
    return 0;
}

/* ---- decoding ---- */

/* vpermq/vpermpd (C4 RXB.00011 W1vvvv1.01 00/01 /r ib) with VEX.W0: this
 * AMD (Zen 5, measured) runs it as the W1 form, which capstone 4 alone
 * decodes; the SDM's encoding is W1 only, so not on Intel. */
static bool vpermq_w0_alias(const uint8_t *code, size_t size, size_t i, uint8_t alias[15])
{
    if (x86_machine()->intel || i + 6 > size || i + 6 > 15 || code[i] != 0xc4 ||
        (code[i + 1] & 0x1f) != 3 || (code[i + 2] & 0x87) != 0x05 || code[i + 3] > 1)
        return false;
    memcpy(alias, code, size < 15 ? size : 15);
    alias[i + 2] |= 0x80;
    return true;
}

/* An encoding capstone 4 decodes that does what the instruction at code
 * does: vbroadcasti128 (C4 RXB.00010 W0vvvv1.01 5A /r, memory only) is
 * vbroadcastf128 (opcode 1A) bit for bit; vpermq_w0_alias(). */
bool x86_avx2_alias(const uint8_t *code, size_t size, uint8_t alias[15])
{
    size_t i = 0;
    while (i < size && (code[i] == 0x64 || code[i] == 0x65 || code[i] == 0x67 ||
                        code[i] == 0x26 || code[i] == 0x2e || code[i] == 0x36 || code[i] == 0x3e))
        i++;
    if (vpermq_w0_alias(code, size, i, alias)) return true;
    if (i + 5 > size || i + 5 > 15 || code[i] != 0xc4 || (code[i + 1] & 0x1f) != 2 ||
        (code[i + 2] & 0x87) != 0x05 || code[i + 3] != 0x5a || (code[i + 4] >> 6) == 3)
        return false;
    memcpy(alias, code, size < 15 ? size : 15);
    alias[i + 3] = 0x1a;
    return true;
}
