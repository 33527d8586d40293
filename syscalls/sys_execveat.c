/* sys_execveat.c -- execveat(dirfd, path, argv, envp, flags): the program
 * stays translated, as for execve (sys_exec.c).  An absolute path, or one
 * relative to AT_FDCWD, is execve's; otherwise the program is a file the
 * guest holds a descriptor to (AT_EMPTY_PATH: glibc's fexecve) or one
 * relative to a directory descriptor.  Linux names such a program
 * "/dev/fd/N" or "/dev/fd/N/path" (AT_EXECFN, a script's argument), and
 * the process (comm) after the last part of that name -- or, for an empty
 * path, after the file itself (Linux 6.14 on; a script's interpreter's
 * file then); ferry passes the new ferry a
 * descriptor of the file (FERRY_EXEC_FD, read as binfmt_misc's AT_EXECFD),
 * so neither /proc nor /dev/fd is needed for an ELF program.  An O_PATH
 * descriptor is reopened for reading through /proc/self/fd (an
 * execute-only program behind an O_PATH descriptor needs /proc). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys_handlers.h"

#define SYS_AT_SYMLINK_NOFOLLOW 0x100
#define SYS_AT_EMPTY_PATH 0x1000
#define SYS_AT_FDCWD (-100)

/* -ELOOP for a symbolic link that AT_SYMLINK_NOFOLLOW forbids, else 0. */
static int64_t sys_nofollow_st(int r, const struct stat *st)
{
    return r == 0 && S_ISLNK(st->st_mode) ? -ELOOP : 0;
}

/* A readable descriptor of the file fd designates (O_PATH: reopened). */
static int sys_exec_readable(int fd)
{
    char proc[64];
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || !(fl & O_PATH))
        return fcntl(fd, F_DUPFD_CLOEXEC, 3);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int r = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    return r >= 0 ? r : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* The file's own name (the kernel's comm for execveat), else fallback. */
static void sys_exec_file_name(int fd, const char *fallback, char *buf, size_t len)
{
    char proc[64], target[4096];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, target, sizeof target - 1);
    const char *name = fallback;
    if (n > 0) {
        target[n] = 0;
        name = target;
    }
    const char *slash = strrchr(name, '/');
    snprintf(buf, len, "%.200s", slash ? slash + 1 : name);
}

/* Linux names a process run from a descriptor after the file itself
 * since 6.14 (before: "N" from "/dev/fd/N"); ferry does as its host's. */
static bool sys_comm_from_file(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return true;
    return major > 6 || (major == 6 && minor >= 14);
}

/* The target as a descriptor: dirfd itself for an empty path, else
 * path looked up under dirfd. */
static int sys_exec_open_at(int dirfd, const char *path, uint64_t flags)
{
    if (!*path)
        return fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    int nofollow = flags & SYS_AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0;
    return openat(dirfd, path, O_PATH | O_CLOEXEC | nofollow);
}

static int64_t sys_execveat_fd(int dirfd, const char *path, uint64_t flags, uint64_t gargv,
                               uint64_t genvp)
{
    char fdname[4200], name[256];
    int fdflags = fcntl(dirfd, F_GETFD);
    if (fdflags < 0 || sys_ferry_fd_is(dirfd))
        return -EBADF;
    int target = sys_exec_open_at(dirfd, path, flags);
    if (target < 0)
        return -errno;
    struct stat st;
    int64_t r = flags & SYS_AT_SYMLINK_NOFOLLOW ? sys_nofollow_st(fstat(target, &st), &st) : 0;
    int readable = r ? -1 : sys_exec_readable(target);
    if (!r && readable < 0)
        r = -errno;
    if (!r) {
        snprintf(fdname, sizeof fdname, *path ? "/dev/fd/%d/%s" : "/dev/fd/%d", dirfd, path);
        sys_exec_file_name(target, fdname, name, sizeof name);
        struct sys_exec_fd x = { .fd = readable, .cloexec = fdflags & FD_CLOEXEC,
                                 .name = *path || !sys_comm_from_file() ? NULL : name };
        r = sys_exec_program(fdname, &x, gargv, genvp);
    }
    if (readable >= 0)
        close(readable);
    close(target);
    return r;
}

SYS_HANDLER(sys_execveat)
{
    int dirfd = (int)a[0];
    uint64_t flags = a[4];
    long len = sys_guest_strnlen(a[1], 4096);
    if (len < 0)
        return -EFAULT;
    if (len == 0 && !(flags & SYS_AT_EMPTY_PATH))
        return -ENOENT;
    if (flags & ~(uint64_t)(SYS_AT_EMPTY_PATH | SYS_AT_SYMLINK_NOFOLLOW))
        return -EINVAL;
    const char *path = sys_ptr(a[1]);
    /* "exe" from a /proc/self descriptor is the program too (sys_path_at) */
    if (len > 0 && (path[0] == '/' || dirfd == SYS_AT_FDCWD || sys_proc_names_exe(dirfd, a[1]))) {
        const char *p = sys_path_lookup_at(dirfd, a[1], !(flags & SYS_AT_SYMLINK_NOFOLLOW));
        struct stat st;
        int64_t r = flags & SYS_AT_SYMLINK_NOFOLLOW ? sys_nofollow_st(lstat(p, &st), &st) : 0;
        if (r)
            return r;
        sys_exec_room(true);
        r = sys_exec_program(p, NULL, a[2], a[3]);
        sys_exec_room(false);
        return r;
    }
    sys_exec_room(true);
    int64_t r = sys_execveat_fd(dirfd, path, flags, a[2], a[3]);
    sys_exec_room(false);
    return r;
}
