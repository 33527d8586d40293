/* fuzz_sysconv.c -- libFuzzer harness for the syscall layer's pure
 * converters: open(2) flags between the x86-64 guest's bits and the
 * host's (syscalls/sys_flags.c).  Every guest bit the table knows must
 * survive the round trip guest -> host -> guest (the kernel reports the
 * flags back through F_GETFL), and no host bit may appear from nothing. */
#include <string.h>

#include "sys_internal.h"

/* The guest bits of sys_open_flag_map (x86-64's O_* values). */
#define FZ_GUEST_KNOWN 037777703ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t g = 0;
    memcpy(&g, data, size < sizeof g ? size : sizeof g);
    int h = sys_open_flags_to_host(g);
    if (sys_open_flags_to_guest(h) != (g & FZ_GUEST_KNOWN))
        __builtin_trap();
    if (sys_open_flags_to_host(sys_open_flags_to_guest(h)) != h)
        __builtin_trap();
    return 0;
}
