/* guest_map.h -- an interval map of the guest's mappings: page-aligned
 * ranges [start, end) with their protection -- or GMAP_UNMAPPED for
 * ranges known to hold no mapping -- kept sorted and disjoint, adjacent
 * ranges of equal protection merged.  Addresses in no range are not
 * known either way.  The operations are the ones Linux applies to a
 * process's mappings: set (a new mapping, or an unmapped range, replaces
 * whatever was there), protect (changes only the mapped parts of a
 * range); and forget (back to not known).
 *
 * Not thread-safe by itself: its owner locks around it (mem_host.c).
 * Private to the translator (and its unit test).
 */
#ifndef FERRY_GUEST_MAP_H
#define FERRY_GUEST_MAP_H

#include <stddef.h>
#include <stdint.h>

#define GMAP_UNMAPPED (-1)

struct gmap_range {
    uint64_t start, end;        /* [start, end) */
    int prot;                   /* TR_PROT_* bits (guest_mem.h) or GMAP_UNMAPPED */
};

struct gmap {
    struct gmap_range *r;       /* sorted by start, disjoint */
    size_t n, cap;
};

void gmap_free(struct gmap *m);
/* [start, end) becomes one range with prot (a mapping, or GMAP_UNMAPPED),
 * replacing what was there. */
void gmap_set(struct gmap *m, uint64_t start, uint64_t end, int prot);
/* Nothing is known about [start, end) any more (ranges are trimmed or
 * split). */
void gmap_forget(struct gmap *m, uint64_t start, uint64_t end);
/* The mapped parts of [start, end) get prot; unmapped and unknown parts
 * stay so. */
void gmap_protect(struct gmap *m, uint64_t start, uint64_t end, int prot);
/* The range holding addr, or NULL. */
const struct gmap_range *gmap_find(const struct gmap *m, uint64_t addr);
/* The first range ending after addr (it may start after addr), or NULL. */
const struct gmap_range *gmap_next(const struct gmap *m, uint64_t addr);
/* The highest address a with floor <= a and a + len <= top such that no
 * mapped range meets [a, a+len) (unmapped and unknown pages are free):
 * the top-down placement of a new mapping.  0 when there is none. */
uint64_t gmap_gap_below(const struct gmap *m, uint64_t floor, uint64_t top, uint64_t len);

#endif
