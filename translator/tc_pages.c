/* tc_pages.c -- page-granular invalidation of the code cache.
 *
 * Every block is listed under each guest page its translation looked at
 * (its own code, the successors the frontend peeked at for flag liveness,
 * pages it could not fetch): the frontend fetches through a logging
 * wrapper of the guest-memory interface.  Chained jumps are recorded per
 * target block.  Invalidating [start, start+len) then finds the blocks of
 * those pages and, only if there are any, drops them in an exclusive
 * section (no other thread in translated code): out of the hash table,
 * out of every vCPU's jump cache, every chained jump into them re-pointed
 * at its stub.  Their code space and block entries stay until the next
 * full flush (which only a full cache causes).  A mapping change over
 * pages without code costs one look at this table.
 *
 * Everything here runs under the translation lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#include "tr_internal.h"

struct tc_page {
    uint64_t page;                      /* guest address >> TC_PAGE_SHIFT */
    struct tc_page *next;               /* in its hash bucket */
    struct tr_block **blocks;           /* may hold dropped ones (invalid) */
    uint32_t n, cap;
    uint64_t compacted_at;              /* blocks_invalidated when it last held no dropped block */
};

/* The lists below grow by doubling through realloc, and a warm python3
 * spread them over 750 KB of malloc's heap: 185 page faults, 30-40 us
 * each under shadow paging.  So the heap (the brk area grown since the
 * first list) is populated ahead of the lists, 256 KiB at a time, never
 * past the heap's end: one system call instead of up to 64 faults.
 * Memory malloc takes elsewhere (mmap'd chunks, other arenas) is left
 * alone.  Under the translation lock. */
#define HEAP_AHEAD ((uintptr_t)256 << 10)

static void heap_ahead(const void *p, size_t size)
{
    static uintptr_t heap_lo, heap_ready;
    uintptr_t page = 4096, end = (uintptr_t)p + size, top = (uintptr_t)sbrk(0);
    if (!heap_lo)
        heap_lo = heap_ready = (uintptr_t)p & ~(page - 1);
    if ((uintptr_t)p < heap_lo || end > top || end <= heap_ready)
        return;
    uintptr_t from = heap_ready > ((uintptr_t)p & ~(page - 1)) ? heap_ready : (uintptr_t)p & ~(page - 1);
    uintptr_t to = ((end + page - 1) & ~(page - 1)) + HEAP_AHEAD;
    to = to < top ? to : top & ~(page - 1);
    if (to > from)
        madvise((void *)from, to - from, MADV_POPULATE_WRITE);      /* fine if refused */
    heap_ready = to > end ? to : end;
}

static void *tc_realloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (!p) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    heap_ahead(p, size);
    return p;
}

/* ---- the fetch log ------------------------------------------------------ */

static void log_page(struct tc_fetch_log *l, uint64_t page)
{
    for (size_t k = 0; k < l->n; k++)
        if (l->pages[k] == page)
            return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->pages = tc_realloc(l->pages, l->cap * sizeof(*l->pages));
    }
    l->pages[l->n++] = page;
}

/* Remembers that the pages of [pc, pc+got) are fetchable (and logged):
 * fetchability is per page, and the frontend asks about the same pages
 * again and again (each instruction, each successor scan).  The answer
 * also promises host-contiguous bytes (a software MMU's pages are not):
 * two answers are joined only when they share a page, or when guest
 * addresses are host addresses. */
static void note_fetchable(struct tc_fetch_log *l, uint64_t pc, size_t got)
{
    uint64_t page = (1ull << TC_PAGE_SHIFT) - 1;
    uint64_t lo = pc & ~page, hi = (pc + got + page) & ~page;
    bool flat = l->real->mode == TR_MEM_HOST;
    if (!got || hi < lo)
        return;
    if (flat ? lo <= l->known_hi && l->known_lo <= hi : lo < l->known_hi && l->known_lo < hi) {
        l->known_lo = lo < l->known_lo ? lo : l->known_lo;
        l->known_hi = hi > l->known_hi ? hi : l->known_hi;
    } else {
        l->known_lo = lo;
        l->known_hi = hi;
    }
}

/* Under a software MMU that says where code lives (guest_mem.h
 * code_phys), a block is also listed under the physical pages it came
 * from, as keys above every guest page number: a write there drops it
 * whatever address space it was translated in.  0: none. */
#define PHYS_KEY (1ull << 60)

static uint64_t phys_page_key(const struct tr_guest_mem *m, uint64_t pc)
{
    uint64_t phys = m->code_phys ? m->code_phys(m, pc) : 0;
    return phys ? PHYS_KEY | phys >> TC_PAGE_SHIFT : 0;
}

static void log_page_of(struct tc_fetch_log *l, uint64_t page)
{
    uint64_t key = phys_page_key(l->real, page << TC_PAGE_SHIFT);
    log_page(l, page);
    if (key)
        log_page(l, key);
}

/* Logs the pages asked about, fetchable or not: a page that cannot be
 * fetched now may be mapped later.  Pages found fetchable earlier in this
 * translation are not asked about again: a mapping change meanwhile waits
 * for the translation lock, then drops this block with its pages. */
static size_t logged_fetchable(const struct tr_guest_mem *m, uint64_t pc, size_t want)
{
    struct tc_fetch_log *l = (struct tc_fetch_log *)m;
    uint64_t last = want ? pc + want - 1 : pc;
    if (last < pc)
        last = UINT64_MAX;
    if (pc >= l->known_lo && last < l->known_hi)
        return want;
    for (uint64_t p = pc >> TC_PAGE_SHIFT; p <= last >> TC_PAGE_SHIFT; p++)
        log_page_of(l, p);
    size_t got = l->real->fetchable(l->real, pc, want);
    note_fetchable(l, pc, got);
    return got;
}

/* The guest memory to translate the next block through. */
const struct tr_guest_mem *tc_fetch_log_start(struct tr_engine *e)
{
    struct tc_fetch_log *l = &e->xl->fetch;
    l->real = e->cfg.mem;
    l->mem = *l->real;
    l->mem.fetchable = logged_fetchable;
    l->n = 0;
    l->known_lo = l->known_hi = 0;
    return &l->mem;
}

/* A block from the persistent cache depends on the pages its record lists. */
void tc_fetch_log_set(struct tr_engine *e, const uint64_t *pages, size_t n)
{
    struct tc_fetch_log *l = &e->xl->fetch;
    l->real = e->cfg.mem;               /* (no fetches follow: the logging copy is not made) */
    l->n = 0;
    l->known_lo = l->known_hi = 0;
    for (size_t k = 0; k < n; k++)
        log_page(l, pages[k]);
}

/* ---- guest page -> blocks ----------------------------------------------- */

static unsigned page_bucket(uint64_t page)
{
    return (unsigned)((page ^ (page >> 12)) & (TC_PAGE_BUCKETS - 1));
}

/* The link that holds page (or the NULL link ending its bucket). */
static struct tc_page **page_slot(struct tr_code_cache *tc, uint64_t page)
{
    struct tc_page **s = &tc->pages[page_bucket(page)];
    while (*s && (*s)->page != page)
        s = &(*s)->next;
    return s;
}

/* Page entries come from arrays of PAGE_POOL_CHUNK, never given back to
 * malloc (a freed one is kept for the next page): a warm cc1 -O2 has
 * 2,500 pages, whose entries malloc spread over the heap among the block
 * lists, so that finding a page read a line of its own (a miss: 0.7 % of
 * the run); packed they take 100 KB. */
#define PAGE_POOL_CHUNK 256u

static struct tc_page *page_new(struct tr_code_cache *tc)
{
    if (!tc->page_pool) {
        struct tc_page *a = tc_realloc(NULL, PAGE_POOL_CHUNK * sizeof(*a));
        for (unsigned k = 0; k < PAGE_POOL_CHUNK; k++)
            a[k].next = k + 1 < PAGE_POOL_CHUNK ? &a[k + 1] : NULL;
        tc->page_pool = a;
    }
    struct tc_page *pg = tc->page_pool;
    tc->page_pool = pg->next;
    return pg;
}

/* Consecutive blocks mostly come from one page (a restored file's records
 * in the order a run first used them; a cold run's straight-line code):
 * the page last given is checked before its bucket is walked (the walk
 * read a page struct per link, a cache miss each: 1.6 % of a warm cc1
 * -O2 in tc_pages_add).  page_free clears it. */
static struct tc_page *page_get(struct tr_engine *e, uint64_t page)
{
    struct tr_code_cache *tc = &e->tc;
    if (tc->last_page && tc->last_page->page == page)
        return tc->last_page;
    struct tc_page **s = page_slot(tc, page);
    if (!*s) {
        *s = page_new(tc);
        **s = (struct tc_page){ .page = page, .compacted_at = e->stats.blocks_invalidated };
        tc->n_pages++;
        unsigned b = page_bucket(page);
        tc->page_buckets_used[b / 64] |= (uint64_t)1 << (b % 64);
    }
    return tc->last_page = *s;
}

/* Drops the entries of blocks dropped through another page. */
static void page_compact(struct tr_engine *e, struct tc_page *pg)
{
    uint32_t out = 0;
    for (uint32_t k = 0; k < pg->n; k++)
        if (!pg->blocks[k]->invalid)
            pg->blocks[out++] = pg->blocks[k];
    pg->n = out;
    pg->compacted_at = e->stats.blocks_invalidated;
}

/* A page's first list has room for 32 blocks: a page of code a run uses
 * holds dozens to hundreds of blocks, and from 8 the doublings' reallocs
 * (each a copy, often to a new place in the heap) were 1.3 % of a warm
 * cc1 -O2.  (256 bytes a page: 0.6 MB for a warm cc1's 2,500 pages.) */
#define PAGE_LIST_FIRST 32u

/* A full list is compacted only if some block was dropped since it last
 * was (drop_block is the only way a block becomes invalid): the walk read
 * every block of the page, a cache miss each, at every doubling (warm cc1
 * -O2: 0.8 % of its time, with no block ever dropped). */
static void page_add_block(struct tr_engine *e, struct tc_page *pg, struct tr_block *tb)
{
    if (pg->n == pg->cap && pg->compacted_at != e->stats.blocks_invalidated)
        page_compact(e, pg);
    if (pg->n == pg->cap) {
        pg->cap = pg->cap ? 2 * pg->cap : PAGE_LIST_FIRST;
        pg->blocks = tc_realloc(pg->blocks, pg->cap * sizeof(*pg->blocks));
    }
    pg->blocks[pg->n++] = tb;
}

void tc_pages_add(struct tr_engine *e, struct tr_block *tb)
{
    const struct tc_fetch_log *l = &e->xl->fetch;
    for (size_t k = 0; k < l->n; k++)
        page_add_block(e, page_get(e, l->pages[k]), tb);
}

static void page_free(struct tr_code_cache *tc, struct tc_page *pg)
{
    if (tc->last_page == pg)
        tc->last_page = NULL;
    free(pg->blocks);
    pg->next = tc->page_pool;
    tc->page_pool = pg;
}

void tc_pages_reset(struct tr_engine *e)
{
    struct tr_code_cache *tc = &e->tc;
    for (unsigned b = 0; b < TC_PAGE_BUCKETS; b++)
        while (tc->pages[b]) {
            struct tc_page *pg = tc->pages[b];
            tc->pages[b] = pg->next;
            page_free(tc, pg);
        }
    tc->n_pages = 0;
    memset(tc->page_buckets_used, 0, sizeof tc->page_buckets_used);
}

static bool page_has_code(const struct tc_page *pg)
{
    for (uint32_t k = 0; k < pg->n; k++)
        if (!pg->blocks[k]->invalid)
            return true;
    return false;
}

/* each_page's walk of one bucket. */
static bool bucket_pages(struct tr_engine *e, unsigned b, uint64_t first, uint64_t last,
                         bool (*fn)(struct tr_engine *e, struct tc_page **slot))
{
    for (struct tc_page **s = &e->tc.pages[b], *pg; (pg = *s);) {
        if (pg->page >= first && pg->page <= last && fn(e, s))
            return true;
        if (*s == pg)
            s = &pg->next;
    }
    return false;
}

/* Calls fn on the link of every page in [first, last] that has an entry:
 * page by page when the range is smaller than the table, else over the
 * whole table.  fn may unlink the page; it returns whether to stop.  The
 * whole table is only the buckets with pages (page_buckets_used): every
 * mmap of 256 KiB or more walked all 4,096, 2 % of a warm /bin/true. */
static bool each_page(struct tr_engine *e, uint64_t first, uint64_t last,
                      bool (*fn)(struct tr_engine *e, struct tc_page **slot))
{
    struct tr_code_cache *tc = &e->tc;
    if (!tc->n_pages)
        return false;
    if (last - first < tc->n_pages) {
        for (uint64_t p = first; p <= last; p++) {
            struct tc_page **s = page_slot(tc, p);
            if (*s && fn(e, s))
                return true;
        }
        return false;
    }
    for (unsigned w = 0; w < TC_PAGE_BUCKETS / 64; w++)
        for (uint64_t bits = tc->page_buckets_used[w]; bits; bits &= bits - 1) {
            unsigned b = w * 64 + (unsigned)__builtin_ctzll(bits);
            if (bucket_pages(e, b, first, last, fn))
                return true;
            if (!tc->pages[b])
                tc->page_buckets_used[w] &= ~((uint64_t)1 << (b % 64));
        }
    return false;
}

static bool stop_at_code(struct tr_engine *e, struct tc_page **slot)
{
    return page_has_code(*slot);
}

/* ---- chained jumps ------------------------------------------------------ */

#define LINK(tb, slot) ((uintptr_t)(tb) | (uintptr_t)(slot))
#define LINK_BLOCK(l) ((struct tr_block *)((l) & ~(uintptr_t)1))
#define LINK_SLOT(l) ((int)((l) & 1))

/* Patches from's chain slot to jump straight to `to` and records the
 * jump; false when that cannot (or need not) be done. */
bool tc_chain(struct tr_engine *e, struct tr_block *from, int slot, struct tr_block *to)
{
    if (from->chain_to[slot])           /* patched, not yet seen (tc_code_patched) */
        tc_views_stale_exit(&e->tc);
    if (from->invalid || to->invalid || from->jump_site[slot] == UINT32_MAX ||
        from->chain_to[slot] || (to->untested && to->guest_pc <= from->guest_pc))
        return false;
    from->chain_to[slot] = to;
    if (!tc_views_defer(&e->tc, from, slot)) {
        tc_views_patch_jump(&e->tc, from->code, from->code_size, from->code + from->jump_site[slot],
                            tc_chain_entry(from, to));
        tc_code_patched(&e->tc, from->code, from->code_size);
    }
    from->chain_next[slot] = to->chained_from;
    to->chained_from = LINK(from, slot);
    return true;
}

/* Every jump into tb goes back to its stub.  (Jumps of dropped blocks
 * stay in the list, skipped: nothing runs them any more.) */
static void unchain_into(struct tr_code_cache *tc, struct tr_block *tb)
{
    for (uintptr_t l = tb->chained_from; l;) {
        struct tr_block *from = LINK_BLOCK(l);
        int slot = LINK_SLOT(l);
        l = from->chain_next[slot];
        if (from->invalid || from->chain_to[slot] != tb)
            continue;
        tc_views_patch_jump(tc, from->code, from->code_size, from->code + from->jump_site[slot],
                            from->code + from->stub[slot]);
        tc_code_rewritten(tc, from->code, from->code_size);
        from->chain_to[slot] = NULL;
    }
    tb->chained_from = 0;
}

/* ---- dropping blocks ---------------------------------------------------- */

static void forget_in_thread(struct tr_runtime *rt, void *tb)
{
    if (tr_jmp_cache_own(rt))
        tc_forget_jmp(tr_jmp_cache_own(rt), ((struct tr_block *)tb)->guest_pc);
}

static void drop_block(struct tr_engine *e, struct tr_block *tb)
{
    tb->invalid = true;
    tc_remove(e, tb);
    unchain_into(&e->tc, tb);
    tr_thread_each(e, forget_in_thread, tb);
    e->stats.blocks_invalidated++;
}

static bool drop_page(struct tr_engine *e, struct tc_page **slot)
{
    struct tc_page *pg = *slot;
    *slot = pg->next;
    e->tc.n_pages--;
    for (uint32_t k = 0; k < pg->n; k++)
        if (!pg->blocks[k]->invalid)
            drop_block(e, pg->blocks[k]);
    page_free(&e->tc, pg);
    return false;
}

static void invalidate_pages(struct tr_engine *e, uint64_t first, uint64_t last);

/* Drops the blocks of pg that `which` picks, if any (false: none). */
static bool drop_some(struct tr_engine *e, struct tc_page *pg,
                      bool (*which)(const struct tr_guest_mem *, const struct tr_block *))
{
    const struct tr_guest_mem *m = e->cfg.mem;
    uint32_t k = 0;
    while (pg && k < pg->n && (pg->blocks[k]->invalid || !which(m, pg->blocks[k])))
        k++;
    if (!pg || k == pg->n)
        return false;
    tr_exclusive_start(e);
    for (; k < pg->n; k++)
        if (!pg->blocks[k]->invalid && which(m, pg->blocks[k]))
            drop_block(e, pg->blocks[k]);
    page_compact(e, pg);
    __atomic_add_fetch(&e->tc.generation, 1, __ATOMIC_SEQ_CST);
    e->stats.invalidations++;
    tr_exclusive_end(e);
    return true;
}

/* Caller holds the translation lock and is outside translated code. */
void tc_invalidate(struct tr_engine *e, uint64_t start, uint64_t len)
{
    if (!len)
        return;
    uint64_t end = start + len - 1 < start ? UINT64_MAX : start + len - 1;
    invalidate_pages(e, start >> TC_PAGE_SHIFT, end >> TC_PAGE_SHIFT);
}

/* The code at pc changed (smc.c found its bytes differ): its blocks go --
 * where code is known by where it lives, those of its physical page, in
 * every address space (blocks of other code at this pc stay).  Caller as
 * tc_invalidate's. */
void tc_invalidate_code(struct tr_engine *e, uint64_t pc)
{
    /* Of that page's blocks only those whose code changed (smc.c
     * smc_moved): a write of a few bytes (Linux patching a jump label)
     * keeps the others, as QEMU keeps the blocks outside the range written. */
    uint64_t key = phys_page_key(e->cfg.mem, pc);
    /* User mode likewise (smc.c smc_changed): HotSpot patching a call
     * site or an nmethod's entry dropped the 30-odd other blocks of its
     * page, each translated again at its next run.  A block kept keeps
     * its own entry check, which catches a later change of its bytes; a
     * check that found nothing changed (a store of the bytes already
     * there) drops nothing. */
    if (smc_by_bytes(e->cfg.mem)) {
        drop_some(e, *page_slot(&e->tc, pc >> TC_PAGE_SHIFT), smc_changed);
        return;
    }
    if (key && drop_some(e, *page_slot(&e->tc, key), smc_moved))
        return;
    if (key)                            /* (none moved: the page, as below) */
        invalidate_pages(e, key, key);
    else
        tc_invalidate(e, pc, 1);
}

/* Fetching va faulted, and the guest may map its page now: the blocks
 * that stand for the fault go (they would run it again).  Where code is
 * known by where it lives, those are the blocks listed under va's page
 * without a place there (smc.c smc_unplaced); the blocks other address
 * spaces have at the same pcs stay (a process faulting its code in would
 * otherwise drop every other's blocks of that page).  Caller as
 * tc_invalidate's. */
void tc_invalidate_fetch(struct tr_engine *e, uint64_t va)
{
    if (e->cfg.mem->code_phys)
        drop_some(e, *page_slot(&e->tc, va >> TC_PAGE_SHIFT), smc_unplaced);
    else
        tc_invalidate(e, va, 1);
}

static void invalidate_pages(struct tr_engine *e, uint64_t first, uint64_t last)
{
    if (!each_page(e, first, last, stop_at_code))
        return;
    tr_exclusive_start(e);
    each_page(e, first, last, drop_page);
    /* Threads that looked a block up before this must look again. */
    __atomic_add_fetch(&e->tc.generation, 1, __ATOMIC_SEQ_CST);
    e->stats.invalidations++;
    tr_exclusive_end(e);
}
