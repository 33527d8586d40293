/* fault_map.c -- a block's fault map: for each guest memory access of its
 * code, the guest pc and where the guest state newer than env lives
 * (regalloc.h's ra_fault_point and ra_fault_entry, recorded while the
 * block is emitted), kept for the life of the block so that a host fault
 * there becomes a precise guest signal (fault.c).
 *
 * Every block has one and almost none is ever read, so it is kept as a
 * byte stream of LEB128 numbers, each point relative to the one before:
 * about 7 bytes a point against 40 for the structs plus 16 per entry
 * (cc1 -O2 kept 24 MB of maps as structs; this and the block pool were
 * most of ferry's memory beyond the code).  A fault decodes the block's
 * map up to its point.  The same bytes are the persistent cache's copy.
 *
 * Stream: n_points; per point: host_off delta, guest_pc delta (zigzag,
 * from the block's pc), count << 2 | write << 1 | pinned same as the
 * previous point's, [pinned], then count entries: env_offset, reg + 1
 * (0: the value is an immediate; RA_FAULT_ADD + 1: an adjustment of
 * the stack pointer, IR_fault_sp), [imm, zigzag: for those two]. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#include "regalloc.h"
#include "tr_internal.h"

struct fault_map {
    uint32_t len;                       /* bytes of the stream */
    bool in_arena;                      /* else malloc'd */
    uint8_t bytes[];
};

/* ---- where maps live ------------------------------------------------------
 * A map is written once and freed only when its block goes (a flush, or
 * the retry of a block that did not fit).  They are carved from 256 KiB
 * chunks instead of one malloc each (python3 -c pass keeps 38,000 maps).
 * A chunk is populated 64 KiB at a time as it fills (one system call
 * instead of 16 page faults, each 10-80 us on this kind of machine; fine
 * if refused): a short process fills a fraction of its first chunk (a
 * warm /bin/true 64-128 KiB), and populating all 64 pages at once zeroed
 * pages it never touched.  A
 * chunk counts its live maps and is unmapped when the last one goes and
 * it is no longer the one being filled.  The mutex: engines translate
 * under their own locks, and a process may (tests) have two. */
#define FM_CHUNK ((size_t)256 << 10)

#define FM_STEP ((size_t)64 << 10)

struct fm_chunk {
    size_t used;                        /* bytes, this header included */
    size_t live;                        /* maps not yet freed */
    size_t populated;                   /* bytes populated, a multiple of FM_STEP */
};

/* The chunk's pages up to end, FM_STEP at a time. */
static void fm_populate(struct fm_chunk *c, size_t end)
{
    if (end <= c->populated)
        return;
    size_t to = (end + FM_STEP - 1) & ~(FM_STEP - 1);
    madvise((uint8_t *)c + c->populated, to - c->populated, MADV_POPULATE_WRITE);
    c->populated = to;
}

static struct fm_chunk *fm_current;
static pthread_mutex_t fm_lock = PTHREAD_MUTEX_INITIALIZER;

static struct fm_chunk *fm_new_chunk(void)
{
    uint8_t *c = tr_map_aligned(FM_CHUNK);
    if (!c)
        return NULL;
    madvise(c, FM_STEP, MADV_POPULATE_WRITE);
    struct fm_chunk *h = (struct fm_chunk *)c;
    h->populated = FM_STEP;
    h->used = (sizeof(*h) + 7) & ~(size_t)7;
    h->live = 0;
    return h;
}

static void *fm_carve(size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (!fm_current || fm_current->used + size > FM_CHUNK) {
        struct fm_chunk *old = fm_current;
        if (!(fm_current = fm_new_chunk()))
            return NULL;
        if (old && !old->live)
            munmap(old, FM_CHUNK);
    }
    void *p = (uint8_t *)fm_current + fm_current->used;
    fm_current->used += size;
    fm_current->live++;
    fm_populate(fm_current, fm_current->used);
    return p;
}

/* A map with room for len bytes of stream; NULL when out of memory. */
static struct fault_map *fm_alloc(size_t len)
{
    size_t size = sizeof(struct fault_map) + len;
    struct fault_map *m = NULL;
    bool in_arena = size <= FM_CHUNK / 8;
    if (in_arena) {
        pthread_mutex_lock(&fm_lock);
        m = fm_carve(size);
        pthread_mutex_unlock(&fm_lock);
    } else {
        m = malloc(size);
    }
    if (m) {
        m->in_arena = in_arena;
        m->len = (uint32_t)len;
    }
    return m;
}

void fault_map_free(void *map)
{
    struct fault_map *m = map;
    if (!m)
        return;
    if (!m->in_arena) {
        free(m);
        return;
    }
    struct fm_chunk *c = (struct fm_chunk *)((uintptr_t)m & ~(uintptr_t)(FM_CHUNK - 1));
    pthread_mutex_lock(&fm_lock);
    if (--c->live == 0) {
        if (c == fm_current)
            c->used = (sizeof(*c) + 7) & ~(size_t)7;
        else
            munmap(c, FM_CHUNK);
    }
    pthread_mutex_unlock(&fm_lock);
}

/* ---- the stream -------------------------------------------------------- */

struct fm_writer {
    uint8_t *p;
    size_t len;
    size_t cap;                         /* bytes written only below it: counts on */
};

static void put_uleb(struct fm_writer *w, uint64_t v)
{
    do {
        uint8_t b = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (w->len < w->cap)
            w->p[w->len] = (uint8_t)(b | (v ? 0x80 : 0));
        w->len++;
    } while (v);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static void put_point(struct fm_writer *w, const struct ra_fault_map *b, int k,
                      uint64_t block_pc)
{
    const struct ra_fault_point *p = &b->points[k], *prev = k ? p - 1 : NULL;
    put_uleb(w, p->host_off - (prev ? prev->host_off : 0));
    put_uleb(w, zigzag((int64_t)(p->guest_pc - (prev ? prev->guest_pc : block_pc))));
    bool same = prev && prev->pinned == p->pinned;
    put_uleb(w, (uint64_t)p->count << 2 | (uint64_t)p->write << 1 | same);
    if (!same)
        put_uleb(w, p->pinned);
    for (uint32_t e = p->first; e < p->first + p->count; e++) {
        const struct ra_fault_entry *x = &b->entries[e];
        put_uleb(w, (uint32_t)x->env_offset);
        put_uleb(w, (uint64_t)(x->reg + 1));
        if (x->reg < 0 || x->reg == RA_FAULT_ADD)
            put_uleb(w, zigzag((int64_t)x->imm));
    }
}

/* The allocator's record as a stream (w->p NULL: only its length);
 * false when a point goes back (they are recorded in code order). */
static bool encode(struct fm_writer *w, const struct ra_fault_map *b, uint64_t block_pc)
{
    put_uleb(w, (uint64_t)b->n_points);
    for (int k = 0; k < b->n_points; k++) {
        if (k && b->points[k].host_off < b->points[k - 1].host_off)
            return false;
        put_point(w, b, k, block_pc);
    }
    return true;
}

struct fm_reader {
    const uint8_t *p, *end;
    bool bad;
};

static uint64_t get_uleb(struct fm_reader *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

/* One point and its entries (at most 64: one per global), checked. */
static bool get_point(struct fm_reader *r, struct ra_fault_point *p,
                      struct ra_fault_entry *entries, uint32_t code_size)
{
    p->host_off += (uint32_t)get_uleb(r);
    p->guest_pc += (uint64_t)unzigzag(get_uleb(r));
    uint64_t head = get_uleb(r);
    p->write = head >> 1 & 1;
    if (!(head & 1))
        p->pinned = get_uleb(r);
    p->first = 0;
    p->count = (uint32_t)(head >> 2);
    if (head >> 2 > 64 || p->host_off >= code_size)
        return false;
    for (uint32_t k = 0; k < p->count; k++) {
        uint64_t off = get_uleb(r), reg = get_uleb(r);
        if (off > 65536 - 8 || reg > RA_FAULT_ADD + 1)
            return false;
        bool imm = reg == 0 || reg == RA_FAULT_ADD + 1;
        entries[k] = (struct ra_fault_entry){ .env_offset = (int32_t)off, .reg = (int8_t)(reg - 1),
                                              .imm = imm ? (uint64_t)unzigzag(get_uleb(r)) : 0 };
    }
    return !r->bad;
}

/* Walks the stream: the last point at or before host offset `off` (all of
 * them for UINT32_MAX) into *p and entries; false when the stream does
 * not add up.  *found: there was one. */
static bool decode(const uint8_t *bytes, size_t len, uint64_t block_pc, uint32_t code_size,
                   uint32_t off, struct ra_fault_point *p, struct ra_fault_entry *entries,
                   bool *found)
{
    struct fm_reader r = { bytes, bytes + len, false };
    struct ra_fault_point cur = { .guest_pc = block_pc };
    struct ra_fault_entry cur_entries[64];
    uint64_t n = get_uleb(&r);
    *found = false;
    if (n == 0 || n > IR_MAX_INSNS)
        return false;
    for (uint64_t k = 0; k < n; k++) {
        uint32_t before = cur.host_off;
        if (!get_point(&r, &cur, cur_entries, code_size) || cur.host_off < before)
            return false;
        if (cur.host_off > off)
            return true;
        *p = cur;
        memcpy(entries, cur_entries, sizeof(cur_entries[0]) * cur.count);
        *found = true;
    }
    return r.p == r.end;
}

/* ---- the engine's side ------------------------------------------------- */

void fault_begin_block(struct tr_engine *e)
{
    ra_record_faults(e->xl->work->ra, be_ucontext_pc ? &e->xl->work->faults : NULL);
}

/* The allocator's record, encoded into one compact allocation: through a
 * buffer on the stack that nearly every map fits (else encoded again). */
void fault_keep_map(struct tr_engine *e, struct tr_block *tb)
{
    struct ra_fault_map *b = &e->xl->work->faults;
    uint8_t buf[512];
    struct fm_writer w = { buf, 0, sizeof(buf) };
    if (!be_ucontext_pc || b->overflow || b->n_points == 0 || !encode(&w, b, tb->guest_pc))
        return;
    struct fault_map *m = fm_alloc(w.len);
    if (!m)
        return;
    if (w.len <= sizeof(buf))
        memcpy(m->bytes, buf, w.len);
    else {
        w = (struct fm_writer){ m->bytes, 0, w.len };
        encode(&w, b, tb->guest_pc);
    }
    tb->fault_map = m;
}

bool fault_map_point(const struct tr_block *tb, uint32_t off, struct ra_fault_point *p,
                     struct ra_fault_entry entries[64])
{
    const struct fault_map *m = tb->fault_map;
    bool found;
    return m && decode(m->bytes, m->len, tb->guest_pc, tb->code_size, off, p, entries, &found) &&
           found;
}

/* The persistent translation cache's copy of a block's map: the stream
 * (host offsets and pc deltas: position independent). */
size_t fault_map_export(const struct tr_block *tb, void *out)
{
    const struct fault_map *m = tb->fault_map;
    if (!m)
        return 0;
    if (out)
        memcpy(out, m->bytes, m->len);
    return m->len;
}

/* The stream of a persistent-cache record whose hash was checked, taken
 * as it is: the same record's host code runs unchecked, so walking the
 * stream first adds no safety, and a fault decodes (and checks) its part
 * anyway.  The walk was 7 % of a warm /bin/true's ferry instructions. */
bool fault_map_adopt(struct tr_block *tb, const void *data, size_t size)
{
    if (size == 0)
        return true;
    struct fault_map *m = fm_alloc(size);
    if (!m)
        return false;
    memcpy(m->bytes, data, size);
    tb->fault_map = m;
    return true;
}

bool fault_map_import(struct tr_block *tb, const void *data, size_t size)
{
    struct ra_fault_point p;
    struct ra_fault_entry entries[64];
    bool found;
    if (size == 0)
        return true;
    if (!decode(data, size, tb->guest_pc, tb->code_size, UINT32_MAX, &p, entries, &found))
        return false;
    return fault_map_adopt(tb, data, size);
}
