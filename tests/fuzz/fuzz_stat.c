/* fuzz_stat.c -- libFuzzer harness for the struct stat converter
 * (syscalls/sys_conv.c `sys_stat_to_guest`): 144 bytes of a host struct
 * stat.  On this x86-64 host the host's struct stat is the x86-64
 * kernel's, so the guest's copy must equal it byte for byte but for the
 * padding, which the converter zeroes (no host stack bytes reach the
 * guest). */
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "sys_conv.h"

_Static_assert(sizeof(struct stat) == sizeof(struct x86_64_stat), "an x86-64 host");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stat h;
    memset(&h, 0, sizeof h);
    memcpy(&h, data, size < sizeof h ? size : sizeof h);
    struct x86_64_stat g, want;
    memcpy(&want, &h, sizeof want);
    want.pad0 = 0;
    memset(want.unused, 0, sizeof want.unused);
    memset(&g, 0xa5, sizeof g);
    sys_stat_to_guest(&g, &h);
    if (memcmp(&g, &want, sizeof g))
        __builtin_trap();
    return 0;
}
