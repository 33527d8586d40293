/* exit_request.c -- asking a thread to leave translated code, and the
 * thread noticing.  A request (another thread's exclusive section, a host
 * signal for the guest) sets rt.exit_request, which blocks with a
 * backward direct exit test at entry (or, be_desc.guard_every_block,
 * every block where a backward chain enters it: translate.c), and
 * points rt.jmp_cache -- the table
 * the backends' inline jump-cache probes read -- at a table that never
 * matches, so every indirect exit takes the miss path and returns to the
 * dispatcher, which sees the request (tr_exit_request_pending).  Blocks
 * that loop only through indirect exits therefore need no test of their
 * own (translate.c), unless the return-address stack (--ras) lets rets
 * bypass the jump cache.
 *
 * Each vCPU has its own jump cache (rt.jmp_own); the never-matching
 * table is the process's, one for every vCPU, and its entry 0 holds a
 * non-canonical marker pc (no block has it).  rt.jmp_cache only ever
 * holds one of the two, so a request and the thread serving it need no
 * lock: whichever it holds tells the other.
 *
 * Where the backend can (be_desc.request_guard) and every env has a guard
 * page (tr_env_alloc, engine config env_guard), a block that may loop
 * tests for a request with one load from the env's guard page instead of
 * loading and branching on rt.exit_request, and a request makes that page
 * unreadable: the load faults, and the fault handler (tr_guard_fault)
 * leaves the block at its entry for the dispatcher.  Making the page
 * unreadable is a system call (and, with other threads running, a TLB
 * shootdown); taking the fault a host signal: tens of microseconds where
 * the flag costs two stores.  So a request arms the guard only when it
 * must: while the thread runs translated code (outside, the dispatcher
 * sees the flag before it enters a block: tr_exit_request_at_entry) and
 * not already armed (rt.guard_armed: a stream of requests to a thread
 * that is slow to leave costs one arming); and the page is made readable
 * again only when it was armed.  A thread whose guard catches requests
 * often (a stream of signals, a fast timer) switches to blocks that test
 * the flag (TR_MODE_REQUEST_FLAG; its requests then arm nothing), and
 * back once requests have stopped for a while (request_mode_follow). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tr_internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MISS_MARK 0x8000000000000001ull

/* A table, aligned to its size, and its dead fields behind it
 * (translator.h, TR_JMP_DEAD_TABLES). */
static size_t half_bytes(void) { return tr_jmp_table_len() * sizeof(struct tr_jmp_entry); }
#define JMP_CACHE_BYTES \
    ((be_host.lazy_exit_stores && tr_jmp_stride() == 1 ? 1 + TR_JMP_DEAD_TABLES : 1) * half_bytes())

/* The first vCPU's (a process's main thread) lives in the translator's
 * tables, on a huge page already touched, and is reused by the next vCPU
 * once it is free; the others are mapped and populated (one system call
 * instead of a page fault a page, 30-40 us each under shadow paging).
 * Each is aligned to its size (translator.h: a backend may insert an
 * entry's index into the table's address).  Fresh memory is zeroed,
 * which is an empty table but for entry 0 (tc_jmp_empty): `*used` says
 * whether the memory held a table before. */
static struct tr_jmp_entry *in_tables;
static bool in_tables_taken;

static struct tr_jmp_entry *jmp_cache_memory(bool *used)
{
    *used = false;
    if (!__atomic_exchange_n(&in_tables_taken, true, __ATOMIC_ACQ_REL)) {
        *used = in_tables != NULL;
        if (!in_tables)
            in_tables = tr_table_carve(JMP_CACHE_BYTES, half_bytes());
        if (in_tables)
            return in_tables;
        *used = false;
    }
    struct tr_jmp_entry *own = tr_map_aligned(JMP_CACHE_BYTES);
    if (own)
        madvise(own, JMP_CACHE_BYTES, MADV_POPULATE_WRITE);    /* (refused: faults in) */
    return own;
}

/* The never-matching table, one for the process: zeroed memory, mapped
 * once and never populated (the probes read it only while a request is
 * pending), where only entry 0 and its dead field are written: a pc of 0
 * maps to entry 0, which holds MISS_MARK (non-canonical, mapping to entry
 * 1), so no entry ever matches.  Apart from the vCPUs' own tables so that
 * these, not twice their size, share the translator's tables' huge page
 * (a 16,384-entry pair with its dead fields, 1 MiB, pushed a cold run's
 * decode cache out of it: +96 page faults for /bin/true). */
static struct tr_jmp_entry *miss_table;
static pthread_once_t miss_once = PTHREAD_ONCE_INIT;

static void miss_table_map(void)
{
    struct tr_jmp_entry *m = tr_map_aligned(JMP_CACHE_BYTES);
    if (!m)
        return;
    m[0].pc = MISS_MARK;
    if (be_host.lazy_exit_stores)
        *tr_jmp_dead(m, 0) = MISS_MARK;
    miss_table = m;
}

struct tr_jmp_entry *tr_jmp_cache_alloc(void)
{
    bool used;
    pthread_once(&miss_once, miss_table_map);
    struct tr_jmp_entry *own = jmp_cache_memory(&used);
    if (!own || !miss_table) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    if (used)
        tc_clear_jmp_cache(own);
    else
        tc_jmp_zeroed_ready(own);
    return own;
}

void tr_jmp_cache_free(struct tr_jmp_entry *own)
{
    if (own && own == in_tables)
        __atomic_store_n(&in_tables_taken, false, __ATOMIC_RELEASE);
    else if (own)
        munmap(own, JMP_CACHE_BYTES);
}

static bool is_miss_table(const struct tr_jmp_entry *c)
{
    return c && c[0].pc == MISS_MARK;
}

/* ---- the env's guard page ---------------------------------------------- */

static size_t page_bytes;               /* set by the first tr_env_alloc */

/* Released envs, kept for the next thread: a late request's mprotect
 * then still meets a guard page of ours, never memory mapped since. */
static pthread_mutex_t free_lock = PTHREAD_MUTEX_INITIALIZER;
static void *free_envs;

static bool uses_guard(const struct tr_runtime *rt)
{
    return rt->engine && rt->engine->cfg.env_guard && be_host.request_guard;
}

/* rt.guard_armed: the guard page is readable (GUARD_IDLE), being made
 * unreadable by a request (GUARD_ARMING), unreadable (GUARD_ARMED), or
 * being made readable again by its own thread (GUARD_DISARMING).  Each
 * mprotect belongs to whoever moved the state off an idle or armed one,
 * so the two never race to leave the page in the state the field does
 * not say. */
enum { GUARD_IDLE, GUARD_ARMING, GUARD_ARMED, GUARD_DISARMING };

static bool guard_move(struct tr_runtime *rt, uint16_t from, uint16_t to)
{
    return __atomic_compare_exchange_n(&rt->guard_armed, &from, to, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void guard_protect(struct tr_runtime *rt, int prot)
{
    int saved = errno;
    mprotect((char *)rt + TR_ENV_GUARD_OFFSET, page_bytes, prot);
    errno = saved;
}

/* After rt.exit_request is set (async-signal-safe: at most one system
 * call).  A thread outside translated code needs no guard: the flag is
 * stored before in_code is read, and tr_thread_enter_code stores in_code
 * before tr_exit_request_at_entry reads the flag (Dekker), so one of the
 * two sees the other.  Nor does a thread whose blocks test the flag: it
 * changes its mode only outside translated code, before it stores in_code
 * again.  An armed guard stays armed until served. */
static void guard_arm(struct tr_runtime *rt)
{
    if (!uses_guard(rt) || !__atomic_load_n(&rt->in_code, __ATOMIC_SEQ_CST) ||
        (__atomic_load_n(&rt->tb_mode, __ATOMIC_SEQ_CST) & TR_MODE_REQUEST_FLAG) ||
        !guard_move(rt, GUARD_IDLE, GUARD_ARMING))
        return;
    guard_protect(rt, PROT_NONE);
    __atomic_store_n(&rt->guard_armed, GUARD_ARMED, __ATOMIC_SEQ_CST);
}

/* By the thread itself, outside translated code: waits out a request
 * still arming (another thread between its two steps). */
static void guard_disarm(struct tr_runtime *rt)
{
    if (!uses_guard(rt))
        return;
    for (;;) {
        uint16_t s = __atomic_load_n(&rt->guard_armed, __ATOMIC_SEQ_CST);
        if (s == GUARD_IDLE)
            return;
        if (s == GUARD_ARMED && guard_move(rt, GUARD_ARMED, GUARD_DISARMING)) {
            guard_protect(rt, PROT_READ);
            __atomic_store_n(&rt->guard_armed, GUARD_IDLE, __ATOMIC_SEQ_CST);
            return;
        }
        sched_yield();
    }
}

static void *take_free_env(void)
{
    pthread_mutex_lock(&free_lock);
    void *env = free_envs;
    if (env)
        memcpy(&free_envs, env, sizeof(void *));
    pthread_mutex_unlock(&free_lock);
    return env;
}

/* The env sits right below its guard page, page-aligned whatever the
 * page size (at most TR_ENV_GUARD_OFFSET below a page is not enough for
 * 16 and 64 KB pages: the mapping starts a whole number of pages lower). */
static void *map_env(void)
{
    size_t lead = (TR_ENV_GUARD_OFFSET + page_bytes - 1) / page_bytes * page_bytes;
    uint8_t *p = mmap(NULL, lead + page_bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p + lead - TR_ENV_GUARD_OFFSET;
}

void *tr_env_alloc(size_t size)
{
    if (!page_bytes)
        page_bytes = (size_t)sysconf(_SC_PAGESIZE);
    if (size > TR_ENV_GUARD_OFFSET) {
        fputs("ferry: CPU state larger than TR_ENV_GUARD_OFFSET\n", stderr);
        exit(1);
    }
    void *env = take_free_env();
    if (!env && !(env = map_env())) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    memset(env, 0, size);
    mprotect((char *)env + TR_ENV_GUARD_OFFSET, page_bytes, PROT_READ);
    return env;
}

void tr_env_free(void *env)
{
    if (!env)
        return;
    pthread_mutex_lock(&free_lock);
    memcpy(env, &free_envs, sizeof(void *));
    free_envs = env;
    pthread_mutex_unlock(&free_lock);
}

/* The pinned globals of e's guest (all in their registers at a block's
 * entry). */
static uint64_t pinned_globals(const struct tr_engine *e)
{
    int n = be_host.n_pinned < e->globals.count ? be_host.n_pinned : e->globals.count;
    uint64_t m = 0;
    for (int k = 0; k < n && k < 64; k++)
        if (be_host.pinned_regs[k] >= 0)
            m |= 1ull << k;
    return m;
}

/* ---- which test a thread's blocks make ------------------------------------ */

/* Guard faults less than QUICK_NS apart, STORM_CATCHES in a row, cost the
 * thread more than its guard loads save (a fault and two mprotects are
 * 50-150 us under this VM's shadow paging, some 5 us natively): it goes
 * over to blocks that test the flag.  Back after CALM_NS without a
 * request served.  Per thread: only the thread itself looks. */
#define QUICK_NS (20 * 1000000ull)
#define STORM_CATCHES 4
#define CALM_NS (1000 * 1000000ull)

static __thread uint64_t last_catch_ns, last_served_ns;
static __thread unsigned quick_catches;

static uint64_t now_ns(void)                /* async-signal-safe */
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void note_catch(void)
{
    uint64_t t = now_ns();
    quick_catches = t - last_catch_ns < QUICK_NS ? quick_catches + 1 : 0;
    last_catch_ns = t;
}

/* In the dispatcher, serving a request. */
static void request_mode_follow(struct tr_runtime *rt)
{
    if (!uses_guard(rt))
        return;
    bool flag = rt->tb_mode & TR_MODE_REQUEST_FLAG;
    if (!flag && quick_catches < STORM_CATCHES)
        return;
    uint64_t t = now_ns();
    if (!flag) {
        quick_catches = 0;
        tr_set_mode(rt, rt->tb_mode | TR_MODE_REQUEST_FLAG);
        __atomic_add_fetch(&rt->engine->stats.request_flag_switches, 1, __ATOMIC_RELAXED);
    } else if (t - last_served_ns > CALM_NS) {
        tr_set_mode(rt, rt->tb_mode & ~TR_MODE_REQUEST_FLAG);
    }
    last_served_ns = t;
}

/* run_block, after tr_thread_enter_code stored in_code: whether to leave
 * before the block, for a request made while the thread was outside
 * translated code, which armed no guard (guard_arm).  Blocks that test the
 * flag see it themselves, after running at least one block as before: a
 * stream of requests leaving at every entry would starve the thread, so
 * these leavings count as catches too. */
bool tr_exit_request_at_entry(struct tr_runtime *rt)
{
    if (!uses_guard(rt) || (rt->tb_mode & TR_MODE_REQUEST_FLAG) || !tr_exit_request_pending(rt))
        return false;
    note_catch();
    return true;
}

/* A block's guard load faulted: only that load, first in the block,
 * touches the guard, so nothing of the block has run and every global is
 * where a block entry has it.  Leaves for the dispatcher as the block's
 * request exit would; returns only when the fault is not one of these. */
void tr_guard_fault(struct tr_runtime *rt, const void *addr, const void *uc)
{
    if (!rt || !rt->in_code || !rt->unwind || !uses_guard(rt) ||
        (uintptr_t)addr - ((uintptr_t)rt + TR_ENV_GUARD_OFFSET) >= page_bytes)
        return;
    uintptr_t pc = be_ucontext_pc(uc);
    if (!be_guard_load_at || !be_guard_load_at(pc))
        return;                         /* a guest access that reached the page */
    struct tr_block *tb = tc_find_by_host_pc(rt->engine, pc);
    if (!tb)
        return;
    /* Unreadable with no arming on record: a late request's mprotect met
     * this env after its last thread freed it (tr_env_free keeps envs for
     * that).  Readable again here, as the dispatcher will not. */
    if (guard_move(rt, GUARD_IDLE, GUARD_DISARMING)) {
        guard_protect(rt, PROT_READ);
        __atomic_store_n(&rt->guard_armed, GUARD_IDLE, __ATOMIC_SEQ_CST);
    }
    note_catch();
    __atomic_add_fetch(&rt->engine->stats.guard_faults, 1, __ATOMIC_RELAXED);
    struct ra_fault_point entry = { .guest_pc = tb->guest_pc, .pinned = pinned_globals(rt->engine) };
    struct ra_fault_entry entries[64];
    /* A self-loop's guard at its loop entry (x64_vloop.c) has a point of
     * its own: the registers that carry xmm values around the loop. */
    uint32_t off = (uint32_t)(pc - (uintptr_t)tb->code);
    struct ra_fault_point at;
    bool own = fault_map_point(tb, off, &at, entries) && at.host_off == off;
    if (own)
        entry.first = at.first, entry.count = at.count;
    ra_fault_restore(rt, &entry, own ? entries : NULL, rt->engine->globals.v, be_ucontext_reg, uc);
    rt->pc = tb->guest_pc;
    if (be_ucontext_fp_flags)           /* the guest's FP flags: the interrupted ones */
        be_ucontext_fp_flags(uc);
    siglongjmp(*rt->unwind, TR_EXIT_REQUEST + 1);
}

/* ---- requests ------------------------------------------------------------ */

/* Async-signal-safe: two stores (and, at most, the guard's mprotect and,
 * for another thread in translated code, a kick: exit_kick.c). */
void tr_request_exit(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->exit_request, 1, __ATOMIC_SEQ_CST);
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    if (c && !is_miss_table(c))
        __atomic_store_n(&rt->jmp_cache, miss_table, __ATOMIC_SEQ_CST);
    guard_arm(rt);
    if (rt != tr_thread_self() && __atomic_load_n(&rt->in_code, __ATOMIC_SEQ_CST))
        tr_kick(rt);
}

/* The table probes read, or NULL while a request is pending. */
struct tr_jmp_entry *tr_jmp_cache_live(struct tr_runtime *rt)
{
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    return is_miss_table(c) ? NULL : c;
}

/* The thread's own table, whichever rt.jmp_cache holds (backend tests
 * give a plain table, never the miss one, and no rt.jmp_own). */
struct tr_jmp_entry *tr_jmp_cache_own(struct tr_runtime *rt)
{
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    return is_miss_table(c) ? rt->jmp_own : c;
}

bool tr_exit_request_pending(struct tr_runtime *rt)
{
    return __atomic_load_n(&rt->exit_request, __ATOMIC_SEQ_CST) || !tr_jmp_cache_live(rt);
}

/* The dispatcher serves the request: cleared before the caller looks, so
 * none set before is lost; one set after is seen by
 * tr_exit_request_at_entry or by the blocks' test.  One racing with this
 * leaves at worst the miss table without the flag: the next indirect exit
 * ends in a spurious (harmless) TR_STOP_INTERRUPT. */
void tr_exit_request_served(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->exit_request, 0, __ATOMIC_SEQ_CST);
    struct tr_jmp_entry *own = tr_jmp_cache_own(rt);
    if (own)
        __atomic_store_n(&rt->jmp_cache, own, __ATOMIC_SEQ_CST);
    guard_disarm(rt);
    request_mode_follow(rt);
}
