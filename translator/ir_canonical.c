/* ir_canonical.c -- moves an indirect transfer's non-canonical-target
 * check (#GP) from the block's hot path to the host's jump-cache miss
 * path, where the host can do it (be_desc.canonical_at_exit).
 *
 * The frontend checks every computed jmp/ret target with add, shr and a
 * brexit before the transfer's other effects, and marks the exit that
 * follows (ir_mark_canonical).  A jump-cache hit, or a return-address
 * stack hit, proves the target canonical: both hold only pcs of blocks
 * that were translated, and a non-canonical pc never is.  So the exit can
 * test the target only where it looks the target up the slow way, and
 * the brexit goes (the add and shr then die in ir_optimize).  The mark
 * says how to rebuild the brexit's state there: the ret's pop of the stack
 * pointer is undone (a pinned global: nothing in env to fix up).
 * Without the host's support the mark is cleared and the brexit stays. */
#include <string.h>

#include "ir.h"
#include "runtime.h"
#include "backend.h"

static bool undo_possible(const struct ir_block *b, const struct ir_insn *exit)
{
    ir_ref g = ir_canon_global(exit);
    if (ir_canon_undo(exit) == 0)
        return true;
    return g < b->n_globals && g < be_host.n_pinned && be_host.pinned_regs[g] >= 0;
}

/* The brexit of the exit's own instruction: the last brexit (code
 * TR_EXIT_SIGSEGV, at fault_pc) after that instruction's insn_start.  -1
 * if there is none. */
static int find_check(const struct ir_block *b, int exit_at, uint64_t fault_pc)
{
    for (int k = exit_at - 1; k >= 0; k--) {
        const struct ir_insn *i = &b->insns[k];
        if (i->op == IR_insn_start)
            return -1;
        if (i->op == IR_brexit && (uint64_t)i->aux[0] == fault_pc && i->aux[1] == TR_EXIT_SIGSEGV)
            return k;
    }
    return -1;
}

static void remove_insn(struct ir_block *b, int k)
{
    memmove(&b->insns[k], &b->insns[k + 1], sizeof(b->insns[0]) * (size_t)(b->n_insns - k - 1));
    b->n_insns--;
}

void ir_fold_canonical(struct ir_block *b, bool host_checks)
{
    if (b->n_insns == 0)
        return;
    struct ir_insn *exit = &b->insns[b->n_insns - 1];
    if (exit->op != IR_exit_indirect || !ir_canon_checked(exit))
        return;
    int check = host_checks && undo_possible(b, exit) ? find_check(b, b->n_insns - 1, (uint64_t)exit->aux[0]) : -1;
    if (check < 0) {
        exit->aux[0] = exit->aux[1] = 0;
        return;
    }
    remove_insn(b, check);
}

/* The insn defining temp t (op `op`, its second input the constant imm)
 * among insns [from, to), or -1. */
static int def_with_const(const struct ir_block *b, int from, int to, ir_ref t, enum ir_op op,
                          uint64_t imm)
{
    for (int k = to - 1; k >= from; k--) {
        const struct ir_insn *i = &b->insns[k];
        if (ir_op_info[i->op].n_out == 0 || i->args[0] != t)
            continue;
        ir_ref c = i->args[2];
        return i->op == op && i->size == 64 && ir_is_const(b, c) && b->values[c].imm == imm ? k : -1;
    }
    return -1;
}

/* An indirect call's check (x86_check_canonical: add 2^47, shr 48, a
 * brexit #GP unless 0) becomes one canon_test of the target, which the
 * host does inline in fewer instructions and out of line where it fails
 * (be_desc.canon_test_calls); its fault point holds the state the brexit
 * would have left.  The add and shr then die in ir_optimize. */
void ir_call_canon_tests(struct ir_block *b)
{
    if (b->n_insns == 0)
        return;
    const struct ir_insn *exit = &b->insns[b->n_insns - 1];
    if (exit->op != IR_exit_indirect || exit->cond != IR_XFER_CALL || ir_canon_checked(exit))
        return;
    int start = b->n_insns - 1;
    while (start >= 0 && b->insns[start].op != IR_insn_start)
        start--;
    if (start < 0)
        return;
    for (int k = start + 1; k < b->n_insns - 1; k++) {
        struct ir_insn *i = &b->insns[k];
        if (i->op != IR_brexit || i->aux[1] != TR_EXIT_SIGSEGV ||
            (uint64_t)i->aux[0] != (uint64_t)b->insns[start].aux[0] || i->cond != IR_NE ||
            !ir_is_const(b, i->args[1]) || b->values[i->args[1]].imm != 0)
            continue;
        int shr = def_with_const(b, start + 1, k, i->args[0], IR_shr, 48);
        int add = shr < 0 ? -1 : def_with_const(b, start + 1, shr, b->insns[shr].args[1], IR_add,
                                                TR_CANON_TOP);
        if (add < 0)
            return;
        ir_ref target = b->insns[add].args[1];
        *i = (struct ir_insn){ .op = IR_canon_test };
        for (int a = 0; a < IR_MAX_ARGS; a++)
            i->args[a] = a ? IR_NONE : target;
        return;
    }
}
