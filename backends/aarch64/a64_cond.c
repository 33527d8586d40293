/* a64_cond.c -- IR conditions on AArch64: setting the flags for
 * `a cond b` (cmp, cmn, tst, with immediates when they encode) and mapping
 * each enum ir_cond to the A64 condition that then holds.
 */
#include "a64_emit.h"

static const enum a64_cond cond_map[IR_NUM_CONDS] = {
    [IR_EQ] = A64_EQ, [IR_NE] = A64_NE,
    [IR_LT] = A64_LT, [IR_GE] = A64_GE, [IR_LE] = A64_LE, [IR_GT] = A64_GT,
    [IR_LTU] = A64_LO, [IR_GEU] = A64_HS, [IR_LEU] = A64_LS, [IR_GTU] = A64_HI,
    [IR_TSTEQ] = A64_EQ, [IR_TSTNE] = A64_NE,
};

static uint64_t truncated(const struct be_arg *a, bool sf)
{ return sf ? a->imm : (uint32_t)a->imm; }

/* tst a, b: immediate when b is a bitmask; all-ones is tst a, a. */
static void emit_test(struct be_code *c, bool sf, const struct be_arg *a, const struct be_arg *b)
{
    unsigned rn = a64_src_zr(c, a, A64_TMP1, sf ? 64 : 32), enc;
    if (b->is_const) {
        uint64_t v = truncated(b, sf);
        if (v == (sf ? ~0ull : 0xffffffffull))
            a64_put(c, a64_tst(sf, rn, rn));
        else if (a64_bitmask_encode(v, sf ? 64 : 32, &enc))
            a64_put(c, a64_logical_imm(sf, A64_ANDS, enc, rn, A64_ZR));
        else
            a64_put(c, a64_tst(sf, rn, a64_src_zr(c, b, A64_TMP0, sf ? 64 : 32)));
        return;
    }
    a64_put(c, a64_tst(sf, rn, b->reg));
}

/* cmp a, #v or cmn a, #-v (same flags for v != 0, v != INT_MIN). */
static bool emit_compare_imm(struct be_code *c, bool sf, unsigned rn, uint64_t v)
{
    uint64_t neg = sf ? -v : (uint32_t)-v;
    bool sub = a64_arith_imm_fits(v);
    uint64_t imm = sub ? v : neg;
    if (!sub && !a64_arith_imm_fits(neg))
        return false;
    bool hi = imm >= 4096;
    a64_put(c, a64_add_sub_imm(sf, sub, true, hi, hi ? imm >> 12 : imm, rn, A64_ZR));
    return true;
}

/* EQ/NE against up to 24 bits (python's type checks, `cmp rax, 0x953980`):
 * subtracting bits 23:12 (lsl #12), then comparing with bits 11:0, leaves
 * zero exactly when equal -- two instructions instead of movz, movk, cmp.
 * Other conditions need the carry and overflow of one subtraction. */
bool a64_cmp_split_fits(uint64_t v, bool sf)
{
    v = sf ? v : (uint32_t)v;
    uint64_t neg = sf ? -v : (uint32_t)-v;
    uint64_t m = v < neg ? v : neg;
    uint32_t words[4];
    return m < (1u << 24) && (m >> 12) != 0 && (m & 0xfff) != 0 &&
           a64_movi_sequence(words, A64_TMP0, v) > 1;
}

static bool emit_compare_split(struct be_code *c, bool sf, unsigned rn, uint64_t v)
{
    if (!a64_cmp_split_fits(v, sf))
        return false;
    uint64_t neg = sf ? -v : (uint32_t)-v;
    bool sub = v < neg;
    uint64_t m = sub ? v : neg;
    a64_put(c, a64_add_sub_imm(sf, sub, false, true, (unsigned)(m >> 12), rn, A64_TMP0));
    a64_put(c, a64_add_sub_imm(sf, sub, true, false, (unsigned)(m & 0xfff), A64_TMP0, A64_ZR));
    return true;
}

static void emit_cmp(struct be_code *c, bool sf, bool eq_ne, const struct be_arg *a,
                     const struct be_arg *b)
{
    int size = sf ? 64 : 32;
    if (b->is_const && !a->is_const && emit_compare_imm(c, sf, a->reg, truncated(b, sf)))
        return;
    if (eq_ne && b->is_const && !a->is_const && emit_compare_split(c, sf, a->reg, truncated(b, sf)))
        return;
    unsigned rn = a64_src_zr(c, a, A64_TMP1, size);
    a64_put(c, a64_cmp(sf, rn, a64_src_zr(c, b, A64_TMP0, size)));
}

enum a64_cond a64_cond_of(enum ir_cond c) { return cond_map[c]; }

enum a64_cond a64_emit_compare(struct be_code *c, const struct ir_insn *insn,
                               const struct be_arg *a, const struct be_arg *b)
{
    bool sf = insn->size != 32;
    if (insn->cond == IR_TSTEQ || insn->cond == IR_TSTNE)
        emit_test(c, sf, a, b);
    else
        emit_cmp(c, sf, insn->cond == IR_EQ || insn->cond == IR_NE, a, b);
    return cond_map[insn->cond];
}
