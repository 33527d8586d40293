/* exec_ops.c -- runs single IR ops through be_emit_insn on real (or
 * emulated) AArch64 and compares with the C reference: every ALU op, both
 * sizes, every condition, register/constant operands, and output/input
 * register aliasing (out == in0, out == in1, in0 == in1). */
#include <stddef.h>

#include "exec_common.h"

#define RESULT_OFF ((int32_t)offsetof(struct xt_env, result))
#define AFTER_OFF(i) ((int32_t)(offsetof(struct xt_env, inputs_after) + 8 * (i)))

/* Host registers for out, in0..in3: distinct, aliased, callee-saved. */
static const int8_t reg_sets[][5] = {
    { 0, 1, 2, 3, 4 }, { 1, 1, 2, 3, 4 }, { 2, 1, 2, 3, 4 },
    { 20, 28, 25, 21, 22 }, { 5, 6, 6, 7, 8 }, { 3, 1, 2, 3, 14 },
};
#define N_REG_SETS ((int)(sizeof reg_sets / sizeof reg_sets[0]))

struct op_case {
    struct ir_insn insn;
    int n_in;
    uint64_t v[4];
    bool is_const[4];
    const int8_t *regs;
};

static void emit_case(struct be_code *c, struct op_case *k, struct be_arg *out,
                      struct be_arg *in)
{
    out[0] = (struct be_arg){ .reg = k->regs[0] };
    for (int i = 0; i < k->n_in; i++) {
        for (int j = 0; j < i; j++)     /* a register holds one value */
            if (!k->is_const[i] && !k->is_const[j] && k->regs[1 + i] == k->regs[1 + j])
                k->v[i] = k->v[j];
        in[i] = (struct be_arg){ .is_const = k->is_const[i], .reg = k->regs[1 + i],
                                 .imm = k->v[i] };
    }
    for (int i = 0; i < k->n_in; i++)
        if (!k->is_const[i]) be_emit_movi(c, k->regs[1 + i], k->v[i]);
    uint8_t *before = c->ptr;
    be_emit_insn(c, &k->insn, out, in);
    XT_CHECK(c->ptr - before <= BE_MAX_INSN_BYTES, "%s emitted %ld bytes",
             ir_op_info[k->insn.op].name, (long)(c->ptr - before));
    be_emit_st_env(c, k->regs[0], RESULT_OFF);
    for (int i = 0; i < k->n_in; i++)
        if (!k->is_const[i]) be_emit_st_env(c, k->regs[1 + i], AFTER_OFF(i));
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x401000, TR_EXIT_SYSCALL } };
    be_emit_insn(c, &exit, NULL, NULL);
}

static bool run_case(struct op_case *k)
{
    struct be_code c = xt_block();
    struct be_arg out[1], in[4];
    emit_case(&c, k, out, in);
    uint64_t rc = xt_run(&c);
    uint64_t want = xt_reference(&k->insn, k->v), got = xt_env.result[0];
    XT_CHECK(rc == TR_EXIT_SYSCALL && xt_env.rt.pc == 0x401000, "exit %lu", (unsigned long)rc);
    XT_CHECK(got == want, "%s/%d cond %d aux %ld,%ld regs %d,%d,%d const %d%d%d%d "
             "in %#lx %#lx %#lx %#lx: got %#lx want %#lx", ir_op_info[k->insn.op].name,
             k->insn.size, k->insn.cond, (long)k->insn.aux[0], (long)k->insn.aux[1],
             k->regs[0], k->regs[1], k->regs[2], k->is_const[0], k->is_const[1],
             k->is_const[2], k->is_const[3], (unsigned long)k->v[0], (unsigned long)k->v[1],
             (unsigned long)k->v[2], (unsigned long)k->v[3], (unsigned long)got,
             (unsigned long)want);
    for (int i = 0; i < k->n_in; i++)
        if (!k->is_const[i] && k->regs[1 + i] != k->regs[0])
            XT_CHECK(xt_env.inputs_after[i] == k->v[i], "%s clobbered input %d",
                     ir_op_info[k->insn.op].name, i);
    return got == want;
}

static uint64_t pick_value(void)
{
    uint64_t r = xt_random();
    return r % 4 == 0 ? xt_random() : xt_values[(r >> 8) % xt_n_values];
}

/* Constant operand patterns: none, in1, in0, in2/in3 (movcond). */
static const bool const_modes[][4] = {
    { 0, 0, 0, 0 }, { 0, 1, 0, 0 }, { 1, 0, 0, 0 }, { 0, 0, 1, 1 }, { 0, 1, 1, 0 },
};

static void sweep(struct ir_insn insn, int n_in, int n_values)
{
    static const int modes_1[] = { 0, 2 }, modes_2[] = { 0, 1, 2 }, modes_4[] = { 0, 1, 2, 3, 4 };
    const int *modes = n_in >= 4 ? modes_4 : n_in >= 2 ? modes_2 : modes_1;
    int n_modes = n_in >= 4 ? 5 : n_in >= 2 ? 3 : 2;
    for (int rs = 0; rs < N_REG_SETS; rs++)
        for (int mi = 0; mi < n_modes; mi++)
            for (int n = 0, m = modes[mi]; n < n_values; n++) {
                struct op_case k = { .insn = insn, .n_in = n_in, .regs = reg_sets[rs] };
                for (int i = 0; i < 4; i++) {
                    k.v[i] = pick_value();
                    k.is_const[i] = i < n_in && const_modes[m][i];
                }
                run_case(&k);
            }
}

static const enum ir_op binary_ops[] = {
    IR_add, IR_sub, IR_mul, IR_and, IR_or, IR_xor, IR_andc,
    IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
};
static const enum ir_op unary_sized_ops[] = { IR_neg, IR_not, IR_bswap, IR_clz, IR_ctz };
static const enum ir_op extend_ops[] = {
    IR_ext8u, IR_ext8s, IR_ext16u, IR_ext16s, IR_ext32u, IR_ext32s, IR_mov,
};
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

static void test_sized(void)
{
    for (int size = 32; size <= 64; size += 32) {
        for (int i = 0; i < COUNT(binary_ops); i++)
            sweep((struct ir_insn){ .op = binary_ops[i], .size = size }, 2, 40);
        for (int i = 0; i < COUNT(unary_sized_ops); i++)
            sweep((struct ir_insn){ .op = unary_sized_ops[i], .size = size }, 1, 30);
        for (int cond = 0; cond < IR_NUM_CONDS; cond++) {
            sweep((struct ir_insn){ .op = IR_setcond, .size = size, .cond = cond }, 2, 25);
            sweep((struct ir_insn){ .op = IR_movcond, .size = size, .cond = cond }, 4, 12);
        }
    }
    sweep((struct ir_insn){ .op = IR_mulhu }, 2, 40);
    sweep((struct ir_insn){ .op = IR_mulhs }, 2, 40);
}

/* Compare with constants near the edges of the imm12 encodings, and
 * 24-bit ones that EQ/NE split into two immediates (a64_cond.c). */
static void test_compare_immediates(void)
{
    static const uint64_t imms[] = { 0, 1, 4095, 4096, 4097, 0xfff000, 0x1000000,
                                     -1ull, -4095ull, -4096ull, -4097ull, 0x80000000,
                                     0x953980, 0x10001, 0xffffff, -0x12345ull, -0xffffffull,
                                     0x1000001, 0x100953980, 0xffffffff00012345 };
    for (int size = 32; size <= 64; size += 32)
        for (int cond = 0; cond < IR_NUM_CONDS; cond++)
            for (int i = 0; i < COUNT(imms); i++)
                for (int n = 0; n < 6; n++) {
                    struct op_case k = { .insn = { .op = IR_setcond, .size = size, .cond = cond },
                                         .n_in = 2, .regs = reg_sets[0],
                                         .v = { imms[i] + n - 3, imms[i] },
                                         .is_const = { 0, 1 } };
                    run_case(&k);
                }
}

static void test_bitfields(void)
{
    static const int fields[][2] = { { 0, 8 }, { 8, 8 }, { 0, 16 }, { 0, 32 }, { 32, 32 },
                                     { 1, 1 }, { 63, 1 }, { 0, 64 }, { 5, 17 }, { 48, 16 } };
    for (int f = 0; f < COUNT(fields); f++) {
        struct ir_insn e = { .op = IR_extract, .aux = { fields[f][0], fields[f][1] } };
        struct ir_insn s = { .op = IR_sextract, .aux = { fields[f][0], fields[f][1] } };
        struct ir_insn d = { .op = IR_deposit, .aux = { fields[f][0], fields[f][1] } };
        sweep(e, 1, 6);
        sweep(s, 1, 6);
        sweep(d, 2, 6);
    }
    for (int i = 0; i < COUNT(extend_ops); i++)
        sweep((struct ir_insn){ .op = extend_ops[i], .size = 64 }, 1, 20);
}

/* The words a deposit of this case emits (registers loaded apart). */
static long deposit_words(struct op_case *k)
{
    struct be_code c = xt_block();
    struct be_arg out = { .reg = k->regs[0] }, in[2];
    for (int i = 0; i < 2; i++)
        in[i] = (struct be_arg){ .is_const = k->is_const[i], .reg = k->regs[1 + i], .imm = k->v[i] };
    uint8_t *before = c.ptr;
    be_emit_insn(&c, &k->insn, &out, in);
    return (c.ptr - before) / 4;
}

/* A deposit onto a constant 0 (x86 `xor eax, eax; ...; setcc al`) is one
 * `ubfiz`, a constant field of zeros or ones into a register (`mov al, 0`,
 * `mov bh, 0xff`) one `and`/`orr`, every field exact; other constant
 * fields stay exact (movz + bfi). */
static void test_deposit_constants(void)
{
    static const int fields[][2] = { { 0, 8 }, { 8, 8 }, { 0, 16 }, { 0, 32 }, { 32, 32 },
                                     { 1, 1 }, { 63, 1 }, { 5, 17 }, { 48, 16 }, { 0, 63 },
                                     { 1, 63 } };
    for (int f = 0; f < COUNT(fields); f++)
        for (int rs = 0; rs < N_REG_SETS; rs++)
            for (int form = 0; form < 4; form++) {
                uint64_t field_val = form == 1 ? 0 : form == 2 ? ~0ull : pick_value();
                struct op_case k = {
                    .insn = { .op = IR_deposit, .aux = { fields[f][0], fields[f][1] } },
                    .n_in = 2, .regs = reg_sets[rs],
                    .v = { form == 0 ? 0 : pick_value(), form == 0 ? pick_value() : field_val },
                    .is_const = { form == 0, form != 0 } };
                long words = deposit_words(&k);
                run_case(&k);
                XT_CHECK(form == 3 || words == 1, "deposit pos %d len %d form %d: %ld words",
                         fields[f][0], fields[f][1], form, words);
            }
}

void xt_test_ops(void)
{
    test_sized();
    test_compare_immediates();
    test_bitfields();
    test_deposit_constants();
}
