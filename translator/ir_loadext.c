/* ir_loadext.c -- a narrow guest load read only by a sign extension of its
 * own width becomes one sign-extending load (ir_fold_load_ext).
 *
 * x86's movsx/movsxd from memory reach the IR as a zero-extending load and
 * an extension (`ld_u8 t2, rbx disp 1; ext8s t3, t2`): two host
 * instructions on x86-64 (`movzx esi, byte ptr [r10 + 1]; movsx r12,
 * sil`), where `movsx r12, byte ptr [r10 + 1]` does both.  (The AArch64
 * backend already merged them into `ldrsb` itself when the extension came
 * right after the load: a64_writeback.c.)  The load then writes the
 * extension's output with IR_MO_SIGN (`ld_s8 t3, rbx disp 1`) and the
 * extension goes, when
 *   - the load is a guest ld/ldx of 8, 16 or 32 bits, zero-extending;
 *   - its output is a temp written once (by it) and read once (by the
 *     extension), an ext8s/ext16s/ext32s of the load's own width;
 *   - the extension's output is a temp written only by it (nothing reads
 *     it before, so it may be written earlier), or the extension is the
 *     next instruction (a global it writes then changes at the same point).
 * A load that faults writes nothing, so the fault point's state is the
 * same.  Generic: every backend has sign-extending loads (ir.h IR_MO_SIGN),
 * and so do the software MMU's helpers.  Runs after ir_optimize.
 */
#include <string.h>

#include "ir.h"

struct loadext_state {
    struct ir_block *b;
    uint16_t reads[IR_MAX_VALUES];
    uint16_t writes[IR_MAX_VALUES];
    int32_t load_at[IR_MAX_VALUES];     /* the foldable load that wrote a temp, or -1 */
};

static void bump(uint16_t *n) { if (*n < UINT16_MAX) (*n)++; }

static void count_accesses(struct loadext_state *s)
{
    const struct ir_block *b = s->b;
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        int outs = ir_op_info[i->op].n_out, last = outs + ir_op_info[i->op].n_in;
        for (int k = 0; k < last && k < IR_MAX_ARGS; k++)
            if (i->args[k] != IR_NONE)
                bump(k < outs ? &s->writes[i->args[k]] : &s->reads[i->args[k]]);
    }
}

/* A guest load of 8, 16 or 32 bits, zero-extending, into a temp. */
static bool foldable_load(const struct loadext_state *s, const struct ir_insn *i)
{
    return (i->op == IR_ld || i->op == IR_ldx) && !(i->size & (IR_MO_SIGN | IR_MO_HOST)) &&
           (i->size & IR_MO_SIZE) != IR_MO_64 && ir_is_temp(s->b, i->args[0]) &&
           s->writes[i->args[0]] == 1 && s->reads[i->args[0]] == 1;
}

/* The memop of a sign extension (ext8s ext16s ext32s), or -1. */
static int ext_memop(enum ir_op op)
{
    switch (op) {
    case IR_ext8s:  return IR_MO_8;
    case IR_ext16s: return IR_MO_16;
    case IR_ext32s: return IR_MO_32;
    default:        return -1;
    }
}

/* Extension n of the load at l: true when folded into it. */
static bool try_fold(struct loadext_state *s, int n)
{
    struct ir_insn *e = &s->b->insns[n];
    int mo = ext_memop((enum ir_op)e->op);
    ir_ref t = e->args[1], d = e->args[0];
    if (mo < 0 || !ir_is_temp(s->b, t) || s->load_at[t] < 0 || d == IR_NONE)
        return false;
    int l = s->load_at[t];
    struct ir_insn *ld = &s->b->insns[l];
    if ((ld->size & IR_MO_SIZE) != (unsigned)mo)
        return false;
    if (!(l == n - 1 || (ir_is_temp(s->b, d) && s->writes[d] == 1)))
        return false;
    ld->args[0] = d;
    ld->size |= IR_MO_SIGN;
    return true;
}

/* Removes the instructions marked gone (their opcode set to IR_NUM_OPS). */
static void compact(struct ir_block *b)
{
    int w = 0;
    for (int n = 0; n < b->n_insns; n++)
        if (b->insns[n].op != IR_NUM_OPS)
            b->insns[w++] = b->insns[n];
    b->n_insns = w;
}

/* Whether the block has a sign extension at all: most have none, and
 * one look at the ops is cheaper than the counts below. */
static bool has_sign_ext(const struct ir_block *b)
{
    for (int n = 0; n < b->n_insns; n++)
        if (ext_memop((enum ir_op)b->insns[n].op) >= 0)
            return true;
    return false;
}

bool ir_fold_load_ext(struct ir_block *b)
{
    if (!has_sign_ext(b))
        return false;
    struct loadext_state s;             /* 36 KB: on the stack, as ir_fold_ext's */
    s.b = b;
    memset(s.reads, 0, sizeof(s.reads[0]) * (size_t)b->n_values);
    memset(s.writes, 0, sizeof(s.writes[0]) * (size_t)b->n_values);
    memset(s.load_at, 0xff, sizeof(s.load_at[0]) * (size_t)b->n_values);
    count_accesses(&s);
    bool folded = false;
    for (int n = 0; n < b->n_insns; n++) {
        struct ir_insn *i = &b->insns[n];
        if (foldable_load(&s, i)) {
            s.load_at[i->args[0]] = n;
        } else if (try_fold(&s, n)) {
            i->op = IR_NUM_OPS;         /* gone */
            folded = true;
        }
    }
    if (folded)
        compact(b);
    return folded;
}
