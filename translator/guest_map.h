/* guest_map.h -- an interval map of the guest's mappings: page-aligned
 * ranges [start, end) with their protection, kept sorted and disjoint,
 * adjacent ranges of equal protection merged.  The operations are the
 * ones Linux applies to a process's mappings: map (replaces whatever was
 * there), unmap, protect (changes only the mapped parts of a range).
 *
 * Not thread-safe by itself: its owner locks around it (mem_host.c).
 * Private to the translator (and its unit test).
 */
#ifndef FERRY_GUEST_MAP_H
#define FERRY_GUEST_MAP_H

#include <stddef.h>
#include <stdint.h>

struct gmap_range {
    uint64_t start, end;        /* [start, end) */
    int prot;                   /* TR_PROT_* bits (guest_mem.h) */
};

struct gmap {
    struct gmap_range *r;       /* sorted by start, disjoint */
    size_t n, cap;
};

void gmap_free(struct gmap *m);
/* [start, end) becomes one mapping with prot, replacing what was there. */
void gmap_map(struct gmap *m, uint64_t start, uint64_t end, int prot);
/* [start, end) holds no mapping any more (ranges are trimmed or split). */
void gmap_unmap(struct gmap *m, uint64_t start, uint64_t end);
/* The mapped parts of [start, end) get prot; holes stay holes. */
void gmap_protect(struct gmap *m, uint64_t start, uint64_t end, int prot);
/* The range holding addr, or NULL. */
const struct gmap_range *gmap_find(const struct gmap *m, uint64_t addr);
/* The first range ending after addr (it may start after addr), or NULL. */
const struct gmap_range *gmap_next(const struct gmap *m, uint64_t addr);

#endif
