/* sys_auxv.c -- the guest's own /proc/self/auxv (and /proc/PID/auxv of
 * itself).  The kernel's file is the copy of the auxiliary vector it made
 * at exec (mm->saved_auxv: the pairs up to and including AT_NULL), which
 * for ferry's process is ferry's own -- the host's AT_HWCAP bits, its
 * AT_PHDR, AT_ENTRY and AT_PLATFORM ("aarch64" on that host).  The
 * guest's is the vector its loader put on its initial stack
 * (loader/ld_stack.c), copied here before the guest runs: later writes to
 * the stack do not show, as natively.  sys_proc_mm.c hands the copy to
 * the kernel with the argv/envp range where it can (then the host's file
 * is the guest's, for every reader); else the file is made up from it. */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "sys_internal.h"

static uint64_t sys_auxv_saved[SYS_AUXV_MAX_WORDS];
static size_t sys_auxv_words;

void sys_auxv_started(uint64_t sp)
{
    const uint64_t *w = sys_ptr(sp);
    size_t k = 1 + w[0] + 1;            /* argc, argv[], NULL */
    while (w[k])                        /* envp[] */
        k++;
    k++;
    size_t n = 0;
    while (n + 2 <= SYS_AUXV_MAX_WORDS) {
        sys_auxv_saved[n] = w[k + n];
        sys_auxv_saved[n + 1] = w[k + n + 1];
        n += 2;
        if (sys_auxv_saved[n - 2] == 0)     /* AT_NULL's pair is the file's last */
            break;
    }
    sys_auxv_words = n;
}

const uint64_t *sys_auxv_vector(size_t *bytes)
{
    *bytes = sys_auxv_words * sizeof sys_auxv_saved[0];
    return sys_auxv_saved;
}

static int sys_auxv_fill(int fd)
{
    size_t len = sys_auxv_words * sizeof sys_auxv_saved[0];
    if (write(fd, sys_auxv_saved, len) != (ssize_t)len)
        return -EIO;
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno;
}

int64_t sys_auxv_open(int host_flags)
{
    if (!sys_auxv_words || sys_proc.auxv_published)
        return SYS_MAPS_NOT_OURS;       /* the kernel's file is the guest's (sys_proc_mm.c) */
    return sys_synth_open("auxv", host_flags, sys_auxv_fill);
}
