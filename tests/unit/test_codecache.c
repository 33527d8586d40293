/* test_codecache.c -- the code cache's lookup by guest pc
 * (translator/codecache.c): with the filter of present pcs in front of
 * the hash table, every inserted block is found (by pc and mode, through
 * the first table and after the big one takes over), pcs never inserted
 * (neighbours, other pages, other modes) are not, and a removed block is
 * not found though its filter bit stays set; a block entered past its
 * exit-request test (tr_block.entry_off) is entered there by everything
 * but a backward chain. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "tr_internal.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

/* pcs clustered like code: 700 pages, blocks at any offset; distinct for
 * distinct k < 700 * 4096 (the multiplier is prime to it). */
#define SPAN (700u * 4096u)
static uint64_t pc_of(uint64_t k)
{
    return 0x400000 + k * 2654435761u % SPAN;
}

static struct tr_engine *engine_with_pool(size_t max_blocks)
{
    struct tr_engine *e = calloc(1, sizeof(*e));
    cr_assert_not_null(e);
    e->tc.max_blocks = max_blocks;
    e->tc.blocks = calloc(max_blocks, sizeof(struct tr_block));
    cr_assert_not_null(e->tc.blocks);
    return e;
}

static void check_all_found(struct tr_engine *e)
{
    for (size_t k = 0; k < e->tc.n_blocks; k++) {
        struct tr_block *tb = &e->tc.blocks[k];
        cr_assert_eq(tc_lookup(e, tb->guest_pc, tb->mode), tb, "block %zu of %zu", k,
                     e->tc.n_blocks);
    }
}

Test(codecache, lookup_finds_inserted_and_only_them)
{
    enum { N = 70000 };                 /* past TC_HASH_SIZE: the big table too */
    struct tr_engine *e = engine_with_pool(N + 16);
    for (int k = 0; k < N; k++) {
        struct tr_block *tb = tc_alloc_block(e, pc_of(k));
        tb->mode = k % 7 == 0 ? 1u << TR_MODE_FACTS_SHIFT : 0;   /* some variants */
        tc_insert(e, tb);
        if (k == 1000 || k == N - 1)
            check_all_found(e);
    }
    cr_assert_not_null(e->tc.big_hash);
    for (int k = 0; k < N; k++) {       /* another mode at the same pc: absent */
        struct tr_block *tb = &e->tc.blocks[k];
        cr_assert_null(tc_lookup(e, tb->guest_pc, tb->mode ^ (2u << TR_MODE_FACTS_SHIFT)));
    }
    for (int k = 0; k < 40000; k++) {   /* pcs never inserted: the same pages, and far */
        uint64_t pc = k % 2 ? pc_of(N + next() % (SPAN - N)) : 0x7f0000000000ull + next() % (1u << 24);
        cr_assert_null(tc_lookup(e, pc, 0), "pc %#lx", (unsigned long)pc);
        cr_assert_null(tc_lookup(e, pc, 1u << TR_MODE_FACTS_SHIFT));
    }
    munmap(e->tc.big_hash, sizeof(*e->tc.big_hash) << TC_BIG_HASH_BITS);   /* (tr_pool_map's) */
    free(e->tc.blocks);
    free(e);
}

Test(codecache, removed_block_is_not_found)
{
    struct tr_engine *e = engine_with_pool(4096);
    for (int k = 0; k < 4000; k++)
        tc_insert(e, tc_alloc_block(e, 0x10000 + 16 * (uint64_t)k));
    for (int k = 0; k < 4000; k += 3)
        tc_remove(e, &e->tc.blocks[k]);
    for (int k = 0; k < 4000; k++) {
        struct tr_block *want = k % 3 ? &e->tc.blocks[k] : NULL;
        cr_assert_eq(tc_lookup(e, 0x10000 + 16 * (uint64_t)k, 0), want, "block %d", k);
    }
    tc_insert(e, &e->tc.blocks[0]);     /* back (a block translated again) */
    cr_assert_eq(tc_lookup(e, 0x10000, 0), &e->tc.blocks[0]);
    free(e->tc.blocks);
    free(e);
}

/* Every entry of table, and its dead field, holds a pc that maps to
 * another entry: no probe ever hits it. */
static void assert_never_hit(struct tr_jmp_entry *table, const char *what)
{
    for (unsigned k = 0, n = tr_jmp_size(); k < n; k++) {
        cr_assert_neq(tr_jmp_index(tr_jmp_at(table, k)->pc), k, "%s: entry %u", what, k);
        if (be_host.lazy_exit_stores)
            cr_assert_neq(tr_jmp_index(*tr_jmp_dead(table, k)), k, "%s: dead field %u", what, k);
    }
}

/* Every entry of the vCPU's own table a hit (pc k is entry k's). */
static void fill_own(struct tr_jmp_entry *own)
{
    for (unsigned k = 0, n = tr_jmp_size(); k < n; k++) {
        *tr_jmp_at(own, k) = (struct tr_jmp_entry){ .pc = k, .code = own };
        if (be_host.lazy_exit_stores)
            *tr_jmp_dead(own, k) = k;
    }
    cr_assert_eq(tr_jmp_index(tr_jmp_size() - 1), tr_jmp_size() - 1);
}

static void assert_empty(struct tr_jmp_entry *own, const char *what)
{
    assert_never_hit(own, what);
    for (unsigned k = 0, n = tr_jmp_size(); k < n; k++)
        cr_assert_eq(tr_jmp_at(own, k)->pc, tc_jmp_empty(k), "%s: entry %u", what, k);
}

/* A request points the probes at the never-matching table, whose
 * entries and dead fields never hit, while the vCPU's own (filled) stays
 * its own; serving it points them back. */
static void assert_request_misses(struct tr_jmp_entry *own)
{
    struct tr_runtime rt = { .jmp_cache = own, .jmp_own = own };
    tr_request_exit(&rt);
    cr_assert_neq(rt.jmp_cache, own);
    cr_assert_null(tr_jmp_cache_live(&rt));
    cr_assert_eq(tr_jmp_cache_own(&rt), own);
    assert_never_hit(rt.jmp_cache, "never-matching");
    tr_exit_request_served(&rt);
    cr_assert_eq(rt.jmp_cache, own);
    cr_assert_eq(tr_jmp_cache_live(&rt), own);
}

/* A new jump cache (of zeroed memory: the first in the translator's
 * tables, the second mapped), one reused after its vCPU filled it and
 * freed it, and one cleared (tc_clear_jmp_cache) hold in every entry and
 * dead field a pc that maps to another entry; so does the never-matching
 * table a request switches to. */
Test(codecache, empty_jump_cache_entries_never_match)
{
    struct tr_jmp_entry *first = tr_jmp_cache_alloc(), *second = tr_jmp_cache_alloc();
    assert_empty(first, "first");
    assert_empty(second, "second");
    fill_own(first);
    fill_own(second);
    assert_request_misses(first);
    assert_request_misses(second);
    tr_jmp_cache_free(first);
    tr_jmp_cache_free(second);
    struct tr_jmp_entry *again = tr_jmp_cache_alloc();
    assert_empty(again, "reused");
    fill_own(again);
    tc_clear_jmp_cache(again);
    assert_empty(again, "cleared");
    tr_jmp_cache_free(again);
}

/* Forward chains and the dispatcher enter past the test, backward chains
 * (a self-loop's own among them) at the start, where it is. */
Test(codecache, backward_chains_enter_at_the_test)
{
    static uint8_t code[64];
    struct tr_block low = { .guest_pc = 0x401000, .code = code, .entry_off = 4 };
    struct tr_block high = { .guest_pc = 0x402000, .code = code + 32 };
    cr_expect_eq(tc_block_entry(&low), code + 4);
    cr_expect_eq(tc_chain_entry(&high, &low), code, "a backward chain enters at the start");
    cr_expect_eq(tc_chain_entry(&low, &low), code, "so does a self-loop's");
    struct tr_block lower = { .guest_pc = 0x400000 };
    cr_expect_eq(tc_chain_entry(&lower, &low), code + 4, "a forward chain enters past the test");
    cr_expect_eq(tc_chain_entry(&low, &high), code + 32, "no test: at the start");
    cr_expect_eq(tc_block_entry(&high), code + 32);
}
