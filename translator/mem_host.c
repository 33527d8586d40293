/* mem_host.c -- the TR_MEM_HOST guest-memory mode (user mode): guest
 * addresses are the host process's own addresses.  Code fetch and the
 * self-modifying-code check answer from ferry's own map of the guest's
 * mappings (guest_map.c), which the syscall layer keeps up to date
 * (map_changed) for every mmap, munmap, mprotect, mremap and brk and
 * for what the loader mapped -- no system call on the translation path.
 *
 * The map also remembers what the guest unmapped: nothing may be fetched
 * there, even if ferry's own memory later lands at that address.  Pages
 * it knows nothing about (a mapping made behind ferry's back, a
 * MAP_GROWSDOWN stack that grew, a test's own buffers) are answered
 * honestly at a cost: fetch probes the page by asking the kernel to read
 * one byte of it (process_vm_readv fails with EFAULT where a plain read
 * would crash ferry), and they count as writable, so code from there
 * checks itself.  Where that call is missing (qemu-user, a seccomp filter)
 * the map alone answers: nothing is fetched from a page it does not know,
 * and a jump there is the guest's SIGSEGV, never a crash of ferry.
 *
 * The host address space is one per process, so is this view: one map
 * behind a reader-writer lock (guest threads map memory while another
 * translates), kept across fork by pthread_atfork. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest_map.h"
#include "guest_mem.h"

#define HOST_PAGE 4096ull

static struct {
    pthread_rwlock_t lock;
    pthread_once_t once;
    struct gmap map;
    bool probe_unsupported;
    uint64_t gen;               /* bumped (under the write lock) by every map change */
} host = { .lock = PTHREAD_RWLOCK_INITIALIZER, .once = PTHREAD_ONCE_INIT };

/* fork() while another thread holds the lock: the child must not inherit
 * it held.  (The child starts a fresh one: the lock remembers its writer
 * by thread id, which the child's thread does not have.) */
static void fork_prepare(void) { pthread_rwlock_wrlock(&host.lock); }
static void fork_parent(void) { pthread_rwlock_unlock(&host.lock); }
static void fork_child(void) { pthread_rwlock_init(&host.lock, NULL); }
static void register_fork(void) { pthread_atfork(fork_prepare, fork_parent, fork_child); }

static void read_lock(void)
{
    pthread_once(&host.once, register_fork);
    pthread_rwlock_rdlock(&host.lock);
}

static void write_lock(void)
{
    pthread_once(&host.once, register_fork);
    pthread_rwlock_wrlock(&host.lock);
}

static void unlock(void) { pthread_rwlock_unlock(&host.lock); }

/* The fallback for pages the map does not know: one byte of our own
 * address space, read by the kernel.  (By tid: the main thread, whose
 * tid is the pid, may already have exited.) */
static bool page_readable(uint64_t addr)
{
    char byte;
    struct iovec local = { &byte, 1 }, remote = { (void *)(uintptr_t)addr, 1 };
    if (__atomic_load_n(&host.probe_unsupported, __ATOMIC_RELAXED))
        return false;
    if (process_vm_readv(gettid(), &local, 1, &remote, 1, 0) == 1)
        return true;
    if (errno == ENOSYS || errno == EPERM)
        __atomic_store_n(&host.probe_unsupported, true, __ATOMIC_RELAXED);
    return false;
}

/* What Linux on x86-64 lets the guest fetch from: pages with PROT_EXEC
 * (NX: a readable page without it faults on instruction fetch). */
static bool prot_fetchable(int prot)
{
    return prot != GMAP_UNMAPPED && (prot & TR_PROT_EXEC);
}

/* From the page-aligned addr on, the end of the fetchable pages (at most
 * limit, rounded up to a page).  *probed: a page the map does not know
 * was asked of the kernel (an answer the map alone does not decide). */
static uint64_t fetchable_end(uint64_t addr, uint64_t limit, bool *probed)
{
    while (addr < limit) {
        const struct gmap_range *r = gmap_find(&host.map, addr);
        if (r && !prot_fetchable(r->prot))
            break;
        if (r)
            addr = r->end;
        else if ((*probed = true), page_readable(addr))
            addr += HOST_PAGE;
        else
            break;
    }
    return addr;
}

/* The last answers of this thread, valid while host.gen is unchanged:
 * the frontend asks about the same pages block after block (every block
 * asks whether its two pages are writable, and the fetchability of its
 * first page), and each answer is a function of the map alone.  A
 * reader that sees the old generation while a writer is changing the map
 * answers as if it had asked just before the change. */
static __thread struct {
    uint64_t gen;               /* host.gen + 1 when the entry was made; 0: empty */
    uint64_t lo, hi;
} host_fetch_memo, host_fixed_memo;

static bool memo_covers(const __typeof__(host_fetch_memo) *c, uint64_t gen,
                        uint64_t lo, uint64_t hi)
{
    return c->gen == gen + 1 && lo >= c->lo && hi <= c->hi && lo < hi;
}

static uint64_t current_gen(void) { return __atomic_load_n(&host.gen, __ATOMIC_ACQUIRE); }

static size_t host_fetchable(const struct tr_guest_mem *m, uint64_t pc, size_t want)
{
    uint64_t limit = pc + want < pc ? UINT64_MAX : pc + want;
    uint64_t gen = current_gen();
    if (memo_covers(&host_fetch_memo, gen, pc, limit))
        return want;
    bool probed = false;
    read_lock();
    gen = host.gen;
    uint64_t start = pc & ~(HOST_PAGE - 1), end = fetchable_end(start, limit, &probed);
    unlock();
    if (!probed && end > start)
        host_fetch_memo = (__typeof__(host_fetch_memo)){ gen + 1, start, end };
    return end <= pc ? 0 : end - pc < want ? (size_t)(end - pc) : want;
}

/* Any page of [start, end) writable -- or shared (another view of it may
 * be), or unknown, which may be.  When
 * none is, *fixed_end: where the known unwritable ranges from start end
 * (at or past end). */
static bool any_writable_upto(uint64_t start, uint64_t end, uint64_t *fixed_end)
{
    while (start < end) {
        const struct gmap_range *r = gmap_find(&host.map, start);
        if (!r || (r->prot != GMAP_UNMAPPED && (r->prot & (TR_PROT_WRITE | TR_PROT_SHARED))))
            return true;
        start = r->end;
    }
    *fixed_end = start;
    return false;
}

static bool host_writable(const struct tr_guest_mem *m, uint64_t start, uint64_t len)
{
    uint64_t end = start + (len ? len : 1);
    uint64_t gen = current_gen();
    if (memo_covers(&host_fixed_memo, gen, start, end))
        return false;
    read_lock();
    gen = host.gen;
    uint64_t fixed_end;
    bool w = any_writable_upto(start, end, &fixed_end);
    unlock();
    if (!w)
        host_fixed_memo = (__typeof__(host_fixed_memo)){ gen + 1, start, fixed_end };
    return w;
}

/* The end of [start, start+len) rounded up to a page (the last page
 * when that overflows). */
static uint64_t page_end(uint64_t start, uint64_t len)
{
    uint64_t last = UINT64_MAX & ~(HOST_PAGE - 1);
    return start >= last || len > last - start ? last : (start + len + HOST_PAGE - 1) & ~(HOST_PAGE - 1);
}

static void host_map_changed(const struct tr_guest_mem *m, enum tr_map_change how,
                             uint64_t start, uint64_t len, int prot)
{
    uint64_t lo = start & ~(HOST_PAGE - 1), hi = page_end(start, len);
    write_lock();
    if (how == TR_MAP || how == TR_UNMAP)
        gmap_set(&host.map, lo, hi, how == TR_MAP ? prot : GMAP_UNMAPPED);
    else if (how == TR_PROTECT)
        gmap_protect(&host.map, lo, hi, prot);
    else
        gmap_forget(&host.map, lo, hi);
    __atomic_store_n(&host.gen, host.gen + 1, __ATOMIC_RELEASE);
    unlock();
}

static int host_prot_at(const struct tr_guest_mem *m, uint64_t addr)
{
    read_lock();
    const struct gmap_range *r = gmap_find(&host.map, addr);
    int prot = r && r->prot != GMAP_UNMAPPED ? r->prot : -1;
    unlock();
    return prot;
}

static int host_extent(const struct tr_guest_mem *m, uint64_t addr, uint64_t *end)
{
    read_lock();
    const struct gmap_range *r = gmap_next(&host.map, addr);
    int prot = r && r->start <= addr && r->prot != GMAP_UNMAPPED ? r->prot : -1;
    *end = !r ? UINT64_MAX : r->start <= addr ? r->end : r->start;
    unlock();
    return prot;
}

static uint64_t host_gap_below(const struct tr_guest_mem *m, uint64_t floor, uint64_t top, uint64_t len)
{
    read_lock();
    uint64_t a = gmap_gap_below(&host.map, floor, top, len);
    unlock();
    return a;
}

static const struct tr_guest_mem mem_host = {
    .mode = TR_MEM_HOST,
    .fetchable = host_fetchable,
    .writable = host_writable,
    .map_changed = host_map_changed,
    .prot_at = host_prot_at,
    .extent = host_extent,
    .gap_below = host_gap_below,
};

const struct tr_guest_mem *tr_mem_host(void) { return &mem_host; }
