/* exec_mem.c -- guest loads/stores, env field accesses (small and large
 * offsets) and helper calls, executed and checked against C. */
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "exec_common.h"
#include "aarch64/a64_encode.h"

static uint8_t guest_mem[64] __attribute__((aligned(16)));

static void emit_exit(struct be_code *c)
{
    struct ir_insn exit = { .op = IR_exit_code, .aux = { 0x1000, TR_EXIT_SYSCALL } };
    be_emit_insn(c, &exit, NULL, NULL);
}

static uint64_t load_reference(unsigned memop, const uint8_t *p)
{
    uint64_t v = 0;
    memcpy(&v, p, ir_memop_bytes(memop));
    int bits = 8 * ir_memop_bytes(memop);
    if ((memop & IR_MO_SIGN) && bits < 64 && (v >> (bits - 1)) & 1)
        v |= ~0ull << bits;
    return v;
}

/* ld with the address in a register, or as a constant. */
static void test_loads(void)
{
    for (unsigned mo = 0; mo < 8; mo++)
        for (int addr_const = 0; addr_const < 2; addr_const++)
            for (int off = 0; off < 16; off += 5) {
                for (int i = 0; i < 64; i++) guest_mem[i] = (uint8_t)xt_random();
                struct be_code c = xt_block();
                struct ir_insn ld = { .op = IR_ld, .size = mo };
                struct be_arg out = { .reg = 7 };
                struct be_arg in = { .is_const = addr_const, .reg = 7,
                                     .imm = (uintptr_t)(guest_mem + off) };
                if (!addr_const) be_emit_movi(&c, 7, in.imm);
                be_emit_insn(&c, &ld, &out, &in);
                be_emit_st_env(&c, 7, offsetof(struct xt_env, result));
                emit_exit(&c);
                xt_run(&c);
                XT_CHECK(xt_env.result[0] == load_reference(mo, guest_mem + off),
                         "ld memop %u off %d", mo, off);
            }
}

static void test_stores(void)
{
    for (unsigned mo = 0; mo < 4; mo++)
        for (int val_const = 0; val_const < 3; val_const++) {
            memset(guest_mem, 0xa5, sizeof guest_mem);
            uint64_t v = val_const == 2 ? 0 : xt_random();
            struct be_code c = xt_block();
            struct ir_insn st = { .op = IR_st, .size = mo };
            struct be_arg in[2] = { { .reg = 22 },
                                    { .is_const = val_const != 0, .reg = 23, .imm = v } };
            be_emit_movi(&c, 22, (uintptr_t)(guest_mem + 8));
            if (!val_const) be_emit_movi(&c, 23, v);
            be_emit_insn(&c, &st, NULL, in);
            emit_exit(&c);
            xt_run(&c);
            uint8_t want[64];
            memset(want, 0xa5, sizeof want);
            memcpy(want + 8, &v, ir_memop_bytes(mo));
            XT_CHECK(memcmp(want, guest_mem, 64) == 0, "st memop %u const %d", mo, val_const);
        }
}

/* ld_env/st_env ops and the allocator's 64-bit glue, near and far. */
static void test_env_access(void)
{
    static const int32_t offs[] = { offsetof(struct xt_env, field), offsetof(struct xt_env, field) + 3,
                                    offsetof(struct xt_env, far_field) };
    for (int o = 0; o < 3; o++)
        for (unsigned mo = 0; mo < 8; mo++) {
            uint64_t v = xt_random();
            memcpy((uint8_t *)&xt_env + offs[o], &v, 8);
            struct be_code c = xt_block();
            struct ir_insn ld = { .op = IR_ld_env, .size = mo, .aux = { offs[o] } };
            struct ir_insn st = { .op = IR_st_env, .size = mo & 3,
                                  .aux = { offsetof(struct xt_env, result) } };
            struct be_arg r = { .reg = 9 };
            be_emit_insn(&c, &ld, &r, NULL);
            be_emit_st_env(&c, 9, offsetof(struct xt_env, result) + 8);
            be_emit_ld_env(&c, 10, offs[o]);
            be_emit_insn(&c, &st, NULL, (struct be_arg[]){ { .reg = 10 } });
            emit_exit(&c);
            xt_env.result[0] = 0;
            xt_run(&c);
            uint64_t low = load_reference(mo & 3, (uint8_t *)&v);
            XT_CHECK(xt_env.result[1] == load_reference(mo, (uint8_t *)&v), "ld_env %u off %d", mo, offs[o]);
            XT_CHECK(xt_env.result[0] == low, "st_env %u off %d", mo, offs[o]);
        }
}

static void *seen_env;
static uint64_t helper(void *env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    seen_env = env;
    return a * 3 + (b ^ c) - d * e;
}

/* A block 8 GiB away from everything: calls and the jump to the
 * epilogue must take their out-of-range forms (movz/movk + blr/br). */
static struct be_code far_block(void)
{
    static uint8_t *far;
    if (!far) {
        void *hint = (void *)(((uintptr_t)helper + (8ull << 30)) & ~0xfffull);
        far = mmap(hint, 65536, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        XT_CHECK(far != MAP_FAILED, "mmap far block");
    }
    struct be_code c = xt_block_at(far);
    XT_CHECK(!a64_branch26_reaches((uint8_t *)(uintptr_t)helper - far) &&
             !a64_branch26_reaches(c.epilogue - far), "far block is not far (%p)", (void *)far);
    return c;
}

static void run_call(bool far)
{
    static const struct ir_helper h = { .fn = (void *)helper, .name = "h", .n_args = 5,
                                        .has_result = 1 };
    uint64_t a[5];
    struct be_code c = far ? far_block() : xt_block();
    for (int i = 0; i < 5; i++) be_emit_movi(&c, be_host.call_args[1 + i], a[i] = xt_random());
    be_emit_movi(&c, 21, 0x2121);       /* callee-saved: survives the call */
    struct ir_insn call = { .op = IR_call, .aux = { (intptr_t)&h } };
    struct be_arg out = { .reg = be_host.call_ret }, in[5] = { { 0 } };
    be_emit_insn(&c, &call, &out, in);
    be_emit_st_env(&c, be_host.call_ret, offsetof(struct xt_env, result));
    be_emit_st_env(&c, 21, offsetof(struct xt_env, result) + 8);
    emit_exit(&c);
    seen_env = NULL;
    uint64_t rc = far ? xt_enter(&xt_env, c.start) : xt_run(&c);
    XT_CHECK(rc == TR_EXIT_SYSCALL, "call block rc %lu (far %d)", (unsigned long)rc, far);
    XT_CHECK(seen_env == &xt_env, "helper got env %p", seen_env);
    XT_CHECK(xt_env.result[0] == helper(&xt_env, a[0], a[1], a[2], a[3], a[4]), "call result");
    XT_CHECK(xt_env.result[1] == 0x2121, "x21 across call");
}

static void test_call(void)
{
    run_call(false);
    run_call(true);
}

/* Every constant materialisation path: load, store to env, compare. */
static void test_movi(void)
{
    for (int i = 0; i < 400; i++) {
        uint64_t v = i < xt_n_values ? xt_values[i] : xt_random() >> (xt_random() % 64);
        if (i % 3 == 0 && i >= xt_n_values) v = ~v;
        struct be_code c = xt_block();
        be_emit_movi(&c, 24, v);
        be_emit_st_env(&c, 24, offsetof(struct xt_env, result));
        emit_exit(&c);
        xt_run(&c);
        XT_CHECK(xt_env.result[0] == v, "movi %#lx got %#lx", (unsigned long)v,
                 (unsigned long)xt_env.result[0]);
    }
}

/* A fault in translated code: the handler sees the faulting access's
 * address and the registers' values through be_ucontext_*. */
static sigjmp_buf fault_jmp;
static uintptr_t fault_pc;
static const int *fault_reg_nums;
static uint64_t *fault_reg_vals;
static int fault_n_regs;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    fault_pc = be_ucontext_pc(uc);
    for (int k = 0; k < fault_n_regs; k++)
        fault_reg_vals[k] = be_ucontext_reg(uc, fault_reg_nums[k]);
    siglongjmp(fault_jmp, 1);
}

bool xt_run_to_fault(const struct be_code *c, uintptr_t *pc, const int *regs, uint64_t *vals,
                     int n)
{
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO }, old;
    sigaction(SIGSEGV, &sa, &old);
    fault_reg_nums = regs, fault_reg_vals = vals, fault_n_regs = n;
    fault_pc = 0;
    bool faulted = sigsetjmp(fault_jmp, 1) != 0;
    if (!faulted)
        xt_run(c);
    sigaction(SIGSEGV, &old, NULL);
    *pc = fault_pc;
    return faulted;
}

static void test_fault_context(void)
{
    struct be_code c = xt_block();
    be_emit_movi(&c, 5, 0x5555aaaa1234);
    be_emit_movi(&c, 27, 0x2727);
    be_emit_movi(&c, 7, 0x10);          /* unmapped */
    uint8_t *load = c.ptr;
    struct ir_insn ld = { .op = IR_ld, .size = IR_MO_64 };
    struct be_arg out = { .reg = 6 }, in = { .reg = 7 };
    be_emit_insn(&c, &ld, &out, &in);
    emit_exit(&c);
    uintptr_t pc;
    uint64_t regs[3];
    XT_CHECK(xt_run_to_fault(&c, &pc, (const int[]){ 5, 27, 7 }, regs, 3),
             "load from 0x10 did not fault");
    XT_CHECK(pc == (uintptr_t)load, "fault pc %#lx, ldr at %p", (unsigned long)pc, load);
    XT_CHECK(regs[0] == 0x5555aaaa1234 && regs[1] == 0x2727 && regs[2] == 0x10,
             "registers in the ucontext");
}

/* A load or store, then add/sub of its base (x24) by delta: one pre- or
 * post-indexed access (a64_writeback.c) when the offsets allow; the
 * value, the memory and the new base as the two ops give them. */
static void run_writeback(bool store, int32_t disp, int64_t delta)
{
    for (int i = 0; i < 64; i++) guest_mem[i] = (uint8_t)xt_random();
    uint8_t before[64];
    memcpy(before, guest_mem, 64);
    uint64_t v = xt_random(), base = (uintptr_t)(guest_mem + 32);
    struct be_code c = xt_block();
    be_emit_movi(&c, 24, base);
    be_emit_movi(&c, 20, v);
    struct ir_insn mem = { .op = store ? IR_st : IR_ld, .size = IR_MO_64, .aux = { disp } };
    struct be_arg base_arg = { .reg = 24 }, sv[2] = { { .reg = 24 }, { .reg = 20 } };
    if (store)
        be_emit_insn(&c, &mem, NULL, sv);
    else
        be_emit_insn(&c, &mem, (struct be_arg[]){ { .reg = 20 } }, &base_arg);
    uint8_t *access_end = c.ptr;    /* a store's page-cross test stands before its word */
    struct ir_insn add = { .op = IR_add, .size = 64 };
    struct be_arg ain[2] = { { .reg = 24 }, { .is_const = true, .imm = (uint64_t)delta } };
    be_emit_insn(&c, &add, (struct be_arg[]){ { .reg = 24 } }, ain);
    /* folded: the add emitted nothing (a push, disp = delta = -8, also
     * took its store's test out: a64_store_cross_drop) */
    bool folded = c.ptr <= access_end;
    be_emit_st_env(&c, 20, offsetof(struct xt_env, result));
    be_emit_st_env(&c, 24, offsetof(struct xt_env, result) + 8);
    emit_exit(&c);
    xt_run(&c);
    uint64_t want_v = v;
    if (store)
        memcpy(before + 32 + disp, &v, 8);
    else
        memcpy(&want_v, before + 32 + disp, 8);
    XT_CHECK(xt_env.result[0] == want_v && memcmp(before, guest_mem, 64) == 0,
             "writeback %s disp %d delta %ld: value/memory", store ? "st" : "ld", disp, (long)delta);
    XT_CHECK(xt_env.result[1] == base + (uint64_t)delta, "writeback %s disp %d delta %ld: base",
             store ? "st" : "ld", disp, (long)delta);
    XT_CHECK(folded == (disp == 0 || disp == delta), "writeback %s disp %d delta %ld: folded %d",
             store ? "st" : "ld", disp, (long)delta, folded);
}

static void test_writeback(void)
{
    static const int32_t disps[] = { 0, -8, 8, -16, 16 };
    static const int64_t deltas[] = { 8, -8, 16, -16 };
    for (int s = 0; s < 2; s++)
        for (int d = 0; d < 5; d++)
            for (int k = 0; k < 4; k++)
                run_writeback(s, disps[d], deltas[k]);
}

/* A folded access that faults leaves its base as it was (x24 in the
 * ucontext, at the access's pc). */
static void test_writeback_fault(void)
{
    for (int store = 0; store < 2; store++) {
        struct be_code c = xt_block();
        be_emit_movi(&c, 5, 0x5555);
        be_emit_movi(&c, 27, 0x10);     /* unmapped */
        be_emit_movi(&c, 7, 0x7777);
        struct ir_insn mem = { .op = store ? IR_st : IR_ld, .size = IR_MO_64 };
        struct be_arg a = { .reg = 27 }, sv[2] = { { .reg = 27 }, { .reg = 5 } };
        if (store)
            be_emit_insn(&c, &mem, NULL, sv);
        else
            be_emit_insn(&c, &mem, (struct be_arg[]){ { .reg = 5 } }, &a);
        uint8_t *access = c.ptr - 4;    /* after a store's page-cross test */
        struct ir_insn add = { .op = IR_add, .size = 64 };
        struct be_arg ain[2] = { { .reg = 27 }, { .is_const = true, .imm = 8 } };
        be_emit_insn(&c, &add, (struct be_arg[]){ { .reg = 27 } }, ain);
        XT_CHECK(c.ptr == access + 4, "writeback fault case folded");
        emit_exit(&c);
        uintptr_t pc;
        uint64_t regs[3];
        XT_CHECK(xt_run_to_fault(&c, &pc, (const int[]){ 5, 27, 7 }, regs, 3),
                 "access at 0x10 did not fault");
        XT_CHECK(pc == (uintptr_t)access, "writeback fault pc");
        XT_CHECK(regs[0] == 0x5555 && regs[1] == 0x10 && regs[2] == 0x7777,
                 "writeback fault: base %#lx kept", (unsigned long)regs[1]);
    }
}

/* Two pushes (st [x24 - 8], then x24 -= 8) with the page-cross check on
 * (be_store_cross_check): marked IR_MO_ALIGNED (ir_stack_align.c: behind
 * the block's entry test of rsp) they go untested and pair into one
 * `stp`; unmarked, each keeps its test (x24 may be any value) and so
 * folds but does not pair.  Memory and x24 as the ops give them. */
static void run_stack_pushes(bool aligned)
{
    memset(guest_mem, 0xa5, sizeof guest_mem);
    uint64_t v[2] = { xt_random(), xt_random() }, base = (uintptr_t)(guest_mem + 32);
    bool was = be_store_cross_check;
    be_store_cross_check = true;
    struct be_code c = xt_block();
    be_emit_movi(&c, 24, base);
    be_emit_movi(&c, 20, v[0]);
    be_emit_movi(&c, 21, v[1]);
    uint8_t *start = c.ptr;
    for (int k = 0; k < 2; k++) {
        struct ir_insn st = { .op = IR_st, .size = IR_MO_64 | (aligned ? IR_MO_ALIGNED : 0),
                              .aux = { -8 } };
        struct be_arg sv[2] = { { .reg = 24 }, { .reg = 20 + k } };
        be_emit_insn(&c, &st, NULL, sv);
        struct ir_insn add = { .op = IR_add, .size = 64 };
        struct be_arg ain[2] = { { .reg = 24 }, { .is_const = true, .imm = (uint64_t)-8 } };
        be_emit_insn(&c, &add, (struct be_arg[]){ { .reg = 24 } }, ain);
    }
    long words = (c.ptr - start) / 4;
    be_emit_st_env(&c, 24, offsetof(struct xt_env, result));
    emit_exit(&c);
    be_store_cross_check = was;
    xt_run(&c);
    uint8_t want[64];
    memset(want, 0xa5, sizeof want);
    memcpy(want + 24, &v[0], 8);
    memcpy(want + 16, &v[1], 8);
    XT_CHECK(memcmp(want, guest_mem, 64) == 0 && xt_env.result[0] == base - 16,
             "stack pushes aligned %d: memory/rsp", aligned);
    XT_CHECK(aligned ? words == 1 : words > 2, "stack pushes aligned %d: %ld words", aligned,
             words);
}

void xt_test_mem(void)
{
    run_stack_pushes(true);
    run_stack_pushes(false);
    test_fault_context();
    test_writeback();
    test_writeback_fault();
    test_loads();
    test_stores();
    test_env_access();
    test_call();
    test_movi();
}
