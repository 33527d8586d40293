/* x86_sse4a.c -- AMD's SSE4a: extrq and insertq (bit fields in the low
 * quadword of an XMM register) and the scalar non-temporal stores movntss
 * and movntsd (movss/movsd stores).  Only while ferry imitates an AMD
 * machine (x86_machine.c), whose CPUID then has SSE4A (x86_cpuid.c);
 * Intel CPUs have none of them (#UD).
 *
 * What this Zen 5 does, measured for every length and index
 * (tests/guest/amd_user_insns.c): a length field of 0 means 64; the
 * fields are 6 bits (imm8 bits 7:6, and the register forms' other bits,
 * are ignored); a field reaching past bit 63 is not an error: extrq
 * gives (x >> index) & mask(length), insertq inserts the bits that fit
 * and keeps the rest; bits 127:64 of the destination become 0 (the
 * manual leaves them undefined).  No flags change.  extrq's immediate
 * form needs ModRM.reg = 0, and all four need the form's prefix (66 for
 * extrq, F2 insertq/movntsd, F3 movntss) -- capstone decodes the memory
 * forms of 0F 78/79 as vmread/vmwrite, which have no row (#UD).
 */
#include "x86_internal.h"
#include "x86_sse.h"

static uint64_t sse4a_mask(unsigned len)
{
    return len ? (1ull << len) - 1 : ~0ull;
}

static uint64_t sse4a_extract(uint64_t x, unsigned len, unsigned idx)
{
    return (x >> (idx & 63)) & sse4a_mask(len & 63);
}

static uint64_t sse4a_insert(uint64_t d, uint64_t s, unsigned len, unsigned idx)
{
    uint64_t m = sse4a_mask(len & 63) << (idx & 63);
    return (d & ~m) | ((s << (idx & 63)) & m);
}

/* extrq xmm, xmm: length in bits 5:0 of the source, index in 13:8. */
SSE_HELPER(extrq)
{
    x86_xmm *dst = sse_reg(env, d), *src = sse_reg(env, s);
    uint64_t f = src->q[0];
    dst->q[0] = sse4a_extract(dst->q[0], (unsigned)f, (unsigned)(f >> 8));
    dst->q[1] = 0;
    (void)imm;
    return 0;
}

/* insertq xmm, xmm: the field from the source's low quadword, length in
 * bits 69:64, index in 77:72. */
SSE_HELPER(insertq)
{
    x86_xmm *dst = sse_reg(env, d), *src = sse_reg(env, s);
    uint64_t f = src->q[1];
    dst->q[0] = sse4a_insert(dst->q[0], src->q[0], (unsigned)f, (unsigned)(f >> 8));
    dst->q[1] = 0;
    (void)imm;
    return 0;
}

static bool sse4a_on(void)
{
    return !x86_machine()->intel;
}

/* The two immediates: length, then index (the last two bytes). */
static void sse4a_imms(const struct x86_dc *dc, unsigned *len, unsigned *idx)
{
    *len = dc->insn->bytes[dc->insn->size - 2];
    *idx = dc->insn->bytes[dc->insn->size - 1];
}

static void sse4a_set(struct x86_dc *dc, int d, ir_ref lo)
{
    ir_st_env(dc->b, IR_MO_64, lo, sse_xmm_off(d));
    ir_st_env(dc->b, IR_MO_64, ir_const(dc->b, 0), sse_xmm_off(d) + 8);
}

static ir_ref sse4a_low(struct x86_dc *dc, int x)
{
    ir_ref v = ir_temp(dc->b);
    ir_ld_env(dc->b, IR_MO_64, v, sse_xmm_off(x));
    return v;
}

/* The register form's helper: (env, d, s, 0), as the SSE rows call theirs. */
static void sse4a_call(struct x86_dc *dc, const struct sse_row *row, int d, int s)
{
    ir_ref args[3] = { ir_const(dc->b, d), ir_const(dc->b, s), ir_const(dc->b, 0) };
    ir_call(dc->b, &row->helper, IR_NONE, args);
}

/* 66 0F 78 /0 ib ib (IR: the field is constant) and 66 0F 79 /r. */
bool sse_emit_extrq(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]);
    if (!sse4a_on() || d < 0) return false;
    if (dc->x->op_count == 2) {
        int s = sse_op_xmm(&ops[1]);
        if (s < 0) return false;
        sse4a_call(dc, row, d, s);
        return true;
    }
    uint8_t modrm = dc->insn->bytes[dc->insn->size - 3];
    if (dc->x->op_count != 3 || (modrm >> 3 & 7) != 0) return false;
    unsigned len, idx;
    sse4a_imms(dc, &len, &idx);
    ir_ref v = x86_op2(dc, IR_shr, 8, sse4a_low(dc, d), x86_imm(dc, idx & 63));
    sse4a_set(dc, d, x86_op2(dc, IR_and, 8, v, x86_imm(dc, sse4a_mask(len & 63))));
    return true;
}

/* F2 0F 78 /r ib ib (IR) and F2 0F 79 /r. */
bool sse_emit_insertq(struct x86_dc *dc, const struct sse_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    int d = sse_op_xmm(&ops[0]), s = dc->x->op_count >= 2 ? sse_op_xmm(&ops[1]) : -1;
    if (!sse4a_on() || d < 0 || s < 0) return false;
    if (dc->x->op_count == 2) {
        sse4a_call(dc, row, d, s);
        return true;
    }
    if (dc->x->op_count != 4) return false;
    unsigned len, idx;
    sse4a_imms(dc, &len, &idx);
    uint64_t m = sse4a_mask(len & 63) << (idx & 63);
    ir_ref src = sse4a_low(dc, s), dst = sse4a_low(dc, d);
    ir_ref ins = x86_op2(dc, IR_and, 8, x86_op2(dc, IR_shl, 8, src, x86_imm(dc, idx & 63)),
                         x86_imm(dc, m));
    sse4a_set(dc, d, x86_op2(dc, IR_or, 8, x86_op2(dc, IR_and, 8, dst, x86_imm(dc, ~m)), ins));
    return true;
}

/* movntss m32, xmm / movntsd m64, xmm: stores (no alignment needed). */
bool sse_emit_movntss(struct x86_dc *dc, const struct sse_row *row)
{
    return sse4a_on() && dc->x->operands[0].type == X86_OP_MEM && sse_emit_movss(dc, row);
}

bool sse_emit_movntsd(struct x86_dc *dc, const struct sse_row *row)
{
    return sse4a_on() && dc->x->operands[0].type == X86_OP_MEM && sse_emit_movsd(dc, row);
}
