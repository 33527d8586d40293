/* sys_stack_grow.c -- the guest's main stack grows down as Linux's does.
 * The loader maps only its first pages (ld_stack.c); below them, down to
 * the RLIMIT_STACK it was started with (sys_proc.stack_floor), is a hole
 * that a fault on a guest access grows into: the pages from the faulting
 * one up are mapped, counted against the guest's RLIMIT_AS as Linux's
 * acct_stack_growth counts them, and the access runs again.  So pages the
 * guest never touched are not in its RLIMIT_AS (nor in ferry's real one),
 * as natively.  Where Linux grows the stack without a fault of the
 * guest's own -- the kernel writing a system call's result or a signal
 * frame below the pages there -- ferry grows it first: to the guest's rsp
 * before each system call (its buffers lie above), and for ferry's own
 * copies to guest memory (sys_guest.c).  Refused (past RLIMIT_STACK or
 * RLIMIT_AS, or something mapped in the way): the guest's SIGSEGV, as
 * natively.
 *
 * The hole and the guard below it are reserved PROT_NONE
 * (sys_proc.stack_hole: its low end), so no host mapping lands there, and
 * the stack grows over the reservation.  The reservation is not the
 * guest's (not in its maps, limits or calls), and gives way to the guest's
 * own mappings as Linux's empty room below the stack does
 * (sys_stack_room_hint, _fixed): a hint there is honoured unless it
 * comes within stack_guard_gap of the stack's pages, MAP_FIXED and
 * MAP_FIXED_NOREPLACE map there; the reservation below the new mapping's
 * end is then unmapped and the stack may grow down to a guard gap above
 * it, no further (Linux's expand_downwards refuses to come within
 * stack_guard_gap of a mapping below). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "sys_internal.h"
#include "translator.h"

#define SYS_STACK_PAGE 4096ull
#define SYS_STACK_PAGE_UP(x) (((x) + SYS_STACK_PAGE - 1) & ~(SYS_STACK_PAGE - 1))
#define SYS_STACK_RED_ZONE 128
#define SYS_STACK_GUARD (1ull << 20)    /* Linux's stack_guard_gap: 256 pages */

/* Its own lock, not sys_mm_lock: a fault may come while the thread holds
 * that one (a copy to the guest within a mapping call). */
static pthread_mutex_t sys_stack_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Whether addr lies in the hole the main stack may grow into. */
static bool sys_stack_in_hole(uint64_t addr)
{
    return addr >= sys_proc.stack_floor && addr < sys_proc.stack_start;
}

/* Linux's acct_stack_growth: the new size within the guest's
 * RLIMIT_STACK as it is now, the new pages within its RLIMIT_AS. */
static bool sys_stack_may_grow(uint64_t low)
{
    struct rlimit64 rl;
    if (sys_rlimit_mem_get(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        sys_proc.stack_end - low > rl.rlim_cur)
        return false;
    return sys_rlimit_mem_check(sys_proc.stack_start - low, -1) == 0;
}

bool sys_stack_grow(uint64_t addr)
{
    bool grown = false;
    if (!sys_stack_in_hole(addr))
        return false;
    pthread_mutex_lock(&sys_stack_mutex);
    uint64_t low = addr & ~(SYS_STACK_PAGE - 1), start = sys_proc.stack_start;
    if (low >= start) {
        grown = true;                   /* another thread grew it meanwhile */
    } else if (sys_stack_may_grow(low)) {
        /* the host's pages are data only: ferry never runs guest code;
         * over the reservation, or where nothing may be */
        int over = sys_proc.stack_hole ? MAP_FIXED : MAP_FIXED_NOREPLACE;
        void *p = mmap((void *)(uintptr_t)low, start - low, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | over, -1, 0);
        grown = p == (void *)(uintptr_t)low;
        if (p != MAP_FAILED && !grown)
            munmap(p, start - low);     /* a kernel without MAP_FIXED_NOREPLACE */
        if (grown) {
            sys_proc.stack_start = low;
            tr_map_changed(sys_engine, TR_MAP, low, start - low,
                           TR_PROT_READ | TR_PROT_WRITE | (sys_proc.stack_exec ? TR_PROT_EXEC : 0));
        }
    }
    pthread_mutex_unlock(&sys_stack_mutex);
    return grown;
}

/* Before a system call: the kernel would grow the stack for a buffer
 * between rsp and the pages there; one compare when it need not. */
void sys_stack_grow_to_sp(uint64_t rsp)
{
    uint64_t a = rsp - SYS_STACK_RED_ZONE;
    if (a < sys_proc.stack_start && a >= sys_proc.stack_floor)
        sys_stack_grow(a);
}

void sys_stack_grow_init(const struct ld_image *img)
{
    sys_proc.stack_floor = img->stack_floor ? img->stack_floor : img->stack_start;
    sys_proc.stack_hole = img->stack_hole;
    sys_proc.stack_exec = img->stack_exec;
    tr_stack_fault_handler = sys_stack_grow;   /* the hook for a host fault (translator.h) */
    sys_stack_debug_after_load(sys_proc.stack_floor, sys_proc.stack_start);
}

/* Whether [a, e) meets the reservation [stack_hole, stack_start). */
static bool sys_stack_room_meets(uint64_t a, uint64_t e)
{
    return sys_proc.stack_hole && a < sys_proc.stack_start && e > sys_proc.stack_hole;
}

/* Whether the guest has nothing in [a, e). */
static bool sys_stack_room_free(uint64_t a, uint64_t e)
{
    uint64_t total = 0, data = 0;
    sys_rlimit_mem_usage(a, e, &total, &data);
    return total == 0;
}

/* The guest maps up to e: the reservation below e goes (unmapped: the
 * guest's mapping takes its place), what is left above stays the guard
 * gap and the room, and the stack may grow no lower than a guard gap
 * above e.  Under sys_stack_mutex. */
static void sys_stack_room_give(uint64_t e)
{
    uint64_t start = sys_proc.stack_start, cut = e < start ? e : start;
    uint64_t floor = start - cut > SYS_STACK_GUARD ? cut + SYS_STACK_GUARD : start;
    munmap((void *)(uintptr_t)sys_proc.stack_hole, cut - sys_proc.stack_hole);
    sys_proc.stack_hole = cut < start ? cut : 0;
    if (floor > sys_proc.stack_floor)
        sys_proc.stack_floor = floor;
}

/* [addr, addr + len) page-rounded, false when it wraps. */
static bool sys_stack_room_range(uint64_t addr, uint64_t len, uint64_t *a, uint64_t *e)
{
    *a = addr & ~(SYS_STACK_PAGE - 1);
    *e = SYS_STACK_PAGE_UP(addr + len);
    return len && *e > *a;
}

uint64_t sys_stack_room_hint(uint64_t addr, uint64_t len)
{
    uint64_t a, e;
    if (!addr || !sys_stack_room_range(addr, len, &a, &e))
        return addr;
    pthread_mutex_lock(&sys_stack_mutex);
    if (sys_stack_room_meets(a, e)) {
        if (e > sys_proc.stack_start - SYS_STACK_GUARD || !sys_stack_room_free(a, e))
            addr = 0;                   /* as Linux: no hint within the stack's gap */
        else
            sys_stack_room_give(e);
    }
    pthread_mutex_unlock(&sys_stack_mutex);
    return addr;
}

void sys_stack_room_fixed(uint64_t addr, uint64_t len, bool noreplace)
{
    uint64_t a, e;
    if (!sys_stack_room_range(addr, len, &a, &e))
        return;
    pthread_mutex_lock(&sys_stack_mutex);
    /* a MAP_FIXED_NOREPLACE the host refuses (the stack's pages, the
     * guest's) takes nothing */
    if (sys_stack_room_meets(a, e) && (!noreplace || (e <= sys_proc.stack_start && sys_stack_room_free(a, e))))
        sys_stack_room_give(e);
    pthread_mutex_unlock(&sys_stack_mutex);
}
