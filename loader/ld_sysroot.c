/* ld_sysroot.c -- the guest's file-system prefix (-L DIR, FERRY_LD_PREFIX),
 * as QEMU's -L / QEMU_LD_PREFIX: an absolute path the guest looks up
 * (open, stat, access, readlink, execve, and the loader's interpreter) is
 * tried under DIR first and falls back to the real path when DIR has no
 * such name.  On an AArch64 host DIR is e.g. an amd64 Debian chroot.
 *
 * A sysroot's absolute symbolic links (Debian's /lib64/ld-linux-x86-64.so.2
 * -> /lib/x86_64-linux-gnu/...) point into the sysroot, not the host: when
 * the caller follows links, the last component's absolute target is looked
 * up under DIR again.  Results live in a few rotating per-thread buffers
 * so a handler can translate two paths (rename, link) at once. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

#define LD_SYSROOT_BUFS 4
#define LD_SYSROOT_MAX_LINKS 40       /* the kernel's MAXSYMLINKS */

static char *ld_sysroot_dir;          /* absolute, no trailing '/'; NULL: none */

int ld_sysroot_set(const char *dir)
{
    char *abs = realpath(dir, NULL);
    struct stat st;
    if (!abs || stat(abs, &st) != 0 || !S_ISDIR(st.st_mode))
        return free(abs), -1;
    free(ld_sysroot_dir);
    ld_sysroot_dir = strcmp(abs, "/") == 0 ? (free(abs), NULL) : abs;
    return 0;
}

const char *ld_sysroot_get(void)
{
    return ld_sysroot_dir;
}

static char *ld_sysroot_buffer(void)
{
    static __thread char bufs[LD_SYSROOT_BUFS][PATH_MAX];
    static __thread unsigned next;
    return bufs[next++ % LD_SYSROOT_BUFS];
}

/* DIR + path in buf, or 0 if it does not fit. */
static int ld_sysroot_join(char *buf, const char *path)
{
    int n = snprintf(buf, PATH_MAX, "%s%s", ld_sysroot_dir, path);
    return n > 0 && n < PATH_MAX;
}

/* The absolute target of the link `full` into target; 0 if it is not one. */
static int ld_sysroot_abs_link(const char *full, char *target)
{
    ssize_t n = readlink(full, target, PATH_MAX - 1);
    if (n <= 0 || target[0] != '/')
        return 0;
    target[n] = 0;
    return 1;
}

/* A followed link whose target is missing under DIR falls back to the
 * target on the host, as the kernel would resolve it. */
const char *ld_sysroot_path(const char *path, int follow)
{
    struct stat st;
    if (!ld_sysroot_dir || !path || path[0] != '/' || strcmp(path, "/") == 0)
        return path;
    char *buf = ld_sysroot_buffer(), cur[PATH_MAX];
    snprintf(cur, sizeof cur, "%s", path);
    for (int hops = 0; hops < LD_SYSROOT_MAX_LINKS; hops++) {
        if (!ld_sysroot_join(buf, cur) || fstatat(AT_FDCWD, buf, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return hops ? strcpy(buf, cur) : path;
        if (!follow || !S_ISLNK(st.st_mode) || !ld_sysroot_abs_link(buf, cur))
            return buf;
    }
    return buf;
}
