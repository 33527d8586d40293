/* ir_bittest.c -- conditional exits on bits as bit tests (ir_fold_bit_tests).
 *
 * x86 tests a flag bit and branches on it all the time (`test byte [rdi +
 * 3], 0x40; je`, `test ah, 1; jne`, `test eax, eax; js`).  With the flags
 * dead, the frontend emits `and t, a, c; brcond t, 0, eq/ne` (a sign test:
 * `brcond a, 0, lt/ge`), which a host builds as ands + b.cond (cmp + b.lt).
 * As `brcond a, c, tsteq/tstne` (the sign test: c = the sign bit) the `and`
 * dies and a host with a test-bit-and-branch (AArch64 tbz/tbnz) does the
 * whole test in one instruction when c is one bit.  A tested value made by
 * `extract u, x, pos, len` or a zero-extension and read by nothing else
 * folds too: testing c << pos of x is the same (c fits in len bits), so
 * `ubfx x0, x23, #8, #8; ands w0, w0, #1; b.ne` becomes `tbnz x23, #8`.
 * Only when the temp is read by nothing but the exit and the value it was
 * made from is not rewritten before the exit.
 * For the backends with be_desc.ext_operands (AArch64); runs before
 * ir_fuse_flags, which leaves tsteq/tstne alone.  Nothing here knows the
 * host.
 */
#include "ir.h"

/* A new constant, or IR_NONE when the block has no room for one. */
static ir_ref new_const(struct ir_block *b, uint64_t v)
{
    return b->n_values < IR_MAX_VALUES ? ir_const(b, v) : IR_NONE;
}

static uint64_t mask_of(int size) { return size == 32 ? 0xffffffffull : ~0ull; }

static bool writes(const struct ir_insn *i, ir_ref r)
{
    for (int a = 0; a < ir_op_info[i->op].n_out && a < IR_MAX_ARGS; a++)
        if (i->args[a] == r)
            return true;
    return false;
}

/* The last insn before k that writes r, or -1. */
static int writer_of(const struct ir_block *b, ir_ref r, int k)
{
    while (--k >= 0)
        if (writes(&b->insns[k], r))
            return k;
    return -1;
}

/* Whether nothing in (from, to) writes r. */
static bool unchanged(const struct ir_block *b, ir_ref r, int from, int to)
{
    for (int k = from + 1; k < to; k++)
        if (writes(&b->insns[k], r))
            return false;
    return true;
}

/* The width a zero-extending op keeps at bit `*pos` of its source, or 0. */
static int zero_field(const struct ir_insn *i, int *pos)
{
    *pos = 0;
    switch (i->op) {
    case IR_ext8u: return 8;
    case IR_ext16u: return 16;
    case IR_ext32u: return 32;
    case IR_extract:
        *pos = (int)i->aux[0];
        return (int)i->aux[1];
    default: return 0;
    }
}

/* The exit at k tests bits c of temp t: t made at w by an extension of x
 * (read by nothing else, x unchanged up to k) tests c << pos of x. */
static void fold_field(struct ir_block *b, bool *dead, int k)
{
    struct ir_insn *br = &b->insns[k];
    ir_ref t = br->args[0];
    int w = ir_is_temp(b, t) ? writer_of(b, t, k) : -1;
    if (w < 0 || ir_count_reads(b, t, dead) != 1)
        return;
    const struct ir_insn *e = &b->insns[w];
    int pos, len = zero_field(e, &pos);
    ir_ref x = e->args[1];
    uint64_t c = b->values[br->args[1]].imm & mask_of(br->size);
    if (len <= 0 || len >= 64 || pos < 0 || pos + len > 64 || (c >> len) != 0 ||
        ir_is_const(b, x) || !unchanged(b, x, w, k))
        return;
    ir_ref bits = new_const(b, c << pos);
    if (bits == IR_NONE)
        return;
    br->args[0] = x;
    br->args[1] = bits;
    if (pos + len > 32)
        br->size = 64;
    dead[w] = true;
}

/* and t, a, c; brcond t, 0, eq/ne -> brcond a, c, tsteq/tstne. */
static bool fold_and(struct ir_block *b, bool *dead, int k)
{
    struct ir_insn *br = &b->insns[k];
    ir_ref t = br->args[0];
    int w = ir_is_temp(b, t) ? writer_of(b, t, k) : -1;
    if (w < 0 || ir_count_reads(b, t, dead) != 1)
        return false;
    const struct ir_insn *a = &b->insns[w];
    if (a->op != IR_and || a->size != br->size)
        return false;
    ir_ref x = a->args[1], c = a->args[2];
    if (ir_is_const(b, x)) {
        ir_ref s = x; x = c; c = s;
    }
    if (!ir_is_const(b, c) || ir_is_const(b, x) || !unchanged(b, x, w, k))
        return false;
    br->cond = br->cond == IR_EQ ? IR_TSTEQ : IR_TSTNE;
    br->args[0] = x;
    br->args[1] = c;
    dead[w] = true;
    return true;
}

static void fold_exit(struct ir_block *b, bool *dead, int k)
{
    struct ir_insn *br = &b->insns[k];
    ir_ref x = br->args[0], y = br->args[1];
    if (ir_is_const(b, x) || !ir_is_const(b, y) || (b->values[y].imm & mask_of(br->size)) != 0)
        return;
    if (br->cond == IR_LT || br->cond == IR_GE) {
        ir_ref sign = new_const(b, 1ull << (br->size - 1));
        if (sign == IR_NONE)
            return;
        br->cond = br->cond == IR_LT ? IR_TSTNE : IR_TSTEQ;
        br->args[1] = sign;
    } else if (br->cond != IR_EQ && br->cond != IR_NE) {
        return;
    } else if (!fold_and(b, dead, k)) {
        return;
    }
    fold_field(b, dead, k);
}

void ir_fold_bit_tests(struct ir_block *b)
{
    bool dead[IR_MAX_INSNS];
    bool any = false;
    for (int k = 0; k < b->n_insns; k++)
        dead[k] = false;
    for (int k = 0; k < b->n_insns; k++) {
        if (b->insns[k].op == IR_brcond && (b->insns[k].size == 32 || b->insns[k].size == 64))
            fold_exit(b, dead, k);
    }
    for (int k = 0; k < b->n_insns; k++)
        any |= dead[k];
    if (!any)
        return;
    int n = 0;
    for (int k = 0; k < b->n_insns; k++)
        if (!dead[k])
            b->insns[n++] = b->insns[k];
    b->n_insns = n;
}
