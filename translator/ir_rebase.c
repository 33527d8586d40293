/* ir_rebase.c -- guest accesses addressed from the newest value of a
 * pointer that a chain of constant adds moves (ir_rebase_accesses).
 *
 * ir_optimize folds `sub t7, t3, 8; st t7 - 8` into `st t3 - 16`: every
 * access of a push or pop sequence is then addressed from the first rsp
 * value, which therefore stays live (in a copy) while rsp itself moves on:
 *     push r14; push r13  ->  stur x14, [x24, #-8]; mov x0, x24;
 *                             sub x24, x24, #8; stur x13, [x0, #-0x10] ...
 * Here each ld/st whose address is `t + d`, t in such a chain (t = root +
 * k by 64-bit add/sub of constants), is addressed instead from the chain's
 * newest value v defined before it, at d + k - k(v), when v is read at or
 * after the access anyway (no value lives longer).  The push then reads
 * `st t7 - 8; sub t11, t7, 8; mov rsp, t11`, which a host with writeback
 * addressing does in one instruction (AArch64: `str x13, [x24, #-8]!`),
 * and the copy of the old rsp goes away.  Same address (64-bit wrapping
 * arithmetic), so faults and their state are unchanged.  For a backend
 * with be_desc.ext_operands (AArch64); nothing here knows the host.
 */
#include <string.h>

#include "ir.h"

struct rebase_state {
    struct ir_block *b;
    uint16_t writes[IR_MAX_VALUES];     /* how often each value is written */
    int16_t last_read[IR_MAX_VALUES];   /* insn index of its last read, or -1 */
    ir_ref root[IR_MAX_VALUES];         /* temp = root + off (root itself: off 0) */
    int32_t off[IR_MAX_VALUES];
    ir_ref newest[IR_MAX_VALUES];       /* per root: its chain's newest member */
};

static bool single_temp(const struct rebase_state *s, ir_ref r)
{
    return r != IR_NONE && s->b->values[r].kind == IR_VAL_TEMP && s->writes[r] == 1;
}

static void count(struct rebase_state *s)
{
    const struct ir_block *b = s->b;
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        int outs = ir_op_info[i->op].n_out, last = outs + ir_op_info[i->op].n_in;
        for (int k = 0; k < last && k < IR_MAX_ARGS; k++) {
            ir_ref r = i->args[k];
            if (r == IR_NONE)
                continue;
            if (k < outs)
                s->writes[r] += s->writes[r] < UINT16_MAX;
            else
                s->last_read[r] = (int16_t)n;
        }
    }
}

/* `add/sub d, a, const` at 64 bits, a in a chain: d joins it. */
static void note_def(struct rebase_state *s, const struct ir_insn *i)
{
    if (ir_op_info[i->op].n_out != 1 || !single_temp(s, i->args[0]))
        return;
    ir_ref d = i->args[0], a = i->args[1];
    s->root[d] = d;
    s->off[d] = 0;
    if ((i->op == IR_add || i->op == IR_sub) && i->size == 64 && single_temp(s, a) &&
        ir_is_const(s->b, i->args[2])) {
        int64_t c = (int64_t)s->b->values[i->args[2]].imm;
        int64_t off = s->off[a] + (i->op == IR_add ? c : -c);
        if (c > -(1 << 24) && c < (1 << 24) && off >= INT32_MIN && off <= INT32_MAX) {
            s->root[d] = s->root[a];
            s->off[d] = (int32_t)off;
        }
    }
    s->newest[s->root[d]] = d;
}

/* The access at n, address args[at] + aux[0], from its chain's newest value. */
static void rebase(struct rebase_state *s, int n, int at)
{
    struct ir_insn *i = &s->b->insns[n];
    ir_ref a = i->args[at];
    if (!single_temp(s, a) || s->root[a] == IR_NONE)
        return;
    ir_ref v = s->newest[s->root[a]];
    if (v == a || s->last_read[v] < n)
        return;
    int64_t disp = i->aux[0] + (int64_t)s->off[a] - s->off[v];
    if (disp < INT32_MIN || disp > INT32_MAX)
        return;
    i->args[at] = v;
    i->aux[0] = disp;
}

void ir_rebase_accesses(struct ir_block *b)
{
    struct rebase_state st, *s = &st;   /* 48 KB: on the stack, as ir_fold_ext's */
    s->b = b;
    memset(s->writes, 0, sizeof(s->writes[0]) * (size_t)b->n_values);
    memset(s->last_read, 0xff, sizeof(s->last_read[0]) * (size_t)b->n_values);
    memset(s->root, 0xff, sizeof(s->root[0]) * (size_t)b->n_values);   /* IR_NONE */
    count(s);
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        if (i->op == IR_ld)
            rebase(s, n, 1);
        else if (i->op == IR_st)
            rebase(s, n, 0);
        note_def(s, i);
    }
}
