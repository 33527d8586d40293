/* ir_validate.c -- structural checks of an IR block (operand kinds and
 * counts, sizes, memops, exit placement).  A block that fails is a ferry
 * bug; the translator aborts with the message. */
#include <stdio.h>

#include "ir.h"

static char val_msg[160];

static const char *fail(int idx, const struct ir_insn *i, const char *what)
{
    const char *name = i && i->op < IR_NUM_OPS ? ir_op_info[i->op].name : "?";
    snprintf(val_msg, sizeof(val_msg), "ir: insn %d (%s): %s", idx, name, what);
    return val_msg;
}

static bool ref_ok(const struct ir_block *b, ir_ref r)
{
    return r != IR_NONE && r < b->n_values;
}

static bool is_writable(const struct ir_block *b, ir_ref r)
{
    return ref_ok(b, r) && b->values[r].kind != IR_VAL_CONST;
}

static const struct ir_helper *insn_helper(const struct ir_insn *i)
{
    return (const struct ir_helper *)(intptr_t)i->aux[0];
}

/* How many inputs must be present (calls: the helper's argument count). */
static int required_inputs(const struct ir_insn *i)
{
    if (i->op != IR_call)
        return ir_op_info[i->op].n_in;
    return insn_helper(i) ? insn_helper(i)->n_args : 0;
}

static const char *check_outputs(const struct ir_block *b, const struct ir_insn *i)
{
    const struct ir_op_info *info = &ir_op_info[i->op];
    for (int k = 0; k < info->n_out; k++) {
        if (i->op == IR_call && i->args[k] == IR_NONE)    /* result ignored */
            continue;
        if (!is_writable(b, i->args[k]))
            return "output must be a temp or a global";
    }
    return NULL;
}

static const char *check_inputs(const struct ir_block *b, const struct ir_insn *i)
{
    const struct ir_op_info *info = &ir_op_info[i->op];
    int need = required_inputs(i);
    for (int k = 0; k < info->n_in; k++) {
        ir_ref r = i->args[info->n_out + k];
        if (k < need && !ref_ok(b, r))
            return "missing or out-of-range input";
        if (k >= need && r != IR_NONE)
            return "unexpected extra input";
    }
    for (int k = info->n_out + info->n_in; k < IR_MAX_ARGS; k++)
        if (i->args[k] != IR_NONE)
            return "unexpected extra operand";
    return NULL;
}

/* Vector ops: a valid element size and the exact helper every backend
 * may fall back on. */
static const char *check_vec(const struct ir_insn *i)
{
    const struct ir_helper *h = ir_vec_helper(i);
    if (i->size & ~(IR_VE_MASK | IR_V_SCALAR | (i->op == IR_vst ? IR_V_ALIGNED | IR_V_PAIR : 0)))
        return "bad vector element size";
    if (IR_VEC_IS_MOVE(i->op))
        return h ? "vector move with a helper" : NULL;
    if (!h || !h->fn || h->n_args != 3)
        return "vector op without its 3-argument helper";
    if (h->has_result != (ir_op_info[i->op].n_out != 0))
        return "vector op helper result does not match the op's output";
    return NULL;
}

static const char *check_params(const struct ir_insn *i)
{
    uint16_t fl = ir_op_info[i->op].flags;
    if ((fl & IR_F_SIZED) && i->size != 32 && i->size != 64)
        return "size must be 32 or 64";
    if ((fl & IR_F_COND) && i->cond >= IR_NUM_CONDS)
        return "bad condition";
    if ((fl & IR_F_MEM) && i->size > (IR_MO_SIZE | IR_MO_SIGN | IR_MO_HOST | IR_MO_ALIGNED))
        return "bad memop";
    if ((fl & IR_F_MEM) && (i->size & IR_MO_ALIGNED) && i->op != IR_st)
        return "aligned flag on an op other than st";
    if ((i->size & IR_MO_HOST) && i->op != IR_ld && i->op != IR_st && i->op != IR_ldx &&
        i->op != IR_stx)
        return "host flag on an op other than ld/st";
    if ((i->op == IR_ldx || i->op == IR_stx) && (i->aux[1] < 0 || i->aux[1] > 3))
        return "index scale out of 0..3";
    if ((i->op == IR_st || i->op == IR_stx || i->op == IR_st_env) && (i->size & IR_MO_SIGN))
        return "sign flag on a store";
    if ((i->op == IR_atomic_rmw || i->op == IR_atomic_cas) && (i->size & IR_MO_SIGN))
        return "sign flag on an atomic";
    if (i->op == IR_atomic_rmw && (i->aux[0] < 0 || i->aux[0] >= IR_NUM_ATOMIC_OPS))
        return "bad atomic operation";
    if ((i->op == IR_addx || i->op == IR_subx) && i->aux[0] == IR_shl &&
        (i->aux[1] < 1 || i->aux[1] > 63))
        return "operand shift out of range";
    if ((i->op == IR_addx || i->op == IR_subx || i->op == IR_subfx) &&
        (i->aux[0] < IR_ext8u || i->aux[0] > IR_ext32s) &&
        (i->aux[0] != IR_shl || i->op == IR_subfx))
        return "operand extension is not ext8u..ext32s or shl";
    if (i->op == IR_extract || i->op == IR_sextract || i->op == IR_deposit)
        if (i->aux[0] < 0 || i->aux[1] < 1 || i->aux[0] + i->aux[1] > 64)
            return "bit field out of range";
    if ((i->op == IR_brcond || i->op == IR_brflags || i->op == IR_goto_tb) &&
        i->aux[1] != 0 && i->aux[1] != 1)
        return "chain slot must be 0 or 1";
    if (i->op == IR_call && (!insn_helper(i) || insn_helper(i)->n_args > 5))
        return "call without a valid helper";
    if (fl & IR_F_VEC)
        return check_vec(i);
    return NULL;
}

static const char *check_insn(const struct ir_block *b, const struct ir_insn *i)
{
    const char *m;
    if (i->op >= IR_NUM_OPS)
        return "unknown op";
    if ((m = check_params(i)) || (m = check_outputs(b, i)) || (m = check_inputs(b, i)))
        return m;
    return NULL;
}

static bool sets_flags(enum ir_op op)
{ return op == IR_subf || op == IR_addf || op == IR_andf || op == IR_subfx; }
static bool reads_flags(enum ir_op op)
{ return op == IR_brflags || op == IR_setflags || op == IR_movflags; }

/* A flags consumer needs a producer before it with no compare or call in
 * between (what else keeps the flags is the backend's business). */
static bool flags_ok(const struct ir_block *b, int n)
{
    for (int k = n - 1; k >= 0; k--) {
        enum ir_op op = (enum ir_op)b->insns[k].op;
        if (sets_flags(op))
            return true;
        if (!reads_flags(op) && (ir_op_info[op].flags & (IR_F_COND | IR_F_CALL | IR_F_VEC)))
            return false;
    }
    return false;
}

const char *ir_validate(const struct ir_block *b)
{
    if (b->overflow)
        return "ir: block overflowed its insn/value arrays";
    if (b->n_insns <= 0)
        return "ir: empty block";
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        const char *m = check_insn(b, i);
        if (m)
            return fail(n, i, m);
        if (reads_flags((enum ir_op)i->op) && !flags_ok(b, n))
            return fail(n, i, "reads host flags no subf/addf/andf set");
        bool is_exit = ir_op_info[i->op].flags & IR_F_EXIT;
        if (is_exit != (n == b->n_insns - 1))
            return fail(n, i, is_exit ? "exit before the end of the block"
                                      : "block does not end with an exit");
    }
    return NULL;
}
