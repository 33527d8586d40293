/* ir_access_check.c -- which guest accesses a host must test for x86's
 * non-canonical addresses (ir_check_accesses).
 *
 * x86 raises #GP for a data address whose bits 63:47 are not all equal.
 * An x86-64 host does the same for free; an AArch64 host ignores the top
 * byte (top-byte-ignore) and may map user memory in [2^47, 2^48), so a
 * guest access there could reach host memory (issue 10).  Testing every
 * access costs two instructions each (+20-24 % host instructions on
 * memory-heavy code, session 12); this pass proves most of them needless.
 * The host faults anyway on any address within [-2^47, 2^47 + TR_CANON_GUARD):
 * the kernel half (bit 55 set for the host too) and the guard above the
 * user half that user mode keeps unmapped (guest_mem.h); the fault handler
 * tells a page fault from #GP by the access's address (fault.c).  So an
 * access needs no test when its address provably lies in that window:
 * each value carries an interval, absolute or relative to a guest
 * register's value (a root), from constants, zero-extending ops (32-bit
 * results, narrow loads, extensions, masks), adds, and from earlier
 * accesses -- an access that completed had its address in [0, 2^47), so
 * its base was within its displacement of there, and a tested value is in
 * [0, 2^47).  An address computed from one register plus a bounded rest
 * (`[r9 + edx + esi]`) tests that register (canon_test) rather than the
 * sum, so later accesses from it need none.
 *
 * Across blocks: a chain slot's exit knows which guest registers are
 * proven near the user half there (ir_block.exit_facts); the dispatcher
 * chains it to a variant of the successor translated assuming them (the
 * translation mode's bits from TR_MODE_FACTS_SHIFT): a loop whose base
 * register was tested once runs untested.  Entered any other way (the
 * dispatcher, the jump cache) a block is the variant that assumes nothing.
 * The mark is insn->cond of the guest memory ops (ir_access_checked); the
 * backend tests the base (ld, st, atomics, vld, vst; ldx and stx whose
 * index is known small: IR_ACCESS_BASE) or the whole address (other ldx,
 * stx).  Nothing here knows the host. */
#include <string.h>

#include "guest_mem.h"
#include "ir.h"

#define TOP ((int64_t)TR_CANON_TOP)
#define LIMIT ((int64_t)1 << 62)        /* wider intervals are not tracked */
#define NEAR ((int64_t)1 << 31)         /* a fact: within NEAR of [0, 2^47) */
#define N_FACTS 16                      /* globals 0-15: the guest's registers */

/* root + [lo, hi] (root IR_NONE: absolute); lo > hi: nothing known. */
struct span {
    int64_t lo, hi;
    ir_ref root;
};

static const struct span unknown = { 1, 0, IR_NONE };

static bool known(struct span s) { return s.lo <= s.hi; }

static struct span rooted(ir_ref root, int64_t lo, int64_t hi)
{
    return lo < -LIMIT || hi > LIMIT || lo > hi ? unknown : (struct span){ lo, hi, root };
}

static struct span span_of(int64_t lo, int64_t hi) { return rooted(IR_NONE, lo, hi); }

/* [0, 2^bits - 1] and its signed counterpart. */
static struct span zext(int bits) { return span_of(0, (int64_t)((1ull << bits) - 1)); }
static struct span sext(int bits) { return span_of(-((int64_t)1 << (bits - 1)), ((int64_t)1 << (bits - 1)) - 1); }

struct check_state {
    struct ir_block *b;
    struct span v[IR_MAX_VALUES];       /* globals: absolute or unknown */
};

/* A value's interval; a global not known is its own root. */
static struct span val(const struct check_state *s, ir_ref r)
{
    if (r == IR_NONE)
        return unknown;
    if (ir_is_const(s->b, r)) {
        int64_t c = (int64_t)s->b->values[r].imm;
        return span_of(c, c);
    }
    struct span x = s->v[r];
    if (!known(x))
        return r < s->b->n_globals ? rooted(r, 0, 0) : unknown;
    if (x.root != IR_NONE && known(s->v[x.root]))  /* its root proven since */
        return span_of(s->v[x.root].lo + x.lo, s->v[x.root].hi + x.hi);
    return x;
}

static struct span add(struct span a, struct span b)
{
    if (!known(a) || !known(b) || (a.root != IR_NONE && b.root != IR_NONE))
        return unknown;
    return rooted(a.root != IR_NONE ? a.root : b.root, a.lo + b.lo, a.hi + b.hi);
}

static struct span sub(struct span a, struct span b)
{
    if (!known(a) || !known(b) || b.root != IR_NONE)
        return unknown;
    return rooted(a.root, a.lo - b.hi, a.hi - b.lo);
}

static bool absolute(struct span s) { return known(s) && s.root == IR_NONE; }

static struct span meet(struct span a, struct span b)
{
    if (!absolute(a))
        return b;
    struct span m = { a.lo > b.lo ? a.lo : b.lo, a.hi < b.hi ? a.hi : b.hi, IR_NONE };
    return known(m) ? m : b;            /* (contradiction: unreachable) */
}

static struct span ext_span(int op)
{
    switch (op) {
    case IR_ext8u: return zext(8);
    case IR_ext16u: return zext(16);
    case IR_ext32u: return zext(32);
    case IR_ext8s: return sext(8);
    case IR_ext16s: return sext(16);
    case IR_ext32s: return sext(32);
    default: return unknown;
    }
}

/* A load's result: zero- or sign-extended from the memop's size. */
static struct span loaded(unsigned memop)
{
    int bits = 8 * ir_memop_bytes(memop);
    if (bits == 64)
        return unknown;
    return (memop & IR_MO_SIGN) ? sext(bits) : zext(bits);
}

/* and with a constant mask: a non-negative mask bounds the result; a
 * mask clearing a few low bits (`and rsp, -16`) moves a known value down
 * by at most those. */
static struct span and_span(struct span a, struct span m)
{
    if (absolute(m) && m.lo == m.hi && m.lo >= 0)
        return span_of(0, m.lo);
    if (absolute(m) && m.lo == m.hi && m.lo >= -(1 << 20) && absolute(a))
        return span_of(a.lo + m.lo + 1, a.hi);
    return unknown;
}

static struct span shift_span(const struct ir_insn *i, struct span a, struct span n)
{
    if (!absolute(n) || n.lo != n.hi || n.lo < 0 || n.lo > 62)
        return unknown;
    int k = (int)n.lo;
    if (i->op == IR_shl)
        return absolute(a) && a.lo >= 0 && a.hi <= (LIMIT >> k) ? span_of(a.lo << k, a.hi << k) : unknown;
    if (absolute(a) && a.lo >= 0)
        return span_of(a.lo >> k, a.hi >> k);
    return k >= 2 ? span_of(0, (int64_t)(UINT64_MAX >> k)) : unknown;
}

/* The interval of op i's (single) result. */
static struct span result(const struct check_state *s, const struct ir_insn *i)
{
    struct span a = val(s, i->args[1]), b = val(s, i->args[2]);
    if (i->op == IR_and && i->size == 32 && (absolute(a) || absolute(b))) {
        struct span m = absolute(b) ? b : a;    /* `and eax, 0x7fff` */
        if (m.lo == m.hi)
            return span_of(0, (int64_t)(uint32_t)m.lo);
    }
    if ((ir_op_info[i->op].flags & IR_F_SIZED) && i->size == 32 && i->op != IR_movcond)
        return zext(32);
    switch (i->op) {
    case IR_mov: return a;
    case IR_add: return add(a, b);
    case IR_sub: return sub(a, b);
    case IR_and: return absolute(b) ? and_span(a, b) : and_span(b, a);
    case IR_shl: case IR_shr: return shift_span(i, a, b);
    case IR_setcond: case IR_setflags: return span_of(0, 1);
    case IR_clz: case IR_ctz: return span_of(0, 64);
    case IR_ext8u: case IR_ext16u: case IR_ext32u:
    case IR_ext8s: case IR_ext16s: case IR_ext32s: return ext_span(i->op);
    case IR_extract: return i->aux[1] < 62 ? zext((int)i->aux[1]) : unknown;
    case IR_sextract: return i->aux[1] >= 1 && i->aux[1] < 62 ? sext((int)i->aux[1]) : unknown;
    case IR_addx: case IR_subx:         /* a shifted operand: not followed */
        if (i->aux[0] == IR_shl)
            return unknown;
        return i->op == IR_addx ? add(a, ext_span((int)i->aux[0]))
                                : sub(a, ext_span((int)i->aux[0]));
    case IR_movcond: {
        struct span c = val(s, i->args[3]), e = val(s, i->args[4]);
        return absolute(c) && absolute(e)
                   ? span_of(c.lo < e.lo ? c.lo : e.lo, c.hi > e.hi ? c.hi : e.hi) : unknown;
    }
    case IR_ld: case IR_ldx: case IR_ld_env: return loaded(i->size);
    case IR_atomic_rmw: case IR_atomic_cas: return loaded(i->size & IR_MO_SIZE);
    default: return unknown;
    }
}

/* Where a guest access's address comes from: base + (index << scale) +
 * disp; false for anything else (IR_MO_HOST accesses included). */
struct access {
    ir_ref base, index;
    int scale, bytes;
    int64_t disp;
};

static bool access_of(const struct ir_insn *i, struct access *a)
{
    *a = (struct access){ .base = IR_NONE, .index = IR_NONE };
    switch (i->op) {
    case IR_ld: case IR_st: case IR_ldx: case IR_stx: case IR_atomic_rmw: case IR_atomic_cas:
        if (i->size & IR_MO_HOST)
            return false;
        a->bytes = ir_memop_bytes(i->size);
        break;
    case IR_vld: case IR_vst:
        a->bytes = (int)ir_vec_imm(i);
        a->base = i->args[0];
        return true;
    default:
        return false;
    }
    switch (i->op) {
    case IR_ld: a->base = i->args[1]; a->disp = i->aux[0]; break;
    case IR_st: a->base = i->args[0]; a->disp = i->aux[0]; break;
    case IR_ldx: a->base = i->args[1]; a->index = i->args[2]; break;
    case IR_stx: a->base = i->args[0]; a->index = i->args[2]; break;
    default: a->base = i->args[1]; break;       /* atomics */
    }
    if (a->index != IR_NONE) {
        a->disp = i->aux[0];
        a->scale = (int)i->aux[1];
    }
    return true;
}

static struct span address(const struct check_state *s, const struct access *a)
{
    struct span ea = add(val(s, a->base), span_of(a->disp, a->disp));
    if (a->index == IR_NONE)
        return ea;
    struct span x = val(s, a->index);
    if (!known(x))
        return unknown;
    if (x.root != IR_NONE)              /* base + root: add it the other way */
        return x.lo >= 0 && x.hi <= (LIMIT >> a->scale) && a->scale == 0 ? add(x, ea) : unknown;
    if (x.lo < 0 && a->scale)
        return unknown;
    if (x.hi > (LIMIT >> a->scale) || x.lo < -(LIMIT >> a->scale))
        return unknown;
    return add(ea, span_of(x.lo * ((int64_t)1 << a->scale), x.hi * ((int64_t)1 << a->scale)));
}

/* Whether every byte of an access within ea lies where the host faults
 * unless x86 would not: [-2^47, 2^47 + TR_CANON_GUARD). */
static bool host_faults_for_us(struct span ea, int bytes)
{
    return absolute(ea) && ea.lo >= -TOP && ea.hi + bytes <= TOP + (int64_t)TR_CANON_GUARD;
}

/* The address once its root is tested ([0, 2^47)). */
static struct span tested_root(struct span ea)
{
    return span_of(ea.lo, TOP - 1 + ea.hi);
}

/* canon_test of global g before insn n (which moves to n + 1). */
static bool insert_test(struct check_state *s, int n, ir_ref g)
{
    struct ir_block *b = s->b;
    if (b->n_insns + 1 > IR_MAX_INSNS)
        return false;
    memmove(&b->insns[n + 1], &b->insns[n], sizeof(b->insns[0]) * (size_t)(b->n_insns - n));
    int end = b->n_insns + 1;
    b->n_insns = n;
    ir_emit(b, IR_canon_test, 0, g, IR_NONE, IR_NONE);
    b->n_insns = end;
    s->v[g] = span_of(0, TOP - 1);
    return true;
}

/* Decides the test of the access at n: none; of the guest register its
 * address is computed from (a canon_test before it: returns 1, the
 * access is at n + 1); of its base (an indexed access's too when its
 * index is known small enough); or of its whole address.  Then narrows
 * what its completion proves: its address was in [0, 2^47 - bytes], and
 * a tested base in [0, 2^47). */
static int visit_access(struct check_state *s, int n, const struct access *a)
{
    struct span ea = address(s, a);
    int moved = 0;
    if (!host_faults_for_us(ea, a->bytes) && known(ea) && ea.root != IR_NONE &&
        host_faults_for_us(tested_root(ea), a->bytes) && insert_test(s, n, ea.root)) {
        moved = 1;
        ea = address(s, a);
    }
    struct ir_insn *i = &s->b->insns[n + moved];
    bool test = !host_faults_for_us(ea, a->bytes), base_test = test;
    bool is_const = ir_is_const(s->b, a->base);
    struct span base = val(s, a->base), before = base, saved = s->v[a->base];
    if (test && a->index != IR_NONE) {
        if (!is_const)
            s->v[a->base] = span_of(0, TOP - 1);
        base_test = !is_const && host_faults_for_us(address(s, a), a->bytes);
        if (!is_const)
            s->v[a->base] = saved;
    }
    i->cond = (uint8_t)(test ? IR_ACCESS_TEST | (base_test ? IR_ACCESS_BASE : 0) : 0);
    if (is_const)
        return moved;
    if (base_test)
        base = span_of(0, TOP - 1);
    if (a->index == IR_NONE)
        base = meet(base, span_of(-a->disp, TOP - a->bytes - a->disp));
    if (!absolute(base))
        return moved;
    s->v[a->base] = base;
    if (known(before) && before.root != IR_NONE) {      /* and its root: base - [lo, hi] */
        struct span g = span_of(base.lo - before.hi, base.hi - before.lo);
        if (absolute(g))
            s->v[before.root] = meet(s->v[before.root], g);
    }
    return moved;
}

/* A helper that may write the guest's registers: every global unknown. */
static bool writes_globals(const struct ir_insn *i)
{
    const struct ir_helper *h = NULL;
    if (i->op == IR_call)
        h = (const struct ir_helper *)(intptr_t)i->aux[0];
    else if (ir_op_info[i->op].flags & IR_F_VEC)
        h = ir_vec_helper(i);
    return h && (h->flags & IR_HELPER_RW_GLOBALS);
}

/* Global g changes: what was computed from its old value is forgotten. */
static void forget_root(struct check_state *s, ir_ref g)
{
    for (int r = s->b->n_globals; r < s->b->n_values; r++)
        if (known(s->v[r]) && s->v[r].root == g)
            s->v[r] = unknown;
}

static void define(struct check_state *s, ir_ref d, struct span x)
{
    if (d < s->b->n_globals) {
        forget_root(s, d);
        x = absolute(x) ? x : unknown;  /* a global holds no root */
    }
    s->v[d] = x;
}

/* The guest registers near the user half here: [-NEAR, 2^47 + NEAR). */
static uint16_t facts_now(const struct check_state *s)
{
    uint16_t f = 0;
    for (int g = 0; g < N_FACTS && g < s->b->n_globals; g++) {
        struct span x = s->v[g];
        if (absolute(x) && x.lo >= -NEAR && x.hi < TOP + NEAR)
            f |= (uint16_t)(1u << g);
    }
    return f;
}

static void note_exit(struct check_state *s, const struct ir_insn *i)
{
    bool chained = i->op == IR_goto_tb || i->op == IR_brcond || i->op == IR_brflags;
    if (chained && i->aux[1] >= 0 && i->aux[1] < 2)
        s->b->exit_facts[i->aux[1]] = (s->b->exit_facts[i->aux[1]] & TR_FACTS_FE) | facts_now(s);
}

void ir_check_accesses(struct ir_block *b)
{
    struct check_state st, *s = &st;    /* 96 KB: on the stack, as ir_rebase's */
    s->b = b;
    for (int r = 0; r < b->n_values; r++)
        s->v[r] = unknown;
    uint32_t facts = (b->mode >> TR_MODE_FACTS_SHIFT) & TR_FACTS_REGS;
    for (int g = 0; g < N_FACTS && g < b->n_globals; g++)
        if (facts & (1u << g))
            s->v[g] = span_of(-NEAR, TOP - 1 + NEAR);
    b->exit_facts[0] &= TR_FACTS_FE;    /* (the frontend's stay) */
    b->exit_facts[1] &= TR_FACTS_FE;
    for (int n = 0; n < b->n_insns; n++) {
        struct access a;
        if (access_of(&b->insns[n], &a))
            n += visit_access(s, n, &a);
        struct ir_insn *i = &b->insns[n];
        note_exit(s, i);
        if (writes_globals(i))
            for (int g = 0; g < b->n_globals; g++)
                define(s, (ir_ref)g, unknown);
        int outs = ir_op_info[i->op].n_out;
        if (outs == 1 && i->args[0] != IR_NONE)
            define(s, i->args[0], result(s, i));
        else
            for (int k = 0; k < outs; k++)
                if (i->args[k] != IR_NONE)
                    define(s, i->args[k], unknown);
    }
}
