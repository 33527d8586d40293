/* sys_conv.h -- the x86-64 guest's structures whose layout differs from a
 * host's, and their pure converters (sys_conv.c: no guest memory, no
 * syscalls; fuzzed by tests/fuzz/).  On an x86-64 host each one is the
 * host's own layout, which the fuzzers use as the oracle. */
#ifndef FERRY_SYS_CONV_H
#define FERRY_SYS_CONV_H

#include <linux/ipc.h>
#include <stdint.h>

struct stat;
struct semid64_ds;
struct epoll_event;

/* struct stat (arm64's differs: nlink is 32-bit and sits after mode). */
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

/* struct semid64_ds: x86-64 keeps a padding word after each time. */
struct x86_64_semid_ds {
    struct ipc64_perm sem_perm;     /* asm-generic: the same on every 64-bit host */
    int64_t sem_otime;
    uint64_t unused1;
    int64_t sem_ctime;
    uint64_t unused2;
    uint64_t sem_nsems;
    uint64_t unused3, unused4;
};
_Static_assert(sizeof(struct ipc64_perm) == 48, "ipc64_perm is asm-generic's");
_Static_assert(sizeof(struct x86_64_semid_ds) == 104, "x86-64 semid64_ds");

void sys_semid_to_guest(struct x86_64_semid_ds *g, const struct semid64_ds *h);
void sys_semid_to_host(struct semid64_ds *h, const struct x86_64_semid_ds *g);

/* struct epoll_event: packed on x86-64 (12 bytes), 16 on arm64. */
struct x86_64_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

void sys_epoll_event_to_host(struct epoll_event *h, const struct x86_64_epoll_event *g);
void sys_epoll_event_to_guest(struct x86_64_epoll_event *g, const struct epoll_event *h);

#endif
