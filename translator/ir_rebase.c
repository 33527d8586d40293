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
 * arithmetic), so faults and their state are unchanged.  When the newest
 * value is read no more but was copied into a global not written since
 * (`mov rsp, t28` after `sub rsp, 0x58`), the access is addressed from
 * that global, which lives in a host register anyway: `mov [rsp + 8],
 * rcx` after a prologue is `str x21, [x24, #8]`, not addressed from a
 * copy of the first rsp.  Then a link of a chain read only by the next
 * one's add goes (`sub t25, t21, 8; sub t28, t25, 0x58` -> `sub t28, t21,
 * 0x60`: a push followed by `sub rsp, N`).  For a backend
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
    uint16_t reads[IR_MAX_VALUES];      /* how often each value is read */
    ir_ref holder[IR_MAX_VALUES];       /* the global a temp was copied into */
    int16_t held_at[IR_MAX_VALUES];     /* insn index of that copy */
    int16_t written_at[IR_MAX_VALUES];  /* a global's newest write so far */
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

static void count_reads(struct rebase_state *s)
{
    const struct ir_block *b = s->b;
    memset(s->reads, 0, sizeof(s->reads[0]) * (size_t)b->n_values);
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        int first = ir_op_info[i->op].n_out, last = first + ir_op_info[i->op].n_in;
        for (int k = first; k < last && k < IR_MAX_ARGS; k++)
            if (i->args[k] != IR_NONE && s->reads[i->args[k]] < UINT16_MAX)
                s->reads[i->args[k]]++;
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
    ir_ref v = s->newest[s->root[a]], base = v;
    if (v == a)
        return;
    if (s->last_read[v] < n) {          /* dead here: its global copy, if kept */
        ir_ref g = s->holder[v];
        if (g == IR_NONE || s->written_at[g] != s->held_at[v])
            return;
        base = g;
    }
    int64_t disp = i->aux[0] + (int64_t)s->off[a] - s->off[v];
    if (disp < INT32_MIN || disp > INT32_MAX)
        return;
    i->args[at] = base;
    i->aux[0] = disp;
}

/* `mov g, t` of a chain temp into a global; every global's newest write. */
static void note_writes(struct rebase_state *s, int n)
{
    const struct ir_insn *i = &s->b->insns[n];
    for (int k = 0; k < ir_op_info[i->op].n_out; k++) {
        ir_ref g = i->args[k];
        if (g != IR_NONE && s->b->values[g].kind == IR_VAL_GLOBAL)
            s->written_at[g] = (int16_t)n;
    }
    if (i->op == IR_mov && s->b->values[i->args[0]].kind == IR_VAL_GLOBAL &&
        single_temp(s, i->args[1]) && s->root[i->args[1]] != IR_NONE) {
        s->holder[i->args[1]] = i->args[0];
        s->held_at[i->args[1]] = (int16_t)n;
    }
}

/* add/sub of a 64-bit constant to a: the constant as added, or false. */
static bool const_step(const struct rebase_state *s, const struct ir_insn *i, int64_t *c)
{
    if ((i->op != IR_add && i->op != IR_sub) || i->size != 64 || !ir_is_const(s->b, i->args[2]))
        return false;
    *c = (int64_t)s->b->values[i->args[2]].imm;
    *c = i->op == IR_add ? *c : -*c;
    return *c > -(1 << 24) && *c < (1 << 24);
}

/* `add a, p, c1; ...; add d, a, c2` with a read only there and p a temp
 * written once: `add d, p, c1 + c2`, and a's add goes. */
static void merge_links(struct rebase_state *s)
{
    struct ir_block *b = s->b;
    int16_t def[IR_MAX_VALUES];
    memset(def, 0xff, sizeof(def[0]) * (size_t)b->n_values);
    count_reads(s);                     /* the accesses read other values now */
    for (int n = 0; n < b->n_insns; n++) {
        struct ir_insn *i = &b->insns[n];
        int64_t c1, c2;
        ir_ref a = i->args[1];
        if (b->n_values < IR_MAX_VALUES && const_step(s, i, &c2) && single_temp(s, a) && s->reads[a] == 1 && def[a] >= 0 &&
            const_step(s, &b->insns[def[a]], &c1) && single_temp(s, b->insns[def[a]].args[1])) {
            ir_ref c = ir_const(b, (uint64_t)(c1 + c2));
            i->op = IR_add;
            i->args[1] = b->insns[def[a]].args[1];
            i->args[2] = c;
            b->insns[def[a]].op = IR_mov;       /* a = a: dropped below */
            b->insns[def[a]].args[1] = a;
        }
        if (ir_op_info[i->op].n_out == 1 && single_temp(s, i->args[0]))
            def[i->args[0]] = (int16_t)n;
    }
    int w = 0;
    for (int n = 0; n < b->n_insns; n++)
        if (b->insns[n].op != IR_mov || b->insns[n].args[0] != b->insns[n].args[1])
            b->insns[w++] = b->insns[n];
    b->n_insns = w;
}

void ir_rebase_accesses(struct ir_block *b)
{
    struct rebase_state st, *s = &st;   /* 48 KB: on the stack, as ir_fold_ext's */
    s->b = b;
    memset(s->writes, 0, sizeof(s->writes[0]) * (size_t)b->n_values);
    memset(s->last_read, 0xff, sizeof(s->last_read[0]) * (size_t)b->n_values);
    memset(s->root, 0xff, sizeof(s->root[0]) * (size_t)b->n_values);   /* IR_NONE */
    memset(s->holder, 0xff, sizeof(s->holder[0]) * (size_t)b->n_values);
    memset(s->written_at, 0xff, sizeof(s->written_at[0]) * (size_t)b->n_values);
    count(s);
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        if (i->op == IR_ld)
            rebase(s, n, 1);
        else if (i->op == IR_st)
            rebase(s, n, 0);
        note_def(s, i);
        note_writes(s, n);
    }
    merge_links(s);
}
