/* regalloc.c -- TCG-style on-the-fly register allocation over one block.
 *
 * One forward walk keeps, for every IR value, where it lives: a host
 * register, its home in env (globals; "dirty" when the register is newer),
 * a spill slot (temps), or nowhere yet.  Inputs are brought into registers
 * lazily (or passed as immediates when the backend's constraint table
 * allows), outputs reuse the register of a dying input when they can, and
 * dirty globals are written back before every exit and before helpers that
 * look at CPU state.
 *
 * Pinned globals (be_desc.pinned_regs: the first globals, in host
 * registers of their own across blocks) are simpler: each is either in
 * its register (dirty when newer than env, as at block entry) or, after a
 * C call clobbered or may have changed it, only in env until it is next
 * read or the block exits -- or, a lazy flag global's last write before an
 * exit_indirect that takes be_code.lazy, a constant or a pinned register's
 * value kept for that exit (pin_deferred).  Exits leave every pinned global in its
 * register and write back none: the next block expects them there, and
 * the backend's epilogue stores them when translated code is left.  A
 * temp about to be copied to a pinned global is computed in the global's
 * register right away and may keep sharing it (owner[] names it) until
 * the global's value there changes, when it moves out (unshare).  The
 * allocator never runs out: when every allocatable register holds an
 * input of the insn or a constant, it borrows the register of a pinned
 * global the insn does not name (borrow_pinned_reg), whose value then
 * moves out the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regalloc.h"
#include "translator.h"

#define RA_MAX_REGS 64

struct ra_value {
    int8_t reg;                 /* host register, or -1 */
    int8_t slot;                /* temps: spill slot holding the value, or -1 */
    bool dirty;                 /* globals: register (or imm) newer than env */
    bool is_const;              /* globals: known to hold imm, in no register */
    int8_t pin1;                /* a lazy global (ra_state.lazy) whose value is
                                   pinned global pin1 - 1's, in its register
                                   (lazy_alias); 0: none */
    uint64_t imm;
};

struct ra_state {
    struct be_code *c;
    const struct ir_block *b;
    struct ra_value v[IR_MAX_VALUES];
    ir_ref owner[RA_MAX_REGS];
    uint64_t owned;             /* registers whose owner[] is set */
    uint64_t locked;            /* registers holding this insn's inputs */
    uint64_t in_regs;           /* the same, dying ones included */
    uint64_t scratch;           /* registers holding materialised constants */
    uint64_t forbid;            /* the current op's clobbers (be_desc.op_clobbers):
                                   no value is placed there */
    uint64_t free_slots;
    unsigned evict_rr;          /* round-robin start for eviction */
    uint8_t dies[IR_MAX_INSNS];
    uint8_t across[IR_MAX_INSNS];       /* arg k live across a later call */
    int cur;                            /* insn being emitted */
    int last_use[IR_MAX_GLOBALS];       /* last insn naming each global */
    int last_read[IR_MAX_GLOBALS];      /* last insn reading it as an input */
    uint64_t maybe_dirty;               /* unpinned globals whose dirty may be
                                           set (a superset: the walks over
                                           dirty globals visit only these) */
    uint64_t guest_pc;                  /* of the current guest insn */
    int64_t sp_adjust;                  /* IR_fault_sp's, until the stack
                                           pointer's global is written */
    struct ra_fault_map *faults;
    struct ra_fault_point *cur_point;   /* the op being emitted's, if any */
    bool spill_overflow;
    int n_pinned;                       /* globals below n_pinned may be pinned */
    uint64_t pinned;                    /* bit g: global g is pinned (is_pinned) */
    uint64_t homes;                     /* their registers: never free, whoever
                                           owns them (worked out by ra_reset) */
    uint64_t pin_in_reg;                /* bit g: pinned global g is in its
                                           register (v[g].reg >= 0); kept by
                                           set_reg, so the walks over pinned
                                           globals are mask operations */
    uint64_t pin_clobbered;             /* pinned globals in registers a C
                                           call destroys */
    uint64_t lazy;                      /* globals kept from write-through for
                                           the block's exit_indirect (lazy_mask) */
    uint64_t alias_on;                  /* pinned globals some lazy global's
                                           pin1 names (lazy_alias) */
};
/* The state of the ra_emit_block call running on this thread. */
static __thread struct ra_state *ra;

struct ra_state *ra_state_new(void)
{
    struct ra_state *st = tr_table_alloc(sizeof(*st));
    if (!st) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    return st;
}

void ra_record_faults(struct ra_state *st, struct ra_fault_map *m) { st->faults = m; }

static const struct ir_value *val(ir_ref r) { return &ra->b->values[r]; }
static bool is_global(ir_ref r) { return val(r)->kind == IR_VAL_GLOBAL; }
static bool is_temp(ir_ref r) { return val(r)->kind == IR_VAL_TEMP; }
static uint64_t bit(int reg) { return 1ull << reg; }
/* be_desc.pinned_regs[g] < 0: global g is not pinned (lets a backend pin a
 * later global, e.g. the lazy flags, and not the ones between). */
static bool is_pinned(ir_ref r) { return r < 64 && (ra->pinned >> r) & 1; }
static bool is_lazy(ir_ref r) { return r < 64 && (ra->lazy >> r) & 1; }
static int pinned_reg(ir_ref g) { return be_host.pinned_regs[g]; }
/* A pinned lazy global whose last value is kept out of its register for
 * the block's exit (a constant, or a pinned register's: lazy_alias), as
 * an unpinned one is kept unstored; env does not hold it either. */
static bool pin_deferred(ir_ref g)
{
    return is_pinned(g) && ra->v[g].reg < 0 && ra->v[g].dirty && (ra->v[g].is_const || ra->v[g].pin1);
}

static _Noreturn void ra_fatal(const char *what)
{
    fprintf(stderr, "ferry: register allocator: %s\n", what);
    abort();
}

/* A constant, or a global currently known to hold one. */
static bool known_const(ir_ref r, uint64_t *imm)
{
    if (ir_is_const(ra->b, r)) {
        *imm = val(r)->imm;
        return true;
    }
    if (is_global(r) && ra->v[r].is_const) {
        *imm = ra->v[r].imm;
        return true;
    }
    return false;
}

/* ---- register bookkeeping ---- */

static uint64_t occupied(void)
{
    return ra->scratch | ra->owned;
}

static void alias_keep(ir_ref p);

/* Every change of a value's register goes through here (pin_in_reg). */
static void set_reg(ir_ref r, int reg)
{
    if (r < 64 && ((ra->alias_on >> r) & 1) && reg != be_host.pinned_regs[r])
        alias_keep(r);                  /* (before its register changes) */
    ra->v[r].reg = (int8_t)reg;
    if (is_pinned(r)) {
        if (reg >= 0)
            ra->pin_in_reg |= bit(r);
        else
            ra->pin_in_reg &= ~bit(r);
    }
}

/* owner[]: allocatable registers, and the value in a pinned register
 * besides its global (a temp sharing it, or anything in a borrowed one). */
static void bind(ir_ref r, int reg)
{
    set_reg(r, reg);
    if (reg >= 0 && !is_pinned(r)) {
        ra->owner[reg] = r;
        ra->owned |= bit(reg);
    }
}

static void unbind(ir_ref r)
{
    int reg = ra->v[r].reg;
    if (reg >= 0 && ra->owner[reg] == r) {
        ra->owner[reg] = IR_NONE;
        ra->owned &= ~bit(reg);
    }
    set_reg(r, -1);
}

/* Out of slots: the block is abandoned (ra_emit_block fails and says so in
 * ra_spill_overflow) and retranslated shorter. */
static int alloc_slot(void)
{
    if (!ra->free_slots) {
        ra->spill_overflow = true;
        return 0;
    }
    int s = __builtin_ctzll(ra->free_slots);
    ra->free_slots &= ~bit(s);
    return s;
}

static void drop_slot(ir_ref r)
{
    if (ra->v[r].slot >= 0)
        ra->free_slots |= bit(ra->v[r].slot);
    ra->v[r].slot = -1;
}

/* A value's register is about to be given up: save it where it belongs. */
static void save_value(ir_ref r)
{
    struct ra_value *v = &ra->v[r];
    if (is_global(r) && v->dirty) {
        be_emit_st_env(ra->c, v->reg, val(r)->env_offset);
        v->dirty = false;
    } else if (is_temp(r) && v->slot < 0) {
        v->slot = (int8_t)alloc_slot();
        be_emit_st_env(ra->c, v->reg, TR_OFFSET_SPILL(v->slot));
    }
}

static void evict_reg(int reg)
{
    ir_ref r = ra->owner[reg];
    save_value(r);
    unbind(r);
}

/* Cheapest victim: a clean global, then a dirty global, then a temp. */
static int eviction_cost(int reg)
{
    ir_ref r = ra->owner[reg];
    if (is_global(r))
        return ra->v[r].dirty ? 1 : 0;
    return ra->v[r].slot >= 0 ? 0 : 2;
}

static int choose_victim(void)
{
    uint64_t cand = be_host.alloc_mask & ~ra->locked & ~ra->scratch & ~ra->forbid;
    int best = -1, best_cost = 99;
    for (int k = 0; k < be_host.n_regs; k++) {
        int reg = (int)((ra->evict_rr + (unsigned)k) % (unsigned)be_host.n_regs);
        if (!(cand & bit(reg)) || ra->owner[reg] == IR_NONE)
            continue;
        int cost = eviction_cost(reg);
        if (cost < best_cost)
            best = reg, best_cost = cost;
    }
    if (best >= 0)
        ra->evict_rr = (unsigned)best + 1;
    return best;
}

static bool names(const struct ir_insn *i, ir_ref r);
static ir_ref pinned_destination(ir_ref d);

/* What borrowing pinned global g's register costs: its value's store (if
 * newer there) and reload, the eviction of whatever shares the register,
 * a little more when the block reads g again. */
static int borrow_cost(ir_ref g)
{
    int reg = pinned_reg(g), cost = ra->v[g].reg >= 0 ? 2 + ra->v[g].dirty : 0;
    if (ra->owner[reg] != IR_NONE)
        cost += 1 + eviction_cost(reg);
    return 2 * cost + (ra->last_use[g] > ra->cur);
}

/* Not the register of an input placed, of a constant, or of a pinned
 * global the insn names or computes its output into (pinned_destination). */
static bool borrowable(ir_ref g, const struct ir_insn *i, ir_ref dest)
{
    uint64_t busy = ra->locked | ra->scratch | ra->in_regs;
    return is_pinned(g) && !(busy & bit(pinned_reg(g))) && g != dest && !names(i, g);
}

/* The last resort when every allocatable register holds an input of this
 * insn or a materialised constant (x86-64 with guest rbx/rsi pinned has
 * four: a movcond of four register inputs wants a fifth for its output):
 * borrow the register of a pinned global the insn does not name.  The
 * global goes home (if newer in its register) and is only in env until
 * next read, as after a C call; when it comes back (value_in_reg,
 * reload_pinned before any exit) the borrowed register's value moves out
 * (unshare).  An insn names at most n_out + n_in values and exits name no
 * output, so a backend with more allocatable plus pinned registers than
 * any op names never runs out. */
static int borrow_pinned_reg(void)
{
    const struct ir_insn *i = &ra->b->insns[ra->cur];
    bool out = ir_op_info[i->op].n_out && i->args[0] != IR_NONE;
    ir_ref dest = out ? pinned_destination(i->args[0]) : IR_NONE;
    ir_ref best = IR_NONE;
    int best_cost = 1 << 30;
    for (ir_ref g = 0; g < ra->n_pinned; g++)
        if (borrowable(g, i, dest) && borrow_cost(g) < best_cost)
            best = g, best_cost = borrow_cost(g);
    if (best == IR_NONE || (ir_op_info[i->op].flags & (IR_F_EXIT | IR_F_BRANCH)))
        ra_fatal("no register to evict or borrow");
    int reg = pinned_reg(best);
    if (ra->owner[reg] != IR_NONE)
        evict_reg(reg);
    if (ra->v[best].reg >= 0 && ra->v[best].dirty)
        be_emit_st_env(ra->c, reg, val(best)->env_offset);
    if (ra->v[best].reg >= 0)           /* (a deferred one stays so: pin_deferred) */
        ra->v[best].dirty = false;
    set_reg(best, -1);
    return reg;
}

/* Registers suited to a value: ones a call preserves when it is still
 * needed after a later call (or is a global, which stays cached), else
 * call-clobbered ones, leaving the preserved ones free for long-lived
 * values. */
static uint64_t preferred(bool long_lived)
{
    return long_lived ? ~be_host.call_clobbered : be_host.call_clobbered;
}

/* Whether args[k] of the current insn should survive calls. */
static bool arg_long_lived(int k)
{
    ir_ref r = ra->b->insns[ra->cur].args[k];
    return is_global(r) || (ra->across[ra->cur] & (1u << k));
}

/* The first register of a nonempty mask, one that no op clobbers if it
 * has one (be_desc.op_scratch). */
static int first_reg(uint64_t m)
{
    uint64_t calm = m & ~be_host.op_scratch;
    return __builtin_ctzll(calm ? calm : m);
}

/* A free register, preferring ones outside `avoid`, then ones in `pref`;
 * evicts if needed. */
static int alloc_reg_pref(uint64_t avoid, uint64_t pref)
{
    uint64_t fr = be_host.alloc_mask & ~occupied() & ~ra->locked & ~ra->forbid;
    if (fr & ~avoid & pref)
        return first_reg(fr & ~avoid & pref);
    if (fr & ~avoid)
        return first_reg(fr & ~avoid);
    if (fr & pref)
        return first_reg(fr & pref);
    if (fr)
        return first_reg(fr);
    int reg = choose_victim();
    if (reg < 0)
        return borrow_pinned_reg();
    evict_reg(reg);
    return reg;
}

/* Whether alloc_reg_pref can give a register now (free, or one to evict). */
static bool reg_obtainable(void)
{
    uint64_t open = be_host.alloc_mask & ~ra->locked & ~ra->forbid;
    return (open & ~occupied()) || (open & ~ra->scratch & ra->owned);
}

/* The value sharing (or borrowing) pinned register reg, if any, moves to
 * one of its own: the global's value there is about to change.  The move
 * comes before the current insn, so it must not land in any of its
 * inputs' registers. */
static void unshare(int reg)
{
    ir_ref t = ra->owner[reg];
    if (t == IR_NONE)
        return;
    uint64_t locked = ra->locked;
    ra->locked |= ra->in_regs;
    if (!reg_obtainable()) {            /* every register is an input of this insn */
        ra->locked = locked;
        save_value(t);                  /* the temp lives on in its spill slot */
        ra->owner[reg] = IR_NONE;
        ra->owned &= ~bit(reg);
        set_reg(t, -1);
        return;
    }
    int to = alloc_reg_pref(0, preferred(false));
    ra->locked = locked;
    be_emit_mov(ra->c, to, reg);
    ra->owner[reg] = IR_NONE;
    ra->owned &= ~bit(reg);
    bind(t, to);
}

/* A value's register if it is an allocatable one it may be redefined in
 * (not a pinned register it shares), else -1. */
static int own_reg(ir_ref r)
{
    int reg = ra->v[r].reg;
    return reg >= 0 && (be_host.alloc_mask & bit(reg)) ? reg : -1;
}

/* A register for something dead after this insn (a materialised constant). */
static int alloc_scratch_reg(void) { return alloc_reg_pref(0, preferred(false)); }

/* ---- bringing values into registers ---- */

static void load_value(ir_ref r, int reg)
{
    uint64_t imm;
    if (known_const(r, &imm))
        be_emit_movi(ra->c, reg, imm);
    else if (is_global(r) && ra->v[r].pin1)
        be_emit_mov(ra->c, reg, pinned_reg(ra->v[r].pin1 - 1));
    else if (ra->v[r].reg >= 0)
        be_emit_mov(ra->c, reg, ra->v[r].reg);
    else if (is_global(r))
        be_emit_ld_env(ra->c, reg, val(r)->env_offset);
    else if (ra->v[r].slot >= 0)
        be_emit_ld_env(ra->c, reg, TR_OFFSET_SPILL(ra->v[r].slot));
    /* else: a temp read before any write; its value is undefined */
}

static int value_in_reg(ir_ref r, int k)
{
    if (ra->v[r].reg >= 0)
        return ra->v[r].reg;
    if (is_pinned(r))
        unshare(pinned_reg(r));
    int reg = is_pinned(r) ? pinned_reg(r) : alloc_reg_pref(0, preferred(arg_long_lived(k)));
    load_value(r, reg);
    bind(r, reg);
    if (!ra->v[r].is_const && !ra->v[r].pin1)
        ra->v[r].dirty = false;
    ra->v[r].is_const = false;
    ra->v[r].pin1 = 0;
    return reg;
}

static struct be_arg input_arg(const struct ir_insn *i, int k)
{
    int ak = ir_op_info[i->op].n_out + k;
    ir_ref r = i->args[ak];
    uint64_t imm;
    if (known_const(r, &imm)) {
        enum be_imm_class cls = (enum be_imm_class)be_host.constraints[i->op].imm[k];
        if (cls != BE_IMM_NONE && be_imm_fits(cls, i, imm))
            return (struct be_arg){ .is_const = true, .reg = -1, .imm = imm };
        int reg = alloc_scratch_reg();
        be_emit_movi(ra->c, reg, imm);
        ra->scratch |= bit(reg);
        return (struct be_arg){ .reg = (int8_t)reg };
    }
    int reg = value_in_reg(r, ak);
    ra->locked |= bit(reg);
    return (struct be_arg){ .reg = (int8_t)reg };
}

/* ---- outputs ---- */

static bool dies_here(int n, int k) { return ra->dies[n] & (1u << k); }

static void release_dying_inputs(int n, const struct ir_insn *i)
{
    int nout = ir_op_info[i->op].n_out, nin = ir_op_info[i->op].n_in;
    if (!(ra->dies[n] >> nout))         /* (most ops: no input dies) */
        return;
    for (int k = nout; k < nout + nin; k++) {
        if (!dies_here(n, k))
            continue;
        if (ra->v[i->args[k]].reg >= 0)
            ra->locked &= ~bit(ra->v[i->args[k]].reg);
        unbind(i->args[k]);
        drop_slot(i->args[k]);
    }
}

static bool is_commutative(enum ir_op op)
{
    return op == IR_add || op == IR_mul || op == IR_and || op == IR_or || op == IR_xor ||
           op == IR_addf || op == IR_andf;
}

/* A register of input k that nothing needs after this insn, or -1 (a
 * pinned global's register is never free). */
static int free_input_reg(const struct ir_insn *i, const struct be_arg *in, int k)
{
    if (k >= ir_op_info[i->op].n_in || in[k].is_const)
        return -1;
    int reg = in[k].reg;
    return (be_host.alloc_mask & bit(reg)) && ra->owner[reg] == IR_NONE ? reg : -1;
}

/* A free register of the kind `pref` asks for, or -1. */
static bool pref_reg_free(uint64_t pref)
{
    return (be_host.alloc_mask & ~occupied() & ~ra->locked & ~ra->forbid & pref) != 0;
}

/* Insns that neither read a pinned global nor any temp: guest insn
 * boundaries and constants stored to pinned globals (`mov cc_op, $k`). */
static bool reads_nothing(const struct ir_insn *i)
{
    return i->op == IR_insn_start || i->op == IR_fault_sp ||
           (i->op == IR_mov && is_pinned(i->args[0]) && ir_is_const(ra->b, i->args[1]));
}

/* Whether insn i names r (as an input or an output). */
static bool names(const struct ir_insn *i, ir_ref r)
{
    int n = ir_op_info[i->op].n_out + ir_op_info[i->op].n_in;
    for (int k = 0; k < n && k < IR_MAX_ARGS; k++)
        if (i->args[k] == r)
            return true;
    return false;
}

/* A register-only op: no call, exit, vector or memory access, nothing
 * that can fault or look at the guest state (`pop rbx`'s rsp update
 * between its load and `mov rbx, t`). */
static bool register_only(const struct ir_insn *i)
{
    uint16_t fl = ir_op_info[i->op].flags;
    if (fl & (IR_F_CALL | IR_F_BRANCH | IR_F_EXIT | IR_F_VEC | IR_F_SIDE))
        return false;
    switch (i->op) {
    case IR_ld: case IR_st: case IR_ldx: case IR_stx: case IR_ld_env: case IR_st_env:
        return false;
    default:
        return true;
    }
}

/* The pinned global g a temp d defined by the current insn is copied to
 * next (`mov g, d`, with only insns that read nothing, or register-only
 * ops not naming d, in between, and none naming g): computing d in g's
 * register saves that copy, and nothing looks at g in between.  IR_NONE
 * when there is none. */
static ir_ref pinned_destination(ir_ref d)
{
    int m = ra->cur + 1, n = ra->b->n_insns;
    if (!is_temp(d))
        return IR_NONE;
    for (int k = m; k < n && k < m + 8; k++) {     /* the copy, near */
        const struct ir_insn *mv = &ra->b->insns[k];
        if (mv->op == IR_mov && mv->args[1] == d && is_pinned(mv->args[0])) {
            for (int j = m; j < k; j++)
                if (names(&ra->b->insns[j], mv->args[0]))
                    return IR_NONE;
            return mv->args[0];
        }
        if (!reads_nothing(mv) && (!register_only(mv) || names(mv, d)))
            return IR_NONE;
    }
    return IR_NONE;
}

/* A pinned global's register, about to receive a new value. */
static int pinned_output(ir_ref g)
{
    unshare(pinned_reg(g));
    return pinned_reg(g);
}

static unsigned const_inputs(const struct ir_insn *i);

/* The registers the ops after the current one clobber (be_desc.op_clobbers)
 * up to the next that names d (a few ahead at most): a register outside
 * them keeps d where it is until it is read. */
static uint64_t clobbered_before_use(ir_ref d)
{
    uint64_t m = 0;
    if (!be_host.op_clobbers)
        return 0;
    for (int k = ra->cur + 1; k < ra->b->n_insns && k <= ra->cur + 6; k++) {
        const struct ir_insn *i = &ra->b->insns[k];
        if (i->op == IR_insn_start)
            continue;
        if (i->op != IR_mov && i->op != IR_call)
            m |= be_host.op_clobbers(ra->c, i, const_inputs(i));
        if (names(i, d))
            break;
    }
    return m;
}

/* Output register: a pinned global's own (or that of the pinned global
 * the output is copied to next), else input 0's if it dies (two-address
 * hosts like that), else the output's own, else a commutative partner's,
 * else a fresh one.  A dying input's register is passed over when it is
 * of the wrong kind for the output (see preferred()) and one of the right
 * kind is free. */
static int output_reg(const struct ir_insn *i, const struct be_arg *in, ir_ref d)
{
    if (is_pinned(d))
        return pinned_output(d);
    ir_ref g = pinned_destination(d);
    if (g != IR_NONE)
        return pinned_output(g);
    uint64_t pref = preferred(arg_long_lived(0));
    bool picky = pref_reg_free(pref);
    int reg = free_input_reg(i, in, 0);
    if (reg >= 0 && (!picky || (pref & bit(reg))))
        return reg;
    if (own_reg(d) >= 0)
        return own_reg(d);
    if (is_commutative((enum ir_op)i->op) && (reg = free_input_reg(i, in, 1)) >= 0
        && (!picky || (pref & bit(reg))))
        return reg;
    uint64_t in_regs = 0;
    for (int k = 0; k < ir_op_info[i->op].n_in; k++)
        if (!in[k].is_const)
            in_regs |= bit(in[k].reg);
    return alloc_reg_pref(in_regs | clobbered_before_use(d), pref);
}

/* Where an output d goes when no input's register is taken over: a
 * pinned global's own register (where `keep`, the value it gets, may
 * already be), the register d is cached in, or a new one. */
static int dest_reg(ir_ref d, ir_ref keep)
{
    if (is_pinned(d) && ra->owner[pinned_reg(d)] == keep && keep != IR_NONE)
        return pinned_reg(d);
    if (is_pinned(d))
        return pinned_output(d);
    if (own_reg(d) >= 0)
        return own_reg(d);
    return alloc_reg_pref(clobbered_before_use(d), preferred(arg_long_lived(0)));
}

/* d now lives (only) in reg. */
static void define(ir_ref d, int reg)
{
    if (ra->v[d].reg != reg)
        unbind(d);
    ra->scratch &= ~bit(reg);
    drop_slot(d);
    bind(d, reg);
    ra->v[d].dirty = is_global(d);
    if (is_global(d) && !is_pinned(d))
        ra->maybe_dirty |= bit(d);
    ra->v[d].is_const = false;
    ra->v[d].pin1 = 0;
}

static void finish_output(int n, ir_ref d)
{
    if (dies_here(n, 0))
        unbind(d);
}

/* ---- globals at exits and calls ---- */

/* Stores a constant global with the backend's st_env (as an immediate
 * when its constraint table allows). */
static void store_const_global(ir_ref g)
{
    struct ir_insn st = { .op = IR_st_env, .size = IR_MO_64, .aux = { val(g)->env_offset },
                          .args = { IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE } };
    struct be_arg in[1] = { { .is_const = true, .reg = -1, .imm = ra->v[g].imm } };
    enum be_imm_class cls = (enum be_imm_class)be_host.constraints[IR_st_env].imm[0];
    if (cls == BE_IMM_NONE || !be_imm_fits(cls, &st, ra->v[g].imm)) {
        in[0] = (struct be_arg){ .reg = (int8_t)alloc_scratch_reg() };
        be_emit_movi(ra->c, in[0].reg, ra->v[g].imm);
    }
    be_emit_insn(ra->c, &st, NULL, in);
}

static void sync_global(ir_ref g)
{
    if (!ra->v[g].dirty)
        return;
    if (ra->v[g].pin1)
        be_emit_st_env(ra->c, pinned_reg(ra->v[g].pin1 - 1), val(g)->env_offset);
    else if (ra->v[g].is_const)
        store_const_global(g);
    else if (ra->v[g].reg >= 0)
        be_emit_st_env(ra->c, ra->v[g].reg, val(g)->env_offset);
    ra->v[g].dirty = false;
    ra->v[g].pin1 = 0;
}

/* Writes back the pinned globals of `which` (bit k: global k) that are
 * newer in their registers than in env. */
static void sync_pinned(uint64_t which)
{
    uint64_t m = 0;
    for (uint64_t p = ra->pinned & which; p; p &= p - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(p);
        if (ra->v[g].reg >= 0 && ra->v[g].dirty) {
            m |= bit(g);
            ra->v[g].dirty = false;
        }
    }
    if (m)
        be_emit_pinned(ra->c, false, m, ra->b->values);
}

/* Every pinned global that is only in env goes back into its register;
 * a deferred one (pin_deferred) is put there, unless `keep_deferred` (the
 * block's final exit_indirect hands it to the backend: be_code.lazy) --
 * its register is emptied all the same, the exit's move lands there. */
static void reload_pinned(bool keep_deferred)
{
    uint64_t m = ra->pinned & ~ra->pin_in_reg;
    if (!m)
        return;
    for (uint64_t p = m; p; p &= p - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(p);
        if (!pin_deferred(g))
            continue;
        m &= ~bit(g);
        unshare(pinned_reg(g));
        if (!keep_deferred)
            value_in_reg(g, 0);         /* (a move: dirty as before) */
    }
    if (!m)
        return;
    for (uint64_t p = m; p; p &= p - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(p);
        unshare(pinned_reg(g));
        ra->v[g] = (struct ra_value){ .reg = (int8_t)pinned_reg(g), .slot = -1 };
    }
    ra->pin_in_reg |= m;
    be_emit_pinned(ra->c, true, m, ra->b->values);
}

/* Before a block's final exit_indirect (lazy_mask): the dirty globals of
 * ra->lazy go to the backend (be_code.lazy), which stores them unless the
 * target's entry is dead; the others go home as at any exit.  Their
 * registers stay theirs: nothing is allocated between here and the exit
 * (its clobbers were evacuated first, clear_clobbered). */
static void sync_unpinned_but_lazy(void)
{
    struct be_code *c = ra->c;
    c->n_lazy = 0;
    for (uint64_t m = ra->maybe_dirty; m; m &= m - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(m);
        ra->maybe_dirty &= ~bit(g);
        struct ra_value *v = &ra->v[g];
        if (!is_lazy(g) || !v->dirty || c->n_lazy >= 4 || (!v->is_const && v->reg < 0 && !v->pin1)) {
            sync_global(g);
            continue;
        }
        int reg = v->is_const ? -1 : v->pin1 ? pinned_reg(v->pin1 - 1) : v->reg;
        c->lazy[c->n_lazy++] = (struct be_lazy){ val(g)->env_offset, (int8_t)reg, -1, v->imm };
        v->dirty = false;
        v->pin1 = 0;
    }
    /* Deferred pinned ones (emptied registers: reload_pinned), to be moved
     * there unless the target's entry is dead. */
    for (uint64_t m = ra->pinned & ra->lazy & ~ra->pin_in_reg; m; m &= m - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(m);
        struct ra_value *v = &ra->v[g];
        if (!pin_deferred(g))
            continue;
        if (c->n_lazy >= 4)
            ra_fatal("more than four lazy globals");
        int reg = v->is_const ? -1 : pinned_reg(v->pin1 - 1);
        c->lazy[c->n_lazy++] = (struct be_lazy){ val(g)->env_offset, (int8_t)reg,
                                                 (int8_t)pinned_reg(g), v->imm };
    }
}

/* Before an exit: unpinned globals go home (pinned ones must be in their
 * registers, see emit_generic). */
static void sync_unpinned(void)
{
    for (uint64_t m = ra->maybe_dirty; m; m &= m - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(m);
        sync_global(g);                 /* (clean: nothing to store) */
        ra->maybe_dirty &= ~bit(g);
    }
}

/* Before a helper that looks at the CPU state: env gets every global. */
static void sync_globals(void)
{
    sync_pinned(~0ull);
    for (uint64_t p = ra->pinned & ra->lazy & ~ra->pin_in_reg; p; p &= p - 1)
        if (pin_deferred((ir_ref)__builtin_ctzll(p)))
            sync_global((ir_ref)__builtin_ctzll(p));
    sync_unpinned();
}

/* After such a helper: env is the truth (pinned globals are reloaded
 * from it when next needed). */
static void forget_globals(void)
{
    for (ir_ref g = 0; g < ra->b->n_globals; g++) {
        unbind(g);
        ra->v[g].is_const = false;
    }
}

/* A global written for the last time in this block goes home at once and
 * frees its register; the exit would have stored it anyway. */
static inline void write_through_if_last(int n, ir_ref d)
{
    /* (globals are the block's first values: no look at the value) */
    if (d >= ra->b->n_globals || is_pinned(d) || n < ra->last_use[d] || is_lazy(d))
        return;
    sync_global(d);
    unbind(d);
}

/* ---- fault points ---- */

static void record_entry(ir_ref g)
{
    struct ra_fault_map *m = ra->faults;
    if (m->n_entries >= RA_FAULT_MAX_ENTRIES) {
        m->overflow = true;
        return;
    }
    int reg = ra->v[g].is_const ? -1 : ra->v[g].pin1 ? pinned_reg(ra->v[g].pin1 - 1) : ra->v[g].reg;
    m->entries[m->n_entries++] = (struct ra_fault_entry){
        .env_offset = val(g)->env_offset, .reg = (int8_t)reg, .imm = ra->v[g].imm };
}

/* The stack pointer's pending update (IR_fault_sp), added last. */
static void record_sp_adjust(void)
{
    struct ra_fault_map *m = ra->faults;
    if (!ra->sp_adjust)
        return;
    if (m->n_entries >= RA_FAULT_MAX_ENTRIES || ra->b->sp == IR_NONE) {
        m->overflow = true;
        return;
    }
    m->entries[m->n_entries++] = (struct ra_fault_entry){
        .env_offset = val(ra->b->sp)->env_offset, .reg = RA_FAULT_ADD,
        .imm = (uint64_t)ra->sp_adjust };
}

/* The dirty unpinned globals, and the deferred pinned ones (pin_deferred:
 * neither their register nor env holds them); then the stack pointer's
 * pending update. */
static void record_dirty_entries(void)
{
    for (uint64_t d = ra->maybe_dirty; d; d &= d - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(d);
        if (ra->v[g].dirty)
            record_entry(g);
    }
    for (uint64_t d = ra->pinned & ra->lazy & ~ra->pin_in_reg; d; d &= d - 1)
        if (pin_deferred((ir_ref)__builtin_ctzll(d)))
            record_entry((ir_ref)__builtin_ctzll(d));
    record_sp_adjust();
}

bool be_fault_note_vec(int32_t env_offset, int v)
{
    struct ra_fault_map *m = ra ? ra->faults : NULL;
    struct ra_fault_point *p = ra ? ra->cur_point : NULL;
    if (!m || !p || v < 0 || v >= 16 || p->count >= 48 || m->n_entries >= RA_FAULT_MAX_ENTRIES ||
        p->first + p->count != (uint32_t)m->n_entries)
        return false;
    m->entries[m->n_entries++] = (struct ra_fault_entry){ .env_offset = env_offset,
                                                          .reg = (int8_t)(BE_FAULT_VREG + 2 * v) };
    p->count++;
    return true;
}

bool be_fault_point_here(const struct be_code *c)
{
    struct ra_fault_map *m = ra ? ra->faults : NULL;
    if (!m || ra->cur_point || m->n_points >= IR_MAX_INSNS || ra->c != c)
        return false;
    struct ra_fault_point *p = &m->points[m->n_points++];
    *p = (struct ra_fault_point){ .first = (uint32_t)m->n_entries, .guest_pc = ra->guest_pc,
                                  .pinned = ra->pin_in_reg,
                                  .host_off = (uint32_t)(c->ptr - c->start) };
    record_dirty_entries();
    p->count = (uint32_t)m->n_entries - p->first;
    ra->cur_point = p;
    return true;
}

void be_fault_code_cut(uint32_t at, uint32_t len)
{
    struct ra_fault_map *m = ra ? ra->faults : NULL;
    for (int k = m ? m->n_points - 1 : -1; k >= 0 && m->points[k].host_off >= at; k--)
        m->points[k].host_off -= len;
}

/* The ops that access guest memory (each gets a fault point). */
static bool guest_access(unsigned op)
{
    switch (op) {
    case IR_ld: case IR_st: case IR_ldx: case IR_stx: case IR_atomic_rmw: case IR_atomic_cas:
    case IR_vld: case IR_vst: case IR_canon_test:
        return true;
    default:
        return false;
    }
}

/* A load whose bytes its own guest instruction stores later, through the
 * same address value not redefined in between: the read of a
 * read-modify-write (x86 `add [m], r`, bts, cmpxchg).  The CPU accesses
 * such an operand for writing from the start, so a fault on the read is a
 * write fault (x86: W in REG_ERR, on an unmapped or PROT_NONE page too).
 * Translation time only: a look at the rest of the guest instruction. */
static bool read_for_write(const struct ir_insn *i)
{
    bool indexed = i->op == IR_ldx;
    if (i->op != IR_ld && !indexed)
        return false;
    const struct ir_block *b = ra->b;
    ir_ref a = i->args[1], x = indexed ? i->args[2] : IR_NONE;
    for (int k = ra->cur + 1; k < b->n_insns; k++) {
        const struct ir_insn *s = &b->insns[k];
        if (s->op == IR_insn_start)
            return false;
        if (s->op == (indexed ? IR_stx : IR_st) && s->args[0] == a &&
            (!indexed || (s->args[2] == x && s->aux[1] == i->aux[1])) && s->aux[0] == i->aux[0] &&
            (s->size & IR_MO_SIZE) == (i->size & IR_MO_SIZE))
            return true;
        if (ir_op_info[s->op].n_out && (s->args[0] == a || (indexed && s->args[0] == x)))
            return false;
    }
    return false;
}

/* Snapshot of the dirty globals before a guest memory access; its host
 * offset is filled in right before the access is emitted. */
static struct ra_fault_point *record_point(const struct ir_insn *i)
{
    struct ra_fault_map *m = ra->faults;
    if (!m || !guest_access(i->op) || m->n_points >= IR_MAX_INSNS)
        return NULL;
    struct ra_fault_point *p = &m->points[m->n_points++];
    *p = (struct ra_fault_point){ .first = (uint32_t)m->n_entries, .guest_pc = ra->guest_pc,
                                  .write = (i->op != IR_ld && i->op != IR_ldx &&
                                            i->op != IR_vld && i->op != IR_canon_test) ||
                                           read_for_write(i),
                                  .pinned = ra->pin_in_reg };
    record_dirty_entries();
    p->count = (uint32_t)m->n_entries - p->first;
    return p;
}

/* A backend may merge an access into the one before it (AArch64: a push
 * or pop pair as one stp/ldp, when the next op folds into the second):
 * that op takes code back, to or before where the newest point's access
 * started.  That point moves halfway into the pair's word, an offset no
 * instruction starts at: only a handler that splits a faulting pair
 * looks it up there (be_fault_split), and every real pc still finds the
 * point it found before. */
static void merged_point_into_pair(void)
{
    struct ra_fault_map *m = ra->faults;
    uint32_t end = (uint32_t)(ra->c->ptr - ra->c->start);
    if (m && m->n_points && m->points[m->n_points - 1].host_off >= end && end >= 4)
        m->points[m->n_points - 1].host_off = end - 2;
}

/* ---- per-op emission ---- */

/* Pinned globals go back into their registers (an exit's, or the ones
 * this insn reads) before any input is placed: that may move a temp
 * sharing such a register, which must not be an input placed already. */
static void reload_pinned_for(const struct ir_insn *i)
{
    const struct ir_op_info *info = &ir_op_info[i->op];
    if (info->flags & (IR_F_EXIT | IR_F_BRANCH)) {
        reload_pinned(i->op == IR_exit_indirect && ra->lazy);
        return;
    }
    if (ra->pin_in_reg == ra->pinned)   /* (as most of the time) */
        return;
    for (int k = info->n_out; k < info->n_out + info->n_in; k++)
        if (is_pinned(i->args[k]) && ra->v[i->args[k]].reg < 0)
            value_in_reg(i->args[k], k);
}

/* Values in the registers of `clob` move to other allocatable ones
 * outside it (and outside ra->forbid), or go to memory; clean globals
 * are just dropped. */
static void evacuate_regs(uint64_t clob)
{
    for (uint64_t m = clob & ra->owned; m; m &= m - 1) {
        int reg = __builtin_ctzll(m);
        ir_ref r = ra->owner[reg];
        uint64_t fr = be_host.alloc_mask & ~clob & ~ra->forbid & ~occupied();
        int to = -1;
        if (is_global(r) && !ra->v[r].dirty) {
            unbind(r);
            continue;
        }
        if (is_lazy(r)) {                   /* a store it would need anyway */
            sync_global(r);
            unbind(r);
            continue;
        }
        if (fr)
            to = first_reg(fr);
        else if (reg_obtainable())          /* a cheaper victim (a clean global) */
            to = alloc_reg_pref(0, preferred(false));
        if (to < 0) {
            evict_reg(reg);
            continue;
        }
        be_emit_mov(ra->c, to, reg);
        unbind(r);
        bind(r, to);
    }
}

/* Bit k: input k of i is a known constant (be_desc.op_clobbers). */
static unsigned const_inputs(const struct ir_insn *i)
{
    const struct ir_op_info *info = &ir_op_info[i->op];
    unsigned m = 0;
    uint64_t imm;
    for (int k = 0; k < info->n_in; k++)
        if (known_const(i->args[info->n_out + k], &imm))
            m |= 1u << k;
    return m;
}

/* The op's clobbered allocatable registers are emptied and kept out of
 * its operands (ra->forbid, until the next insn). */
static void clear_clobbered(const struct ir_insn *i)
{
    if (!be_host.op_clobbers)
        return;
    ra->forbid = be_host.op_clobbers(ra->c, i, const_inputs(i)) & be_host.alloc_mask;
    if (ra->forbid & ra->owned)
        evacuate_regs(ra->forbid);
}

static void emit_generic(int n, const struct ir_insn *i)
{
    const struct ir_op_info *info = &ir_op_info[i->op];
    struct be_arg in[5] = { 0 }, out[1] = { 0 };
    clear_clobbered(i);
    reload_pinned_for(i);
    for (int k = 0; k < info->n_in; k++)
        in[k] = input_arg(i, k);
    ra->in_regs = ra->locked | ra->scratch;
    if (i->op == IR_exit_indirect && ra->lazy)
        sync_unpinned_but_lazy();
    else if (info->flags & (IR_F_EXIT | IR_F_BRANCH))
        sync_unpinned();
    release_dying_inputs(n, i);
    struct ra_fault_point *fp = record_point(i);
    if (info->n_out) {
        out[0].reg = (int8_t)output_reg(i, in, i->args[0]);
        define(i->args[0], out[0].reg);
    }
    uint64_t kept = ra->owned | ra->homes;
    for (int k = 0; k < info->n_in; k++)
        in[k].dead = !in[k].is_const && !(kept & bit(in[k].reg));
    if (fp)
        fp->host_off = (uint32_t)(ra->c->ptr - ra->c->start);
    uint8_t *before = ra->c->ptr;
    ra->cur_point = fp;
    be_emit_insn(ra->c, i, out, in);
    ra->cur_point = NULL;
    if (fp && ra->c->access_back)           /* the access starts before `before` */
        fp->host_off -= ra->c->access_back;
    ra->c->access_back = 0;
    if (ra->c->ptr < before && !fp)
        merged_point_into_pair();
    if (info->n_out) {
        finish_output(n, i->args[0]);
        write_through_if_last(n, i->args[0]);
    }
}

/* mov: often just a change of ownership, never an allocation for a dying
 * source. */
/* d = constant: globals just remember it (stored as an immediate later);
 * pinned ones get it in their register, but a lazy one's last write
 * (pin_deferred). */
static bool emit_mov_const_global(int n, ir_ref d, ir_ref s)
{
    uint64_t imm;
    if (!is_global(d) || !known_const(s, &imm))
        return false;
    if (is_pinned(d) && (!is_lazy(d) || n < ra->last_use[d]))
        return false;
    unbind(d);
    ra->v[d] = (struct ra_value){ .reg = -1, .slot = -1, .dirty = true, .is_const = true, .imm = imm };
    if (!is_pinned(d))                  /* (a pinned one: pin_deferred) */
        ra->maybe_dirty |= bit(d);
    write_through_if_last(n, d);
    return true;
}

/* A global's last write from a value already in a register: store it
 * straight from there. */
static bool emit_mov_store_global(int n, ir_ref d, ir_ref s, int sreg)
{
    if (sreg < 0 || !is_global(d) || is_pinned(d) || n < ra->last_use[d])
        return false;
    /* A lazy global stays unstored (lazy_mask) where that costs no copy:
     * its value's register becomes its own. */
    if (is_lazy(d) && dies_here(n, 1) && own_reg(s) >= 0)
        return false;
    unbind(d);
    ra->v[d].is_const = ra->v[d].dirty = false;
    be_emit_st_env(ra->c, sreg, val(d)->env_offset);
    return true;
}

/* A global copied and named again later in the block (mov rdi, rsp; then
 * rsp - 8) comes into its own register first: one load serves both. */
static void keep_global_source(int n, ir_ref s)
{
    uint64_t imm;
    if (is_global(s) && !is_pinned(s) && ra->v[s].reg < 0 && !known_const(s, &imm) &&
        n < ra->last_read[s])
        value_in_reg(s, 1);
}

/* A lazy global's last write (ra->lazy) from a value that is a pinned
 * global's, in that global's register, which the rest of the block
 * neither writes nor hands to a call: the exit stores it from there
 * (be_code.lazy) instead of a copy into a register of its own.  Should
 * the pinned global leave its register first (borrowed), the store is
 * made then (alias_keep). */
static bool lazy_alias(int n, ir_ref d, ir_ref s)
{
    int sreg = ir_is_const(ra->b, s) ? -1 : ra->v[s].reg;
    if (!is_lazy(d) || n < ra->last_use[d] || sreg < 0 || !(ra->homes & bit(sreg)))
        return false;
    ir_ref p = IR_NONE;
    for (uint64_t m = ra->pinned & ra->pin_in_reg; m; m &= m - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(m);
        if (pinned_reg(g) == sreg)
            p = g;
    }
    if (p == IR_NONE || p == d || ra->v[p].reg != sreg)
        return false;
    for (int k = n + 1; k < ra->b->n_insns; k++) {
        const struct ir_insn *i = &ra->b->insns[k];
        if (i->op == IR_call || (ir_op_info[i->op].n_out && i->args[0] == p))
            return false;
    }
    unbind(d);
    ra->v[d] = (struct ra_value){ .reg = -1, .slot = -1, .dirty = true, .pin1 = (int8_t)(p + 1) };
    if (!is_pinned(d))
        ra->maybe_dirty |= bit(d);
    ra->alias_on |= bit(p);
    if (is_temp(s) && dies_here(n, 1)) {
        unbind(s);
        drop_slot(s);
    }
    return true;
}

/* Pinned global p leaves its register: the lazy globals whose value it
 * holds are stored from there now. */
static void alias_keep(ir_ref p)
{
    ra->alias_on &= ~bit(p);
    for (uint64_t m = ra->lazy; m; m &= m - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(m);
        if (ra->v[g].pin1 == p + 1)
            sync_global(g);
    }
}

static void emit_mov(int n, const struct ir_insn *i)
{
    ir_ref d = i->args[0], s = i->args[1];
    if (emit_mov_const_global(n, d, s) || lazy_alias(n, d, s))
        return;
    keep_global_source(n, s);
    int sreg = ir_is_const(ra->b, s) ? -1 : ra->v[s].reg;
    if (emit_mov_store_global(n, d, s, sreg)) {
        if (dies_here(n, 1)) {
            unbind(s);
            drop_slot(s);
        }
        return;
    }
    /* A dying source's register becomes d's -- unless d is a pinned global,
     * or an unpinned one and the register a pinned one's that s shares. */
    bool movable = !is_pinned(d) && (is_temp(d) || own_reg(s) >= 0);
    if (sreg >= 0 && dies_here(n, 1) && movable) {
        unbind(s);
        drop_slot(s);
        define(d, sreg);
    } else {
        if (sreg >= 0)
            ra->locked |= bit(sreg);
        ra->in_regs = ra->locked;
        int dreg = dest_reg(d, s);
        load_value(s, dreg);
        if (dies_here(n, 1)) {
            unbind(s);
            drop_slot(s);
        }
        define(d, dreg);
    }
    finish_output(n, d);
    write_through_if_last(n, d);
}

/* Pinned globals in registers a C call destroys go home (if newer there)
 * and stay only in env until next needed (forget_clobbered_pinned, once
 * the call's arguments are placed: until then they are read from their
 * registers, which are no argument registers). */
static uint64_t evacuate_pinned(void)
{
    uint64_t m = ra->pin_clobbered;
    for (uint64_t p = m; p; p &= p - 1)
        unshare(pinned_reg((ir_ref)__builtin_ctzll(p)));
    sync_pinned(m);
    return m;
}

static void forget_clobbered_pinned(uint64_t m)
{
    for (uint64_t p = m; p; p &= p - 1)
        set_reg((ir_ref)__builtin_ctzll(p), -1);
}

/* Values in registers a C call destroys move to a free preserved register
 * or go to memory. */
static uint64_t evacuate_for_call(void)
{
    uint64_t pinned = evacuate_pinned();
    uint64_t clob = be_host.call_clobbered & be_host.alloc_mask;
    for (int reg = 0; reg < be_host.n_regs; reg++) {
        ir_ref r = ra->owner[reg];
        if (!(clob & bit(reg)) || r == IR_NONE)
            continue;
        uint64_t fr = be_host.alloc_mask & ~clob & ~occupied();
        if (is_global(r) && !ra->v[r].dirty)
            unbind(r);
        else if (fr) {
            int to = __builtin_ctzll(fr);
            be_emit_mov(ra->c, to, reg);
            unbind(r);
            bind(r, to);
        } else
            evict_reg(reg);
    }
    return pinned;
}

/* Pinned globals whose registers take this call's arguments are read
 * from env while the arguments are placed (placing one could overwrite
 * another's source); evacuate_pinned stored them there, as they are in
 * call-clobbered registers (backend.h). */
static void forget_pinned_in_args(int n_args)
{
    uint64_t args = 0;
    for (int k = 0; k < n_args; k++)
        args |= bit(be_host.call_args[1 + k]);
    for (uint64_t p = ra->pin_clobbered & ra->pin_in_reg; p; p &= p - 1) {
        ir_ref g = (ir_ref)__builtin_ctzll(p);
        if (args & bit(pinned_reg(g)))
            set_reg(g, -1);
    }
}

static void place_call_args(const struct ir_insn *i, int n_args)
{
    forget_pinned_in_args(n_args);
    for (int k = 0; k < n_args; k++)
        load_value(i->args[1 + k], be_host.call_args[1 + k]);
}

static void define_call_result(int n, ir_ref d)
{
    int ret = be_host.call_ret;
    if ((be_host.alloc_mask & bit(ret)) && !is_pinned(d)) {
        define(d, ret);
    } else {
        ra->in_regs = bit(ret);
        int reg = dest_reg(d, IR_NONE);
        be_emit_mov(ra->c, reg, ret);
        define(d, reg);
    }
    finish_output(n, d);
    write_through_if_last(n, d);
}

static void emit_call(int n, const struct ir_insn *i)
{
    const struct ir_helper *h = (const struct ir_helper *)(intptr_t)i->aux[0];
    bool rw = h->flags & (IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN);
    struct be_arg in[5] = { 0 }, out[1] = { { .reg = (int8_t)be_host.call_ret } };
    if (rw)
        sync_globals();
    uint64_t clobbered = evacuate_for_call();
    place_call_args(i, h->n_args);
    forget_clobbered_pinned(clobbered);
    release_dying_inputs(n, i);
    if (rw)
        forget_globals();
    be_emit_insn(ra->c, i, out, in);
    if (i->args[0] != IR_NONE)
        define_call_result(n, i->args[0]);
}

/* IR_discard: a dirty unpinned global's newer value is dropped unstored. */
static void discard_global(ir_ref g)
{
    if (!is_global(g) || is_pinned(g))
        return;
    unbind(g);
    ra->v[g].dirty = ra->v[g].is_const = false;
    ra->v[g].pin1 = 0;
}

static void emit_insn(int n, const struct ir_insn *i)
{
    ra->locked = ra->in_regs = 0;
    ra->scratch = ra->forbid = 0;
    ra->cur = n;
    if (i->op == IR_insn_start) {
        ra->guest_pc = (uint64_t)i->aux[0];
        return;
    }
    if (i->op == IR_fault_sp) {
        ra->sp_adjust = i->aux[0];
        return;
    }
    if (i->op == IR_mov)
        emit_mov(n, i);
    else if (i->op == IR_discard)
        discard_global(i->args[0]);
    else if (i->op == IR_call)
        emit_call(n, i);
    else
        emit_generic(n, i);
    if (ir_op_info[i->op].n_out && i->args[0] == ra->b->sp)
        ra->sp_adjust = 0;              /* the stack pointer is the guest's again */
}

/* Notes the last insn naming each global, and starts every other value
 * an insn names in no register and no slot: the optimizer leaves most of
 * a block's values unnamed, and clearing only these is cheaper. */
static void scan_operands(int n, const struct ir_insn *i)
{
    int nout = ir_op_info[i->op].n_out, nargs = nout + ir_op_info[i->op].n_in;
    for (int k = 0; k < nargs; k++) {       /* (args beyond these are IR_NONE) */
        ir_ref r = i->args[k];
        if (r < ra->b->n_globals) {
            ra->last_use[r] = n;
            if (k >= nout)
                ra->last_read[r] = n;
        } else if (r != IR_NONE)
            ra->v[r] = (struct ra_value){ .reg = -1, .slot = -1 };
    }
}

/* The globals a block ending in an unmarked exit_indirect keeps out of
 * write-through for its exit (be_desc.lazy_exit_stores): the frontend's
 * lazy flag state.  A ret marked for the return-address stack stores
 * them as before (its hit path knows nothing of the continuation). */
static uint64_t lazy_mask(const struct ir_block *b)
{
    const struct ir_insn *last = b->n_insns ? &b->insns[b->n_insns - 1] : NULL;
    if (!be_host.lazy_exit_stores || !last || last->op != IR_exit_indirect ||
        last->cond == IR_XFER_RET)
        return 0;
    return b->exit_lazy_globals;
}

/* A global as a block starts: in no register (copied, not built per global). */
static const struct ra_value ra_global_start[IR_MAX_GLOBALS] = {
    [0 ... IR_MAX_GLOBALS - 1] = { .reg = -1, .slot = -1 },
};

static void ra_reset(struct be_code *c, const struct ir_block *b)
{
    if (be_host.n_regs > RA_MAX_REGS)
        ra_fatal("backend has too many registers");
    ra->c = c;
    c->regs_held = &ra->owned;
    ra->b = b;
    ra->guest_pc = b->guest_pc;
    ra->sp_adjust = 0;
    if (ra->faults)
        ra->faults->n_points = ra->faults->n_entries = 0, ra->faults->overflow = false;
    /* (other values: as the insns name them) */
    memcpy(ra->v, ra_global_start, sizeof(ra->v[0]) * (size_t)b->n_globals);
    ra->n_pinned = be_host.n_pinned < b->n_globals ? be_host.n_pinned : b->n_globals;
    ra->pinned = ra->homes = ra->pin_clobbered = 0;
    for (ir_ref g = 0; g < ra->n_pinned; g++) {
        int reg = be_host.pinned_regs[g];
        if (reg < 0)
            continue;
        ra->pinned |= bit(g);
        ra->homes |= bit(reg);
        if (be_host.call_clobbered & bit(reg))
            ra->pin_clobbered |= bit(g);
        /* as the previous block left them */
        ra->v[g] = (struct ra_value){ .reg = (int8_t)reg, .slot = -1, .dirty = true };
    }
    ra->pin_in_reg = ra->pinned;
    ra->maybe_dirty = 0;
    ra->lazy = lazy_mask(b);
    ra->alias_on = 0;
    c->n_lazy = 0;
    memset(ra->owner, 0xff, sizeof(ra->owner));     /* IR_NONE */
    ra->owned = 0;
    memset(ra->last_use, 0xff, sizeof(ra->last_use[0]) * (size_t)b->n_globals);     /* -1 */
    memset(ra->last_read, 0xff, sizeof(ra->last_read[0]) * (size_t)b->n_globals);
    for (int n = 0; n < b->n_insns; n++)
        scan_operands(n, &b->insns[n]);
    ra->free_slots = TR_SPILL_SLOTS >= 64 ? ~0ull : bit(TR_SPILL_SLOTS) - 1;
    ra->evict_rr = 0;
    ra->spill_overflow = false;
}

bool ra_emit_block(struct ra_state *st, struct be_code *c, const struct ir_block *b)
{
    ra = st;
    ra_reset(c, b);
    ra_liveness_calls(b, ra->dies, ra->across);
    for (int n = 0; n < b->n_insns; n++) {
        if (c->ptr >= c->end || ra->spill_overflow)
            return false;
        emit_insn(n, &b->insns[n]);
    }
    return c->ptr < c->end && !ra->spill_overflow;
}

bool ra_spill_overflow(const struct ra_state *st) { return st->spill_overflow; }

void ra_fault_restore(void *env, const struct ra_fault_point *p,
                      const struct ra_fault_entry *entries, const struct ir_value *globals,
                      uint64_t (*reg)(const void *ctx, int r), const void *ctx)
{
    for (uint32_t k = p->first; k < p->first + p->count; k++) {
        const struct ra_fault_entry *e = &entries[k];
        if (e->reg == RA_FAULT_ADD)
            continue;
        uint64_t v = e->reg < 0 ? e->imm : reg(ctx, e->reg);
        memcpy((char *)env + e->env_offset, &v, sizeof(v));
        if (e->reg >= BE_FAULT_VREG) {      /* a host vector register: 16 bytes */
            v = reg(ctx, e->reg + 1);
            memcpy((char *)env + e->env_offset + 8, &v, sizeof(v));
        }
    }
    for (int g = 0; g < 64; g++)
        if (p->pinned & (1ull << g)) {
            uint64_t v = reg(ctx, be_host.pinned_regs[g]);
            memcpy((char *)env + globals[g].env_offset, &v, sizeof(v));
        }
    for (uint32_t k = p->first; entries && k < p->first + p->count; k++)
        if (entries[k].reg == RA_FAULT_ADD) {
            uint64_t v;
            memcpy(&v, (char *)env + entries[k].env_offset, sizeof(v));
            v += entries[k].imm;
            memcpy((char *)env + entries[k].env_offset, &v, sizeof(v));
        }
}
