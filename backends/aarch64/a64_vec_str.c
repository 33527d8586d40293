/* a64_vec_str.c -- the lane-mask ops of the string compares (vmskeq,
 * vmskz, vmskany: ir_ops.def) and of (v)pmovmskb (vmsks) with Advanced
 * SIMD: cmeq, then the byte lanes' top bits gathered into a 16-bit mask
 * by shift-right-accumulate steps (each doubles the bits a lane holds: 1,
 * 2, 4, then 8 per 64-bit half; vmsks reads the slot's cached register
 * when it has one; a 256-bit register's 32 bits come from bit weights and
 * pairwise adds instead), and for vmskany one dup-cmeq-orr per lane of a below its first
 * zero lane, leaving early past it (rbit+clz give that lane).
 * Scratch: v0-v3, x16 (a64_vec.c's).
 */
#include <string.h>

#include "a64_emit.h"
#include "a64_encode_simd.h"
#include "a64_vec.h"

enum { VA = 0, VB = 1, VACC = 2, VT = 3 };
enum { A64_V_USRA = 0x22 };             /* shift-by-immediate opcode, U = 1 */

static void put(struct be_code *c, uint32_t w) { a64_put(c, w); }

/* dup vd.16b, vn.b[k] */
static uint32_t dup_byte(unsigned k, unsigned rn, unsigned rd)
{
    return 0x4e000400u | ((k << 1 | 1) << 16) | rn << 5 | rd;
}

/* umov wd, vn.h[0] */
static uint32_t umov_h0(unsigned rn, unsigned rd)
{
    return 0x0e023c00u | rn << 5 | rd;
}

/* umov wd, vn.s[0] */
static uint32_t umov_s0(unsigned rn, unsigned rd)
{
    return 0x0e043c00u | rn << 5 | rd;
}

/* v's low 16 bits = bit i for each byte lane i of src whose top bit is
 * set (src is left alone unless it is v). */
static void sign_bits(struct be_code *c, unsigned src, unsigned v)
{
    put(c, a64_simd_shift_imm(true, A64_V_USHR, 0, 7, src, v));
    put(c, a64_simd_shift_imm(true, (enum a64_simd_shift_op)A64_V_USRA, 1, 7, v, v));
    put(c, a64_simd_shift_imm(true, (enum a64_simd_shift_op)A64_V_USRA, 2, 14, v, v));
    put(c, a64_simd_shift_imm(true, (enum a64_simd_shift_op)A64_V_USRA, 3, 28, v, v));
    put(c, a64_simd_ins_elem(0, 1, 8, v, v));           /* high half's byte next to the low */
}

/* w rd = bit i for each byte lane i of v that is all ones (v: 0 or 0xff
 * per lane; clobbered). */
static void lane_bits(struct be_code *c, unsigned v, unsigned rd)
{
    sign_bits(c, v, v);
    put(c, umov_h0(v, rd));
}

/* A register holding env slot off: the env-slot cache's copy, else
 * loaded into scratch. */
static unsigned slot_reg(struct be_code *c, int32_t off, unsigned scratch)
{
    int r = vcache_find(off);
    if (r >= 0)
        return (unsigned)r;
    a64_vec_env_ldst(c, 4, true, scratch, off);
    return scratch;
}

/* The env-slot cache's key for the bit weights (no env slot's). */
#define WEIGHTS_KEY (INT32_MIN + 80)

/* dup vd.2d, xn */
static uint32_t dup_2d(unsigned rn, unsigned rd)
{
    return 0x4e080c00u | rn << 5 | rd;
}

/* A cache register holding byte k's bit weight 1 << (k % 8) in every
 * byte lane k, kept under WEIGHTS_KEY as a64_vec.c keeps its all-ones
 * constant: built once (a literal and a dup) per run of vector code,
 * never in place of the registers avoid0/avoid1. */
static unsigned weights(struct be_code *c, int avoid0, int avoid1)
{
    int r = vcache_find(WEIGHTS_KEY);
    if (r >= 0)
        return (unsigned)r;
    r = vcache_pick(avoid0, avoid1);
    vcache_set(r, WEIGHTS_KEY);
    be_emit_movi(c, A64_TMP0, 0x8040201008040201ull);     /* (a literal in a block) */
    put(c, dup_2d(A64_TMP0, (unsigned)r));
    return (unsigned)r;
}

/* vpmovmskb ymm: b's 16 byte signs, a's 16 above them.  Each byte's sign
 * as a mask (cmlt), times its bit's weight (and), summed by three addp
 * (b's and a's 8-byte groups side by side): 8 instructions, against 12
 * for two sign_bits. */
static void sign_mask32(struct be_code *c, const struct ir_insn *i, unsigned rd)
{
    int ra = vcache_find(ir_vec_a(i)), rb = vcache_find(ir_vec_b(i));
    unsigned w = weights(c, ra, rb);
    put(c, a64_simd_2misc(true, A64_V_CMLT0, 0, slot_reg(c, ir_vec_b(i), VB), VB));
    put(c, a64_simd_2misc(true, A64_V_CMLT0, 0, slot_reg(c, ir_vec_a(i), VA), VA));
    put(c, a64_simd_logic(true, A64_V_AND, w, VB, VB));
    put(c, a64_simd_logic(true, A64_V_AND, w, VA, VA));
    put(c, a64_simd_3same(true, A64_V_ADDP, 0, VA, VB, VB));
    put(c, a64_simd_3same(true, A64_V_ADDP, 0, VB, VB, VB));
    put(c, a64_simd_3same(true, A64_V_ADDP, 0, VB, VB, VB));
    put(c, umov_s0(VB, rd));
}

/* vmsks: b's byte signs, with imm 1 a's above them (vpmovmskb ymm). */
static void sign_mask(struct be_code *c, const struct ir_insn *i, unsigned rd)
{
    if (ir_vec_imm(i) & 1) {
        sign_mask32(c, i, rd);
        return;
    }
    sign_bits(c, slot_reg(c, ir_vec_b(i), VB), VB);
    put(c, umov_h0(VB, rd));
}

static void load(struct be_code *c, unsigned v, int32_t off)
{
    a64_vec_env_ldst(c, 4, true, v, off);
}

/* Forward branches (cbz, b.cond: imm19 at bit 5), patched to the end. */
struct fwd { uint8_t *site[17]; int n; };

static void branch_fwd(struct be_code *c, struct fwd *f, uint32_t w)
{
    f->site[f->n++] = c->ptr;
    put(c, w);
}

static void patch_fwd(struct be_code *c, const struct fwd *f)
{
    for (int k = 0; k < f->n; k++) {
        uint32_t w;
        memcpy(&w, f->site[k], 4);
        w |= (uint32_t)(((c->ptr - f->site[k]) >> 2) & 0x7ffff) << 5;
        memcpy(be_writable(c, f->site[k]), &w, 4);
    }
}

/* w16 = a's first zero lane, 16 if none. */
static void first_zero(struct be_code *c)
{
    unsigned enc;
    put(c, a64_simd_2misc(true, A64_V_CMEQ0, 0, VA, VT));
    lane_bits(c, VT, A64_TMP0);
    if (!a64_bitmask_encode(0x10000, 32, &enc))
        return;                                         /* (0x10000 always encodes) */
    put(c, a64_logical_imm(false, A64_ORR, enc, A64_TMP0, A64_TMP0));
    put(c, a64_data_proc_1src(false, A64_RBIT, A64_TMP0, A64_TMP0));
    put(c, a64_data_proc_1src(false, A64_CLZ, A64_TMP0, A64_TMP0));
}

/* acc = lanes of b equal to a[k] for some k below w16. */
static void equal_any(struct be_code *c)
{
    struct fwd f = { .n = 0 };
    put(c, a64_simd_movi16b(VACC, 0));
    branch_fwd(c, &f, a64_compare_branch_imm(false, false, 0, A64_TMP0));    /* cbz */
    for (unsigned k = 0; k < 16; k++) {
        put(c, dup_byte(k, VA, VT));
        put(c, a64_simd_3same(true, A64_V_CMEQ, 0, VB, VT, VT));
        put(c, a64_simd_logic(true, A64_V_ORR, VT, VACC, VACC));
        if (k == 15)
            break;
        put(c, a64_add_sub_imm(false, true, true, false, k + 1, A64_TMP0, A64_ZR));
        branch_fwd(c, &f, a64_cond_branch_imm(A64_LS, 0));
    }
    patch_fwd(c, &f);
}

bool a64_emit_vec_str(struct be_code *c, const struct ir_insn *i, const struct be_arg *out)
{
    if ((i->size & IR_VE_MASK) != IR_VE_8 || ir_vec_scalar(i))
        return false;
    if (i->op == IR_vmsks) {
        sign_mask(c, i, out[0].reg);
        return true;
    }
    load(c, VB, ir_vec_b(i));
    switch (i->op) {
    case IR_vmskz:
        put(c, a64_simd_2misc(true, A64_V_CMEQ0, 0, VB, VT));
        break;
    case IR_vmskeq:
        load(c, VA, ir_vec_a(i));
        put(c, a64_simd_3same(true, A64_V_CMEQ, 0, VB, VA, VT));
        break;
    default:                                            /* vmskany */
        load(c, VA, ir_vec_a(i));
        first_zero(c);
        equal_any(c);
        lane_bits(c, VACC, out[0].reg);
        return true;
    }
    lane_bits(c, VT, out[0].reg);
    return true;
}
