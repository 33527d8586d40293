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
