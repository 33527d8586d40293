/* exec_atomic.c -- the atomic ops (LDAXR/STLXR loops) and the block-entry
 * exit_request check, executed and checked against C: every operation at
 * every size, the output sharing a register with an input, compare-and-
 * swap that succeeds and fails (narrow expected values with garbage above
 * their size). */
#include <stddef.h>
#include <string.h>

#include "exec_common.h"
#include "../atomic_ref.h"

static uint64_t word[2] __attribute__((aligned(16)));

static void emit_exit(struct be_code *c)
{
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x1000, TR_EXIT_SYSCALL } };
    be_emit_insn(c, &exit, NULL, NULL);
}

static uint64_t mask_of(unsigned mo) { return mo == 3 ? ~0ull : (1ull << (8 << mo)) - 1; }

/* addr in x7, value in x9; out in x11, or aliasing the address/value. */
static void run_rmw(unsigned mo, enum ir_atomic_op op, int out_reg, uint64_t old, uint64_t v)
{
    uint64_t m = mask_of(mo), canary = 0x5a5a5a5a5a5a5a5aull;
    word[0] = (canary & ~m) | (old & m);
    struct be_code c = xt_block();
    be_emit_movi(&c, 7, (uintptr_t)word);
    be_emit_movi(&c, 9, v);
    struct ir_insn i = { .op = IR_atomic_rmw, .size = mo, .aux = { op } };
    struct be_arg out = { .reg = (int8_t)out_reg }, in[2] = { { .reg = 7 }, { .reg = 9 } };
    be_emit_insn(&c, &i, &out, in);
    be_emit_st_env(&c, out_reg, offsetof(struct xt_env, result));
    emit_exit(&c);
    xt_run(&c);
    uint64_t want = (canary & ~m) | (atomic_ref_apply(op, old & m, v) & m);
    XT_CHECK(word[0] == want, "rmw op %d mo %u: memory %#llx, want %#llx", op, mo,
             (unsigned long long)word[0], (unsigned long long)want);
    XT_CHECK(xt_env.result[0] == (old & m), "rmw op %d mo %u out x%d: old %#llx, want %#llx",
             op, mo, out_reg, (unsigned long long)xt_env.result[0],
             (unsigned long long)(old & m));
}

static void run_cas(unsigned mo, bool equal, int out_reg)
{
    uint64_t m = mask_of(mo), old = xt_random(), desired = xt_random();
    uint64_t expected = equal ? (old & m) | (xt_random() & ~m) : old ^ (1ull << (xt_random() % (8u << mo)));
    word[0] = old;
    struct be_code c = xt_block();
    be_emit_movi(&c, 7, (uintptr_t)word);
    be_emit_movi(&c, 9, expected);
    be_emit_movi(&c, 10, desired);
    struct ir_insn i = { .op = IR_atomic_cas, .size = mo };
    struct be_arg out = { .reg = (int8_t)out_reg };
    struct be_arg in[3] = { { .reg = 7 }, { .reg = 9 }, { .reg = 10 } };
    be_emit_insn(&c, &i, &out, in);
    be_emit_st_env(&c, out_reg, offsetof(struct xt_env, result));
    emit_exit(&c);
    xt_run(&c);
    uint64_t want = equal ? (old & ~m) | (desired & m) : old;
    XT_CHECK(word[0] == want, "cas mo %u equal %d: memory %#llx, want %#llx", mo, equal,
             (unsigned long long)word[0], (unsigned long long)want);
    XT_CHECK(xt_env.result[0] == (old & m), "cas mo %u equal %d: old value", mo, equal);
}

static void test_exit_request(void)
{
    for (uint32_t req = 0; req < 2; req++) {
        struct be_code c = xt_block();
        struct ir_insn i = { .op = IR_exit_request, .aux = { 0x4242 } };
        be_emit_insn(&c, &i, NULL, NULL);
        emit_exit(&c);
        xt_env.rt.exit_request = req;
        uint64_t code = xt_run(&c);
        XT_CHECK(code == (req ? TR_EXIT_REQUEST : TR_EXIT_SYSCALL), "exit_request %u: code %llu",
                 req, (unsigned long long)code);
        XT_CHECK(xt_env.rt.pc == (req ? 0x4242 : 0x1000), "exit_request %u: pc", req);
    }
    xt_env.rt.exit_request = 0;
}

void xt_test_atomic(void)
{
    static const int outs[] = { 11, 7, 9 };
    for (unsigned mo = 0; mo < 4; mo++)
        for (int op = 0; op < IR_NUM_ATOMIC_OPS; op++)
            for (int k = 0; k < 3; k++)
                run_rmw(mo, (enum ir_atomic_op)op, outs[k], xt_random(), xt_random());
    for (unsigned mo = 0; mo < 4; mo++)
        for (int k = 0; k < 3; k++) {
            run_cas(mo, true, outs[k]);
            run_cas(mo, false, outs[k]);
        }
    struct be_code c = xt_block();
    struct ir_insn fence = { .op = IR_fence };
    be_emit_insn(&c, &fence, NULL, NULL);
    emit_exit(&c);
    XT_CHECK(xt_run(&c) == TR_EXIT_SYSCALL, "fence");
    test_exit_request();
}
