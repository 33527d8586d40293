/* sys_guest.c -- guest memory and guest path helpers for the handlers.
 *
 * Guest addresses are host addresses, so copies are plain memcpy, but a
 * bad guest pointer must give EFAULT as on Linux, not crash ferry.  The
 * kernel checks pointers for us: writing a byte from guest memory into a
 * private pipe fails with EFAULT when it is unreadable, and reading that
 * byte back to the same place fails when it is unwritable (and otherwise
 * leaves memory unchanged).  One probe per page touched. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "sys_internal.h"

#define SYS_PAGE 4096ull
#define SYS_PROBE_FD_MIN 900        /* out of the way of the guest's fds */

static __thread int sys_probe_fd[2] = { -1, -1 };     /* per thread: no mixing */

static int sys_probe_open(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        sys_probe_fd[i] = fcntl(p[i], F_DUPFD_CLOEXEC, SYS_PROBE_FD_MIN);
        close(p[i]);
    }
    return sys_probe_fd[0] >= 0 && sys_probe_fd[1] >= 0 ? 0 : -1;
}

/* A forked child must not share the pipe with its parent. */
void sys_guest_after_fork(void)
{
    close(sys_probe_fd[0]);
    close(sys_probe_fd[1]);
    sys_probe_fd[0] = sys_probe_fd[1] = -1;
}

/* 0 if the byte at p can be read (and written back, if `write`). */
static int sys_probe_byte(uint8_t *p, int write_back)
{
    if (sys_probe_fd[1] < 0 && sys_probe_open() != 0)
        return 0;                       /* cannot tell: trust the guest */
    ssize_t n = write(sys_probe_fd[1], p, 1);
    if (n < 0 && errno == EBADF) {      /* the guest closed our pipe */
        sys_guest_after_fork();
        return sys_probe_open() == 0 ? sys_probe_byte(p, write_back) : 0;
    }
    if (n != 1)
        return errno == EFAULT ? -1 : 0;
    uint8_t junk;
    n = read(sys_probe_fd[0], write_back ? p : &junk, 1);
    return n == 1 || errno != EFAULT ? 0 : (read(sys_probe_fd[0], &junk, 1), -1);
}

int sys_guest_access_ok(uint64_t g, size_t len, int write)
{
    if (g < 4096 || g + len < g)
        return 0;
    if (len == 0)
        return 1;
    for (uint64_t page = g & ~(SYS_PAGE - 1); page < g + len; page += SYS_PAGE)
        if (sys_probe_byte(sys_ptr(page < g ? g : page), write) != 0)
            return 0;
    return 1;
}

int64_t sys_copy_out(uint64_t g, const void *src, size_t len)
{
    if (!sys_guest_access_ok(g, len, 1))
        return -EFAULT;
    memcpy(sys_ptr(g), src, len);
    return 0;
}

int64_t sys_copy_in(void *dst, uint64_t g, size_t len)
{
    if (!sys_guest_access_ok(g, len, 0))
        return -EFAULT;
    memcpy(dst, sys_ptr(g), len);
    return 0;
}

/* Length of the guest string at g (at most max), or -1 if unreadable. */
long sys_guest_strnlen(uint64_t g, size_t max)
{
    const char *s = sys_ptr(g);
    for (size_t i = 0; i < max; i++) {
        if ((i == 0 || (g + i) % SYS_PAGE == 0) && !sys_guest_access_ok(g + i, 1, 0))
            return -1;
        if (!s[i])
            return (long)i;
    }
    return (long)max;
}

/* A NULL-terminated array of strings (argv, envp); NULL itself is ok. */
int sys_guest_vector_ok(uint64_t g)
{
    for (uint64_t p = g; g; p += 8) {
        if (!sys_guest_access_ok(p, 8, 0))
            return 0;
        uint64_t s = *(const uint64_t *)sys_ptr(p);
        if (!s)
            return 1;
        if (sys_guest_strnlen(s, 1u << 20) < 0)
            return 0;
    }
    return 1;
}

int sys_is_proc_self_exe(uint64_t g)
{
    static const char self[] = "/proc/self/exe";
    return sys_guest_strnlen(g, sizeof self) == sizeof self - 1 && memcmp(sys_ptr(g), self, sizeof self) == 0;
}

/* /proc/self/exe is ferry itself on the host; the guest means its own
 * program.  Bad pointers go to the host untouched (EFAULT there). */
const char *sys_path(uint64_t g)
{
    if (sys_proc.exe_path && sys_is_proc_self_exe(g))
        return sys_proc.exe_path;
    return sys_ptr(g);
}

/* A path the guest looks a file up by: sys_path, then under the sysroot
 * (-L DIR) first when there is one. */
const char *sys_path_lookup(uint64_t g, int follow)
{
    const char *p = sys_path(g);
    if (p != sys_ptr(g) || !ld_sysroot_get() || sys_guest_strnlen(g, 4096) < 0)
        return p;
    return ld_sysroot_path(p, follow);
}
