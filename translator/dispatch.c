/* dispatch.c -- the dispatcher loop: finds or translates the block at the
 * guest pc, enters it, and handles why it came back (chaining, syscalls,
 * guest signals, cache flushes, exit requests).  Helpers leave translated
 * code early through tr_raise(), which lands back here via siglongjmp.
 * Every guest thread runs its own dispatcher loop on its own env; the
 * unwind point is per thread, translation and chaining take the
 * translation lock (threads.c). */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "tr_internal.h"

const struct fe_guest *tr_guest;
struct ir_globals tr_globals;
struct tr_stats tr_stats;

static void (*tr_syscall)(void *env);
static bool (*tr_fault)(void *env, int sig, uint64_t addr);
static void (*tr_interrupt_handler)(void *env);
static __thread sigjmp_buf tr_unwind;
static __thread uint64_t tr_entered_gen;   /* cache generation of the block entered */

void tr_set_interrupt_handler(void (*fn)(void *env)) { tr_interrupt_handler = fn; }

void *tr_current_env(void) { return tr_thread_self(); }

/* Async-signal-safe: one store the next block entry tests. */
void tr_interrupt(void *env)
{
    if (env)
        __atomic_store_n(&((struct tr_runtime *)env)->exit_request, 1, __ATOMIC_SEQ_CST);
}

void tr_set_fault_handler(bool (*fault)(void *env, int sig, uint64_t addr))
{
    tr_fault = fault;
}
void tr_init(const struct fe_guest *guest, void (*syscall)(void *env))
{
    tr_guest = guest;
    tr_syscall = syscall;
    tr_globals.count = 0;
    guest->declare_globals(&tr_globals);
    tc_init();
    fault_install();
}

static struct tr_block *find_block_locked(uint64_t pc)
{
    struct tr_block *tb = tc_lookup(pc);
    return tb ? tb : tr_translate(pc);
}

static struct tr_block *find_block(uint64_t pc)
{
    struct tr_block *tb = tc_lookup(pc);
    if (tb)
        return tb;
    tr_lock();
    tb = find_block_locked(pc);
    tr_unlock();
    return tb;
}

/* The block that left through chain slot n now jumps straight to its
 * successor -- unless the cache was flushed since that block was entered
 * (by another thread, or by translating the successor). */
static void chain(struct tr_runtime *rt, int slot)
{
    struct tr_block *from = rt->exit_tb;
    tr_lock();
    if (from && tc_generation() == tr_entered_gen) {
        struct tr_block *to = find_block_locked(rt->pc);
        if (tc_generation() == tr_entered_gen && from->jump_site[slot] != UINT32_MAX) {
            be_patch_jump(from->code + from->jump_site[slot], to->code);
            tr_stats.chains_patched++;
        }
    }
    tr_unlock();
}

static void flush_locked(void)
{
    tr_lock();
    tc_flush();
    tr_unlock();
}

/* Another thread wanted everyone out, or a host signal arrived for the
 * guest: cleared before the handler looks, so no request is lost. */
static void exit_requested(void *env)
{
    __atomic_store_n(&((struct tr_runtime *)env)->exit_request, 0, __ATOMIC_SEQ_CST);
    if (tr_interrupt_handler)
        tr_interrupt_handler(env);
}

static const int exit_signal[] = {
    [TR_EXIT_SIGILL] = SIGILL, [TR_EXIT_SIGTRAP] = SIGTRAP,
    [TR_EXIT_SIGSEGV] = SIGSEGV, [TR_EXIT_SIGFPE] = SIGFPE,
};

/* The hardware's default action: the process dies by the signal. */
static _Noreturn void die_by_signal(int sig)
{
    if (ferry_opts.stats)
        tr_print_stats();
    fflush(ferry_log);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* si_addr as the kernel reports it: the insn for SIGILL/SIGFPE, 0 for #GP
 * (hlt, privileged insns) and int3. */
static uint64_t fault_addr(int code, uint64_t pc)
{
    return code == TR_EXIT_SIGILL || code == TR_EXIT_SIGFPE ? pc : 0;
}

static void guest_fault(void *env, int sig, uint64_t addr)
{
    if (!tr_fault || !tr_fault(env, sig, addr))
        die_by_signal(sig);
}

static void handle_exit(void *env, int code)
{
    struct tr_runtime *rt = env;
    switch (code) {
    case TR_EXIT_CHAIN0: case TR_EXIT_CHAIN1:
        chain(rt, code);
        break;
    case TR_EXIT_INDIRECT:
        break;
    case TR_EXIT_SYSCALL:
        tr_syscall(env);
        break;
    case TR_EXIT_FLUSH:
        flush_locked();
        break;
    case TR_EXIT_REQUEST:
        exit_requested(env);
        break;
    case TR_EXIT_HOST_FAULT:
        guest_fault(env, tr_host_fault.sig, tr_host_fault.addr);
        break;
    case TR_EXIT_SIGILL: case TR_EXIT_SIGTRAP: case TR_EXIT_SIGSEGV: case TR_EXIT_SIGFPE:
        guest_fault(env, exit_signal[code], fault_addr(code, rt->pc));
        break;
    default:
        fprintf(stderr, "ferry: internal error: bad exit code %d\n", code);
        abort();
    }
}

/* A block looked up in generation gen is entered only if no flush ran
 * since; otherwise it is looked up again. */
static int run_block(struct tr_runtime *rt)
{
    uint64_t gen = tc_generation();
    struct tr_block *tb = find_block(rt->pc);
    if (!tr_thread_enter_code(rt, gen))
        return -1;
    tr_entered_gen = gen;
    if (LOG_ON(LOG_EXEC))
        fprintf(ferry_log, "exec: 0x%" PRIx64 "\n", rt->pc);
    __atomic_add_fetch(&tr_stats.dispatches, 1, __ATOMIC_RELAXED);
    int code = (int)tc_enter(rt, tb->code);
    tr_thread_leave_code(rt);
    return code;
}

_Noreturn void tr_run(void *env)
{
    struct tr_runtime *rt = env;
    tr_thread_register(rt);
    rt->unwind = &tr_unwind;
    fault_set_env(env);
    int raised = sigsetjmp(tr_unwind, 0);
    if (raised) {
        tr_thread_leave_code(rt);
        handle_exit(env, raised - 1);
    }
    for (;;) {
        int code = run_block(rt);
        if (code >= 0)
            handle_exit(env, code);
    }
}

void tr_thread_exit(void *env)
{
    tr_thread_unregister(env);
}

_Noreturn void tr_raise(struct tr_runtime *rt, enum tr_exit code, uint64_t pc)
{
    rt->pc = pc;
    siglongjmp(*rt->unwind, (int)code + 1);
}

void tr_invalidate(uint64_t start, uint64_t len)
{
    smc_maps_changed();
    tr_lock();
    if (len && tc_overlaps_guest(start, len))
        tc_flush();
    tr_unlock();
}

void tr_print_stats(void)
{
    const struct { const char *name; uint64_t value; } rows[] = {
        { "blocks_translated", tr_stats.blocks_translated },
        { "guest_insns_translated", tr_stats.guest_insns_translated },
        { "dispatches", tr_stats.dispatches },
        { "blocks_executed", tc_blocks_executed() },
        { "chains_patched", tr_stats.chains_patched },
        { "cache_flushes", tr_stats.cache_flushes },
    };
    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
        fprintf(ferry_log, "ferry-stats: %s: %" PRIu64 "\n", rows[k].name, rows[k].value);
}
