/* engine.c -- the engine object: creation, attaching vCPUs, asking them to
 * stop, invalidation, statistics. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tr_internal.h"
#include "translator.h"


/* The engine holds the block hash, which every process touches all over. */
static void *engine_table_alloc(size_t size)
{
    void *p = tr_table_alloc(size);
    if (!p) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

struct tr_engine *tr_engine_new(const struct tr_engine_config *cfg)
{
    tr_pool_room_fit(cfg->code_cache_size);     /* before the tables are mapped */
    struct tr_engine *e = engine_table_alloc(sizeof(*e));
    e->cfg = *cfg;
    if (!e->cfg.mem)
        e->cfg.mem = tr_mem_host();
    e->xl = engine_table_alloc(sizeof(*e->xl));     /* (its work: tr_xlate_work) */
    tr_threads_init(&e->thr);
    cfg->guest->declare_globals(&e->globals);
    tc_init(e, cfg->code_cache_size);
    fault_install();
    return e;
}

void tr_cpu_attach(struct tr_engine *e, void *env)
{
    struct tr_runtime *rt = env;
    rt->engine = e;
    rt->mem = e->cfg.mem;
    rt->jmp_cache = rt->jmp_own = tr_jmp_cache_alloc();
    tr_thread_register(e, rt);
}

void tr_cpu_detach(void *env)
{
    struct tr_runtime *rt = env;
    tr_thread_unregister(rt->engine, rt);
    tr_jmp_cache_free(rt->jmp_own);
    rt->jmp_cache = rt->jmp_own = NULL;
}

void *tr_current_env(void) { return tr_thread_self(); }

/* Async-signal-safe: one store the next block entry tests. */
void tr_interrupt(void *env)
{
    if (env)
        tr_request_exit(env);
}

void tr_invalidate(struct tr_engine *e, uint64_t start, uint64_t len)
{
    tr_lock(e);
    tc_invalidate(e, start, len);
    tcache_forget(e, start, len);
    tr_unlock(e);
}

/* The code at pc is no longer what was translated (dispatch.c). */
void tr_invalidate_code(struct tr_engine *e, uint64_t pc)
{
    tr_lock(e);
    tc_invalidate_code(e, pc);
    tcache_forget(e, pc, 1);
    tr_unlock(e);
}

void tr_invalidate_fetch(struct tr_engine *e, uint64_t va)
{
    tr_lock(e);
    tc_invalidate_fetch(e, va);
    tcache_forget(e, va, 1);
    tr_unlock(e);
}

/* The view first, so that a translation racing with this one either sees
 * the new mappings or is dropped after it. */
void tr_map_changed(struct tr_engine *e, enum tr_map_change how, uint64_t start,
                    uint64_t len, int prot)
{
    e->cfg.mem->map_changed(e->cfg.mem, how, start, len, prot);
    tr_invalidate(e, start, len);
}

int tr_map_extent(struct tr_engine *e, uint64_t addr, uint64_t *end)
{
    return e->cfg.mem->extent(e->cfg.mem, addr, end);
}

uint64_t tr_map_gap_below(struct tr_engine *e, uint64_t floor, uint64_t top, uint64_t len)
{
    const struct tr_guest_mem *m = e->cfg.mem;
    return m->gap_below ? m->gap_below(m, floor, top, len) : 0;
}

int tr_prot_at(struct tr_engine *e, uint64_t addr)
{
    return e->cfg.mem->prot_at(e->cfg.mem, addr);
}

void tr_count_async_settle(void *env, unsigned steps)
{
    struct tr_engine *e = tr_engine_of(env);
    __atomic_add_fetch(&e->stats.async_settles, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&e->stats.async_steps, steps, __ATOMIC_RELAXED);
}

void tr_get_stats(struct tr_engine *e, struct tr_stats *out)
{
    *out = e->stats;
    out->blocks_executed = tc_blocks_executed(e);
    out->chains_written = e->tc.patches_written;
    out->code_bytes = (uint64_t)(e->tc.ptr - e->tc.base);
}

void tr_code_range(struct tr_engine *e, const void **start, const void **end)
{
    *start = e->tc.base;
    *end = e->tc.end;
}

bool tr_code_emulated(struct tr_engine *e)
{
    return e && e->tc.emulated;
}

bool tr_code_fd_drop(struct tr_engine *e, const int *slot)
{
    if (!e || !slot || (slot != e->tc.code_fd && slot != e->tc.remap_fd))
        return true;
    /* (an emulator would see every chain patch in one RWX mapping as
     * rewritten code: qemu-user ran fd_exec_full's execs past its time) */
    return !e->tc.emulated && tc_views_go_single(&e->tc);
}

void tr_print_stats(struct tr_engine *e, FILE *out)
{
    struct tr_stats s;
    tr_get_stats(e, &s);
    const struct { const char *name; uint64_t value; } rows[] = {
        { "blocks_translated", s.blocks_translated },
        { "guest_insns_translated", s.guest_insns_translated },
        { "dispatches", s.dispatches },
        { "blocks_executed", s.blocks_executed },
        { "chains_patched", s.chains_patched },
        { "chains_written", s.chains_written },
        { "code_bytes", s.code_bytes },
        { "cache_flushes", s.cache_flushes },
        { "invalidations", s.invalidations },
        { "blocks_invalidated", s.blocks_invalidated },
        { "guard_faults", s.guard_faults },
        { "request_flag_switches", s.request_flag_switches },
        { "async_settles", s.async_settles },
        { "async_steps", s.async_steps },
    };
    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
        fprintf(out, "ferry-stats: %s: %" PRIu64 "\n", rows[k].name, rows[k].value);
    if (e->tcache)
        fprintf(out, "ferry-stats: tcache_loaded: %" PRIu64 "\nferry-stats: tcache_hits: %" PRIu64
                "\nferry-stats: tcache_stale: %" PRIu64 "\nferry-stats: tcache_stored: %" PRIu64
                "\nferry-stats: tcache_ahead: %" PRIu64 "\n",
                s.tcache_loaded, s.tcache_hits, s.tcache_stale, s.tcache_stored, s.tcache_ahead);
    /* What translation costs: the number the persistent cache and cheaper
     * passes push down. */
    fprintf(out, "ferry-stats: translate_ms: %.1f\n", (double)s.translate_ns / 1e6);
    fprintf(out, "ferry-stats: translate_us_per_insn: %.2f\n",
            s.guest_insns_translated ? (double)s.translate_ns / 1e3 / (double)s.guest_insns_translated : 0.0);
}
