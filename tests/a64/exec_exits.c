/* exec_exits.c -- block exits on AArch64: chain-slot stubs (pc, exit_tb,
 * exit code), brcond taken/not taken for every condition (cbz/cbnz and
 * compare forms), exit_indirect, and re-pointing a slot with
 * be_patch_jump. */
#include <stddef.h>

#include "exec_common.h"

static void emit_exit_code(struct be_code *c, uint64_t pc, int code)
{
    struct ir_insn exit = { .op = IR_exit_code, .aux = { (int64_t)pc, code } };
    be_emit_insn(c, &exit, NULL, NULL);
}

static void test_goto_tb(void)
{
    for (int slot = 0; slot < 2; slot++) {
        struct be_code c = xt_block();
        struct ir_insn g = { .op = IR_goto_tb, .aux = { 0x7654321000 + slot, slot } };
        be_emit_insn(&c, &g, NULL, NULL);
        XT_CHECK(c.jump_site[slot] != UINT32_MAX && c.jump_site[slot] % 4 == 0, "jump site");
        xt_env.rt.exit_tb = NULL;
        uint64_t rc = xt_run(&c);
        XT_CHECK(rc == TR_EXIT_CHAIN0 + (uint64_t)slot, "goto_tb rc %lu", (unsigned long)rc);
        XT_CHECK(xt_env.rt.pc == 0x7654321000ull + slot, "goto_tb pc");
        XT_CHECK(xt_env.rt.exit_tb == c.tb, "goto_tb exit_tb");

        /* Chain the slot to another block: it now runs that one. */
        struct be_code target = xt_block();
        target.start = target.ptr = c.ptr + 64;
        emit_exit_code(&target, 0x99, TR_EXIT_SIGTRAP);
        be_patch_jump(c.start + c.jump_site[slot], target.start);
        rc = xt_enter(&xt_env, c.start);
        XT_CHECK(rc == TR_EXIT_SIGTRAP && xt_env.rt.pc == 0x99, "chained rc %lu", (unsigned long)rc);
        xt_run(&target);
    }
}

/* brcond a cond b -> slot 1, else exit_code: checks which way it went. */
static void run_brcond(enum ir_cond cond, int size, uint64_t a, uint64_t b, bool b_const)
{
    struct be_code c = xt_block();
    struct ir_insn br = { .op = IR_brcond, .size = size, .cond = cond, .aux = { 0x5000, 1 } };
    struct be_arg in[2] = { { .reg = 11 }, { .is_const = b_const, .reg = 12, .imm = b } };
    be_emit_movi(&c, 11, a);
    if (!b_const) be_emit_movi(&c, 12, b);
    be_emit_insn(&c, &br, NULL, in);
    emit_exit_code(&c, 0x6000, TR_EXIT_SYSCALL);
    uint64_t rc = xt_run(&c);
    bool taken = xt_cond_holds(cond, a, b, size);
    XT_CHECK(rc == (taken ? TR_EXIT_CHAIN1 : TR_EXIT_SYSCALL) &&
             xt_env.rt.pc == (taken ? 0x5000u : 0x6000u),
             "brcond %d/%d %#lx %#lx const %d: rc %lu", cond, size, (unsigned long)a,
             (unsigned long)b, b_const, (unsigned long)rc);
}

static void test_brcond(void)
{
    for (int size = 32; size <= 64; size += 32)
        for (int cond = 0; cond < IR_NUM_CONDS; cond++)
            for (int n = 0; n < 40; n++) {
                uint64_t a = xt_values[xt_random() % xt_n_values];
                uint64_t b = n % 4 == 0 ? 0 : xt_values[xt_random() % xt_n_values];
                if (n % 5 == 0) a = b;
                run_brcond(cond, size, a, b, n & 1);
            }
}

static void test_exit_indirect(void)
{
    for (int is_const = 0; is_const < 2; is_const++) {
        struct be_code c = xt_block();
        struct ir_insn x = { .op = IR_exit_indirect };
        struct be_arg in = { .is_const = is_const, .reg = 26, .imm = 0x123456789a };
        if (!is_const) be_emit_movi(&c, 26, in.imm);
        be_emit_insn(&c, &x, NULL, &in);
        uint64_t rc = xt_run(&c);
        XT_CHECK(rc == TR_EXIT_INDIRECT && xt_env.rt.pc == 0x123456789a, "exit_indirect");
    }
}

void xt_test_exits(void)
{
    test_goto_tb();
    test_brcond();
    test_exit_indirect();
}
