/* x86_avx2_mem.c -- AVX2's element-wise memory forms, as C helpers that
 * touch guest memory under the probe of x86_guard.c:
 *  - vpmaskmovd/q: load (masked-off elements read as 0 and never fault)
 *    and store (masked-off elements untouched); every active element is
 *    probed before any is accessed, so a fault changes nothing.
 *  - vpgatherdd/dq/qd/qq, vgatherdps/dpd/qps/qpd: element by element from
 *    the lowest, each active one (mask element's sign set) loaded into the
 *    destination, and each mask element cleared as its element completes
 *    (an inactive one at once, as this CPU does); a fault
 *    stops there, with the earlier elements done and the later ones as
 *    they were (the SDM lets higher elements complete or not; lower ones
 *    always do), which is the state the signal handler sees.  At the end
 *    the mask register is zero and the destination's bytes past the
 *    gathered elements are zero (up to bit 255).
 * The YMM register r is seen as 32 bytes: env->xmm[r], then
 * env->ymm_hi[r].
 */
#include <string.h>

#include "x86_avx2.h"
#include "x86_internal.h"

static uint8_t *ymm_byte(struct x86_cpu *c, unsigned r, unsigned k)
{
    return k < 16 ? &c->xmm[r].b[k] : &c->ymm_hi[r].b[k - 16];
}

static void ymm_read(struct x86_cpu *c, unsigned r, uint8_t v[32])
{
    memcpy(v, c->xmm[r].b, 16);
    memcpy(v + 16, c->ymm_hi[r].b, 16);
}

static void ymm_write(struct x86_cpu *c, unsigned r, unsigned k, const void *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        *ymm_byte(c, r, k + i) = ((const uint8_t *)v)[i];
}

static bool elem_active(const uint8_t *mask, unsigned i, unsigned es)
{
    return mask[i * es + es - 1] & 0x80;
}

/* addr; s = d | m << 8; imm = element bytes | 256-bit << 4 | store << 5 */
AVX2_HELPER(maskmov)
{
    struct x86_cpu *c = env;
    unsigned es = imm & 15, bytes = imm >> 4 & 1 ? 32 : 16, r = s & 15, m = s >> 8 & 15;
    bool store = imm >> 5 & 1;
    uint8_t mask[32], data[32];
    ymm_read(c, m, mask);
    ymm_read(c, r, data);
    unsigned lo = bytes, hi = 0;
    for (unsigned i = 0; i < bytes / es; i++)
        if (elem_active(mask, i, es))
            lo = i < lo ? i : lo, hi = i;
    if (store && lo < bytes)
        x86_masked_store_ends(c, d + lo * es, d + hi * es + es - 1);
    for (unsigned i = 0; i < bytes / es; i++)
        if (elem_active(mask, i, es))
            x86_guest_probe(c, d + i * es, es, store);
    for (unsigned i = 0; i < bytes / es; i++) {
        uint8_t *g = elem_active(mask, i, es) ? tr_guest_ptr(c, d + i * es) : NULL;
        if (store) {
            if (g) memcpy(g, data + i * es, es);
        } else if (g) {
            memcpy(data + i * es, g, es);
        } else {
            memset(data + i * es, 0, es);
        }
    }
    if (!store) {
        memset(data + bytes, 0, 32 - bytes);
        ymm_write(c, r, 0, data, 32);
    }
    return 0;
}

/* d = base address; s = dst | index << 4 | mask << 8;
 * imm = element bytes | dword index << 4 | 256-bit << 5 | scale << 8 */
AVX2_HELPER(gather)
{
    struct x86_cpu *c = env;
    unsigned es = imm & 15, is = imm >> 4 & 1 ? 4 : 8, scale = (unsigned)(imm >> 8);
    unsigned n = (imm >> 5 & 1 ? 32 : 16) / (es > is ? es : is);
    unsigned r = s & 15, x = s >> 4 & 15, m = s >> 8 & 15;
    uint8_t index[32], mask[32];
    static const uint8_t zero[32];
    ymm_read(c, x, index);
    ymm_read(c, m, mask);
    for (unsigned i = 0; i < n; i++) {
        if (!elem_active(mask, i, es)) {
            ymm_write(c, m, i * es, zero, es);      /* done too, as on the CPU */
            continue;
        }
        int64_t ix;
        if (is == 4) {
            int32_t v;
            memcpy(&v, index + 4 * i, 4);
            ix = v;
        } else {
            memcpy(&ix, index + 8 * i, 8);
        }
        uint64_t a = d + (uint64_t)ix * scale;
        x86_guest_probe(c, a, es, false);
        ymm_write(c, r, i * es, tr_guest_ptr(c, a), es);
        ymm_write(c, m, i * es, zero, es);
    }
    ymm_write(c, m, 0, zero, 32);
    ymm_write(c, r, n * es, zero, 32 - n * es);
    return 0;
}

static const struct ir_helper maskmov_h = AVX2_H(maskmov, 0, IR_HELPER_RW_GLOBALS);
static const struct ir_helper gather_h = AVX2_H(gather, 0, IR_HELPER_RW_GLOBALS);

static void avx2_mem_call(struct x86_dc *dc, const struct ir_helper *h, ir_ref addr, uint64_t a1,
                          uint64_t a2)
{
    ir_ref args[3] = { addr, ir_const(dc->b, a1), ir_const(dc->b, a2) };
    x86_sync_pc(dc);
    ir_call(dc->b, h, IR_NONE, args);
}

/* vpmaskmovd/q (vimm = element bytes): d, mask, m (load) or m, mask, s
 * (store). */
bool avx2_emit_maskmov(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide, store = ops[0].type == X86_OP_MEM;
    const cs_x86_op *mem = store ? &ops[0] : &ops[2], *reg = store ? &ops[2] : &ops[0];
    int r = avx_reg(reg), m = avx_reg(&ops[1]);
    if (dc->x->op_count != 3 || r < 0 || m < 0 || mem->type != X86_OP_MEM ||
        !avx_row_width(dc, row, &wide))
        return false;
    avx2_mem_call(dc, &maskmov_h, x86_ea(dc, mem), (unsigned)r | (unsigned)m << 8,
                  row->vimm | (wide ? 1u << 4 : 0) | (store ? 1u << 5 : 0));
    return true;
}

static int avx2_vreg(x86_reg reg)
{
    if (reg >= X86_REG_YMM0 && reg <= X86_REG_YMM15)
        return (int)(reg - X86_REG_YMM0);
    return x86_xmm_index(reg);
}

/* vpgather* / vgather* d, [base + index*scale + disp], mask (vimm: 4 for
 * a dword index, 8 for a qword one; mem size gives the element).  The
 * three registers must differ (#UD). */
bool avx2_emit_gather(struct x86_dc *dc, const struct avx_row *row)
{
    const cs_x86_op *ops = dc->x->operands;
    bool wide;
    if (dc->x->op_count != 3 || ops[1].type != X86_OP_MEM || !avx_row_width(dc, row, &wide))
        return false;
    int d = avx_reg(&ops[0]), m = avx_reg(&ops[2]), x = avx2_vreg(ops[1].mem.index);
    unsigned es = ops[1].size;
    if (d < 0 || m < 0 || x < 0 || d == m || d == x || m == x || (es != 4 && es != 8))
        return false;
    cs_x86_op base = ops[1];                /* the address without the vector index */
    base.mem.index = X86_REG_INVALID;
    base.mem.scale = 1;
    ir_ref a = x86_ea(dc, &base);
    avx2_mem_call(dc, &gather_h, a, (unsigned)d | (unsigned)x << 4 | (unsigned)m << 8,
                  es | (row->vimm == 4 ? 1u << 4 : 0) | (wide ? 1u << 5 : 0) |
                  (unsigned)ops[1].mem.scale << 8);
    return true;
}
