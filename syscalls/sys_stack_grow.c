/* sys_stack_grow.c -- the guest's main stack grows down as Linux's does.
 * The loader maps only its first pages (ld_stack.c); below them is room
 * that a fault on a guest access grows into: the pages from the faulting
 * one up are mapped, counted against the guest's RLIMIT_AS as Linux's
 * acct_stack_growth counts them, and the access runs again.  So pages the
 * guest never touched are not in its RLIMIT_AS (nor in ferry's real one),
 * as natively.  Where Linux grows the stack without a fault of the
 * guest's own -- the kernel reading or writing a system call's buffer or
 * a signal frame below the pages there -- ferry grows it first: to the
 * guest's rsp before each system call (its buffers usually lie above),
 * for a system call's buffer anywhere in the room (sys_stack_args.c: as
 * Linux, which checks no access against rsp), and for ferry's own copies
 * to guest memory and its checks of the buffers it passes on
 * (sys_guest.c).
 *
 * Linux's expand_downwards decides each growth as it comes: the new size
 * within RLIMIT_STACK as it is now (a limit raised after exec lets the
 * stack grow further), within RLIMIT_AS, nothing of the guest's between
 * the new pages and the stack, and the guest's mapping right below them
 * no closer than stack_guard_gap (1 MiB) if it is accessible (a PROT_NONE
 * one may be reached).  Refused: the guest's SIGSEGV, as natively.
 *
 * The room is reserved PROT_NONE (from sys_proc.stack_hole, its low end,
 * up to the stack), so no host mapping lands where the stack grows, and
 * the stack grows over the reservation.  sys_proc.stack_floor is how far
 * the stack may grow without looking further: the guest has nothing in
 * [floor, stack) nor an accessible mapping within a guard gap below, and
 * it is reserved.  Below it each growth is decided as above, and the
 * reservation is extended over the host's free room there (a guest's
 * mapping in the room gone, or more than was reserved at exec: Linux's
 * room below the stack is the limit at exec plus up to 16 GiB of
 * randomisation, or all the room up to the mappings under an unlimited
 * limit).  The reservation is not the guest's (not in its maps, limits
 * or calls), and gives way to the guest's own mappings as Linux's empty
 * room below the stack does (sys_stack_room_hint, _fixed): a hint there
 * is honoured unless it comes within stack_guard_gap of the stack's
 * pages, MAP_FIXED, MAP_FIXED_NOREPLACE and shmat map there; the
 * reservation below the new mapping's end is then unmapped and the floor
 * rises to a guard gap above it. */
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
#define SYS_STACK_MIN_ADDR (64ull << 10) /* Linux's default mmap_min_addr */
#define SYS_STACK_EXTEND (64ull << 20)  /* the reservation grows by this where it can */
#define SYS_STACK_AHEAD (1ull << 30)    /* reserved ahead after a raise, at most */
#define SYS_STACK_ACCESS (TR_PROT_READ | TR_PROT_WRITE | TR_PROT_EXEC)

/* Its own lock, not sys_mm_lock: a fault may come while the thread holds
 * that one (a copy to the guest within a mapping call). */
static pthread_mutex_t sys_stack_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Linux's acct_stack_growth: the new size within the guest's
 * RLIMIT_STACK as it is now. */
static bool sys_stack_within_limit(uint64_t low)
{
    struct rlimit64 rl;
    return sys_rlimit_mem_get(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
           sys_proc.stack_end - low <= rl.rlim_cur;
}

/* Linux's expand_downwards below the floor: the guest has nothing in
 * [low, stack), and its mapping right below low (the highest in the
 * guard gap under it), if any, is PROT_NONE. */
static bool sys_stack_way_clear(uint64_t low)
{
    uint64_t start = sys_proc.stack_start, from = low > SYS_STACK_GUARD ? low - SYS_STACK_GUARD : 0;
    int below = -1;
    if (!sys_engine || tr_map_gap_below(sys_engine, low, start, start - low) != low)
        return false;
    for (uint64_t a = from, end; a < low; a = end) {
        int prot = tr_map_extent(sys_engine, a, &end);
        if (end <= a)
            break;
        if (prot >= 0)
            below = prot;
    }
    return below < 0 || !(below & SYS_STACK_ACCESS);
}

/* A PROT_NONE reservation of [lo, hi), only where the host has nothing. */
static bool sys_stack_reserve(uint64_t lo, uint64_t hi)
{
    void *want = (void *)(uintptr_t)lo;
    void *p = mmap(want, hi - lo, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != MAP_FAILED && p != want)
        munmap(p, hi - lo);             /* a host that took it for a hint (qemu-user 7.2) */
    return p == want;
}

/* How much more than asked the reservation takes when it grows: none
 * under a finite RLIMIT_AS of ferry's, where PROT_NONE counts. */
static uint64_t sys_stack_room_slack(void)
{
    struct rlimit rl;
    return getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY ? SYS_STACK_EXTEND : 0;
}

/* The reservation extended down to low over the host's free room: with
 * the slack and a guard gap more where that is free too. */
static bool sys_stack_room_cover(uint64_t low)
{
    uint64_t hole = sys_proc.stack_hole ? sys_proc.stack_hole : sys_proc.stack_start;
    if (low >= hole)
        return true;
    uint64_t try[3] = { low - sys_stack_room_slack() - SYS_STACK_GUARD, low - SYS_STACK_GUARD, low };
    for (int i = 0; i < 3; i++) {
        if (try[i] > low || try[i] < SYS_STACK_MIN_ADDR || !sys_stack_reserve(try[i], hole))
            continue;
        sys_proc.stack_hole = try[i];
        return true;
    }
    return false;
}

/* Whether the stack may reach down to low (under sys_stack_mutex): at or
 * above the floor, or as Linux decides below it, the floor then lowered. */
static bool sys_stack_may_reach(uint64_t low)
{
    if (low >= sys_proc.stack_floor)
        return true;
    if (!sys_stack_way_clear(low) || !sys_stack_room_cover(low))
        return false;
    uint64_t guarded = sys_proc.stack_hole + SYS_STACK_GUARD;
    sys_proc.stack_floor = low < guarded ? low : guarded;
    return true;
}

bool sys_stack_grow(uint64_t addr)
{
    bool grown = false;
    if (addr >= sys_proc.stack_start || addr < SYS_STACK_MIN_ADDR)
        return false;
    pthread_mutex_lock(&sys_stack_mutex);
    uint64_t low = addr & ~(SYS_STACK_PAGE - 1), start = sys_proc.stack_start;
    if (low >= start) {
        grown = true;                   /* another thread grew it meanwhile */
    } else if (sys_stack_within_limit(low) && sys_stack_may_reach(low) &&
               sys_rlimit_mem_check(start - low, -1) == 0) {     /* and RLIMIT_AS */
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

/* Below the floor, an address the stack may grow to: within
 * RLIMIT_STACK and in no mapping of the guest's (not a thread's stack). */
static bool sys_stack_sp_below_floor(uint64_t a)
{
    return sys_stack_within_limit(a & ~(SYS_STACK_PAGE - 1)) && sys_engine && tr_prot_at(sys_engine, a) < 0;
}

bool sys_stack_grow_for(uint64_t a)
{
    return a < sys_proc.stack_start && a >= SYS_STACK_MIN_ADDR &&
           (a >= sys_proc.stack_floor || sys_stack_sp_below_floor(a)) && sys_stack_grow(a);
}

/* Before a system call: the kernel would grow the stack for a buffer
 * between rsp and the pages there; one compare when it need not. */
void sys_stack_grow_to_sp(uint64_t rsp)
{
    sys_stack_grow_for(rsp - SYS_STACK_RED_ZONE);
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

/* After the guest set RLIMIT_STACK: the reservation extended ahead down
 * to what the limit allows now (at most SYS_STACK_AHEAD under the
 * stack's top), over the host's free room where the guest has nothing,
 * so that a host mapping made before the stack grows there (ferry's
 * malloc, its code cache) cannot take that room.  Not under a finite
 * RLIMIT_AS of ferry's (a reservation counts there), nor where there is
 * no reservation (the old layout). */
void sys_stack_room_ahead(void)
{
    struct rlimit64 rl;
    if (!sys_stack_room_slack() || sys_rlimit_mem_get(RLIMIT_STACK, &rl) != 0)
        return;
    uint64_t span = (rl.rlim_cur < SYS_STACK_AHEAD ? rl.rlim_cur : SYS_STACK_AHEAD) + SYS_STACK_GUARD;
    pthread_mutex_lock(&sys_stack_mutex);
    uint64_t hole = sys_proc.stack_hole, end = sys_proc.stack_end;
    uint64_t low = end > span + SYS_STACK_MIN_ADDR ? (end - span) & ~(SYS_STACK_PAGE - 1) : hole;
    if (hole && low < hole && sys_stack_room_free(low, hole) && sys_stack_reserve(low, hole))
        sys_proc.stack_hole = low;
    pthread_mutex_unlock(&sys_stack_mutex);
    if (end > span)
        sys_stack_debug_after_raise(end - span / 2);
}
