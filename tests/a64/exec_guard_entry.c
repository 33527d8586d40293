/* exec_guard_entry.c -- a self-loop's exit-request guard load, which only
 * backward chains need (IR_REQUEST_BACKWARD_ONLY, translate.c): the load is
 * the block's first word and be_code.entry_off lies past it.  Entered
 * there (dispatcher, jump cache, forward chains) the block runs without
 * touching the guard page; entered at its start, as a backward chain is
 * patched (tc_chain_entry), it loads from it -- so a request (the page made
 * unreadable) stops the loop at its first pass back, at the block's start.
 * A guard without the mark, a flag test, and a guard behind other code keep
 * every entry at the start. */
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec_common.h"
#include "regalloc.h"

#define LOOP_PC 0x700000ull
#define DONE_PC 0x700100ull

static struct ir_block loop;

/* g0 -= 1, g1 += 1, back to its own start while g0 != 0 (after `lead`
 * constants stored first: code ahead of the test), then a syscall exit. */
static struct be_code emit_self_loop(int64_t mark, int lead)
{
    ir_block_init(&loop, &xt_globals, LOOP_PC);
    for (int k = 0; k < lead; k++)
        ir_st_env(&loop, IR_MO_64, ir_const(&loop, 0x1234), (int32_t)offsetof(struct xt_env, field[k & 3]));
    ir_exit_request(&loop, LOOP_PC);
    loop.insns[loop.n_insns - 1].aux[1] = mark;
    ir_insn_start(&loop, LOOP_PC, 4);
    ir_binop(&loop, IR_sub, 64, 0, 0, ir_const(&loop, 1));
    ir_binop(&loop, IR_add, 64, 1, 1, ir_const(&loop, 1));
    ir_brcond(&loop, IR_NE, 64, 0, ir_const(&loop, 0), LOOP_PC, 1);
    ir_exit_code(&loop, DONE_PC, TR_EXIT_SYSCALL);
    struct be_code c = xt_block();
    XT_CHECK(ra_emit_block(xt_ra(), &c, &loop), "guard loop: out of room");
    return c;
}

/* ---- the guard page: the env's page at TR_ENV_GUARD_PROBE ---- */

static uint8_t *guard_page(void)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *p = (uint8_t *)(((uintptr_t)&xt_env + TR_ENV_GUARD_PROBE) & ~(uintptr_t)(pg - 1));
    bool inside = p >= xt_env.pad && p + pg <= xt_env.pad + sizeof xt_env.pad;
    XT_CHECK(inside, "the guard probe's page is not all padding");
    return inside ? p : NULL;
}

static sigjmp_buf fault_jmp;
static uintptr_t fault_pc;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    fault_pc = be_ucontext_pc(uc);
    siglongjmp(fault_jmp, 1);
}

/* Enters c at `at` with g0 = passes: the exit code, or -1 when the guard
 * load faulted (its pc in fault_pc). */
static __attribute__((noinline)) int64_t run_at(const struct be_code *c, const uint8_t *at,
                                                 uint64_t passes, bool request)
{
    uint8_t *page = guard_page();
    if (!page)
        return -2;
    xt_env.gregs[0] = passes;
    xt_env.gregs[1] = 0;
    fault_pc = 0;
    struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER }, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old);
    if (request)
        mprotect(page, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE);
    int64_t rc = -1;
    if (!sigsetjmp(fault_jmp, 1))
        rc = (int64_t)xt_enter(&xt_env, at);
    mprotect(page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE);
    sigaction(SIGSEGV, &old, NULL);
    return rc;
}

static void test_backward_only(void)
{
    struct be_code c = emit_self_loop(IR_REQUEST_GUARD | IR_REQUEST_BACKWARD_ONLY, 0);
    XT_CHECK(c.entry_off == 4, "entry_off %u", c.entry_off);
    XT_CHECK(be_guard_load_at((uintptr_t)c.start), "first word not the guard load");
    XT_CHECK(!be_guard_load_at((uintptr_t)c.start + c.entry_off), "a guard load at the entry");
    /* chained to itself as a backward chain: at its start */
    be_patch_jump(c.start + c.jump_site[1], 0, c.start);
    const uint8_t *entry = c.start + c.entry_off;
    for (uint64_t passes = 1; passes <= 5; passes++) {
        int64_t rc = run_at(&c, entry, passes, false);
        XT_CHECK(rc == TR_EXIT_SYSCALL && xt_env.rt.pc == DONE_PC, "%lu passes: rc %ld",
                 (unsigned long)passes, (long)rc);
        XT_CHECK(xt_env.gregs[0] == 0 && xt_env.gregs[1] == passes, "%lu passes: g0 %lu g1 %lu",
                 (unsigned long)passes, (unsigned long)xt_env.gregs[0], (unsigned long)xt_env.gregs[1]);
    }
    /* a request: one pass runs (no guard at the entry), the pass back stops */
    int64_t rc = run_at(&c, entry, 1, true);
    XT_CHECK(rc == TR_EXIT_SYSCALL && xt_env.gregs[1] == 1, "request, 1 pass: rc %ld", (long)rc);
    rc = run_at(&c, entry, 3, true);
    XT_CHECK(rc == -1 && fault_pc == (uintptr_t)c.start, "request, pass back: rc %ld at +%ld",
             (long)rc, (long)(fault_pc - (uintptr_t)c.start));
    rc = run_at(&c, c.start, 3, true);
    XT_CHECK(rc == -1 && fault_pc == (uintptr_t)c.start, "request at the start: rc %ld", (long)rc);
}

/* Every other kind keeps all entries at the start, where the test is. */
static void test_entry_at_start(int64_t mark, int lead)
{
    struct be_code c = emit_self_loop(mark, lead);
    XT_CHECK(c.entry_off == 0, "mark %ld lead %d: entry_off %u", (long)mark, lead, c.entry_off);
    be_patch_jump(c.start + c.jump_site[1], 0, c.start);
    int64_t rc = run_at(&c, c.start, 4, false);
    XT_CHECK(rc == TR_EXIT_SYSCALL && xt_env.gregs[1] == 4, "mark %ld lead %d: rc %ld g1 %lu",
             (long)mark, lead, (long)rc, (unsigned long)xt_env.gregs[1]);
    if (mark & IR_REQUEST_GUARD) {
        rc = run_at(&c, c.start, 4, true);
        XT_CHECK(rc == -1 && (lead || fault_pc == (uintptr_t)c.start), "mark %ld lead %d: request rc %ld",
                 (long)mark, lead, (long)rc);
    }
}

void xt_test_guard_entry(void)
{
    test_backward_only();
    test_entry_at_start(IR_REQUEST_GUARD, 0);
    test_entry_at_start(0, 0);
    test_entry_at_start(IR_REQUEST_GUARD | IR_REQUEST_BACKWARD_ONLY, 2);
}
