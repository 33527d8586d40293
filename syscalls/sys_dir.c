/* sys_dir.c -- directories and names: getdents, cwd, readlink, and the
 * legacy path calls (unlink, mkdir, rename, link, ...) that arm64 lacks,
 * expressed through their *at forms. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

SYS_HANDLER(sys_getdents64)
{
    return sys_ret(syscall(SYS_getdents64, (int)a[0], sys_ptr(a[1]), (unsigned)a[2]));
}

/* x86-64's old getdents: struct linux_dirent {u64 ino; u64 off;
 * u16 reclen; char name[]; ... char type at reclen-1}.  A record is never
 * longer than its dirent64 twin, so whatever getdents64 returned fits. */
struct sys_dirent64 { uint64_t ino; int64_t off; uint16_t reclen; uint8_t type; char name[]; };

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
    long n = syscall(SYS_getdents64, (int)a[0], in, count);
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
SYS_HANDLER(sys_chroot) { return sys_ret(chroot(sys_path(a[0]))); }

/* /proc/self/exe names the guest program, not ferry. */
static int64_t sys_do_readlinkat(int dirfd, uint64_t path, uint64_t buf, uint64_t size)
{
    if (sys_proc.exe_path && sys_is_proc_self_exe(path)) {
        size_t n = strlen(sys_proc.exe_path);
        n = n < size ? n : size;
        int64_t r = sys_copy_out(buf, sys_proc.exe_path, n);
        return r ? r : (int64_t)n;
    }
    return sys_ret(readlinkat(dirfd, sys_path_lookup(path, 0), sys_ptr(buf), size));
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
