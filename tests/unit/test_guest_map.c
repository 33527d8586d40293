/* test_guest_map.c -- the interval map of guest mappings
 * (translator/guest_map.c): set, forget and protect of partial ranges
 * split, trim and merge as Linux does to a process's mappings, checked
 * case by case and against a page-by-page model under random operations
 * (with the top-down gap search, gmap_gap_below);
 * and the TR_MEM_HOST interface answering code fetch and the writable
 * check from it (translator/mem_host.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "guest_map.h"
#include "guest_mem.h"

#define P(n) ((uint64_t)(n) * 4096)
#define R TR_PROT_READ
#define W TR_PROT_WRITE
#define X TR_PROT_EXEC

/* The ranges must be sorted, non-empty, disjoint, and neighbours that
 * touch must differ in protection (else they would have been merged). */
static void check_shape(const struct gmap *m)
{
    for (size_t k = 0; k < m->n; k++) {
        cr_assert_lt(m->r[k].start, m->r[k].end, "range %zu empty", k);
        if (k == 0)
            continue;
        cr_assert_leq(m->r[k - 1].end, m->r[k].start, "ranges %zu and %zu overlap", k - 1, k);
        cr_assert(m->r[k - 1].end != m->r[k].start || m->r[k - 1].prot != m->r[k].prot,
                  "ranges %zu and %zu not merged", k - 1, k);
    }
}

static void expect(const struct gmap *m, size_t k, uint64_t start, uint64_t end, int prot)
{
    cr_assert_lt(k, m->n, "only %zu ranges", m->n);
    cr_assert_eq(m->r[k].start, start, "range %zu starts at %#lx", k, (unsigned long)m->r[k].start);
    cr_assert_eq(m->r[k].end, end, "range %zu ends at %#lx", k, (unsigned long)m->r[k].end);
    cr_assert_eq(m->r[k].prot, prot, "range %zu has prot %d", k, m->r[k].prot);
}

Test(guest_map, map_find_and_merge)
{
    struct gmap m = { 0 };
    gmap_set(&m, P(10), P(12), R | X);
    gmap_set(&m, P(12), P(14), R | X);         /* touches, same prot: merged */
    gmap_set(&m, P(14), P(15), R | W);         /* touches, other prot: kept apart */
    check_shape(&m);
    cr_assert_eq(m.n, 2);
    expect(&m, 0, P(10), P(14), R | X);
    expect(&m, 1, P(14), P(15), R | W);
    cr_assert_null(gmap_find(&m, P(9) + 4095));
    cr_assert_eq(gmap_find(&m, P(10))->prot, R | X);
    cr_assert_eq(gmap_find(&m, P(14) - 1)->prot, R | X);
    cr_assert_eq(gmap_find(&m, P(14))->prot, R | W);
    cr_assert_null(gmap_find(&m, P(15)));
    cr_assert_eq(gmap_next(&m, P(2))->start, P(10));
    cr_assert_null(gmap_next(&m, P(15)));
    gmap_free(&m);
}

Test(guest_map, map_replaces_what_was_there)
{
    struct gmap m = { 0 };
    gmap_set(&m, P(0), P(4), R);
    gmap_set(&m, P(6), P(8), R | W);
    gmap_set(&m, P(10), P(12), R | X);
    gmap_set(&m, P(2), P(11), 0);               /* PROT_NONE over parts of all three */
    check_shape(&m);
    cr_assert_eq(m.n, 3);
    expect(&m, 0, P(0), P(2), R);
    expect(&m, 1, P(2), P(11), 0);
    expect(&m, 2, P(11), P(12), R | X);
    gmap_free(&m);
}

Test(guest_map, forget_splits_and_trims)
{
    struct gmap m = { 0 };
    gmap_set(&m, P(0), P(10), R | W);
    gmap_forget(&m, P(3), P(5));                 /* the middle: split */
    check_shape(&m);
    cr_assert_eq(m.n, 2);
    expect(&m, 0, P(0), P(3), R | W);
    expect(&m, 1, P(5), P(10), R | W);
    gmap_forget(&m, P(2), P(6));                 /* over a hole: trims both sides */
    expect(&m, 0, P(0), P(2), R | W);
    expect(&m, 1, P(6), P(10), R | W);
    gmap_forget(&m, P(9), P(20));                /* past the end */
    expect(&m, 1, P(6), P(9), R | W);
    gmap_forget(&m, P(0), P(2));                 /* a whole range */
    cr_assert_eq(m.n, 1);
    expect(&m, 0, P(6), P(9), R | W);
    gmap_forget(&m, P(20), P(30));               /* nothing there */
    cr_assert_eq(m.n, 1);
    gmap_forget(&m, 0, UINT64_MAX);
    cr_assert_eq(m.n, 0);
    gmap_free(&m);
}

Test(guest_map, protect_splits_then_merges_back)
{
    struct gmap m = { 0 };
    gmap_set(&m, P(0), P(8), R | W);
    gmap_protect(&m, P(2), P(3), R);            /* RELRO-style: one page in the middle */
    check_shape(&m);
    cr_assert_eq(m.n, 3);
    expect(&m, 0, P(0), P(2), R | W);
    expect(&m, 1, P(2), P(3), R);
    expect(&m, 2, P(3), P(8), R | W);
    gmap_protect(&m, P(2), P(3), R | W);        /* and back: one range again */
    check_shape(&m);
    cr_assert_eq(m.n, 1);
    expect(&m, 0, P(0), P(8), R | W);
    gmap_free(&m);
}

Test(guest_map, protect_leaves_holes_alone)
{
    struct gmap m = { 0 };
    gmap_set(&m, P(0), P(2), R | W);
    gmap_set(&m, P(2), P(3), GMAP_UNMAPPED);
    gmap_set(&m, P(4), P(6), R);
    gmap_protect(&m, P(1), P(5), R | X);
    check_shape(&m);
    cr_assert_eq(m.n, 5);
    expect(&m, 0, P(0), P(1), R | W);
    expect(&m, 1, P(1), P(2), R | X);
    expect(&m, 2, P(2), P(3), GMAP_UNMAPPED);    /* known unmapped: stays */
    expect(&m, 3, P(4), P(5), R | X);
    expect(&m, 4, P(5), P(6), R);
    cr_assert_null(gmap_find(&m, P(3)));          /* unknown: stays */
    gmap_free(&m);
}

Test(guest_map, unmapped_ranges_merge_and_get_replaced)
{
    struct gmap m = { 0 };
    gmap_set(&m, P(0), P(8), R | X);
    gmap_set(&m, P(2), P(4), GMAP_UNMAPPED);      /* munmap of the middle */
    gmap_set(&m, P(4), P(5), GMAP_UNMAPPED);      /* and next to it: one hole */
    check_shape(&m);
    cr_assert_eq(m.n, 3);
    expect(&m, 1, P(2), P(5), GMAP_UNMAPPED);
    gmap_set(&m, P(3), P(4), R | W);              /* mmap in the hole */
    check_shape(&m);
    cr_assert_eq(m.n, 5);
    expect(&m, 1, P(2), P(3), GMAP_UNMAPPED);
    expect(&m, 2, P(3), P(4), R | W);
    expect(&m, 3, P(4), P(5), GMAP_UNMAPPED);
    gmap_free(&m);
}

/* ---- random operations against a page-by-page model -------------------- */

#define NPAGES 96
#define UNKNOWN (-2)
static int model[NPAGES];                       /* prot, GMAP_UNMAPPED or UNKNOWN */

/* op 0: set prot, 1: set unmapped, 2: forget, 3: protect */
static void model_apply(int op, int lo, int hi, int prot)
{
    for (int p = lo; p < hi; p++) {
        if (op == 0)
            model[p] = prot;
        else if (op == 1)
            model[p] = GMAP_UNMAPPED;
        else if (op == 2)
            model[p] = UNKNOWN;
        else if (model[p] >= 0)
            model[p] = prot;
    }
}

/* The highest page a in [lo, hi - len] whose len pages are all free (not
 * mapped: unmapped or unknown), as a top-down mmap picks it; 0 if none. */
static uint64_t model_gap_below(int lo, int hi, int len)
{
    for (int a = hi - len; a >= lo; a--) {
        int p = a;
        while (p < a + len && model[p] < 0)
            p++;
        if (p == a + len)
            return P(a);
    }
    return 0;
}

static void check_gap_against_model(const struct gmap *m, int step)
{
    int lo = 1 + rand() % 8, hi = lo + rand() % (NPAGES - lo + 1), len = 1 + rand() % 10;
    uint64_t got = gmap_gap_below(m, P(lo), P(hi), P(len)), want = model_gap_below(lo, hi, len);
    cr_assert_eq(got, want, "step %d: gap of %d pages in [%d, %d) at %#lx, the model %#lx", step, len, lo, hi,
                 (unsigned long)got, (unsigned long)want);
}

static void check_against_model(const struct gmap *m, int step)
{
    check_shape(m);
    check_gap_against_model(m, step);
    for (int p = 0; p < NPAGES; p++) {
        const struct gmap_range *r = gmap_find(m, P(p) + 123);
        int got = r ? r->prot : UNKNOWN;
        cr_assert_eq(got, model[p], "step %d: page %d has %d, the model %d", step, p, got, model[p]);
    }
}

Test(guest_map, random_against_model)
{
    struct gmap m = { 0 };
    srand(12345);
    for (int p = 0; p < NPAGES; p++)
        model[p] = UNKNOWN;
    for (int step = 0; step < 20000; step++) {
        int lo = rand() % NPAGES, hi = lo + 1 + rand() % 12, op = rand() % 4, prot = rand() % 8;
        if (hi > NPAGES)
            hi = NPAGES;
        model_apply(op, lo, hi, prot);
        if (op == 0 || op == 1)
            gmap_set(&m, P(lo), P(hi), op == 0 ? prot : GMAP_UNMAPPED);
        else if (op == 2)
            gmap_forget(&m, P(lo), P(hi));
        else
            gmap_protect(&m, P(lo), P(hi), prot);
        check_against_model(&m, step);
    }
    gmap_free(&m);
}

/* ---- TR_MEM_HOST answers from the map ----------------------------------- */

Test(guest_map, mem_host_fetch_and_writable_from_the_map)
{
    const struct tr_guest_mem *mem = tr_mem_host();
    uint8_t *b = mmap(NULL, P(4), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(b, MAP_FAILED);
    uint64_t a = (uint64_t)(uintptr_t)b;
    munmap(b + P(3), P(1));                     /* page 3: a hole nobody maps */
    mem->map_changed(mem, TR_MAP, a, P(3), R | W);
    mem->map_changed(mem, TR_PROTECT, a, P(1), R | X);
    mem->map_changed(mem, TR_PROTECT, a + P(1), P(1), 0);
    cr_assert_eq(mem->prot_at(mem, a), R | X);
    cr_assert_eq(mem->prot_at(mem, a + P(2)), R | W);
    cr_assert_eq(mem->prot_at(mem, a + P(3)), -1);
    /* The map is believed: page 1 is host-readable but PROT_NONE to the guest. */
    cr_assert_eq(mem->fetchable(mem, a + 4000, 200), 96);
    cr_assert_eq(mem->fetchable(mem, a + P(1), 15), 0);
    cr_assert(!mem->writable(mem, a, 100));
    cr_assert(mem->writable(mem, a + P(2), 100));
    cr_assert_eq(mem->fetchable(mem, a + P(2), 15), 0);       /* NX: no PROT_EXEC */
    /* Unknown pages: fetch probes the host (page 3 is unmapped), and they
     * count as writable. */
    mem->map_changed(mem, TR_PROTECT, a + P(1), P(2), R | W | X);
    cr_assert_eq(mem->fetchable(mem, a + P(2) + 10, P(2)), P(1) - 10);
    mem->map_changed(mem, TR_FORGET, a + P(2), P(1), 0);
    cr_assert_eq(mem->prot_at(mem, a + P(2)), -1);
    cr_assert_eq(mem->fetchable(mem, a + P(2), 15), 15);      /* probed: readable */
    cr_assert(mem->writable(mem, a + P(2), 1));
    cr_assert_eq(mem->fetchable(mem, a + P(3), 15), 0);       /* probed: unmapped */
    /* What the guest unmapped stays unfetchable, whatever the host has
     * there now (here: still the page, as if ferry had reused it). */
    mem->map_changed(mem, TR_UNMAP, a + P(2), P(1), 0);
    cr_assert_eq(mem->prot_at(mem, a + P(2)), -1);
    cr_assert_eq(mem->fetchable(mem, a + P(2), 15), 0);
    mem->map_changed(mem, TR_PROTECT, a, P(4), R | X);        /* protect skips it */
    cr_assert_eq(mem->fetchable(mem, a + P(2), 15), 0);
    cr_assert_eq(mem->fetchable(mem, a, P(4)), P(2));
    mem->map_changed(mem, TR_PROTECT, a, P(4), R);            /* readable, not executable */
    cr_assert_eq(mem->fetchable(mem, a, P(4)), 0);
}

/* The last fetchable and unwritable answers are remembered per thread
 * (mem_host.c) until the map changes: every kind of change must be seen
 * by the same question asked again. */
Test(guest_map, mem_host_remembered_answers_follow_map_changes)
{
    const struct tr_guest_mem *mem = tr_mem_host();
    uint8_t *b = mmap(NULL, P(2), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(b, MAP_FAILED);
    uint64_t a = (uint64_t)(uintptr_t)b;
    mem->map_changed(mem, TR_MAP, a, P(2), R | X);
    for (int k = 0; k < 2; k++) {               /* (the second time from the memo) */
        cr_assert_eq(mem->fetchable(mem, a + 100, 15), 15);
        cr_assert(!mem->writable(mem, a, P(2)));
        cr_assert(!mem->writable(mem, a + P(1), 15));
    }
    mem->map_changed(mem, TR_PROTECT, a + P(1), P(1), R | W | X);
    cr_assert(mem->writable(mem, a, P(2)));
    cr_assert(mem->writable(mem, a + P(1), 15));
    cr_assert(!mem->writable(mem, a, 15));
    cr_assert_eq(mem->fetchable(mem, a + 100, 15), 15);
    mem->map_changed(mem, TR_PROTECT, a, P(1), R | W);
    cr_assert_eq(mem->fetchable(mem, a + 100, 15), 0);
    cr_assert(mem->writable(mem, a, 15));
    mem->map_changed(mem, TR_MAP, a, P(2), R | X);
    cr_assert_eq(mem->fetchable(mem, a + P(1) - 8, 15), 15);
    cr_assert(!mem->writable(mem, a, P(2)));
    mem->map_changed(mem, TR_UNMAP, a + P(1), P(1), 0);
    cr_assert_eq(mem->fetchable(mem, a + P(1) - 8, 15), 8);
    cr_assert_eq(mem->fetchable(mem, a + P(1) + 8, 15), 0);
    cr_assert(!mem->writable(mem, a, P(1)));
    mem->map_changed(mem, TR_FORGET, a, P(1), 0);
    cr_assert(mem->writable(mem, a, 15));       /* unknown: may be written */
    cr_assert_eq(mem->fetchable(mem, a + 100, 15), 15);     /* probed: readable */
    munmap(b, P(2));
    cr_assert_eq(mem->fetchable(mem, a + 100, 15), 0);      /* probed again: gone */
    mem->map_changed(mem, TR_UNMAP, a, P(2), 0);
}
