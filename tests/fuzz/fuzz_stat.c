/* fuzz_stat.c -- libFuzzer harness for the struct stat converter
 * (syscalls/sys_conv.c `sys_stat_to_guest`): the input is the bytes of a
 * host struct stat (144 on x86-64, 128 on arm64, where nlink is 32-bit and
 * blksize an int).  Every guest field must hold the host field's value and
 * the padding must be zero (no host stack bytes reach the guest).  Where
 * the host's layout is the guest's (x86-64), the copy must also equal the
 * host's struct byte for byte but for that padding. */
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "sys_conv.h"

#define FZ_SAME(f, v) ((uint64_t)g.f == (uint64_t)(v))

static int fields_equal(const struct x86_64_stat *gp, const struct stat *h)
{
    struct x86_64_stat g = *gp;
    return FZ_SAME(st_dev, h->st_dev) && FZ_SAME(st_ino, h->st_ino) &&
           FZ_SAME(st_nlink, h->st_nlink) && FZ_SAME(st_mode, h->st_mode) &&
           FZ_SAME(st_uid, h->st_uid) && FZ_SAME(st_gid, h->st_gid) &&
           FZ_SAME(st_rdev, h->st_rdev) && FZ_SAME(st_size, h->st_size) &&
           FZ_SAME(st_blksize, h->st_blksize) && FZ_SAME(st_blocks, h->st_blocks) &&
           FZ_SAME(st_atime_sec, h->st_atim.tv_sec) && FZ_SAME(st_atime_nsec, h->st_atim.tv_nsec) &&
           FZ_SAME(st_mtime_sec, h->st_mtim.tv_sec) && FZ_SAME(st_mtime_nsec, h->st_mtim.tv_nsec) &&
           FZ_SAME(st_ctime_sec, h->st_ctim.tv_sec) && FZ_SAME(st_ctime_nsec, h->st_ctim.tv_nsec) &&
           g.pad0 == 0 && !g.unused[0] && !g.unused[1] && !g.unused[2];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stat h;
    memset(&h, 0, sizeof h);
    memcpy(&h, data, size < sizeof h ? size : sizeof h);
    struct x86_64_stat g;
    memset(&g, 0xa5, sizeof g);
    sys_stat_to_guest(&g, &h);
    if (!fields_equal(&g, &h))
        __builtin_trap();
    if (sizeof h == sizeof g) {                 /* an x86-64 host: its own layout */
        struct x86_64_stat want;
        memcpy(&want, &h, sizeof want);
        want.pad0 = 0;
        memset(want.unused, 0, sizeof want.unused);
        if (memcmp(&g, &want, sizeof g))
            __builtin_trap();
    }
    return 0;
}
