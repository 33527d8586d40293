/* x86_vnni.c -- AVX-VNNI: vpdpbusd, vpdpbusds, vpdpwssd, vpdpwssds, VEX.128
 * and VEX.256 (VEX.66.0F38.W0 50..53; capstone 4 cannot decode them:
 * x86_isa_alias.c gives them their ids).  Each dword of the destination
 * accumulates the dot product of the matching dword of the two sources:
 * four unsigned bytes of src1 (VEX.vvvv) times four signed bytes of src2
 * (xmm/m), or two signed words times two; the S forms saturate the sum to
 * a signed dword, the others wrap.  The destination is a third source,
 * so a helper per 128-bit half takes three env offsets (d, a, b).
 * Written from the SDM's pseudo-code.
 */
#include "x86_internal.h"
#include "x86_avx.h"
#include "x86_avx_rows.h"
#include "x86_sse.h"

static int64_t vnni_dot(const x86_xmm *a, const x86_xmm *b, int i, bool words)
{
    int64_t sum = 0;
    if (words)
        for (int k = 0; k < 2; k++)
            sum += (int64_t)(int16_t)a->w[2 * i + k] * (int16_t)b->w[2 * i + k];
    else
        for (int k = 0; k < 4; k++)
            sum += (int64_t)a->b[4 * i + k] * (int8_t)b->b[4 * i + k];
    return sum;
}

static void vnni(struct x86_cpu *e, uint64_t d, uint64_t a, uint64_t b, bool words, bool sat)
{
    x86_xmm r = *sse_reg(e, d);
    const x86_xmm *x = sse_reg(e, a), *y = sse_reg(e, b);
    for (int i = 0; i < 4; i++) {
        int64_t v = (int64_t)(int32_t)r.d[i] + vnni_dot(x, y, i, words);
        if (sat) v = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
        r.d[i] = (uint32_t)v;
    }
    *sse_reg(e, d) = r;
}

static uint64_t h_vpdpbusd(struct x86_cpu *e, uint64_t d, uint64_t a, uint64_t b)
{ vnni(e, d, a, b, false, false); return 0; }
static uint64_t h_vpdpbusds(struct x86_cpu *e, uint64_t d, uint64_t a, uint64_t b)
{ vnni(e, d, a, b, false, true); return 0; }
static uint64_t h_vpdpwssd(struct x86_cpu *e, uint64_t d, uint64_t a, uint64_t b)
{ vnni(e, d, a, b, true, false); return 0; }
static uint64_t h_vpdpwssds(struct x86_cpu *e, uint64_t d, uint64_t a, uint64_t b)
{ vnni(e, d, a, b, true, true); return 0; }

/* dst += dot(vvvv, xmm/m), per half. */
bool avx_emit_vnni(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    if (!x86_machine_has(X86_FEAT_AVX_VNNI)) return false;     /* #UD, as natively */
    if (dc->x->op_count != 3 || !avx_row_width(dc, row, &wide)) return false;
    int d = avx_reg(&ops[0]), a = avx_reg(&ops[1]);
    if (d < 0 || a < 0 || !avx_src_ok(&ops[2])) return false;
    struct avx_opnd s = avx_src(dc, &ops[2], avx_mem_bytes(row, wide));
    struct avx_opnd dd = avx_regop(d), aa = avx_regop(a);
    avx_call(dc, &row->helper, (uint64_t)dd.lo, (uint64_t)aa.lo, (uint64_t)s.lo);
    if (wide) avx_call(dc, &row->helper, (uint64_t)dd.hi, (uint64_t)aa.hi, (uint64_t)s.hi);
    avx_write_done(dc, d, wide);
    return true;
}

#define VNNI_INSN(ID) { X86_FERRY_INS_##ID, x86_avx_translate, X86_FL_READ, 0, X86_OPF_VEX, NULL }
#define VNNI(ID, fn) \
    { VNNI_INSN(ID), AVX_F_EMIT, 16, 0, 0, 0, 0, { (void *)h_##fn, #fn, 3, 0, 0 }, avx_emit_vnni }

static const struct avx_row vnni_rows[] = {
    VNNI(VPDPBUSD, vpdpbusd), VNNI(VPDPBUSDS, vpdpbusds),
    VNNI(VPDPWSSD, vpdpwssd), VNNI(VPDPWSSDS, vpdpwssds),
};
const struct x86_row_set x86_vnni_rows = X86_ROW_SET_OF("avx-vnni", vnni_rows, insn);
