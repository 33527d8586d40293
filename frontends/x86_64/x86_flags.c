/* x86_flags.c -- lazy arithmetic flags inside a block (QEMU-style).
 *
 * The state says which operation last set the flags and which IR values
 * were its result and operands.  Conditions (x86_cond.c) read them directly
 * while the producer is known; the cc_* globals are written only when the
 * state must outlive the block or a helper reads it.  At block start the
 * producer is unknown and the globals are the truth.
 */
#include "x86_internal.h"

void x86_flags_reset(struct x86_dc *dc)
{
    *dc->flags = (struct x86_flags_state){ .known = false, .dirty = false, .live = true,
        .exit_live = true, .exit_taken_live = true, .exit_fall_live = true, .cf_live = true,
        .dst = IR_NONE, .src = IR_NONE, .src2 = IR_NONE, .lhs = IR_NONE, .g_op = -1 };
}

/* Recorded values must stay what they were: globals change later. */
static ir_ref keep(struct x86_dc *dc, ir_ref v)
{
    ir_ref t;
    if (v == IR_NONE || dc->b->values[v].kind != IR_VAL_GLOBAL) return v;
    t = x86_new(dc);
    ir_mov(dc->b, t, v);
    return t;
}

/* LOGIC's flags come from its result alone: its operands are not kept, so
 * a sync stores no cc_src (the global keeps an older value that nothing
 * reading a LOGIC cc_op looks at: x86_internal.h's field table). */
void x86_flags_set(struct x86_dc *dc, int kind, int bytes, ir_ref dst, ir_ref src,
                   ir_ref src2, ir_ref lhs)
{
    struct x86_flags_state *f = dc->flags;
    if (!f->live) return;
    if (kind == X86_CC_LOGIC)
        src = src2 = IR_NONE;
    f->known = true; f->dirty = true;
    f->kind = kind; f->bytes = bytes;
    f->dst = keep(dc, dst); f->src = keep(dc, src);
    f->src2 = keep(dc, src2); f->lhs = keep(dc, lhs);
}

static ir_ref or_none(struct x86_dc *dc, ir_ref v) { return v == IR_NONE ? x86_imm(dc, 0) : v; }

/* The six flags of the state, by the helper unless x86_flag_ir.c knows
 * the producer's kind. */
static ir_ref eflags_of_state(struct x86_dc *dc)
{
    struct x86_flags_state *f = dc->flags;
    ir_ref e = f->known ? x86_flags_inline(dc, X86_ARITH_FLAGS) : IR_NONE;
    if (e != IR_NONE) return e;
    if (f->known && f->kind == X86_CC_CF_OVER)     /* its cc_op is a value, not a constant */
        return x86_call(dc, &x86_helper_cc_compute, f->lhs, x86_g_cc_dst, x86_g_cc_src,
                        x86_g_cc_src2, IR_NONE);
    if (f->known && x86_cc_incdec_over(f->kind))
        return x86_call(dc, &x86_helper_cc_compute, f->lhs, f->dst, x86_g_cc_src, f->src2,
                        IR_NONE);
    if (f->known)
        return x86_call(dc, &x86_helper_cc_compute, x86_imm(dc, X86_CC_OP(f->kind, f->bytes)),
                        or_none(dc, f->dst), or_none(dc, f->src), or_none(dc, f->src2), IR_NONE);
    return x86_call(dc, &x86_helper_cc_compute, x86_g_cc_op, x86_g_cc_dst, x86_g_cc_src,
                    x86_g_cc_src2, IR_NONE);
}

ir_ref x86_flags_eflags(struct x86_dc *dc)
{
    struct x86_flags_state *f = dc->flags;
    if (f->known && f->kind == X86_CC_EFLAGS) return f->src;
    ir_ref e = eflags_of_state(dc);
    /* The globals (if not dirty) still describe the same flags. */
    bool dirty = f->known && f->dirty;
    f->known = true; f->dirty = dirty;
    f->kind = X86_CC_EFLAGS; f->bytes = 8;
    f->dst = IR_NONE; f->src = e; f->src2 = IR_NONE; f->lhs = IR_NONE;
    return e;
}

ir_ref x86_flags_kept(struct x86_dc *dc, uint64_t want)
{
    ir_ref e = x86_flags_inline(dc, want);
    return e != IR_NONE ? e : x86_flags_eflags(dc);
}

/* CF = cin ? x <= y : x < y  (add/sub with carry in) */
static ir_ref carry_with_cin(struct x86_dc *dc, int size, ir_ref x, ir_ref y, ir_ref cin)
{
    struct x86_cmp c = { IR_NE, 64, cin, x86_imm(dc, 0) };
    return x86_select(dc, &c, x86_setcond(dc, IR_LEU, size, x, y), x86_setcond(dc, IR_LTU, size, x, y));
}

ir_ref x86_flags_cf_known(struct x86_dc *dc)
{
    struct x86_flags_state *f = dc->flags;
    int size = x86_ir_size(f->bytes);
    ir_ref t;
    if (!f->known) return IR_NONE;
    switch (f->kind) {
    case X86_CC_SUB: return x86_setcond(dc, IR_LTU, size, f->lhs, f->src);
    case X86_CC_ADD: return x86_setcond(dc, IR_LTU, size, f->dst, f->src);
    case X86_CC_ADC: return carry_with_cin(dc, size, f->dst, f->src, f->src2);
    case X86_CC_SBB: return carry_with_cin(dc, size, f->lhs, f->src, f->src2);
    case X86_CC_LOGIC: case X86_CC_BSF: return x86_imm(dc, 0);
    case X86_CC_INC: case X86_CC_DEC: return f->src;
    case X86_CC_MUL: return f->dst;       /* overflow: CF = OF */
    case X86_CC_SHL:
        t = x86_new(dc);
        ir_extract(dc->b, t, f->src, f->bytes * 8 - 1, 1);
        return t;
    case X86_CC_SAR: return x86_op2(dc, IR_and, 8, f->src, x86_imm(dc, 1));
    case X86_CC_EFLAGS: return x86_op2(dc, IR_and, 8, f->src, x86_imm(dc, X86_CF));
    case X86_CC_BMI: return x86_setcond(dc, IR_EQ, size, f->src, x86_imm(dc, 0));
    case X86_CC_BMI1: return x86_op2(dc, IR_and, 8, f->src, x86_imm(dc, X86_CF));
    case X86_CC_CF_OVER: return f->src;
    default: return IR_NONE;
    }
}

/* Some flags of the state in the globals, without caching the result. */
ir_ref x86_flags_unknown_bits(struct x86_dc *dc, uint64_t want)
{
    return x86_call(dc, &x86_helper_cc_bits, x86_g_cc_op, x86_g_cc_dst, x86_g_cc_src,
                    x86_g_cc_src2, x86_imm(dc, want));
}

ir_ref x86_flags_cf(struct x86_dc *dc)
{
    const struct x86_flags_state *f = dc->flags;
    ir_ref cf = x86_flags_cf_known(dc);
    if (cf != IR_NONE) return cf;
    if (f->known && x86_cc_incdec_over(f->kind))    /* the older state's, in C */
        return x86_call(dc, &x86_helper_cc_bits, f->lhs, f->dst, x86_g_cc_src, f->src2,
                        x86_imm(dc, X86_CF));
    if (!dc->flags->known) return x86_flags_unknown_bits(dc, X86_CF);
    return x86_op2(dc, IR_and, 8, x86_flags_eflags(dc), x86_imm(dc, X86_CF));
}

void x86_flags_sync(struct x86_dc *dc)
{
    struct x86_flags_state *f = dc->flags;
    if (!f->known || !f->dirty) return;
    if (f->kind == X86_CC_CF_OVER) {    /* the older state's fields stay */
        ir_mov(dc->b, x86_g_cc_op, f->lhs);
        f->dirty = false;
        f->g_op = -1;
        return;
    }
    if (x86_cc_incdec_over(f->kind)) {  /* (cc_src stays the older src) */
        ir_mov(dc->b, x86_g_cc_op, f->lhs);
        ir_mov(dc->b, x86_g_cc_dst, f->dst);
        ir_mov(dc->b, x86_g_cc_src2, f->src2);
        f->dirty = false;
        f->g_op = -1;
        return;
    }
    ir_movi(dc->b, x86_g_cc_op, X86_CC_OP(f->kind, f->bytes));
    if (f->dst != IR_NONE) ir_mov(dc->b, x86_g_cc_dst, f->dst);
    if (f->src != IR_NONE) ir_mov(dc->b, x86_g_cc_src, f->src);
    if (f->src2 != IR_NONE) ir_mov(dc->b, x86_g_cc_src2, f->src2);
    f->dirty = false;
    f->g_op = (int)X86_CC_OP(f->kind, f->bytes);
}

void x86_flags_sync_exit(struct x86_dc *dc)
{
    if (dc->flags->exit_live) x86_flags_sync(dc);
}

void x86_flags_clobbered(struct x86_dc *dc)
{
    struct x86_flags_state keep = *dc->flags;
    x86_flags_reset(dc);
    dc->flags->live = keep.live;
    dc->flags->exit_live = keep.exit_live;
    dc->flags->exit_taken_live = keep.exit_taken_live;
    dc->flags->exit_fall_live = keep.exit_fall_live;
    dc->flags->cf_live = keep.cf_live;
}

/* With the older state unknown (the globals hold it) or itself a CF
 * override, the new one is that state's cc_op with CF attached: a few IR
 * ops where materialising the older flags took a cc_compute call.  cc1's
 * `bt; jb` (switch bit tests) and busybox's `inc; je` then `bt; jb` at a
 * block entered without a known state made ~14,000 and 33,000 such calls
 * per run; the jb reads CF straight from here (x86_flags_cf_known). */
void x86_flags_set_cf(struct x86_dc *dc, ir_ref cf)
{
    struct x86_flags_state *f = dc->flags;
    if (!f->live) return;
    if (f->known && x86_cc_incdec_over(f->kind))    /* its fields into the globals */
        x86_flags_sync(dc);
    if (f->known && f->kind != X86_CC_CF_OVER && !x86_cc_incdec_over(f->kind)) {
        ir_ref e = x86_op2(dc, IR_andc, 8, x86_flags_eflags(dc), x86_imm(dc, X86_CF));
        x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, x86_op2(dc, IR_or, 8, e, cf), IR_NONE,
                      IR_NONE);
        return;
    }
    /* The older cc_op without its CF value (an inc/dec over it keeps its
     * bits above: the cc globals keep their meaning). */
    ir_ref older = f->known ? f->lhs : x86_g_cc_op;
    ir_ref over = x86_op2(dc, IR_shl, 8, cf, x86_imm(dc, X86_CC_CF_SHIFT));
    over = x86_op2(dc, IR_or, 8, over, x86_imm(dc, X86_CC_CF_OVER_BIT));    /* (clc/stc: one constant) */
    ir_ref op = x86_op2(dc, IR_or, 8,
                        x86_op2(dc, IR_andc, 8, older, x86_imm(dc, 1ull << X86_CC_CF_SHIFT)), over);
    f->known = true; f->dirty = true;
    f->kind = X86_CC_CF_OVER; f->bytes = 8;
    f->dst = IR_NONE; f->src = keep(dc, cf); f->src2 = IR_NONE; f->lhs = op;
}

/* busybox's `dec eax; js` at a function's entry made 18,000 cc_bits calls
 * a run of its sh loop: inc/dec keep CF, which over an unknown state took
 * the helper.  Now the new state is the older one's cc_op with the inc/dec
 * attached (X86_CC_INCDEC_OVER, x86_internal.h), its result in cc_dst and
 * the older dst moved to cc_src2 -- unless the older state is itself such
 * an inc/dec (found at run time: a select), whose fields stay. */
bool x86_flags_cf_at_hand(const struct x86_dc *dc)
{
    return dc->flags->known && !x86_cc_incdec_over(dc->flags->kind);
}

void x86_flags_set_incdec_over(struct x86_dc *dc, int kind, int bytes, ir_ref r)
{
    struct x86_flags_state *f = dc->flags;
    uint64_t own = X86_CC_OP(kind, bytes) << X86_CC_INCDEC_OP_SHIFT;
    ir_ref older = f->known ? f->lhs : x86_g_cc_op;
    ir_ref keep_op = x86_op2(dc, IR_and, 8, older, x86_imm(dc, X86_CC_INCDEC_OVER_BIT * 2 - 1));
    ir_ref op, src2;
    if (f->known) {                     /* an inc/dec over one in this block */
        op = x86_op2(dc, IR_or, 8, keep_op, x86_imm(dc, own));
        src2 = f->src2;
    } else {
        struct x86_cmp nested = { IR_TSTNE, 64, x86_g_cc_op, x86_imm(dc, X86_CC_INCDEC_OVER_BIT) };
        ir_ref cin = x86_op2(dc, IR_shl, 8, x86_op2(dc, IR_and, 8, x86_g_cc_src2, x86_imm(dc, 1)),
                             x86_imm(dc, X86_CC_INCDEC_CIN_SHIFT));
        ir_ref plain = x86_op2(dc, IR_or, 8, cin, x86_imm(dc, X86_CC_INCDEC_OVER_BIT | own));
        op = x86_op2(dc, IR_or, 8, keep_op, x86_select(dc, &nested, x86_imm(dc, own), plain));
        src2 = keep(dc, x86_select(dc, &nested, x86_g_cc_src2, x86_g_cc_dst));
    }
    f->known = true; f->dirty = true;
    f->kind = kind == X86_CC_INC ? X86_CC_INC_OVER : X86_CC_DEC_OVER; f->bytes = bytes;
    f->dst = keep(dc, r); f->src = IR_NONE; f->src2 = src2; f->lhs = op;
}

void x86_flags_set_eflags(struct x86_dc *dc, ir_ref eflags)
{
    ir_ref e = x86_op2(dc, IR_and, 8, eflags, x86_imm(dc, X86_ARITH_FLAGS));
    x86_flags_set(dc, X86_CC_EFLAGS, 8, IR_NONE, e, IR_NONE, IR_NONE);
}

/* ---- lazy state across chained exits ------------------------------------ */

/* The states a chained exit can name, index + 1 in the TR_FACTS_FE bits:
 * the producers whose conditions x86_cond.c and x86_flag_ir.c compute
 * from the operands.  Each adds a variant of the successor, so only the
 * common ones, and only at exits whose successor reads the flags.  EFLAGS
 * (the flags themselves in cc_src) is the state after ucomisd/comisd and
 * bt: python's `ucomisd; jp; je` and cc1's chains of `bt; jb` read it at
 * the next block's start (it took dec at 8 bytes' place, which no run
 * counted at an exit whose successor reads the flags). */
static const struct { uint8_t kind, bytes; } fact_states[] = {
    { X86_CC_SUB, 8 }, { X86_CC_SUB, 4 }, { X86_CC_SUB, 1 }, { X86_CC_SUB, 2 },
    { X86_CC_LOGIC, 8 }, { X86_CC_LOGIC, 4 }, { X86_CC_LOGIC, 1 }, { X86_CC_LOGIC, 2 },
    { X86_CC_ADD, 8 }, { X86_CC_ADD, 4 }, { X86_CC_INC, 4 }, { X86_CC_DEC, 4 },
    { X86_CC_EFLAGS, 8 }, { X86_CC_SAR, 8 }, { X86_CC_MUL, 8 },
};
#define N_FACT_STATES (int)(sizeof fact_states / sizeof fact_states[0])

static unsigned fact_of_op(int op)
{
    for (int k = 0; k < N_FACT_STATES; k++)
        if (op == (int)X86_CC_OP(fact_states[k].kind, fact_states[k].bytes))
            return (unsigned)k + 1;
    return 0;
}

void x86_flags_exit_fact(struct x86_dc *dc, int slot, bool reads)
{
    if (dc->system || slot < 0 || slot > 1) return;
    unsigned k = reads ? fact_of_op(dc->flags->g_op) : 0;
    uint32_t *facts = &dc->b->exit_facts[slot];
    *facts = (*facts & ~TR_FACTS_FE) | k << TR_FACTS_FE_SHIFT;
}

/* A copy: the globals change when a later producer is synced. */
static ir_ref entry_value(struct x86_dc *dc, ir_ref g)
{
    ir_ref t = x86_new(dc);
    ir_mov(dc->b, t, g);
    return t;
}

void x86_flags_enter(struct x86_dc *dc, uint32_t mode)
{
    struct x86_flags_state *f = dc->flags;
    unsigned k = ((mode >> TR_MODE_FACTS_SHIFT) & TR_FACTS_FE) >> TR_FACTS_FE_SHIFT;
    if (dc->system || k == 0 || k > (unsigned)N_FACT_STATES) return;
    f->known = true; f->dirty = false;
    f->kind = fact_states[k - 1].kind; f->bytes = fact_states[k - 1].bytes;
    f->g_op = (int)X86_CC_OP(f->kind, f->bytes);
    f->dst = entry_value(dc, x86_g_cc_dst);
    f->src = entry_value(dc, x86_g_cc_src);
    f->src2 = entry_value(dc, x86_g_cc_src2);
    /* sub/cmp: r = lhs - src at the operand size */
    f->lhs = f->kind == X86_CC_SUB ? x86_arith(dc, IR_add, f->bytes, f->dst, f->src) : IR_NONE;
}
