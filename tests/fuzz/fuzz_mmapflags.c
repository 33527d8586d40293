/* fuzz_mmapflags.c -- libFuzzer harness for mmap(2)'s flag converter
 * (syscalls/sys_flags.c `sys_map_flags_to_host`).  The oracle is this
 * x86-64 host's own <sys/mman.h>, whose values are the guest's: every
 * flag the kernel gives a meaning to must come out unchanged (the huge
 * page size field included), MAP_32BIT dropped (sys_mmap turns it into
 * a hint), and no bit may appear from nothing. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "sys_internal.h"

#ifndef MAP_HUGE_MASK
#define MAP_HUGE_MASK 0x3f
#endif

/* The mmap flags of the x86-64 kernel, written from the host's names
 * (not from the converter's table). */
#define FZ_MAP_KNOWN                                                                   \
    ((uint64_t)(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | \
                MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |          \
                MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC |     \
                MAP_FIXED_NOREPLACE) |                                                 \
     (uint64_t)MAP_HUGE_MASK << MAP_HUGE_SHIFT)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t g = 0;
    memcpy(&g, data, size < sizeof g ? size : sizeof g);
    uint64_t h = (uint32_t)sys_map_flags_to_host(g);
    if (h != (g & FZ_MAP_KNOWN))
        __builtin_trap();
    return 0;
}
