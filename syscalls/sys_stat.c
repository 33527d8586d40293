/* sys_stat.c -- the stat family (converted to the x86-64 layout), statx
 * (same layout everywhere), access checks, permissions, ownership and
 * timestamps, with legacy path calls mapped to their *at forms. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "sys_handlers.h"
#include "sys_conv.h"

/* AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT: same bits on all. */
static int64_t sys_do_fstatat(int dirfd, const char *path, uint64_t buf, int flags)
{
    struct stat h;
    struct x86_64_stat g;
    if (fstatat(dirfd, path, &h, flags) != 0)
        return -errno;
    sys_stat_to_guest(&g, &h);
    return sys_copy_out(buf, &g, sizeof g);
}

/* Without following links, /proc/self/exe is the link itself. */
static const char *sys_path_lookup_nofollow(int dirfd, uint64_t path)
{
    return sys_proc_names_exe(dirfd, path) ? sys_ptr(path) : sys_path_lookup_at(dirfd, path, 0);
}

SYS_HANDLER(sys_fstat) { return sys_do_fstatat((int)a[0], "", a[1], AT_EMPTY_PATH); }
SYS_HANDLER(sys_stat) { return sys_do_fstatat(AT_FDCWD, sys_path_lookup(a[0], 1), a[1], 0); }

SYS_HANDLER(sys_lstat)
{
    return sys_do_fstatat(AT_FDCWD, sys_path_lookup_nofollow(AT_FDCWD, a[0]), a[1], AT_SYMLINK_NOFOLLOW);
}

/* The host path a stat call with these flags looks at (also sys_ia32.c). */
const char *sys_stat_path(int dirfd, uint64_t path, uint64_t flags)
{
    return flags & AT_SYMLINK_NOFOLLOW ? sys_path_lookup_nofollow(dirfd, path)
                                       : sys_path_lookup_at(dirfd, path, 1);
}

SYS_HANDLER(sys_newfstatat)
{
    return sys_do_fstatat(sys_dirfd(a[0]), sys_stat_path(sys_dirfd(a[0]), a[1], a[3]), a[2], (int)a[3]);
}

SYS_HANDLER(sys_statx)
{
    return sys_ret(syscall(SYS_statx, sys_dirfd(a[0]), sys_stat_path(sys_dirfd(a[0]), a[1], a[2]), (int)a[2],
                           (unsigned)a[3], sys_ptr(a[4])));
}

/* struct statfs is the same on x86-64 and arm64 (all fields 64-bit). */
SYS_HANDLER(sys_statfs) { return sys_ret(syscall(SYS_statfs, sys_path(a[0]), sys_ptr(a[1]))); }
SYS_HANDLER(sys_fstatfs) { return sys_ret(syscall(SYS_fstatfs, (int)a[0], sys_ptr(a[1]))); }

SYS_HANDLER(sys_access)
{
    return sys_ret(syscall(SYS_faccessat, AT_FDCWD, sys_path_lookup(a[0], 1), (int)a[1]));
}

SYS_HANDLER(sys_faccessat)
{
    return sys_ret(syscall(SYS_faccessat, sys_dirfd(a[0]), sys_path_lookup_at(sys_dirfd(a[0]), a[1], 1), (int)a[2]));
}

/* Older hosts (and qemu-user) may lack faccessat2; without flags the
 * old call is equivalent. */
SYS_HANDLER(sys_faccessat2)
{
    const char *path = sys_stat_path(sys_dirfd(a[0]), a[1], a[3]);
    long r = syscall(SYS_faccessat2, sys_dirfd(a[0]), path, (int)a[2], (int)a[3]);
    if (r == -1 && errno == ENOSYS && a[3] == 0)
        r = syscall(SYS_faccessat, sys_dirfd(a[0]), path, (int)a[2]);
    return sys_ret(r);
}

SYS_HANDLER(sys_umask) { return umask((mode_t)a[0]); }
SYS_HANDLER(sys_chmod) { return sys_ret(fchmodat(AT_FDCWD, sys_path(a[0]), (mode_t)a[1], 0)); }
SYS_HANDLER(sys_fchmod) { return sys_ret(fchmod((int)a[0], (mode_t)a[1])); }

SYS_HANDLER(sys_fchmodat)
{
    return sys_ret(syscall(SYS_fchmodat, sys_dirfd(a[0]), sys_path(a[1]), (mode_t)a[2]));
}

SYS_HANDLER(sys_chown)
{
    return sys_ret(fchownat(AT_FDCWD, sys_path(a[0]), (uid_t)a[1], (gid_t)a[2], 0));
}

SYS_HANDLER(sys_lchown)
{
    return sys_ret(fchownat(AT_FDCWD, sys_path(a[0]), (uid_t)a[1], (gid_t)a[2],
                            AT_SYMLINK_NOFOLLOW));
}

SYS_HANDLER(sys_fchown) { return sys_ret(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2])); }

SYS_HANDLER(sys_fchownat)
{
    return sys_ret(fchownat(sys_dirfd(a[0]), sys_path(a[1]), (uid_t)a[2], (gid_t)a[3],
                            (int)a[4]));
}

/* struct timespec is the same on every 64-bit Linux. */
SYS_HANDLER(sys_utimensat)
{
    return sys_ret(syscall(SYS_utimensat, sys_dirfd(a[0]), a[1] ? sys_path(a[1]) : NULL,
                           sys_ptr(a[2]), (int)a[3]));
}

/* utimes(path, timeval[2]) and utime(path, {actime, modtime}). */
static int64_t sys_set_times(uint64_t path, const struct timespec *ts)
{
    return sys_ret(utimensat(AT_FDCWD, sys_path(path), ts, 0));
}

SYS_HANDLER(sys_utimes)
{
    struct timeval tv[2];
    if (!a[1])
        return sys_set_times(a[0], NULL);
    if (sys_copy_in(tv, a[1], sizeof tv))
        return -EFAULT;
    struct timespec ts[2] = { { tv[0].tv_sec, tv[0].tv_usec * 1000 },
                              { tv[1].tv_sec, tv[1].tv_usec * 1000 } };
    return sys_set_times(a[0], ts);
}

SYS_HANDLER(sys_utime)
{
    int64_t t[2];
    if (!a[1])
        return sys_set_times(a[0], NULL);
    if (sys_copy_in(t, a[1], sizeof t))
        return -EFAULT;
    struct timespec ts[2] = { { t[0], 0 }, { t[1], 0 } };
    return sys_set_times(a[0], ts);
}
