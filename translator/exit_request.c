/* exit_request.c -- asking a thread to leave translated code, and the
 * thread noticing.  A request (another thread's exclusive section, a host
 * signal for the guest) sets rt.exit_request, which blocks with a
 * backward direct exit test at entry, and points rt.jmp_cache -- the table
 * the backends' inline jump-cache probes read -- at a table that never
 * matches, so every indirect exit takes the miss path and returns to the
 * dispatcher, which sees the request (tr_exit_request_pending).  Blocks
 * that loop only through indirect exits therefore need no test of their
 * own (translate.c), unless the return-address stack (--ras) lets rets
 * bypass the jump cache.
 *
 * Each vCPU's jump cache is two tables in one allocation: its own, then
 * the never-matching one, whose entry 0 holds a non-canonical marker pc
 * (no block has it).  rt.jmp_cache only ever holds one of the two, so a
 * request and the thread serving it need no lock and no extra field:
 * whichever it holds tells the other. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "tr_internal.h"

#define MISS_MARK 0x8000000000000001ull

#define JMP_CACHE_BYTES (2 * TR_JMP_SIZE * sizeof(struct tr_jmp_entry))

/* Both halves are written whole at allocation: the first vCPU's (a
 * process's main thread) lives in the translator's tables, a huge page
 * already touched, and is reused by the next vCPU once it is free; the
 * others are mapped populated (one system call instead of 32 page
 * faults, 30-40 us each under shadow paging). */
static struct tr_jmp_entry *in_tables;
static bool in_tables_taken;

static struct tr_jmp_entry *jmp_cache_memory(void)
{
    if (!__atomic_exchange_n(&in_tables_taken, true, __ATOMIC_ACQ_REL)) {
        if (!in_tables)
            in_tables = tr_table_carve(JMP_CACHE_BYTES);
        if (in_tables)
            return in_tables;
    }
    struct tr_jmp_entry *own = mmap(NULL, JMP_CACHE_BYTES, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return own == MAP_FAILED ? NULL : own;
}

/* Entry k of the never-matching half holds pc k^1 with bit 63 set: that
 * pc maps to entry k^1, so it never matches either. */
struct tr_jmp_entry *tr_jmp_cache_alloc(void)
{
    struct tr_jmp_entry *own = jmp_cache_memory();
    if (!own) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    tc_clear_jmp_cache(own);
    for (unsigned k = 0; k < TR_JMP_SIZE; k++)
        own[TR_JMP_SIZE + k] = (struct tr_jmp_entry){ .pc = (k ^ 1u) | MISS_MARK };
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

/* Async-signal-safe: two stores. */
void tr_request_exit(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->exit_request, 1, __ATOMIC_SEQ_CST);
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    if (c && !is_miss_table(c))
        __atomic_store_n(&rt->jmp_cache, c + TR_JMP_SIZE, __ATOMIC_SEQ_CST);
}

/* The table probes read, or NULL while a request is pending. */
struct tr_jmp_entry *tr_jmp_cache_live(struct tr_runtime *rt)
{
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    return is_miss_table(c) ? NULL : c;
}

/* The thread's own table, whichever rt.jmp_cache holds (backend tests
 * give a plain table: never the miss one). */
struct tr_jmp_entry *tr_jmp_cache_own(struct tr_runtime *rt)
{
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    return is_miss_table(c) ? c - TR_JMP_SIZE : c;
}

bool tr_exit_request_pending(struct tr_runtime *rt)
{
    return __atomic_load_n(&rt->exit_request, __ATOMIC_SEQ_CST) || !tr_jmp_cache_live(rt);
}

/* The dispatcher serves the request: cleared before the caller looks, so
 * none set before is lost.  One racing with this leaves at worst the miss
 * table without the flag: the next indirect exit ends in a spurious
 * (harmless) TR_STOP_INTERRUPT. */
void tr_exit_request_served(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->exit_request, 0, __ATOMIC_SEQ_CST);
    struct tr_jmp_entry *own = tr_jmp_cache_own(rt);
    if (!own)
        return;
    __atomic_store_n(&rt->jmp_cache, own, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&rt->exit_request, __ATOMIC_SEQ_CST))
        __atomic_store_n(&rt->jmp_cache, own + TR_JMP_SIZE, __ATOMIC_SEQ_CST);
}
