/* dispatch.c -- the dispatcher loop: finds or translates the block at the
 * guest pc, enters it, and handles why it came back (chaining, syscalls,
 * guest signals, cache flushes).  Helpers leave translated code early
 * through tr_raise(), which lands back here via siglongjmp. */
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

void tr_set_fault_handler(bool (*fault)(void *env, int sig, uint64_t addr))
{
    tr_fault = fault;
}
static sigjmp_buf tr_unwind;

void tr_init(const struct fe_guest *guest, void (*syscall)(void *env))
{
    tr_guest = guest;
    tr_syscall = syscall;
    tr_globals.count = 0;
    guest->declare_globals(&tr_globals);
    tc_init();
    fault_install();
}

static struct tr_block *find_block(uint64_t pc)
{
    struct tr_block *tb = tc_lookup(pc);
    return tb ? tb : tr_translate(pc);
}

/* The block that left through chain slot n now jumps straight to its
 * successor -- unless translating the successor flushed the cache. */
static void chain(struct tr_runtime *rt, int slot)
{
    struct tr_block *from = rt->exit_tb;
    uint64_t gen = tc_generation();
    struct tr_block *to = find_block(rt->pc);
    if (!from || tc_generation() != gen || from->jump_site[slot] == UINT32_MAX)
        return;
    be_patch_jump(from->code + from->jump_site[slot], to->code);
    tr_stats.chains_patched++;
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
        tc_flush();
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

_Noreturn void tr_run(void *env)
{
    struct tr_runtime *rt = env;
    rt->unwind = &tr_unwind;
    fault_set_env(env);
    int raised = sigsetjmp(tr_unwind, 0);
    if (raised)
        handle_exit(env, raised - 1);
    for (;;) {
        struct tr_block *tb = find_block(rt->pc);
        if (LOG_ON(LOG_EXEC))
            fprintf(ferry_log, "exec: 0x%" PRIx64 "\n", rt->pc);
        tr_stats.dispatches++;
        handle_exit(env, (int)tc_enter(env, tb->code));
    }
}

_Noreturn void tr_raise(struct tr_runtime *rt, enum tr_exit code, uint64_t pc)
{
    rt->pc = pc;
    siglongjmp(*rt->unwind, (int)code + 1);
}

void tr_invalidate(uint64_t start, uint64_t len)
{
    smc_maps_changed();
    if (len && tc_overlaps_guest(start, len))
        tc_flush();
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
