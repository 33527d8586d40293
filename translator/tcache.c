/* tcache.c -- the persistent translation cache (docs/translation-cache.md):
 * blocks translated from read-only guest code (the program's, ld.so's and
 * the shared libraries') are kept in a file and copied into later runs'
 * code caches instead of translated again.
 *
 * A record is used only at the guest pc it was made at (the program is
 * mapped at the same address every run, ld.so and the libraries at their
 * files' slots, loader/ld_place.c), only after every guest page its
 * translation read hashes as it did then, and with the host addresses the
 * backend listed (be_reloc_note) rewritten for this process: its tr_block,
 * ferry's helpers (ferry is position independent), the code cache's
 * shared code.  At start-up only the file's header and key are read and
 * checked; a small file is then read whole into ferry's memory (file_in),
 * a larger one mapped read-only, and each record checked (sizes, its own
 * hash) when it is first used, under a guard against a mapped file
 * truncated by someone else (SIGBUS); the map's pages are given back a
 * chunk at a time, least recently read first, only past 64 MiB (they are
 * the page cache's: the records are read where they lie, never copied
 * into memory of ferry's first).
 * Saving streams this process's new records and the file's current ones
 * into a temporary that is renamed over it, so concurrent processes never
 * see a half-written file; the directory is kept under a
 * size bound by removing the files least recently used.  Whatever goes
 * wrong (no directory, a foreign or corrupt file, a full disk) leaves the
 * cache unused or unwritten, never the guest affected. */
#define _GNU_SOURCE 1                   /* dl_iterate_phdr */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#include "tcache_file.h"
#include "tr_internal.h"

#define TCACHE_MAX_FILE (256u << 20)    /* a file stops growing here */
#define TCACHE_MAX_SLOTS (1ull << 24)    /* more index slots than such a file needs */
#define TCACHE_DEFAULT_BOUND (512ull << 20)     /* the directory's size (FERRY_TCACHE_SIZE) */
#define CHUNK_SHIFT 18                   /* the map is read in 256 KiB chunks (note_touched) */
#define RESIDENT_CHUNKS 256u             /* the map's chunks kept at most (64 MiB) ... */
#define BODY_CHUNKS_MIN 224u             /* ... but the body keeps 56 MiB whatever the index's size */
#define AHEAD_WINDOW_CHUNKS 24u          /* a file whose body and index take at most 6 MiB of
                                            chunks is restored ahead (a larger one's records are
                                            spread over many inputs' code) ... */
#define AHEAD_BODY_MIN 16u               /* ... or whose body takes at most 4 MiB */
#define MEMO_BITS 16                     /* 256 MiB of guest code without collisions */
#define MEMO_PER_PAGE 256u               /* 16-byte entries in a 4 KiB page */
#define MEMO_PAGES ((1u << MEMO_BITS) / MEMO_PER_PAGE)
#define WARM_SHIFT 17                    /* guest code mapped in 128 KiB windows */
#define WARM_SLOTS 256u
#define HASH_GROUP 8u                    /* guest pages read and hashed together (group_hash) */
#define USED_OK 1                        /* used[]: restored (its hash checked) */
#define AHEAD_ABSENT 16u                /* regions the batch found a page not stable in */
#define USED_STALE 2                     /* ... and later stale here: a new record replaces it */

struct page_memo {
    uint64_t page_plus1;                /* 0: empty */
    uint64_t hash;
};

/* Address space reserved once, committed as used: what the cache holds
 * must not move the guest's later mmaps (without ASLR, libraries are
 * cached only if they land at the same addresses in every run, cold or
 * warm, whatever the file's size). */
struct region {
    uint8_t *base;
    size_t size, committed, used;
};

struct tcache {
    struct region data;                 /* the memo, used[], last_use[] */
    struct region file_room;            /* the file, mapped read-only (or copied: file_in) */
    struct region fresh_room;           /* fresh's bytes */
    char *path, *key;
    uint64_t lo, hi;                    /* cacheable guest code */
    uint64_t prog_lo, prog_hi;          /* the program's own (narrower without ASLR) */
    const uint8_t *map;                 /* the file as opened at start-up; NULL: none */
    bool copied;                        /* ... read whole into ferry's memory (file_in) */
    size_t map_len;
    struct tcf_layout layout;
    uint8_t *used;                      /* [slots]: this slot's record checked and used (USED_*) */
    uint64_t *last_use;                 /* [chunks, the map's 256 KiB chunks]: 0, or resident and */
    uint64_t clock;                     /* ... last read at this tick of the clock */
    size_t chunks;                      /* (the map need not start on a chunk: file size / 256 KiB + 2) */
    size_t index_chunk;                 /* the first chunk holding index slots (it and later: kept) */
    uint32_t body_chunk[RESIDENT_CHUNKS]; /* the body's resident chunks */
    unsigned body_n, body_max;
    struct tcf_buf fresh;               /* records made by this process, not spilled yet */
    char *spill;                        /* a file of the older ones; NULL: none yet */
    uint64_t spill_len, spilled;        /* its bytes, records */
    uint32_t *order;                    /* the records this process used, first use first: */
    size_t order_n, order_cap;          /* a map slot + 1, or 0 for its next new record */
    bool order_lost;                    /* out of memory: no more entries */
    bool root_moved;                    /* the guest chrooted: path leads elsewhere, no writes */
    struct page_memo *memo;             /* [1 << MEMO_BITS], direct-mapped */
    uint64_t memo_live[MEMO_PAGES / 64]; /* the memo's pages ever written */
    uint64_t warm[WARM_SLOTS];          /* windows mapped in (warm_window): number + 1, direct-mapped */
    uint8_t *group_buf;                 /* HASH_GROUP pages, the kernel's copy (group_hash) */
    bool no_group_read;                 /* process_vm_readv refused: pages read by ferry */
    uint8_t *stage;                     /* restoring ahead: the staging buffer (after the
                                           file's copy, file_in); NULL: not done */
    size_t stage_cap;
    size_t next_at;                     /* the body offset after the record last restored */
    unsigned ahead_left;                /* records the batch may still look at */
    uint64_t absent[AHEAD_ABSENT];      /* 2 MiB regions with a page not stable, + 1 (this batch) */
};

/* ---- reserved memory ------------------------------------------------------ */

#define DATA_ROOM ((size_t)64 << 20)
/* New records in memory at most (about): every byte of them is a page
 * written once whatever the size, so a smaller one costs only more
 * writes to the spill file (a cold cc1 -O2: 60 of them) and keeps the
 * peak RSS 3 MB lower. */
#define SPILL_AT ((size_t)1 << 20)
#define FRESH_ROOM ((size_t)TCACHE_MAX_FILE)

static bool region_reserve(struct region *r, size_t size)
{
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    *r = (struct region){ .base = p, .size = size };
    return true;
}

/* A region reserved (and whatever was committed in it) given back. */
static void region_release(struct region *r)
{
    if (r && r->base)
        munmap(r->base, r->size);
}

/* The same, its base on a 2 MiB boundary (the file's room: copies there
 * are huge pages, file_in). */
static bool region_reserve_huge(struct region *r, size_t size)
{
    size_t huge = (size_t)2 << 20;
    if (!region_reserve(r, size + huge))
        return false;
    r->base = (uint8_t *)(((uintptr_t)r->base + huge - 1) & ~(uintptr_t)(huge - 1));
    r->size = size;
    return true;
}

static bool region_commit(struct region *r, size_t upto)
{
    size_t page = 1u << TC_PAGE_SHIFT, want = (upto + page - 1) & ~(page - 1);
    if (want > r->size)
        return false;
    if (want > r->committed &&
        mprotect(r->base + r->committed, want - r->committed, PROT_READ | PROT_WRITE) != 0)
        return false;
    r->committed = want > r->committed ? want : r->committed;
    return true;
}

/* n zeroed bytes of the start-up data, or NULL. */
static void *data_alloc(struct tcache *t, size_t n)
{
    size_t at = (t->data.used + 63) & ~(size_t)63;
    if (n > t->data.size - at || !region_commit(&t->data, at + n))
        return NULL;
    t->data.used = at + n;
    return t->data.base + at;
}

/* used[] is written all over as records are used (python3: 16 faults). */
static bool populate(void *p, size_t n)
{
    uintptr_t page = 4096, lo = (uintptr_t)p & ~(page - 1);
    madvise((void *)lo, (uintptr_t)p + n - lo, MADV_POPULATE_WRITE);   /* fine if refused */
    return true;
}

static bool fresh_grow(struct tcf_buf *b, size_t cap)
{
    struct region *r = b->grow_ctx;
    if (!region_commit(r, cap))
        return false;
    b->p = r->base;
    b->cap = cap;
    return true;
}

static void fresh_reset(struct tcache *t)
{
    madvise(t->fresh_room.base, t->fresh_room.committed, MADV_DONTNEED);
    t->fresh = (struct tcf_buf){ .p = t->fresh_room.base, .cap = t->fresh_room.committed,
                                 .grow = fresh_grow, .grow_ctx = &t->fresh_room };
}

/* ---- helpers' and the code cache's bases ------------------------------- */

static uint64_t host_base(void) { return (uint64_t)(uintptr_t)&tr_translate; }

static uint64_t reloc_base(struct tr_engine *e, const struct tr_block *tb, unsigned kind)
{
    if (kind == BE_RELOC_BLOCK)
        return (uint64_t)(uintptr_t)tb;
    return kind == BE_RELOC_HOST ? host_base() : (uint64_t)(uintptr_t)e->tc.base;
}

/* ---- guest pages: usable, and their hash -------------------------------- */

static bool page_stable(struct tr_engine *e, uint64_t page)
{
    const struct tr_guest_mem *m = e->cfg.mem;
    uint64_t a = page << TC_PAGE_SHIFT;
    struct tcache *t = e->tcache;
    return a >= t->lo && a < t->hi && m->fetchable(m, a, 1u << TC_PAGE_SHIFT) == 1u << TC_PAGE_SHIFT &&
           !m->writable(m, a, 1u << TC_PAGE_SHIFT);
}

/* The guest code around page, from the page cache into the page tables in
 * one system call: a warm run reads guest code only to hash it, and each
 * read fault maps 64 KiB at 30-40 us under shadow paging (python3's
 * libraries took ~60 of them).  Only pages the cache could use (fetchable,
 * not writable); errors leave them to faults. */
static void warm_window(struct tr_engine *e, uint64_t page)
{
    struct tcache *t = e->tcache;
    const struct tr_guest_mem *m = e->cfg.mem;
    uint64_t a = page << TC_PAGE_SHIFT, w = a >> WARM_SHIFT;
    uint64_t *slot = &t->warm[w % WARM_SLOTS];
    if (*slot == w + 1)
        return;
    *slot = w + 1;
    uint64_t end = (w + 1) << WARM_SHIFT;
    end = end < t->hi ? end : t->hi;
    uint64_t n = m->fetchable(m, a, (size_t)(end - a)) & ~(uint64_t)((1u << TC_PAGE_SHIFT) - 1);
    if (n > (1u << TC_PAGE_SHIFT) && !m->writable(m, a, n))
        madvise(tr_g2h(m, a), n, MADV_POPULATE_READ);
}

/* The memo's slot for page, and whether it holds that page's hash. */
static struct page_memo *memo_slot(const struct tcache *t, uint64_t page)
{
    return &t->memo[page & ((1u << MEMO_BITS) - 1)];
}

static bool memo_page_live(const struct tcache *t, unsigned mp);

/* A memo page never written is not read either: a read would map the
 * zero page, and the first write then copy it (a second fault and a TLB
 * flush, ~1 % of a warm /bin/true); the write alone takes one fault. */
static bool memo_holds(const struct tcache *t, uint64_t page)
{
    unsigned k = page & ((1u << MEMO_BITS) - 1);
    return memo_page_live(t, k / MEMO_PER_PAGE) && memo_slot(t, page)->page_plus1 == page + 1;
}

static void memo_set(struct tcache *t, uint64_t page, uint64_t hash)
{
    unsigned k = page & ((1u << MEMO_BITS) - 1);
    struct page_memo *s = memo_slot(t, page);
    s->hash = hash;
    s->page_plus1 = page + 1;
    t->memo_live[k / MEMO_PER_PAGE / 64] |= 1ull << (k / MEMO_PER_PAGE % 64);
}

/* The aligned group of HASH_GROUP guest pages around page, copied by the
 * kernel (process_vm_readv of our own memory) and each page hashed and
 * memoised, if all of them are cacheable now (stable: the memo's rule).
 * A warm run reads guest code only to hash it, and under this VM's
 * shadow paging a user-mode read is dear the first time it meets a page
 * (its mapping is built then, even after MADV_POPULATE_READ: 4-40 us a
 * page), where the kernel's copy pays no such thing (1.6-3.2 us a page
 * for 8 pages in one call, 6-10 us for one: tests/bench/tools/pagehash.c;
 * a warm cc1 -O2 -4 to -5 % CPU, session 36).
 * The pages next to a hashed one are most often hashed soon after.
 * false: not done (a page not stable, or the call refused: then never
 * again in this process), the caller reads the page itself. */
static bool group_hash(struct tr_engine *e, uint64_t page)
{
    struct tcache *t = e->tcache;
    const struct tr_guest_mem *m = e->cfg.mem;
    const size_t len = (size_t)HASH_GROUP << TC_PAGE_SHIFT;
    uint64_t first = page & ~(uint64_t)(HASH_GROUP - 1), a = first << TC_PAGE_SHIFT;
    if (t->no_group_read || a < t->lo || a + len > t->hi || a + len < a)
        return false;
    if (!t->group_buf && !(t->group_buf = data_alloc(t, len))) {
        t->no_group_read = true;
        return false;
    }
    if (m->fetchable(m, a, len) != len || m->writable(m, a, len))
        return false;
    struct iovec local = { t->group_buf, len }, remote = { tr_g2h(m, a), len };
    ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (got != (ssize_t)len) {
        if (got < 0 && errno != EFAULT)     /* ENOSYS, EPERM (seccomp): not here */
            t->no_group_read = true;
        return false;
    }
    for (unsigned k = 0; k < HASH_GROUP; k++)
        memo_set(t, first + k, tcf_hash(t->group_buf + ((size_t)k << TC_PAGE_SHIFT), 1u << TC_PAGE_SHIFT));
    return true;
}

static uint64_t page_hash(struct tr_engine *e, uint64_t page)
{
    struct tcache *t = e->tcache;
    struct page_memo *s = memo_slot(t, page);
    if (!memo_holds(t, page) && !group_hash(e, page)) {
        warm_window(e, page);
        memo_set(t, page, tcf_hash(tr_g2h(e->cfg.mem, page << TC_PAGE_SHIFT), 1u << TC_PAGE_SHIFT));
    }
    return s->hash;
}

static bool memo_page_live(const struct tcache *t, unsigned mp)
{
    return t->memo_live[mp / 64] >> (mp % 64) & 1;
}

/* The memo's entries for guest pages [first, last]; only the memo's pages
 * ever written are read (an unmap of 8 MiB would otherwise fault in memo
 * pages that hold nothing). */
static void memo_forget(struct tcache *t, uint64_t first, uint64_t last)
{
    if (last - first >= (1u << MEMO_BITS) || last < first) {
        for (unsigned mp = 0; mp < MEMO_PAGES; mp++)
            if (memo_page_live(t, mp))
                memset(&t->memo[mp * MEMO_PER_PAGE], 0, MEMO_PER_PAGE * sizeof(*t->memo));
        return;
    }
    for (uint64_t p = first; p <= last; p++) {
        unsigned k = p & ((1u << MEMO_BITS) - 1);
        if (!memo_page_live(t, k / MEMO_PER_PAGE)) {
            p |= MEMO_PER_PAGE - 1;     /* on to the next memo page */
            continue;
        }
        if (t->memo[k].page_plus1 == p + 1)
            t->memo[k].page_plus1 = 0;
    }
}

/* (Only a hint: a window forgotten too late just maps in no pages.) */
static void warm_forget(struct tcache *t, uint64_t first, uint64_t last)
{
    if (last - first >= WARM_SLOTS) {
        memset(t->warm, 0, sizeof t->warm);
        return;
    }
    for (uint64_t w = first; w <= last; w++)
        if (t->warm[w % WARM_SLOTS] == w + 1)
            t->warm[w % WARM_SLOTS] = 0;
}

void tcache_forget(struct tr_engine *e, uint64_t start, uint64_t len)
{
    struct tcache *t = e->tcache;
    uint64_t end = start + len < start ? UINT64_MAX : start + len;
    if (!t || end <= t->lo || start >= t->hi)   /* the memo holds cacheable pages only */
        return;
    start = start > t->lo ? start : t->lo;
    end = end < t->hi ? end : t->hi;
    warm_forget(t, start >> WARM_SHIFT, (end - 1) >> WARM_SHIFT);
    memo_forget(t, start >> TC_PAGE_SHIFT, (end - 1) >> TC_PAGE_SHIFT);
}

/* ---- the mapped file ------------------------------------------------------ */

/* A fault while reading the mapped file (someone truncated it: SIGBUS)
 * returns to the guard set around the reading (fault.c asks first). */
static __thread sigjmp_buf *file_guard;

void tcache_host_fault(void)
{
    sigjmp_buf *g = file_guard;
    if (g) {
        file_guard = NULL;
        siglongjmp(*g, 1);
    }
}

/* The file's room reserved again (a mapping or a copy's anonymous page let go). */
static void room_reset(struct tcache *t)
{
    mmap(t->file_room.base, t->file_room.size, PROT_NONE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

/* The file is no longer used (its room stays reserved). */
static void unmap_file(struct tcache *t)
{
    if (t->map)
        room_reset(t);
    t->map = NULL;
}

/* A body chunk goes back to the page cache (records are copied into the
 * code cache once: keeping them mapped would only add the file's size to
 * the process's memory). */
static void drop_chunk(struct tcache *t, size_t k)
{
    uintptr_t from = (((uintptr_t)t->map >> CHUNK_SHIFT) + k) << CHUNK_SHIFT;
    from = from > (uintptr_t)t->map ? from : (uintptr_t)t->map;
    madvise((void *)from, (((from >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT) - from, MADV_DONTNEED);
    t->last_use[k] = 0;
}

/* Body chunk k was just mapped in: past body_max the one read least
 * recently goes.  One at a time: a warm run reads its records in about
 * the order of the run that wrote the file (note_order), but a run on
 * other input reads them from a few places of the file at once, some
 * often (dropping them all every 6 MiB, until session 14, mapped a warm
 * cc1 of zlib's deflate.c's 77 MB file in 25,000 times; oldest first, in
 * session 14, 4,800-8,600 times for zlib's files). */
static void keep_chunk(struct tcache *t, size_t k)
{
    if (t->body_n < t->body_max) {
        t->body_chunk[t->body_n++] = (uint32_t)k;
        return;
    }
    unsigned lru = 0;
    for (unsigned j = 1; j < t->body_max; j++)
        if (t->last_use[t->body_chunk[j]] < t->last_use[t->body_chunk[lru]])
            lru = j;
    drop_chunk(t, t->body_chunk[lru]);
    t->body_chunk[lru] = (uint32_t)k;
}

/* [p, p+n) of the map is about to be read: each 256 KiB chunk around it
 * is mapped from the page cache at its first use, one system call where
 * read faults would map 64 KiB each at 30-40 us (a warm python3 -c pass
 * reads nearly all of its 13 MB file).  The index is read all over by
 * every lookup: its chunks stay (cc1's is 4 MB); the body's are kept up to
 * what is left of RESIDENT_CHUNKS, at least BODY_CHUNKS_MIN (keep_chunk). */
static void note_touched_slow(struct tcache *t, const void *p, size_t n)
{
    uintptr_t base = (uintptr_t)t->map >> CHUNK_SHIFT;
    for (uintptr_t c = (uintptr_t)p >> CHUNK_SHIFT; c <= ((uintptr_t)p + n - 1) >> CHUNK_SHIFT; c++) {
        size_t k = c - base;
        if (!t->last_use[k]) {
            uintptr_t from = c << CHUNK_SHIFT > (uintptr_t)t->map ? c << CHUNK_SHIFT : (uintptr_t)t->map;
            uintptr_t to = (c + 1) << CHUNK_SHIFT, end = (uintptr_t)t->map + t->map_len;
            madvise((void *)from, (to < end ? to : end) - from, MADV_POPULATE_READ);
            if (k < t->index_chunk)
                keep_chunk(t, k);
        }
        t->last_use[k] = ++t->clock;
    }
}

/* Nearly every call reads within one chunk already mapped in: that case
 * inline (every restored record notes its index slot and itself; the
 * call and loop were 6.7 % of a warm /bin/true's instructions). */
static inline void note_touched(struct tcache *t, const void *p, size_t n)
{
    uintptr_t c = (uintptr_t)p >> CHUNK_SHIFT;
    size_t k = c - ((uintptr_t)t->map >> CHUNK_SHIFT);
    if (c == ((uintptr_t)p + n - 1) >> CHUNK_SHIFT && t->last_use[k])
        t->last_use[k] = ++t->clock;
    else
        note_touched_slow(t, p, n);
}

/* ---- the body read through the map ------------------------------------------
 * Sessions 16-42 read a body larger than the window above with pread, in
 * 64 KiB pieces, into 30 slots of ferry's own memory (one 2 MiB huge
 * page), because mapping the body's chunks in and giving them back had
 * cost more under the shadow paging of the machines then (a warm cc1 of
 * zlib's deflate.c: 4,300 chunks mapped, 12 % of its time in MADV_DONTNEED).
 * On session 43's VM (kernel 6.18) the map costs less: its chunks are
 * mapped from the page cache once (MADV_POPULATE_READ: 51 MB in ~1.5 ms of
 * CPU, a first read of each page 0.02 us) and kept, so nothing is copied
 * twice -- the slots copied each piece into ferry's memory, 55 MB for a
 * warm cc1 -O2 whose file is 51 MB, and 180 MB where another input's run
 * had written the file (its records in another order: pieces read again
 * after the 2 MiB window let them go), and the saving process read every
 * used record once more in the same order.  Warm cc1 -O2 -7 to -10 % CPU,
 * python3 -c pass -7.6 % (docs/status.md, session 43).  The cost: the
 * file's pages read count in the process's RSS (the page cache's pages,
 * shared with every other process reading the file), up to 64 MiB. */

/* The record at body offset `at` of the map, its structure checked (not
 * its hash), each part noted before it is read. */
/* The map's record at body offset `at` (below body_len, 8-aligned) is
 * about to be read: its header, then as many bytes as it says it has. */
static void note_record(struct tcache *t, size_t at)
{
    const uint8_t *body = t->map + t->layout.body_off;
    size_t room = t->layout.body_len - at;
    note_touched(t, body + at, room < sizeof(struct tcf_record) ? room : sizeof(struct tcf_record));
    if (room >= sizeof(struct tcf_record)) {    /* the whole record, before its parts are read */
        uint32_t len = ((const struct tcf_record *)(const void *)(body + at))->total_len;
        note_touched(t, body + at, len && len < room ? len : room);
    }
}

static bool record_in_map(struct tcache *t, size_t at, struct tcf_view *v)
{
    const struct tcf_layout *l = &t->layout;
    const uint8_t *body = t->map + l->body_off;
    if (at >= l->body_len || (at & 7))
        return false;
    note_record(t, at);
    /* (a record that checks out lies within what was just noted) */
    return tcf_record_at(body, l->body_len, at, false, v);
}

static const struct tcf_slot *map_index(struct tcache *t, uint64_t slot)
{
    const struct tcf_slot *index = (const struct tcf_slot *)(const void *)(t->map + t->layout.index_off);
    note_touched(t, &index[slot], sizeof *index);
    return index;
}

/* pc's record in the map, or false; the hash is checked at its first use.
 * (tcf_find's probe, with each part noted before it is read.) */
static bool find(struct tcache *t, uint64_t pc, uint32_t mode, struct tcf_view *v, uint64_t *slot)
{
    const struct tcf_layout *l = &t->layout;
    uint64_t probe = tcf_slot_of(pc, l->slots);
    const struct tcf_slot *index = map_index(t, probe);
    size_t at;
    while ((at = tcf_probe(index, l->slots, pc, mode, &probe, slot)) != SIZE_MAX) {
        if (!record_in_map(t, at, v) || v->h->guest_pc != pc || v->h->mode != mode)
            continue;
        return t->used[*slot] || tcf_record_hash_ok(v);
    }
    return false;
}

/* find(pc, mode) for the record v, read already at body offset `at` of a
 * map without a kept descriptor, answered without reading it again: true
 * when it is the index's first record for its pc and mode (*slot its
 * slot) and used or its hash holds.  Restoring ahead walks the body in
 * order: find's second tcf_record_at of each record was 4.5 % of a warm
 * ferry /bin/true's host instructions (callgrind). */
static bool find_read(struct tcache *t, size_t at, const struct tcf_view *v, uint64_t *slot)
{
    const struct tcf_layout *l = &t->layout;
    uint64_t pc = v->h->guest_pc, probe = tcf_slot_of(pc, l->slots);
    const struct tcf_slot *index = map_index(t, probe);
    struct tcf_view w;
    size_t other;
    while ((other = tcf_probe(index, l->slots, pc, v->h->mode, &probe, slot)) != SIZE_MAX) {
        if (other == at) {
            note_record(t, at);
            return t->used[*slot] || tcf_record_hash_ok(v);
        }
        if (record_in_map(t, other, &w) && w.h->guest_pc == pc && w.h->mode == v->h->mode)
            return false;               /* the index finds another record first */
    }
    return false;
}

/* ---- files -------------------------------------------------------------- */

static bool ours(int fd, struct stat *st)
{
    return fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_uid == getuid() &&
           !(st->st_mode & 022);
}

/* The file's layout if fd is a file of ours with this key (header and key
 * read, nothing else); *size its length. */
static bool open_layout(int fd, const char *key, struct tcf_layout *l, struct stat *st)
{
    size_t len = tcf_prefix_len(key);
    uint8_t *prefix = malloc(len);
    bool ok = prefix && ours(fd, st) && st->st_size > 0 && (uint64_t)st->st_size <= TCACHE_MAX_FILE &&
              pread(fd, prefix, len, 0) == (ssize_t)len &&
              tcf_layout(prefix, len, (uint64_t)st->st_size, key, l) && l->slots <= TCACHE_MAX_SLOTS;
    free(prefix);
    return ok;
}

/* Files used now and then are touched (their mtime orders eviction),
 * not at every start: a build runs cc1 thousands of times a minute. */
static void note_use(int fd, const struct stat *st)
{
    if (time(NULL) - st->st_mtim.tv_sec > 60)
        futimens(fd, NULL);
}

/* A file up to COPY_MAX is read whole at start-up (one pread) into memory
 * of ferry's own on a huge page rather than mapped: under shadow paging
 * the first read of each mapped page of it cost 2-80 us (a warm /bin/true
 * read 200, in the record hashes and lookups), the kernel's copy ~0.2 us a
 * page.  It goes into the padding of ferry's data window when it fits
 * (tr_spare_claim: /bin/true's 800 KB; a huge page cleared already), else
 * into 2 MiB of the file's room (a clear, ~0.1-0.25 ms).  A copy cannot be
 * truncated under us either.  Its chunks are marked resident for good:
 * note_touched maps nothing in, keep_chunk never gives one back.  A larger
 * file is mapped; its body goes through the slots, and copying its index
 * (python3's 1 MB) measured no gain: the lookups' time there is cache
 * misses, not first touches. */
#define COPY_MAX ((size_t)2 << 20)

/* Restoring ahead stages a batch's code after the copy, on the same huge
 * page (tc_views_stage_begin): up to 64 pages of code written by one
 * pwrite, at least 8 (else no restoring ahead). */
#define STAGE_BYTES ((size_t)256 << 10)
#define STAGE_MIN ((size_t)32 << 10)
#define AHEAD_RECORDS 2048u

/* The staging buffer after a copy of len bytes at p: page-aligned (the
 * backends' patches depend on a site's alignment). */
static uint8_t *stage_after(uint8_t *p, size_t len)
{
    return (uint8_t *)(((uintptr_t)p + len + 4095) & ~(uintptr_t)4095);
}

/* COPY_MAX bytes at the start of the file's room (2 MiB-aligned), private
 * and advised huge, or NULL. */
static uint8_t *room_anon(struct tcache *t)
{
    void *p = mmap(t->file_room.base, COPY_MAX, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, COPY_MAX, MADV_HUGEPAGE);
    return p;
}

/* The file's bytes in memory (above), or NULL.  A read that comes up short
 * (the file truncated since its fstat) gives the padding back, zeroed,
 * before the file is mapped instead; the room's page is replaced by the
 * mapping, or let go if that fails too. */
static const uint8_t *file_in(struct tcache *t, int fd, size_t len)
{
    uint8_t *p = NULL, *spare = NULL;
    size_t room = 0;
    if (len <= COPY_MAX && (p = spare = tr_spare_claim(len)))
        room = tr_spare_size();
    else if (len <= COPY_MAX && (p = room_anon(t)))
        room = COPY_MAX;
    ssize_t got = p ? pread(fd, p, len, 0) : -1;
    if (got == (ssize_t)len) {
        for (size_t k = 0; k < t->chunks; k++)
            t->last_use[k] = 1;
        t->copied = true;
        size_t at = (size_t)(stage_after(p, len) - p), left = room > at ? room - at : 0;
        t->stage = left >= STAGE_MIN ? p + at : NULL;
        t->stage_cap = left < STAGE_BYTES ? left : STAGE_BYTES;
        return p;
    }
    if (spare)
        tr_spare_release(spare, got > 0 ? (size_t)got : 0);
    if (mmap(t->file_room.base, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) != MAP_FAILED)
        return t->file_room.base;
    if (p && !spare)
        room_reset(t);
    return NULL;
}

static void load(struct tcache *t)
{
    struct stat st;
    int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    if (open_layout(fd, t->key, &t->layout, &st) &&
        (t->used = data_alloc(t, t->layout.slots)) && populate(t->used, t->layout.slots) &&
        (t->chunks = ((size_t)st.st_size >> CHUNK_SHIFT) + 2) &&
        (t->last_use = data_alloc(t, t->chunks * sizeof *t->last_use)) &&
        (t->map = file_in(t, fd, (size_t)st.st_size))) {
        t->map_len = (size_t)st.st_size;
        t->index_chunk = (((uintptr_t)t->map + t->layout.index_off) >> CHUNK_SHIFT) -
                         ((uintptr_t)t->map >> CHUNK_SHIFT);
        size_t index_chunks = (((uintptr_t)t->map + t->map_len - 1) >> CHUNK_SHIFT) + 1 -
                              ((uintptr_t)t->map >> CHUNK_SHIFT) - t->index_chunk;
        t->body_max = index_chunks < RESIDENT_CHUNKS - BODY_CHUNKS_MIN ?
                      RESIDENT_CHUNKS - (unsigned)index_chunks : BODY_CHUNKS_MIN;
        note_use(fd, &st);
        unsigned window = index_chunks < AHEAD_WINDOW_CHUNKS - AHEAD_BODY_MIN ?
                          AHEAD_WINDOW_CHUNKS - (unsigned)index_chunks : AHEAD_BODY_MIN;
        bool big = (t->layout.body_len >> CHUNK_SHIFT) + 2 > window;
        /* A file mapped whole (2-6 MB: the gcc driver's, as's) is restored
         * ahead too, staged in the translator's second table region: the
         * padding of ferry's data window, which the file did not take (a
         * 2 MiB huge page of its own cleared for 256 KiB cost ~0.3 ms a
         * process), else a huge page the tables' later overflow shares.
         * (Not a small one whose copy failed: rare, and check-tcache counts
         * their huge pages.) */
        if (!big && t->map_len > COPY_MAX)
            t->stage = tr_table_carve_second(t->stage_cap = STAGE_BYTES, 4096);
    }
    close(fd);
}

/* The directory, made if missing, and its parent too (0700); ours and
 * closed to others, or false.  The parent because the directory travels
 * as --tcache to every program the guest executes: one that chroots first
 * (sbuild's, pbuilder's, a build under binfmt_misc) hands its children a
 * ~/.cache/ferry whose ~/.cache the new root lacks.  No deeper: a path
 * from outside (a test's FERRY_TCACHE) must not grow a tree in a foreign
 * root, so there the cache stays off. */
static bool dir_ok(const char *dir)
{
    struct stat st;
    char parent[4096];
    const char *slash = strrchr(dir, '/');
    if (slash && slash > dir && (size_t)(slash - dir) < sizeof parent) {
        memcpy(parent, dir, slash - dir);
        parent[slash - dir] = '\0';
        mkdir(parent, 0700);            /* an existing one stays as it is */
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return false;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && !(st.st_mode & 022);
}

static bool identity(const char *path, char *out, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    snprintf(out, len, "%s dev=%" PRIu64 " ino=%" PRIu64 " size=%" PRIu64 " mtime=%" PRId64 ".%09ld",
             path, (uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
             (int64_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    return true;
}

/* ferry's own build-id (its GNU note): the same ferry wherever it is
 * installed or copied to. */
static int first_build_id(struct dl_phdr_info *info, size_t size, void *out)
{
    (void)size;
    for (int k = 0; k < info->dlpi_phnum; k++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
        const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (ph->p_type == PT_NOTE && end - p >= (ptrdiff_t)sizeof(ElfW(Nhdr))) {
            const ElfW(Nhdr) *n = (const void *)p;
            const uint8_t *desc = p + sizeof *n + ((n->n_namesz + 3) & ~3u);
            if (desc + n->n_descsz > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_descsz <= 64 && n->n_descsz > 0) {
                char *o = out;
                for (uint32_t i = 0; i < n->n_descsz; i++)
                    o += sprintf(o, "%02x", desc[i]);
                return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return 1;                           /* the executable only: it comes first */
}

static bool self_identity(char *out, size_t len)
{
    char id[2 * 64 + 1] = "";
    dl_iterate_phdr(first_build_id, id);
    if (!*id)
        return identity("/proc/self/exe", out, len);
    snprintf(out, len, "build-id=%s", id);
    return true;
}

/* Every read-only page is worth caching, not only the program's (the page
 * hashes decide what may be used either way): while the cache is on,
 * ld.so and each shared library are mapped at their file's slot, the same
 * in every run (loader/ld_place.c), as they are by the kernel without
 * address-space randomisation (`setarch -R`).  Code elsewhere at
 * addresses that move (a JIT's) simply finds no record. */
static void whole_address_space(uint64_t *lo, uint64_t *hi)
{
    *lo = 1ull << TC_PAGE_SHIFT;
    *hi = 1ull << 47;
}

void tr_tcache_open(struct tr_engine *e, const char *dir, const char *program,
                    const char *options, uint64_t lo, uint64_t hi)
{
    char prog[4096 + 128], self[4096 + 128], key[3 * 4096];
    uint64_t prog_lo = lo, prog_hi = hi;
    whole_address_space(&lo, &hi);
    if (e->tcache || !dir || !*dir || e->cfg.mem->mode != TR_MEM_HOST || e->cfg.count_blocks ||
        lo >= hi || !identity(program, prog, sizeof prog) ||
        !self_identity(self, sizeof self) || !dir_ok(dir))
        return;
    bool ras = e->cfg.ras < 0 ? be_host.ras_default : e->cfg.ras;
    snprintf(key, sizeof key, "program=%s\nferry=%s\nhost=%s ras=%d log=%u canon=%d\noptions=%s\n"
             "code=%#" PRIx64 "-%#" PRIx64 "\n", prog, self, be_host.name, ras,
             (unsigned)ferry_opts.log_mask, e->cfg.check_canonical, options ? options : "", lo, hi);
    struct tcache *t = calloc(1, sizeof *t);
    char name[64];
    snprintf(name, sizeof name, "/%016" PRIx64 ".ftc", tcf_hash(key, strlen(key)));
    if (!t || !(t->key = strdup(key)) || !(t->path = malloc(strlen(dir) + sizeof name)) ||
        !region_reserve(&t->data, DATA_ROOM) || !region_reserve(&t->fresh_room, FRESH_ROOM) ||
        !region_reserve_huge(&t->file_room, TCACHE_MAX_FILE) ||
        !(t->memo = data_alloc(t, sizeof(*t->memo) << MEMO_BITS))) {
        /* the rooms it got go back: under a low RLIMIT_AS (ulimit -v) the
         * guest needs that address space */
        region_release(t ? &t->data : NULL);
        region_release(t ? &t->fresh_room : NULL);
        region_release(t ? &t->file_room : NULL);
        if (t)
            free(t->key), free(t->path);
        free(t);
        return;
    }
    fresh_reset(t);
    strcat(strcpy(t->path, dir), name);
    t->lo = lo;
    t->hi = hi;
    t->prog_lo = prog_lo;
    t->prog_hi = prog_hi;
    load(t);
    e->stats.tcache_loaded = t->map ? t->layout.n_records : 0;
    e->tcache = t;
}

/* ---- using a record ------------------------------------------------------ */

/* A page in the memo was stable when it was hashed (page_hash follows a
 * page_stable check on every path) and has not been mapped, unmapped or
 * protected since (tcache_forget runs for every such change), so only the
 * pages not in it are looked up in the guest's map: two lookups under a
 * lock per page per record were 6 % of a warm grep. */
static bool dep_holds(struct tr_engine *e, const struct tcf_dep *d)
{
    if (memo_holds(e->tcache, d->page))
        return memo_slot(e->tcache, d->page)->hash == d->hash;
    return page_stable(e, d->page) && page_hash(e, d->page) == d->hash;
}

static bool deps_hold(struct tr_engine *e, const struct tcf_view *v)
{
    for (uint32_t k = 0; k < v->h->n_deps; k++)
        if (!dep_holds(e, &v->deps[k]))
            return false;
    return true;
}

static bool place(struct tr_engine *e, struct tr_block *tb, const struct tcf_view *v)
{
    struct be_code c;
    const struct tcf_record *h = v->h;
    tc_code_buffer(e, &c);
    if ((size_t)(c.end - c.start) < h->code_size ||
        (e->tc.stage_from && (c.start > e->tc.stage_end || h->code_size > (size_t)(e->tc.stage_end - c.start))))
        return false;
    memcpy(be_writable(&c, c.start), v->code, h->code_size);
    tb->code = c.start;
    tb->code_size = h->code_size;
    tb->guest_size = h->guest_size;
    memcpy(tb->jump_site, h->jump_site, sizeof tb->jump_site);
    memcpy(tb->stub, h->stub, sizeof tb->stub);
    /* Each kind's base once per block.  (tcf_record_at checked the kinds,
     * but the map is the file's: masked, a kind rewritten since cannot
     * index past the table.) */
    const uint64_t base[4] = {
        [BE_RELOC_BLOCK] = reloc_base(e, tb, BE_RELOC_BLOCK),
        [BE_RELOC_HOST] = reloc_base(e, tb, BE_RELOC_HOST),
        [BE_RELOC_CODE] = reloc_base(e, tb, BE_RELOC_CODE),
    };
    for (const struct be_reloc *r = v->relocs, *end = r + h->n_relocs; r < end; r++)
        if (!be_reloc_patch(c.start, h->code_size, c.rw_delta, r, base[r->kind & 3] + r->target))
            return false;
    if (!fault_map_adopt(tb, v->fault, h->fault_size))  /* (the record's hash held) */
        return false;
    be_code_written(c.start, h->code_size);
    tc_commit_code(e, c.start + h->code_size);
    return true;
}

/* The order of first use, which the next file's records follow (an entry
 * as in tcache.order).  A warm run reads its records in about the order
 * the run that wrote the file used them: the body's chunks are mapped in
 * about once each, where the order in which runs first met them (layer
 * on layer) had a warm cc1 of zlib's trees.c map 8,000 chunks of a 77 MB
 * file in (300 now, when trees.c wrote it last).  Out of memory: the
 * order is left as it is. */
static void note_order(struct tcache *t, uint32_t entry)
{
    if (t->order_lost)
        return;
    if (t->order_n == t->order_cap) {
        size_t cap = t->order_cap ? 2 * t->order_cap : 4096;
        uint32_t *p = realloc(t->order, cap * sizeof *p);
        if (!p) {
            t->order_lost = true;       /* (the rest in the old order: still right) */
            return;
        }
        t->order = p;
        t->order_cap = cap;
    }
    t->order[t->order_n++] = entry;
}

/* Called with the file guard set: *made is the block while it is built. */
/* A successor of the block being restored: its bucket is read by
 * chain_ahead once the copy is done, and its index slot by the lookup of
 * the block most likely restored next (python3 -c pass: 100,000 bucket
 * and 38,000 index reads, most of them cache misses, 12 % of its time),
 * and then its used[] byte: find's test of it was 5.5 % of a warm cc1 -O2
 * (a miss: 256 KiB read at random, after the code copies went through
 * the cache), 2.1 % with it fetched here (session 34). */
static void prefetch_next(struct tr_engine *e, uint64_t pc)
{
    const struct tcache *t = e->tcache;
    tc_lookup_prefetch(e, pc);
    if (pc >= t->lo && pc < t->hi) {
        uint64_t s = tcf_slot_of(pc, t->layout.slots);
        __builtin_prefetch(t->map + t->layout.index_off + s * sizeof(struct tcf_slot));
        __builtin_prefetch(t->used + s);
    }
}

/* The record v (at index slot, its deps holding) as a new block, or NULL. */
static struct tr_block *restore_record(struct tr_engine *e, const struct tcf_view *v, uint64_t slot,
                                       uint32_t mode, struct tr_block *volatile *made)
{
    struct tcache *t = e->tcache;
    uint64_t pages[TCF_MAX_DEPS];
    uint32_t n_deps = v->h->n_deps;
    for (uint32_t k = 0; k < n_deps; k++)
        pages[k] = v->deps[k].page;
    struct tr_block *tb = *made = tc_alloc_block(e, v->h->guest_pc);
    if (!tb)
        return NULL;
    tb->mode = mode;
    memcpy(tb->exit_facts, v->h->exit_facts, sizeof tb->exit_facts);
    tb->flags_dead_in = (v->h->flags & TCF_DEAD_IN) != 0;
    tb->untested = (v->h->flags & TCF_UNTESTED) != 0;
    tb->entry_off = (uint8_t)(v->h->entry_off < v->h->code_size ? v->h->entry_off : 0);
    bool placed = place(e, tb, v);
    *made = NULL;                       /* (the file is not read again) */
    if (!placed) {
        tc_free_last_block(e, tb);
        return NULL;
    }
    tc_fetch_log_set(e, pages, n_deps);
    memcpy(e->xl->exit_pc, v->h->exit_pc, sizeof e->xl->exit_pc);
    if (!t->used[slot]) {
        t->used[slot] = USED_OK;
        note_order(t, (uint32_t)slot + 1);
    }
    if (t->stage)                       /* (the record lies in the copy or the map) */
        t->next_at = (size_t)((const uint8_t *)v->h - (t->map + t->layout.body_off)) + v->h->total_len;
    e->stats.tcache_hits++;
    return tb;
}

static struct tr_block *restore(struct tr_engine *e, uint64_t pc, uint32_t mode,
                                struct tr_block *volatile *made)
{
    struct tcache *t = e->tcache;
    struct tcf_view v;
    uint64_t slot;
    if (!find(t, pc, mode, &v, &slot))
        return NULL;
    uint64_t after = v.h->guest_pc + v.h->guest_size;
    for (int k = 0; k < 2; k++)
        if (v.h->exit_pc[k])
            prefetch_next(e, v.h->exit_pc[k]);
    if (after != v.h->exit_pc[0] && after != v.h->exit_pc[1])
        prefetch_next(e, after);
    if (!deps_hold(e, &v)) {
        e->stats.tcache_stale++;
        t->used[slot] = t->used[slot] ? USED_STALE : 0;
        return NULL;
    }
    return restore_record(e, &v, slot, mode, made);
}

/* fn(e, pc, mode) under the file guard: a fault while it reads the
 * mapped file lets the file go (and the block it was making). */
typedef struct tr_block *restore_fn(struct tr_engine *e, uint64_t pc, uint32_t mode,
                                    struct tr_block *volatile *made);

static struct tr_block *guarded(struct tr_engine *e, restore_fn *fn, uint64_t pc, uint32_t mode)
{
    sigjmp_buf guard;
    struct tr_block *volatile made = NULL;
    if (sigsetjmp(guard, 0)) {          /* the file was truncated under us */
        if (made)
            tc_free_last_block(e, made);
        unmap_file(e->tcache);
        return NULL;
    }
    file_guard = &guard;
    struct tr_block *tb = fn(e, pc, mode, &made);
    file_guard = NULL;
    return tb;
}

struct tr_block *tcache_restore(struct tr_engine *e, uint64_t pc, uint32_t mode)
{
    struct tcache *t = e->tcache;
    if (!t || !t->map || pc < t->lo || pc >= t->hi)
        return NULL;
    return guarded(e, restore, pc, mode);
}

/* ---- restoring ahead ------------------------------------------------------
 * A file copied whole (file_in) or mapped whole (up to the map's window:
 * the gcc driver's, as's) is restored a batch at a time: with
 * the block asked for, the records after it in the file (the order the
 * last run that wrote it first used them in), each as usual -- found
 * through the index, its hash and dependencies checked -- until the
 * staging buffer is full, AHEAD_RECORDS were looked at, or the next one
 * does not fit.  One whose pages do not hold now (a library not loaded
 * yet) or that is there already is passed over (not counted stale).  The
 * code is written by the kernel (tc_views_stage_end), so no alias page is
 * ever touched by a store (translate.c from_tcache registers and chains
 * the batch before that).  A mapped file is read under the file guard.
 * Larger files (cc1's, python3's) are restored on use: their records are
 * spread over many inputs' code (session 32; measured again in session
 * 40: a warm cc1 -O2 of main.c on the file f0.c wrote restored 155,000
 * records ahead where it uses 104,000, +7 % CPU). */
bool tcache_ahead_begin(struct tr_engine *e)
{
    struct tcache *t = e->tcache;
    if (!t || !t->map || !t->stage)
        return false;
    t->next_at = SIZE_MAX;
    t->ahead_left = AHEAD_RECORDS;
    memset(t->absent, 0, sizeof t->absent);
    return tc_views_stage_begin(&e->tc, t->stage, t->stage_cap);
}

/* deps_hold for a record restored ahead: a page that is not stable (a
 * library not loaded yet) marks its 2 MiB region for the rest of the
 * batch, so that the records after it on pages around it are passed over
 * without asking the guest's map again (a page the map does not know is
 * probed with a system call). */
static bool deps_hold_ahead(struct tr_engine *e, const struct tcf_view *v)
{
    struct tcache *t = e->tcache;
    for (uint32_t k = 0; k < v->h->n_deps; k++) {
        uint64_t page = v->deps[k].page, region = (page >> 9) + 1;
        if (memo_holds(t, page)) {
            if (memo_slot(t, page)->hash != v->deps[k].hash)
                return false;
            continue;
        }
        for (unsigned j = 0; j < AHEAD_ABSENT && t->absent[j]; j++)
            if (t->absent[j] == region)
                return false;
        if (!page_stable(e, page)) {
            memmove(&t->absent[1], &t->absent[0], sizeof t->absent - sizeof t->absent[0]);
            t->absent[0] = region;
            return false;
        }
        if (page_hash(e, page) != v->deps[k].hash)
            return false;
    }
    return true;
}

/* The record at body offset `at` (below body_len, 8-aligned), structure
 * checked: in the copy, or noted in the map. */
static bool ahead_record(struct tcache *t, size_t at, struct tcf_view *v)
{
    if (!t->copied)
        return record_in_map(t, at, v);
    return tcf_record_at(t->map + t->layout.body_off, t->layout.body_len, at, false, v);
}

/* The next record's block of the batch, or NULL (a restore_fn: pc and
 * mode are the record's). */
static struct tr_block *restore_next_ahead(struct tr_engine *e, uint64_t pc, uint32_t mode,
                                           struct tr_block *volatile *made)
{
    (void)pc, (void)mode;
    struct tcache *t = e->tcache;
    while (t->ahead_left && t->next_at < t->layout.body_len) {
        struct tcf_view v;
        uint64_t slot;
        size_t record_at = t->next_at;
        t->ahead_left--;
        if (!ahead_record(t, record_at, &v))
            break;
        t->next_at += v.h->total_len;
        uint8_t *at = (uint8_t *)(((uintptr_t)e->tc.ptr + 15) & ~(uintptr_t)15);
        if (at + v.h->code_size > e->tc.stage_end)
            break;
        if (!find_read(t, record_at, &v, &slot) || t->used[slot] ||
            tc_lookup(e, v.h->guest_pc, v.h->mode) || !deps_hold_ahead(e, &v))
            continue;
        struct tr_block *tb = restore_record(e, &v, slot, v.h->mode, made);
        if (!tb)
            break;                      /* no room (the cache or the staging buffer) */
        e->stats.tcache_ahead++;
        return tb;
    }
    t->ahead_left = 0;
    return NULL;
}

struct tr_block *tcache_restore_ahead(struct tr_engine *e)
{
    if (!e->tcache->map)                /* (let go by a fault earlier in the batch) */
        return NULL;
    return guarded(e, restore_next_ahead, 0, 0);
}

void tcache_ahead_end(struct tr_engine *e)
{
    tc_views_stage_end(&e->tc);
}

/* ---- new records -------------------------------------------------------- */

/* New records go to a file of this process's (`NAME.PID.spill.tmp`)
 * every few MB instead of piling up in memory (a cold cc1 makes 60 MB of
 * them); without one they stay in memory.  Opened for each write only:
 * the guest owns the descriptor space. */
static bool write_all(int fd, const uint8_t *p, size_t len);

static void spill(struct tcache *t)
{
    if (!t->spill) {
        size_t n = strlen(t->path) + 40;
        if (!(t->spill = malloc(n)))
            return;
        snprintf(t->spill, n, "%s.%d.spill.tmp", t->path, (int)getpid());
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (t->spill_len ? O_APPEND : O_TRUNC);
    int fd = t->fresh.failed ? -1 : open(t->spill, flags, 0600);
    bool ok = fd >= 0 && write_all(fd, t->fresh.p, t->fresh.len);
    ok = fd >= 0 && close(fd) == 0 && ok;
    if (!ok) {
        t->fresh.failed = true;         /* (nothing is saved) */
        return;
    }
    t->spill_len += t->fresh.len;
    t->spilled += t->fresh.n;
    fresh_reset(t);
}

/* No spilled records any more: saved, or a fork child's (its parent
 * saves them). */
static void spill_drop(struct tcache *t, bool remove)
{
    if (t->spill && remove)
        unlink(t->spill);
    free(t->spill);
    t->spill = NULL;
    t->spill_len = t->spilled = 0;
}

/* ---- making a record ----------------------------------------------------- */

/* A page in the memo is stable (see dep_holds): most blocks depend on
 * pages an earlier block's record hashed, and each guest-map look-up under
 * its lock was two fifths of this check in a cold run. */
static bool known_stable(struct tr_engine *e, uint64_t page)
{
    return memo_holds(e->tcache, page) || page_stable(e, page);
}

bool tcache_cacheable(struct tr_engine *e, uint64_t pc, uint32_t guest_size)
{
    const struct tc_fetch_log *l = &e->xl->fetch;
    if (!e->tcache || e->tcache->root_moved ||
        e->tcache->fresh.len + e->tcache->spill_len > TCACHE_MAX_FILE / 2 || l->n == 0 || l->n > TCF_MAX_DEPS || guest_size == 0)
        return false;
    for (size_t k = 0; k < l->n; k++)
        if (!known_stable(e, l->pages[k]))
            return false;
    return pc >= e->tcache->lo && pc < e->tcache->hi;
}

void tcache_record(struct tr_engine *e, const struct tr_block *tb, const struct be_relocs *r,
                   uint32_t guest_insns)
{
    const struct tc_fetch_log *l = &e->xl->fetch;
    struct tcf_dep deps[TCF_MAX_DEPS];
    struct be_reloc rel[BE_MAX_RELOCS];
    struct tcf_record h = { .guest_pc = tb->guest_pc, .guest_size = tb->guest_size,
                            .guest_insns = guest_insns, .code_size = tb->code_size,
                            .n_relocs = (uint32_t)r->n, .n_deps = (uint32_t)l->n,
                            .mode = tb->mode,
                            .exit_facts = { tb->exit_facts[0], tb->exit_facts[1] },
                            .flags = (tb->flags_dead_in ? TCF_DEAD_IN : 0) | (tb->untested ? TCF_UNTESTED : 0),
                            .entry_off = tb->entry_off };
    if (r->overflow || l->n > TCF_MAX_DEPS)
        return;
    for (size_t k = 0; k < l->n; k++)
        deps[k] = (struct tcf_dep){ l->pages[k], page_hash(e, l->pages[k]) };
    for (int k = 0; k < r->n; k++) {
        rel[k] = r->r[k];
        rel[k].target -= reloc_base(e, tb, rel[k].kind);
    }
    memcpy(h.jump_site, tb->jump_site, sizeof h.jump_site);
    memcpy(h.stub, tb->stub, sizeof h.stub);
    memcpy(h.exit_pc, e->xl->exit_pc, sizeof h.exit_pc);
    h.fault_size = (uint32_t)fault_map_export(tb, NULL);
    void *fault = h.fault_size ? malloc(h.fault_size) : NULL;
    if (h.fault_size && !fault)
        return;
    fault_map_export(tb, fault);
    struct tcf_view v = { &h, deps, rel, tb->code, fault };
    uint64_t before = e->tcache->fresh.n;
    tcf_append(&e->tcache->fresh, &v);
    if (e->tcache->fresh.n > before)
        note_order(e->tcache, 0);
    free(fault);
    if (e->tcache->fresh.len >= SPILL_AT)
        spill(e->tcache);
}

/* ---- writing a file ------------------------------------------------------ */

/* A record of the file outside the program's own code (ld.so, libraries)
 * stays only if this process used it or could have (its pages are mapped
 * here and hash as they did: a library loaded, other paths through it):
 * a library that changed gets a new slot, and records nobody can use must
 * not pile up.  (Reads the map: under the file guard.) */
static bool worth_keeping(struct tr_engine *e, const struct tcf_view *v)
{
    const struct tcache *t = e->tcache;
    uint64_t pc = v->h->guest_pc;
    if (pc >= t->prog_lo && pc < t->prog_hi)
        return true;
    struct tcf_view mine;
    uint64_t slot;
    if (t->map && tcf_find(t->map, &t->layout, pc, v->h->mode, false, &mine, &slot) && t->used[slot])
        return true;
    return deps_hold(e, v);
}

/* A temporary file written through a buffer. */
struct out {
    struct tr_engine *engine;
    int fd;
    bool ok;
    uint8_t *buf;
    size_t fill;
    struct tcf_index ix;
    uint64_t body_len, n;
};

#define OUT_BUF ((size_t)1 << 18)

static bool write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void out_flush(struct out *o)
{
    o->ok = o->ok && write_all(o->fd, o->buf, o->fill);
    o->fill = 0;
}

/* A record (whole, as checked) unless its pc has one of its mode already
 * or the file is full. */
static void out_record(struct out *o, const struct tcf_view *v)
{
    size_t len = v->h->total_len;
    if (!o->ok || o->body_len + len > TCACHE_MAX_FILE / 2 ||
        !tcf_index_add(&o->ix, v->h->guest_pc, v->h->mode, o->body_len))
        return;
    if (o->fill + len > OUT_BUF)
        out_flush(o);
    if (len > OUT_BUF)
        o->ok = o->ok && write_all(o->fd, (const uint8_t *)v->h, len);
    else
        memcpy(o->buf + o->fill, v->h, len), o->fill += len;
    o->body_len += len;
    o->n++;
}

/* Records read from a file in pieces (never the whole file in memory),
 * each hash checked; a record that does not add up ends them. */
struct rec_reader {
    int fd;
    uint64_t body_off, body_len;
    uint8_t *buf;
    size_t cap, have, at;               /* buf's size, bytes read into it, next record */
    uint64_t done;                      /* body bytes read before buf[0] */
};

/* Room for the record at r->at whole (need bytes), the bytes before it dropped. */
static bool reader_room(struct rec_reader *r, size_t need)
{
    memmove(r->buf, r->buf + r->at, r->have - r->at);
    r->done += r->at;
    r->have -= r->at;
    r->at = 0;
    if (need <= r->cap)
        return true;
    uint8_t *p = realloc(r->buf, need);
    if (!p)
        return false;
    r->buf = p;
    r->cap = need;
    return true;
}

static bool reader_next(struct rec_reader *r, struct tcf_view *v)
{
    if (!r->buf && (r->fd < 0 || !(r->buf = malloc(r->cap = (size_t)1 << 20))))
        return false;
    for (;;) {
        if (r->have - r->at >= sizeof(struct tcf_record) && tcf_record_at(r->buf, r->have, r->at, true, v)) {
            r->at += v->h->total_len;
            return true;
        }
        const struct tcf_record *h = (const void *)(r->buf + r->at);
        size_t need = r->have - r->at >= sizeof *h ? h->total_len : sizeof *h;
        if (need <= r->have - r->at || need > TCF_MAX_CODE + TCF_MAX_FAULT + (64u << 10) ||
            r->done + r->have == r->body_len || !reader_room(r, need))
            return false;               /* the end, or a whole record that does not add up */
        uint64_t left = r->body_len - r->done - r->have;
        size_t want = (size_t)(left < r->cap - r->have ? left : r->cap - r->have);
        ssize_t got = pread(r->fd, r->buf + r->have, want, (off_t)(r->body_off + r->done + r->have));
        if (got <= 0)
            return false;
        r->have += (size_t)got;
    }
}

/* The records of the file as it is now (another process may have
 * replaced it since start-up). */
static void out_records_of(struct out *o, int fd, const struct tcf_layout *l, bool all)
{
    struct rec_reader r = { .fd = fd, .body_off = l->body_off, .body_len = l->body_len };
    struct tcf_view v;
    while (o->ok && reader_next(&r, &v))
        if (all || worth_keeping(o->engine, &v))
            out_record(o, &v);
    free(r.buf);
}

static void out_old_file(struct tcache *t, struct out *o)
{
    struct tcf_layout l;
    struct stat st;
    int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        /* no descriptor number left (a guest took them all): the old
         * file's records are not dropped, the old file stays instead */
        if (errno == EMFILE || errno == ENFILE)
            o->ok = false;
        return;
    }
    if (open_layout(fd, t->key, &l, &st))
        out_records_of(o, fd, &l, false);
    close(fd);
}

/* UINT64_MAX when the file could not be opened for want of a descriptor
 * number: the records used from it could not be bounded (nor merged). */
static uint64_t old_record_count(const struct tcache *t)
{
    struct tcf_layout l;
    struct stat st;
    int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE ? UINT64_MAX : 0;
    uint64_t n = open_layout(fd, t->key, &l, &st) ? l.n_records : 0;
    close(fd);
    return n < TCACHE_MAX_FILE / sizeof(struct tcf_record) ? n : TCACHE_MAX_FILE / sizeof(struct tcf_record);
}

/* This process's new records, in the order it made them: the spill
 * file's, then those in memory. */
struct fresh_src {
    struct tcache *t;
    struct rec_reader spill;
    size_t pos;
};

static bool fresh_next(struct fresh_src *f, struct tcf_view *v)
{
    return reader_next(&f->spill, v) || tcf_next(f->t->fresh.p, f->t->fresh.len, &f->pos, v);
}

/* The start-up map's record at slot, if this process restored it and it
 * did not go stale here. */
static bool used_record(struct tcache *t, uint64_t slot, struct tcf_view *v)
{
    return t->map && t->used[slot] == USED_OK &&
           record_in_map(t, ((size_t)map_index(t, slot)[slot].at - 1) * 8, v);
}

/* The records this process used, in the order it first used them (new
 * ones and the start-up map's; a map record that went stale here is left
 * to the new one that replaced it), then any new ones left. */
static void out_used(struct tcache *t, struct out *o, struct fresh_src *f)
{
    struct tcf_view v;
    for (size_t k = 0; k < t->order_n && o->ok; k++)
        if (t->order[k] ? used_record(t, t->order[k] - 1ull, &v) : fresh_next(f, &v))
            out_record(o, &v);
    while (o->ok && fresh_next(f, &v))
        out_record(o, &v);
}

/* The records this process used (out_used), then the file's current ones
 * for other pcs, then the index, then the header (the file's first bytes,
 * written last). */
static bool write_merged(struct tcache *t, struct out *o)
{
    size_t prefix_len = tcf_prefix_len(t->key), ilen;
    uint64_t old = old_record_count(t);
    uint8_t *prefix = old == UINT64_MAX ? NULL : calloc(1, prefix_len);
    if (!prefix || !(o->buf = malloc(OUT_BUF)) || !tcf_index_init(&o->ix, t->spilled + t->fresh.n + old) ||
        !write_all(o->fd, prefix, prefix_len)) {
        free(prefix);
        return false;
    }
    struct fresh_src f = { .t = t, .spill = { .body_len = t->spill_len } };
    f.spill.fd = t->spill ? open(t->spill, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    out_used(t, o, &f);
    if (f.spill.fd >= 0)
        close(f.spill.fd);
    free(f.spill.buf);
    out_old_file(t, o);
    out_flush(o);
    const struct tcf_slot *index = tcf_index_finish(&o->ix, &ilen);
    tcf_prefix(prefix, t->key, o->n, o->body_len, o->ix.slots);
    bool ok = o->ok && write_all(o->fd, (const uint8_t *)index, ilen) &&
              pwrite(o->fd, prefix, prefix_len, 0) == (ssize_t)prefix_len;
    free(prefix);
    return ok;
}

/* ---- the directory's size bound ------------------------------------------- */

struct entry {
    int64_t mtime;
    uint64_t size;
    char name[64];
};

static int older_first(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

static bool ours_by_name(const char *name)
{
    size_t n = strlen(name);
    return n < 64 && ((n > 4 && !strcmp(name + n - 4, ".ftc")) || (n > 4 && !strcmp(name + n - 4, ".tmp")));
}

/* The cache's files (and temporaries) in dir, oldest first; *total their size. */
static struct entry *list_files(int dirfd, size_t *n, uint64_t *total)
{
    DIR *d = fdopendir(dup(dirfd));
    struct entry *list = NULL;
    size_t cap = 0;
    struct dirent *de;
    *n = 0;
    *total = 0;
    while (d && (de = readdir(d))) {
        struct stat st;
        if (!ours_by_name(de->d_name) || fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (*n == cap) {
            struct entry *p = realloc(list, (cap = cap ? 2 * cap : 64) * sizeof *list);
            if (!p)
                break;
            list = p;
        }
        list[*n] = (struct entry){ .mtime = st.st_mtim.tv_sec, .size = (uint64_t)st.st_blocks * 512 };
        strcpy(list[(*n)++].name, de->d_name);
        *total += (uint64_t)st.st_blocks * 512;
    }
    if (d)
        closedir(d);
    if (list)
        qsort(list, *n, sizeof *list, older_first);
    return list;
}

static uint64_t size_bound(void)
{
    return ferry_opts.tcache_size ? ferry_opts.tcache_size : TCACHE_DEFAULT_BOUND;
}

/* Over the bound: the files least recently used go (not the one just
 * written; a temporary only when an hour old: its writer may be busy). */
static void evict(const struct tcache *t)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", t->path);
    *strrchr(dir, '/') = 0;
    const char *mine = strrchr(t->path, '/') + 1;
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t n;
    uint64_t total;
    struct entry *list = dirfd >= 0 ? list_files(dirfd, &n, &total) : NULL;
    int64_t now = time(NULL);
    for (size_t k = 0; list && k < n && total > size_bound(); k++) {
        bool tmp = strstr(list[k].name, ".tmp") != NULL;
        if (!strcmp(list[k].name, mine) || (tmp && now - list[k].mtime < 3600))
            continue;
        if (unlinkat(dirfd, list[k].name, 0) == 0)
            total -= list[k].size;
    }
    free(list);
    if (dirfd >= 0)
        close(dirfd);
}

/* ---- saving --------------------------------------------------------------- */

void tcache_fork_child(struct tr_engine *e)
{
    struct tcache *t = e->tcache;
    if (!t)
        return;
    fresh_reset(t);
    spill_drop(t, false);
    t->order_n = 0;                     /* (its entries of new records are the parent's) */
}

/* Rewriting the whole file costs more than translating a handful of
 * blocks again: a run that found almost everything in it (a few blocks
 * differ from run to run) leaves it alone. */
static bool worth_saving(const struct tcache *t)
{
    uint64_t known = t->map ? t->layout.n_records : 0, made = t->fresh.n + t->spilled;
    return made && !t->fresh.failed && (made >= 256 || made * 100 >= known);
}

/* Under the file guard (worth_keeping reads the start-up map). */
static bool publish(struct tr_engine *e, const char *tmp)
{
    struct tcache *t = e->tcache;
    struct out o = { .engine = e, .ok = true };
    sigjmp_buf guard;
    if (sigsetjmp(guard, 0)) {          /* the start-up file was truncated */
        unmap_file(t);
        return false;                   /* (leaks o's buffers: once) */
    }
    o.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (o.fd < 0)
        return false;
    file_guard = &guard;
    bool ok = write_merged(t, &o);
    file_guard = NULL;
    ok = close(o.fd) == 0 && ok && rename(tmp, t->path) == 0;
    free(o.buf);
    free(o.ix.s);
    return ok;
}

static void save(struct tr_engine *e)
{
    struct tcache *t = e->tcache;
    char tmp[4200];
    if (!t || t->root_moved)
        return;
    if (!worth_saving(t)) {
        spill_drop(t, true);
        return;
    }
    snprintf(tmp, sizeof tmp, "%s.%d.%ld.tmp", t->path, (int)getpid(), (long)time(NULL));
    if (publish(e, tmp)) {
        e->stats.tcache_stored += t->fresh.n + t->spilled;
        evict(t);
    } else {
        unlink(tmp);                    /* full disk, read-only, ...: no cache */
    }
    fresh_reset(t);
    spill_drop(t, true);
    t->order_n = 0;
}

/* The cache's files are reached by path (the guest owns the descriptor
 * space), and after the guest's chroot the path leads into the new root:
 * what this process made is saved before the chroot (sys_chroot) and
 * nothing is made or written after it (the records already mapped are
 * still used).  The programs it executes resolve their own cache
 * directory in the new root. */
void tr_tcache_root_moved(struct tr_engine *e)
{
    if (!e || !e->tcache)
        return;
    pthread_mutex_lock(&e->thr.translate_lock);
    e->tcache->root_moved = true;
    pthread_mutex_unlock(&e->thr.translate_lock);
}

/* At exit another thread may be translating (or this one, interrupted by
 * a fatal signal): wait a little for the lock, else skip the save. */
void tr_tcache_save(struct tr_engine *e)
{
    if (!e || !e->tcache)
        return;
    for (int k = 0; k < 100; k++) {
        if (pthread_mutex_trylock(&e->thr.translate_lock) == 0) {
            save(e);
            pthread_mutex_unlock(&e->thr.translate_lock);
            return;
        }
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
}
