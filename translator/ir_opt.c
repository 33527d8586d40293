/* ir_opt.c -- block-local optimisation: copy and constant propagation with
 * constant folding and a few algebraic identities (one forward pass), then
 * dead-code elimination (one backward pass).  Temps are not SSA, so a copy
 * "d == s" is forgotten as soon as d or s is written again; globals are
 * live at every exit and at calls that read CPU state.  64-bit env words
 * (ld_env/st_env) are forwarded from stores and earlier loads, and a store
 * of the value a word holds already goes.  A guest
 * address computed as `add_i64 t, x, imm` (or sub) folds into the ld/st
 * that uses it (aux[0] displacement), and one computed as x + (y << s) + imm
 * (s = 0..3, from `shl` and register adds) makes it an ldx/stx; the adds
 * and the shift then die if nothing else reads them.
 * An input that only its low N bits matter to (a 32-bit op's, a narrow
 * store's value, an extension's) reads through a zero/sign extension
 * `ext t, x` (or a deposit of x at bit 0) to x itself, so the extension
 * usually dies; the same extension of the same value twice is one. */
#include <string.h>

#include "ir_fold.h"

#define ENV_SLOTS 32

/* v == base + (index << scale) + disp; base or index may be IR_NONE (not
 * both: then there is no fact). */
struct addr_fact {
    ir_ref base, index;
    uint8_t scale;
    int32_t disp;
};

#define NO_FACT ((struct addr_fact){ .base = IR_NONE, .index = IR_NONE })

/* Facts "value d relates to value src[d]" (copies: equal; low bits: the
 * low low_bits[d] bits equal), with the values that have one listed so
 * that a write forgets them without a scan of every value. */
struct src_facts {
    ir_ref src[IR_MAX_VALUES];          /* IR_NONE: no fact */
    ir_ref active[IR_MAX_VALUES];       /* values with a src */
    int n;
};

struct opt_state {
    struct ir_block *b;
    struct src_facts copy;              /* value known equal to another */
    bool live[IR_MAX_VALUES];
    bool wide[IR_MAX_VALUES];           /* narrow_products: bits above 32 are read */
    uint8_t width[IR_MAX_VALUES];       /* bits above the low `width` known zero
                                           (64: nothing known) */
    bool dead[IR_MAX_INSNS];
    struct { int32_t off; ir_ref val; } env[ENV_SLOTS];  /* 64-bit env words known */
    int n_env;
    struct addr_fact addr[IR_MAX_VALUES];   /* value known as an address form */
    ir_ref addr_active[IR_MAX_VALUES];  /* values with an addr fact */
    int n_addr;
    struct src_facts low;               /* value whose low low_bits bits equal x's */
    uint8_t low_bits[IR_MAX_VALUES];
    uint16_t low_op[IR_MAX_VALUES];     /* the op that made the fact (ext_again) */
    uint16_t mentions[IR_MAX_VALUES];   /* copy, address and low-bits facts naming
                                           the value: none, nothing to forget */
};
/* The state of the ir_optimize call running on this thread: on its stack
 * (about 100 KB), so any number of engines and threads may optimise at once. */
static __thread struct opt_state *opt;

/* ---- the op table: what each pass step needs to know of an op, looked
 * up once per insn (defined here, so the compiler knows it never changes
 * while the passes write their state) ---- */

enum opt_step {
    OPT_NOP      = 1 << 0,      /* insn_start: no operands, nothing to do */
    OPT_REWRITE  = 1 << 1,      /* pure and not mov: folding, identities, extensions */
    OPT_ADDR     = 1 << 2,      /* add, sub, shl: may make an address fact */
    OPT_EXT      = 1 << 3,      /* an extension: low-bits facts, narrow inputs */
    OPT_ENV      = 1 << 4,      /* changes what is known of env */
    OPT_GUEST_MEM = 1 << 5,     /* ld/st/ldx/stx: may fault unless IR_MO_HOST */
    OPT_FAULTS   = 1 << 6,      /* always may fault (atomics, vector loads/stores) */
    OPT_EXITS    = 1 << 7,      /* exit or branch: every global is read */
    OPT_NARROW   = 1 << 8,      /* narrow_products may make a 64-bit one 32-bit */
    OPT_IN_BITS  = 1 << 9,      /* reads fewer input bits than its size says (input_bits) */
};

struct opt_op {
    uint8_t n_out, n_in;
    uint16_t flags;             /* ir_op_info's */
    uint16_t steps;             /* enum opt_step */
};

#define OP_IS(x, a) ((x) == IR_##a)
#define OPT_STEPS(op, fl) (uint16_t)( \
    (OP_IS(op, insn_start) ? OPT_NOP : 0) | \
    (!((fl) & (IR_F_SIDE | IR_F_MEM)) && !OP_IS(op, mov) ? OPT_REWRITE : 0) | \
    (OP_IS(op, add) || OP_IS(op, sub) || OP_IS(op, shl) ? OPT_ADDR : 0) | \
    (OP_IS(op, ext8u) || OP_IS(op, ext8s) || OP_IS(op, ext16u) || OP_IS(op, ext16s) || \
     OP_IS(op, ext32u) || OP_IS(op, ext32s) || OP_IS(op, extract) ? OPT_EXT | OPT_IN_BITS : 0) | \
    ((fl) & (IR_F_MEM | IR_F_CALL | IR_F_VEC) ? OPT_ENV : 0) | \
    (OP_IS(op, ld) || OP_IS(op, st) || OP_IS(op, ldx) || OP_IS(op, stx) ? OPT_GUEST_MEM : 0) | \
    (OP_IS(op, atomic_rmw) || OP_IS(op, atomic_cas) || OP_IS(op, vld) || OP_IS(op, vst) ? \
     OPT_FAULTS : 0) | \
    ((fl) & (IR_F_EXIT | IR_F_BRANCH) ? OPT_EXITS : 0) | \
    (OP_IS(op, mul) || OP_IS(op, add) || OP_IS(op, sub) || OP_IS(op, and) || OP_IS(op, or) || \
     OP_IS(op, xor) ? OPT_NARROW : 0) | \
    (OP_IS(op, st) || OP_IS(op, stx) || OP_IS(op, st_env) || OP_IS(op, deposit) ? OPT_IN_BITS : 0))

static const struct opt_op opt_ops[IR_NUM_OPS] = {
#define IR_OP(name, nout, nin, fl) \
    [IR_##name] = { nout, nin, fl, OPT_STEPS(IR_##name, fl) },
#include "ir_ops.def"
#undef IR_OP
};

static int n_out(const struct ir_insn *i) { return opt_ops[i->op].n_out; }
static int n_in(const struct ir_insn *i) { return opt_ops[i->op].n_in; }
static uint16_t op_flags(const struct ir_insn *i) { return opt_ops[i->op].flags; }
static bool has_step(const struct ir_insn *i, unsigned step) { return opt_ops[i->op].steps & step; }

static bool reads_globals(const struct ir_insn *i)
{
    if (has_step(i, OPT_EXITS))
        return true;
    if (i->op != IR_call)
        return false;
    const struct ir_helper *h = (const struct ir_helper *)(intptr_t)i->aux[0];
    return h->flags & (IR_HELPER_RW_GLOBALS | IR_HELPER_NORETURN);
}

/* A guest memory access may fault: the guest's signal handler then sees
 * every global as of that point (a write overwritten after it is not dead). */
static bool may_fault(const struct ir_insn *i)
{
    unsigned s = opt_ops[i->op].steps;
    return (s & OPT_FAULTS) || ((s & OPT_GUEST_MEM) && !(i->size & IR_MO_HOST));
}

/* ---- what the facts name: a value written that no fact names (most of
 * them) is forgotten without a look at the three lists ---- */

static void mention(ir_ref v)
{
    if (v != IR_NONE)
        opt->mentions[v]++;
}

static void unmention(ir_ref v)
{
    if (v != IR_NONE)
        opt->mentions[v]--;
}

/* ---- copy and low-bits facts (struct src_facts) ---- */

static void facts_drop(struct src_facts *f, int k)
{
    ir_ref d = f->active[k];
    unmention(d);
    unmention(f->src[d]);
    f->src[d] = IR_NONE;
    f->active[k] = f->active[--f->n];
}

static void facts_forget(struct src_facts *f, ir_ref v)
{
    for (int k = 0; k < f->n; k++) {
        ir_ref d = f->active[k];
        if (d == v || f->src[d] == v)
            facts_drop(f, k--);
    }
}

static void facts_forget_globals(struct src_facts *f)
{
    for (int k = 0; k < f->n; k++) {
        ir_ref d = f->active[k];
        if (d < opt->b->n_globals || f->src[d] < opt->b->n_globals)
            facts_drop(f, k--);
    }
}

static void facts_record(struct src_facts *f, ir_ref d, ir_ref s)
{
    f->src[d] = s;
    f->active[f->n++] = d;
    mention(d);
    mention(s);
}

/* ---- copy tracking ---- */

static void copy_record(ir_ref d, ir_ref s)
{
    if (d != s)
        facts_record(&opt->copy, d, s);
}

static void substitute_inputs(struct ir_insn *i)
{
    for (int k = n_out(i); k < n_out(i) + n_in(i); k++)
        if (i->args[k] != IR_NONE && opt->copy.src[i->args[k]] != IR_NONE)
            i->args[k] = opt->copy.src[i->args[k]];
}

/* ---- rewriting ---- */

static void make_unary(struct ir_insn *i, enum ir_op op, ir_ref src)
{
    ir_ref d = i->args[0];
    *i = (struct ir_insn){ .op = (uint16_t)op, .size = 64,
                           .args = { d, src, IR_NONE, IR_NONE, IR_NONE, IR_NONE } };
}

/* d = x, respecting the zero-extension of 32-bit ops. */
static void make_copy(struct ir_insn *i, ir_ref x)
{
    make_unary(i, i->size == 32 && (op_flags(i) & IR_F_SIZED) ? IR_ext32u : IR_mov, x);
}

static bool make_const(struct ir_insn *i, uint64_t v)
{
    if (opt->b->n_values >= IR_MAX_VALUES)
        return false;
    ir_ref c = ir_const(opt->b, v);
    opt->copy.src[c] = IR_NONE;         /* (only values of the block were cleared) */
    opt->addr[c] = NO_FACT;
    opt->low.src[c] = IR_NONE;
    opt->mentions[c] = 0;
    opt->width[c] = 64;
    make_unary(i, IR_mov, c);
    return true;
}

static bool const_value(ir_ref r, uint64_t *v)
{
    if (!ir_is_const(opt->b, r))
        return false;
    *v = opt->b->values[r].imm;
    return true;
}

static bool all_inputs_const(const struct ir_insn *i, uint64_t *in)
{
    for (int k = 0; k < n_in(i); k++)
        if (!const_value(i->args[n_out(i) + k], &in[k]))
            return false;
    return true;
}

static void fold_constants(struct ir_insn *i)
{
    uint64_t in[5], v;
    if ((op_flags(i) & (IR_F_SIDE | IR_F_MEM)) || i->op == IR_mov)
        return;
    if (all_inputs_const(i, in) && ir_fold_eval(i, in, &v))
        make_const(i, v);
}

/* x+0, x|0, x^0, x-0, x<<0 ... -> x;  x&0, x*0 -> 0;  x*1, x&-1 -> x. */
static void simplify_identity(struct ir_insn *i)
{
    uint64_t c, ones = i->size == 32 ? 0xffffffffull : ~0ull;
    if (n_in(i) != 2 || !(op_flags(i) & IR_F_SIZED) || !const_value(i->args[2], &c))
        return;
    switch (i->op) {
    case IR_add: case IR_sub: case IR_or: case IR_xor: case IR_andc:
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        if (c == 0)
            make_copy(i, i->args[1]);
        break;
    case IR_and:
        if ((c & ones) == ones)
            make_copy(i, i->args[1]);
        else if ((c & ones) == 0)
            make_const(i, 0);
        break;
    case IR_mul:
        if ((c & ones) == 1)
            make_copy(i, i->args[1]);
        else if ((c & ones) == 0)
            make_const(i, 0);
        break;
    default:
        break;
    }
}

/* x^x, x-x, x&~x -> 0;  x&x, x|x -> x. */
static void simplify_same_operands(struct ir_insn *i)
{
    if (n_in(i) != 2 || !(op_flags(i) & IR_F_SIZED) || i->args[1] != i->args[2])
        return;
    if (i->op == IR_xor || i->op == IR_sub || i->op == IR_andc)
        make_const(i, 0);
    else if (i->op == IR_and || i->op == IR_or)
        make_copy(i, i->args[1]);
}

static void simplify_movcond(struct ir_insn *i)
{
    uint64_t in[2];
    if (i->op != IR_movcond)
        return;
    if (i->args[3] == i->args[4])
        make_unary(i, IR_mov, i->args[3]);
    else if (const_value(i->args[1], &in[0]) && const_value(i->args[2], &in[1]))
        make_unary(i, IR_mov, ir_cond_eval(i->cond, in[0], in[1], i->size) ? i->args[3] : i->args[4]);
}

/* A constant brcond either always leaves (-> goto_tb, rest of the block
 * unreachable) or never does (-> removed). Returns true if the block ends. */
static bool fold_brcond(int n)
{
    struct ir_insn *i = &opt->b->insns[n];
    uint64_t in[2];
    if (i->op != IR_brcond || !all_inputs_const(i, in))
        return false;
    if (!ir_cond_eval(i->cond, in[0], in[1], i->size)) {
        opt->dead[n] = true;
        return false;
    }
    *i = (struct ir_insn){ .op = IR_goto_tb, .size = 64, .aux = { i->aux[0], i->aux[1] },
                           .args = { IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE, IR_NONE } };
    opt->b->n_insns = n + 1;
    return true;
}

/* ---- known zero bits: drops extensions of values already that narrow
 * (ext32u / extract(0,32) after a 32-bit op or a narrow unsigned load,
 * ext16u of a 16-bit load, ext32s of a value below 2^31, ...). */

static unsigned bits_of(uint64_t v) { return v ? 64 - (unsigned)__builtin_clzll(v) : 0; }

static unsigned width_of(ir_ref r)
{
    if (ir_is_const(opt->b, r))
        return bits_of(opt->b->values[r].imm);
    return opt->width[r];
}

static unsigned min_u(unsigned a, unsigned b) { return a < b ? a : b; }
static unsigned max_u(unsigned a, unsigned b) { return a > b ? a : b; }

/* The extension i is a copy when its input is at most this wide. */
static unsigned ext_noop_width(const struct ir_insn *i)
{
    switch (i->op) {
    case IR_ext8u:   return 8;
    case IR_ext16u:  return 16;
    case IR_ext32u:  return 32;
    case IR_ext8s:   return 7;
    case IR_ext16s:  return 15;
    case IR_ext32s:  return 31;
    case IR_extract: return i->aux[0] == 0 ? (unsigned)i->aux[1] : 0;
    default:         return 0;
    }
}

static void simplify_zext(struct ir_insn *i)
{
    unsigned w = ext_noop_width(i);
    if (w && width_of(i->args[1]) <= w)
        make_unary(i, IR_mov, i->args[1]);
}

static unsigned shifted_width(const struct ir_insn *i)
{
    uint64_t c;
    unsigned w = min_u(width_of(i->args[1]), i->size == 32 ? 32 : 64);
    if (!const_value(i->args[2], &c))
        return i->op == IR_shr ? w : 64;
    c &= i->size == 32 ? 31 : 63;
    return i->op == IR_shr ? (w > c ? w - (unsigned)c : 0) : min_u(w + (unsigned)c, 64);
}

static unsigned output_width(const struct ir_insn *i)
{
    unsigned sized = (op_flags(i) & IR_F_SIZED) && i->size == 32 ? 32 : 64;
    switch (i->op) {
    case IR_mov:     return width_of(i->args[1]);
    case IR_movcond: return max_u(width_of(i->args[3]), width_of(i->args[4]));
    case IR_and:     return min_u(sized, min_u(width_of(i->args[1]), width_of(i->args[2])));
    case IR_or: case IR_xor:
        return min_u(sized, max_u(width_of(i->args[1]), width_of(i->args[2])));
    case IR_shr:     return shifted_width(i);
    case IR_shl:     return min_u(sized, shifted_width(i));
    case IR_ld: case IR_ldx: case IR_ld_env:
        return i->size & IR_MO_SIGN ? 64 : 8u * (unsigned)ir_memop_bytes(i->size);
    case IR_ext8u:   return min_u(8, width_of(i->args[1]));
    case IR_ext16u:  return min_u(16, width_of(i->args[1]));
    case IR_ext32u:  return min_u(32, width_of(i->args[1]));
    case IR_clz: case IR_ctz: return 7;
    case IR_setcond: return 1;
    case IR_extract: return (unsigned)i->aux[1];
    case IR_call:    return 64;
    default:         return sized;
    }
}

static void note_width(const struct ir_insn *i)
{
    if (n_out(i) && i->args[0] != IR_NONE)
        opt->width[i->args[0]] = (uint8_t)output_width(i);
    if (i->op == IR_call && reads_globals(i))
        memset(opt->width, 64, sizeof(opt->width[0]) * (size_t)opt->b->n_globals);
}

/* ---- address folding ---- */

static bool has_fact(ir_ref v)
{
    return opt->addr[v].base != IR_NONE || opt->addr[v].index != IR_NONE;
}

static bool fact_uses(const struct addr_fact *f, ir_ref v)
{
    return f->base == v || f->index == v;
}

static void addr_drop(int k)
{
    ir_ref d = opt->addr_active[k];
    unmention(d);
    unmention(opt->addr[d].base);
    unmention(opt->addr[d].index);
    opt->addr[d] = NO_FACT;
    opt->addr_active[k] = opt->addr_active[--opt->n_addr];
}

/* v is written: facts about v, and facts based on v, end. */
static void addr_forget(ir_ref v)
{
    for (int k = 0; k < opt->n_addr; k++) {
        ir_ref d = opt->addr_active[k];
        if (d == v || fact_uses(&opt->addr[d], v))
            addr_drop(k--);
    }
}

static bool is_global_ref(ir_ref r) { return r != IR_NONE && r < opt->b->n_globals; }

static void addr_forget_globals(void)
{
    for (int k = 0; k < opt->n_addr; k++) {
        ir_ref d = opt->addr_active[k];
        const struct addr_fact *f = &opt->addr[d];
        if (is_global_ref(d) || is_global_ref(f->base) || is_global_ref(f->index))
            addr_drop(k--);
    }
}

/* x's fact, or x itself as a base. */
static struct addr_fact fact_of(ir_ref x, bool own)
{
    if (own && has_fact(x))
        return opt->addr[x];
    return (struct addr_fact){ .base = x, .index = IR_NONE };
}

static void fact_set(ir_ref d, struct addr_fact f, uint64_t disp)
{
    if ((int64_t)disp != (int32_t)disp || fact_uses(&f, d))
        return;
    f.disp = (int32_t)disp;
    opt->addr[d] = f;
    opt->addr_active[opt->n_addr++] = d;
    mention(d);
    mention(f.base);
    mention(f.index);
}

/* d = x + c (or x - c): x's fact moved by c, or x + c when x's fact has no
 * base (an ld/st could not use it: `[x*4 + disp]` stays x + disp).
 * Wrapping arithmetic, as the guest's: -c of INT64_MIN is UB in int64_t. */
static void record_add_const(ir_ref d, ir_ref x, uint64_t c, bool sub)
{
    struct addr_fact f = fact_of(x, opt->addr[x].base != IR_NONE);
    fact_set(d, f, (uint64_t)(int64_t)f.disp + (sub ? -c : c));
}

/* The sum of two facts, when it has at most one base and one index. */
static bool fact_sum(struct addr_fact a, struct addr_fact b, struct addr_fact *sum)
{
    if (a.base == IR_NONE) {
        struct addr_fact t = a;
        a = b;
        b = t;
    }
    /* now a has a base */
    if (a.index == IR_NONE && b.base != IR_NONE && b.index == IR_NONE)
        b = (struct addr_fact){ .base = IR_NONE, .index = b.base, .disp = b.disp };
    if (a.base == IR_NONE || a.index != IR_NONE || b.base != IR_NONE)
        return false;
    *sum = (struct addr_fact){ .base = a.base, .index = b.index, .scale = b.scale,
                               .disp = a.disp };
    return true;
}

/* d = x + y: the first of (x's fact or x) + (y's fact or y) that fits. */
static void record_add(ir_ref d, ir_ref x, ir_ref y)
{
    struct addr_fact sum;
    for (int k = 0; k < 4; k++) {
        struct addr_fact fx = fact_of(x, !(k & 2)), fy = fact_of(y, !(k & 1));
        if (fact_sum(fx, fy, &sum)) {
            fact_set(d, sum, (uint64_t)(int64_t)fx.disp + (uint64_t)(int64_t)fy.disp);
            return;
        }
    }
}

/* After a 64-bit add/sub/shl (its old facts forgotten): what d is. */
static void addr_record(const struct ir_insn *i)
{
    uint64_t c;
    ir_ref d = i->args[0], x = i->args[1], y = i->args[2];
    if ((i->op != IR_add && i->op != IR_sub && i->op != IR_shl) || i->size != 64 ||
        x == IR_NONE || ir_is_const(opt->b, x))
        return;
    bool yc = const_value(y, &c);
    if ((i->op == IR_add || i->op == IR_sub) && yc)
        record_add_const(d, x, c, i->op == IR_sub);
    else if (i->op == IR_add && y != IR_NONE)
        record_add(d, x, y);
    else if (i->op == IR_shl && yc && c >= 1 && c <= 3)
        fact_set(d, (struct addr_fact){ .base = IR_NONE, .index = x, .scale = (uint8_t)c }, 0);
}

/* A ld/st whose address has a fact addresses its base (and index: ldx/stx)
 * directly. */
static void addr_fold(struct ir_insn *i)
{
    if (i->op != IR_ld && i->op != IR_st)
        return;
    int k = i->op == IR_ld ? 1 : 0;
    ir_ref a = i->args[k];
    if (a == IR_NONE || !has_fact(a) || opt->addr[a].base == IR_NONE)
        return;
    const struct addr_fact *f = &opt->addr[a];
    int64_t disp = i->aux[0] + f->disp;
    if (disp != (int32_t)disp)
        return;
    i->args[k] = f->base;
    i->aux[0] = disp;
    if (f->index == IR_NONE)
        return;
    i->op = i->op == IR_ld ? IR_ldx : IR_stx;
    i->args[2] = f->index;
    i->aux[1] = f->scale;
}

/* ---- narrow uses: `ext8u/16u/32u/8s/16s/32s t, x` (or extract(0, n))
 * makes t's low 8/16/32 bits x's, while neither is rewritten.  Inputs of
 * which only that many low bits matter then read x (ir_ops.def: 32-bit ops
 * work on the low 32 bits of their inputs; a store of N bytes reads N). */

/* Low bits an extension keeps of its input (0: not an extension). */
static int ext_bits(const struct ir_insn *i)
{
    switch (i->op) {
    case IR_ext8u: case IR_ext8s:   return 8;
    case IR_ext16u: case IR_ext16s: return 16;
    case IR_ext32u: case IR_ext32s: return 32;
    case IR_extract: return i->aux[0] == 0 && i->aux[1] <= 32 ? (int)i->aux[1] : 0;
    default:         return 0;
    }
}

/* Low bits of the insn's output known equal to its low-source's (and that
 * source in *x): an extension's, or a deposit at bit 0's -- `mov cl, [mem]`
 * is `deposit rcx, rcx, t, pos 0, len 8`, and the `test cl, cl` after it
 * reads `ext8u rcx`, which then reads t (a zero-extended load: a copy). */
static int low_source(const struct ir_insn *i, ir_ref *x)
{
    if (i->op == IR_deposit) {
        *x = i->args[2];
        return i->aux[0] == 0 && i->aux[1] <= 32 ? (int)i->aux[1] : 0;
    }
    *x = i->args[1];
    return ext_bits(i);
}

/* After the insn's old facts are forgotten. */
static void low_record(const struct ir_insn *i)
{
    ir_ref x;
    int bits = low_source(i, &x);
    ir_ref d = i->args[0];
    if (!bits || d == IR_NONE || x == d || ir_is_const(opt->b, x))
        return;
    if (opt->low.src[x] != IR_NONE && opt->low_bits[x] >= bits)
        x = opt->low.src[x];
    opt->low_bits[d] = (uint8_t)bits;
    opt->low_op[d] = (uint16_t)i->op;
    facts_record(&opt->low, d, x);
}

/* How many low bits of input k (an index into args) the insn reads, or 64. */
static int input_bits(const struct ir_insn *i, int k)
{
    if (ext_bits(i))
        return ext_bits(i);
    if ((i->op == IR_st || i->op == IR_stx) && k == 1)
        return 8 * ir_memop_bytes(i->size);
    if (i->op == IR_st_env && k == 0)
        return 8 * ir_memop_bytes(i->size);
    if (i->op == IR_deposit && k == 2)
        return (int)i->aux[1];
    bool sized32 = (op_flags(i) & IR_F_SIZED) && i->size == 32;
    if (sized32 && i->op != IR_movcond && i->op != IR_bswap && i->op != IR_clz &&
        i->op != IR_ctz)
        return 32;
    if (sized32 && i->op == IR_movcond && k <= 2)
        return 32;
    return 64;
}

/* The same extension of the same value again (`test al, al` reads al
 * twice: two ext8u of rax) is a copy of the first: a low-bits fact made by
 * ext8u..ext32s names its whole value, and it ends when either is written. */
static void ext_again(struct ir_insn *i)
{
    if (i->op < IR_ext8u || i->op > IR_ext32s)
        return;
    for (int k = 0; k < opt->low.n; k++) {
        ir_ref d = opt->low.active[k];
        if (opt->low.src[d] == i->args[1] && opt->low_op[d] == i->op && d != i->args[0]) {
            make_unary(i, IR_mov, d);
            return;
        }
    }
}

/* Whether an input changed. */
static bool narrow_inputs(struct ir_insn *i)
{
    bool changed = false;
    for (int k = n_out(i); k < n_out(i) + n_in(i); k++) {
        ir_ref a = i->args[k];
        if (a != IR_NONE && opt->low.src[a] != IR_NONE && input_bits(i, k) <= opt->low_bits[a]) {
            i->args[k] = opt->low.src[a];
            changed = true;
        }
    }
    return changed;
}

/* ---- env forwarding: a 64-bit ld_env of a word the block already stored
 * or loaded (no helper call in between) becomes a copy of that value. */

static void env_forget_range(int32_t off, int bytes)
{
    for (int k = 0; k < opt->n_env; k++)
        if (opt->env[k].off < off + bytes && off < opt->env[k].off + 8)
            opt->env[k--] = opt->env[--opt->n_env];
}

static void env_forget_value(ir_ref v)
{
    for (int k = 0; k < opt->n_env; k++)
        if (opt->env[k].val == v)
            opt->env[k--] = opt->env[--opt->n_env];
}

static void env_remember(int32_t off, ir_ref v)
{
    env_forget_range(off, 8);
    if (opt->n_env < ENV_SLOTS)
        opt->env[opt->n_env++] = (typeof(opt->env[0])){ off, v };
}

static ir_ref env_known(int32_t off)
{
    for (int k = 0; k < opt->n_env; k++)
        if (opt->env[k].off == off)
            return opt->env[k].val;
    return IR_NONE;
}

/* A 64-bit st_env of the value the word is known to hold already (the
 * same value, or an equal constant): the word's forwarding fact says env
 * holds it here, so the store changes nothing anyone can observe.  VEX.128
 * writes zero their register's upper half every time (x86_avx.c,
 * avx_write_done): in a block of them only the first zeroing stays. */
static bool env_store_redundant(const struct ir_insn *i)
{
    if (i->size != IR_MO_64 || !opt->n_env)
        return false;
    ir_ref v = env_known((int32_t)i->aux[0]);
    uint64_t a, b;
    return v != IR_NONE && (v == i->args[0] ||
                            (const_value(v, &a) && const_value(i->args[0], &b) && a == b));
}

/* Before the insn's outputs are forgotten: loads may become copies. */
static void env_forward(struct ir_insn *i)
{
    ir_ref v;
    if (i->op == IR_ld_env && i->size == IR_MO_64 && (v = env_known((int32_t)i->aux[0])) != IR_NONE)
        make_unary(i, IR_mov, v);
}

/* After: what the insn leaves known about env. */
static void env_update(const struct ir_insn *i)
{
    int32_t off = (int32_t)i->aux[0];
    if (!(op_flags(i) & (IR_F_MEM | IR_F_CALL | IR_F_VEC)))    /* none of the below */
        return;
    if (i->op == IR_call)           /* helpers may write any env word */
        opt->n_env = 0;
    else if (op_flags(i) & IR_F_MEM && i->op != IR_ld_env && i->op != IR_st_env)
        /* guest (and IR_MO_HOST) accesses: never env.  env is ferry's
         * memory, outside every guest mapping, and the allocator already
         * keeps guest registers in host registers across guest stores;
         * a wild store into it would corrupt them either way. */
        return;
    else if (i->op == IR_st_env && i->size == IR_MO_64)
        env_remember(off, i->args[0]);
    else if (i->op == IR_st_env)
        env_forget_range(off, ir_memop_bytes(i->size));
    else if (i->op == IR_ld_env && i->size == IR_MO_64 && i->args[0] != IR_NONE)
        env_remember(off, i->args[0]);
    else if ((op_flags(i) & IR_F_VEC) && i->op != IR_vst)
        /* writes a vector at d (helpers: only there); vst only reads env */
        env_forget_range(ir_vec_d(i), 16);
}

static void forget_outputs(const struct ir_insn *i)
{
    for (int k = 0; opt->n_env && k < n_out(i); k++)
        if (i->args[k] != IR_NONE)
            env_forget_value(i->args[k]);
    if (i->op == IR_call)
        opt->n_env = 0;
    for (int k = 0; k < n_out(i); k++)
        if (i->args[k] != IR_NONE && opt->mentions[i->args[k]]) {
            facts_forget(&opt->copy, i->args[k]);
            addr_forget(i->args[k]);
            facts_forget(&opt->low, i->args[k]);
        }
    if (reads_globals(i) && i->op == IR_call) {
        facts_forget_globals(&opt->copy);
        addr_forget_globals();
        facts_forget_globals(&opt->low);
    }
}

static void simplify(struct ir_insn *i)
{
    fold_constants(i);
    simplify_identity(i);
    simplify_same_operands(i);
    simplify_movcond(i);
    simplify_zext(i);
}

/* `mov g, $c` of a global and a constant no instruction takes as an
 * immediate or displacement (beyond 32 bits signed: PIC code's `lea rcx,
 * [rip + table]`): g's reads keep reading g, whose register holds c from
 * here on, instead of building c again for each (4 words on AArch64), and
 * an address g + (x << s) stays an ldx on g -- a switch's `movsxd rax,
 * [rcx + rdx*4]; add rax, rcx` is one load and one add.  The same for a
 * temp read only as the base of loads and stores (addressed_only: one
 * pass over the rest of the block, for the rare such mov): the
 * self-modifying-code entry check (smc.c) addresses its pieces from one
 * temp each for the guest bytes and their copy.  A temp that feeds
 * arithmetic is still folded. */
static bool addressed_only(int n, ir_ref t)
{
    for (int k = n + 1; k < opt->b->n_insns; k++) {
        const struct ir_insn *i = &opt->b->insns[k];
        bool mem = i->op == IR_ld || i->op == IR_ldx || i->op == IR_st || i->op == IR_stx;
        for (int a = n_out(i); a < n_out(i) + n_in(i); a++)
            if (i->args[a] == t && !(mem && a == n_out(i)))
                return false;
    }
    return true;
}

static bool wide_const_global(int n, ir_ref d, ir_ref s)
{
    uint64_t c;
    return const_value(s, &c) && (int64_t)c != (int32_t)c &&
           (is_global_ref(d) || addressed_only(n, d));
}

/* Each step runs only when it can do something: its op (the op table's
 * steps, read again once the rewriting steps may have changed the op), or
 * a fact of its kind known at all (most blocks have few). */
static void forward_pass(void)
{
    for (int n = 0; n < opt->b->n_insns; n++) {
        struct ir_insn *i = &opt->b->insns[n];
        unsigned steps = opt_ops[i->op].steps;
        if (steps & OPT_NOP)            /* no operands: nothing to do */
            continue;
        if (opt->copy.n)
            substitute_inputs(i);
        if (i->op == IR_brcond && fold_brcond(n))
            break;
        if (steps & OPT_REWRITE)
            simplify(i);
        if (opt->low.n && narrow_inputs(i))
            simplify_zext(i);           /* an extension may now read a narrow value */
        if (opt->low.n)
            ext_again(i);
        if (i->op == IR_ld_env)
            env_forward(i);
        if (i->op == IR_st_env && env_store_redundant(i)) {
            opt->dead[n] = true;
            continue;
        }
        if (i->op == IR_mov && i->args[0] == i->args[1]) {
            opt->dead[n] = true;
            continue;
        }
        if (opt->n_addr)
            addr_fold(i);
        forget_outputs(i);
        steps = opt_ops[i->op].steps;
        if (steps & OPT_ADDR)
            addr_record(i);
        if ((steps & OPT_EXT) || i->op == IR_deposit)
            low_record(i);
        if (steps & OPT_ENV)
            env_update(i);
        note_width(i);
        if (i->op == IR_mov && !wide_const_global(n, i->args[0], i->args[1]))
            copy_record(i->args[0], i->args[1]);
    }
}

/* ---- demanded bits: 32-bit products ---- */

/* Backward, before the forward pass: a 64-bit mul whose result is read
 * only for its low 32 bits (by 32-bit ops, narrow stores, extensions of 32
 * bits or less, through copies) becomes a 32-bit mul -- x86's 32-bit imul
 * with dead flags, which the frontend computes at 64 bits from sign-
 * extended operands.  Its zero-extended result then makes the ext32u after
 * it a copy, and its inputs' extensions die (narrow_inputs).  Globals are
 * read at exits and by helpers that look at the CPU state. */
static void demand_globals(void)
{
    memset(opt->wide, 1, sizeof(opt->wide[0]) * (size_t)opt->b->n_globals);
}

/* Ops whose low 32 result bits depend only on their inputs' low 32 bits
 * (a 32-bit lea's add, a masked index's and, imul r32's mul). */
static bool narrowable(const struct ir_insn *i)
{
    return has_step(i, OPT_NARROW) && i->size == 64;
}

/* Whether input k's bits above 32 are read (input_bits, quicker for the
 * ops that read all of every input). */
static bool reads_high(const struct ir_insn *i, int k)
{
    if (!has_step(i, OPT_IN_BITS) && !((op_flags(i) & IR_F_SIZED) && i->size == 32))
        return true;
    return input_bits(i, k) > 32;
}

/* The first insn that may be narrowed, or -1. */
static int first_wide_product(void)
{
    for (int n = 0; n < opt->b->n_insns; n++)
        if (narrowable(&opt->b->insns[n]))
            return n;
    return -1;
}

/* (The walk stops at the first narrowable insn: what it learns further up
 * decides nothing.) */
static void narrow_products(void)
{
    int first = first_wide_product();
    if (first < 0)                  /* most blocks: nothing to narrow */
        return;
    memset(opt->wide, 0, sizeof(opt->wide[0]) * (size_t)opt->b->n_values);
    demand_globals();
    for (int n = opt->b->n_insns - 1; n >= first; n--) {
        struct ir_insn *i = &opt->b->insns[n];
        const struct opt_op *o = &opt_ops[i->op];
        if (o->steps & OPT_NOP)         /* no operands */
            continue;
        bool out_wide = o->n_out && i->args[0] != IR_NONE && opt->wide[i->args[0]];
        if (narrowable(i) && !out_wide)
            i->size = 32;
        for (int k = 0; k < o->n_out; k++)
            if (i->args[k] != IR_NONE)
                opt->wide[i->args[k]] = false;
        if (reads_globals(i) || may_fault(i))   /* a guest handler sees them */
            demand_globals();
        for (int k = o->n_out; k < o->n_out + o->n_in; k++) {
            ir_ref r = i->args[k];
            if (r != IR_NONE && (i->op == IR_mov ? out_wide : reads_high(i, k)))
                opt->wide[r] = true;
        }
    }
}

/* ---- dead-code elimination ---- */

static void mark_globals_live(void)
{
    memset(opt->live, 1, sizeof(opt->live[0]) * (size_t)opt->b->n_globals);
}

static bool outputs_dead(const struct ir_insn *i)
{
    for (int k = 0; k < n_out(i); k++)
        if (i->args[k] != IR_NONE && opt->live[i->args[k]])
            return false;
    return n_out(i) > 0;
}

static void backward_pass(void)
{
    memset(opt->live, 0, sizeof(opt->live[0]) * (size_t)opt->b->n_values);
    mark_globals_live();
    for (int n = opt->b->n_insns - 1; n >= 0; n--) {
        struct ir_insn *i = &opt->b->insns[n];
        const struct opt_op *o = &opt_ops[i->op];
        if (opt->dead[n] || (o->steps & OPT_NOP))     /* (no operands) */
            continue;
        bool faults = may_fault(i);
        /* (a guest load whose value is dead still faults: kept) */
        if (!(o->flags & IR_F_SIDE) && !faults && outputs_dead(i)) {
            opt->dead[n] = true;
            continue;
        }
        for (int k = 0; k < o->n_out; k++)
            if (i->args[k] != IR_NONE)
                opt->live[i->args[k]] = false;
        if (faults || reads_globals(i))
            mark_globals_live();
        for (int k = o->n_out; k < o->n_out + o->n_in; k++)
            if (i->args[k] != IR_NONE)
                opt->live[i->args[k]] = true;
    }
}

static void compact(void)
{
    int w = 0;
    for (int n = 0; n < opt->b->n_insns; n++)
        if (!opt->dead[n] && w++ != n)
            opt->b->insns[w - 1] = opt->b->insns[n];
    opt->b->n_insns = w;
}

void ir_optimize(struct ir_block *b)
{
    struct opt_state st;
    opt = &st;
    opt->b = b;
    opt->copy.n = 0;
    opt->n_env = 0;
    opt->n_addr = 0;
    memset(opt->copy.src, 0xff, sizeof(opt->copy.src[0]) * (size_t)b->n_values);
    /* NO_FACT's base and index, and a scale and disp nothing reads without them */
    memset(opt->addr, 0xff, sizeof(opt->addr[0]) * (size_t)b->n_values);
    memset(opt->low.src, 0xff, sizeof(opt->low.src[0]) * (size_t)b->n_values);
    opt->low.n = 0;
    memset(opt->mentions, 0, sizeof(opt->mentions[0]) * (size_t)b->n_values);
    memset(opt->width, 64, sizeof(opt->width[0]) * (size_t)b->n_values);
    memset(opt->dead, 0, sizeof(opt->dead[0]) * (size_t)b->n_insns);
    narrow_products();
    forward_pass();
    backward_pass();
    compact();
    opt = NULL;
}

void ir_eliminate_dead(struct ir_block *b)
{
    struct opt_state st;
    opt = &st;
    opt->b = b;
    memset(opt->dead, 0, sizeof(opt->dead[0]) * (size_t)b->n_insns);
    backward_pass();
    compact();
    opt = NULL;
}
