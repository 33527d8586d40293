/* sys_cmdline.c -- the guest's own /proc/self/cmdline.  The host's file
 * is ferry's command line (ferry's path and options before the guest's
 * argv); the kernel's is the bytes between the first and the end of the
 * last argv string of the program's initial stack (mm->arg_start..
 * arg_end), read when the file is: so it is made from that guest memory,
 * whatever the guest wrote there since (valgrind's none/tests/procfs-linux).
 * Made up only where the kernel could not be told the guest's range
 * (sys_proc_mm.c): then the kernel's rule for a last byte the guest
 * overwrote (the string runs on into the environment) is not followed. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sys_internal.h"

void sys_cmdline_started(uint64_t sp)
{
    uint64_t argc = *(const uint64_t *)sys_ptr(sp);
    if (!argc)
        return;
    uint64_t first = *(const uint64_t *)sys_ptr(sp + 8);
    uint64_t last = *(const uint64_t *)sys_ptr(sp + 8 * argc);
    long n = sys_guest_strnlen(last, 1u << 20);
    if (!first || !last || n < 0 || last < first)
        return;
    sys_proc.arg_start = first;
    sys_proc.arg_end = last + (uint64_t)n + 1;
}

int sys_synth_guest_bytes(int fd, uint64_t start, uint64_t end)
{
    uint64_t len = end - start;
    if (len && !sys_guest_access_ok(start, len, 0))
        return -EFAULT;
    if (len && write(fd, sys_ptr(start), len) != (ssize_t)len)
        return -EIO;
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno;
}

static int sys_cmdline_fill(int fd)
{
    return sys_synth_guest_bytes(fd, sys_proc.arg_start, sys_proc.arg_end);
}

int64_t sys_cmdline_open(int host_flags)
{
    if (!sys_proc.arg_end || sys_proc.mm_published)
        return SYS_MAPS_NOT_OURS;       /* the kernel's file is the guest's (sys_proc_mm.c) */
    return sys_synth_open("cmdline", host_flags, sys_cmdline_fill);
}
