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
 * each value carries an interval, from constants, zero-extending ops
 * (32-bit results, narrow loads, extensions, masks), constant adds, and
 * from earlier accesses -- an access that completed had its address in
 * [0, 2^47), so its base was within its displacement of there, and a
 * tested base is in [0, 2^47).  A base tested once in a block (`mov
 * eax, [rdi]; mov ecx, [rdi + 8]`) and a stack pointer moved by pushes and
 * pops after one access are not tested again.  Intervals are per block:
 * nothing is assumed at its entry.  The mark is insn->cond bit 0 of the
 * guest memory ops (ir_access_checked); the backend tests the base (ld, st,
 * atomics, vld, vst; ldx and stx whose index is known small:
 * IR_ACCESS_BASE) or the whole address (other ldx, stx).  Nothing here
 * knows the host. */
#include <string.h>

#include "guest_mem.h"
#include "ir.h"

#define TOP ((int64_t)TR_CANON_TOP)
#define LIMIT ((int64_t)1 << 62)        /* wider intervals are not tracked */

struct span {
    int64_t lo, hi;                     /* lo > hi: nothing known */
};

static const struct span unknown = { 1, 0 };

static bool known(struct span s) { return s.lo <= s.hi; }

static struct span span_of(int64_t lo, int64_t hi)
{
    return lo < -LIMIT || hi > LIMIT || lo > hi ? unknown : (struct span){ lo, hi };
}

/* [0, 2^bits - 1] and its signed counterpart. */
static struct span zext(int bits) { return span_of(0, (int64_t)((1ull << bits) - 1)); }
static struct span sext(int bits) { return span_of(-((int64_t)1 << (bits - 1)), ((int64_t)1 << (bits - 1)) - 1); }

struct check_state {
    struct ir_block *b;
    struct span v[IR_MAX_VALUES];
};

static struct span val(const struct check_state *s, ir_ref r)
{
    if (r == IR_NONE)
        return unknown;
    if (ir_is_const(s->b, r)) {
        int64_t c = (int64_t)s->b->values[r].imm;
        return span_of(c, c);
    }
    return s->v[r];
}

static struct span add(struct span a, struct span b)
{
    return known(a) && known(b) ? span_of(a.lo + b.lo, a.hi + b.hi) : unknown;
}

static struct span sub(struct span a, struct span b)
{
    return known(a) && known(b) ? span_of(a.lo - b.hi, a.hi - b.lo) : unknown;
}

static struct span meet(struct span a, struct span b)
{
    if (!known(a))
        return b;
    if (!known(b))
        return a;
    struct span m = { a.lo > b.lo ? a.lo : b.lo, a.hi < b.hi ? a.hi : b.hi };
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
    if (known(m) && m.lo == m.hi && m.lo >= 0)
        return span_of(0, m.lo);
    if (known(m) && m.lo == m.hi && m.lo >= -(1 << 20) && known(a))
        return span_of(a.lo + m.lo + 1, a.hi);
    return unknown;
}

static struct span shift_span(const struct ir_insn *i, struct span a, struct span n)
{
    if (!known(n) || n.lo != n.hi || n.lo < 0 || n.lo > 62)
        return unknown;
    int k = (int)n.lo;
    if (i->op == IR_shl)
        return known(a) && a.lo >= 0 && a.hi <= (LIMIT >> k) ? span_of(a.lo << k, a.hi << k) : unknown;
    if (known(a) && a.lo >= 0)
        return span_of(a.lo >> k, a.hi >> k);
    return k >= 2 ? span_of(0, (int64_t)(UINT64_MAX >> k)) : unknown;
}

/* The interval of op i's (single) result. */
static struct span result(const struct check_state *s, const struct ir_insn *i)
{
    struct span a = val(s, i->args[1]), b = val(s, i->args[2]);
    if ((ir_op_info[i->op].flags & IR_F_SIZED) && i->size == 32 && i->op != IR_movcond)
        return zext(32);
    switch (i->op) {
    case IR_mov: return a;
    case IR_add: return add(a, b);
    case IR_sub: return sub(a, b);
    case IR_and: return known(b) ? and_span(a, b) : and_span(b, a);
    case IR_shl: case IR_shr: return shift_span(i, a, b);
    case IR_setcond: case IR_setflags: return span_of(0, 1);
    case IR_clz: case IR_ctz: return span_of(0, 64);
    case IR_ext8u: case IR_ext16u: case IR_ext32u:
    case IR_ext8s: case IR_ext16s: case IR_ext32s: return ext_span(i->op);
    case IR_extract: return i->aux[1] < 62 ? zext((int)i->aux[1]) : unknown;
    case IR_sextract: return i->aux[1] >= 1 && i->aux[1] < 62 ? sext((int)i->aux[1]) : unknown;
    case IR_addx: return add(a, ext_span((int)i->aux[0]));
    case IR_subx: return sub(a, ext_span((int)i->aux[0]));
    case IR_movcond: {
        struct span c = val(s, i->args[3]), e = val(s, i->args[4]);
        return known(c) && known(e) ? span_of(c.lo < e.lo ? c.lo : e.lo, c.hi > e.hi ? c.hi : e.hi)
                                    : unknown;
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
    if (!known(x) || x.lo < 0 || x.hi > (LIMIT >> a->scale))
        return unknown;
    return add(ea, span_of(x.lo << a->scale, x.hi << a->scale));
}

/* Whether every byte of an access within ea lies where the host
 * faults unless x86 would not: [-2^47, 2^47 + TR_CANON_GUARD). */
static bool host_faults_for_us(struct span ea, int bytes)
{
    return known(ea) && ea.lo >= -TOP && ea.hi + bytes <= TOP + (int64_t)TR_CANON_GUARD;
}

/* Decides the access's test: none, of its base (an indexed access's too
 * when its index is known small enough), or of its whole address; then
 * narrows what its completion proves: its address was in [0, 2^47 -
 * bytes], and a tested base in [0, 2^47). */
static void visit_access(struct check_state *s, struct ir_insn *i, const struct access *a)
{
    bool test = !host_faults_for_us(address(s, a), a->bytes), base_test = test;
    bool is_const = ir_is_const(s->b, a->base);
    struct span base = val(s, a->base);
    if (test && a->index != IR_NONE) {
        struct check_state *t = s;
        struct span saved = base;
        if (!is_const)
            t->v[a->base] = span_of(0, TOP - 1);
        base_test = !is_const && host_faults_for_us(address(t, a), a->bytes);
        if (!is_const)
            t->v[a->base] = saved;
    }
    i->cond = (uint8_t)(test ? IR_ACCESS_TEST | (base_test ? IR_ACCESS_BASE : 0) : 0);
    if (is_const)
        return;
    if (base_test)
        base = span_of(0, TOP - 1);
    if (a->index == IR_NONE)
        base = meet(base, span_of(-a->disp, TOP - a->bytes - a->disp));
    s->v[a->base] = base;
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

void ir_check_accesses(struct ir_block *b)
{
    struct check_state st, *s = &st;    /* 64 KB: on the stack, as ir_rebase's */
    s->b = b;
    for (int r = 0; r < b->n_values; r++)
        s->v[r] = unknown;
    for (int n = 0; n < b->n_insns; n++) {
        struct ir_insn *i = &b->insns[n];
        struct access a;
        if (access_of(i, &a))
            visit_access(s, i, &a);
        if (writes_globals(i))
            for (int g = 0; g < b->n_globals; g++)
                s->v[g] = unknown;
        int outs = ir_op_info[i->op].n_out;
        if (outs == 1 && i->args[0] != IR_NONE)
            s->v[i->args[0]] = result(s, i);
        else
            for (int k = 0; k < outs; k++)
                if (i->args[k] != IR_NONE)
                    s->v[i->args[k]] = unknown;
    }
}
