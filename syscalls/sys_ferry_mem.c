/* sys_ferry_mem.c -- ferry's own memory is not the guest's: guest calls
 * that change mappings (munmap, mprotect, madvise, MAP_FIXED, mremap)
 * touch only what the guest has, and the guest's /proc/self/maps lists
 * only its own mappings.
 *
 * What the guest has is the engine's map of its mappings (every mmap,
 * munmap, mprotect, mremap and brk, and the loader's mappings): anything
 * else the host has mapped is ferry's -- its binary and libraries, heap,
 * code cache, host thread stacks, the guest stack's guard gap.  Natively
 * those addresses are free, so:
 *  - munmap there succeeds and unmaps nothing (munmap of [4 GiB, 96 TiB)
 *    returns 0 and ferry lives on);
 *  - mprotect and madvise change the guest's pages up to the first page
 *    it does not have, then fail with ENOMEM, as Linux does at a hole;
 *  - MAP_FIXED (and MREMAP_FIXED) onto ferry's memory fails with ENOMEM,
 *    the one thing Linux would not do: the guest cannot have that address
 *    while ferry lives there.  A range the guest has entirely is the fast
 *    path (no look at the host's mappings).  On a host whose user space
 *    reaches above the guest's (48-bit AArch64) ferry's memory lies above
 *    the guest's top (sys_guest_va.c), so below it this never happens. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_internal.h"
#include "translator.h"

#define SYS_PAGE 4096ull

static pthread_mutex_t sys_mm_mutex = PTHREAD_MUTEX_INITIALIZER;

/* fork() while another thread changes mappings: the child must not
 * inherit the lock held.  Called by the fork path itself (sys_thread.c),
 * not through pthread_atfork: an mprotect holds this lock and then takes
 * the translator's to drop stale code, so a fork must take this one
 * before the translator's too (atfork handlers ran after it: deadlock). */
void sys_mm_fork_prepare(void) { pthread_mutex_lock(&sys_mm_mutex); }
void sys_mm_fork_parent(void) { pthread_mutex_unlock(&sys_mm_mutex); }
void sys_mm_fork_child(void) { pthread_mutex_init(&sys_mm_mutex, NULL); }

void sys_mm_lock(void) { pthread_mutex_lock(&sys_mm_mutex); }
void sys_mm_unlock(void) { pthread_mutex_unlock(&sys_mm_mutex); }

/* The end of the run of pages from addr (at most end) that the guest has
 * (*has true) or does not have (*has false). */
static uint64_t sys_run_end(uint64_t addr, uint64_t end, bool *has)
{
    uint64_t stop;
    *has = tr_map_extent(sys_engine, addr, &stop) >= 0;
    while (stop < end) {
        uint64_t next;
        if ((tr_map_extent(sys_engine, stop, &next) >= 0) != *has)
            break;
        stop = next;
    }
    return stop < end ? stop : end;
}

/* (Without an engine -- unit tests -- everything is the caller's.) */
bool sys_guest_has(uint64_t start, uint64_t end)
{
    bool has;
    return start >= end || !sys_engine || (sys_run_end(start, end, &has) == end && has);
}

/* Calls fn on each run of [start, end) the guest has; stops at the first
 * hole when stop_at_hole (and returns false there). */
static bool sys_each_guest_run(uint64_t start, uint64_t end, bool stop_at_hole,
                               void (*fn)(uint64_t s, uint64_t e, void *arg), void *arg)
{
    for (uint64_t a = start; a < end;) {
        bool has;
        uint64_t stop = sys_run_end(a, end, &has);
        if (has)
            fn(a, stop, arg);
        else if (stop_at_hole)
            return false;
        a = stop;
    }
    return true;
}

/* Whether the host has anything mapped in [start, end) that the guest does
 * not have: ferry's own memory.  Reads the host's mapping list. */
static bool sys_ferry_has(uint64_t start, uint64_t end)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[512];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx", &lo, &hi) != 2 || hi <= start || lo >= end)
            continue;
        lo = lo < start ? start : lo;
        hi = hi > end ? end : hi;
        for (uint64_t a = lo; a < hi && !found;) {
            bool has;
            uint64_t stop = sys_run_end(a, hi, &has);
            found = !has;
            a = stop;
        }
    }
    if (f)
        fclose(f);
    return found;
}

/* 0 when the guest may map over [start, start+len) with MAP_FIXED. */
int64_t sys_ferry_mem_fixed_ok(uint64_t start, uint64_t len)
{
    uint64_t end = start + len < start ? UINT64_MAX : (start + len + SYS_PAGE - 1) & ~(SYS_PAGE - 1);
    if (sys_guest_has(start & ~(SYS_PAGE - 1), end))
        return 0;
    return sys_ferry_has(start & ~(SYS_PAGE - 1), end) ? -ENOMEM : 0;
}

/* Linux's checks of an (addr, len) range: EINVAL, or 0 with *end set. */
static int64_t sys_range(uint64_t addr, uint64_t len, uint64_t *end)
{
    uint64_t top = sys_va_top();        /* x86-64's TASK_SIZE, or lower (sys_guest_va.c) */
    if (addr % SYS_PAGE || addr > top || len > top - addr)
        return -EINVAL;
    *end = addr + ((len + SYS_PAGE - 1) & ~(SYS_PAGE - 1));
    return 0;
}

static void sys_unmap_run(uint64_t s, uint64_t e, void *arg)
{
    int64_t *r = arg;
    if (munmap(sys_ptr(s), e - s) == 0)
        tr_map_changed(sys_engine, TR_UNMAP, s, e - s, 0);
    else
        *r = -errno;
}

int64_t sys_ferry_mem_munmap(uint64_t addr, uint64_t len)
{
    uint64_t end;
    int64_t r = sys_range(addr, len, &end);
    if (r || len == 0)
        return r ? r : -EINVAL;
    if (!sys_engine)
        return sys_ret(munmap(sys_ptr(addr), len));
    sys_each_guest_run(addr, end, false, sys_unmap_run, &r);
    return r;
}

struct sys_prot_arg {
    int host_prot, guest_prot;
    int64_t r;
};

static void sys_protect_run(uint64_t s, uint64_t e, void *arg)
{
    struct sys_prot_arg *p = arg;
    if (p->r)
        return;
    if (mprotect(sys_ptr(s), e - s, p->host_prot) == 0)
        tr_map_changed(sys_engine, TR_PROTECT, s, e - s, p->guest_prot);
    else
        p->r = -errno;
}

/* The guest's pages up to its first hole; then ENOMEM, as Linux. */
int64_t sys_ferry_mem_mprotect(uint64_t addr, uint64_t len, int host_prot, int guest_prot)
{
    uint64_t end;
    struct sys_prot_arg p = { host_prot, guest_prot, 0 };
    if (addr % SYS_PAGE)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (sys_range(addr, len, &end) != 0)
        return -ENOMEM;
    bool whole = sys_each_guest_run(addr, end, true, sys_protect_run, &p);
    return p.r ? p.r : whole ? 0 : -ENOMEM;
}

struct sys_advise_arg {
    int advice;
    int64_t r;
};

static void sys_advise_run(uint64_t s, uint64_t e, void *arg)
{
    struct sys_advise_arg *p = arg;
    if (!p->r && madvise(sys_ptr(s), e - s, p->advice) != 0)
        p->r = -errno;
}

int64_t sys_ferry_mem_madvise(uint64_t addr, uint64_t len, int advice)
{
    uint64_t end;
    struct sys_advise_arg p = { advice, 0 };
    if (addr % SYS_PAGE)
        return -EINVAL;
    if (sys_range(addr, len, &end) != 0)
        return -EINVAL;
    if (sys_guest_has(addr, end))
        return sys_ret(madvise(sys_ptr(addr), len, advice));
    if (madvise(NULL, 0, advice) != 0)
        return -errno;                  /* an advice the host does not know */
    sys_each_guest_run(addr, end, false, sys_advise_run, &p);
    return p.r ? p.r : -ENOMEM;
}
