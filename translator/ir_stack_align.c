/* ir_stack_align.c -- which guest stores cannot cross a page because the
 * stack pointer is a multiple of 8 (ir_mark_stack_stores).
 *
 * A backend whose host store may write part of a page-crossing store
 * before it faults tests each 2-, 4- and 8-byte guest store for a
 * crossing (be_desc.store_cross_tests; AArch64: a64_store_cross.c, with
 * be_store_cross_check): two instructions on the common aligned path.
 * Half of those stores in compiled code go through the stack pointer
 * (spills, locals, pushes, calls' return addresses) at a displacement
 * that keeps its alignment, and the stack pointer is nearly always a
 * multiple of 8.  So a block tests that once, at its entry, and every
 * store whose address is the entry stack pointer plus a multiple of its
 * size (followed through moves and adds of constants: pushes, pops, `sub
 * rsp, n` between) is marked IR_MO_ALIGNED and goes untested; pushes,
 * too, whatever their pairing.  A block entered with a stack pointer that
 * is not a multiple of 8 leaves at once (nothing of it ran: the exit is
 * at its own pc, TR_EXIT_STACK_MODE) for the dispatcher, which switches
 * the vCPU to TR_MODE_STACK_CHECKED: its blocks mark nothing and test
 * every store, and those that would have marked some test the opposite at
 * entry, leaving that mode again once the stack pointer is a multiple of
 * 8.  A mode switch empties the jump cache and return stack (tr_set_mode),
 * so only code that keeps its stack pointer off 8 pays more than before.
 *
 * Which global is the stack pointer is the frontend's word (ir_globals.sp);
 * nothing here knows the host. */
#include <string.h>

#include "ir.h"
#include "runtime.h"

/* What is known of each value: entry sp + off[v] when has[v]. */
struct sp_state {
    int64_t off[IR_MAX_VALUES];
    bool has[IR_MAX_VALUES];
};

static bool sp_rel(const struct ir_block *b, const struct sp_state *s, ir_ref r, int64_t *off)
{
    if (r == IR_NONE || ir_is_const(b, r) || !s->has[r])
        return false;
    *off = s->off[r];
    return true;
}

static bool const_of(const struct ir_block *b, ir_ref r, int64_t *c)
{
    if (r == IR_NONE || !ir_is_const(b, r))
        return false;
    *c = (int64_t)b->values[r].imm;
    return true;
}

/* The output of mov, or of a 64-bit add or sub of a constant, relative
 * to the entry sp; false for anything else. */
static bool result_of(const struct ir_block *b, const struct sp_state *s,
                      const struct ir_insn *i, int64_t *off)
{
    const ir_ref *in = &i->args[ir_op_info[i->op].n_out];
    int64_t a, c;
    switch (i->op) {
    case IR_mov:
        return sp_rel(b, s, in[0], off);
    case IR_add:
        if (i->size != 64)
            return false;
        if (sp_rel(b, s, in[0], &a) && const_of(b, in[1], &c)) {
            *off = a + c;
            return true;
        }
        if (const_of(b, in[0], &c) && sp_rel(b, s, in[1], &a)) {
            *off = a + c;
            return true;
        }
        return false;
    case IR_sub:
        if (i->size != 64 || !sp_rel(b, s, in[0], &a) || !const_of(b, in[1], &c))
            return false;
        *off = a - c;
        return true;
    default:
        return false;
    }
}

/* A guest store of 2, 4 or 8 bytes at the entry sp plus a multiple of its
 * size. */
static bool covered(const struct ir_block *b, const struct sp_state *s, const struct ir_insn *i)
{
    int64_t off;
    unsigned size = i->size & IR_MO_SIZE;
    if (i->op != IR_st || (i->size & IR_MO_HOST) || size == 0 || !sp_rel(b, s, i->args[0], &off))
        return false;
    return ((uint64_t)(off + i->aux[0]) & ((1u << size) - 1)) == 0;
}

/* What i writes besides its outputs: a helper that reads and writes the
 * globals, or an env store at the stack pointer's own slot. */
static bool clobbers_sp(const struct ir_block *b, const struct ir_insn *i)
{
    if (i->op == IR_call) {
        const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)i->aux[0];
        return !h || (h->flags & IR_HELPER_RW_GLOBALS);
    }
    return i->op == IR_st_env && i->aux[0] == b->values[b->sp].env_offset;
}

/* Marks (mark) or counts the covered stores. */
static int walk(struct ir_block *b, struct sp_state *s, bool mark)
{
    memset(s->has, 0, sizeof(s->has[0]) * (size_t)b->n_values);
    s->has[b->sp] = true;
    s->off[b->sp] = 0;
    int n = 0;
    for (int k = 0; k < b->n_insns; k++) {
        struct ir_insn *i = &b->insns[k];
        if (covered(b, s, i)) {
            n++;
            if (mark)
                i->size |= IR_MO_ALIGNED;
        }
        for (int o = 0; o < ir_op_info[i->op].n_out; o++) {
            ir_ref d = i->args[o];
            int64_t off;
            if (d == IR_NONE || ir_is_const(b, d))
                continue;
            bool known = result_of(b, s, i, &off);
            s->has[d] = known;
            s->off[d] = known ? off : 0;
        }
        if (clobbers_sp(b, i))
            s->has[b->sp] = false;
    }
    return n;
}

/* `t = sp & 7; brexit t cond 0` as the first ops past the exit-request
 * test: the block leaves at its own pc before anything else ran. */
static bool add_entry_test(struct ir_block *b, enum ir_cond cond)
{
    if (b->n_insns + 2 > IR_MAX_INSNS || b->n_values + 3 > IR_MAX_VALUES)
        return false;
    int at = b->n_insns > 0 && b->insns[0].op == IR_exit_request ? 1 : 0, n = b->n_insns;
    ir_ref t = ir_temp(b);
    ir_binop(b, IR_and, 32, t, b->sp, ir_const(b, 7));
    ir_brexit(b, cond, 32, t, ir_const(b, 0), b->guest_pc, TR_EXIT_STACK_MODE);
    if (b->overflow || b->n_insns != n + 2)
        return false;
    struct ir_insn test[2] = { b->insns[n], b->insns[n + 1] };
    memmove(&b->insns[at + 2], &b->insns[at], sizeof(b->insns[0]) * (size_t)(n - at));
    b->insns[at] = test[0];
    b->insns[at + 1] = test[1];
    return true;
}

void ir_mark_stack_stores(struct ir_block *b)
{
    static __thread struct sp_state s;
    if (b->sp == IR_NONE || b->overflow || walk(b, &s, false) == 0)
        return;
    bool checked = (b->mode & TR_MODE_STACK_CHECKED) != 0;
    if (add_entry_test(b, checked ? IR_EQ : IR_NE) && !checked)
        walk(b, &s, true);
}
