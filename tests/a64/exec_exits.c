/* exec_exits.c -- block exits on AArch64: chain-slot stubs (pc, exit_tb,
 * exit code), brcond taken/not taken for every condition (cbz/cbnz and
 * compare forms), exit_indirect and its inline jump-cache probe, and
 * re-pointing a slot with be_patch_jump. */
#include <stddef.h>
#include <string.h>

#include "exec_common.h"

static void emit_exit_code(struct be_code *c, uint64_t pc, int code)
{
    struct ir_insn exit = { .op = IR_exit_code, .aux = { (int64_t)pc, code } };
    be_emit_insn(c, &exit, NULL, NULL);
}

/* A goto_tb exit leaves through its stub, then, chained, straight into
 * the target; patching changes nothing but the slot's word. */
static void run_goto_tb(int slot, uint64_t pc)
{
    static uint32_t before[64];
    struct be_code c = xt_block();
    struct ir_insn g = { .op = IR_goto_tb, .aux = { (int64_t)pc, slot } };
    be_emit_insn(&c, &g, NULL, NULL);
    XT_CHECK(c.jump_site[slot] != UINT32_MAX && c.jump_site[slot] % 4 == 0, "jump site");
    xt_env.rt.exit_tb = NULL;
    uint64_t rc = xt_run(&c);
    XT_CHECK(rc == TR_EXIT_CHAIN0 + (uint64_t)slot, "goto_tb rc %lu", (unsigned long)rc);
    XT_CHECK(xt_env.rt.pc == pc, "goto_tb pc");
    XT_CHECK(xt_env.rt.exit_tb == c.tb, "goto_tb exit_tb");

    struct be_code target = xt_block();
    emit_exit_code(&target, 0x99, TR_EXIT_SIGTRAP);
    size_t n_words = (size_t)(c.ptr - c.start) / 4;
    memcpy(before, c.start, 4 * n_words);
    be_patch_jump(c.start + c.jump_site[slot], 0, target.start);
    for (size_t i = 0; i < n_words; i++)
        XT_CHECK(i == c.jump_site[slot] / 4 || before[i] == ((uint32_t *)c.start)[i],
                 "patching changed word %zu", i);
    rc = xt_enter(&xt_env, c.start);
    XT_CHECK(rc == TR_EXIT_SIGTRAP && xt_env.rt.pc == 0x99, "chained rc %lu", (unsigned long)rc);
    xt_run(&target);
}

static void test_goto_tb(void)
{
    for (int slot = 0; slot < 2; slot++) {
        run_goto_tb(slot, 0x7654321000ull + slot);
        run_goto_tb(slot, 0x12 + slot);
    }
}

/* brcond a cond b -> slot 1, else exit_code: checks which way it went. */
static void run_brcond(enum ir_cond cond, int size, uint64_t a, uint64_t b, bool b_const)
{
    struct be_code c = xt_block();
    /* the exit after it: a brcond is emitted from its block (a64_chain.c
     * looks at the rest: a tbz must reach its slot) */
    struct ir_insn br[2] = { { .op = IR_brcond, .size = size, .cond = cond, .aux = { 0x5000, 1 } },
                             { .op = IR_goto_tb } };
    struct be_arg in[2] = { { .reg = 11 }, { .is_const = b_const, .reg = 12, .imm = b } };
    be_emit_movi(&c, 11, a);
    if (!b_const) be_emit_movi(&c, 12, b);
    be_emit_insn(&c, br, NULL, in);
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
                if (n % 7 == 3) b = 1ull << (xt_random() % size);   /* tbz/tbnz */
                if (n % 5 == 0) a = b;
                run_brcond(cond, size, a, b, n & 1);
            }
}

/* subf/addf/andf a, b into x13, a move (flags kept), then brflags cond:
 * taken as a cond b (subf) or as (a op b) cond 0 (addf, andf). */
static void run_brflags(enum ir_op op, enum ir_cond cond, int size, uint64_t a, uint64_t b,
                        bool b_const)
{
    struct be_code c = xt_block();
    struct ir_insn p = { .op = op, .size = size };
    struct ir_insn br = { .op = IR_brflags, .size = size, .cond = cond, .aux = { 0x5000, 1 } };
    struct be_arg out = { .reg = 13 };
    struct be_arg in[2] = { { .reg = 11 }, { .is_const = b_const, .reg = 12, .imm = b } };
    be_emit_movi(&c, 11, a);
    if (!b_const) be_emit_movi(&c, 12, b);
    be_emit_insn(&c, &p, &out, in);
    be_emit_movi(&c, 14, 0);          /* glue between: keeps the flags */
    be_emit_insn(&c, &br, NULL, NULL);
    emit_exit_code(&c, 0x6000, TR_EXIT_SYSCALL);
    uint64_t rc = xt_run(&c);
    struct ir_insn plain = { .op = op == IR_subf ? IR_sub : op == IR_addf ? IR_add : IR_and,
                             .size = size };
    uint64_t v[2] = { a, b }, d = xt_reference(&plain, v);
    bool taken = op == IR_subf ? xt_cond_holds(cond, a, b, size) : xt_cond_holds(cond, d, 0, size);
    XT_CHECK(rc == (taken ? TR_EXIT_CHAIN1 : TR_EXIT_SYSCALL),
             "%s + brflags %d/%d %#lx %#lx const %d: rc %lu", ir_op_info[op].name, cond, size,
             (unsigned long)a, (unsigned long)b, b_const, (unsigned long)rc);
}

/* Every condition ir_fuse_flags lets each producer's consumers test. */
static void test_brflags(void)
{
    static const struct { enum ir_op op; int n; enum ir_cond conds[10]; } rows[] = {
        { IR_subf, 10, { IR_EQ, IR_NE, IR_LT, IR_GE, IR_LE, IR_GT, IR_LTU, IR_GEU, IR_LEU, IR_GTU } },
        { IR_addf, 2, { IR_EQ, IR_NE } },
        { IR_andf, 6, { IR_EQ, IR_NE, IR_LT, IR_GE, IR_LE, IR_GT } },
    };
    for (int r = 0; r < 3; r++)
        for (int size = 32; size <= 64; size += 32)
            for (int k = 0; k < rows[r].n; k++)
                for (int n = 0; n < 40; n++) {
                    uint64_t a = xt_values[xt_random() % xt_n_values];
                    uint64_t b = n % 4 == 0 ? 0 : xt_values[xt_random() % xt_n_values];
                if (n % 7 == 3) b = 1ull << (xt_random() % size);   /* tbz/tbnz */
                    if (n % 5 == 0) a = b;
                    if (n % 7 == 0) b = -a;
                    run_brflags(rows[r].op, rows[r].conds[k], size, a, b, n & 1);
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

static uint8_t *after(const struct be_code *c)
{
    return (uint8_t *)(((uintptr_t)c->ptr + 63) & ~(uintptr_t)63);
}

/* A C helper leaving x18 (the probe's table: a64_emit.h) anything. */
static void clobber_x18(void *env)
{
    __asm__ volatile("mov x18, #0x7ff0" ::: "x18");
}

/* exit_indirect to pc (emitted behind `last`), whose entry (tr_jmp_index)
 * may lead to a block exiting with SIGTRAP at pc ^ 1, after a call of a
 * helper that changes x18 when `call`: true when the probe found it. */
static bool probe_hits_after(uint64_t pc, const struct be_code *last, bool call)
{
    struct be_code c = xt_block_at(after(last));
    struct ir_insn x = { .op = IR_exit_indirect };
    struct be_arg in = { .reg = 26 };
    if (call)
        be_emit_call(&c, (const void *)clobber_x18);
    be_emit_movi(&c, 26, pc);
    be_emit_insn(&c, &x, NULL, &in);
    uint64_t rc = xt_run(&c);
    XT_CHECK(rc == TR_EXIT_SIGTRAP || (rc == TR_EXIT_INDIRECT && xt_env.rt.pc == pc),
             "probe of %#lx: rc %lu", (unsigned long)pc, (unsigned long)rc);
    return rc == TR_EXIT_SIGTRAP && xt_env.rt.pc == (pc ^ 1);
}

static bool probe_hits(uint64_t pc, const struct be_code *last)
{
    return probe_hits_after(pc, last, false);
}

/* tr_jmp_index's formula for a table of 2^bits entries. */
static unsigned index_of(uint64_t pc, unsigned bits)
{
    return (unsigned)((pc + (pc >> bits)) & ((1u << bits) - 1));
}

/* The nearest pc above pc that a 12-bit table puts in pc's entry and this
 * host's table does not (with a 12-bit table: the nearest that shares
 * it, so that the test fails). */
static uint64_t twin_of(uint64_t pc)
{
    uint64_t t = pc + 1;
    while (index_of(t, 12) != index_of(pc, 12) ||
           (tr_jmp_index(t) == tr_jmp_index(pc) && t - pc < (1u << 20)))
        t++;
    return t;
}

/* The probe's index is tr_jmp_index over be_host.jmp_bits (14 on this
 * host: with 12, runs missed up to four times as often), for pcs of
 * every index bit; two pcs a 12-bit table cannot tell apart both stay. */
static void test_jmp_cache_probe(void)
{
    XT_CHECK(tr_jmp_bits() == 14 && tr_jmp_size() <= TR_JMP_SIZE_MAX, "jump cache of %u bits",
             tr_jmp_bits());
    for (int n = 0; n < 64; n++) {
        uint64_t pc = n < 32 ? (1ull << (n % 16 + 4)) + 0x400000 * (uint64_t)n
                             : (xt_random() & 0x7fffffffffffull);
        uint64_t twin = twin_of(pc);
        XT_CHECK(tr_jmp_index(pc) == index_of(pc, tr_jmp_bits()), "index of %#lx",
                 (unsigned long)pc);
        struct be_code a = xt_block();
        emit_exit_code(&a, pc ^ 1, TR_EXIT_SIGTRAP);
        struct be_code b = xt_block_at(after(&a));
        emit_exit_code(&b, twin ^ 1, TR_EXIT_SIGTRAP);
        xt_clear_jmp_cache();
        *xt_jmp_slot(pc) = (struct tr_jmp_entry){ pc, a.start };
        *xt_jmp_slot(twin) = (struct tr_jmp_entry){ twin, b.start };
        XT_CHECK(probe_hits(pc, &b) && probe_hits(twin, &b), "probe of %#lx / %#lx missed",
                 (unsigned long)pc, (unsigned long)twin);
        XT_CHECK(probe_hits_after(pc, &b, true), "probe of %#lx after a call missed",
                 (unsigned long)pc);
        xt_clear_jmp_cache();
        XT_CHECK(!probe_hits(pc, &b), "empty entry of %#lx hit", (unsigned long)pc);
    }
}

/* The b.cond (and tbz/tbnz) words of [start, end) branching to target. */
static int cond_branches_to(const uint8_t *start, const uint8_t *end, const uint8_t *target)
{
    int n = 0;
    for (const uint8_t *p = start; p < end; p += 4) {
        uint32_t w = *(const uint32_t *)p;
        int32_t off = (int32_t)(w << 8) >> 13 << 2, off14 = (int32_t)(w << 13) >> 18 << 2;
        n += (w & 0xff000010) == 0x54000000 && p + off == target;
        n += (w & 0x7e000000) == 0x36000000 && p + off14 == target;
    }
    return n;
}

/* field[0] cond imm -> slot 1 (0x5000), else exit 0x6000; then chained to a
 * block within the conditional branch's range, one beyond it, and back;
 * and to one 64 KiB away (beyond tbz's reach, within b.cond's).
 * yes/no: field values that take and do not take the exit. */
static void run_brcond_chaining(enum ir_cond cond, uint64_t imm, uint64_t yes, uint64_t no)
{
    struct be_code c = xt_block();
    struct ir_insn ld = { .op = IR_ld_env, .size = IR_MO_64, .aux = { offsetof(struct xt_env, field) } };
    struct ir_insn br[2] = { { .op = IR_brcond, .size = 64, .cond = cond, .aux = { 0x5000, 1 } },
                             { .op = IR_goto_tb } };
    struct be_arg r = { .reg = 11 }, in[2] = { { .reg = 11 }, { .is_const = 1, .imm = imm } };
    be_emit_insn(&c, &ld, &r, NULL);
    be_emit_insn(&c, br, NULL, in);
    emit_exit_code(&c, 0x6000, TR_EXIT_SYSCALL);
    uint8_t *site = c.start + c.jump_site[1];
    struct be_code near = xt_block_at(c.ptr + 256), far = xt_block_at(c.ptr + (4 << 20));
    struct be_code mid = xt_block_at(c.ptr + (64 << 10));
    emit_exit_code(&near, 0x77, TR_EXIT_SIGTRAP);
    emit_exit_code(&far, 0x88, TR_EXIT_SIGSEGV);
    emit_exit_code(&mid, 0x99, TR_EXIT_SIGTRAP);
    bool test_bit = cond == IR_TSTEQ || cond == IR_TSTNE;
    const struct { int which; uint64_t field, rc, pc; } steps[] = {
        { 0, yes, TR_EXIT_CHAIN1, 0x5000 }, { 0, no, TR_EXIT_SYSCALL, 0x6000 },
        { 1, yes, TR_EXIT_SIGTRAP, 0x77 }, { 1, no, TR_EXIT_SYSCALL, 0x6000 },
        { 2, yes, TR_EXIT_SIGSEGV, 0x88 }, { 2, no, TR_EXIT_SYSCALL, 0x6000 },
        { 1, yes, TR_EXIT_SIGTRAP, 0x77 }, { 3, yes, TR_EXIT_SIGTRAP, 0x99 },
        { 3, no, TR_EXIT_SYSCALL, 0x6000 },
    };
    const uint8_t *targets[] = { NULL, near.start, far.start, mid.start };
    for (int i = 0; i < (int)(sizeof steps / sizeof steps[0]); i++) {
        if (steps[i].which) be_patch_jump(site, 0, targets[steps[i].which]);
        xt_env.field[0] = steps[i].field;
        uint64_t rc = xt_enter(&xt_env, c.start);
        XT_CHECK(rc == steps[i].rc && xt_env.rt.pc == steps[i].pc, "brcond %d chain step %d: rc %lu",
                 cond, i, (unsigned long)rc);
        if (steps[i].which == 1)
            XT_CHECK(cond_branches_to(c.start, c.ptr, near.start) == 1, "cond branch %d not direct", cond);
        if (steps[i].which == 2 || (steps[i].which == 3 && test_bit))
            XT_CHECK(cond_branches_to(c.start, c.ptr, site) == 1, "cond branch %d not via its b", cond);
        if (steps[i].which == 3 && !test_bit)
            XT_CHECK(cond_branches_to(c.start, c.ptr, mid.start) == 1, "b.cond not direct at 64 KiB");
    }
    xt_run(&far);
}

static void test_brcond_chaining(void)
{
    run_brcond_chaining(IR_EQ, 5, 5, 6);
    run_brcond_chaining(IR_TSTNE, 1ull << 40, 1ull << 40, ~(1ull << 40));     /* tbnz */
    run_brcond_chaining(IR_TSTEQ, 4, 3, 7);                                     /* tbz */
}

/* Several brconds in one block (more than are kept pending): each exit
 * leaves with its own pc. */
static void test_many_brconds(void)
{
    for (int taken = 0; taken <= 6; taken++) {
        struct be_code c = xt_block();
        struct ir_insn ld = { .op = IR_ld_env, .size = IR_MO_64, .aux = { offsetof(struct xt_env, field) } };
        struct be_arg r = { .reg = 3 };
        be_emit_insn(&c, &ld, &r, NULL);
        for (int k = 0; k < 6; k++) {
            struct ir_insn br[2] = { { .op = IR_brcond, .size = 32, .cond = IR_EQ, .aux = { 0x100 + k, k & 1 } },
                                     { .op = IR_goto_tb } };
            struct be_arg in[2] = { { .reg = 3 }, { .is_const = 1, .imm = k } };
            be_emit_insn(&c, br, NULL, in);
        }
        uint8_t *before = c.ptr;
        emit_exit_code(&c, 0x300, TR_EXIT_SYSCALL);
        XT_CHECK(c.ptr - before <= BE_MAX_INSN_BYTES, "final exit: %ld bytes", (long)(c.ptr - before));
        xt_env.field[0] = taken;
        uint64_t rc = xt_run(&c);
        bool t = taken < 6;
        XT_CHECK(rc == (t ? (uint64_t)(taken & 1) : TR_EXIT_SYSCALL) &&
                 xt_env.rt.pc == (t ? 0x100u + taken : 0x300u), "many brconds %d: rc %lu",
                 taken, (unsigned long)rc);
    }
}

void xt_test_exits(void)
{
    test_brcond_chaining();
    test_many_brconds();
    test_goto_tb();
    test_brcond();
    test_brflags();
    test_exit_indirect();
    test_jmp_cache_probe();
}
