/* fuzz_semid.c -- libFuzzer harness for the struct semid64_ds converters
 * of semctl (syscalls/sys_conv.c): 104 bytes read both as the host's
 * struct and as the guest's.  On this x86-64 host the two layouts are
 * the same, so each direction must copy every field in place and zero
 * the unused words, and guest -> host -> guest gives the guest's struct
 * back with its unused words zeroed. */
#include <linux/sem.h>
#include <stddef.h>
#include <string.h>

#include "sys_conv.h"

_Static_assert(sizeof(struct semid64_ds) == sizeof(struct x86_64_semid_ds), "an x86-64 host");

static void zero_unused(struct x86_64_semid_ds *g)
{
    g->unused1 = g->unused2 = g->unused3 = g->unused4 = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_64_semid_ds in, g, want;
    struct semid64_ds h;
    memset(&in, 0, sizeof in);
    memcpy(&in, data, size < sizeof in ? size : sizeof in);
    want = in;
    zero_unused(&want);
    memcpy(&h, &in, sizeof h);                  /* the bytes as the host's struct */
    memset(&g, 0xa5, sizeof g);
    sys_semid_to_guest(&g, &h);
    if (memcmp(&g, &want, sizeof g))
        __builtin_trap();
    memset(&h, 0xa5, sizeof h);
    sys_semid_to_host(&h, &in);
    if (memcmp(&h, &want, sizeof h))
        __builtin_trap();
    sys_semid_to_guest(&g, &h);
    if (memcmp(&g, &want, sizeof g))
        __builtin_trap();
    return 0;
}
