/* sys_environ.c -- /proc/PID/environ as the guest would see it natively.
 * The kernel's file is the bytes between the first and the end of the
 * last envp string of the process's initial stack (mm->env_start..
 * env_end), read when the file is.  The host's file of ferry's own
 * process is ferry's initial environment: after a guest execve it holds
 * the FERRY_EXEC_* variables the ferry before passed (sys_exec.h), which
 * the guest's environ never has.  So the guest's own file is made from its
 * initial stack (as sys_cmdline.c does for cmdline: whatever the guest
 * wrote there since shows), and another process's -- most likely a ferry
 * too, a child the guest forked -- is the host's with ferry's variables
 * left out.  Where the kernel could be told the guest's range
 * (sys_proc_mm.c) its own file is right, for the guest and for others,
 * and nothing is made up here (another ferry's is still filtered: a
 * ferry under qemu-user could not tell its kernel). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys_exec.h"
#include "sys_internal.h"

void sys_environ_started(uint64_t sp)
{
    const uint64_t *v = sys_ptr(sp);
    uint64_t argc = v[0], first = v[argc + 2], last = 0;
    for (uint64_t i = argc + 2; v[i]; i++)
        last = v[i];
    long n = last ? sys_guest_strnlen(last, 1u << 20) : 0;
    if (!first) {               /* no environment: an empty file */
        sys_proc.env_start = sys_proc.env_end = sys_proc.arg_end ? sys_proc.arg_end : 1;
        return;
    }
    if (n < 0 || last < first)
        return;
    sys_proc.env_start = first;
    sys_proc.env_end = last + (uint64_t)n + 1;
}

static int sys_environ_fill(int fd)
{
    return sys_synth_guest_bytes(fd, sys_proc.env_start, sys_proc.env_end);
}

/* Whether an environ entry is ferry's (never in a guest's environ). */
static bool sys_environ_ferrys(const char *e)
{
    static const char private[] = SYS_EXEC_PRIVATE_PREFIX, debug_va[] = SYS_EXEC_VA_CEILING_ENV "=";
    return strncmp(e, private, sizeof private - 1) == 0 || strncmp(e, debug_va, sizeof debug_va - 1) == 0;
}

/* The host file of another process, read whole (a ferry's environment is
 * small: ferry's exec checks it against the kernel's limit), for the fill
 * on this thread. */
static __thread char *sys_environ_other;
static __thread size_t sys_environ_other_len;

static int sys_environ_other_fill(int fd)
{
    for (size_t at = 0; at < sys_environ_other_len;) {
        const char *e = sys_environ_other + at;
        size_t n = strnlen(e, sys_environ_other_len - at);
        size_t step = n < sys_environ_other_len - at ? n + 1 : n;
        if (!sys_environ_ferrys(e) && write(fd, e, step) != (ssize_t)step)
            return -EIO;
        at += step;
    }
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno;
}

int64_t sys_environ_open_other(const char *path, int host_flags)
{
    if ((host_flags & O_ACCMODE) != O_RDONLY)
        return SYS_MAPS_NOT_OURS;      /* the kernel's answer */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t cap = 0, len = 0;
    char *buf = NULL;
    for (ssize_t n = 1; n > 0; len += (size_t)n) {
        if (len + 4096 > cap) {
            char *more = realloc(buf, cap = cap * 2 + 8192);
            if (!more) {
                free(buf), close(fd);
                return -ENOMEM;
            }
            buf = more;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            int err = errno;
            free(buf), close(fd);
            return -err;
        }
    }
    close(fd);
    sys_environ_other = buf, sys_environ_other_len = len;
    int64_t r = sys_synth_open("environ", host_flags, sys_environ_other_fill);
    free(buf);
    return r;
}

int64_t sys_environ_open(int host_flags)
{
    if (!sys_proc.env_end || sys_proc.mm_published)
        return SYS_MAPS_NOT_OURS;       /* the kernel's file is the guest's (sys_proc_mm.c) */
    return sys_synth_open("environ", host_flags, sys_environ_fill);
}
