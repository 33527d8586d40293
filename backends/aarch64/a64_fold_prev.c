/* a64_fold_prev.c -- a mul or a constant shift, while it is the last word
 * emitted, folded into the add/sub/logic op that reads its result: the
 * word is rewritten as the op itself, which reads the mul's or shift's
 * inputs (A64 has no cheaper form of either pair).
 *
 *     mul  w0, w2, w21 ; sub w22, w20, w0        ->  msub w22, w2, w21, w20
 *     mul  x0, x1, x2  ; add x3, x0, x4          ->  madd x3, x1, x2, x4
 *     lsl  x2, x22, #32 ; orr x2, x2, x1         ->  orr  x2, x1, x22, lsl #32
 *
 * (x86 div's remainder `rax - q * src` and the 32-bit dividend `rdx << 32
 * | eax`, x86_muldiv.c; ir_extfold.c already folds 64-bit shl into
 * add/sub).  Only when the mul's or shift's result is dead after the op,
 * or overwritten by it (its register then holds nothing else): with the
 * word rewritten, its inputs hold its operands again (even one that was
 * its own destination), and no one reads the product or shifted value.
 */
#include <string.h>

#include "a64_emit.h"

/* The last mul or shift word, while it is the last word emitted (the
 * word itself compared too: a block emitted into the same buffer again
 * may end a different word at the same place). */
static __thread struct {
    const uint8_t *block, *end;
    uint32_t word;
    bool sf;
    unsigned rd, rn, rm;            /* rm: the mul's second input */
    enum a64_shift shift;           /* a shift's kind and count */
    unsigned count;
} last_mul, last_shift;

void a64_note_mul(struct be_code *c, bool sf, unsigned rd, unsigned rn, unsigned rm)
{
    last_mul.block = c->start;
    last_mul.end = c->ptr;
    memcpy(&last_mul.word, be_writable(c, c->ptr - 4), 4);
    last_mul.sf = sf;
    last_mul.rd = rd, last_mul.rn = rn, last_mul.rm = rm;
}

void a64_note_shift(struct be_code *c, bool sf, enum a64_shift shift, unsigned rd,
                    unsigned rn, unsigned count)
{
    last_shift.block = c->start;
    last_shift.end = c->ptr;
    memcpy(&last_shift.word, be_writable(c, c->ptr - 4), 4);
    last_shift.sf = sf;
    last_shift.rd = rd, last_shift.rn = rn;
    last_shift.shift = shift;
    last_shift.count = count;
}

/* Whether `t` is the result of the word just noted (rd), dead after the
 * op or overwritten by it, and `x` (the op's other input) a register
 * other than rd. */
static bool reads_result(unsigned rd, const struct be_arg *t, const struct be_arg *x,
                         const struct be_arg *out)
{
    return !t->is_const && (unsigned)t->reg == rd && (t->dead || t->reg == out->reg) &&
           !x->is_const && (unsigned)x->reg != rd && x->reg != A64_ZR;
}

static bool is_last(struct be_code *c, const uint8_t *block, const uint8_t *end, uint32_t word)
{
    uint32_t w;
    if (block != c->start || end != c->ptr)
        return false;
    memcpy(&w, be_writable(c, c->ptr - 4), 4);
    return w == word;
}

bool a64_fold_mul_add_sub(struct be_code *c, bool sf, bool sub, const struct be_arg *out,
                          const struct be_arg *in)
{
    if (!is_last(c, last_mul.block, last_mul.end, last_mul.word) || last_mul.sf != sf)
        return false;
    for (int k = sub ? 1 : 0; k < 2; k++) {         /* sub: the subtrahend only */
        if (!reads_result(last_mul.rd, &in[k], &in[1 - k], out))
            continue;
        c->ptr -= 4;
        a64_put(c, a64_data_proc_3src(sf, 0, sub, last_mul.rm, (unsigned)in[1 - k].reg,
                                      last_mul.rn, (unsigned)out->reg));
        last_mul.block = NULL;
        return true;
    }
    return false;
}

bool a64_fold_shift_operand(struct be_code *c, bool sf, bool first_too, bool rotate_ok,
                            unsigned *rn, unsigned *rm, enum a64_shift *shift,
                            unsigned *count, const struct be_arg *out, const struct be_arg *in)
{
    if (!is_last(c, last_shift.block, last_shift.end, last_shift.word) || last_shift.sf != sf ||
        (last_shift.shift == A64_ROR && !rotate_ok))
        return false;
    for (int k = first_too ? 0 : 1; k < 2; k++) {
        if (!reads_result(last_shift.rd, &in[k], &in[1 - k], out))
            continue;
        c->ptr -= 4;
        last_shift.block = NULL;
        *rn = (unsigned)in[1 - k].reg;
        *rm = last_shift.rn;
        *shift = last_shift.shift;
        *count = last_shift.count;
        return true;
    }
    return false;
}
