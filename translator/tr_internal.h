/* tr_internal.h -- what the engine's own files share: the engine object,
 * the code cache (codecache.c) and what is translated from which guest
 * page (tc_pages.c), block translation (translate.c), the run loop
 * (dispatch.c), vCPU registry and locks (threads.c), host faults
 * (fault.c) and self-modifying code (smc.c).  Not for other parts. */
#ifndef FERRY_TR_INTERNAL_H
#define FERRY_TR_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "frontend.h"
#include "options.h"
#include "regalloc.h"
#include "translator.h"

struct tr_block;
/* The mode of the block chain slot `slot` of tb leads to: tb's own, with
 * the facts that exit proves (a variant, ir_check_accesses). */
static inline uint32_t tr_successor_mode(const struct tr_block *tb, int slot);

struct tr_block {
    uint64_t guest_pc;
    uint32_t guest_size;
    uint32_t code_size;
    uint32_t mode;              /* the tr_runtime.tb_mode it was translated for,
                                   with a variant's entry facts (ir.h
                                   TR_MODE_FACTS_SHIFT) */
    uint32_t exit_facts[2];     /* per chain slot: the facts its successor's
                                   variant may assume (ir_check_accesses) */
    bool invalid;               /* dropped: unreachable; code and entry stay
                                   until the next flush */
    bool flags_dead_in;         /* ir_block.flags_dead_in: a jump-cache fill
                                   puts its pc in the entry's dead field */
    uint8_t entry_off;          /* be_code.entry_off: where every entry but a
                                   backward chain comes in (tc_block_entry) */
    bool untested;              /* no exit-request test where every block has
                                   one (translate.c): no backward chain into it */
    uint8_t *code;
    uint32_t jump_site[2];      /* see be_code.jump_site */
    uint32_t stub[2];           /* see be_code.stub */
    struct tr_block *hash_next;
    uint64_t exec_count;        /* incremented by the block itself under --stats */
    struct tr_smc *smc;         /* for blocks on writable pages only (smc.c) */
    void *fault_map;            /* guest state at each memory access (fault_map.c) */
    /* Chained jumps (tc_pages.c), so that dropping a block can unchain
     * the jumps into it: where slot n's jump leads (NULL: its stub), the
     * next jump in the list of chain_to[n] and the first jump into this
     * block, each as (block address | slot). */
    struct tr_block *chain_to[2];
    uintptr_t chain_next[2];
    uintptr_t chained_from;
};

/* Where the dispatcher, a jump-cache fill and a forward chain enter tb:
 * past a test for an exit request that only backward chains need. */
static inline const uint8_t *tc_block_entry(const struct tr_block *tb)
{
    return tb->code + tb->entry_off;
}

/* Where from's chain to `to` enters: a backward one (to's pc not above
 * from's, an exit translate.c's may_loop counts) at to's start, through
 * its test; a forward one as any other entry. */
static inline const uint8_t *tc_chain_entry(const struct tr_block *from, const struct tr_block *to)
{
    return to->guest_pc <= from->guest_pc ? to->code : tc_block_entry(to);
}

/* " v<facts>" for a variant (-d exec, out_asm), else "" (dispatch.c). */
const char *variant_name(const struct tr_block *tb);

static inline uint32_t tr_successor_mode(const struct tr_block *tb, int slot)
{
    return TR_MODE_BASE(tb->mode) | (uint32_t)tb->exit_facts[slot] << TR_MODE_FACTS_SHIFT;
}

/* What the self-modifying-code check of a block on a writable page keeps
 * (smc.c): most blocks have none, so it is not in struct tr_block, which
 * every block has (120 bytes: cc1 -O2 keeps 157,000 of them). */
struct tr_smc {
    uint64_t code_ver[2];       /* versions of the first and last guest page
                                   when the bytes last compared equal */
    uint64_t ok[4];             /* code epochs it was checked in, by epoch & 3 */
    bool inline_entry;          /* its entry check is inline (smc_entry_ok) */
    bool entry_checked;         /* it has an entry check (none: no room) */
    uint64_t phys[2];           /* guest_mem.h code_phys of its first byte and,
                                   when it crosses a page, of its last page
                                   (0: one page): what finds it (codecache.c) */
    uint8_t bytes[];            /* guest bytes as translated */
};

#define TC_HASH_BITS 16
#define TC_HASH_SIZE (1u << TC_HASH_BITS)
#define TC_BIG_HASH_BITS 18
#define TC_PRESENT_BITS 19              /* the filter of pcs that have blocks (codecache.c) */
#define TC_PAGE_SHIFT 12                /* guest pages: 4 KiB */
#define TC_PAGE_BUCKETS 4096
struct tc_page;                         /* tc_pages.c */
#define TC_PATCHED_MAX 512
#define TC_DEFERRED_MAX 256

/* The code cache: executable memory (written through an alias,
 * tc_views.c) that starts with the backend's entry trampoline, a pool of
 * blocks in code order, and a hash table by pc. */
struct tr_code_cache {
    uint8_t *base, *code_start, *ptr, *end;     /* where the code runs */
    intptr_t rw_delta;                  /* its writable alias - base (0: one RWX view) */
    const int *code_fd;                 /* the pages' memfd, kept (NULL: closed) */
    bool emulated;                      /* fetch does not see the alias (qemu-user) */
    bool (*replace_fd)(const int *slot, int fd);        /* cfg.replace_fd */
    bool patch_by_write;                /* chain patches may be written with pwrite:
                                           user mode, one thread only; cleared
                                           for good when another vCPU starts
                                           (tr_threads_expect, tc_views_patch_jump) */
    uint64_t patches_written;           /* chain patches made with pwrite */
    const int *remap_fd;                /* where the pages' memfd is kept when
                                           rewritten code must be mapped again */
    int fork_fd;                        /* the code as of a fork in progress (-1) */
    size_t trim_next;                   /* the alias is trimmed when this much is used */
    size_t trimmed, rw_ready;           /* alias pages below: unmapped; mapped (tc_views.c) */
    size_t repopulated;                 /* alias bytes mapped again below trimmed since the trim */
    uint8_t *remapped;                  /* bitmap of those pages (NULL: not kept) */
    uint8_t *stage_from;                /* restoring ahead (tc_views_stage_begin): code from
                                           here on is written at + stage_delta; NULL: not */
    uint8_t *stage_end;                 /* ... up to here */
    intptr_t stage_delta;
    uint8_t *kernel_written;            /* bitmap of pages the kernel wrote (a staged
                                           batch's pwrite): patched by pwrite too */
    uint8_t *stage_buf;                 /* the staging buffer (also for deferred patches) */
    size_t stage_cap;
    struct tr_block *deferred[TC_DEFERRED_MAX];  /* chains into kernel-written code, */
    uint8_t deferred_slot[TC_DEFERRED_MAX];      /* not written yet (tc_views_defer) */
    unsigned n_deferred, deferred_stale;
    uint32_t patched[TC_PATCHED_MAX];   /* pages chain-patched, not yet mapped again */
    unsigned n_patched, stale_exits;    /* (only with remap_fd: under an emulator) */
    uint64_t (*enter)(void *env, const uint8_t *code);
    const uint8_t *epilogue;
    const uint8_t *ras_miss;            /* code of an empty return-address-stack entry */
    struct tr_block *blocks;
    size_t n_blocks, max_blocks;
    /* Blocks below this are complete and registered (release-stored): the
     * ones a host pc is looked up in while another thread translates. */
    size_t n_published;
    uintptr_t pool_ready;               /* blocks below this address are populated */
    struct tr_block *hash[TC_HASH_SIZE];
    struct tr_block **big_hash;         /* replaces hash once the blocks outgrow
                                           it (TC_BIG_HASH_BITS; codecache.c) */
    /* A bit per hash of a pc, set when a block for a pc with that hash is
     * inserted, cleared only by a flush: a clear bit says no block is
     * there without reading the hash table (codecache.c tc_lookup). */
    uint64_t present[(1u << TC_PRESENT_BITS) / 64];
    uint64_t generation;                /* changes at every flush and invalidation */
    uint64_t executed_before_flush;
    /* guest page -> the blocks translated from it (tc_pages.c) */
    struct tc_page *pages[TC_PAGE_BUCKETS];
    /* A bit per bucket of pages, set when a page goes in, cleared when a
     * walk of every bucket finds it empty (tc_pages.c each_page). */
    uint64_t page_buckets_used[TC_PAGE_BUCKETS / 64];
    struct tc_page *last_page;          /* the page page_get gave last (NULL: none) */
    struct tc_page *page_pool;          /* page entries free for reuse, linked by next */
    size_t n_pages;
};

/* The vCPUs running on the engine and the two kinds of mutual exclusion
 * (threads.c). */
struct tr_threads {
    pthread_mutex_t lock;               /* registry, exclusive sections */
    pthread_cond_t cond;
    pthread_mutex_t translate_lock;     /* translation, chaining, flushing */
    struct tr_runtime *list;            /* linked through rt->next_thread */
    int exclusive;                      /* an exclusive section is pending or running */
};

/* The guest-memory interface as the frontend sees it during one
 * translation: the engine's, noting every page the frontend asks about
 * (its block, the successors it peeks at, pages it could not fetch), so
 * the block is dropped when any of them changes (tc_pages.c). */
struct tc_fetch_log {
    struct tr_guest_mem mem;            /* first: what the frontend gets */
    const struct tr_guest_mem *real;
    uint64_t *pages;                    /* guest page numbers, no repeats */
    size_t n, cap;
    uint64_t known_lo, known_hi;        /* pages already answered fetchable
                                           (and logged) in this translation */
};

/* What translating a block needs beyond struct tr_xlate's handoff: the
 * IR, the register allocator's state and its fault record (730 KB in
 * all), made at the engine's first translation (translate.c
 * xlate_work_ready), not with the engine.  A warm process restores its blocks
 * from the persistent cache and may translate none, and these tables
 * pushed its jump cache past the translator's tables' huge page into a
 * second one (tr_tables.c): a 2 MiB clear, ~0.3 ms of a warm /bin/true. */
struct tr_xlate_work {
    struct ir_block ir;
    struct ra_state *ra;
    struct ra_fault_map faults;
};

/* Scratch of the translation in progress, and what a block made or
 * restored hands on (under translate_lock). */
struct tr_xlate {
    struct tr_xlate_work *work;         /* NULL until the first translation */
    struct tc_fetch_log fetch;
    struct be_relocs relocs;            /* of a block for the persistent cache */
    uint64_t exit_pc[2];                /* the last block's chain slots' guest pcs
                                           (0: unknown, or do not chain ahead) */
};

struct tr_engine {
    struct tr_engine_config cfg;
    struct ir_globals globals;
    struct tr_code_cache tc;
    struct tr_threads thr;
    struct tr_xlate *xl;
    struct tr_stats stats;
    struct tcache *tcache;              /* tcache.c; NULL: off */
};

/* threads.c */
void tr_lock(struct tr_engine *e);
void tr_unlock(struct tr_engine *e);
void tr_threads_init(struct tr_threads *t);
struct tr_runtime *tr_thread_self(void);
void tr_thread_register(struct tr_engine *e, struct tr_runtime *rt);
void tr_thread_unregister(struct tr_engine *e, struct tr_runtime *rt);
void tr_thread_each(struct tr_engine *e, void (*fn)(struct tr_runtime *rt, void *arg), void *arg);
bool tr_thread_enter_code(struct tr_engine *e, struct tr_runtime *rt, uint64_t gen);
void tr_thread_leave_code(struct tr_engine *e, struct tr_runtime *rt);
void tr_exclusive_start(struct tr_engine *e);
void tr_exclusive_end(struct tr_engine *e);

/* tc_views.c: the executable view and its writable alias */
void tc_views_map(struct tr_code_cache *tc, size_t size, const int *(*keep_fd)(int fd));
void tc_code_rewritten(struct tr_code_cache *tc, const uint8_t *code, size_t len);
void tc_views_written(struct tr_code_cache *tc);    /* after code up to tc->ptr */
void tc_views_rewind(struct tr_code_cache *tc);     /* tc->ptr went back (a flush) */
/* Restoring ahead (tcache.c): blocks placed from tc->ptr on are written
 * into buf (cap bytes from ptr's page) instead of the alias, chained there,
 * and written into the code's memfd with one pwrite by stage_end; false
 * (nothing staged) unless the memfd is kept, the alias exists and one
 * thread runs code (tc.patch_by_write). */
bool tc_views_stage_begin(struct tr_code_cache *tc, uint8_t *buf, size_t cap);
void tc_views_stage_end(struct tr_code_cache *tc);
/* A chain of from's slot (tc_chain set chain_to) into kernel-written code,
 * left to be written with others (tc_views_write_deferred); false: write it
 * now. */
bool tc_views_defer(struct tr_code_cache *tc, struct tr_block *from, int slot);
void tc_views_write_deferred(struct tr_code_cache *tc);
void tc_views_will_patch(struct tr_code_cache *tc, const uint8_t *code, size_t len);
/* Re-points the jump at site, in a block's code [code, code+len), at
 * target (be_patch_jump) with pwrite, when the alias no longer maps the
 * code; false: not done. */
bool tc_views_write_patch(struct tr_code_cache *tc, const uint8_t *code, size_t len, uint8_t *site,
                          const uint8_t *target);
/* The same, the cheapest way: with pwrite only while no other thread can
 * run the code meanwhile (tc.patch_by_write: a pwrite is not one atomic
 * store).  Inline: most patches are of new code, a store through the alias. */
/* Whether a patch into code is better made by pwrite: its page was written
 * by the kernel (a staged batch) and never stored to through the alias. */
bool tc_views_kernel_wrote(const struct tr_code_cache *tc, const uint8_t *code);
static inline void tc_views_patch_jump(struct tr_code_cache *tc, const uint8_t *code, size_t len,
                                       uint8_t *site, const uint8_t *target)
{
    if (tc->stage_from && code >= tc->stage_from) {    /* a block of the batch being staged */
        be_patch_jump(site, tc->stage_delta, target);
        return;
    }
    if (((size_t)(code - tc->base) < tc->trimmed || tc_views_kernel_wrote(tc, code)) &&
        __atomic_load_n(&tc->patch_by_write, __ATOMIC_RELAXED) &&
        tc_views_write_patch(tc, code, len, site, target))
        return;
    tc_views_will_patch(tc, code, len);
    be_patch_jump(site, tc->rw_delta, target);
}
/* A chain patch, made visible to an emulator later (tc_views_sync), when
 * enough exits went through stale code (tc_views_stale_exit). */
void tc_code_patched(struct tr_code_cache *tc, const uint8_t *code, size_t len);
void tc_views_stale_exit(struct tr_code_cache *tc);
void tc_views_sync(struct tr_code_cache *tc);
void tc_views_fork_prepare(struct tr_code_cache *tc);
void tc_views_fork_parent(struct tr_code_cache *tc);
void tc_views_fork_child(struct tr_code_cache *tc);
bool tc_views_go_single(struct tr_code_cache *tc);

/* codecache.c (tc_flush: translation lock held, outside translated code) */
void tc_init(struct tr_engine *e, size_t size);
/* Every entry of the vCPU's own table, and its dead field, empty. */
void tc_clear_jmp_cache(struct tr_jmp_entry *cache);
/* The same for a table (and dead fields) of zeroed memory: only entry 0
 * is written. */
void tc_jmp_zeroed_ready(struct tr_jmp_entry *cache);
void tc_forget_jmp(struct tr_jmp_entry *cache, uint64_t pc);
/* The pc an empty jump-cache entry k holds, one that maps to another
 * entry (tr_jmp_index) so that no probe ever matches it: 0, and 1 for
 * entry 0 (zeroed memory is empty but for entry 0). */
uint64_t tc_jmp_empty(unsigned k);

/* exit_request.c */
struct tr_jmp_entry *tr_jmp_cache_alloc(void);
void tr_jmp_cache_free(struct tr_jmp_entry *own);
void tr_request_exit(struct tr_runtime *rt);
struct tr_jmp_entry *tr_jmp_cache_live(struct tr_runtime *rt);
struct tr_jmp_entry *tr_jmp_cache_own(struct tr_runtime *rt);
bool tr_exit_request_pending(struct tr_runtime *rt);
void tr_exit_request_served(struct tr_runtime *rt);
/* exit_kick.c */
void tr_kick(struct tr_runtime *rt);
void tr_kick_note_thread(struct tr_runtime *rt);
bool tr_exit_request_at_entry(struct tr_runtime *rt);
void tr_guard_fault(struct tr_runtime *rt, const void *addr, const void *uc);
void tc_flush(struct tr_engine *e);
uint64_t tc_generation(struct tr_engine *e);
struct tr_block *tc_lookup(struct tr_engine *e, uint64_t pc, uint32_t mode);
void tc_lookup_prefetch(struct tr_engine *e, uint64_t pc);
struct tr_block *tc_alloc_block(struct tr_engine *e, uint64_t pc);   /* NULL when full */
void tc_free_last_block(struct tr_engine *e, struct tr_block *tb);   /* undo tc_alloc_block */
void tc_insert(struct tr_engine *e, struct tr_block *tb);
void tc_code_buffer(struct tr_engine *e, struct be_code *c);         /* room for the next block */
void tc_commit_code(struct tr_engine *e, const uint8_t *end);
uint64_t tc_enter(struct tr_engine *e, void *env, const uint8_t *code);
void tc_remove(struct tr_engine *e, struct tr_block *tb);            /* from the hash table */
uint64_t tc_blocks_executed(struct tr_engine *e);
struct tr_block *tc_find_by_host_pc(struct tr_engine *e, uintptr_t pc);

/* tc_pages.c (translation lock held): which blocks came from which guest
 * page, chained jumps, dropping the blocks of some pages. */
const struct tr_guest_mem *tc_fetch_log_start(struct tr_engine *e);
void tc_pages_add(struct tr_engine *e, struct tr_block *tb);       /* the pages logged */
void tc_fetch_log_set(struct tr_engine *e, const uint64_t *pages, size_t n);  /* as if fetched */
void tc_pages_reset(struct tr_engine *e);                          /* at a flush */
bool tc_chain(struct tr_engine *e, struct tr_block *from, int slot, struct tr_block *to);
void tc_invalidate(struct tr_engine *e, uint64_t start, uint64_t len);
void tc_invalidate_code(struct tr_engine *e, uint64_t pc);
void tc_invalidate_fetch(struct tr_engine *e, uint64_t va);
void tr_invalidate_code(struct tr_engine *e, uint64_t pc);     /* engine.c, locked */

/* fault.c: host faults on guest memory accesses in translated code;
 * fault_map.c: each block's record of them. */
void fault_install(void);
void fault_begin_block(struct tr_engine *e);
void fault_keep_map(struct tr_engine *e, struct tr_block *tb);
void fault_map_free(void *map);
/* The map as bytes for the persistent cache (out NULL: just the size),
 * and back (checked against tb->code_size; false: not usable); _adopt
 * takes a hash-checked record's stream unwalked (only out of memory fails). */
size_t fault_map_export(const struct tr_block *tb, void *out);
bool fault_map_import(struct tr_block *tb, const void *data, size_t size);
bool fault_map_adopt(struct tr_block *tb, const void *data, size_t size);
struct ra_fault_point;
struct ra_fault_entry;
/* The last access point at or before host offset off of tb's code. */
bool fault_map_point(const struct tr_block *tb, uint32_t off, struct ra_fault_point *p,
                     struct ra_fault_entry entries[64]);

/* tcache.c: the persistent translation cache (docs/translation-cache.md);
 * all of it does nothing while e->tcache is NULL (the default). */
bool tcache_cacheable(struct tr_engine *e, uint64_t pc, uint32_t guest_size);  /* after build_ir */
struct tr_block *tcache_restore(struct tr_engine *e, uint64_t pc, uint32_t mode);  /* NULL: translate */
/* Restoring ahead (tcache.c): begin (false: not done; else end must
 * follow), the next block of the batch (NULL: no more), end (the batch's
 * code written where it runs, after the batch was chained in the staging
 * copy). */
bool tcache_ahead_begin(struct tr_engine *e);
struct tr_block *tcache_restore_ahead(struct tr_engine *e);
void tcache_ahead_end(struct tr_engine *e);
void tcache_record(struct tr_engine *e, const struct tr_block *tb, const struct be_relocs *r,
                   uint32_t guest_insns);
void tcache_forget(struct tr_engine *e, uint64_t start, uint64_t len);
void tcache_fork_child(struct tr_engine *e);    /* the parent saves what it made */
void tcache_host_fault(void);    /* fault.c: no return while the cache file is read */

/* smc.c: self-modifying code on writable pages. */
void smc_guard_block(struct ir_block *b, struct tr_block *tb, const struct tr_guest_mem *m);
/* Before the dispatcher enters tb: false when its code changed (or it
 * must be made again), after the check of an inline entry test that
 * left for its own pc. */
bool smc_entry_ok(void *env, struct tr_block *tb);
void smc_guard_stores(struct ir_block *b, struct tr_block *tb, const struct tr_guest_mem *m);
void smc_keep_bytes(struct tr_engine *e, struct tr_block *tb, const uint8_t *decoded);
bool smc_same_place(const struct tr_guest_mem *m, const struct tr_block *tb);
bool smc_moved(const struct tr_guest_mem *m, const struct tr_block *tb);
bool smc_unplaced(const struct tr_guest_mem *m, const struct tr_block *tb);
bool smc_by_bytes(const struct tr_guest_mem *m);
bool smc_changed(const struct tr_guest_mem *m, const struct tr_block *tb);
void smc_prepare(struct tr_block *tb, uint32_t guest_size);
void *tr_map_aligned(size_t size);   /* tr_tables.c: aligned to size */
void *tr_pool_map(size_t size);      /* tr_tables.c: zeroed, huge pages where possible */
void *tr_pool_beside_tables(size_t size); /* tr_tables.c: the block pool, once */
void tr_pool_room_fit(size_t code_cache_size);  /* tr_tables.c: before the first engine */
void *tr_spare_claim(size_t size);   /* tr_tables.c: the data window's padding, once */
void tr_spare_release(void *p, size_t dirty);   /* ... given back, dirty bytes zeroed */
size_t tr_spare_size(void);         /* ... its size (0: absent) */
void *tr_table_carve(size_t size, size_t align);   /* tr_tables.c: from the tables' region, or NULL */
void *tr_table_carve_second(size_t size, size_t align);   /* ... its second region alone */

/* softmmu.c: guest accesses -> the software MMU's helpers (TR_MEM_SOFTMMU). */
void softmmu_lower(struct ir_block *b, const struct tr_softmmu_helpers *h);
const uint8_t *softmmu_keeps_flags(const struct tr_guest_mem *m, const uint8_t *keeps);
/* fault.c: for a call from translated code returning to host_pc (a
 * software MMU's slow path), writes the globals held in host registers
 * (reg(ctx, r) reads them) into env and gives the access's guest pc. */
bool fault_restore_at(void *env, uintptr_t host_pc, uint64_t (*reg)(const void *ctx, int r),
                      const void *ctx, uint64_t *guest_pc);

/* translate.c: translated (maybe flushing the cache first), never NULL. */
struct tr_block *tr_translate(struct tr_engine *e, uint64_t pc, uint32_t mode);

#endif
