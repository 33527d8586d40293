/* ir_flags.c -- compares that reuse the host flags of an earlier op
 * (ir_fuse_flags).
 *
 * A brcond/setcond/movcond testing the same two values as an earlier sub,
 * or testing the result of a sub/add/and against zero, can read the flags
 * a host sets when that op is a flag-setting instruction (AArch64 subs,
 * adds, ands) -- if every op emitted between them leaves the flags alone,
 * which the backend says per op (be_desc.keeps_flags).  The producer then
 * becomes subf/addf/andf, the consumer brflags/setflags/movflags without
 * compare inputs (ir_ops.def), and the copies the frontend made only to
 * keep a compared value (`mov t, rax` before `sub rax, 1`) die.
 *
 * Values are recognised by number: a mov gives its destination its
 * source's number, any other write a new one, so a compare of a renamed
 * copy still matches, and a value overwritten in between does not.  A
 * second numbering for the low 32 bits, which 32-bit ops compare, also
 * passes through ext32u/ext32s (the frontend's 32-bit copies).
 * Generic: nothing here knows the host, only which ops keep its flags.
 */
#include <string.h>

#include "ir.h"

/* The producer whose flags are live: its op and size, and its inputs and
 * result as the refs and value numbers they had there. */
struct flags_src {
    int insn;                           /* index, -1 when the flags are unknown */
    enum ir_op op;                      /* sub, add or and */
    int size;
    ir_ref a, b;
    uint32_t na, nb, nd;
};

struct fuse_state {
    struct ir_block *b;
    uint32_t num[2][IR_MAX_VALUES];     /* [1]: of the low 32 bits; stored as
                                           number - (v + 1), so that zeros
                                           (a memset) give each value its own */
    uint32_t next;
    struct flags_src src;
    bool fused;
};

static uint32_t num_of(const struct fuse_state *s, bool low, ir_ref v)
{
    return s->num[low][v] + (uint32_t)v + 1;
}

static void set_num(struct fuse_state *s, bool low, ir_ref v, uint32_t n)
{
    s->num[low][v] = n - (uint32_t)v - 1;
}

static bool is_producer(const struct ir_insn *i)
{
    return i->op == IR_sub || i->op == IR_add || i->op == IR_and;
}

static bool is_consumer(const struct ir_insn *i)
{
    return (i->op == IR_brcond || i->op == IR_setcond || i->op == IR_movcond) &&
           i->cond != IR_TSTEQ && i->cond != IR_TSTNE;
}

static uint64_t truncated(uint64_t v, int size) { return size == 32 ? (uint32_t)v : v; }

/* Whether consumer input r holds the producer's value (ref p, number n):
 * the same number, or constants equal at the size. */
static bool same_value(const struct fuse_state *s, ir_ref r, ir_ref p, uint32_t n)
{
    const struct ir_block *b = s->b;
    if (ir_is_const(b, r) && ir_is_const(b, p))
        return truncated(b->values[r].imm, s->src.size) == truncated(b->values[p].imm, s->src.size);
    return num_of(s, s->src.size == 32, r) == n;
}

static bool is_zero(const struct ir_block *b, ir_ref r, int size)
{
    return ir_is_const(b, r) && truncated(b->values[r].imm, size) == 0;
}

static bool result_cond_ok(enum ir_op producer, enum ir_cond c)
{
    if (c == IR_EQ || c == IR_NE)
        return true;
    return producer == IR_and && (c == IR_LT || c == IR_GE || c == IR_LE || c == IR_GT);
}

/* The condition the fused consumer tests (ir_ops.def), or -1. */
static int fused_cond(const struct fuse_state *s, const struct ir_insn *i)
{
    const struct flags_src *p = &s->src;
    ir_ref x = i->args[ir_op_info[i->op].n_out], y = i->args[ir_op_info[i->op].n_out + 1];
    enum ir_cond c = (enum ir_cond)i->cond;
    if (i->size != p->size)
        return -1;
    if (!ir_is_const(s->b, x) && num_of(s, p->size == 32, x) == p->nd && is_zero(s->b, y, i->size) &&
        result_cond_ok(p->op, c))
        return c;
    if (p->op != IR_sub)
        return -1;
    if (same_value(s, x, p->a, p->na) && same_value(s, y, p->b, p->nb))
        return c;
    if (same_value(s, x, p->b, p->nb) && same_value(s, y, p->a, p->na))
        return ir_cond_swap(c);
    return -1;
}

static enum ir_op flags_form(enum ir_op op)
{
    switch (op) {
    case IR_sub: return IR_subf;
    case IR_add: return IR_addf;
    case IR_and: return IR_andf;
    case IR_brcond: return IR_brflags;
    case IR_setcond: return IR_setflags;
    default: return IR_movflags;
    }
}

/* The consumer loses its two compare inputs (movcond keeps its values). */
static void make_consumer(struct ir_insn *i, int cond)
{
    int n_out = ir_op_info[i->op].n_out;
    i->op = (uint16_t)flags_form((enum ir_op)i->op);
    i->cond = (uint8_t)cond;
    memmove(&i->args[n_out], &i->args[n_out + 2], sizeof(i->args[0]) * (size_t)(IR_MAX_ARGS - n_out - 2));
    i->args[IR_MAX_ARGS - 2] = i->args[IR_MAX_ARGS - 1] = IR_NONE;
}

static bool try_fuse(struct fuse_state *s, struct ir_insn *i)
{
    if (s->src.insn < 0 || !is_consumer(i))
        return false;
    int cond = fused_cond(s, i);
    if (cond < 0)
        return false;
    s->b->insns[s->src.insn].op = (uint16_t)flags_form(s->src.op);
    make_consumer(i, cond);
    s->fused = true;
    return true;
}

static void number_outputs(struct fuse_state *s, const struct ir_insn *i)
{
    int n_out = ir_op_info[i->op].n_out;
    for (int k = 0; k < n_out; k++) {
        ir_ref d = i->args[k];
        if (d == IR_NONE)
            continue;
        ir_ref src = i->args[n_out];
        bool copy = i->op == IR_mov && !ir_is_const(s->b, src);
        bool low_copy = (i->op == IR_ext32u || i->op == IR_ext32s) && !ir_is_const(s->b, src);
        set_num(s, false, d, copy ? num_of(s, false, src) : s->next++);
        set_num(s, true, d, copy || low_copy ? num_of(s, true, src) : num_of(s, false, d));
    }
}

static void step(struct fuse_state *s, int n, const uint8_t *keeps_flags)
{
    struct ir_insn *i = &s->b->insns[n];
    bool producer = is_producer(i) && (i->size == 32 || i->size == 64);
    struct flags_src p = { n, (enum ir_op)i->op, i->size, i->args[1], i->args[2] };
    if (producer)
        p.na = num_of(s, p.size == 32, p.a), p.nb = num_of(s, p.size == 32, p.b);
    if (try_fuse(s, i))
        ;                               /* the flags stay */
    else if (!producer && !keeps_flags[i->op])
        s->src.insn = -1;
    number_outputs(s, i);
    if (producer) {
        p.nd = num_of(s, p.size == 32, i->args[0]);
        s->src = p;
    }
}

/* Whether the block has a compare that could read a producer's flags
 * (a block that ends at a jmp, call or ret often has none). */
static bool has_consumer(const struct ir_block *b)
{
    for (int n = b->n_insns - 1; n >= 0; n--)
        if (is_consumer(&b->insns[n]))
            return true;
    return false;
}

bool ir_fuse_flags(struct ir_block *b, const uint8_t *keeps_flags)
{
    if (!has_consumer(b))
        return false;
    struct fuse_state s;                /* 32 KB: on the stack, as ir_optimize's */
    s.b = b;
    s.fused = false;
    s.src.insn = -1;
    memset(s.num[0], 0, sizeof(s.num[0][0]) * (size_t)b->n_values);
    memset(s.num[1], 0, sizeof(s.num[1][0]) * (size_t)b->n_values);
    s.next = (uint32_t)b->n_values + 1;
    bool skip_starts = keeps_flags[IR_insn_start];     /* (a quarter of the IR) */
    for (int n = 0; n < b->n_insns; n++)
        if (!skip_starts || b->insns[n].op != IR_insn_start)
            step(&s, n, keeps_flags);
    if (s.fused)
        ir_eliminate_dead(b);
    return s.fused;
}
