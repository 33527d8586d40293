/* fault.c -- host faults (SIGSEGV/SIGBUS) on guest memory accesses inside
 * translated code become precise guest signals.  The register allocator
 * records, for every guest load/store, the guest pc and where each global
 * newer than env lives (pinned globals: in their host registers); the
 * handler finds the block and the access from the host pc, writes those
 * globals back into env, sets rt.pc and unwinds to the dispatcher, which
 * hands the signal to the guest.  Faults anywhere else are ferry's own:
 * they take the default action. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "regalloc.h"
#include "tr_internal.h"

struct fault_map {
    int n_points, n_entries;
    struct ra_fault_point *points;
    struct ra_fault_entry *entries;
    bool in_arena;                      /* else malloc'd */
};

/* ---- where maps live ------------------------------------------------------
 * A map is written once and freed only when its block goes (a flush, or
 * the retry of a block that did not fit).  They are carved from 2 MiB
 * chunks aligned to their size (huge pages where the kernel gives them on
 * request) instead of one malloc each: python3 -c pass keeps 28,000 maps,
 * 4 MB that took about 1,000 page faults, each 10-40 us on this kind of
 * machine.  A chunk counts its live maps and is unmapped when the last one
 * goes and it is no longer the one being filled.  The mutex: engines
 * translate under their own locks, and a process may (tests) have two. */
#define FM_CHUNK ((size_t)2 << 20)

struct fm_chunk {
    size_t used;                        /* bytes, this header included */
    size_t live;                        /* maps not yet freed */
};

static struct fm_chunk *fm_current;
static pthread_mutex_t fm_lock = PTHREAD_MUTEX_INITIALIZER;

static struct fm_chunk *fm_new_chunk(void)
{
    uint8_t *map = mmap(NULL, 2 * FM_CHUNK, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    uint8_t *c = (uint8_t *)(((uintptr_t)map + FM_CHUNK - 1) & ~(uintptr_t)(FM_CHUNK - 1));
    if (c > map)
        munmap(map, (size_t)(c - map));
    munmap(c + FM_CHUNK, (size_t)(map + FM_CHUNK - c));
    madvise(c, FM_CHUNK, MADV_HUGEPAGE);       /* advice: fine if refused */
    struct fm_chunk *h = (struct fm_chunk *)c;
    h->used = (sizeof(*h) + 15) & ~(size_t)15;
    h->live = 0;
    return h;
}

static void *fm_carve(size_t size)
{
    size = (size + 15) & ~(size_t)15;
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
    return p;
}

/* A map with room for np + ne bytes of points and entries; NULL when out
 * of memory. */
static struct fault_map *fm_alloc(size_t np, size_t ne)
{
    size_t size = sizeof(struct fault_map) + np + ne;
    struct fault_map *m = NULL;
    bool in_arena = size <= FM_CHUNK / 8;
    if (in_arena) {
        pthread_mutex_lock(&fm_lock);
        m = fm_carve(size);
        pthread_mutex_unlock(&fm_lock);
    } else {
        m = malloc(size);
    }
    if (m)
        m->in_arena = in_arena;
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
            c->used = (sizeof(*c) + 15) & ~(size_t)15;
        else
            munmap(c, FM_CHUNK);
    }
    pthread_mutex_unlock(&fm_lock);
}

void fault_begin_block(struct tr_engine *e)
{
    ra_record_faults(e->xl->ra, be_ucontext_pc ? &e->xl->faults : NULL);
}

/* Copies the allocator's record into one compact allocation. */
void fault_keep_map(struct tr_engine *e, struct tr_block *tb)
{
    struct ra_fault_map *b = &e->xl->faults;
    if (!be_ucontext_pc || b->overflow || b->n_points == 0)
        return;
    size_t np = sizeof(b->points[0]) * (size_t)b->n_points;
    size_t ne = sizeof(b->entries[0]) * (size_t)b->n_entries;
    struct fault_map *m = fm_alloc(np, ne);
    if (!m)
        return;
    m->n_points = b->n_points;
    m->n_entries = b->n_entries;
    m->points = (struct ra_fault_point *)(m + 1);
    m->entries = (struct ra_fault_entry *)((char *)m->points + np);
    memcpy(m->points, b->points, np);
    memcpy(m->entries, b->entries, ne);
    tb->fault_map = m;
}

/* The persistent translation cache's copy of a block's map: the two
 * counts, then the arrays (host offsets: position independent). */
size_t fault_map_export(const struct tr_block *tb, void *out)
{
    const struct fault_map *m = tb->fault_map;
    if (!m)
        return 0;
    int n[2] = { m->n_points, m->n_entries };
    size_t np = sizeof(m->points[0]) * (size_t)m->n_points;
    size_t ne = sizeof(m->entries[0]) * (size_t)m->n_entries;
    if (out) {
        memcpy(out, n, sizeof n);
        memcpy((char *)out + sizeof n, m->points, np);
        memcpy((char *)out + sizeof n + np, m->entries, ne);
    }
    return sizeof n + np + ne;
}

static bool fault_map_sane(const struct fault_map *m, uint32_t code_size)
{
    for (int k = 0; k < m->n_points; k++) {
        const struct ra_fault_point *p = &m->points[k];
        if (p->host_off >= code_size || p->first > (uint32_t)m->n_entries ||
            p->count > (uint32_t)m->n_entries - p->first)
            return false;
    }
    for (int k = 0; k < m->n_entries; k++)
        if (m->entries[k].env_offset < 0 || m->entries[k].env_offset > 65536 - 8 ||
            m->entries[k].reg < -1 || m->entries[k].reg >= 64)
            return false;
    return true;
}

bool fault_map_import(struct tr_block *tb, const void *data, size_t size)
{
    int n[2];
    if (size == 0)
        return true;
    if (size < sizeof n)
        return false;
    memcpy(n, data, sizeof n);
    size_t np = sizeof(struct ra_fault_point) * (size_t)n[0];
    size_t ne = sizeof(struct ra_fault_entry) * (size_t)n[1];
    if (n[0] <= 0 || n[0] > IR_MAX_INSNS || n[1] < 0 || n[1] > RA_FAULT_MAX_ENTRIES ||
        size != sizeof n + np + ne)
        return false;
    struct fault_map *m = fm_alloc(np, ne);
    if (!m)
        return false;
    m->n_points = n[0];
    m->n_entries = n[1];
    m->points = (struct ra_fault_point *)(m + 1);
    m->entries = (struct ra_fault_entry *)((char *)m->points + np);
    memcpy(m->points, (const char *)data + sizeof n, np);
    memcpy(m->entries, (const char *)data + sizeof n + np, ne);
    if (!fault_map_sane(m, tb->code_size)) {
        fault_map_free(m);
        return false;
    }
    tb->fault_map = m;
    return true;
}

/* The last access starting at or before host offset `off`. */
static const struct ra_fault_point *find_point(const struct fault_map *m, uint32_t off)
{
    const struct ra_fault_point *found = NULL;
    for (int k = 0; k < m->n_points && m->points[k].host_off <= off; k++)
        found = &m->points[k];
    return found;
}

/* The access point of translated code the host pc is at, or NULL. */
static const struct ra_fault_point *fault_point(struct tr_runtime *rt, const void *uc,
                                                const struct fault_map **map)
{
    if (!rt || !rt->unwind || !rt->in_code)
        return NULL;
    struct tr_block *tb = tc_find_by_host_pc(rt->engine, be_ucontext_pc(uc));
    *map = tb ? tb->fault_map : NULL;
    return *map ? find_point(*map, (uint32_t)(be_ucontext_pc(uc) - (uintptr_t)tb->code)) : NULL;
}

bool fault_restore_at(void *env, uintptr_t host_pc, uint64_t (*reg)(const void *ctx, int r),
                      const void *ctx, uint64_t *guest_pc)
{
    struct tr_runtime *rt = env;
    struct tr_block *tb = tc_find_by_host_pc(rt->engine, host_pc);
    const struct fault_map *m = tb ? tb->fault_map : NULL;
    const struct ra_fault_point *p = m ? find_point(m, (uint32_t)(host_pc - (uintptr_t)tb->code)) : NULL;
    if (!p)
        return false;
    ra_fault_restore(env, p, m->entries, rt->engine->globals.v, reg, ctx);
    *guest_pc = p->guest_pc;
    return true;
}

/* A fault inside a helper that guards its guest accesses. */
static void helper_fault(struct tr_runtime *rt, int sig, const siginfo_t *si)
{
    sigjmp_buf *guard = rt->helper_guard;
    rt->helper_guard = NULL;
    rt->fault.sig = sig;
    rt->fault.addr = (uint64_t)(uintptr_t)si->si_addr;
    rt->fault.code = si->si_code;
    rt->fault.trapno = 14;
    rt->fault.err = 0;
    siglongjmp(*guard, 1);
}

static void on_host_fault(int sig, siginfo_t *si, void *uc)
{
    tcache_host_fault();                /* the cache file truncated under a reader */
    struct tr_runtime *rt = tr_thread_self();
    const struct fault_map *m = NULL;
    const struct ra_fault_point *p = fault_point(rt, uc, &m);
    if (!p && rt && rt->in_code && rt->helper_guard) {
        helper_fault(rt, sig, si);
        return;
    }
    if (!p) {
        signal(sig, SIG_DFL);           /* ferry's own fault: dies on return */
        return;
    }
    ra_fault_restore(rt, p, m->entries, rt->engine->globals.v, be_ucontext_reg, uc);
    rt->pc = p->guest_pc;
    rt->fault.sig = sig;
    rt->fault.addr = (uint64_t)(uintptr_t)si->si_addr;
    rt->fault.code = si->si_code;       /* MAPERR / ACCERR, BUS_ADRERR ... */
    rt->fault.trapno = 14;              /* #PF; dispatch.c completes err */
    rt->fault.err = p->write ? 2 : 0;
    siglongjmp(*rt->unwind, TR_EXIT_HOST_FAULT + 1);
}

/* One handler for the process, whatever the number of engines. */
void fault_install(void)
{
    static bool installed;
    if (!be_ucontext_pc || !be_ucontext_reg || installed)
        return;
    installed = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_host_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}
