/* exec_pinned.c -- pinned globals across blocks, through regalloc.c and
 * this backend:
 *  - chains of random blocks linked by patched goto_tb/brcond slots and by
 *    the jump cache (an inline hit, or a miss that tr_lookup_code
 *    resolves): only enter() loads the pinned globals and only the final
 *    exit's epilogue stores them, so every block must find them in their
 *    registers; the chain ends in a syscall exit, a jump-cache miss that
 *    returns to the run loop or, when exit_request is set, the first
 *    block testing it;
 *  - a temp computed in a pinned global's register (it is copied there
 *    next) and still live when the global changes: by a call's result, a
 *    helper that writes globals, a reload at a branch, a call clobbering
 *    the register, a new value;
 *  - host faults inside random blocks: the allocator's fault map, applied
 *    by ra_fault_restore as translator/fault.c does, must put every global
 *    (pinned ones from the faulting context) back into env.
 * The oracle is the C interpretation of the same IR (exec_regalloc.c). */
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "exec_common.h"
#include "regalloc.h"

#define MAX_CHAIN 10
#define BLOCK_PC(k) (0x500000ull + 0x1000ull * (uint64_t)(k))
#define MISS_PC 0x7770000ull

static struct ir_block block, compiled;
static uint64_t want[IR_MAX_VALUES];

static void set_globals(void)
{
    for (int g = 0; g < XT_N_GLOBALS; g++)
        xt_env.gregs[g] = want[g] = xt_random();
    for (int k = 0; k < 256; k++)
        xt_guest_mem[k] = xt_shadow_mem[k] = (uint8_t)xt_random();
}

static int globals_differing(void)
{
    int bad = 0;
    for (int g = 0; g < XT_N_GLOBALS; g++)
        bad += xt_env.gregs[g] != want[g];
    return bad;
}

/* ---- the jump cache's slow path ---- */

/* The engine's tr_lookup_code needs an engine; this one replaces it (the
 * archive's is then not linked).  Like the engine's, it answers from the
 * jump cache or else from the blocks "translated" so far, filling the
 * cache; first it destroys every caller-saved register, as any C function
 * may, so the miss path must have saved the pinned globals there. */
static struct { uint64_t pc; const void *code; } translated[MAX_CHAIN];
static int n_translated;

const void *tr_lookup_code(void *env, uint64_t pc)
{
    __asm__ volatile(
        "mov x1, #0xbeef\n mov x2, x1\n mov x3, x1\n mov x4, x1\n mov x5, x1\n"
        "mov x6, x1\n mov x7, x1\n mov x8, x1\n mov x9, x1\n mov x10, x1\n mov x11, x1\n"
        "mov x12, x1\n mov x13, x1\n mov x14, x1\n mov x15, x1\n mov x16, x1\n mov x17, x1\n"
        "mov x18, x1\n"
        ::: "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
            "x14", "x15", "x16", "x17", "x18", "memory");
    struct tr_jmp_entry *e = tr_jmp_at(((struct tr_runtime *)env)->jmp_cache, tr_jmp_index(pc));
    if (e->pc == pc)
        return e->code;
    for (int k = 0; k < n_translated; k++)
        if (translated[k].pc == pc) {
            *e = (struct tr_jmp_entry){ pc, translated[k].code };
            return e->code;
        }
    return NULL;
}

/* The software-MMU TLB's miss path (translator/softmmu.c, system mode)
 * would link the engine in, clashing with the tr_lookup_code above; no
 * test here runs in that mode. */
void *tr_softmmu_slow(void *env, uint64_t va, uint64_t value, uint64_t memop_w, uintptr_t ret,
                      const uint64_t *regs)
{
    abort();
}

/* ---- chains ---- */

enum link { BY_GOTO, BY_BRCOND, BY_INDIRECT, N_LINKS };

struct chain_block {
    struct be_code c;
    enum link link;
    bool tests_exit_request;
};

/* The block's exit: on to block k+1 (by `link`), or, last, out. */
static void gen_exit(struct ir_block *b, int k, int n, enum link link, bool miss)
{
    if (k == n - 1 && !miss) {
        ir_exit_code(b, BLOCK_PC(99), TR_EXIT_SYSCALL);
        return;
    }
    xt_env.targets[k] = k == n - 1 ? MISS_PC : BLOCK_PC(k + 1);
    if (link == BY_INDIRECT || k == n - 1) {
        ir_ref t = ir_temp(b);
        ir_ld_env(b, IR_MO_64, t, (int32_t)offsetof(struct xt_env, targets[k]));
        ir_exit_indirect(b, t);
        return;
    }
    if (link == BY_BRCOND)      /* taken or not, it leads to block k+1 */
        ir_brcond(b, (enum ir_cond)(xt_random() % IR_NUM_CONDS), xt_random() % 2 ? 64 : 32,
                  xt_pick_src(b, 0), xt_pick_src(b, 30), BLOCK_PC(k + 1), 1);
    ir_goto_tb(b, BLOCK_PC(k + 1), 0);
}

/* Generates block k of n, interprets it into want (when the run gets
 * there: `reached`) and emits it at `at`.  Returns whether the run stops
 * at its entry (it tests exit_request, which is set: `request`). */
static bool build_chain_block(struct chain_block *cb, int k, int n, bool miss, uint8_t *at,
                              bool reached, bool request)
{
    cb->link = (enum link)(xt_random() % N_LINKS);
    cb->tests_exit_request = xt_random() % 3 == 0;
    bool stops = request && cb->tests_exit_request;
    xt_gen_body(&block, BLOCK_PC(k), 1 + (int)(xt_random() % 30), cb->tests_exit_request, -1);
    gen_exit(&block, k, n, cb->link, miss);
    if (reached && !stops)
        xt_interpret(&block, want, block.n_insns);
    compiled = block;
    if (xt_random() % 2)
        ir_optimize(&compiled);
    const char *bad = ir_validate(&compiled);
    XT_CHECK(!bad, "invalid chain block: %s", bad);
    cb->c = xt_block_at(at);
    XT_CHECK(ra_emit_block(xt_ra(), &cb->c, &compiled), "chain block: out of room");
    return stops;
}

/* Points block k's exits at block k+1. */
static void link_blocks(struct chain_block *from, const struct chain_block *to, int k)
{
    if (from->link == BY_INDIRECT && xt_random() % 2) {
        *xt_jmp_slot(BLOCK_PC(k + 1)) = (struct tr_jmp_entry){ BLOCK_PC(k + 1), to->c.start };
        return;
    }
    if (from->link == BY_INDIRECT) {        /* a miss that the lookup resolves */
        translated[n_translated].pc = BLOCK_PC(k + 1);
        translated[n_translated++].code = to->c.start;
        return;
    }
    for (int slot = 0; slot < 2; slot++)
        if (from->c.jump_site[slot] != UINT32_MAX)
            be_patch_jump(from->c.start + from->c.jump_site[slot], 0, to->c.start);
}

static uint8_t *after(const struct be_code *c)
{
    return (uint8_t *)(((uintptr_t)c->ptr + 63) & ~(uintptr_t)63);
}

static void run_chain(int n, bool miss, bool request)
{
    static struct chain_block cb[MAX_CHAIN];
    set_globals();
    xt_clear_jmp_cache();
    n_translated = 0;
    uint8_t *at = xt_block().start;
    int stop = n;               /* the first block testing a set exit_request */
    for (int k = 0; k < n; k++) {
        if (build_chain_block(&cb[k], k, n, miss, at, k < stop, request) && stop == n)
            stop = k;
        at = after(&cb[k].c);
    }
    for (int k = 0; k + 1 < n; k++)
        link_blocks(&cb[k], &cb[k + 1], k);
    xt_env.rt.exit_request = request;
    xt_env.rt.pc = 0;
    uint64_t rc = xt_enter(&xt_env, cb[0].c.start);
    xt_env.rt.exit_request = 0;
    uint64_t want_rc = miss ? TR_EXIT_INDIRECT : TR_EXIT_SYSCALL;
    uint64_t want_pc = miss ? MISS_PC : BLOCK_PC(99);
    if (stop < n)
        want_rc = TR_EXIT_REQUEST, want_pc = BLOCK_PC(stop);
    XT_CHECK(rc == want_rc && xt_env.rt.pc == want_pc,
             "chain of %d (miss %d, request %d): rc %lu pc %#lx, want rc %lu pc %#lx", n, miss,
             request, (unsigned long)rc, (unsigned long)xt_env.rt.pc, (unsigned long)want_rc,
             (unsigned long)want_pc);
    XT_CHECK(globals_differing() == 0, "chain of %d (miss %d, request %d): %d globals differ",
             n, miss, request, globals_differing());
    XT_CHECK(memcmp(xt_guest_mem, xt_shadow_mem, sizeof xt_guest_mem) == 0,
             "chain of %d: memory differs", n);
    for (int k = 0; k < n_translated && stop == n; k++)
        XT_CHECK(xt_jmp_slot(translated[k].pc)->code == translated[k].code,
                 "the lookup did not fill the jump cache");
}

/* A jump-cache hit whose entry is for another pc mapping to the same
 * slot must miss. */
static void test_jmp_cache_tag(void)
{
    set_globals();
    xt_clear_jmp_cache();
    struct be_code target = xt_block();
    struct ir_insn trap = { .op = IR_exit_code, .aux = { 0x99, TR_EXIT_SIGTRAP } };
    be_emit_insn(&target, &trap, NULL, NULL);
    struct be_code c = xt_block_at(after(&target));
    struct ir_insn x = { .op = IR_exit_indirect };
    struct be_arg in = { .reg = 3 };
    be_emit_movi(&c, 3, BLOCK_PC(1));
    be_emit_insn(&c, &x, NULL, &in);
    uint64_t alias = BLOCK_PC(1) + ((uint64_t)tr_jmp_size() << tr_jmp_bits());
    XT_CHECK(xt_jmp_slot(alias) == xt_jmp_slot(BLOCK_PC(1)), "alias maps elsewhere");
    *xt_jmp_slot(alias) = (struct tr_jmp_entry){ alias, target.start };
    uint64_t rc = xt_enter(&xt_env, c.start);
    XT_CHECK(rc == TR_EXIT_INDIRECT && xt_env.rt.pc == BLOCK_PC(1), "alias hit: rc %lu",
             (unsigned long)rc);
    *xt_jmp_slot(BLOCK_PC(1)) = (struct tr_jmp_entry){ BLOCK_PC(1), target.start };
    rc = xt_enter(&xt_env, c.start);
    XT_CHECK(rc == TR_EXIT_SIGTRAP && xt_env.rt.pc == 0x99, "hit: rc %lu", (unsigned long)rc);
    XT_CHECK(globals_differing() == 0, "jump cache: globals changed");
    xt_clear_jmp_cache();
}

/* ---- temps sharing a pinned global's register ---- */

enum { N_SHARING = 6 };

/* t = g + 1; g = t (t now shares g's register); then g changes while t is
 * live (variant), and t is read at the end. */
static void gen_sharing(struct ir_block *b, ir_ref g, int variant)
{
    ir_block_init(b, &xt_globals, 0x700000);
    ir_ref t = ir_temp(b), r = ir_temp(b), args[2] = { 0, 1 };
    ir_binop(b, IR_add, 64, t, g, ir_const(b, 1));
    ir_mov(b, g, t);
    args[0] = t;
    switch (variant) {
    case 0: ir_call(b, &xt_mix_helper, g, args); break;             /* result into g */
    case 1: ir_call(b, &xt_touch_helper, r, &t);                    /* g reloaded ... */
            ir_binop(b, IR_add, 64, g, r, g); break;                /* ... as an input */
    case 2: ir_call(b, &xt_touch_helper, r, &t);                    /* ... at a branch */
            ir_brcond(b, IR_EQ, 64, t, ir_const(b, 3), 0x700100, 1); break;
    case 3: ir_call(b, &xt_scramble_helper, r, &r); break;          /* register clobbered */
    case 4: ir_binop(b, IR_sub, 64, g, t, ir_const(b, 5)); break;   /* g = f(t) */
    default: ir_mov(b, g, ir_const(b, 7)); break;                   /* g = constant */
    }
    ir_mov(b, (ir_ref)17, t);
    ir_binop(b, IR_xor, 64, (ir_ref)18, t, g);
    ir_goto_tb(b, 0x700200, 0);
}

static void test_sharing(void)
{
    static const ir_ref pinned[] = { 0, 5, 9, 10, 12, 15 };
    for (int n = 0; n < 6 * N_SHARING * 2 * 4; n++) {
        ir_ref g = pinned[n % 6];
        int variant = n / 6 % N_SHARING;
        gen_sharing(&block, g, variant);
        set_globals();
        xt_interpret(&block, want, block.n_insns);
        compiled = block;
        if (n / (6 * N_SHARING) % 2)
            ir_optimize(&compiled);
        struct be_code c = xt_block();
        XT_CHECK(ra_emit_block(xt_ra(), &c, &compiled), "sharing block: out of room");
        uint64_t rc = xt_run(&c);
        XT_CHECK(rc == TR_EXIT_CHAIN0, "sharing g%d variant %d: rc %lu", g, variant,
                 (unsigned long)rc);
        XT_CHECK(globals_differing() == 0, "sharing g%d variant %d: %d globals differ", g,
                 variant, globals_differing());
    }
}

/* ---- host faults ---- */

static struct ra_fault_map fault_map;
static sigjmp_buf fault_jmp;
static const uint8_t *fault_block;
static bool fault_point_found;

/* As translator/fault.c: the last access at or before the host pc. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
    uint32_t off = (uint32_t)(be_ucontext_pc(uc) - (uintptr_t)fault_block);
    const struct ra_fault_point *p = NULL;
    for (int k = 0; k < fault_map.n_points && fault_map.points[k].host_off <= off; k++)
        p = &fault_map.points[k];
    fault_point_found = p != NULL;
    if (p)
        ra_fault_restore(&xt_env, p, fault_map.entries, compiled.values, be_ucontext_reg, uc);
    siglongjmp(fault_jmp, 1);
}

/* The insn of b accessing XT_FAULT_ADDR, or -1 (optimised away). */
static int faulting_insn(const struct ir_block *b)
{
    for (int n = 0; n < b->n_insns; n++) {
        const struct ir_insn *i = &b->insns[n];
        int a = ir_op_info[i->op].n_out;
        if ((i->op == IR_ld || i->op == IR_st) && ir_is_const(b, i->args[a]) &&
            b->values[i->args[a]].imm == XT_FAULT_ADDR)
            return n;
    }
    return -1;
}

/* Runs the block; true when it faulted (and the handler jumped back). */
static __attribute__((noinline)) bool faulted(const struct be_code *c)
{
    if (sigsetjmp(fault_jmp, 1))
        return true;
    xt_run(c);
    return false;
}

static void run_fault(int n_insns, bool optimize)
{
    xt_gen_body(&block, 0x600000, n_insns, false, (int)(xt_random() % (unsigned)n_insns));
    ir_goto_tb(&block, 0x600100, 0);
    compiled = block;
    if (optimize)
        ir_optimize(&compiled);
    int at = faulting_insn(&compiled);
    if (at < 0)
        return;
    set_globals();
    xt_interpret(&compiled, want, at);
    struct be_code c = xt_block();
    ra_record_faults(xt_ra(), &fault_map);
    XT_CHECK(ra_emit_block(xt_ra(), &c, &compiled), "fault block: out of room");
    ra_record_faults(xt_ra(), NULL);
    XT_CHECK(!fault_map.overflow, "fault map overflow");
    fault_block = c.start;
    fault_point_found = false;
    XT_CHECK(faulted(&c), "fault block did not fault");
    XT_CHECK(fault_point_found, "no fault point for the faulting access");
    XT_CHECK(globals_differing() == 0, "fault at insn %d of %d (optimize %d): %d globals differ",
             at, compiled.n_insns, optimize, globals_differing());
    XT_CHECK(memcmp(xt_guest_mem, xt_shadow_mem, sizeof xt_guest_mem) == 0,
             "fault block: memory differs");
}

static void test_faults(void)
{
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER }, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old);
    for (int n = 0; n < 300; n++)
        run_fault(1 + n % 60, n % 2);
    sigaction(SIGSEGV, &old, NULL);
}

void xt_test_pinned(void)
{
    test_jmp_cache_tag();
    test_sharing();
    for (int n = 0; n < 300; n++)
        run_chain(1 + n % MAX_CHAIN, n % 3 == 1, n % 4 == 3);
    test_faults();
}
