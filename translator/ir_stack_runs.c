/* ir_stack_runs.c -- a run of pushes or pops (and `sub rsp, n`, `call`,
 * `ret` with them) moves the stack pointer once (ir_merge_stack_runs).
 *
 * The frontend writes the stack pointer at every push and pop:
 *     st t0, r15 disp -8; sub t3, t0, 8; mov rsp, t3
 *     st t3, r14 disp -8; sub t7, t3, 8; mov rsp, t7 ...
 * and a host without writeback addressing (x86-64) computes each new
 * value and its copy: two or three instructions a push.  Here a write of
 * the stack-pointer global g (ir_globals.sp) by `mov g, t`, t = g's value
 * at the run's start plus a constant (followed through 64-bit adds and
 * subs of constants and moves), is left out when the next write of g
 * comes before anything looks at g: every access of the run is addressed
 * from g itself at a displacement, the new values' adds die, and the last
 * write of the run stores the sum:
 *     st g, r15 disp -8; st g, r14 disp -16; ...; add t, g, -48; mov g, t
 * What looks at g: a helper call, an exit or branch (the globals go to
 * env), a read of g other than an access's base or such an add's input,
 * a vector op, an env access at g's slot, and any side-effect op but the
 * guest accesses.
 *
 * Exactness at a fault: the write left out becomes `fault_sp d` (no
 * code), d the difference between the value the guest had there and the
 * one g still holds; the allocator puts it into every fault point until
 * g is next written (regalloc.c, RA_FAULT_ADD), and the fault handler
 * adds it to the restored g.  So the third push of a run that faults
 * leaves the guest's rsp as after the second and its rip at the third,
 * as the CPU does; nothing past the faulting access ran.  The accesses
 * keep their order (each push's store before the next), so the first
 * that faults is the CPU's.
 *
 * For a backend with be_desc.merge_stack_runs (x86-64; AArch64 folds
 * each update into its access, `str x, [x24, #-8]!`, and pairs two, one
 * instruction for two pushes).  Nothing here knows the host.
 */
#include <string.h>

#include "ir.h"

enum insn_kind {
    K_NEUTRAL,                          /* neither reads nor writes g */
    K_OBSERVE,                          /* g must hold the guest's value here */
    K_CHAIN_MOV,                        /* mov g, t with t known: may be left out */
    K_WRITE,                            /* writes g otherwise (a known add, a load) */
};

struct runs {
    struct ir_block *b;
    ir_ref g;
    uint8_t writes[IR_MAX_VALUES];      /* definitions seen, saturating */
    uint16_t epoch[IR_MAX_VALUES];      /* value = g at epoch's start + off */
    int32_t off[IR_MAX_VALUES];
    uint8_t kind[IR_MAX_INSNS];
    uint8_t defer[IR_MAX_INSNS];        /* a K_CHAIN_MOV left out */
    uint16_t cur_epoch;                 /* g's epoch; 0: none known */
    int32_t sem;                        /* g's guest value: epoch start + sem */
};

/* Offsets and the displacements of accesses from g stay below this, so
 * that every rewritten displacement fits in 32 bits. */
#define LIMIT ((int64_t)1 << 28)

static bool is_g(const struct runs *s, ir_ref r) { return r != IR_NONE && r == s->g; }

/* r = the epoch's g + *off; g itself is its current guest value. */
static bool known(const struct runs *s, ir_ref r, int32_t *off)
{
    if (is_g(s, r)) {
        *off = s->sem;
        return s->cur_epoch != 0;
    }
    if (r == IR_NONE || ir_is_const(s->b, r) || s->b->values[r].kind != IR_VAL_TEMP ||
        s->writes[r] != 1 || s->epoch[r] != s->cur_epoch || !s->cur_epoch)
        return false;
    *off = s->off[r];
    return true;
}

/* d = x + c by a 64-bit add or sub of a constant, or a move: x and c. */
static bool step_of(const struct ir_block *b, const struct ir_insn *i, ir_ref *x, int64_t *c)
{
    if (i->op == IR_mov) {
        *x = i->args[1];
        *c = 0;
        return true;
    }
    if ((i->op != IR_add && i->op != IR_sub) || i->size != 64)
        return false;
    if (ir_is_const(b, i->args[2])) {
        *x = i->args[1];
        *c = (int64_t)b->values[i->args[2]].imm;
        *c = i->op == IR_add ? *c : -*c;
    } else if (i->op == IR_add && ir_is_const(b, i->args[1])) {
        *x = i->args[2];
        *c = (int64_t)b->values[i->args[1]].imm;
    } else {
        return false;
    }
    return *c > -(1 << 24) && *c < (1 << 24);
}

/* The offset an add, sub or move gives its output from a known input. */
static bool chain_result(const struct runs *s, const struct ir_insn *i, int32_t *off)
{
    ir_ref x;
    int64_t c;
    int32_t base;
    if (!step_of(s->b, i, &x, &c) || !known(s, x, &base))
        return false;
    int64_t r = (int64_t)base + c;
    if (r <= -LIMIT || r >= LIMIT)
        return false;
    *off = (int32_t)r;
    return true;
}

/* Whether i reads g other than as a plain guest access's base or an add
 * or sub's input (which are rewritten from g's offset; a move is not:
 * an add in its place would clobber host flags a fused compare keeps). */
static bool reads_g_otherwise(const struct runs *s, const struct ir_insn *i)
{
    int n_out = ir_op_info[i->op].n_out, n_in = ir_op_info[i->op].n_in;
    for (int k = 0; k < n_in && n_out + k < IR_MAX_ARGS; k++) {
        if (!is_g(s, i->args[n_out + k]))
            continue;
        bool base = (i->op == IR_ld || i->op == IR_st) && k == 0 && !(i->size & IR_MO_HOST) &&
                    i->aux[0] > -LIMIT && i->aux[0] < LIMIT;
        int32_t off;
        bool step = i->op != IR_mov && chain_result(s, i, &off);
        if (!base && !step)
            return true;
    }
    return false;
}

static bool side_ok(const struct runs *s, const struct ir_insn *i)
{
    switch (i->op) {
    case IR_insn_start: case IR_st: case IR_stx: case IR_atomic_rmw: case IR_atomic_cas:
    case IR_fence:
        return true;
    case IR_st_env:
        return i->aux[0] != s->b->values[s->g].env_offset;
    default:
        return false;
    }
}

static enum insn_kind classify(const struct runs *s, const struct ir_insn *i)
{
    uint16_t fl = ir_op_info[i->op].flags;
    if ((fl & (IR_F_CALL | IR_F_EXIT | IR_F_BRANCH | IR_F_VEC)) ||
        ((fl & IR_F_SIDE) && !side_ok(s, i)) || reads_g_otherwise(s, i) ||
        (i->op == IR_ld_env && i->aux[0] == s->b->values[s->g].env_offset))
        return K_OBSERVE;
    bool writes = false;
    for (int k = 0; k < ir_op_info[i->op].n_out; k++)
        writes |= is_g(s, i->args[k]);
    if (!writes)
        return K_NEUTRAL;
    int32_t off;
    return i->op == IR_mov && known(s, i->args[1], &off) ? K_CHAIN_MOV : K_WRITE;
}

/* `mov g, x` of a temp x written once starts an epoch at x's value:
 * the accesses and adds from x that follow are from g (`mov rsp, rbp`,
 * rsp loaded from memory). */
static void new_root(struct runs *s, const struct ir_insn *i)
{
    ir_ref x = i->args[1];
    if (i->op != IR_mov || x == IR_NONE || ir_is_const(s->b, x) ||
        s->b->values[x].kind != IR_VAL_TEMP || s->writes[x] != 1)
        return;
    s->epoch[x] = s->cur_epoch;
    s->off[x] = 0;
}

/* Forward: what each value is relative to g, how each insn treats g. */
static void scan(struct runs *s)
{
    struct ir_block *b = s->b;
    uint16_t epochs = 1;
    s->cur_epoch = 1;
    s->sem = 0;
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        s->kind[n] = (uint8_t)classify(s, i);
        int32_t off = 0;
        bool chain = ir_op_info[i->op].n_out == 1 && chain_result(s, i, &off);
        for (int k = 0; k < ir_op_info[i->op].n_out; k++) {
            ir_ref d = i->args[k];
            if (d == IR_NONE || ir_is_const(b, d))
                continue;
            if (is_g(s, d)) {
                if (chain) {
                    s->sem = off;
                } else {
                    s->cur_epoch = ++epochs;
                    s->sem = 0;
                    new_root(s, i);
                }
                continue;
            }
            s->epoch[d] = chain ? s->cur_epoch : 0;
            s->off[d] = off;
        }
        if (ir_op_info[i->op].flags & IR_F_CALL) {
            s->cur_epoch = ++epochs;    /* a helper may write g */
            s->sem = 0;
        }
    }
}

/* Backward: a chain move is left out when g's next write comes before
 * anything that looks at g. */
static int decide(struct runs *s)
{
    bool write_next = false;
    int n_defer = 0;
    for (int n = s->b->n_insns - 1; n >= 0; n--) {
        s->defer[n] = 0;
        switch (s->kind[n]) {
        case K_OBSERVE:
            write_next = false;
            break;
        case K_CHAIN_MOV:
            s->defer[n] = write_next;
            n_defer += write_next;
            write_next = true;
            break;
        case K_WRITE:
            write_next = true;
            break;
        default:
            break;
        }
    }
    return n_defer;
}

/* Forward again: g holds the epoch's start + holds; rewrite from it. */
static void rewrite(struct runs *s)
{
    struct ir_block *b = s->b;
    uint16_t epochs = 1;
    int32_t holds = 0;
    s->cur_epoch = 1;
    s->sem = 0;
    for (int n = 0; n < b->n_insns; n++) {
        struct ir_insn *i = &b->insns[n];
        int32_t off;
        ir_ref x;
        int64_t c;
        if ((i->op == IR_ld || i->op == IR_st) && !(i->size & IR_MO_HOST) &&
            i->aux[0] > -LIMIT && i->aux[0] < LIMIT &&
            known(s, i->args[i->op == IR_ld ? 1 : 0], &off)) {
            i->args[i->op == IR_ld ? 1 : 0] = s->g;
            i->aux[0] += off - holds;
        }
        if (s->defer[n]) {              /* mov g, t: the guest's g is g + d */
            known(s, i->args[1], &off);
            s->sem = off;
            *i = (struct ir_insn){ .op = IR_fault_sp, .aux = { off - holds } };
            for (int k = 0; k < IR_MAX_ARGS; k++)
                i->args[k] = IR_NONE;
            continue;
        }
        bool chain = ir_op_info[i->op].n_out == 1 && step_of(b, i, &x, &c) &&
                     chain_result(s, i, &off);
        if (chain && i->op != IR_mov && (x != s->g || off != holds + c)) {
            i->op = IR_add;             /* d = g + (off - holds) */
            i->size = 64;
            i->args[1] = s->g;
            i->args[2] = ir_const(b, (uint64_t)(int64_t)(off - holds));
        }
        for (int k = 0; k < ir_op_info[i->op].n_out; k++) {
            if (!is_g(s, i->args[k]))
                continue;
            if (chain) {
                s->sem = holds = off;
            } else {
                s->cur_epoch = ++epochs;
                s->sem = holds = 0;
            }
        }
        if (ir_op_info[i->op].flags & IR_F_CALL) {
            s->cur_epoch = ++epochs;
            s->sem = holds = 0;
        }
    }
}

/* Adds and moves whose temp nothing reads any more go. */
static void drop_dead(struct runs *s)
{
    struct ir_block *b = s->b;
    uint16_t reads[IR_MAX_VALUES];
    for (bool again = true; again;) {
        again = false;
        memset(reads, 0, sizeof(reads[0]) * (size_t)b->n_values);
        for (int n = 0; n < b->n_insns; n++) {
            const struct ir_insn *i = &b->insns[n];
            int first = ir_op_info[i->op].n_out, last = first + ir_op_info[i->op].n_in;
            for (int k = first; k < last && k < IR_MAX_ARGS; k++)
                if (i->args[k] != IR_NONE)
                    reads[i->args[k]]++;
        }
        int w = 0;
        for (int n = 0; n < b->n_insns; n++) {
            const struct ir_insn *i = &b->insns[n];
            ir_ref x, d = i->args[0];
            int64_t c;
            bool dead = ir_op_info[i->op].n_out == 1 && step_of(b, i, &x, &c) &&
                        b->values[d].kind == IR_VAL_TEMP && !reads[d];
            if (dead)
                again = true;
            else
                b->insns[w++] = *i;
        }
        b->n_insns = w;
    }
}

void ir_merge_stack_runs(struct ir_block *b)
{
    struct runs st, *s = &st;          /* 36 KB: on the stack, as ir_rebase's */
    if (b->sp == IR_NONE || b->overflow || b->n_values + b->n_insns > IR_MAX_VALUES)
        return;                         /* (each insn may add one constant) */
    s->b = b;
    s->g = b->sp;
    memset(s->writes, 0, sizeof(s->writes[0]) * (size_t)b->n_values);
    memset(s->epoch, 0, sizeof(s->epoch[0]) * (size_t)b->n_values);
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        for (int k = 0; k < ir_op_info[i->op].n_out; k++)
            if (i->args[k] != IR_NONE && s->writes[i->args[k]] < 2)
                s->writes[i->args[k]]++;
    }
    scan(s);
    if (!decide(s))
        return;
    rewrite(s);
    drop_dead(s);
}
