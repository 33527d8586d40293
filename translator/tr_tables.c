/* tr_tables.c -- zeroed memory for the translator's long-lived tables: the
 * engine with its block hash, the register allocator's state, the x86
 * frontend's decode cache and successor-scan memo (about 1.5 MB for a
 * warm process, 2.1 MB for a cold one, never freed), and the first part of
 * the block pool beside them.  Hashed by guest pc, each is touched all
 * over by a process that runs even a little code, and every page first
 * touched is a fault, 10-80 us on a machine with shadow paging (about
 * 130 of them for /bin/true).  They are carved from 2 MiB regions advised
 * huge and each is populated when carved: one system call instead of a
 * fault per page.  What does not fit is calloc'd.  Also here: the padding
 * of ferry's data window, handed out once (tr_spare_claim). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
#define POOL_AT ((size_t)3 << 19)        /* the tables' end, the block pool's start (carve) */
#define POOL_ROOM ((size_t)64 << 20)     /* the pool's room after the tables' region */
#define POOL_ROOM_MIN ((size_t)2 << 20)      /* the huge page it rounds to */

/* The room reserved, POOL_ROOM unless a smaller code cache (a finite
 * RLIMIT_AS: syscalls/sys_rlimit_mem.c) needs less: the pool holds a
 * block per 128 bytes of code, as many bytes as the cache at most. */
static size_t pool_room = POOL_ROOM;

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

/* Maps the pages of [at, at+size) of the region at once (fine if
 * refused: they fault in), and up to the next 64 KiB: the carves after
 * the first few are small (the decoder's 2 KiB instruction slots, one at
 * a time, ~40 for a cold /bin/true), and a system call for each of their
 * pages -- when the region is one huge page, a call that does nothing --
 * was 80 of a cold /bin/true's 88 madvise calls.  Pages below the mark
 * are never asked for again; a gap an alignment skipped stays untouched. */
#define TABLES_AHEAD ((size_t)64 << 10)

/* Where ferry's data and bss end inside their 2 MiB window (main.c, from
 * backends/start_data.ld); absent from links without the program. */
extern uintptr_t start_data_end(void) __attribute__((weak));

/* The window's padding past the bss: zeroed memory that nothing else
 * uses, on the huge page backends/start_prefault.h moved the segment onto
 * (so its pages cost no first touch and no clear of their own; where the
 * move was not made, ordinary bss pages).  1.1 MB in the x86-64 build,
 * handed out once, whole: to the persistent cache's copy of a small file
 * (tr_spare_claim, at start-up), else to the tables that do not fit
 * beside the block pool (carve).  NULL if absent or taken. */
static int spare_taken;

static void *spare_take(size_t *size)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = start_data_end ? (start_data_end() + 63) & ~(uintptr_t)63 : 0;
    uintptr_t hi = (lo + huge - 1) & ~(huge - 1);
    if (!lo || hi == lo || __atomic_load_n(&spare_taken, __ATOMIC_ACQUIRE) ||
        __atomic_exchange_n(&spare_taken, 1, __ATOMIC_ACQ_REL))
        return NULL;
    *size = hi - lo;
    return (void *)lo;
}

/* The padding's size (0: absent). */
size_t tr_spare_size(void)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = start_data_end ? (start_data_end() + 63) & ~(uintptr_t)63 : 0;
    return lo ? (size_t)(((lo + huge - 1) & ~(huge - 1)) - lo) : 0;
}

/* The padding for a use of size bytes, or NULL (smaller, absent, taken). */
void *tr_spare_claim(size_t size)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = start_data_end ? (start_data_end() + 63) & ~(uintptr_t)63 : 0;
    size_t n;
    if (!lo || ((lo + huge - 1) & ~(huge - 1)) - lo < size)
        return NULL;
    return spare_take(&n);
}

/* The padding back from a claim whose use fell through (the cache's file
 * read short, tcache.c file_in), its first `dirty` bytes zeroed again:
 * whoever takes it next (carve's second region) counts on zeroed memory. */
void tr_spare_release(void *p, size_t dirty)
{
    memset(p, 0, dirty);
    __atomic_store_n(&spare_taken, 0, __ATOMIC_RELEASE);
}

/* One carving region: its memory, bytes carved, populated up to, end;
 * `mapped`: populated already (the padding above). */
struct carving {
    uint8_t *base;
    size_t used, populated, end;
    bool mapped;
};

static void populate(struct carving *r, size_t at, size_t size)
{
    size_t page = 4096, from = at & ~(page - 1), to = at + size;
    if (r->mapped)
        return;
    if (from < r->populated)
        from = r->populated;
    if (from >= to)
        return;
    to = (to + TABLES_AHEAD - 1) & ~(TABLES_AHEAD - 1);
    to = to < r->end ? to : r->end;
    madvise(r->base + from, to - from, MADV_POPULATE_WRITE);
    r->populated = to;
}

/* size bytes at an address aligned to align from r, or NULL when it is
 * full. */
static void *carve_in(struct carving *r, size_t size, size_t align)
{
    size_t at = (((uintptr_t)r->base + r->used + align - 1) & ~(uintptr_t)(align - 1)) - (uintptr_t)r->base;
    if (at > r->end || size > r->end - at)
        return NULL;
    r->used = at + size;
    populate(r, at, size);
    return r->base + at;
}

/* The block pool's first part shares the tables' huge page: a warm
 * process that translates nothing carves 1.25 MiB of tables (engine
 * 630 KB, then the x86-64 jump cache's 512 KiB at its 256 KiB alignment)
 * and /bin/true 290 KB of blocks, so one 2 MiB page holds both and its
 * clear (0.25-0.35 ms here, 8 % of a warm /bin/true) is paid once, not
 * twice.  The tables stop at POOL_AT; what comes after (the translation
 * scratch and the register allocator's state, 730 KB, made at the first
 * translation: translate.c; a cold run's decoder slots, decode cache,
 * scan memo: 0.5-0.6 MB more) goes to a second region: the data window's
 * padding if free (a file of the persistent cache over 1.1 MB did not
 * take it: python3's), else a 2 MiB huge page.  The pool
 * (tr_pool_beside_tables) runs on from POOL_AT through the room reserved
 * after the first region. */
static struct carving first = { .end = POOL_AT }, overflow = { .end = TABLES_SIZE };
static int pool_taken;

static bool tables_map(void)
{
    return first.base || (first.base = tr_pool_map(TABLES_SIZE + pool_room));
}

/* Before the first engine: the code cache's size (0: the default). */
void tr_pool_room_fit(size_t code_cache_size)
{
    pthread_mutex_lock(&tables_lock);
    if (!first.base && code_cache_size && code_cache_size < POOL_ROOM)
        pool_room = code_cache_size > POOL_ROOM_MIN ? code_cache_size : POOL_ROOM_MIN;
    pthread_mutex_unlock(&tables_lock);
}

/* The second region: the data window's padding when the cache's file did
 * not take it, else 2 MiB of huge page. */
static bool overflow_map(void)
{
    size_t n;
    if (overflow.base)
        return true;
    if ((overflow.base = spare_take(&n))) {
        overflow.end = n;
        overflow.mapped = true;
    }
    return overflow.base || (overflow.base = tr_pool_map(TABLES_SIZE));
}

/* (A gap an alignment skipped stays untouched.) */
static void *carve(size_t size, size_t align)
{
    size = (size + 63) & ~(size_t)63;
    if (!tables_map())
        return NULL;
    void *p = carve_in(&first, size, align);
    return p || !overflow_map() ? p : carve_in(&overflow, size, align);
}

/* size bytes of the tables' region, or NULL when it is full. */
void *tr_table_carve(size_t size, size_t align)
{
    pthread_mutex_lock(&tables_lock);
    void *p = carve(size, align < 64 ? 64 : align);
    pthread_mutex_unlock(&tables_lock);
    return p;
}

/* size bytes of the second region alone, or NULL: for a buffer that must
 * leave the first region's room to the vCPU's jump cache carved after it
 * (the persistent cache's staging buffer, tcache.c).  Where the padding is
 * free (a cache file too large to copy into it), no page is cleared for it. */
void *tr_table_carve_second(size_t size, size_t align)
{
    pthread_mutex_lock(&tables_lock);
    size = (size + 63) & ~(size_t)63;
    void *p = overflow_map() ? carve_in(&overflow, size, align < 64 ? 64 : align) : NULL;
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

/* size bytes of zeroed memory for the block pool right after the tables
 * (above), advised huge; once per process (the first engine's code
 * cache), NULL after that or when size does not fit the room. */
void *tr_pool_beside_tables(size_t size)
{
    pthread_mutex_lock(&tables_lock);
    void *p = NULL;
    if (!pool_taken && size <= TABLES_SIZE + pool_room - POOL_AT && tables_map()) {
        pool_taken = 1;
        p = first.base + POOL_AT;
    }
    pthread_mutex_unlock(&tables_lock);
    return p;
}
