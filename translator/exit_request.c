/* exit_request.c -- asking a thread to leave translated code, and the
 * thread noticing.  A request (another thread's exclusive section, a host
 * signal for the guest) sets rt.exit_request, which blocks with a
 * backward direct exit test at entry, and points rt.jmp_cache -- the table
 * the backends' inline jump-cache probes read -- at a table that never
 * matches, so every indirect exit takes the miss path and returns to the
 * dispatcher, which sees the request (tr_exit_request_pending).  Blocks
 * that loop only through indirect exits therefore need no test of their
 * own (translate.c), unless the return-address stack (--ras) lets rets
 * bypass the jump cache.  The thread's own table stays in rt.jmp_table;
 * everything that fills, clears or frees the jump cache uses that one. */
#include "tr_internal.h"

static struct tr_jmp_entry miss_table[TR_JMP_SIZE];

void tr_exit_request_init(void)
{
    tc_clear_jmp_cache(miss_table);     /* same values each time: idempotent */
}

/* Async-signal-safe: two stores. */
void tr_request_exit(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->exit_request, 1, __ATOMIC_SEQ_CST);
    if (rt->jmp_table)
        __atomic_store_n(&rt->jmp_cache, miss_table, __ATOMIC_SEQ_CST);
}

/* The table probes read, or NULL while a request is pending. */
struct tr_jmp_entry *tr_jmp_cache_live(struct tr_runtime *rt)
{
    struct tr_jmp_entry *c = __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST);
    return c == miss_table ? NULL : c;
}

/* The thread's own table (backend tests set only rt.jmp_cache). */
struct tr_jmp_entry *tr_jmp_cache_own(struct tr_runtime *rt)
{
    return rt->jmp_table ? rt->jmp_table : rt->jmp_cache;
}

bool tr_exit_request_pending(struct tr_runtime *rt)
{
    return __atomic_load_n(&rt->exit_request, __ATOMIC_SEQ_CST) || !tr_jmp_cache_live(rt);
}

/* The dispatcher serves the request: cleared before the caller looks, so
 * none is lost.  A request racing with this leaves at worst the miss
 * table without the flag: the next indirect exit ends in a spurious
 * (harmless) TR_STOP_INTERRUPT. */
void tr_exit_request_served(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->exit_request, 0, __ATOMIC_SEQ_CST);
    if (!rt->jmp_table)
        return;
    __atomic_store_n(&rt->jmp_cache, rt->jmp_table, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&rt->exit_request, __ATOMIC_SEQ_CST))
        __atomic_store_n(&rt->jmp_cache, miss_table, __ATOMIC_SEQ_CST);
}
