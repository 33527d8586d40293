/* guest_map.c -- the interval map of guest mappings (guest_map.h): a
 * sorted array of disjoint ranges.  Every change first splits the ranges
 * that straddle its edges, so it then works on whole ranges; merging
 * neighbours of equal protection afterwards keeps the array as short as
 * the process's own mapping list.  Lookups are a binary search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_map.h"
#include "guest_mem.h"

/* Index of the first range ending after addr (m->n if none). */
static size_t first_after(const struct gmap *m, uint64_t addr)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->r[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void reserve_one(struct gmap *m)
{
    if (m->n < m->cap)
        return;
    size_t cap = m->cap ? 2 * m->cap : 64;
    struct gmap_range *r = realloc(m->r, cap * sizeof(*r));
    if (!r) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    m->r = r;
    m->cap = cap;
}

static void insert_at(struct gmap *m, size_t i, struct gmap_range v)
{
    reserve_one(m);
    memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(m->r[0]));
    m->r[i] = v;
    m->n++;
}

/* Removes ranges [i, j). */
static void remove_span(struct gmap *m, size_t i, size_t j)
{
    if (i == j)
        return;             /* m->r may still be NULL: memmove(NULL, ...) is UB */
    memmove(&m->r[i], &m->r[j], (m->n - j) * sizeof(m->r[0]));
    m->n -= j - i;
}

/* Splits the range straddling addr, if any; returns the index of the
 * first range starting at or after addr. */
static size_t split_at(struct gmap *m, uint64_t addr)
{
    size_t i = first_after(m, addr);
    if (i >= m->n || m->r[i].start >= addr)
        return i;
    struct gmap_range upper = m->r[i];
    upper.start = addr;
    m->r[i].end = addr;
    insert_at(m, i + 1, upper);
    return i + 1;
}

static void merge_next(struct gmap *m, size_t i)
{
    if (i + 1 < m->n && m->r[i].end == m->r[i + 1].start && m->r[i].prot == m->r[i + 1].prot) {
        m->r[i].end = m->r[i + 1].end;
        remove_span(m, i + 1, i + 2);
    }
}

/* After ranges [i, j) changed: merges them and their two neighbours
 * (downwards, so lower indices stay valid). */
static void merge_around(struct gmap *m, size_t i, size_t j)
{
    size_t lo = i ? i - 1 : 0;
    for (size_t k = j; k-- > lo;)
        merge_next(m, k);
}

void gmap_free(struct gmap *m)
{
    free(m->r);
    *m = (struct gmap){ 0 };
}

void gmap_forget(struct gmap *m, uint64_t start, uint64_t end)
{
    if (start >= end)
        return;
    size_t i = split_at(m, start);
    size_t j = split_at(m, end);
    remove_span(m, i, j);
}

void gmap_set(struct gmap *m, uint64_t start, uint64_t end, int prot)
{
    if (start >= end)
        return;
    gmap_forget(m, start, end);
    size_t i = first_after(m, start);
    insert_at(m, i, (struct gmap_range){ start, end, prot });
    merge_around(m, i, i + 1);
}

void gmap_protect(struct gmap *m, uint64_t start, uint64_t end, int prot)
{
    if (start >= end)
        return;
    size_t i = split_at(m, start);
    size_t j = split_at(m, end);
    for (size_t k = i; k < j; k++)
        if (m->r[k].prot != GMAP_UNMAPPED)
            m->r[k].prot = prot | (m->r[k].prot & TR_PROT_SHARED);   /* a property of the mapping */
    merge_around(m, i, j);
}

const struct gmap_range *gmap_find(const struct gmap *m, uint64_t addr)
{
    size_t i = first_after(m, addr);
    return i < m->n && m->r[i].start <= addr ? &m->r[i] : NULL;
}

const struct gmap_range *gmap_next(const struct gmap *m, uint64_t addr)
{
    size_t i = first_after(m, addr);
    return i < m->n ? &m->r[i] : NULL;
}

/* Walks the ranges below top downwards, as Linux's top-down search walks
 * its gaps: the first hole (between mapped ranges; unmapped and unknown
 * pages are free) that holds len bytes gives its highest fit. */
uint64_t gmap_gap_below(const struct gmap *m, uint64_t floor, uint64_t top, uint64_t len)
{
    if (top < floor || top - floor < len || len == 0)
        return 0;
    uint64_t hi = top;
    for (size_t i = first_after(m, top - 1) + 1; i-- > 0;) {
        if (i >= m->n || m->r[i].start >= hi || m->r[i].prot == GMAP_UNMAPPED)
            continue;
        if (m->r[i].end < hi && hi - m->r[i].end >= len)
            return hi - len;
        hi = m->r[i].start;
        if (hi < floor || hi - floor < len)
            return 0;
    }
    return hi - len;
}
