/* x86_cond.c -- x86 condition codes as single IR comparisons.
 *
 * With a known producer in the block, `cmp a,b; jl` becomes LT a b and
 * `test a,a; je` becomes EQ r 0; otherwise the six flags are materialised
 * (x86_flags_eflags) and the condition tests their bits.
 */
#include "x86_internal.h"

/* Base conditions (cc >> 1); odd cc values are their negation. */
enum { CC_O, CC_B, CC_E, CC_BE, CC_S, CC_P, CC_L, CC_LE };

static void cmp_set(struct x86_cmp *o, enum ir_cond c, int size, ir_ref a, ir_ref b)
{
    o->cond = c; o->size = size; o->a = a; o->b = b;
}

/* The result as a signed value at 64 bits when narrower than 32. */
static ir_ref signed_val(struct x86_dc *dc, ir_ref v, int bytes)
{
    return bytes < 4 ? x86_sext(dc, v, bytes) : v;
}

static bool cond_from_result(struct x86_dc *dc, int base, struct x86_cmp *o)
{
    struct x86_flags_state *f = dc->flags;
    int size = x86_ir_size(f->bytes);
    ir_ref zero = x86_imm(dc, 0);
    switch (base) {
    case CC_E: cmp_set(o, IR_EQ, size, f->dst, zero); return true;
    case CC_S: cmp_set(o, IR_LT, size, signed_val(dc, f->dst, f->bytes), zero); return true;
    default: return false;
    }
}

static bool cond_sub(struct x86_dc *dc, int base, struct x86_cmp *o)
{
    struct x86_flags_state *f = dc->flags;
    int size = x86_ir_size(f->bytes);
    static const enum ir_cond map[8] = { [CC_B] = IR_LTU, [CC_E] = IR_EQ, [CC_BE] = IR_LEU,
                                         [CC_L] = IR_LT, [CC_LE] = IR_LE };
    if (base == CC_S) return cond_from_result(dc, base, o);
    if (base == CC_O || base == CC_P) return false;
    if (base == CC_L || base == CC_LE)
        cmp_set(o, map[base], size, signed_val(dc, f->lhs, f->bytes),
                signed_val(dc, f->src, f->bytes));
    else
        cmp_set(o, map[base], size, f->lhs, f->src);
    return true;
}

static bool cond_logic(struct x86_dc *dc, int base, struct x86_cmp *o)
{
    struct x86_flags_state *f = dc->flags;
    int size = x86_ir_size(f->bytes);
    ir_ref zero = x86_imm(dc, 0);
    switch (base) {
    case CC_O: case CC_B: cmp_set(o, IR_NE, 32, zero, zero); return true;
    case CC_E: case CC_BE: cmp_set(o, IR_EQ, size, f->dst, zero); return true;
    case CC_S: case CC_L:
        cmp_set(o, IR_LT, size, signed_val(dc, f->dst, f->bytes), zero); return true;
    case CC_LE: cmp_set(o, IR_LE, size, signed_val(dc, f->dst, f->bytes), zero); return true;
    default: return false;
    }
}

static bool cond_add(struct x86_dc *dc, int base, struct x86_cmp *o)
{
    struct x86_flags_state *f = dc->flags;
    if (base == CC_B) {
        cmp_set(o, IR_LTU, x86_ir_size(f->bytes), f->dst, f->src);
        return true;
    }
    return cond_from_result(dc, base, o);
}

static bool cond_known(struct x86_dc *dc, int base, struct x86_cmp *o)
{
    int kind = dc->flags->kind;
    if (base == CC_B && (kind == X86_CC_ADC || kind == X86_CC_SBB || kind == X86_CC_SHL ||
                         kind == X86_CC_SAR || kind == X86_CC_MUL || kind == X86_CC_BMI ||
                         kind == X86_CC_BMI1 || kind == X86_CC_CF_OVER)) {
        cmp_set(o, IR_NE, 64, x86_flags_cf_known(dc), x86_imm(dc, 0));
        return true;
    }
    if (base == CC_B && x86_cc_incdec_over(kind)) {  /* the older state's CF, in C */
        cmp_set(o, IR_NE, 64, x86_flags_cf(dc), x86_imm(dc, 0));
        return true;
    }
    switch (kind) {
    case X86_CC_SUB: return cond_sub(dc, base, o);
    case X86_CC_LOGIC: return cond_logic(dc, base, o);
    case X86_CC_ADD: return cond_add(dc, base, o);
    case X86_CC_ADC: case X86_CC_SBB: case X86_CC_INC: case X86_CC_DEC:
    case X86_CC_SHL: case X86_CC_SAR: case X86_CC_INC_OVER: case X86_CC_DEC_OVER:
        return cond_from_result(dc, base, o);
    case X86_CC_BSF:
        if (base != CC_E) return false;
        cmp_set(o, IR_EQ, x86_ir_size(dc->flags->bytes), dc->flags->src, x86_imm(dc, 0));
        return true;
    case X86_CC_BMI: case X86_CC_BMI1:      /* ZF from the result (BMI1: always) */
        return base == CC_E && cond_from_result(dc, base, o);
    default: return false;
    }
}

static void cond_eflags(struct x86_dc *dc, int base, struct x86_cmp *o)
{
    static const uint64_t bits[8] = { [CC_O] = X86_OF, [CC_B] = X86_CF, [CC_E] = X86_ZF,
        [CC_BE] = X86_CF | X86_ZF, [CC_S] = X86_SF, [CC_P] = X86_PF,
        [CC_L] = X86_SF, [CC_LE] = X86_SF | X86_ZF };
    uint64_t want = bits[base] | (base == CC_L || base == CC_LE ? X86_OF : 0);
    ir_ref e = dc->flags->known ? x86_flags_inline(dc, want) : IR_NONE;
    if (e == IR_NONE)
        e = dc->flags->known ? x86_flags_eflags(dc) : x86_flags_unknown_bits(dc, want);
    if (base == CC_L || base == CC_LE)     /* bit 7 becomes SF ^ OF */
        e = x86_op2(dc, IR_xor, 8, e, x86_op2(dc, IR_shr, 8, e, x86_imm(dc, 4)));
    cmp_set(o, IR_TSTNE, 64, e, x86_imm(dc, bits[base]));
}

void x86_cond(struct x86_dc *dc, int cc, struct x86_cmp *o)
{
    int base = (cc >> 1) & 7;
    if (!(dc->flags->known && cond_known(dc, base, o)))
        cond_eflags(dc, base, o);
    if (cc & 1) o->cond = ir_cond_invert(o->cond);
}

/* The condition of each jcc/setcc/cmovcc id, +1 (0: none), by id: asked
 * for every instruction the flag scans and the block plan look at. */
static int8_t cc_by_id[X86_INS_ENDING];

static void fill_cc_by_id(void)
{
    static const unsigned ids[][3] = {
        { X86_INS_JO, X86_INS_SETO, X86_INS_CMOVO },
        { X86_INS_JNO, X86_INS_SETNO, X86_INS_CMOVNO },
        { X86_INS_JB, X86_INS_SETB, X86_INS_CMOVB },
        { X86_INS_JAE, X86_INS_SETAE, X86_INS_CMOVAE },
        { X86_INS_JE, X86_INS_SETE, X86_INS_CMOVE },
        { X86_INS_JNE, X86_INS_SETNE, X86_INS_CMOVNE },
        { X86_INS_JBE, X86_INS_SETBE, X86_INS_CMOVBE },
        { X86_INS_JA, X86_INS_SETA, X86_INS_CMOVA },
        { X86_INS_JS, X86_INS_SETS, X86_INS_CMOVS },
        { X86_INS_JNS, X86_INS_SETNS, X86_INS_CMOVNS },
        { X86_INS_JP, X86_INS_SETP, X86_INS_CMOVP },
        { X86_INS_JNP, X86_INS_SETNP, X86_INS_CMOVNP },
        { X86_INS_JL, X86_INS_SETL, X86_INS_CMOVL },
        { X86_INS_JGE, X86_INS_SETGE, X86_INS_CMOVGE },
        { X86_INS_JLE, X86_INS_SETLE, X86_INS_CMOVLE },
        { X86_INS_JG, X86_INS_SETG, X86_INS_CMOVG },
    };
    for (int cc = 0; cc < 16; cc++)
        for (int k = 0; k < 3; k++)
            cc_by_id[ids[cc][k]] = (int8_t)(cc + 1);
}

int x86_cc_of_insn(unsigned id)
{
    static bool filled;     /* (filling twice writes the same bytes) */
    if (!filled) {
        fill_cc_by_id();
        filled = true;
    }
    return id < X86_INS_ENDING ? cc_by_id[id] - 1 : -1;
}
