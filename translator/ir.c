/* ir.c -- the IR op table, global declaration and the block builder
 * (value constructors and the typed emitters frontends use). */
#include <string.h>

#include "ir.h"

const struct ir_op_info ir_op_info[IR_NUM_OPS] = {
#define IR_OP(name, nout, nin, fl) [IR_##name] = { #name, nout, nin, fl },
#include "ir_ops.def"
#undef IR_OP
};

ir_ref ir_global_declare(struct ir_globals *g, const char *name, int32_t env_offset)
{
    if (g->count >= IR_MAX_GLOBALS)
        return IR_NONE;
    g->v[g->count] = (struct ir_value){ .kind = IR_VAL_GLOBAL,
                                        .env_offset = env_offset, .name = name };
    return (ir_ref)g->count++;
}

void ir_block_init(struct ir_block *b, const struct ir_globals *g, uint64_t pc)
{
    b->guest_pc = pc;
    b->guest_size = 0;
    b->guest_bytes = NULL;
    b->guest_insns = 0;
    b->code_fixed = false;
    b->mode = 0;
    b->n_insns = 0;
    b->n_globals = g ? g->count : 0;
    b->n_values = b->n_globals;
    b->overflow = false;
    b->exit_facts[0] = b->exit_facts[1] = 0;
    b->exit_lazy_globals = 0;
    b->flags_dead_in = false;
    b->sp = g && g->has_sp ? g->sp : IR_NONE;
    if (g)
        memcpy(b->values, g->v, sizeof(g->v[0]) * (size_t)g->count);
}

/* Out of values: the block is marked and will be retranslated shorter by
 * the translator; hand out the last slot so callers never see IR_NONE. */
static ir_ref new_value(struct ir_block *b, struct ir_value v)
{
    if (b->n_values >= IR_MAX_VALUES) {
        b->overflow = true;
        return IR_MAX_VALUES - 1;
    }
    b->values[b->n_values] = v;
    return (ir_ref)b->n_values++;
}

ir_ref ir_temp(struct ir_block *b)
{
    return new_value(b, (struct ir_value){ .kind = IR_VAL_TEMP });
}

ir_ref ir_const(struct ir_block *b, uint64_t imm)
{
    return new_value(b, (struct ir_value){ .kind = IR_VAL_CONST, .imm = imm });
}

/* Two slots stay free so the translator can always end a block. */
struct ir_insn *ir_emit(struct ir_block *b, enum ir_op op, int size,
                        ir_ref a0, ir_ref a1, ir_ref a2)
{
    static struct ir_insn sink;
    struct ir_insn *i = &sink;
    bool is_exit = ir_op_info[op].flags & IR_F_EXIT;
    if (b->n_insns >= IR_MAX_INSNS - (is_exit ? 0 : 2))
        b->overflow = true;
    else
        i = &b->insns[b->n_insns++];
    *i = (struct ir_insn){ .op = (uint16_t)op, .size = (uint8_t)size,
                           .args = { a0, a1, a2, IR_NONE, IR_NONE, IR_NONE } };
    return i;
}

void ir_extract(struct ir_block *b, ir_ref d, ir_ref a, int pos, int len)
{
    struct ir_insn *i = ir_emit(b, IR_extract, 64, d, a, IR_NONE);
    i->aux[0] = pos;
    i->aux[1] = len;
}

void ir_deposit(struct ir_block *b, ir_ref d, ir_ref a, ir_ref v, int pos, int len)
{
    struct ir_insn *i = ir_emit(b, IR_deposit, 64, d, a, v);
    i->aux[0] = pos;
    i->aux[1] = len;
}

void ir_setcond(struct ir_block *b, enum ir_cond c, int size, ir_ref d, ir_ref x, ir_ref y)
{
    ir_emit(b, IR_setcond, size, d, x, y)->cond = (uint8_t)c;
}

void ir_movcond(struct ir_block *b, enum ir_cond c, int size, ir_ref d,
                ir_ref x, ir_ref y, ir_ref vtrue, ir_ref vfalse)
{
    struct ir_insn *i = ir_emit(b, IR_movcond, size, d, x, y);
    i->cond = (uint8_t)c;
    i->args[3] = vtrue;
    i->args[4] = vfalse;
}

void ir_ld(struct ir_block *b, unsigned memop, ir_ref d, ir_ref addr)
{
    ir_emit(b, IR_ld, (int)memop, d, addr, IR_NONE);
}

void ir_st(struct ir_block *b, unsigned memop, ir_ref addr, ir_ref val)
{
    ir_emit(b, IR_st, (int)memop, addr, val, IR_NONE);
}

void ir_ld_env(struct ir_block *b, unsigned memop, ir_ref d, int32_t offset)
{
    ir_emit(b, IR_ld_env, (int)memop, d, IR_NONE, IR_NONE)->aux[0] = offset;
}

void ir_st_env(struct ir_block *b, unsigned memop, ir_ref val, int32_t offset)
{
    ir_emit(b, IR_st_env, (int)memop, val, IR_NONE, IR_NONE)->aux[0] = offset;
}

void ir_call(struct ir_block *b, const struct ir_helper *h, ir_ref d, const ir_ref *args)
{
    struct ir_insn *i = ir_emit(b, IR_call, 64, d, IR_NONE, IR_NONE);
    for (int k = 0; k < h->n_args && k < 5; k++)
        i->args[1 + k] = args[k];
    i->aux[0] = (int64_t)(intptr_t)h;
}

void ir_brcond(struct ir_block *b, enum ir_cond c, int size, ir_ref x, ir_ref y,
               uint64_t target_pc, int slot)
{
    struct ir_insn *i = ir_emit(b, IR_brcond, size, x, y, IR_NONE);
    i->cond = (uint8_t)c;
    i->aux[0] = (int64_t)target_pc;
    i->aux[1] = slot;
}

void ir_brexit(struct ir_block *b, enum ir_cond c, int size, ir_ref x, ir_ref y, uint64_t pc,
               int code)
{
    struct ir_insn *i = ir_emit(b, IR_brexit, size, x, y, IR_NONE);
    i->cond = (uint8_t)c;
    i->aux[0] = (int64_t)pc;
    i->aux[1] = code;
}

void ir_div(struct ir_block *b, enum ir_op op, ir_ref d, ir_ref lo, ir_ref hi, ir_ref c,
            uint64_t pc, unsigned flags)
{
    struct ir_insn *i = ir_emit(b, op, 64, d, lo, hi);
    i->args[3] = c;
    i->aux[0] = (int64_t)pc;
    i->aux[1] = flags;
}

void ir_goto_tb(struct ir_block *b, uint64_t target_pc, int slot)
{
    struct ir_insn *i = ir_emit(b, IR_goto_tb, 64, IR_NONE, IR_NONE, IR_NONE);
    i->aux[0] = (int64_t)target_pc;
    i->aux[1] = slot;
}

void ir_exit_indirect(struct ir_block *b, ir_ref pc)
{
    ir_emit(b, IR_exit_indirect, 64, pc, IR_NONE, IR_NONE);
}

void ir_mark_exit(struct ir_block *b, enum ir_xfer kind)
{
    struct ir_insn *i = b->n_insns ? &b->insns[b->n_insns - 1] : NULL;
    if (i && (i->op == IR_goto_tb || i->op == IR_exit_indirect))
        i->cond = (uint8_t)kind;
}

void ir_mark_canonical(struct ir_block *b, uint64_t fault_pc, ir_ref undo_global, uint32_t undo)
{
    struct ir_insn *i = b->n_insns ? &b->insns[b->n_insns - 1] : NULL;
    if (i && i->op == IR_exit_indirect) {
        i->aux[0] = (int64_t)fault_pc;
        i->aux[1] = IR_CANON_MARK(undo_global, undo);
    }
}

void ir_discard(struct ir_block *b, ir_ref global)
{
    ir_emit(b, IR_discard, 64, global, IR_NONE, IR_NONE);
}

void ir_exit_code(struct ir_block *b, uint64_t pc, int code)
{
    struct ir_insn *i = ir_emit(b, IR_exit_code, 64, IR_NONE, IR_NONE, IR_NONE);
    i->aux[0] = (int64_t)pc;
    i->aux[1] = code;
}

void ir_atomic_rmw(struct ir_block *b, unsigned memop, enum ir_atomic_op op, ir_ref d,
                   ir_ref addr, ir_ref val)
{
    ir_emit(b, IR_atomic_rmw, (int)memop, d, addr, val)->aux[0] = op;
}

void ir_atomic_cas(struct ir_block *b, unsigned memop, ir_ref d, ir_ref addr, ir_ref expected,
                   ir_ref desired)
{
    ir_emit(b, IR_atomic_cas, (int)memop, d, addr, expected)->args[3] = desired;
}

void ir_exit_request(struct ir_block *b, uint64_t pc)
{
    ir_emit(b, IR_exit_request, 64, IR_NONE, IR_NONE, IR_NONE)->aux[0] = (int64_t)pc;
}

struct ir_insn *ir_vec(struct ir_block *b, enum ir_op op, unsigned size, int64_t operands,
                       const struct ir_helper *h)
{
    struct ir_insn *i = ir_emit(b, op, (int)size, IR_NONE, IR_NONE, IR_NONE);
    i->aux[0] = operands;
    i->aux[1] = (int64_t)(intptr_t)h;
    return i;
}

int ir_count_reads(const struct ir_block *b, ir_ref r, const bool *skip)
{
    int n = 0;
    for (int k = 0; k < b->n_insns; k++) {
        const struct ir_insn *i = &b->insns[k];
        if (skip && skip[k])
            continue;
        int first = ir_op_info[i->op].n_out, last = first + ir_op_info[i->op].n_in;
        for (int a = first; a < last && a < IR_MAX_ARGS; a++)
            n += i->args[a] == r;
    }
    return n;
}
