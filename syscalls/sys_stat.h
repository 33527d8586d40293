/* sys_stat.h -- the x86-64 kernel's struct stat and its conversion from
 * the host's (arm64's differs: nlink is 32-bit and sits after mode). */
#ifndef FERRY_SYS_STAT_H
#define FERRY_SYS_STAT_H

#include <stdint.h>
#include <sys/stat.h>

struct x86_64_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    uint64_t st_atime_sec, st_atime_nsec;
    uint64_t st_mtime_sec, st_mtime_nsec;
    uint64_t st_ctime_sec, st_ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct x86_64_stat) == 144, "x86-64 struct stat is 144 bytes");

void sys_stat_to_guest(struct x86_64_stat *g, const struct stat *h);

#endif
