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
 * shared code.  The file is read once at start-up, checked whole (header,
 * key, hash), and written by merging this process's new records with the
 * file's current ones into a temporary that is renamed over it, so
 * concurrent processes never see a half-written file.  Whatever goes wrong
 * (no directory, a foreign or corrupt file, a full disk) leaves the cache
 * unused or unwritten, never the guest affected. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tcache_file.h"
#include "tr_internal.h"

#define TCACHE_MAX_FILE (256u << 20)    /* a file stops growing here */
#define MEMO_BITS 16                     /* 256 MiB of guest code without collisions */

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
    struct region data;                 /* the file, its index, the memo */
    struct region fresh_room;           /* fresh's bytes */
    char *path, *key;
    uint64_t lo, hi;                    /* cacheable guest code */
    uint64_t prog_lo, prog_hi;          /* the program's own (narrower without ASLR) */
    uint8_t *file;                      /* as read at start-up */
    struct tcf_view *recs;
    size_t n_recs;
    uint8_t *used;                      /* [n_recs]: taken by this process */
    uint32_t *index;                    /* pc -> recs[k - 1]; 0: empty */
    size_t index_mask;
    struct tcf_buf fresh;               /* records made by this process */
    struct page_memo *memo;             /* [1 << MEMO_BITS], direct-mapped */
};

/* ---- reserved memory ------------------------------------------------------ */

#define DATA_ROOM ((size_t)1 << 30)
#define FRESH_ROOM ((size_t)TCACHE_MAX_FILE)

static bool region_reserve(struct region *r, size_t size)
{
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    *r = (struct region){ .base = p, .size = size };
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

static uint64_t page_hash(struct tr_engine *e, uint64_t page)
{
    struct page_memo *s = &e->tcache->memo[page & ((1u << MEMO_BITS) - 1)];
    if (s->page_plus1 != page + 1) {
        s->hash = tcf_hash(tr_g2h(e->cfg.mem, page << TC_PAGE_SHIFT), 1u << TC_PAGE_SHIFT);
        s->page_plus1 = page + 1;
    }
    return s->hash;
}

void tcache_forget(struct tr_engine *e, uint64_t start, uint64_t len)
{
    struct tcache *t = e->tcache;
    uint64_t end = start + len < start ? UINT64_MAX : start + len;
    if (!t || end <= t->lo || start >= t->hi)   /* the memo holds cacheable pages only */
        return;
    start = start > t->lo ? start : t->lo;
    end = end < t->hi ? end : t->hi;
    uint64_t first = start >> TC_PAGE_SHIFT, last = (end - 1) >> TC_PAGE_SHIFT;
    if (last - first >= (1u << MEMO_BITS) || last < first) {
        memset(t->memo, 0, sizeof(*t->memo) << MEMO_BITS);
        return;
    }
    for (uint64_t p = first; p <= last; p++) {
        struct page_memo *s = &t->memo[p & ((1u << MEMO_BITS) - 1)];
        if (s->page_plus1 == p + 1)
            s->page_plus1 = 0;
    }
}

/* ---- the index of records read ----------------------------------------- */

static size_t pc_slot(const struct tcache *t, uint64_t pc)
{
    return (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 20) & t->index_mask;
}

static const struct tcf_view *find(const struct tcache *t, uint64_t pc, size_t *slot)
{
    if (!t->index)
        return NULL;
    for (size_t s = pc_slot(t, pc);; s = (s + 1) & t->index_mask) {
        if (!t->index[s])
            return NULL;
        if (t->recs[t->index[s] - 1].h->guest_pc == pc) {
            *slot = s;
            return &t->recs[t->index[s] - 1];
        }
    }
}

static void index_records(struct tcache *t)
{
    size_t size = 16;
    while (size < 2 * t->n_recs)
        size *= 2;
    t->index = data_alloc(t, size * sizeof *t->index);
    if (!t->index)
        return;
    t->index_mask = size - 1;
    for (size_t k = 0; k < t->n_recs; k++) {
        size_t s = pc_slot(t, t->recs[k].h->guest_pc), dup;
        if (find(t, t->recs[k].h->guest_pc, &dup))
            continue;
        while (t->index[s])
            s = (s + 1) & t->index_mask;
        t->index[s] = (uint32_t)k + 1;
    }
}

/* ---- files -------------------------------------------------------------- */

/* The whole file, if it is a regular file of ours that nobody else may
 * write; NULL otherwise.  In t's reserved data at start-up (t), else
 * malloc'ed. */
static uint8_t *read_file(struct tcache *t, const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    uint8_t *p = NULL;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid() &&
        !(st.st_mode & 022) && st.st_size > 0 && (uint64_t)st.st_size <= TCACHE_MAX_FILE &&
        (p = t ? data_alloc(t, (size_t)st.st_size) : malloc((size_t)st.st_size))) {
        size_t got = 0;
        ssize_t n;
        while (got < (size_t)st.st_size && (n = read(fd, p + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)n;
        *len = got;
    }
    close(fd);
    return p;
}

/* Every record of a checked file, each itself checked; a bad one ends the list. */
static size_t parse(struct tcache *t, const uint8_t *file, size_t len, const char *key,
                    struct tcf_view **out)
{
    const uint8_t *body;
    size_t body_len, pos = 0, n = 0;
    uint64_t count;
    *out = NULL;
    if (!file || !tcf_open_body(file, len, key, &body, &body_len, &count) ||
        count > body_len / sizeof(struct tcf_record))
        return 0;
    size_t size = sizeof(**out) * (count ? count : 1);
    *out = t ? data_alloc(t, size) : malloc(size);
    while (*out && n < count && tcf_next(body, body_len, &pos, &(*out)[n]))
        n++;
    return *out ? n : 0;
}

static void load(struct tcache *t)
{
    size_t len = 0;
    t->file = read_file(t, t->path, &len);
    t->n_recs = parse(t, t->file, len, t->key, &t->recs);
    index_records(t);
}

/* The directory, made if missing; ours and closed to others, or false. */
static bool dir_ok(const char *dir)
{
    struct stat st;
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
        !identity("/proc/self/exe", self, sizeof self) || !dir_ok(dir))
        return;
    bool ras = e->cfg.ras < 0 ? be_host.ras_default : e->cfg.ras;
    snprintf(key, sizeof key, "program=%s\nferry=%s\nhost=%s ras=%d log=%u\noptions=%s\n"
             "code=%#" PRIx64 "-%#" PRIx64 "\n", prog, self, be_host.name, ras,
             (unsigned)ferry_opts.log_mask, options ? options : "", lo, hi);
    struct tcache *t = calloc(1, sizeof *t);
    char name[64];
    snprintf(name, sizeof name, "/%016" PRIx64 ".ftc", tcf_hash(key, strlen(key)));
    if (!t || !(t->key = strdup(key)) || !(t->path = malloc(strlen(dir) + sizeof name)) ||
        !region_reserve(&t->data, DATA_ROOM) || !region_reserve(&t->fresh_room, FRESH_ROOM) ||
        !(t->memo = data_alloc(t, sizeof(*t->memo) << MEMO_BITS))) {
        free(t);                        /* (and whatever it got: once, at start-up) */
        return;
    }
    fresh_reset(t);
    strcat(strcpy(t->path, dir), name);
    t->lo = lo;
    t->hi = hi;
    t->prog_lo = prog_lo;
    t->prog_hi = prog_hi;
    load(t);
    t->used = data_alloc(t, t->n_recs + 1);
    e->stats.tcache_loaded = t->n_recs;
    e->tcache = t;
}

/* ---- using a record ------------------------------------------------------ */

static bool deps_hold(struct tr_engine *e, const struct tcf_view *v)
{
    for (uint32_t k = 0; k < v->h->n_deps; k++)
        if (!page_stable(e, v->deps[k].page) || page_hash(e, v->deps[k].page) != v->deps[k].hash)
            return false;
    return true;
}

static bool place(struct tr_engine *e, struct tr_block *tb, const struct tcf_view *v)
{
    struct be_code c;
    const struct tcf_record *h = v->h;
    tc_code_buffer(e, &c);
    if ((size_t)(c.end - c.start) < h->code_size)
        return false;
    memcpy(be_writable(&c, c.start), v->code, h->code_size);
    tb->code = c.start;
    tb->code_size = h->code_size;
    tb->guest_size = h->guest_size;
    memcpy(tb->jump_site, h->jump_site, sizeof tb->jump_site);
    memcpy(tb->stub, h->stub, sizeof tb->stub);
    for (uint32_t k = 0; k < h->n_relocs; k++) {
        struct be_reloc r = v->relocs[k];
        if (!be_reloc_patch(c.start, h->code_size, c.rw_delta, &r, reloc_base(e, tb, r.kind) + r.target))
            return false;
    }
    if (!fault_map_import(tb, v->fault, h->fault_size))
        return false;
    be_code_written(c.start, h->code_size);
    tc_commit_code(e, c.start + h->code_size);
    return true;
}

struct tr_block *tcache_restore(struct tr_engine *e, uint64_t pc)
{
    struct tcache *t = e->tcache;
    size_t slot;
    const struct tcf_view *v = t && pc >= t->lo && pc < t->hi ? find(t, pc, &slot) : NULL;
    if (!v)
        return NULL;
    if (!deps_hold(e, v)) {
        e->stats.tcache_stale++;
        return NULL;
    }
    struct tr_block *tb = tc_alloc_block(e, pc);
    if (!tb)
        return NULL;
    if (!place(e, tb, v)) {
        tc_free_last_block(e, tb);
        return NULL;
    }
    uint64_t pages[TCF_MAX_DEPS];
    for (uint32_t k = 0; k < v->h->n_deps; k++)
        pages[k] = v->deps[k].page;
    tc_fetch_log_set(e, pages, v->h->n_deps);
    if (t->used)
        t->used[t->index[slot] - 1] = 1;
    e->stats.tcache_hits++;
    return tb;
}

/* ---- making a record ----------------------------------------------------- */

bool tcache_cacheable(struct tr_engine *e, uint64_t pc, uint32_t guest_size)
{
    const struct tc_fetch_log *l = &e->xl->fetch;
    if (!e->tcache || e->tcache->fresh.len > TCACHE_MAX_FILE / 2 || l->n == 0 || l->n > TCF_MAX_DEPS || guest_size == 0)
        return false;
    for (size_t k = 0; k < l->n; k++)
        if (!page_stable(e, l->pages[k]))
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
                            .n_relocs = (uint32_t)r->n, .n_deps = (uint32_t)l->n };
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
    h.fault_size = (uint32_t)fault_map_export(tb, NULL);
    void *fault = h.fault_size ? malloc(h.fault_size) : NULL;
    if (h.fault_size && !fault)
        return;
    fault_map_export(tb, fault);
    struct tcf_view v = { &h, deps, rel, tb->code, fault };
    tcf_append(&e->tcache->fresh, &v);
    free(fault);
}

/* ---- saving --------------------------------------------------------------- */

void tcache_fork_child(struct tr_engine *e)
{
    struct tcache *t = e->tcache;
    if (!t)
        return;
    fresh_reset(t);
}

static bool fresh_has(const struct tcache *t, uint64_t pc, const uint64_t *pcs, size_t mask)
{
    (void)t;
    for (size_t s = (size_t)((pc * 0x9e3779b97f4a7c15ull) >> 20) & mask; pcs[s]; s = (s + 1) & mask)
        if (pcs[s] == pc + 1)
            return true;
    return false;
}

/* A record of the file outside the program's own code (ld.so, libraries)
 * stays only if this process used it or could have (its pages are mapped
 * here and hash as they did: a library loaded, other paths through it):
 * a library that changed gets a new slot, and records nobody can use must
 * not pile up. */
static bool worth_keeping(struct tr_engine *e, const struct tcf_view *v)
{
    const struct tcache *t = e->tcache;
    uint64_t pc = v->h->guest_pc;
    size_t slot;
    if (pc >= t->prog_lo && pc < t->prog_hi)
        return true;
    return (t->used && find(t, pc, &slot) && t->used[t->index[slot] - 1]) || deps_hold(e, v);
}

/* This process's records, then the file's current ones for other pcs
 * (when there are none: just this process's, *out borrowing fresh). */
static bool merge(struct tr_engine *e, struct tcache *t, struct tcf_buf *out)
{
    size_t size = 16, pos = 0, len = 0;
    uint8_t *file = read_file(NULL, t->path, &len);
    struct tcf_view v, *disk = NULL;
    size_t n = parse(NULL, file, len, t->key, &disk);
    if (n == 0) {
        free(disk);
        free(file);
        *out = t->fresh;
        return true;
    }
    while (size < 2 * t->fresh.n)
        size *= 2;
    uint64_t *pcs = calloc(size, sizeof *pcs);
    *out = (struct tcf_buf){ 0 };
    if (!pcs || !tcf_reserve(out, t->fresh.len + len)) {
        free(pcs);
        free(disk);
        free(file);
        return false;
    }
    while (tcf_next(t->fresh.p, t->fresh.len, &pos, &v)) {
        size_t s = (size_t)((v.h->guest_pc * 0x9e3779b97f4a7c15ull) >> 20) & (size - 1);
        while (pcs[s])
            s = (s + 1) & (size - 1);
        pcs[s] = v.h->guest_pc + 1;
        tcf_append(out, &v);
    }
    for (size_t k = 0; k < n && out->len + disk[k].h->total_len <= TCACHE_MAX_FILE / 2; k++)
        if (!fresh_has(t, disk[k].h->guest_pc, pcs, size - 1) && worth_keeping(e, &disk[k]))
            tcf_append(out, &disk[k]);
    free(disk);
    free(file);
    free(pcs);
    return !out->failed;
}

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

static void publish(const struct tcache *t, const uint8_t *prefix, size_t prefix_len,
                    const struct tcf_buf *body)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%d.%ld.tmp", t->path, (int)getpid(), (long)time(NULL));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    bool ok = write_all(fd, prefix, prefix_len) && write_all(fd, body->p, body->len);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, t->path) != 0)
        unlink(tmp);                    /* full disk, read-only, ...: no cache */
}

/* Rewriting the whole file costs more than translating a handful of
 * blocks again: a run that found almost everything in it (a few blocks
 * differ from run to run) leaves it alone. */
static bool worth_saving(const struct tcache *t)
{
    return t->fresh.n && !t->fresh.failed && (t->fresh.n >= 256 || t->fresh.n * 100 >= t->n_recs);
}

static void save(struct tr_engine *e)
{
    struct tcache *t = e->tcache;
    struct tcf_buf out;
    if (!t || !worth_saving(t) || !merge(e, t, &out))
        return;
    size_t len;
    uint8_t *prefix = tcf_prefix(t->key, &out, &len);
    if (prefix && len + out.len <= TCACHE_MAX_FILE) {
        publish(t, prefix, len, &out);
        e->stats.tcache_stored += t->fresh.n;
    }
    free(prefix);
    if (out.p != t->fresh.p)
        free(out.p);
    fresh_reset(t);
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
