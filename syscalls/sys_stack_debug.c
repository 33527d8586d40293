/* sys_stack_debug.c -- FERRY_DEBUG_STACK_HOLE=1, a test hook
 * (tests/reliab/check-reliab.sh): ferry's own memory where the guest's
 * main stack grows, as the host's mmap randomisation (vm.mmap_rnd_bits:
 * mmap_base anywhere in 1 TiB) may put qemu-user's mappings or ferry's
 * own there.  Before the loader builds the stack, a page at its guard's
 * place and one in the middle of its room, on the stack's usual layout
 * (qemu's mappings, made before ferry runs); after, a page asked for by
 * hint in the middle of the hole the stack has (a later mapping of
 * ferry's: malloc, the code cache), and after each setrlimit of
 * RLIMIT_STACK one in the middle of the room the new limit gives (alone
 * with FERRY_DEBUG_STACK_HOLE=raise, so the stack keeps its usual
 * place: sys_stack_room_ahead's case).  Each page is ferry's, never the
 * guest's.  Not in the guest's environment (sys_start.c), not passed to
 * the ferry of a guest's execve. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sys_internal.h"

#define SYS_STACK_DEBUG_PAGE 4096ull

static bool sys_stack_debug_is(const char *what)
{
    const char *v = getenv(SYS_STACK_DEBUG_ENV);
    return v && strcmp(v, what) == 0;
}

static bool sys_stack_debug_on(void) { return sys_stack_debug_is("1"); }

static void sys_stack_debug_page(uint64_t at, int flags)
{
    void *want = (void *)(uintptr_t)(at & ~(SYS_STACK_DEBUG_PAGE - 1));
    (void)mmap(want, SYS_STACK_DEBUG_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

void sys_stack_debug_before_load(void)
{
    uint64_t low, top;
    if (!sys_stack_debug_on())
        return;
    sys_va_stack_layout(&low, &top);
    sys_stack_debug_page(low, MAP_FIXED_NOREPLACE);
    sys_stack_debug_page(low + (top - low) / 2, MAP_FIXED_NOREPLACE);
}

void sys_stack_debug_after_load(uint64_t floor, uint64_t start)
{
    if (sys_stack_debug_on() && floor < start)
        sys_stack_debug_page(floor + (start - floor) / 2, 0);
}

void sys_stack_debug_after_raise(uint64_t at)
{
    if (sys_stack_debug_on() || sys_stack_debug_is("raise"))
        sys_stack_debug_page(at, 0);
}
