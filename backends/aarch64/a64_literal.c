/* a64_literal.c -- a block's literal pool: a constant that would take two,
 * three or four movz/movk (a guest address such as a program's globals, a
 * call's return address) is one `ldr xN, <literal>` from a pool behind the
 * block's last stub (8-byte aligned, one entry per distinct value).  Two
 * words count too since session 41: a non-PIE program's globals (cc1's
 * whose low half no access offset holds, a64_mem.c split_const_addr) and
 * return addresses below 4 GiB were `movz` + `movk`, 5.6 % of cc1's host
 * instructions.
 *
 * The pool is placed when the block's final exit is emitted
 * (a64_emit_literal_pool, from finish_block); every literal added lowers
 * c->end by the bytes it will take, so the allocator's room check already
 * counts it.  A new emission attempt (a fresh be_code: its end is not the
 * one this block lowered) starts an empty pool.  Values are guest
 * constants, never host addresses (those go through a64_emit_movi_addr),
 * and the pool moves with its block: nothing to relocate in the
 * translation cache.  Chain stubs keep their movz/movk (hostprof.py reads
 * a stub's pc from them).
 */
#include "a64_emit.h"

enum { POOL_MAX = 16, SITES_MAX = 64 };

/* What a block reserves behind its code (this pool, the canonical
 * tests' out-of-line parts, a64_mem.c): every reservation lowers c->end.
 * An emission attempt is known by c->start and c->end as the last
 * reservation left them: a new one (a fresh be_code, or a retried block
 * at the same place) starts a new generation, and what was recorded for
 * an older one is dropped. */
static __thread struct {
    const uint8_t *block, *end;
    unsigned gen;
} tail;

unsigned a64_tail_gen(const struct be_code *c)
{
    if (tail.block != c->start || tail.end != c->end) {
        tail.block = c->start;
        tail.end = c->end;
        tail.gen++;
    }
    return tail.gen;
}

void a64_tail_reserve(struct be_code *c, unsigned bytes)
{
    a64_tail_gen(c);
    c->end -= bytes;
    tail.end = c->end;
}

static __thread struct {
    unsigned gen;                       /* a64_tail_gen of its block; 0: none */
    int n_values, n_sites;
    uint64_t value[POOL_MAX];
    struct { uint32_t site; int value; } sites[SITES_MAX];
} pool;

static bool pool_is_current(const struct be_code *c)
{
    return pool.gen != 0 && pool.gen == a64_tail_gen(c);
}

/* The value's entry, added (and its room reserved) if new; -1: full. */
static int entry_of(struct be_code *c, uint64_t imm)
{
    for (int k = 0; k < pool.n_values; k++)
        if (pool.value[k] == imm)
            return k;
    if (pool.n_values == POOL_MAX)
        return -1;
    a64_tail_reserve(c, pool.n_values == 0 ? 8 + 4 : 8);   /* the first one: alignment too */
    pool.value[pool.n_values] = imm;
    return pool.n_values++;
}

bool a64_literal_load(struct be_code *c, unsigned rd, uint64_t imm)
{
    uint32_t words[4];
    if (!c->tb || a64_movi_sequence(words, rd, imm) < 2)  /* no block: no pool */
        return false;
    if (!pool_is_current(c)) {
        pool.gen = a64_tail_gen(c);
        pool.n_values = pool.n_sites = 0;
    }
    if (pool.n_sites == SITES_MAX)
        return false;
    int k = entry_of(c, imm);
    pool.gen = a64_tail_gen(c);
    if (k < 0)
        return false;
    pool.sites[pool.n_sites++] = (typeof(pool.sites[0])){ (uint32_t)(c->ptr - c->start), k };
    a64_put(c, A64_LDR_LITERAL_X(rd));  /* imm19 once the pool is placed */
    return true;
}

static void put_u64(struct be_code *c, uint64_t v)
{
    __builtin_memcpy(be_writable(c, c->ptr), &v, 8);
    c->ptr += 8;
}

void a64_emit_literal_pool(struct be_code *c)
{
    if (!pool_is_current(c) || pool.n_values == 0) {
        pool.gen = 0;
        return;
    }
    if ((uintptr_t)c->ptr % 8)
        a64_put(c, 0);                  /* udf: never reached */
    uint8_t *base = c->ptr;
    for (int k = 0; k < pool.n_values; k++)
        put_u64(c, pool.value[k]);
    for (int s = 0; s < pool.n_sites; s++) {
        uint8_t *ldr = c->start + pool.sites[s].site;
        int64_t off = base + 8 * pool.sites[s].value - ldr;
        uint32_t w = A64_LDR_LITERAL_X(0) | (uint32_t)((off >> 2) & 0x7ffff) << 5;
        uint32_t old;
        __builtin_memcpy(&old, be_writable(c, ldr), 4);
        w |= old & 0x1f;                /* its register */
        __builtin_memcpy(be_writable(c, ldr), &w, 4);
    }
    pool.gen = 0;
}
