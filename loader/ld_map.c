/* ld_map.c -- places a validated program's PT_LOAD segments in memory.
 *
 * The whole span of the segments is reserved first (at its own address
 * for ET_EXEC, with MAP_FIXED_NOREPLACE so ferry's own mappings are never
 * clobbered; for ET_DYN near the caller's hint -- ELF_ET_DYN_BASE for a
 * PIE main program, anywhere the host likes for the interpreter, as
 * Linux does), the file bytes are
 * copied in (the rest of the anonymous reservation is the zeroed bss),
 * then each page gets the protections of the segments on it (noted in
 * the ld_image for the caller to hand on).  Copying rather than
 * file-mapping keeps pages shared by two segments and hosts with larger
 * pages simple. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ld_internal.h"

#define LD_MAP_FAILED ((uint64_t)-1)

static uint64_t ld_fail(struct ld_program *p, const char *what)
{
    snprintf(p->elf.why, sizeof p->elf.why, "%s: %s", what, strerror(errno));
    return LD_MAP_FAILED;
}

static uint64_t ld_fail_reserve(struct ld_program *p)
{
    if (errno != EEXIST)
        return ld_fail(p, "cannot reserve memory for the program");
    snprintf(p->elf.why, sizeof p->elf.why, "segments at 0x%llx-0x%llx collide with ferry's own memory",
             (unsigned long long)p->lo, (unsigned long long)p->hi);
    return LD_MAP_FAILED;
}

/* Returns the host address of the reservation (== guest lo + bias). */
static uint8_t *ld_reserve(struct ld_program *p, uint64_t dyn_hint)
{
    size_t len = p->hi - p->lo;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *want = p->elf.type == ET_EXEC ? (void *)(uintptr_t)p->lo : NULL;
    if (want)
        flags |= MAP_FIXED_NOREPLACE;
    /* A hint only, so the heap has room to grow above a PIE main program
     * as it would natively. */
    void *hint = want ? want : (void *)(uintptr_t)dyn_hint;
    void *m = mmap(hint, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    if (want && m != want) {        /* kernel without MAP_FIXED_NOREPLACE */
        munmap(m, len);
        errno = EEXIST;
        return NULL;
    }
    return m;
}

/* Code must stay readable: ferry decodes guest instructions from it. */
static int ld_host_prot(int prot)
{
    return prot & PROT_EXEC ? prot | PROT_READ : prot;
}

/* Also notes the guest's view of the pages (prot, not the host's). */
static int ld_protect(struct ld_image *img, uint64_t start, uint64_t end, int prot)
{
    if (end <= start)
        return 0;
    if (mprotect((void *)(uintptr_t)start, end - start, ld_host_prot(prot)) != 0)
        return -1;
    ld_note_mapping(img, start, end, prot);
    return 0;
}

/* Segment pages, then pages shared with the next segment get both. */
static int ld_protect_segments(struct ld_program *p, uint64_t bias, struct ld_image *img)
{
    if (ld_protect(img, p->lo + bias, p->hi + bias, PROT_NONE) != 0)
        return -1;
    for (int i = 0; i < p->nseg; i++) {
        const struct ld_segment *s = &p->seg[i];
        uint64_t start = LD_PAGE_DOWN(s->vaddr), end = LD_PAGE_UP(s->vaddr + s->memsz);
        if (ld_protect(img, start + bias, end + bias, s->prot) != 0)
            return -1;
        if (i > 0 && LD_PAGE_UP(p->seg[i - 1].vaddr + p->seg[i - 1].memsz) > start &&
            ld_protect(img, start + bias, start + bias + LD_PAGE_SIZE,
                       s->prot | p->seg[i - 1].prot) != 0)
            return -1;
    }
    return 0;
}

uint64_t ld_map_segments(struct ld_program *p, uint64_t hint, struct ld_image *img)
{
    uint8_t *base = ld_reserve(p, hint);
    if (!base)
        return ld_fail_reserve(p);
    uint64_t bias = (uint64_t)(uintptr_t)base - p->lo;
    for (int i = 0; i < p->nseg; i++) {
        const struct ld_segment *s = &p->seg[i];
        if (ld_elf_read(&p->elf, (uint8_t *)(uintptr_t)(s->vaddr + bias), s->filesz, s->offset) != 0)
            return ld_fail(p, "cannot read segment");
    }
    if (ld_protect_segments(p, bias, img) != 0)
        return ld_fail(p, "cannot protect segment");
    return bias;
}
