/* tc_views.c -- the code cache's memory: two views of the same pages.
 * Translated code runs in an executable view that is never writable;
 * emission, chaining and every patch write through a read-write alias
 * mapped elsewhere (be_code.rw_delta, be_writable()).  So a guest store
 * through a wild pointer into code it can jump to faults (a guest SIGSEGV)
 * instead of changing host code, and no page is writable and executable
 * at once.
 *
 * The pages are a memfd's, closed once both views are mapped (no ferry
 * descriptor in the guest's fd space); neither view is the guest's, so
 * the guest's /proc/self/maps never lists them.  Both views are shared
 * memory, which a fork would share with the child: the child copies the
 * code into pages of its own (tc_views_fork_child).
 *
 * When instruction fetch does not see code rewritten through an alias
 * (be_fetch_sees_alias: qemu-user notices changed code only through the
 * address it runs at, and would run stale code after a chain patch or a
 * flush), the memfd stays open as ferry's own descriptor (cfg.keep_fd) and
 * rewritten pages are mapped again (tc_code_rewritten).  One RWX mapping
 * (rw_delta 0) when memfd_create is refused (seccomp) or that is needed
 * but cannot be had, and from the moment the guest needs the memfd's
 * number (tc_views_go_single). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#include <fcntl.h>
#include <unistd.h>

#include "tr_internal.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x10u
#endif

static _Noreturn void views_fatal(const char *what)
{
    fprintf(stderr, "ferry: code cache: %s\n", what);
    exit(1);
}

static void map_single(struct tr_code_cache *tc, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        views_fatal("cannot map the code cache");
    tc->base = p;
    tc->rw_delta = 0;
}

/* Newer kernels warn about an executable memfd created without MFD_EXEC;
 * older ones refuse the flag. */
static int code_memfd(size_t size)
{
    int fd = memfd_create("ferry-code", MFD_CLOEXEC | MFD_EXEC);
    if (fd < 0)
        fd = memfd_create("ferry-code", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The alias goes well away from the code (a hint; anywhere else will do)
 * so that running off the end of one view never reaches the other. */
static bool map_views_of(int fd, size_t size, uint8_t **rx, uint8_t **rw)
{
    *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (*rx == MAP_FAILED)
        return false;
    uint8_t *hint = *rx > (uint8_t *)((uintptr_t)1 << 40) ? *rx - ((uintptr_t)1 << 38)
                                                          : *rx + size + ((uintptr_t)1 << 32);
    *rw = mmap(hint, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (*rw != MAP_FAILED)
        return true;
    munmap(*rx, size);
    return false;
}

static bool fetch_sees_alias(uint8_t *rx, uint8_t *rw)
{
    if (!be_fetch_sees_alias)
        return true;
    bool seen = be_fetch_sees_alias(rw, rx);
    memset(rw, 0, 4096);
    return seen;
}

static bool map_views(struct tr_code_cache *tc, size_t size,
                      const int *(*keep_fd)(int fd))
{
    uint8_t *rx = NULL, *rw = NULL;
    int fd = code_memfd(size);
    if (fd < 0)
        return false;
    bool ok = map_views_of(fd, size, &rx, &rw);
    if (ok && keep_fd)
        tc->code_fd = keep_fd(fd);      /* (then fd is closed) */
    tc->emulated = ok && !fetch_sees_alias(rx, rw);
    if (tc->emulated && !(tc->remap_fd = tc->code_fd)) {
        munmap(rx, size);
        munmap(rw, size);
        ok = false;
    }
    if (!tc->code_fd)
        close(fd);
    tc->base = rx;
    tc->rw_delta = rw - rx;
    if (ok)                 /* where the probe ran */
        tc_code_rewritten(tc, rx, 1);
    return ok;
}

static size_t remapped_bytes(const struct tr_code_cache *tc)
{
    return (size_t)(tc->end - tc->base) / (size_t)getpagesize() / 8 + 1;
}

void tc_views_map(struct tr_code_cache *tc, size_t size, const int *(*keep_fd)(int fd))
{
    if (!map_views(tc, size, keep_fd))
        map_single(tc, size);
    tc->end = tc->base + size;
    if (tc->rw_delta) {
        tc->remapped = calloc(remapped_bytes(tc), 1);
        tc->kernel_written = calloc(remapped_bytes(tc), 1);
    }
    tc_views_rewind(tc);
}

/* ---- the alias's pages ------------------------------------------------------
 * A process's RSS counts a page once for each mapping of it: every page of
 * code counted twice, once in each view (cc1 -O2: 24 MB of code, 48 MB of
 * RSS).  So the alias lets go of the pages well behind the emission point
 * (MADV_DONTNEED on a shared mapping only unmaps them: the code stays, the
 * executable view keeps running it); a later chain patch there maps its
 * page again, until the next trim -- unless it can be written with pwrite
 * (tc_views_write_patch below: one thread only).  Most patches land near the emission
 * point (a block's successors are translated right after it), but a
 * long run that translates little new code patches all over what it
 * has (warm cc1 -O2: 8,000 pages mapped again, 10 MB of the alias): so
 * the alias is trimmed again once REPOP_MAX bytes were mapped again.
 * The regular trims drop only the pages that aged past TRIM_LAG since the
 * last one, and a page mapped again is noted (tc.remapped) and not asked
 * for again until the next whole trim: a warm cc1 of zlib's deflate.c
 * patched 4,100 pages of old code, asked the kernel 13,100 times for them
 * when every trim dropped them all and each patch asked again (9,200 now). */
#define TRIM_STEP ((size_t)2 << 20)     /* trim every 2 MiB of code */
#define TRIM_LAG ((size_t)1 << 20)      /* the last MiB stays mapped */
#define REPOP_MAX ((size_t)256 << 10)   /* and when patches mapped 256 KiB again */
#define AHEAD ((size_t)256 << 10)       /* pages populated ahead of emission */
#define AHEAD_MARGIN ((size_t)64 << 10)

void tc_views_rewind(struct tr_code_cache *tc)
{
    tc->trim_next = TRIM_STEP + TRIM_LAG;
    tc->trimmed = 0;
    tc->rw_ready = 0;
    tc->repopulated = 0;
    if (tc->remapped)
        memset(tc->remapped, 0, remapped_bytes(tc));
    if (tc->kernel_written)
        memset(tc->kernel_written, 0, remapped_bytes(tc));
    tc->n_deferred = tc->deferred_stale = 0;    /* (their blocks are gone) */
}

/* The alias's pages [from, trimmed) let go; from 0, those mapped again too. */
static void trim(struct tr_code_cache *tc, size_t from)
{
    madvise(tc->base + tc->rw_delta + from, tc->trimmed - from, MADV_DONTNEED);
    if (from)
        return;
    tc->repopulated = 0;
    if (tc->remapped)
        memset(tc->remapped, 0, remapped_bytes(tc));
}

/* Maps the pages at offsets [from, to) of the alias (and of the code's
 * view too when `run`) at once; fine if refused (they fault in). */
static void populate(struct tr_code_cache *tc, size_t from, size_t to, bool run)
{
    size_t page = (size_t)getpagesize();
    from &= ~(page - 1);
    to = (to + page - 1) & ~(page - 1);
    if (to > (size_t)(tc->end - tc->base))
        to = (size_t)(tc->end - tc->base);
    if (to <= from)
        return;
    madvise(tc->base + tc->rw_delta + from, to - from, MADV_POPULATE_WRITE);
    if (run)
        madvise(tc->base + from, to - from, MADV_POPULATE_READ);
}

/* ahead: the pages after ptr are mapped ahead of the stores that will
 * write them -- not after a staged batch: the next code is most likely the
 * next batch, which the kernel writes, and populating its pages would only
 * have the kernel clear them first (a warm cc1: 23 MB, ~3 % of its time in
 * clear_page) and map alias pages that nothing stores to. */
static void views_written(struct tr_code_cache *tc, bool ahead)
{
    size_t used = (size_t)(tc->ptr - tc->base), page = (size_t)getpagesize();
    if (!tc->rw_delta || tc->stage_from)    /* (a staged batch: its pwrite makes its pages) */
        return;
    if (ahead && used + AHEAD_MARGIN > tc->rw_ready) {
        size_t from = tc->rw_ready > used ? tc->rw_ready : used;
        tc->rw_ready = used + AHEAD;
        populate(tc, from, tc->rw_ready, true);
    }
    if (used < tc->trim_next)
        return;
    tc->trim_next = used + TRIM_STEP;
    size_t from = tc->trimmed;
    tc->trimmed = (used - TRIM_LAG) & ~(page - 1);
    trim(tc, from);
}

void tc_views_written(struct tr_code_cache *tc)
{
    views_written(tc, true);
}

void tc_views_will_patch(struct tr_code_cache *tc, const uint8_t *code, size_t len)
{
    size_t at = (size_t)(code - tc->base);
    if (!tc->rw_delta || at >= tc->trimmed)
        return;
    if (tc->repopulated >= REPOP_MAX)
        trim(tc, 0);
    size_t page = (size_t)getpagesize();
    for (size_t p = at / page; p <= (at + len - 1) / page; p++) {
        if (tc->remapped && (tc->remapped[p / 8] >> p % 8 & 1))
            continue;
        populate(tc, p * page, (p + 1) * page, false);
        if (tc->remapped)
            tc->remapped[p / 8] |= (uint8_t)(1u << p % 8);
        tc->repopulated += page;
    }
}

/* Whether a store through the alias into [code, code + len) would first
 * map a page of it again (let go by a trim, not mapped since). */
static bool alias_gone(const struct tr_code_cache *tc, const uint8_t *code, size_t len)
{
    size_t at = (size_t)(code - tc->base), page = (size_t)getpagesize();
    if (!tc->rw_delta || at >= tc->trimmed)
        return false;
    for (size_t p = at / page; p <= (at + len - 1) / page; p++)
        if (!tc->remapped || !(tc->remapped[p / 8] >> p % 8 & 1))
            return true;
    return false;
}

/* ---- chain patches into old code ------------------------------------------
 * A warm cc1 -O2 chains 8,000 jumps in code whose alias pages a trim let
 * go (its successors were restored long after it): each mapped its page
 * again (MADV_POPULATE_WRITE) and then paid the first touch of a writable
 * page, 15-35 us under this VM's shadow paging (a read-only page's is
 * ~1 us), and every 256 KiB of those another whole trim.  A pwrite of the
 * changed bytes into the memfd costs ~1.5 us and maps nothing: the kernel
 * writes through its own mapping.  The backend patches a copy of the
 * block (read through the executable view), and the bytes that differ are
 * written.  Only while one thread runs the code (`alone`): the kernel's
 * copy is not one atomic store, and another thread could fetch the jump
 * half-written. */
#define PATCH_COPY_MAX 4096u

bool tc_views_write_patch(struct tr_code_cache *tc, const uint8_t *code, size_t len, uint8_t *site,
                          const uint8_t *target)
{
    /* the copy sits at the code's offset within 64 bytes: the backend's
     * stores depend on the site's alignment (x64 set_rel32) */
    uint8_t copy[PATCH_COPY_MAX + 64] __attribute__((aligned(64)));
    size_t lead = (uintptr_t)code & 63;
    if (!tc->code_fd || len > PATCH_COPY_MAX || site < code || site >= code + len ||
        !(alias_gone(tc, code, len) || tc_views_kernel_wrote(tc, code)))
        return false;
    uint8_t *buf = copy + lead;
    memcpy(buf, code, len);
    be_patch_jump(site, buf - code, target);
    size_t lo = 0, hi = len;
    while (lo < len && buf[lo] == code[lo])
        lo++;
    while (hi > lo && buf[hi - 1] == code[hi - 1])
        hi--;
    if (lo == hi)                       /* nothing to change (a jump that cannot reach) */
        return true;
    int fd = __atomic_load_n(tc->code_fd, __ATOMIC_ACQUIRE);
    if (pwrite(fd, buf + lo, hi - lo, (off_t)(code - tc->base) + (off_t)lo) != (ssize_t)(hi - lo))
        return false;                   /* (then through the alias: the same bytes) */
    be_code_written((uint8_t *)code + lo, hi - lo);
    tc->patches_written++;
    return true;
}

/* ---- restoring ahead ----------------------------------------------------------
 * A restored block's copy into the alias paid the first user-mode store
 * of each new alias page, 15-35 us under this VM's shadow paging (8-9 % of
 * a warm /bin/true, in tcache.c's memcpy); the kernel's copy (pwrite) does
 * not.  So the persistent cache restores a batch of records ahead (the
 * order they were first used in last time), places and chains them in a
 * staging buffer, and writes the batch into the memfd by one pwrite before
 * any of it can run (tc_views_stage_end; the backends read a chain site
 * where they write it, so the chain pass needs nothing where the code
 * runs).  Later chain patches into those pages go by
 * pwrite too while one thread runs (kernel_written), so the alias pages
 * are never touched at all.  Only while one thread runs code: the batch's
 * blocks are registered before the pwrite (its chains need them). */
bool tc_views_stage_begin(struct tr_code_cache *tc, uint8_t *buf, size_t cap)
{
    uint8_t *page = (uint8_t *)((uintptr_t)tc->ptr & ~(uintptr_t)4095);
    if (!tc->code_fd || !tc->rw_delta || !tc->kernel_written || !buf ||
        !__atomic_load_n(&tc->patch_by_write, __ATOMIC_RELAXED) || tc->ptr + 4096 > tc->end)
        return false;
    tc->stage_from = tc->ptr;
    tc->stage_delta = buf - page;
    tc->stage_buf = buf;
    tc->stage_cap = cap;
    tc->stage_end = page + cap < tc->end ? page + cap : tc->end;
    return true;
}

bool tc_views_kernel_wrote(const struct tr_code_cache *tc, const uint8_t *code)
{
    size_t p = (size_t)(code - tc->base) >> 12;
    return tc->kernel_written && (tc->kernel_written[p / 8] >> p % 8 & 1);
}

/* Chains into kernel-written code (a block restored ahead whose successor
 * came later) are not written one pwrite each (~3 us a system call here:
 * /bin/true made 280 of them, as dear as the stores they replaced): the
 * exit keeps leaving through its stub -- the dispatcher finds the
 * successor, as it does under an emulator until tc_views_sync -- until
 * DEFERRED_STALE such exits were taken or the list is full, then all are
 * written at once, a window of the code at a time: read from where it
 * runs into the staging buffer, patched there, written back with one
 * pwrite (one thread: the bytes not patched are rewritten unchanged).
 * With more threads, each through the alias as usual. */
#define DEFERRED_STALE 64
/* A window spans the deferred chains' blocks with gaps of up to this
 * between them (the code between is rewritten as it is): a pwrite's own
 * cost is about that of copying 8 KiB.  Windows that spanned everything
 * within the staging buffer's 256 KiB wrote 306 MB for a warm cc1 whose
 * blocks were restored ahead from its 54 MB file (23 MB of code). */
#define DEFERRED_GAP 4096

bool tc_views_defer(struct tr_code_cache *tc, struct tr_block *from, int slot)
{
    if (!tc->stage_buf || tc->stage_from || !tc_views_kernel_wrote(tc, from->code) ||
        !tc_views_kernel_wrote(tc, from->code + from->code_size - 1) || from->code_size > tc->stage_cap / 2 ||
        !__atomic_load_n(&tc->patch_by_write, __ATOMIC_RELAXED))
        return false;
    if (tc->n_deferred == TC_DEFERRED_MAX)
        tc_views_write_deferred(tc);
    tc->deferred[tc->n_deferred] = from;
    tc->deferred_slot[tc->n_deferred++] = (uint8_t)slot;
    return true;
}

/* One slot's jump as chain_to says now (a chain dropped since: its stub). */
static void deferred_patch(struct tr_block *from, int slot, intptr_t delta)
{
    const struct tr_block *to = from->chain_to[slot];
    be_patch_jump(from->code + from->jump_site[slot], delta,
                  to ? tc_chain_entry(from, to) : from->code + from->stub[slot]);
}

/* The deferred chains sorted by their blocks' code (insertion: 256 at most). */
static void deferred_sort(struct tr_code_cache *tc, unsigned n)
{
    for (unsigned k = 1; k < n; k++)
        for (unsigned j = k; j > 0 && tc->deferred[j - 1]->code > tc->deferred[j]->code; j--) {
            struct tr_block *b = tc->deferred[j];
            uint8_t s = tc->deferred_slot[j];
            tc->deferred[j] = tc->deferred[j - 1];
            tc->deferred_slot[j] = tc->deferred_slot[j - 1];
            tc->deferred[j - 1] = b;
            tc->deferred_slot[j - 1] = s;
        }
}

void tc_views_write_deferred(struct tr_code_cache *tc)
{
    unsigned n = tc->n_deferred;
    if (tc->stage_from)                 /* (the buffer is the batch's: later) */
        return;
    tc->n_deferred = tc->deferred_stale = 0;
    if (!__atomic_load_n(&tc->patch_by_write, __ATOMIC_RELAXED)) {
        for (unsigned k = 0; k < n; k++) {
            struct tr_block *from = tc->deferred[k];
            int slot = tc->deferred_slot[k];
            if (!from->invalid)
                tc_views_patch_jump(tc, from->code, from->code_size, from->code + from->jump_site[slot],
                                    from->chain_to[slot] ? tc_chain_entry(from, from->chain_to[slot])
                                                         : from->code + from->stub[slot]);
        }
        return;
    }
    deferred_sort(tc, n);
    int fd = __atomic_load_n(tc->code_fd, __ATOMIC_ACQUIRE);
    for (unsigned k = 0, j; k < n; k = j) {
        uint8_t *lo = (uint8_t *)((uintptr_t)tc->deferred[k]->code & ~(uintptr_t)15), *hi = lo;
        for (j = k; j < n && tc->deferred[j]->code <= hi + DEFERRED_GAP &&
                    tc->deferred[j]->code + tc->deferred[j]->code_size <= lo + tc->stage_cap; j++)
            hi = tc->deferred[j]->code + tc->deferred[j]->code_size > hi ?
                 tc->deferred[j]->code + tc->deferred[j]->code_size : hi;
        memcpy(tc->stage_buf, lo, (size_t)(hi - lo));
        for (unsigned i = k; i < j; i++)
            if (!tc->deferred[i]->invalid)
                deferred_patch(tc->deferred[i], tc->deferred_slot[i], tc->stage_buf - lo);
        bool ok = pwrite(fd, tc->stage_buf, (size_t)(hi - lo), (off_t)(lo - tc->base)) == (ssize_t)(hi - lo);
        for (unsigned i = k; i < j && !ok; i++)     /* (else through the alias) */
            if (!tc->deferred[i]->invalid)
                deferred_patch(tc->deferred[i], tc->deferred_slot[i], tc->rw_delta);
        be_code_written(lo, (size_t)(hi - lo));
        tc_code_rewritten(tc, lo, (size_t)(hi - lo));
        tc->patches_written += j - k;
    }
}

/* The staged code [stage_from, ptr) into the memfd; false: not written. */
static bool stage_pwrite(struct tr_code_cache *tc)
{
    uint8_t *from = tc->stage_from;
    size_t len = (size_t)(tc->ptr - from);
    int fd = __atomic_load_n(tc->code_fd, __ATOMIC_ACQUIRE);
    return pwrite(fd, from + tc->stage_delta, len, (off_t)(from - tc->base)) == (ssize_t)len;
}

void tc_views_stage_end(struct tr_code_cache *tc)
{
    uint8_t *from = tc->stage_from;
    size_t len = (size_t)(tc->ptr - from), page = 4096;
    if (!from)
        return;
    bool written = len && stage_pwrite(tc);
    tc->stage_from = NULL;
    if (!len)
        return;
    if (!written)
        memcpy(from + tc->rw_delta, from + tc->stage_delta, len);     /* (the same bytes) */
    else
        for (size_t p = ((size_t)(from - tc->base) + page - 1) / page; p * page < (size_t)(tc->ptr - tc->base); p++)
            tc->kernel_written[p / 8] |= (uint8_t)(1u << p % 8);
    be_code_written(from, len);
    tc_code_rewritten(tc, from, len);
    if (written)                        /* where it runs: one call, not a fault a page */
        madvise((uint8_t *)((uintptr_t)from & ~(uintptr_t)(page - 1)),
                (size_t)(tc->ptr - (uint8_t *)((uintptr_t)from & ~(uintptr_t)(page - 1))), MADV_POPULATE_READ);
    views_written(tc, !written);
}

/* Code at [code, code + len) was rewritten after it may have run: only an
 * emulator needs more than the backend's cache maintenance, a new mapping
 * of those pages (qemu-user drops what it translated from them). */
void tc_code_rewritten(struct tr_code_cache *tc, const uint8_t *code, size_t len)
{
    if (!tc->remap_fd)
        return;
    uintptr_t page = (uintptr_t)getpagesize();
    uintptr_t from = (uintptr_t)code & ~(page - 1);
    uintptr_t to = ((uintptr_t)code + len + page - 1) & ~(page - 1);
    int fd = __atomic_load_n(tc->remap_fd, __ATOMIC_ACQUIRE);
    if (mmap((void *)from, to - from, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_NORESERVE | MAP_FIXED,
             fd, (off_t)(from - (uintptr_t)tc->base)) != (void *)from)
        views_fatal("cannot map rewritten code again");
}

/* ---- chain patches under an emulator ----------------------------------------
 * Each mapping of rewritten pages makes qemu-user drop everything it
 * translated from them, so one per chain patch (40,000 in a warm python3
 * start-up) cost more than the whole run (sys 3 s of 7 s, and 80 MB of
 * qemu's memory).  A chain patch need not be seen at once: the code before
 * it still leaves through the slot's stub and the dispatcher finds the
 * successor (tc_chain tells tc_views_stale_exit).  So the pages are noted
 * and mapped again together, once the stale exits add up (a hot loop
 * gets its chains soon) or the list is full. */
#define STALE_EXITS 512

static int page_order(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void tc_views_sync(struct tr_code_cache *tc)
{
    size_t page = (size_t)getpagesize();
    qsort(tc->patched, tc->n_patched, sizeof tc->patched[0], page_order);
    for (unsigned k = 0; k < tc->n_patched;) {
        unsigned j = k + 1;
        while (j < tc->n_patched && tc->patched[j] <= tc->patched[j - 1] + 1)
            j++;
        tc_code_rewritten(tc, tc->base + (size_t)tc->patched[k] * page,
                          (size_t)(tc->patched[j - 1] - tc->patched[k] + 1) * page);
        k = j;
    }
    tc->n_patched = 0;
    tc->stale_exits = 0;
}

void tc_code_patched(struct tr_code_cache *tc, const uint8_t *code, size_t len)
{
    if (!tc->remap_fd)
        return;
    size_t page = (size_t)getpagesize();
    for (size_t p = (size_t)(code - tc->base) / page; p <= (size_t)(code + len - 1 - tc->base) / page; p++) {
        if (tc->n_patched && tc->patched[tc->n_patched - 1] == p)
            continue;
        if (tc->n_patched == TC_PATCHED_MAX)
            tc_views_sync(tc);
        tc->patched[tc->n_patched++] = (uint32_t)p;
    }
}

void tc_views_stale_exit(struct tr_code_cache *tc)
{
    if (tc->n_deferred && ++tc->deferred_stale >= DEFERRED_STALE)
        tc_views_write_deferred(tc);
    if (tc->n_patched && ++tc->stale_exits >= (unsigned)STALE_EXITS)
        tc_views_sync(tc);
}

/* The views are shared memory: without this, code the child translates
 * would overwrite the parent's, and the parent's writes after the fork
 * would reach the child's.  Before the fork, with every code writer
 * locked out (tr_fork_prepare), the code translated so far is copied into
 * a new memfd; the child moves both views onto it, the parent drops it. */
void tc_views_fork_prepare(struct tr_code_cache *tc)
{
    tc->fork_fd = -1;
    if (!tc->rw_delta)
        return;
    size_t size = (size_t)(tc->end - tc->base);
    size_t used = (size_t)(tc->ptr - tc->base);
    int fd = code_memfd(size);
    if (fd < 0 || pwrite(fd, tc->base, used, 0) != (ssize_t)used)
        views_fatal("cannot copy the code cache for a fork");
    tc->fork_fd = fd;
}

void tc_views_fork_parent(struct tr_code_cache *tc)
{
    if (tc->fork_fd >= 0)
        close(tc->fork_fd);
    tc->fork_fd = -1;
}

void tc_views_fork_child(struct tr_code_cache *tc)
{
    int fd = tc->fork_fd;
    if (fd < 0)
        return;
    size_t size = (size_t)(tc->end - tc->base);
    uint8_t *rw = tc->base + tc->rw_delta;
    bool ok = mmap(rw, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE | MAP_FIXED,
                   fd, 0) == rw &&
              mmap(tc->base, size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_NORESERVE | MAP_FIXED,
                   fd, 0) == tc->base;
    if (tc->code_fd)        /* ferry's number now names the child's pages */
        ok = ok && tc->replace_fd && tc->replace_fd(tc->code_fd, fd);
    else
        close(fd);
    tc->fork_fd = -1;
    if (!ok)
        views_fatal("cannot map the code cache of a forked process");
    tc->repopulated = 0;                /* (the alias is a new mapping: nothing in it) */
    if (tc->remapped)
        memset(tc->remapped, 0, remapped_bytes(tc));
}

/* The guest needs the memfd's number (soft = hard RLIMIT_NOFILE and every
 * other number taken: syscalls/sys_ferry_fd.c gives ferry's descriptors
 * up): the code moves onto one private RWX mapping at the same address,
 * as when memfd_create is refused, and the memfd is used no more -- so
 * nothing later needs a descriptor (a fork's copy, an emulator's remap, a
 * pwrite).  Only while one thread runs code (the mapping is replaced
 * under it); false otherwise.  Chains deferred for the kernel's copy are
 * written first, through the memfd still open. */
bool tc_views_go_single(struct tr_code_cache *tc)
{
    size_t size = (size_t)(tc->end - tc->base), used = (size_t)(tc->ptr - tc->base);
    if (!tc->rw_delta) {
        tc->code_fd = tc->remap_fd = NULL;
        return true;
    }
    if (!__atomic_load_n(&tc->patch_by_write, __ATOMIC_RELAXED) || tc->stage_from)
        return false;
    tc_views_write_deferred(tc);
    uint8_t *copy = mmap(NULL, used + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED)
        return false;
    memcpy(copy, tc->base, used);
    if (mmap(tc->base, size, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) != tc->base)
        views_fatal("cannot map the code cache again");
    memcpy(tc->base, copy, used);
    munmap(copy, used + 1);
    munmap(tc->base + tc->rw_delta, size);
    tc->rw_delta = 0;
    tc->code_fd = tc->remap_fd = NULL;
    tc->n_patched = tc->stale_exits = 0;
    free(tc->kernel_written);           /* (nothing is written by the kernel now) */
    tc->kernel_written = NULL;
    be_code_written(tc->base, used);
    return true;
}
