/* ir_range_test.c -- a range test of the form `(x + 2^(n-1)) >> n != 0` (x86's
 * canonical-address check on every indirect jump, call and ret, n = 48:
 * x86_check_canonical) as `sextract t, x, 0, n; brexit t != x`
 * (ir_fold_range_tests).  Both say "x is not an n-bit signed value"; a host
 * with a sign-extracting instruction does it in one instruction fewer:
 * AArch64 `sbfx x1, x0, #0, #48; cmp x1, x0; b.ne` instead of `orr x1,
 * xzr, #0x800000000000; add x1, x0, x1; lsr x1, x1, #48; cbnz x1`.
 * For the backends with be_desc.ext_operands (AArch64); runs last, after
 * ir_optimize, so nothing else needs to know sextract.  Nothing here
 * knows the host.
 */
#include "ir.h"

static bool is_const(const struct ir_block *b, ir_ref r, uint64_t v)
{
    return r != IR_NONE && b->values[r].kind == IR_VAL_CONST && b->values[r].imm == v;
}

/* add t, x, 2^(n-1); shr u, t, n; brexit ne u, 0 -- at k; returns n or 0. */
static int range_test_at(const struct ir_block *b, int k)
{
    const struct ir_insn *add = &b->insns[k], *shr = add + 1, *br = add + 2;
    if (add->op != IR_add || add->size != 64 || shr->op != IR_shr || shr->size != 64 ||
        br->op != IR_brexit || br->size != 64 || br->cond != IR_NE ||
        !ir_is_temp(b, add->args[0]) || shr->args[1] != add->args[0] ||
        !ir_is_temp(b, shr->args[0]) || br->args[0] != shr->args[0] || !is_const(b, br->args[1], 0) ||
        add->args[1] == add->args[0] || b->values[add->args[1]].kind == IR_VAL_CONST)
        return 0;
    ir_ref count = shr->args[2];
    if (count == IR_NONE || b->values[count].kind != IR_VAL_CONST)
        return 0;
    uint64_t n = b->values[count].imm;
    if (n < 2 || n > 63 || !is_const(b, add->args[2], 1ull << (n - 1)))
        return 0;
    return ir_count_reads(b, add->args[0], NULL) == 1 && ir_count_reads(b, shr->args[0], NULL) == 1 ? (int)n : 0;
}

void ir_fold_range_tests(struct ir_block *b)
{
    for (int k = 0; k + 2 < b->n_insns; k++) {
        int n = range_test_at(b, k);
        if (!n)
            continue;
        struct ir_insn *i = &b->insns[k];
        ir_ref t = i->args[0], x = i->args[1];
        *i = (struct ir_insn){ .op = IR_sextract, .size = 64,
                               .args = { t, x, IR_NONE, IR_NONE, IR_NONE, IR_NONE },
                               .aux = { 0, n } };
        i[1] = i[2];                    /* the brexit, now t != x */
        i[1].args[0] = t;
        i[1].args[1] = x;
        for (int m = k + 2; m + 1 < b->n_insns; m++)
            b->insns[m] = b->insns[m + 1];
        b->n_insns--;
    }
}
