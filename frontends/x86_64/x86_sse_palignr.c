/* x86_sse_palignr.c -- palignr as IR: glibc's SSSE3 memmove/memcpy run it
 * in their inner loops, where a helper call per 16 bytes made copies
 * several times slower than the SSE2 versions.  With the shift a
 * constant, each result quadword is at most two quadwords of the 32-byte
 * value destination:source shifted and or-ed (x86_sse_helper_palignr is
 * the reference; the difftests in tests/insn/sse3.c cover both).
 */
#include "x86_sse.h"

/* Quadword i of the 32-byte value source:destination (0..3), zero past it. */
static ir_ref palignr_word(struct x86_dc *dc, const ir_ref w[4], unsigned i)
{
    return i < 4 ? w[i] : ir_const(dc->b, 0);
}

/* Result quadword k of the pair shifted right by `bytes` bytes. */
static ir_ref palignr_result(struct x86_dc *dc, const ir_ref w[4], unsigned k, unsigned bytes)
{
    unsigned q = k + bytes / 8, r = 8 * (bytes % 8);
    ir_ref lo = palignr_word(dc, w, q);
    if (!r)
        return lo;
    ir_ref t = ir_temp(dc->b), u = ir_temp(dc->b);
    ir_binop(dc->b, IR_shr, 64, t, lo, ir_const(dc->b, r));
    ir_binop(dc->b, IR_shl, 64, u, palignr_word(dc, w, q + 1), ir_const(dc->b, 64 - r));
    ir_binop(dc->b, IR_or, 64, t, t, u);
    return t;
}

bool sse_emit_palignr(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (d < 0 || dc->x->op_count != 3)
        return false;
    int s = sse_source(dc, &ops[1], 16);
    if (s < 0)
        return false;
    unsigned bytes = dc->insn->bytes[dc->insn->size - 1];
    ir_ref w[4];                    /* all loaded before d is written */
    for (int i = 0; i < 4; i++) {
        w[i] = ir_temp(dc->b);
        ir_ld_env(dc->b, IR_MO_64, w[i], sse_xmm_off(i < 2 ? s : d) + 8 * (i & 1));
    }
    ir_ref r[2] = { palignr_result(dc, w, 0, bytes), palignr_result(dc, w, 1, bytes) };
    for (int k = 0; k < 2; k++)
        ir_st_env(dc->b, IR_MO_64, r[k], sse_xmm_off(d) + 8 * k);
    return true;
}
