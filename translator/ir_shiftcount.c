/* ir_shiftcount.c -- a shift's count without the masking x86 code puts in
 * front of it (ir_fold_shift_counts).
 *
 * IR shifts and rotates take their count modulo the operand size
 * (ir_ops.def), so `ext8u t0, rcx; and t2, t0, $0x3f; shl d, x, t2` -- x86
 * `shl rax, cl` -- is `shl d, x, rcx`: an extension keeps the low 8 bits
 * or more, an and whose mask has the low log2(size) bits set keeps those,
 * and nothing else of the count matters.  On AArch64, whose variable
 * shifts take the count modulo the size too, the shift is one `lsl x20,
 * x20, x21` instead of three instructions.  A link goes only when its temp
 * is read by that shift alone and its source is not written (and no call
 * runs) in between; counts that the flags computation reads as well (a
 * shift whose flags live) keep their mask.  For the backends with
 * be_desc.ext_operands (runs after ir_optimize); nothing here knows the
 * host.
 */
#include "ir.h"

static bool is_shift(enum ir_op op)
{
    return op == IR_shl || op == IR_shr || op == IR_sar || op == IR_rotl || op == IR_rotr;
}

static bool reads(const struct ir_insn *i, ir_ref r)
{
    int first = ir_op_info[i->op].n_out, last = first + ir_op_info[i->op].n_in;
    for (int a = first; a < last && a < IR_MAX_ARGS; a++)
        if (i->args[a] == r)
            return true;
    return false;
}

static bool writes(const struct ir_insn *i, ir_ref r)
{
    for (int a = 0; a < ir_op_info[i->op].n_out; a++)
        if (i->args[a] == r)
            return true;
    return false;
}

static int reads_of(const struct ir_block *b, ir_ref r)
{
    int n = 0;
    for (int k = 0; k < b->n_insns; k++)
        n += reads(&b->insns[k], r);
    return n;
}

/* The count's source if insn d (writing count) keeps the low bits of it
 * that a shift of `size` bits reads; else IR_NONE. */
static ir_ref count_source(const struct ir_block *b, const struct ir_insn *d, int size)
{
    if (d->op >= IR_ext8u && d->op <= IR_ext32s)
        return d->args[1];
    if (d->op != IR_and)
        return IR_NONE;
    for (int k = 1; k <= 2; k++) {
        ir_ref m = d->args[k], src = d->args[3 - k];
        if (b->values[m].kind == IR_VAL_CONST && b->values[src].kind != IR_VAL_CONST &&
            (b->values[m].imm & (uint64_t)(size - 1)) == (uint64_t)(size - 1))
            return src;
    }
    return IR_NONE;
}

/* The insn writing temp r last before `at`, if r is read only at `at` and
 * the source it computes from stays unchanged up to `at`; else -1. */
static int foldable_def(const struct ir_block *b, int at, ir_ref r, ir_ref *src)
{
    if (b->values[r].kind != IR_VAL_TEMP || reads_of(b, r) != 1)
        return -1;
    int d = at - 1;
    while (d >= 0 && !writes(&b->insns[d], r))
        d--;
    if (d < 0 || (*src = count_source(b, &b->insns[d], b->insns[at].size)) == IR_NONE ||
        *src == r)
        return -1;
    for (int k = d + 1; k < at; k++)
        if (writes(&b->insns[k], *src) || (ir_op_info[b->insns[k].op].flags & IR_F_CALL))
            return -1;
    return d;
}

static void remove_insn(struct ir_block *b, int k)
{
    for (int m = k; m + 1 < b->n_insns; m++)
        b->insns[m] = b->insns[m + 1];
    b->n_insns--;
}

void ir_fold_shift_counts(struct ir_block *b)
{
    for (int k = 0; k < b->n_insns; k++) {
        if (!is_shift((enum ir_op)b->insns[k].op))
            continue;
        ir_ref src;
        int d;
        while (b->insns[k].args[2] != IR_NONE &&
               (d = foldable_def(b, k, b->insns[k].args[2], &src)) >= 0) {
            b->insns[k].args[2] = src;
            remove_insn(b, d);
            k--;
        }
    }
}
