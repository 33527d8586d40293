/* codecache.c -- an engine's code cache: executable memory written only
 * through its alias (tc_views.c) that starts with the backend's entry trampoline, a pool of struct tr_block, and a hash table
 * guest pc -> block.  When either fills up everything is flushed; guest
 * code that changes drops only its own blocks (tc_pages.c).
 * Threads: lookups are lock-free (a block is complete before it is
 * published in the hash table with a release store, and a dropped one
 * keeps its link while readers may still walk past it); allocation,
 * insertion and removal happen under the translation lock; a flush runs
 * in an exclusive section (threads.c), when no other thread is in
 * translated code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#include "tr_internal.h"

/* Room kept free at the end of the cache for one IR insn's worth of code. */
#define TC_SLACK (64 * BE_MAX_INSN_BYTES)

/* 0 maps to entry 0 alone and 1 to entry 1 (tr_jmp_index), so every
 * entry but entry 0 is empty with 0 in its pc, entry 0 with 1: a table of
 * zeroed memory is empty once its entry 0 is written, and clearing one is
 * a memset.  (Filling 16,384 entries with a pc each at every thread's
 * start was +0.43 M host instructions a process: docs/status.md, x64spd.) */
uint64_t tc_jmp_empty(unsigned k)
{
    return k == 0;
}

/* Entry k of the vCPU's own table (and its dead field, translator.h)
 * becomes empty. */
static void jmp_empty(struct tr_jmp_entry *cache, unsigned k)
{
    uint64_t none = tc_jmp_empty(k);
    if (be_host.lazy_exit_stores)
        *tr_jmp_dead(cache, k) = none;
    *tr_jmp_at(cache, k) = (struct tr_jmp_entry){ .pc = none };
}

void tc_jmp_zeroed_ready(struct tr_jmp_entry *cache)
{
    jmp_empty(cache, 0);
}

void tc_clear_jmp_cache(struct tr_jmp_entry *cache)
{
    size_t bytes = (size_t)tr_jmp_table_len() * sizeof(*cache);
    memset(cache, 0, bytes);
    if (be_host.lazy_exit_stores && tr_jmp_stride() == 1)  /* (the dead fields' own table) */
        memset(cache + TR_JMP_DEAD_TABLES * tr_jmp_size(), 0, bytes);
    tc_jmp_zeroed_ready(cache);
}

/* The entry that may hold pc, if it does, becomes empty. */
void tc_forget_jmp(struct tr_jmp_entry *cache, uint64_t pc)
{
    unsigned k = tr_jmp_index(pc);
    if (tr_jmp_at(cache, k)->pc == pc)
        jmp_empty(cache, k);
}

static void clear_thread_jmp_cache(struct tr_runtime *rt, void *unused)
{
    if (tr_jmp_cache_own(rt))
        tc_clear_jmp_cache(tr_jmp_cache_own(rt));
}

static _Noreturn void tc_fatal(const char *what)
{
    fprintf(stderr, "ferry: code cache: %s\n", what);
    exit(1);
}

/* A guest page's blocks share one host page of the table (an entry per 8
 * bytes of guest code), picked by a hash of the guest page number: a
 * process that runs little code touches few of the table's 128 pages, each
 * a page fault at first touch (126 of them for /bin/true with a hash
 * spread over the whole table).  Within it the entries are permuted by the
 * same hash, so that the function entries of different guest pages (at the
 * same aligned offsets) do not all meet in the same entries. */
#define TC_HASH_PAGE_BITS 9             /* 4 KiB of 8-byte entries */

static unsigned hash_pc_bits(uint64_t pc, unsigned bits)
{
    uint64_t h = (pc >> TC_PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;
    unsigned where = (unsigned)(h >> (64 - (bits - TC_HASH_PAGE_BITS)));
    unsigned within = (unsigned)((pc >> 3) ^ (h >> 32)) & ((1u << TC_HASH_PAGE_BITS) - 1);
    return where << TC_HASH_PAGE_BITS | within;
}

/* The bucket of pc in the table in use.  The first table (512 KB, in the
 * engine's populated memory) serves a process's first 65,536 blocks;
 * past that its chains get long (cc1 -O2 keeps 200,000 blocks: lookups
 * were 7 % of a warm run), and a table four times larger (lazily faulted
 * in) takes over: tc_insert, grow_hash.  (Until session 20 at 131,072:
 * a warm cc1 restores 158,000 blocks, and each restored block looks up
 * both its successors, most of them absent, walking a chain of two.) */
static struct tr_block **bucket(struct tr_code_cache *tc, uint64_t pc)
{
    struct tr_block **big = __atomic_load_n(&tc->big_hash, __ATOMIC_ACQUIRE);
    return big ? &big[hash_pc_bits(pc, TC_BIG_HASH_BITS)] : &tc->hash[hash_pc_bits(pc, TC_HASH_BITS)];
}

/* The filter of present pcs: most lookups are for pcs with no block (a
 * block restored from the persistent cache looks up both its successors,
 * the dispatcher looks up a pc before translating it: warm cc1 -O2, 80 %
 * of 456,000 lookups), and each read a bucket of a 512 KiB-2 MiB table
 * and walked its chain, a cache miss or two; the filter is 64 KiB (it
 * lives in the translator's tables region, tr_tables.c, whose 2 MiB it
 * nearly fills).  Which bit stands for pc: any pc may share it (blocks of
 * different modes at one pc always do); a guest page's pcs map to one
 * 512-byte stretch, so a block and its near successors share a cache
 * line of it, permuted by a hash of the page like hash_pc_bits. */
static unsigned present_bit(uint64_t pc)
{
    uint64_t h = (pc >> TC_PAGE_SHIFT) * 0x9e3779b97f4a7c15ull;
    unsigned where = (unsigned)(h >> (64 - (TC_PRESENT_BITS - TC_PAGE_SHIFT)));
    unsigned within = (unsigned)(pc ^ (h >> 32)) & ((1u << TC_PAGE_SHIFT) - 1);
    return where << TC_PAGE_SHIFT | within;
}

static bool present_maybe(const struct tr_code_cache *tc, uint64_t pc)
{
    unsigned bit = present_bit(pc);
    return __atomic_load_n(&tc->present[bit / 64], __ATOMIC_RELAXED) >> (bit % 64) & 1;
}

/* Set before the block is published, cleared only by a flush (tc_remove
 * leaves it: a stale bit costs one bucket walk).  A lock-free reader may
 * see the bit late and miss a block being inserted, as it may miss it in
 * the bucket: a miss only sends it the slow way (find_block looks again
 * under the translation lock, where the filter holds every inserted pc).
 * Writers hold that lock, so a plain read-modify-write suffices. */
static void present_set(struct tr_code_cache *tc, uint64_t pc)
{
    unsigned bit = present_bit(pc);
    uint64_t w = tc->present[bit / 64] | (uint64_t)1 << (bit % 64);
    __atomic_store_n(&tc->present[bit / 64], w, __ATOMIC_RELAXED);
}

static void emit_prologue(struct tr_code_cache *tc, const struct ir_globals *globals)
{
    struct be_code c = { .start = tc->base, .ptr = tc->base, .end = tc->end - TC_SLACK,
                         .rw_delta = tc->rw_delta };
    c.jump_site[0] = c.jump_site[1] = UINT32_MAX;
    tc->enter = (uint64_t (*)(void *, const uint8_t *))be_emit_prologue(&c, globals);
    tc->epilogue = c.epilogue;
    tc->ras_miss = c.ras_miss;
    tc->code_start = (uint8_t *)(((uintptr_t)c.ptr + 63) & ~(uintptr_t)63);
}

/* The pool of blocks: zero pages, touched as blocks are allocated (120
 * bytes each: python3 -c pass uses 4.6 MB of it).  Each first touch of a
 * page is a fault, and on this kind of machine a fault costs 10-80 us;
 * so the pool is populated 256 KiB ahead of use, one system call per 2,184
 * blocks (huge pages, advised in session 8, took one fault per 2 MiB but
 * rounded the pool's memory up to the next 2 MiB).  Since session 12 the
 * pool is 2 MiB-aligned and advised huge (tr_pool_map): under shadow
 * paging even a populated 4 KiB page costs 20-40 us at its first touch.
 * Blocks never move: their addresses are immediates in the code (AArch64
 * encodes a round one shorter). */
#define POOL_STEP ((size_t)256 << 10)

static void pool_ready_for(struct tr_code_cache *tc, size_t n_blocks)
{
    uintptr_t page = 4096, need = (uintptr_t)(tc->blocks + n_blocks);
    uintptr_t end = (uintptr_t)(tc->blocks + tc->max_blocks) & ~(page - 1);
    if (need <= tc->pool_ready)
        return;
    uintptr_t from = tc->pool_ready ? tc->pool_ready : (uintptr_t)tc->blocks & ~(page - 1);
    uintptr_t to = ((need + POOL_STEP - 1) & ~(POOL_STEP - 1)) < end ? (need + POOL_STEP - 1) & ~(POOL_STEP - 1) : end;
    if (to > from)
        madvise((void *)from, to - from, MADV_POPULATE_WRITE);     /* fine if refused */
    tc->pool_ready = need > to ? need : to;
}

void tc_init(struct tr_engine *e, size_t size)
{
    struct tr_code_cache *tc = &e->tc;
    if (!size)
        size = 64u << 20;
    if (size < 4 * TC_SLACK)
        size = 4 * TC_SLACK;
    tc->replace_fd = e->cfg.replace_fd;
    tc_views_map(tc, size, e->cfg.keep_fd);
    /* Other threads of user mode register through tr_threads_expect
     * before they start; a system's vCPUs are not announced. */
    tc->patch_by_write = e->cfg.mem->mode == TR_MEM_HOST;
    emit_prologue(tc, &e->globals);
    tc->max_blocks = size / 128;
    tc->blocks = tr_pool_beside_tables(tc->max_blocks * sizeof(*tc->blocks));
    if (!tc->blocks)
        tc->blocks = tr_pool_map(tc->max_blocks * sizeof(*tc->blocks));
    if (!tc->blocks)
        tc_fatal("out of memory");
    tc->ptr = tc->code_start;
}

uint64_t tc_blocks_executed(struct tr_engine *e)
{
    struct tr_code_cache *tc = &e->tc;
    uint64_t n = tc->executed_before_flush;
    for (size_t k = 0; k < tc->n_blocks; k++)
        n += tc->blocks[k].exec_count;
    return n;
}

void tc_flush(struct tr_engine *e)
{
    struct tr_code_cache *tc = &e->tc;
    tr_exclusive_start(e);
    tc->executed_before_flush = tc_blocks_executed(e);
    for (size_t k = 0; k < tc->n_blocks; k++) {
        free(tc->blocks[k].smc);
        fault_map_free(tc->blocks[k].fault_map);
    }
    tc->n_blocks = tc->n_published = 0;
    tc_code_rewritten(tc, tc->code_start, (size_t)(tc->ptr - tc->code_start));
    tc->n_patched = tc->stale_exits = 0;        /* (all mapped again) */
    tc->ptr = tc->code_start;
    tc_views_rewind(tc);
    memset(tc->hash, 0, sizeof(tc->hash));
    memset(tc->present, 0, sizeof(tc->present));
    if (tc->big_hash)                   /* (no reader: an exclusive section) */
        memset(tc->big_hash, 0, sizeof(*tc->big_hash) << TC_BIG_HASH_BITS);
    tc_pages_reset(e);
    tr_thread_each(e, clear_thread_jmp_cache, NULL);
    __atomic_add_fetch(&tc->generation, 1, __ATOMIC_SEQ_CST);
    e->stats.cache_flushes++;
    tr_exclusive_end(e);
}

/* Blocks are allocated in code order, so a binary search finds the one
 * holding a host pc.  Only among the published ones: a fault handler runs
 * this while another vCPU translates, and the block it is filling in (its
 * code still NULL, or after a flush a dropped block's) would send the
 * search past the block that holds pc. */
struct tr_block *tc_find_by_host_pc(struct tr_engine *e, uintptr_t pc)
{
    struct tr_code_cache *tc = &e->tc;
    size_t lo = 0, hi = __atomic_load_n(&tc->n_published, __ATOMIC_ACQUIRE);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        struct tr_block *tb = &tc->blocks[mid];
        if (pc < (uintptr_t)tb->code)
            hi = mid;
        else if (pc >= (uintptr_t)tb->code + tb->code_size)
            lo = mid + 1;
        else
            return tb;
    }
    return NULL;
}

uint64_t tc_generation(struct tr_engine *e)
{
    return __atomic_load_n(&e->tc.generation, __ATOMIC_SEQ_CST);
}

/* The block for pc in mode whose code is the code at pc now: under a
 * software MMU that says where code lives (guest_mem.h code_phys), the one
 * translated from the physical bytes pc maps to (and its second page's),
 * so that every address space mapping the same code shares its blocks and
 * blocks of another mapping at the same pc stay for when it comes back. */
struct tr_block *tc_lookup(struct tr_engine *e, uint64_t pc, uint32_t mode)
{
    if (!present_maybe(&e->tc, pc))     /* (most lookups: see tc_insert) */
        return NULL;
    struct tr_block *tb = __atomic_load_n(bucket(&e->tc, pc), __ATOMIC_ACQUIRE);
    for (; tb; tb = tb->hash_next)
        if (tb->guest_pc == pc && tb->mode == mode && smc_same_place(e->cfg.mem, tb))
            return tb;
    return NULL;
}

/* Starts loading pc's bucket for a tc_lookup soon after: a block restored
 * from the persistent cache looks up both its successors when it is
 * registered (chain_ahead), two thirds of them in buckets nobody read
 * lately (python3 -c pass: 100,000 lookups, 7 % of its time, nearly all
 * waiting for the bucket); the restore's copy and relocation run
 * meanwhile. */
void tc_lookup_prefetch(struct tr_engine *e, uint64_t pc)
{
    __builtin_prefetch(&e->tc.present[present_bit(pc) / 64]);
    __builtin_prefetch(bucket(&e->tc, pc));
}

/* The jump cache and return-address stack hold blocks of the old mode:
 * this vCPU's are emptied (no other thread reads them). */
void tr_set_mode(void *env, uint32_t mode)
{
    struct tr_runtime *rt = env;
    if (rt->tb_mode == mode)
        return;
    rt->tb_mode = mode;
    if (tr_jmp_cache_own(rt))
        tc_clear_jmp_cache(tr_jmp_cache_own(rt));
}

void tr_set_mode_keep_caches(void *env, uint32_t mode)
{
    ((struct tr_runtime *)env)->tb_mode = mode;
}

void tr_forget_addresses(void *env, uint64_t start, uint64_t len)
{
    struct tr_runtime *rt = env;
    struct tr_jmp_entry *cache = tr_jmp_cache_own(rt);
    if (!cache)
        return;
    if (len >= (uint64_t)tr_jmp_size() << TC_PAGE_SHIFT) {
        tc_clear_jmp_cache(cache);
        return;
    }
    for (unsigned k = 0, n = tr_jmp_size(); k < n; k++)
        if (tr_jmp_at(cache, k)->pc - start < len)
            jmp_empty(cache, k);
}

const void *tr_lookup_code(void *env, uint64_t pc)
{
    struct tr_jmp_entry *cache = tr_jmp_cache_live(env);
    if (!cache)                         /* a request: back to the dispatcher */
        return NULL;
    unsigned k = tr_jmp_index(pc);
    struct tr_jmp_entry *e = tr_jmp_at(cache, k);
    if (e->pc == pc)
        return e->code;
    struct tr_engine *eng = tr_engine_of(env);   /* none in backend tests */
    struct tr_block *tb;
    if (LOG_ON(LOG_EXEC) || !eng || !(tb = tc_lookup(eng, pc, ((struct tr_runtime *)env)->tb_mode)))
        return NULL;
    /* (only this vCPU reads and fills its table) */
    if (be_host.lazy_exit_stores)
        *tr_jmp_dead(cache, k) = tb->flags_dead_in ? pc : tc_jmp_empty(k);
    *e = (struct tr_jmp_entry){ .pc = pc, .code = tc_block_entry(tb) };
    return e->code;
}

struct tr_block *tc_alloc_block(struct tr_engine *e, uint64_t pc)
{
    struct tr_code_cache *tc = &e->tc;
    if (tc->n_blocks >= tc->max_blocks)
        return NULL;
    pool_ready_for(tc, tc->n_blocks + 1);
    struct tr_block *tb = &tc->blocks[tc->n_blocks++];
    *tb = (struct tr_block){ .guest_pc = pc };
    return tb;
}

void tc_free_last_block(struct tr_engine *e, struct tr_block *tb)
{
    struct tr_code_cache *tc = &e->tc;
    if (tc->n_blocks && tb == &tc->blocks[tc->n_blocks - 1]) {
        free(tb->smc);
        fault_map_free(tb->fault_map);
        tc->n_blocks--;
    }
}

/* Moves every block in the first table to the big one, then publishes
 * it.  A reader walking a chain meanwhile may step into another chain and
 * miss its block: a miss only sends it the slow way (tc_lookup under the
 * translation lock, which this holds).  Without memory for it the first
 * table stays.  The table (2 MiB, never freed) is a huge page where the
 * kernel has one: calloc'd, its 512 pages faulted in one by one as
 * inserts hashed all over it, 25 ms of a warm cc1 -O2 under shadow paging
 * (a writable 4 KiB page's first touch costs 15-35 us there). */
static void grow_hash(struct tr_code_cache *tc)
{
    struct tr_block **big = tr_pool_map(sizeof(*big) << TC_BIG_HASH_BITS);
    if (!big)
        return;
    for (unsigned k = 0; k < TC_HASH_SIZE; k++)
        for (struct tr_block *tb = tc->hash[k], *next; tb; tb = next) {
            next = tb->hash_next;
            struct tr_block **b = &big[hash_pc_bits(tb->guest_pc, TC_BIG_HASH_BITS)];
            tb->hash_next = *b;
            *b = tb;
        }
    __atomic_store_n(&tc->big_hash, big, __ATOMIC_RELEASE);
}

void tc_insert(struct tr_engine *e, struct tr_block *tb)
{
    struct tr_code_cache *tc = &e->tc;
    if (!tc->big_hash && tc->n_blocks > TC_HASH_SIZE)
        grow_hash(tc);
    struct tr_block **b = bucket(tc, tb->guest_pc);
    present_set(tc, tb->guest_pc);
    tb->hash_next = *b;
    __atomic_store_n(&tc->n_published, (size_t)(tb - tc->blocks) + 1, __ATOMIC_RELEASE);
    __atomic_store_n(b, tb, __ATOMIC_RELEASE);
}

/* Unlinks tb; a reader standing on it still finds the rest of the chain. */
void tc_remove(struct tr_engine *e, struct tr_block *tb)
{
    struct tr_block **p = bucket(&e->tc, tb->guest_pc);
    while (*p && *p != tb)
        p = &(*p)->hash_next;
    if (*p)
        __atomic_store_n(p, tb->hash_next, __ATOMIC_RELEASE);
}

void tc_code_buffer(struct tr_engine *e, struct be_code *c)
{
    struct tr_code_cache *tc = &e->tc;
    *c = (struct be_code){ .start = tc->ptr, .ptr = tc->ptr, .end = tc->end - TC_SLACK,
                           .rw_delta = tc->stage_from ? tc->stage_delta : tc->rw_delta,
                           .epilogue = tc->epilogue,
                           .mem = e->cfg.mem };
    c->jump_site[0] = c->jump_site[1] = UINT32_MAX;
}

/* Next block starts 16-byte aligned (branch targets fetch better). */
void tc_commit_code(struct tr_engine *e, const uint8_t *end)
{
    e->tc.ptr = (uint8_t *)(((uintptr_t)end + 15) & ~(uintptr_t)15);
    tc_views_written(&e->tc);
}

uint64_t tc_enter(struct tr_engine *e, void *env, const uint8_t *code)
{
    return e->tc.enter(env, code);
}
