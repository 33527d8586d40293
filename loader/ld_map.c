/* ld_map.c -- places a validated program's PT_LOAD segments in memory.
 *
 * The whole span of the segments is reserved first (at its own address
 * for ET_EXEC, with MAP_FIXED_NOREPLACE so ferry's own mappings are never
 * clobbered; for ET_DYN near the caller's hint -- ELF_ET_DYN_BASE for a
 * PIE main program, anywhere the host likes for the interpreter, as
 * Linux does, or at its file's slot while the translation cache is on,
 * ld_place.c).  Then, as the kernel's elf_map does, each segment's file
 * pages are mapped from the file (MAP_PRIVATE) over the reservation: no
 * copy, page cache shared with every process running the same program,
 * and /proc/self/maps names the file (profilers, debuggers, programs that
 * look for their own file).  A segment is copied instead where mapping
 * cannot reproduce it: a host whose pages are not the guest's 4 KiB, a
 * file offset not congruent with the address, or a page shared with a
 * segment whose file pages lie elsewhere.  The bss past the file bytes
 * is zero (the rest of the reservation), then each page gets the
 * protections of the segments on it (noted in the ld_image for the
 * caller to hand on). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "ld_internal.h"

#define LD_MAP_FAILED ((uint64_t)-1)

static struct ld_va ld_va_now = { LD_USER_TOP, LD_STACK_TOP, NULL };

void ld_va_set(const struct ld_va *va) { ld_va_now = *va; }
const struct ld_va *ld_va_get(void) { return &ld_va_now; }
uint64_t ld_dyn_base(void) { return LD_PAGE_DOWN(ld_va_now.task_size / 3 * 2); }

void *ld_va_mmap(void *hint, size_t len, int prot, int flags, int fd, long off)
{
    if (ld_va_now.map)
        return ld_va_now.map(hint, len, prot, flags, fd, off);
    return mmap(hint, len, prot, flags, fd, (off_t)off);
}

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

/* An ET_DYN to be placed by file (the interpreter while the translation
 * cache is on): at its slot, or NULL. */
static void *ld_reserve_placed(struct ld_program *p, size_t len, int flags)
{
    struct stat st;
    if (!p->place_by_file || p->elf.type != ET_DYN || p->elf.fd < 0 || fstat(p->elf.fd, &st) != 0)
        return NULL;
    void *m = ld_place_map(&st, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

/* Returns the host address of the reservation (== guest lo + bias). */
static uint8_t *ld_reserve(struct ld_program *p, uint64_t dyn_hint)
{
    size_t len = p->hi - p->lo;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *placed = ld_reserve_placed(p, len, flags);
    if (placed)
        return placed;
    void *want = p->elf.type == ET_EXEC ? (void *)(uintptr_t)p->lo : NULL;
    if (want && p->hi > ld_va_now.task_size) {
        errno = ENOMEM;             /* above the guest's address space, as Linux */
        return NULL;
    }
    if (want)
        flags |= MAP_FIXED_NOREPLACE;
    /* A hint only, so the heap has room to grow above a PIE main program
     * as it would natively; below the guest's top (ld_va_mmap). */
    void *m = want ? mmap(want, len, PROT_READ | PROT_WRITE, flags, -1, 0)
                   : ld_va_mmap((void *)(uintptr_t)dyn_hint, len, PROT_READ | PROT_WRITE, flags, -1, 0);
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

/* Address minus file offset: segments with the same delta agree on the
 * file page behind every virtual page. */
static uint64_t ld_delta(const struct ld_segment *s) { return s->vaddr - s->offset; }

static bool ld_pages_overlap(const struct ld_segment *a, const struct ld_segment *b)
{
    return LD_PAGE_DOWN(a->vaddr) < LD_PAGE_UP(b->vaddr + b->memsz) &&
           LD_PAGE_DOWN(b->vaddr) < LD_PAGE_UP(a->vaddr + a->memsz);
}

static bool ld_can_map_file(const struct ld_program *p, int i)
{
    const struct ld_segment *s = &p->seg[i];
    if (sysconf(_SC_PAGESIZE) != (long)LD_PAGE_SIZE || p->elf.fd < 0 || !s->filesz ||
        ld_delta(s) % LD_PAGE_SIZE)
        return false;
    for (int j = 0; j < p->nseg; j++)
        if (j != i && ld_pages_overlap(s, &p->seg[j]) && ld_delta(&p->seg[j]) != ld_delta(s))
            return false;
    return true;
}

/* With the segment's own protection, as the kernel maps it (a read-only
 * segment mapped writable would be accounted, and /proc/self/maps would
 * differ). */
static int ld_map_file(struct ld_program *p, const struct ld_segment *s, uint64_t bias)
{
    uint64_t start = LD_PAGE_DOWN(s->vaddr), end = LD_PAGE_UP(s->vaddr + s->filesz);
    int prot = ld_host_prot(s->prot);
    void *m = mmap((void *)(uintptr_t)(start + bias), end - start, prot,
                   MAP_PRIVATE | MAP_FIXED, p->elf.fd, (off_t)LD_PAGE_DOWN(s->offset));
    return m == MAP_FAILED ? -1 : 0;
}

/* A writable segment with bss has the rest of its last file page zeroed,
 * to the page's end as the kernel's padzero does (ld.so's early allocator
 * uses that tail as zeroed memory); later pages are the reservation's
 * zeros.  Without bss, or read-only (the kernel's padzero fails there and
 * is ignored: a static program's IRELATIVE table can sit in that tail),
 * the page keeps the file's bytes, as natively.  Without file bytes the
 * segment has no page of its own yet (ld_map_bss maps its pages whole,
 * from the first): nothing to zero, and the page may be another
 * segment's read-only one (a fuzzed input: ferry died of SIGSEGV). */
static void ld_zero_bss_head(const struct ld_segment *s, uint64_t bias)
{
    uint64_t from = s->vaddr + s->filesz, to = LD_PAGE_UP(from);
    if (s->filesz && s->memsz > s->filesz && (s->prot & PROT_WRITE) && to > from)
        memset((void *)(uintptr_t)(from + bias), 0, to - from);
}

static int ld_place_segment(struct ld_program *p, int i, uint64_t bias)
{
    const struct ld_segment *s = &p->seg[i];
    if (ld_can_map_file(p, i) && ld_map_file(p, s, bias) == 0)
        return 0;
    return ld_elf_read(&p->elf, (uint8_t *)(uintptr_t)(s->vaddr + bias), s->filesz, s->offset);
}

/* The bss pages past a segment's file pages, as the kernel's vm_brk
 * makes them: fresh anonymous pages, over whatever an earlier segment put
 * there (segments are placed in table order, each over the ones before),
 * and charged to the host's overcommit accounting as natively (the
 * reservation is MAP_NORESERVE), so a bss the kernel could not give
 * (tens of TiB) fails here too: -1, errno ENOMEM.  Where the host cannot
 * map at a guest page (pages larger than 4 KiB) the range is zeroed. */
/* The kernel's overcommit check (modes 0 and 2 refuse one allocation
 * larger than RAM + swap; mode 1 never refuses), made here rather than
 * left to the host's mmap, and before the reservation: under an emulator
 * (qemu-user) reserving tens of TiB already costs the emulator memory for
 * every page, until the OOM killer ends it. */
static bool ld_bss_too_big(uint64_t bytes)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0 || bytes / si.mem_unit <= (uint64_t)si.totalram + si.totalswap)
        return false;
    char mode = '0';                    /* read only for such a bss: not at every start */
    FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
    if (f) {
        mode = (char)fgetc(f);
        fclose(f);
    }
    return mode != '1';
}

static int ld_map_bss(const struct ld_segment *s, uint64_t bias)
{
    uint64_t from = s->filesz ? LD_PAGE_UP(s->vaddr + s->filesz) : LD_PAGE_DOWN(s->vaddr);
    uint64_t to = LD_PAGE_UP(s->vaddr + s->memsz);
    if (s->memsz <= s->filesz || to <= from)
        return 0;
    void *at = (void *)(uintptr_t)(from + bias);
    if (mmap(at, to - from, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == at)
        return 0;
    if (errno == ENOMEM)
        return -1;
    if (mprotect(at, to - from, PROT_READ | PROT_WRITE) != 0)
        return -1;
    memset(at, 0, to - from);
    return 0;
}

/* Whether some segment's bss is one the kernel's vm_brk would refuse. */
static bool ld_some_bss_too_big(const struct ld_program *p)
{
    for (int i = 0; i < p->nseg; i++)
        if (p->seg[i].memsz > p->seg[i].filesz &&
            ld_bss_too_big(p->seg[i].memsz - p->seg[i].filesz))
            return true;
    return false;
}

uint64_t ld_map_segments(struct ld_program *p, uint64_t hint, struct ld_image *img)
{
    if (ld_some_bss_too_big(p)) {
        errno = ENOMEM;
        return ld_fail(p, "cannot map the segment's memory");
    }
    uint8_t *base = ld_reserve(p, hint);
    if (!base)
        return ld_fail_reserve(p);
    uint64_t bias = (uint64_t)(uintptr_t)base - p->lo;
    for (int i = 0; i < p->nseg; i++) {
        if (ld_place_segment(p, i, bias) != 0)
            return ld_fail(p, "cannot read segment");
        ld_zero_bss_head(&p->seg[i], bias);
        if (ld_map_bss(&p->seg[i], bias) != 0)
            return ld_fail(p, "cannot map the segment's memory");
    }
    if (ld_protect_segments(p, bias, img) != 0)
        return ld_fail(p, "cannot protect segment");
    return bias;
}
