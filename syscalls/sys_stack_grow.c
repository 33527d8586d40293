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
 * natively. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "sys_internal.h"
#include "translator.h"

#define SYS_STACK_PAGE 4096ull
#define SYS_STACK_RED_ZONE 128

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
        /* the host's pages are data only: ferry never runs guest code */
        void *p = mmap((void *)(uintptr_t)low, start - low, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
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
    sys_proc.stack_exec = img->stack_exec;
    tr_stack_fault_handler = sys_stack_grow;   /* the hook for a host fault (translator.h) */
    sys_stack_debug_after_load(sys_proc.stack_floor, sys_proc.stack_start);
}
