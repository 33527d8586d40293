/* sys_conv.c -- pure converters between the x86-64 guest's structures and
 * the host's where the layouts differ (sys_conv.h): stat, semid64_ds,
 * epoll_event.  statx, statfs, shmid64_ds, msqid64_ds and the other IPC
 * structures have one layout on every 64-bit host and pass through. */
#define _GNU_SOURCE
#include <linux/sem.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "sys_conv.h"

void sys_stat_to_guest(struct x86_64_stat *g, const struct stat *h)
{
    memset(g, 0, sizeof *g);
    g->st_dev = h->st_dev;
    g->st_ino = h->st_ino;
    g->st_nlink = h->st_nlink;
    g->st_mode = h->st_mode;
    g->st_uid = h->st_uid;
    g->st_gid = h->st_gid;
    g->st_rdev = h->st_rdev;
    g->st_size = h->st_size;
    g->st_blksize = h->st_blksize;
    g->st_blocks = h->st_blocks;
    g->st_atime_sec = h->st_atim.tv_sec, g->st_atime_nsec = h->st_atim.tv_nsec;
    g->st_mtime_sec = h->st_mtim.tv_sec, g->st_mtime_nsec = h->st_mtim.tv_nsec;
    g->st_ctime_sec = h->st_ctim.tv_sec, g->st_ctime_nsec = h->st_ctim.tv_nsec;
}

void sys_semid_to_guest(struct x86_64_semid_ds *g, const struct semid64_ds *h)
{
    *g = (struct x86_64_semid_ds){ .sem_perm = h->sem_perm, .sem_otime = h->sem_otime,
                                   .sem_ctime = h->sem_ctime, .sem_nsems = h->sem_nsems };
}

void sys_semid_to_host(struct semid64_ds *h, const struct x86_64_semid_ds *g)
{
    memset(h, 0, sizeof *h);
    h->sem_perm = g->sem_perm;
    h->sem_otime = g->sem_otime;
    h->sem_ctime = g->sem_ctime;
    h->sem_nsems = g->sem_nsems;
}

void sys_epoll_event_to_host(struct epoll_event *h, const struct x86_64_epoll_event *g)
{
    *h = (struct epoll_event){ .events = g->events, .data.u64 = g->data };
}

void sys_epoll_event_to_guest(struct x86_64_epoll_event *g, const struct epoll_event *h)
{
    *g = (struct x86_64_epoll_event){ h->events, h->data.u64 };
}
