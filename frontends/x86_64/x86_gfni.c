/* x86_gfni.c -- GFNI: gf2p8mulb, gf2p8affineqb, gf2p8affineinvqb, the
 * legacy SSE forms (66 0F 38 CF, 66 0F 3A CE/CF: rows of the SSE shape,
 * xmm op0 <- helper(op0, xmm/m128 op1 [, imm8])) and the VEX.128/VEX.256
 * forms (dst <- helper(vvvv, xmm/m [, imm8]) per 128-bit half, the AVX
 * rows' generic form).  capstone 4 decodes none of them: x86_isa_alias.c
 * gives them their ids.  Plain C helpers, the same on both hosts, written
 * from the SDM's pseudo-code: the field is GF(2^8) modulo
 * x^8 + x^4 + x^3 + x + 1 (AES's), products and inverses from log/exp
 * tables of the generator 3; the affine map A*x + b takes each result bit
 * i from the parity of matrix byte 7 - i AND x, done here column-wise.
 */
#include "x86_internal.h"
#include "x86_avx.h"
#include "x86_avx_rows.h"
#include "x86_sse.h"

/* exp is doubled (510 entries) so a product needs no "mod 255". */
static uint8_t gf_exp[510], gf_log[256];

__attribute__((constructor(101))) static void gf_tables(void)
{
    uint8_t x = 1;
    for (int k = 0; k < 255; k++) {
        gf_exp[k] = gf_exp[k + 255] = x;
        gf_log[x] = (uint8_t)k;
        x ^= (uint8_t)((x << 1) ^ (x & 0x80 ? 0x1b : 0));      /* x *= 3 */
    }
}

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    return a && b ? gf_exp[gf_log[a] + gf_log[b]] : 0;
}

static uint8_t gf_inv(uint8_t a)
{
    return a ? gf_exp[255 - gf_log[a]] : 0;
}

static uint64_t h_gf2p8mulb(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{
    x86_xmm r = *sse_reg(e, d);
    const x86_xmm *b = sse_reg(e, s);
    (void)imm;
    for (int i = 0; i < 16; i++) r.b[i] = gf_mul(r.b[i], b->b[i]);
    *sse_reg(e, d) = r;
    return 0;
}

/* One qword: bytes x[0..7] through the matrix m (a qword of the source),
 * plus imm.  col[k] is the image of x = 1 << k: bit i of it is bit k of
 * matrix byte 7 - i.  The map is linear, so the image of a byte is that
 * of its low nibble XOR that of its high one: two 16-entry tables, built
 * once per qword (no branch per bit: a bit loop was ~700 ns per 256-bit
 * instruction pair, mostly mispredicted branches). */
static void gf_affine_qword(uint8_t x[8], uint64_t m, uint8_t imm, bool inverse)
{
    uint8_t col[8] = { 0 }, lo[16], hi[16];
    for (int i = 0; i < 8; i++) {
        uint8_t row = (uint8_t)(m >> 8 * (7 - i));
        for (int k = 0; k < 8; k++) col[k] |= (uint8_t)((row >> k & 1) << i);
    }
    lo[0] = hi[0] = 0;
    for (int v = 1; v < 16; v++) {
        int low = __builtin_ctz((unsigned)v);
        lo[v] = lo[v & (v - 1)] ^ col[low];
        hi[v] = hi[v & (v - 1)] ^ col[4 + low];
    }
    for (int j = 0; j < 8; j++) {
        uint8_t in = inverse ? gf_inv(x[j]) : x[j];
        x[j] = lo[in & 15] ^ hi[in >> 4] ^ imm;
    }
}

static void gf_affine(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm, bool inverse)
{
    x86_xmm r = *sse_reg(e, d);
    const x86_xmm *m = sse_reg(e, s);
    gf_affine_qword(&r.b[0], m->q[0], (uint8_t)imm, inverse);
    gf_affine_qword(&r.b[8], m->q[1], (uint8_t)imm, inverse);
    *sse_reg(e, d) = r;
}

static uint64_t h_gf2p8affineqb(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{ gf_affine(e, d, s, imm, false); return 0; }
static uint64_t h_gf2p8affineinvqb(struct x86_cpu *e, uint64_t d, uint64_t s, uint64_t imm)
{ gf_affine(e, d, s, imm, true); return 0; }

/* ---- rows ---- */

#define GF_INSN(ID) { X86_FERRY_INS_##ID, x86_sse_translate, X86_FL_READ, 0, X86_OPF_XMM, NULL }
#define GF_HELPER(fn) { (void *)h_##fn, #fn, 3, 0, 0 }
#define GF(ID, fn, imm) { GF_INSN(ID), SSE_F_XX, 16, imm, GF_HELPER(fn), NULL, 0, 0, 0, NULL }

static const struct sse_row gfni_rows[] = {
    GF(GF2P8MULB, gf2p8mulb, SSE_IMM_NONE),
    GF(GF2P8AFFINEQB, gf2p8affineqb, SSE_IMM_BYTE),
    GF(GF2P8AFFINEINVQB, gf2p8affineinvqb, SSE_IMM_BYTE),
};
const struct x86_row_set x86_gfni_rows = X86_ROW_SET_OF("gfni", gfni_rows, insn);

/* VEX.128 and VEX.256 (VEX.W checked by the decoder, x86_isa_alias.c). */
#define GF_VEX_INSN(ID) { X86_FERRY_INS_##ID, x86_avx_translate, X86_FL_READ, 0, X86_OPF_VEX, NULL }
#define GFV(ID, fn, fl) { GF_VEX_INSN(ID), AVX_F_BIN, 16, fl, 0, 0, 0, GF_HELPER(fn), NULL }
static const struct avx_row gfni_vex_rows[] = {
    GFV(GF2P8MULB, gf2p8mulb, 0),
    GFV(GF2P8AFFINEQB, gf2p8affineqb, AVX_IMM),
    GFV(GF2P8AFFINEINVQB, gf2p8affineinvqb, AVX_IMM),
};
const struct x86_row_set x86_gfni_vex_rows = X86_ROW_SET_OF("gfni-vex", gfni_vex_rows, insn);
