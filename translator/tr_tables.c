/* tr_tables.c -- zeroed memory for the translator's long-lived tables: the
 * engine with its block hash, the register allocator's state, the x86
 * frontend's decode cache and successor-scan memo (about 1.1 MB together,
 * never freed).  Hashed by guest pc, each is touched all over by a process
 * that runs even a little code, and every page first touched is a fault,
 * 10-80 us on a machine with shadow paging (about 130 of them for
 * /bin/true).  They are carved from one 2 MiB region and each is
 * populated when carved: one system call instead of a fault per page, and
 * only the 1.1 MB used resident (a huge page, advised in session 8, made
 * it 2 MB).  What does not fit is calloc'd. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#include "translator.h"

/* Under LeakSanitizer the region must be a root: the engine kept there
 * holds the only pointers to heap blocks (the fuzzers' leak check). */
#if defined(__SANITIZE_ADDRESS__)
#define TABLES_LSAN_ROOT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define TABLES_LSAN_ROOT 1
#endif
#endif
#ifdef TABLES_LSAN_ROOT
#include <sanitizer/lsan_interface.h>
#endif

#define TABLES_SIZE ((size_t)2 << 20)

static uint8_t *tables;
static size_t tables_used;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;

/* size bytes of read-write memory (rounded up to align, a power of two)
 * aligned to align, or NULL: size + align bytes are reserved and the
 * ends outside the aligned part given back. */
static void *map_aligned_to(size_t size, size_t align)
{
    size = (size + align - 1) & ~(align - 1);
    uint8_t *map = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    uint8_t *t = (uint8_t *)(((uintptr_t)map + align - 1) & ~(uintptr_t)(align - 1));
    if (t > map)
        munmap(map, (size_t)(t - map));
    if (map + size + align > t + size)
        munmap(t + size, (size_t)(map + size + align - (t + size)));
    return t;
}

/* size bytes of read-write memory aligned to size (a power of two), or NULL. */
void *tr_map_aligned(size_t size)
{
    return map_aligned_to(size, size);
}

/* Under shadow paging (this project's machines) the first touch of each
 * 4 KiB page costs 20-40 us even when the page was populated (the
 * hypervisor maps it then), while a 2 MiB page costs ~180 us once: the
 * tables (1.3 MB, touched all over by any process) and the block pool's
 * first megabytes are huge pages when the kernel has them to give.
 * size zeroed bytes (rounded up to 2 MiB), 2 MiB-aligned, never freed;
 * NULL if out of address space. */
void *tr_pool_map(size_t size)
{
    uint8_t *t = map_aligned_to(size, TABLES_SIZE);
    if (!t)
        return NULL;
    size = (size + TABLES_SIZE - 1) & ~(TABLES_SIZE - 1);
    madvise(t, size, MADV_HUGEPAGE);
#ifdef TABLES_LSAN_ROOT
    __lsan_register_root_region(t, size);
#endif
    return t;
}

/* A region of tr_pool_map's, of the size it was asked for, given back. */
void tr_pool_unmap(void *p, size_t size)
{
    size = (size + TABLES_SIZE - 1) & ~(TABLES_SIZE - 1);
#ifdef TABLES_LSAN_ROOT
    __lsan_unregister_root_region(p, size);
#endif
    munmap(p, size);
}

/* Maps the pages of [at, at+size) of the region at once (fine if
 * refused: they fault in), and up to the next 64 KiB: the carves after
 * the first few are small (the decoder's 2 KiB instruction slots, one at
 * a time, ~40 for a cold /bin/true), and a system call for each of their
 * pages -- when the region is one huge page, a call that does nothing --
 * was 80 of a cold /bin/true's 88 madvise calls.  Pages below the mark
 * are never asked for again; a gap an alignment skipped stays untouched. */
#define TABLES_AHEAD ((size_t)64 << 10)
static size_t tables_populated;

static void populate(size_t at, size_t size)
{
    size_t page = 4096, from = at & ~(page - 1), to = at + size;
    if (from < tables_populated)
        from = tables_populated;
    if (from >= to)
        return;
    to = (to + TABLES_AHEAD - 1) & ~(TABLES_AHEAD - 1);
    to = to < TABLES_SIZE ? to : TABLES_SIZE;
    madvise(tables + from, to - from, MADV_POPULATE_WRITE);
    tables_populated = to;
}

/* The region is 2 MiB-aligned, so an offset aligned to align (a power of
 * two up to 2 MiB) is an address aligned to it; the gap stays untouched. */
static void *carve(size_t size, size_t align)
{
    size = (size + 63) & ~(size_t)63;
    if (!tables && !(tables = tr_pool_map(TABLES_SIZE)))
        return NULL;
    size_t at = (tables_used + align - 1) & ~(align - 1);
    if (at > TABLES_SIZE || size > TABLES_SIZE - at)
        return NULL;
    tables_used = at + size;
    populate(at, size);
    return tables + at;
}

/* size bytes of the tables' region, or NULL when it is full. */
void *tr_table_carve(size_t size, size_t align)
{
    pthread_mutex_lock(&tables_lock);
    void *p = carve(size, align < 64 ? 64 : align);
    pthread_mutex_unlock(&tables_lock);
    return p;
}

void *tr_table_alloc(size_t size)
{
    pthread_mutex_lock(&tables_lock);
    void *p = carve(size, 64);
    pthread_mutex_unlock(&tables_lock);
    return p ? p : calloc(1, size);
}
