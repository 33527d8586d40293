/* ir_extfold.c -- extensions folded into the 64-bit add/sub that reads
 * them (ir_fold_ext).
 *
 * x86 code widens a 32-bit (or narrower) value and adds it to a 64-bit
 * one all the time: `mov eax, edx; add rax, r9`, `movsxd rax, [..]; add
 * rax, rbx`, an index register's zero-extended copy.  The frontend emits
 * `ext32u t, rdx; add d, t, r9`; a host whose add/sub can extend its
 * second operand (AArch64's extended-register form: `add x20, x29, w22,
 * uxtw`) does both in one instruction.  For such a backend
 * (be_desc.ext_operands) a temp made by ext8u..ext32s and read only by
 * one 64-bit add or sub (either operand of an add, the subtrahend of a
 * sub), with its source unchanged in between, becomes that op's addx/subx
 * operand (ir_ops.def) and the extension dies -- unless the other operand
 * is a constant (`add x0, x0, #0x10` after the extension is as short).
 * A compare (brcond/setcond/movcond) of such a temp with a register value
 * becomes `subfx _, a, x` right before it and the flags form of it
 * (brflags/...): `cmp w0, w10, uxtb` instead of `ubfx x1, x10, #0, #8;
 * cmp w0, w1` (gzip's longest_match compares a loaded byte so).
 * A temp made by a 64-bit `shl t, x, c` (c a constant 1..63) and read only
 * by one 64-bit add/sub, in the same places, folds the same way with
 * aux[0] = IR_shl and aux[1] = c (`add x0, x13, x25, lsl #3`): x86's lea
 * of a scaled index (`lea r13, [r13 + rbp*8 + 8]`), and the shifted
 * indexes no load took.
 * Generic: runs after ir_optimize and ir_fuse_flags; nothing here knows
 * the host.
 */
#include <string.h>

#include "ir.h"

struct extfold_state {
    struct ir_block *b;
    uint16_t uses[IR_MAX_VALUES];       /* reads of each value in the block */
    uint16_t gen[IR_MAX_VALUES];        /* writes so far */
    int32_t ext_at[IR_MAX_VALUES];      /* the ext that wrote a temp, or -1 */
    uint16_t src_gen[IR_MAX_VALUES];    /* its source's gen[] then */
};

static bool is_ext(enum ir_op op) { return op >= IR_ext8u && op <= IR_ext32s; }

/* A 64-bit shift left by a constant 1..63: the operand's `lsl #c`. */
static bool is_const_shl(const struct ir_block *b, const struct ir_insn *i)
{
    return i->op == IR_shl && i->size == 64 && ir_is_const(b, i->args[2]) &&
           b->values[i->args[2]].imm >= 1 && b->values[i->args[2]].imm <= 63;
}

/* Whether insn i makes a temp an add/sub may take as its operand. */
static bool is_foldable(const struct ir_block *b, const struct ir_insn *i)
{
    return is_ext((enum ir_op)i->op) || is_const_shl(b, i);
}

static void count_uses(struct extfold_state *s)
{
    const struct ir_block *b = s->b;
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        int first = ir_op_info[i->op].n_out, last = first + ir_op_info[i->op].n_in;
        for (int k = first; k < last && k < IR_MAX_ARGS; k++)
            if (i->args[k] != IR_NONE && s->uses[i->args[k]] < UINT16_MAX)
                s->uses[i->args[k]]++;
    }
}

/* The ext insn whose temp r still holds its value, read only here; or NULL. */
static const struct ir_insn *sole_ext(const struct extfold_state *s, ir_ref r)
{
    const struct ir_block *b = s->b;
    if (r == IR_NONE || b->values[r].kind != IR_VAL_TEMP || s->ext_at[r] < 0 ||
        s->uses[r] != 1)
        return NULL;
    const struct ir_insn *e = &b->insns[s->ext_at[r]];
    return s->gen[e->args[1]] == s->src_gen[r] ? e : NULL;
}

/* add/sub d, a, t (or add d, t, a) with t = ext(x): addx/subx d, a, x. */
static void try_fold(struct extfold_state *s, struct ir_insn *i)
{
    if ((i->op != IR_add && i->op != IR_sub) || i->size != 64)
        return;
    int k = 2;                          /* the extended operand's arg */
    const struct ir_insn *e = sole_ext(s, i->args[2]);
    if (!e && i->op == IR_add && (e = sole_ext(s, i->args[1])) != NULL)
        k = 1;
    if (!e || ir_is_const(s->b, i->args[3 - k]))
        return;                         /* an immediate add is one insn already */
    i->args[1] = i->args[3 - k];
    i->args[2] = e->args[1];
    i->aux[0] = e->op;
    if (e->op == IR_shl)
        i->aux[1] = (int64_t)s->b->values[e->args[2]].imm;
    i->op = i->op == IR_add ? IR_addx : IR_subx;
}

static bool is_compare(const struct ir_insn *i)
{
    return (i->op == IR_brcond || i->op == IR_setcond || i->op == IR_movcond) &&
           (i->size == 32 || i->size == 64) && i->cond != IR_TSTEQ && i->cond != IR_TSTNE;
}

static enum ir_op flags_form(enum ir_op op)
{
    return op == IR_brcond ? IR_brflags : op == IR_setcond ? IR_setflags : IR_movflags;
}

/* Inserts `subfx d, a, x` (ext e) at n, d a new temp; false without room. */
static bool insert_subfx(struct extfold_state *s, int n, ir_ref a, const struct ir_insn *e,
                         int size)
{
    struct ir_block *b = s->b;
    if (b->n_insns + 1 > IR_MAX_INSNS || b->n_values + 1 >= IR_MAX_VALUES)
        return false;
    struct ir_insn f = { .op = IR_subfx, .size = (uint8_t)size,
                         .args = { ir_temp(b), a, e->args[1] }, .aux = { e->op } };
    for (int k = 3; k < IR_MAX_ARGS; k++)
        f.args[k] = IR_NONE;
    s->uses[f.args[0]] = s->gen[f.args[0]] = 0;
    s->ext_at[f.args[0]] = -1;
    memmove(&b->insns[n + 1], &b->insns[n], sizeof(b->insns[0]) * (size_t)(b->n_insns - n));
    b->insns[n] = f;
    b->n_insns++;
    return true;
}

/* cond a, t (or t, a) with t = ext(x): subfx _, a, x at n, the compare
 * reading its flags at n + 1 (without its two compare inputs). */
static bool try_fold_compare(struct extfold_state *s, int n)
{
    struct ir_insn *i = &s->b->insns[n];
    if (!is_compare(i))
        return false;
    int at = ir_op_info[i->op].n_out;
    enum ir_cond cond = (enum ir_cond)i->cond;
    const struct ir_insn *e = sole_ext(s, i->args[at + 1]);
    ir_ref a = i->args[at];
    if (!e && (e = sole_ext(s, i->args[at])) != NULL) {
        a = i->args[at + 1];
        cond = ir_cond_swap(cond);
    }
    if (!e || e->op == IR_shl || ir_is_const(s->b, a) || !insert_subfx(s, n, a, e, i->size))
        return false;
    i = &s->b->insns[n + 1];
    i->op = (uint16_t)flags_form((enum ir_op)i->op);
    i->cond = (uint8_t)cond;
    memmove(&i->args[at], &i->args[at + 2], sizeof(i->args[0]) * (size_t)(IR_MAX_ARGS - at - 2));
    i->args[IR_MAX_ARGS - 2] = i->args[IR_MAX_ARGS - 1] = IR_NONE;
    return true;
}

static void note_writes(struct extfold_state *s, int n)
{
    const struct ir_insn *i = &s->b->insns[n];
    for (int k = 0; k < ir_op_info[i->op].n_out; k++) {
        ir_ref d = i->args[k];
        if (d == IR_NONE)
            continue;
        s->gen[d]++;
        s->ext_at[d] = -1;
        if (is_foldable(s->b, i) && !ir_is_const(s->b, i->args[1])) {
            s->ext_at[d] = n;
            s->src_gen[d] = s->gen[i->args[1]];
        }
    }
}

/* Whether the block has an extension at all (every fold starts from one:
 * sole_ext); most blocks have none, and one look at the ops is cheaper
 * than the counts below. */
static bool has_ext(const struct ir_block *b)
{
    for (int n = 0; n < b->n_insns; n++)
        if (is_foldable(b, &b->insns[n]))
            return true;
    return false;
}

bool ir_fold_ext(struct ir_block *b)
{
    if (!has_ext(b))
        return false;
    struct extfold_state s;             /* 40 KB: on the stack, as ir_fuse_flags' */
    s.b = b;
    memset(s.uses, 0, sizeof(s.uses[0]) * (size_t)b->n_values);
    memset(s.gen, 0, sizeof(s.gen[0]) * (size_t)b->n_values);
    memset(s.ext_at, 0xff, sizeof(s.ext_at[0]) * (size_t)b->n_values);
    count_uses(&s);
    bool folded = false;
    for (int n = 0; n < b->n_insns; n++) {
        uint16_t op = b->insns[n].op;
        if (try_fold_compare(&s, n)) {
            note_writes(&s, n++);       /* the subfx; the compare is next */
            folded = true;
        }
        try_fold(&s, &b->insns[n]);
        folded |= b->insns[n].op != op;
        note_writes(&s, n);
    }
    if (folded)
        ir_eliminate_dead(b);
    return folded;
}
