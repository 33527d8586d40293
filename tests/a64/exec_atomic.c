/* exec_atomic.c -- the atomic ops (LDAXR/STLXR loops) and the block-entry
 * exit_request check, executed and checked against C: every operation at
 * every size, the output sharing a register with an input, compare-and-
 * swap that succeeds and fails (narrow expected values with garbage above
 * their size), and misaligned operands (the split-lock path: the bytes
 * around untouched, the process's split lock free again afterwards). */
#include <stddef.h>
#include <string.h>

#include "exec_common.h"
#include "../atomic_ref.h"

static uint64_t word[2] __attribute__((aligned(16)));
extern uint64_t a64_split_lock;         /* a64_atomic.c: 0 when free */

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

/* The operand at byte `off` of a canary-filled word[] (off + size <= 16). */
static uint64_t get_at(unsigned off, unsigned mo)
{
    uint64_t v = 0;
    memcpy(&v, (uint8_t *)word + off, 1u << mo);
    return v;
}

static void put_at(unsigned off, unsigned mo, uint64_t v)
{
    memset(word, 0x5a, sizeof(word));
    memcpy((uint8_t *)word + off, &v, 1u << mo);
}

/* Whether every byte of word[] outside [off, off + size) is the canary. */
static bool canary_kept(unsigned off, unsigned mo)
{
    for (unsigned b = 0; b < sizeof(word); b++)
        if ((b < off || b >= off + (1u << mo)) && ((uint8_t *)word)[b] != 0x5a)
            return false;
    return true;
}

/* A misaligned rmw (op) or, with cas, a compare-and-swap that succeeds
 * (v == old) or fails; address in x7, value (expected) in x9, desired
 * in x10, out in x11. */
static void run_misaligned(unsigned mo, unsigned off, int op, bool cas, bool equal)
{
    uint64_t m = mask_of(mo), old = xt_random() & m, v = xt_random(), desired = xt_random();
    if (cas && equal) v = old | (xt_random() & ~m);
    put_at(off, mo, old);
    struct be_code c = xt_block();
    be_emit_movi(&c, 7, (uintptr_t)word + off);
    be_emit_movi(&c, 9, v);
    be_emit_movi(&c, 10, desired);
    struct ir_insn i = { .op = cas ? IR_atomic_cas : IR_atomic_rmw, .size = mo, .aux = { op } };
    struct be_arg out = { .reg = 11 }, in[3] = { { .reg = 7 }, { .reg = 9 }, { .reg = 10 } };
    be_emit_insn(&c, &i, &out, in);
    be_emit_st_env(&c, 11, offsetof(struct xt_env, result));
    emit_exit(&c);
    xt_run(&c);
    uint64_t want = cas ? ((v & m) == old ? desired : old) : atomic_ref_apply(op, old, v);
    XT_CHECK(get_at(off, mo) == (want & m) && canary_kept(off, mo),
             "misaligned %s %d mo %u at +%u: memory %#llx, want %#llx", cas ? "cas" : "rmw", op,
             mo, off, (unsigned long long)get_at(off, mo), (unsigned long long)(want & m));
    XT_CHECK(xt_env.result[0] == old, "misaligned %s mo %u at +%u: old value", cas ? "cas" : "rmw",
             mo, off);
    XT_CHECK(a64_split_lock == 0, "misaligned mo %u at +%u: split lock left held", mo, off);
}

static void test_misaligned(void)
{
    for (unsigned mo = 1; mo < 4; mo++)
        for (unsigned off = 1; off + (1u << mo) <= 16; off++) {
            if (off % (1u << mo) == 0)
                continue;
            for (int op = 0; op < IR_NUM_ATOMIC_OPS; op++)
                run_misaligned(mo, off, op, false, false);
            run_misaligned(mo, off, 0, true, true);
            run_misaligned(mo, off, 0, true, false);
        }
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
    test_misaligned();
}
