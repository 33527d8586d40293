/* a64_ops.c -- be_emit_insn: one short emitter per IR op, chosen through a
 * table indexed by the op, with a per-row parameter (the A64 opcode) so
 * that families (logic, shifts, extensions, ...) share one emitter.
 *
 * Inputs arrive in registers, or as constants where be_imm_fits() allowed
 * it; any other constant is still handled (loaded into a scratch
 * register), so the emitters never depend on the allocator's choices.
 * 32-bit ops use the W forms, which zero-extend as the IR requires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a64_emit.h"
#include "a64_vec.h"

typedef void emit_fn(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in);

static bool is64(const struct ir_insn *insn) { return insn->size != 32; }
static int width(const struct ir_insn *insn) { return is64(insn) ? 64 : 32; }
static uint64_t trunc_w(uint64_t v, int w) { return w == 32 ? (uint32_t)v : v; }
static uint64_t ones_w(int w) { return w == 32 ? 0xffffffffull : ~0ull; }

static void emit_nop(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in) {}

static void emit_mov(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in)
{
    if (in[0].is_const)
        be_emit_movi(c, out[0].reg, in[0].imm);
    else
        be_emit_mov(c, out[0].reg, in[0].reg);
}

/* add/sub: imm12 (or its negation with the other op), else registers.
 * param: bit 0 sub, SET_FLAGS for subf/addf (adds/subs; a negated
 * immediate gives the same flags as `cmp` for every value it is used for:
 * not 0, and INT_MIN has no imm12 form). */
enum { SET_FLAGS = 2 };

/* The last `cset` of setcond/setflags, while it is the last word emitted. */
static __thread struct {
    const uint8_t *block, *end;
} last_cset;

static void note_cset(struct be_code *c)
{
    last_cset.block = c->start;
    last_cset.end = c->ptr;
}

/* add of a cset's 0/1 (dead after, or overwritten by the sum) to a
 * register, as x86's `adc r, 0`
 * and setcc + add leave them: the cset becomes `cinc xd, xn, cond`
 * (csinc with cset's inverted condition), on the flags it read:
 *     cmp w0, #1 ; cset w0, lo ; add x22, x22, x0  ->  cmp w0, #1 ; cinc x22, x22, lo */
static bool fold_cset_add(struct be_code *c, bool sf, const struct be_arg *out,
                          const struct be_arg *in)
{
    if (last_cset.block != c->start || last_cset.end != c->ptr)
        return false;
    uint32_t w;
    memcpy(&w, be_writable(c, c->ptr - 4), 4);
    unsigned rd = w & 31, inv = w >> 12 & 15;
    if ((w & 0xffff0fe0u) != 0x1a9f07e0u)   /* cset wd (csinc wd, wzr, wzr, cond) */
        return false;
    for (int k = 0; k < 2; k++) {
        const struct be_arg *t = &in[k], *x = &in[1 - k];
        if (t->is_const || !(t->dead || t->reg == out[0].reg) || (unsigned)t->reg != rd ||
            x->is_const ||
            (unsigned)x->reg == rd)
            continue;
        c->ptr -= 4;
        a64_put(c, a64_cond_select(sf, false, 1, (unsigned)x->reg, (enum a64_cond)inv,
                                   (unsigned)x->reg, out[0].reg));
        last_cset.block = NULL;
        return true;
    }
    return false;
}

/* 0 - a cset's 0/1 (dead after, or overwritten by the difference), as
 * x86's `sbb r, r` leaves it: the cset becomes `csetm` (csinv of the zero
 * register, with cset's inverted condition):
 *     cset w1, lo ; neg w2, w1  ->  csetm w2, lo */
static bool fold_cset_neg(struct be_code *c, bool sf, const struct be_arg *out,
                          const struct be_arg *in)
{
    if (!in[0].is_const || in[0].imm != 0 || in[1].is_const ||
        last_cset.block != c->start || last_cset.end != c->ptr)
        return false;
    uint32_t w;
    memcpy(&w, be_writable(c, c->ptr - 4), 4);
    unsigned rd = w & 31, inv = w >> 12 & 15;
    if ((w & 0xffff0fe0u) != 0x1a9f07e0u || (unsigned)in[1].reg != rd ||
        !(in[1].dead || in[1].reg == out[0].reg))
        return false;
    c->ptr -= 4;
    a64_put(c, a64_cond_select(sf, true, 0, A64_ZR, (enum a64_cond)inv, A64_ZR, out[0].reg));
    last_cset.block = NULL;
    return true;
}

static void emit_add_sub(struct be_code *c, const struct ir_insn *insn, unsigned param,
                         const struct be_arg *out, const struct be_arg *in)
{
    bool sf = is64(insn), sub = param & 1, s = param & SET_FLAGS;
    int w = width(insn);
    if (in[1].is_const) {
        uint64_t v = trunc_w(in[1].imm, w), neg = trunc_w(-in[1].imm, w);
        bool direct = a64_arith_imm_fits(v);
        if (direct || a64_arith_imm_fits(neg)) {
            uint64_t imm = direct ? v : neg;
            bool hi = imm >= 4096;
            unsigned rn = a64_src(c, &in[0], A64_TMP1, w);
            bool minus = direct ? sub : !sub;
            if (sf && !s && a64_fold_writeback(c, out[0].reg, rn, minus ? -(int64_t)imm : (int64_t)imm))
                return;                 /* into the access before (pop, push) */
            a64_put(c, a64_add_sub_imm(sf, minus, s, hi,
                                       hi ? imm >> 12 : imm, rn, out[0].reg));
            return;
        }
    }
    if (!sub && !s && fold_cset_add(c, sf, out, in))
        return;
    if (sub && !s && fold_cset_neg(c, sf, out, in))
        return;
    if (!s && a64_fold_mul_add_sub(c, sf, sub, out, in))
        return;
    unsigned frn, frm, count;
    enum a64_shift shift;
    if (a64_fold_shift_operand(c, sf, !sub, false, &frn, &frm, &shift, &count, out, in)) {
        a64_put(c, a64_add_sub_shifted_reg(sf, sub, s, shift, frm, count, frn, out[0].reg));
        return;
    }
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP1, w);
    unsigned rm = a64_src_zr(c, &in[1], A64_TMP0, w);
    a64_put(c, a64_add_sub_shifted_reg(sf, sub, s, A64_LSL, rm, 0, rn, out[0].reg));
    if (sf && !sub && !s)
        a64_note_address_add(c);        /* a vector access's [base + index] */
}

/* addx/subx: `add/sub Xd, Xn, Wm, uxtw` and the other extensions
 * (ir_extfold.c); neither register is 31 (SP in this form).  subfx:
 * `subs`, at the op's size (`cmp w0, w10, uxtb` but for the result).
 * A shl operand (aux[1] its count): the shifted-register form, `add Xd,
 * Xn, Xm, lsl #c`. */
static void emit_add_sub_ext(struct be_code *c, const struct ir_insn *insn, unsigned param,
                             const struct be_arg *out, const struct be_arg *in)
{
    static const uint8_t option_of[] = {
        [IR_ext8u] = 0, [IR_ext16u] = 1, [IR_ext32u] = 2,
        [IR_ext8s] = 4, [IR_ext16s] = 5, [IR_ext32s] = 6,
    };
    bool flags = param & SET_FLAGS, sf = !flags || is64(insn);
    unsigned rn = a64_src(c, &in[0], A64_TMP1, 64);
    unsigned rm = a64_src(c, &in[1], A64_TMP0, 64);
    if (insn->aux[0] == IR_shl) {
        a64_put(c, a64_add_sub_shifted_reg(true, param & 1, flags, A64_LSL, rm,
                                           (unsigned)insn->aux[1], rn, out[0].reg));
        return;
    }
    a64_put(c, a64_add_sub_ext_reg(sf, param & 1, flags, option_of[insn->aux[0]], 0, rm, rn,
                                   out[0].reg));
}

/* param: enum a64_logic_opc, plus LOGIC_INVERT for andc (bic). */
enum { LOGIC_INVERT = 4 };

static bool emit_logic_const(struct be_code *c, const struct ir_insn *insn, unsigned param,
                             unsigned rn, unsigned rd, uint64_t imm)
{
    bool sf = is64(insn);
    int w = width(insn);
    enum a64_logic_opc opc = param & 3;
    uint64_t v = trunc_w(param & LOGIC_INVERT ? ~imm : imm, w);
    unsigned enc;
    if (v == 0 || v == ones_w(w))   /* x op 0, or x inverted-op 0 */
        a64_put(c, a64_logical_shifted_reg(sf, opc, v != 0, A64_LSL, A64_ZR, 0, rn, rd));
    else if (a64_bitmask_encode(v, w, &enc))
        a64_put(c, a64_logical_imm(sf, opc, enc, rn, rd));
    else
        return false;
    return true;
}

/* The last zero extension of ext8u/ext16u/ext32u (`ubfx xd, xn, #0,
 * #bits`), while it is the last word emitted. */
static __thread struct {
    const uint8_t *block, *end;
} last_uext;

/* and/andf of a zero extension just emitted (dead after, or overwritten
 * by the and's result: its register holds nothing else) with a mask
 * within the extended bits, as x86's `test al, 1` leaves it: the
 * extension is dropped and the and reads its source (the same bits,
 * the same flags):  ubfx x0, x20, #0, #8 ; ands w0, w0, #1  ->  ands w0, w20, #1.
 * Returns the register to read. */
static unsigned fold_uext_and(struct be_code *c, const struct ir_insn *insn, unsigned param,
                              const struct be_arg *in, unsigned rn, unsigned rd)
{
    if (last_uext.block != c->start || last_uext.end != c->ptr || (param & LOGIC_INVERT) ||
        (param & 3) == A64_ORR || (param & 3) == A64_EOR || in[0].is_const ||
        !(in[0].dead || rn == rd) || (unsigned)in[0].reg != rn)
        return rn;
    uint32_t w;
    memcpy(&w, be_writable(c, c->ptr - 4), 4);
    unsigned bits = (w >> 10 & 63) + 1, src = w >> 5 & 31;
    uint64_t v = trunc_w(in[1].imm, width(insn));
    unsigned enc;
    if ((w & 0xffff0000u) != 0xd3400000u || (w & 31) != rn || src == A64_ZR || bits >= 64 ||
        v >> bits != 0 || (v != 0 && v != ones_w(width(insn)) &&
                           !a64_bitmask_encode(v, width(insn), &enc)))
        return rn;                  /* (emit_logic_const takes exactly those masks) */
    c->ptr -= 4;
    last_uext.block = NULL;
    return src;
}

static void emit_logic(struct be_code *c, const struct ir_insn *insn, unsigned param,
                       const struct be_arg *out, const struct be_arg *in)
{
    int w = width(insn);
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP1, w);
    if (in[1].is_const)
        rn = fold_uext_and(c, insn, param, in, rn, out[0].reg);
    if (in[1].is_const && emit_logic_const(c, insn, param, rn, out[0].reg, in[1].imm))
        return;
    unsigned frn, frm, count;
    enum a64_shift shift;
    if (a64_fold_shift_operand(c, is64(insn), !(param & LOGIC_INVERT), true, &frn, &frm, &shift,
                               &count, out, in)) {
        a64_put(c, a64_logical_shifted_reg(is64(insn), param & 3, param & LOGIC_INVERT, shift,
                                           frm, count, frn, out[0].reg));
        return;
    }
    unsigned rm = a64_src_zr(c, &in[1], A64_TMP0, w);
    a64_put(c, a64_logical_shifted_reg(is64(insn), param & 3, param & LOGIC_INVERT,
                                       A64_LSL, rm, 0, rn, out[0].reg));
}

/* Shifts and rotates; param is the register form's opcode.  rotl by n is
 * rotr by -n (both taken modulo the width). */
enum { ROTL = 0x3f };
_Static_assert(A64_RORV - A64_LSLV == A64_ROR && A64_ASRV - A64_LSLV == A64_ASR &&
               A64_LSRV - A64_LSLV == A64_LSR, "a shift's opcode names its shifted-register kind");

static uint32_t shift_by_imm(unsigned opcode, bool sf, unsigned rd, unsigned rn, unsigned s)
{
    switch (opcode) {
    case A64_LSLV: return a64_lsl_imm(sf, rd, rn, s);
    case A64_LSRV: return a64_lsr_imm(sf, rd, rn, s);
    case A64_ASRV: return a64_asr_imm(sf, rd, rn, s);
    default:       return a64_ror_imm(sf, rd, rn, s);
    }
}

static void emit_shift(struct be_code *c, const struct ir_insn *insn, unsigned param,
                       const struct be_arg *out, const struct be_arg *in)
{
    bool sf = is64(insn);
    int w = width(insn);
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP1, w);
    if (in[1].is_const) {
        unsigned s = in[1].imm & (w - 1);
        if (param == ROTL) s = (w - s) & (w - 1);
        unsigned op = param == ROTL ? A64_RORV : param;
        a64_put(c, shift_by_imm(op, sf, out[0].reg, rn, s));
        a64_note_shift(c, sf, (enum a64_shift)(op - A64_LSLV), out[0].reg, rn, s);
        return;
    }
    unsigned rm = in[1].reg;
    if (param == ROTL) {
        a64_put(c, a64_neg(false, A64_TMP0, rm));
        rm = A64_TMP0;
    }
    a64_put(c, a64_data_proc_2src(sf, param == ROTL ? A64_RORV : param, rm, rn, out[0].reg));
}

/* param: op31 of data-processing (3 source): 0 madd, 2 smulh, 6 umulh. */
static void emit_mul(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in)
{
    bool sf = param != 0 || is64(insn);
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP1, sf ? 64 : 32);
    unsigned rm = a64_src_zr(c, &in[1], A64_TMP0, sf ? 64 : 32);
    a64_put(c, a64_data_proc_3src(sf, param, false, rm, A64_ZR, rn, out[0].reg));
    if (param == 0)
        a64_note_mul(c, sf, (unsigned)out[0].reg, rn, rm);
}

/* param: 0 neg, 1 not. */
static void emit_neg_not(struct be_code *c, const struct ir_insn *insn, unsigned param,
                         const struct be_arg *out, const struct be_arg *in)
{
    bool sf = is64(insn);
    unsigned rm = a64_src_zr(c, &in[0], A64_TMP0, width(insn));
    a64_put(c, param ? a64_mvn(sf, out[0].reg, rm) : a64_neg(sf, out[0].reg, rm));
}

/* ext8u..ext32s: param = signed << 8 | (bits - 1); one sbfm/ubfm. */
#define EXT(sign, bits) ((sign) << 8 | ((bits) - 1))

static void emit_extend(struct be_code *c, const struct ir_insn *insn, unsigned param,
                        const struct be_arg *out, const struct be_arg *in)
{
    if (param >> 8 && a64_fold_sign_extend(c, (unsigned)out[0].reg, &in[0], (param & 0xff) + 1))
        return;
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP0, 64);
    a64_put(c, a64_bitfield(true, param >> 8 ? A64_SBFM : A64_UBFM, 0, param & 0xff,
                            rn, out[0].reg));
    if (!(param >> 8)) {
        last_uext.block = c->start;
        last_uext.end = c->ptr;
    }
}

static void emit_extract(struct be_code *c, const struct ir_insn *insn, unsigned param,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned pos = insn->aux[0] & 63, len = insn->aux[1];
    if (len > 64 - pos) len = 64 - pos;
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP0, 64);
    if (len == 0)
        be_emit_movi(c, out[0].reg, 0);
    else if (param)                     /* sextract */
        a64_put(c, a64_sbfx(true, out[0].reg, rn, pos, len));
    else
        a64_put(c, a64_ubfx(true, out[0].reg, rn, pos, len));
}

/* A constant field into a register: all zeros is one `and`, all ones one
 * `orr` with the field's complement or the field as a bitmask immediate
 * (x86 `mov al, 0` and `or al, 0xff` forms; a field of all 64 bits, or
 * any other value, returns false). */
static bool deposit_const_field(struct be_code *c, unsigned rd, unsigned rn, uint64_t k,
                                unsigned pos, unsigned len)
{
    uint64_t field = (len == 64 ? ~0ull : (1ull << len) - 1) << pos;
    unsigned enc;
    if ((k << pos & field) == 0 && a64_bitmask_encode(~field, 64, &enc))
        a64_put(c, a64_logical_imm(true, A64_AND, enc, rn, rd));
    else if ((k << pos & field) == field && a64_bitmask_encode(field, 64, &enc))
        a64_put(c, a64_logical_imm(true, A64_ORR, enc, rn, rd));
    else
        return false;
    return true;
}

/* deposit d, a, v, pos, len: d = a with v's low len bits at pos.  A
 * constant a of 0 is one `ubfiz` (x86 `xor eax, eax; ...; setcc al`: the
 * register was cleared), a constant v of zeros or ones one `and`/`orr`
 * of a; otherwise a moved into d, then `bfi` (which writes into its
 * destination, so out must first hold in0; when out is also the inserted
 * value, that value is saved in a scratch first). */
static void emit_deposit(struct be_code *c, const struct ir_insn *insn, unsigned param,
                         const struct be_arg *out, const struct be_arg *in)
{
    unsigned pos = insn->aux[0] & 63, len = insn->aux[1], rd = out[0].reg;
    if (len > 64 - pos) len = 64 - pos;
    if (len != 0 && in[0].is_const && in[0].imm == 0 && !in[1].is_const) {
        a64_put(c, a64_ubfiz(true, rd, (unsigned)in[1].reg, pos, len));
        return;
    }
    if (len != 0 && !in[0].is_const && in[1].is_const &&
        deposit_const_field(c, rd, (unsigned)in[0].reg, in[1].imm, pos, len))
        return;
    unsigned val = a64_src_zr(c, &in[1], A64_TMP0, 64);
    bool in0_is_rd = !in[0].is_const && in[0].reg == (int)rd;
    if (!in0_is_rd && val == rd) {
        be_emit_mov(c, A64_TMP0, val);
        val = A64_TMP0;
    }
    if (in[0].is_const)
        be_emit_movi(c, rd, in[0].imm);
    else
        be_emit_mov(c, rd, in[0].reg);
    if (len != 0)
        a64_put(c, a64_bfi(true, rd, val, pos, len));
}

/* bswap/clz: param is the data-processing (1 source) opcode. */
static void emit_1src(struct be_code *c, const struct ir_insn *insn, unsigned param,
                      const struct be_arg *out, const struct be_arg *in)
{
    bool sf = is64(insn);
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP0, width(insn));
    if (param == A64_REV64 && !sf) param = A64_REV32;   /* rev Wd */
    a64_put(c, a64_data_proc_1src(sf, param, rn, out[0].reg));
}

static void emit_ctz(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in)
{
    bool sf = is64(insn);
    unsigned rn = a64_src_zr(c, &in[0], A64_TMP0, width(insn));
    a64_put(c, a64_data_proc_1src(sf, A64_RBIT, rn, out[0].reg));
    a64_put(c, a64_data_proc_1src(sf, A64_CLZ, out[0].reg, out[0].reg));
}

static void emit_setcond(struct be_code *c, const struct ir_insn *insn, unsigned param,
                         const struct be_arg *out, const struct be_arg *in)
{
    enum a64_cond cond = a64_emit_compare(c, insn, &in[0], &in[1]);
    a64_put(c, a64_cset(false, out[0].reg, cond));
    note_cset(c);
}

static void emit_movcond(struct be_code *c, const struct ir_insn *insn, unsigned param,
                         const struct be_arg *out, const struct be_arg *in)
{
    enum a64_cond cond = a64_emit_compare(c, insn, &in[0], &in[1]);
    unsigned vtrue = a64_src_zr(c, &in[2], A64_TMP0, 64);
    unsigned vfalse = a64_src_zr(c, &in[3], A64_TMP1, 64);
    a64_put(c, a64_csel(true, out[0].reg, vtrue, vfalse, cond));
}

/* setflags/movflags: the flags of the subf/addf/andf before (ir_ops.def). */
static void emit_setflags(struct be_code *c, const struct ir_insn *insn, unsigned param,
                          const struct be_arg *out, const struct be_arg *in)
{
    a64_put(c, a64_cset(false, out[0].reg, a64_cond_of((enum ir_cond)insn->cond)));
    note_cset(c);
}

static void emit_movflags(struct be_code *c, const struct ir_insn *insn, unsigned param,
                          const struct be_arg *out, const struct be_arg *in)
{
    unsigned vtrue = a64_src_zr(c, &in[0], A64_TMP0, 64);
    unsigned vfalse = a64_src_zr(c, &in[1], A64_TMP1, 64);
    a64_put(c, a64_csel(true, out[0].reg, vtrue, vfalse, a64_cond_of((enum ir_cond)insn->cond)));
}

static void emit_mem(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in)
{
    switch (insn->op) {
    case IR_ld:     a64_emit_ld(c, insn->size, out[0].reg, &in[0], (int32_t)insn->aux[0]); break;
    case IR_st:     a64_emit_st(c, insn->size, &in[0], (int32_t)insn->aux[0], &in[1]); break;
    case IR_ldx:
        a64_emit_ldx(c, insn->size, out[0].reg, &(struct a64_index){ &in[0], &in[1],
                     (unsigned)insn->aux[1], (int32_t)insn->aux[0] });
        break;
    case IR_stx:
        a64_emit_stx(c, insn->size, &(struct a64_index){ &in[0], &in[2], (unsigned)insn->aux[1],
                     (int32_t)insn->aux[0] }, &in[1]);
        break;
    case IR_ld_env: a64_emit_ld_env_op(c, insn->size, out[0].reg, (int32_t)insn->aux[0]); break;
    case IR_atomic_rmw: a64_emit_atomic_rmw(c, insn, out, in); break;
    case IR_atomic_cas: a64_emit_atomic_cas(c, insn, out, in); break;
    case IR_fence:  a64_emit_fence(c, insn, out, in); break;
    case IR_canon_test: a64_emit_canon_test(c, &in[0]); break;
    default:        a64_emit_st_env_op(c, insn->size, &in[0], (int32_t)insn->aux[0]); break;
    }
}

static void emit_call(struct be_code *c, const struct ir_insn *insn, unsigned param,
                      const struct be_arg *out, const struct be_arg *in)
{
    const struct ir_helper *h = (const struct ir_helper *)(uintptr_t)insn->aux[0];
    be_emit_call(c, h->fn);
}

static void emit_exit_indirect(struct be_code *c, const struct ir_insn *insn,
                               const struct be_arg *in)
{
    struct a64_canonical k = { (uint64_t)insn->aux[0], ir_canon_undo(insn), -1 };
    if (ir_canon_checked(insn) && k.undo)
        k.undo_reg = be_host.pinned_regs[ir_canon_global(insn)];   /* (pinned: ir_canonical.c) */
    a64_emit_exit_indirect(c, in, insn->cond, ir_canon_checked(insn) ? &k : NULL);
}

/* A guard load that only backward chains need, first in the block (not
 * behind a hoisted loop's preamble): other entries come in past it. */
static void emit_exit_request(struct be_code *c, const struct ir_insn *insn)
{
    bool first = c->ptr == c->start;
    a64_emit_exit_request(c, (uint64_t)insn->aux[0], insn->aux[1] & IR_REQUEST_GUARD);
    if (first && (insn->aux[1] & IR_REQUEST_GUARD) && (insn->aux[1] & IR_REQUEST_BACKWARD_ONLY))
        c->entry_off = (uint8_t)(c->ptr - c->start);
}

static void emit_exit(struct be_code *c, const struct ir_insn *insn, unsigned param,
                      const struct be_arg *out, const struct be_arg *in)
{
    switch (insn->op) {
    case IR_brcond: case IR_brflags: a64_emit_brcond(c, insn, in); break;
    case IR_brexit: a64_emit_brexit(c, insn, in); break;
    case IR_goto_tb: a64_emit_goto_tb(c, (uint64_t)insn->aux[0], (int)insn->aux[1], insn->cond); break;
    case IR_exit_indirect: emit_exit_indirect(c, insn, in); break;
    case IR_exit_request: emit_exit_request(c, insn); break;
    default: a64_emit_exit_code(c, (uint64_t)insn->aux[0], (int)insn->aux[1]); break;
    }
}

static void emit_div(struct be_code *c, const struct ir_insn *insn, unsigned param,
                     const struct be_arg *out, const struct be_arg *in)
{
    a64_emit_div(c, insn, out, in);
}

static const struct { emit_fn *fn; unsigned param; } op_table[IR_NUM_OPS] = {
    [IR_insn_start] = { emit_nop },
    [IR_mov]     = { emit_mov },
    [IR_add]     = { emit_add_sub, 0 },
    [IR_sub]     = { emit_add_sub, 1 },
    [IR_mul]     = { emit_mul, 0 },
    [IR_mulhu]   = { emit_mul, 6 },
    [IR_mulhs]   = { emit_mul, 2 },
    [IR_and]     = { emit_logic, A64_AND },
    [IR_or]      = { emit_logic, A64_ORR },
    [IR_xor]     = { emit_logic, A64_EOR },
    [IR_andc]    = { emit_logic, A64_AND | LOGIC_INVERT },
    [IR_shl]     = { emit_shift, A64_LSLV },
    [IR_shr]     = { emit_shift, A64_LSRV },
    [IR_sar]     = { emit_shift, A64_ASRV },
    [IR_rotl]    = { emit_shift, ROTL },
    [IR_rotr]    = { emit_shift, A64_RORV },
    [IR_neg]     = { emit_neg_not, 0 },
    [IR_not]     = { emit_neg_not, 1 },
    [IR_ext8u]   = { emit_extend, EXT(0, 8) },
    [IR_ext8s]   = { emit_extend, EXT(1, 8) },
    [IR_ext16u]  = { emit_extend, EXT(0, 16) },
    [IR_ext16s]  = { emit_extend, EXT(1, 16) },
    [IR_ext32u]  = { emit_extend, EXT(0, 32) },
    [IR_ext32s]  = { emit_extend, EXT(1, 32) },
    [IR_extract] = { emit_extract },
    [IR_sextract] = { emit_extract, 1 },
    [IR_deposit] = { emit_deposit },
    [IR_bswap]   = { emit_1src, A64_REV64 },
    [IR_clz]     = { emit_1src, A64_CLZ },
    [IR_ctz]     = { emit_ctz },
    [IR_setcond] = { emit_setcond },
    [IR_movcond] = { emit_movcond },
    [IR_addx]    = { emit_add_sub_ext, 0 },
    [IR_subx]    = { emit_add_sub_ext, 1 },
    [IR_subfx]   = { emit_add_sub_ext, 1 | SET_FLAGS },
    [IR_subf]    = { emit_add_sub, 1 | SET_FLAGS },
    [IR_addf]    = { emit_add_sub, SET_FLAGS },
    [IR_andf]    = { emit_logic, A64_ANDS },
    [IR_setflags] = { emit_setflags },
    [IR_movflags] = { emit_movflags },
    [IR_ld]      = { emit_mem },
    [IR_st]      = { emit_mem },
    [IR_ldx]     = { emit_mem },
    [IR_canon_test] = { emit_mem },
    [IR_stx]     = { emit_mem },
    [IR_ld_env]  = { emit_mem },
    [IR_st_env]  = { emit_mem },
    [IR_atomic_rmw] = { emit_mem },
    [IR_atomic_cas] = { emit_mem },
    [IR_fence]   = { emit_mem },
    [IR_exit_request] = { emit_exit },
    [IR_call]    = { emit_call },
    [IR_divu]    = { emit_div },
    [IR_divs]    = { emit_div },
    [IR_brcond]  = { emit_exit },
    [IR_brexit]  = { emit_exit },
    [IR_brflags] = { emit_exit },
    [IR_goto_tb] = { emit_exit },
    [IR_exit_indirect] = { emit_exit },
    [IR_exit_code] = { emit_exit },
    [IR_VEC_FIRST ... IR_NUM_OPS - 1] = { a64_emit_vec },
};

/* An op added to ir_ops.def without an emitter here is a ferry bug. */
static _Noreturn void missing_emitter(const struct ir_insn *insn)
{
    fprintf(stderr, "ferry: aarch64 backend: no emitter for IR op %u\n", insn->op);
    abort();
}

/* The ops ir_check_accesses marks (their insn->cond). */
static bool is_guest_access(unsigned op)
{
    return op == IR_ld || op == IR_st || op == IR_ldx || op == IR_stx || op == IR_atomic_rmw ||
           op == IR_atomic_cas || op == IR_vld || op == IR_vst;
}

/* The ops that keep the vector env-slot cache (v16-v31): those of
 * vcache_keeps_op (backends/vcache.c), the flag-carrying and signed-field
 * ops only this backend has, and the vector ops (a64_emit_vec keeps the
 * cache itself). */
static bool keeps_vcache(const struct be_code *c, const struct ir_insn *i)
{
    switch (i->op) {
    case IR_sextract: case IR_addx: case IR_subx: case IR_subfx:
        return true;
    default:
        return vcache_keeps_op(c, i) || i->op >= IR_VEC_FIRST;
    }
}

/* out = out +- k, k a multiple of 16 (a64_hoist_align: the low four
 * bits of a loop's store address stay). */
static bool steps_by_16(const struct ir_insn *insn, const struct be_arg *out,
                        const struct be_arg *in)
{
    return (insn->op == IR_add || insn->op == IR_sub) && !in[0].is_const &&
           in[0].reg == out[0].reg && in[1].is_const && (in[1].imm & 15) == 0;
}

void be_emit_insn(struct be_code *c, const struct ir_insn *insn,
                  const struct be_arg *out, const struct be_arg *in)
{
    if (insn->op >= IR_NUM_OPS || !op_table[insn->op].fn)
        missing_emitter(insn);
    if (c->ptr == c->start)
        a64_vec_block_start();      /* (a block emitted again starts at the same address) */
    a64_hoist_op(c, insn);
    vcache_begin(c);
    c->check_address = is_guest_access(insn->op) && ir_access_checked(insn) ? insn->cond : 0;
    op_table[insn->op].fn(c, insn, op_table[insn->op].param, out, in);
    c->check_address = 0;
    if (insn->op == IR_st_env)
        vcache_forget((int32_t)insn->aux[0], 8);
    vcache_end(c, keeps_vcache(c, insn));
    if (out && ir_op_info[insn->op].n_out && !out[0].is_const) {
        if (steps_by_16(insn, out, in))
            a64_hoist_stepped(c, out[0].reg);
        else
            a64_hoist_wrote(c, out[0].reg);
    }
}
