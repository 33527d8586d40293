/* exec_fold_prev.c -- a mul or constant shift followed by the add/sub/
 * logic op that reads its result (dead there), as x86 div's remainder and
 * dividend and the flag builders leave them (a64_fold_prev.c): run on
 * every register aliasing, both sizes, either operand, and compared with
 * the two ops' C reference; the pair must be one word when it folds (the
 * result is dead or overwritten) and the inputs the op does not write
 * must survive. */
#include <stddef.h>

#include "exec_common.h"

#define RESULT_OFF ((int32_t)offsetof(struct xt_env, result))
#define AFTER_OFF(i) ((int32_t)(offsetof(struct xt_env, inputs_after) + 8 * (i)))
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

/* Registers: first op's a, b, result t; second op's other input x, out o. */
static const int8_t reg_sets[][5] = {
    /* a  b  t  x  o */
    { 1, 2, 3, 4, 5 },      /* all distinct */
    { 1, 2, 1, 4, 5 },      /* t = a */
    { 1, 2, 2, 4, 5 },      /* t = b */
    { 1, 2, 3, 4, 3 },      /* o = t */
    { 1, 2, 3, 4, 1 },      /* o = a */
    { 1, 2, 3, 4, 4 },      /* o = x */
    { 1, 2, 3, 1, 5 },      /* x = a */
    { 1, 1, 3, 4, 3 },      /* a = b, o = t */
    { 20, 21, 0, 22, 22 },  /* callee-saved, o = x */
};

struct pair_case {
    struct ir_insn first, second;
    bool b_const, t_second;         /* b an immediate; t the second op's in[1] */
    uint64_t a, b, x;
    const int8_t *r;
};

static uint64_t reference(const struct pair_case *k)
{
    uint64_t v1[2] = { k->a, k->b };
    uint64_t t = xt_reference(&k->first, v1);
    uint64_t v2[2] = { k->t_second ? k->x : t, k->t_second ? t : k->x };
    return xt_reference(&k->second, v2);
}

static void run(struct pair_case *k)
{
    const int8_t *r = k->r;
    uint64_t a = k->a, x = r[3] == r[0] ? a : k->x, b = r[1] == r[0] ? a : k->b;
    k->x = x, k->b = b;
    struct be_code c = xt_block();
    be_emit_movi(&c, r[0], a);
    if (!k->b_const) be_emit_movi(&c, r[1], b);
    if (r[3] != r[0]) be_emit_movi(&c, r[3], x);
    struct be_arg o1 = { .reg = r[2] }, i1[2] = {
        { .reg = r[0] }, { .is_const = k->b_const, .reg = r[1], .imm = b } };
    struct be_arg t = { .reg = r[2], .dead = true }, xa = { .reg = r[3] }, o2 = { .reg = r[4] };
    struct be_arg i2[2] = { k->t_second ? xa : t, k->t_second ? t : xa };
    uint8_t *before = c.ptr;
    be_emit_insn(&c, &k->first, &o1, i1);
    be_emit_insn(&c, &k->second, &o2, i2);
    long words = (c.ptr - before) / 4;
    be_emit_st_env(&c, r[4], RESULT_OFF);
    be_emit_st_env(&c, r[0], AFTER_OFF(0));
    be_emit_st_env(&c, r[3], AFTER_OFF(1));
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x401000, TR_EXIT_SYSCALL } };
    be_emit_insn(&c, &exit, NULL, NULL);
    uint64_t rc = xt_run(&c);
    uint64_t want = reference(k), got = xt_env.result[0];
    XT_CHECK(rc == TR_EXIT_SYSCALL && got == want,
             "%s/%d then %s/%d (t in %d) regs %d,%d,%d,%d,%d in %#lx %#lx%s %#lx: "
             "got %#lx want %#lx", ir_op_info[k->first.op].name, k->first.size,
             ir_op_info[k->second.op].name, k->second.size, k->t_second, r[0], r[1], r[2],
             r[3], r[4], (unsigned long)a, (unsigned long)b, k->b_const ? " (imm)" : "",
             (unsigned long)x, (unsigned long)got, (unsigned long)want);
    /* a and x keep their values unless an output is theirs. */
    if (r[0] != r[2] && r[0] != r[4])
        XT_CHECK(xt_env.inputs_after[0] == a, "a clobbered (regs %d,%d,%d)", r[0], r[2], r[4]);
    if (r[3] != r[2] && r[3] != r[4])
        XT_CHECK(xt_env.inputs_after[1] == x, "x clobbered (regs %d,%d,%d)", r[3], r[2], r[4]);
    /* One word when the pair folds: a sub takes a product only as its
     * subtrahend, x must be another register than t. */
    bool mul = k->first.op == IR_mul;
    bool sub = k->second.op == IR_sub, inverted = k->second.op == IR_andc;
    bool arith = k->second.op == IR_add || sub;
    bool folds = r[3] != r[2] && (k->t_second || !(sub || inverted)) &&
                 (mul ? arith : !(arith && k->first.op == IR_rotr)) && (mul ? !k->b_const : 1);
    if (folds)
        XT_CHECK(words == 1, "%s then %s (t in %d, regs %d,%d,%d,%d,%d): %ld words, not 1",
                 ir_op_info[k->first.op].name, ir_op_info[k->second.op].name, k->t_second,
                 r[0], r[1], r[2], r[3], r[4], words);
}

static uint64_t pick(void)
{
    uint64_t r = xt_random();
    return r % 4 == 0 ? xt_random() : xt_values[(r >> 8) % xt_n_values];
}

void xt_test_fold_prev(void)
{
    static const enum ir_op firsts[] = { IR_mul, IR_shl, IR_shr, IR_sar, IR_rotr };
    static const enum ir_op seconds[] = { IR_add, IR_sub, IR_and, IR_or, IR_xor, IR_andc };
    for (int size = 32; size <= 64; size += 32)
        for (int f = 0; f < COUNT(firsts); f++)
            for (int s = 0; s < COUNT(seconds); s++)
                for (int rs = 0; rs < COUNT(reg_sets); rs++)
                    for (int n = 0; n < 16; n++) {
                        bool shift = firsts[f] != IR_mul;
                        struct pair_case k = {
                            .first = { .op = firsts[f], .size = size },
                            .second = { .op = seconds[s], .size = size },
                            .b_const = shift, .t_second = n & 1, .r = reg_sets[rs],
                            .a = pick(), .x = pick(),
                            .b = shift ? 1 + xt_random() % (size - 1) : pick(),
                        };
                        if (shift && reg_sets[rs][1] == reg_sets[rs][0])
                            continue;           /* (b is an immediate) */
                        run(&k);
                    }
}
