/* sys_dir.c -- directories and names: getdents, cwd, readlink, and the
 * legacy path calls (unlink, mkdir, rename, link, ...) that arm64 lacks,
 * expressed through their *at forms. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

struct sys_dirent64 { uint64_t ino; int64_t off; uint16_t reclen; uint8_t type; char name[]; };

/* Whether `rest` is "" or "task/TID/" ahead of "fd" or "fdinfo". */
static bool sys_is_fd_dir_tail(const char *rest)
{
    if (!strncmp(rest, "task/", 5)) {
        rest += 5;
        if (*rest < '0' || *rest > '9')
            return false;
        while (*rest >= '0' && *rest <= '9')
            rest++;
        if (*rest++ != '/')
            return false;
    }
    return !strcmp(rest, "fd") || !strcmp(rest, "fdinfo");
}

/* fd is this process's /proc/PID/fd or fdinfo (or a thread's): the
 * directories that would list ferry's own descriptors. */
static bool sys_is_own_fd_dir(int fd)
{
    char link[64], path[96], own[32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return false;
    path[n] = 0;
    int len = snprintf(own, sizeof own, "/proc/%d/", (int)getpid());
    return !strncmp(path, own, (size_t)len) && sys_is_fd_dir_tail(path + len);
}

static bool sys_names_ferry_fd(const char *name)
{
    char *end;
    long n = strtol(name, &end, 10);
    return *name >= '0' && *name <= '9' && !*end && n <= INT_MAX && sys_ferry_fd_is((int)n);
}

/* Drops the records of ferry's own descriptors from n bytes of dirent64s;
 * returns the bytes left (as QEMU hides its own descriptors). */
static long sys_drop_ferry_fds(uint8_t *buf, long n)
{
    long out = 0;
    for (long pos = 0; pos < n;) {
        struct sys_dirent64 *d = (void *)(buf + pos);
        uint16_t reclen = d->reclen;
        if (!sys_names_ferry_fd(d->name)) {
            memmove(buf + out, buf + pos, reclen);
            out += reclen;
        }
        pos += reclen;
    }
    return out;
}

/* getdents64, minus ferry's descriptors in a listing of its fd directory
 * (read on when a whole batch was ferry's: 0 means the end). */
static long sys_host_getdents64(int fd, uint8_t *buf, unsigned count)
{
    bool own = sys_is_own_fd_dir(fd);
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, count);
        if (n <= 0 || !own)
            return n;
        if ((n = sys_drop_ferry_fds(buf, n)) > 0)
            return n;
    }
}

SYS_HANDLER(sys_getdents64)
{
    return sys_ret(sys_host_getdents64((int)a[0], sys_ptr(a[1]), (unsigned)a[2]));
}

/* x86-64's old getdents: struct linux_dirent {u64 ino; u64 off;
 * u16 reclen; char name[]; ... char type at reclen-1}.  A record is never
 * longer than its dirent64 twin, so whatever getdents64 returned fits. */

static size_t sys_old_dirent(uint8_t *out, const struct sys_dirent64 *d)
{
    size_t namelen = strlen(d->name);
    size_t reclen = (18 + namelen + 2 + 7) & ~(size_t)7;
    memcpy(out, &d->ino, 8);
    memcpy(out + 8, &d->off, 8);
    memcpy(out + 16, &(uint16_t){ (uint16_t)reclen }, 2);
    memcpy(out + 18, d->name, namelen + 1);
    out[reclen - 1] = d->type;
    return reclen;
}

SYS_HANDLER(sys_getdents)
{
    size_t count = a[2] < 65536 ? a[2] : 65536;
    uint8_t in[count + 1], out[count + 1];
    long n = sys_host_getdents64((int)a[0], in, (unsigned)count);
    if (n < 0)
        return -errno;
    size_t used = 0;
    for (long pos = 0; pos < n;) {
        const struct sys_dirent64 *d = (const void *)(in + pos);
        used += sys_old_dirent(out + used, d);
        pos += d->reclen;
    }
    int64_t r = sys_copy_out(a[1], out, used);
    return r ? r : (int64_t)used;
}

SYS_HANDLER(sys_getcwd) { return sys_ret(syscall(SYS_getcwd, sys_ptr(a[0]), a[1])); }
SYS_HANDLER(sys_chdir) { return sys_ret(chdir(sys_path(a[0]))); }
SYS_HANDLER(sys_fchdir) { return sys_ret(fchdir((int)a[0])); }
/* The translation cache writes its files by path: saved before the new
 * root, and no more after it (tr_tcache_root_moved). */
SYS_HANDLER(sys_chroot)
{
    const char *path = sys_path(a[0]);
    tr_tcache_save(sys_engine);
    long r = sys_ret(chroot(path));
    if (r == 0)
        tr_tcache_root_moved(sys_engine);
    return r;
}

/* /proc/self/exe names the guest program, not ferry. */
static int64_t sys_do_readlinkat(int dirfd, uint64_t path, uint64_t buf, uint64_t size)
{
    if (sys_proc_names_exe(dirfd, path)) {
        size_t n = strlen(sys_proc.exe_path);
        n = n < size ? n : size;
        int64_t r = sys_copy_out(buf, sys_proc.exe_path, n);
        return r ? r : (int64_t)n;
    }
    return sys_ret(readlinkat(dirfd, sys_path_lookup_at(dirfd, path, 0), sys_ptr(buf), size));
}

SYS_HANDLER(sys_readlink) { return sys_do_readlinkat(AT_FDCWD, a[0], a[1], a[2]); }
SYS_HANDLER(sys_readlinkat) { return sys_do_readlinkat(sys_dirfd(a[0]), a[1], a[2], a[3]); }

SYS_HANDLER(sys_unlink) { return sys_ret(unlinkat(AT_FDCWD, sys_path(a[0]), 0)); }
SYS_HANDLER(sys_rmdir) { return sys_ret(unlinkat(AT_FDCWD, sys_path(a[0]), AT_REMOVEDIR)); }

SYS_HANDLER(sys_unlinkat)
{
    return sys_ret(unlinkat(sys_dirfd(a[0]), sys_path(a[1]), (int)a[2]));
}

SYS_HANDLER(sys_mkdir) { return sys_ret(mkdirat(AT_FDCWD, sys_path(a[0]), (mode_t)a[1])); }

SYS_HANDLER(sys_mkdirat)
{
    return sys_ret(mkdirat(sys_dirfd(a[0]), sys_path(a[1]), (mode_t)a[2]));
}

SYS_HANDLER(sys_mknod)
{
    return sys_ret(mknodat(AT_FDCWD, sys_path(a[0]), (mode_t)a[1], (dev_t)a[2]));
}

SYS_HANDLER(sys_mknodat)
{
    return sys_ret(mknodat(sys_dirfd(a[0]), sys_path(a[1]), (mode_t)a[2], (dev_t)a[3]));
}

SYS_HANDLER(sys_rename)
{
    return sys_ret(renameat(AT_FDCWD, sys_path(a[0]), AT_FDCWD, sys_path(a[1])));
}

SYS_HANDLER(sys_renameat)
{
    return sys_ret(renameat(sys_dirfd(a[0]), sys_path(a[1]), sys_dirfd(a[2]), sys_path(a[3])));
}

/* RENAME_NOREPLACE/EXCHANGE/WHITEOUT are the same bits everywhere. */
SYS_HANDLER(sys_renameat2)
{
    return sys_ret(syscall(SYS_renameat2, sys_dirfd(a[0]), sys_path(a[1]), sys_dirfd(a[2]),
                           sys_path(a[3]), (unsigned)a[4]));
}

SYS_HANDLER(sys_link)
{
    return sys_ret(linkat(AT_FDCWD, sys_path(a[0]), AT_FDCWD, sys_path(a[1]), 0));
}

SYS_HANDLER(sys_linkat)
{
    return sys_ret(linkat(sys_dirfd(a[0]), sys_path(a[1]), sys_dirfd(a[2]), sys_path(a[3]),
                          (int)a[4]));
}

SYS_HANDLER(sys_symlink)
{
    return sys_ret(symlinkat(sys_ptr(a[0]), AT_FDCWD, sys_path(a[1])));
}

SYS_HANDLER(sys_symlinkat)
{
    return sys_ret(symlinkat(sys_ptr(a[0]), sys_dirfd(a[1]), sys_path(a[2])));
}
