/* fuzz_semid.c -- libFuzzer harness for the struct semid64_ds converters
 * of semctl (syscalls/sys_conv.c): 104 bytes read both as the host's
 * struct and as the guest's.  Each direction must carry every field
 * (ipc64_perm, the two times, nsems) and zero the unused words; guest ->
 * host -> guest gives the guest's struct back with its unused words
 * zeroed.  Where the host's layout is the guest's (x86-64), each direction
 * is also a byte-for-byte copy but for those words. */
#include <linux/sem.h>
#include <stddef.h>
#include <string.h>

#include "sys_conv.h"

static void zero_unused(struct x86_64_semid_ds *g)
{
    g->unused1 = g->unused2 = g->unused3 = g->unused4 = 0;
}

static int same_fields(const struct x86_64_semid_ds *g, const struct semid64_ds *h)
{
    return !memcmp(&g->sem_perm, &h->sem_perm, sizeof g->sem_perm) &&
           g->sem_otime == (int64_t)h->sem_otime && g->sem_ctime == (int64_t)h->sem_ctime &&
           g->sem_nsems == (uint64_t)h->sem_nsems;
}

static void check(const struct x86_64_semid_ds *g, const struct semid64_ds *h,
                  const struct x86_64_semid_ds *want)
{
    if (!same_fields(g, h) || g->unused1 || g->unused2 || g->unused3 || g->unused4)
        __builtin_trap();
    if (want && memcmp(g, want, sizeof *g))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_64_semid_ds in, g, want;
    struct semid64_ds h, hin;
    size_t n = size < sizeof in ? size : sizeof in;
    memset(&in, 0, sizeof in);
    memcpy(&in, data, n);
    memset(&hin, 0, sizeof hin);
    memcpy(&hin, data, size < sizeof hin ? size : sizeof hin);
    want = in;
    zero_unused(&want);
    int same_layout = sizeof h == sizeof g;     /* an x86-64 host */
    memset(&g, 0xa5, sizeof g);
    sys_semid_to_guest(&g, &hin);
    check(&g, &hin, same_layout ? &want : NULL);
    memset(&h, 0xa5, sizeof h);
    sys_semid_to_host(&h, &in);
    if (!same_fields(&in, &h) || (same_layout && memcmp(&h, &want, sizeof h)))
        __builtin_trap();
    sys_semid_to_guest(&g, &h);
    check(&g, &h, &want);
    return 0;
}
