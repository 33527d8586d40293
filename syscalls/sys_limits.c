/* sys_limits.c -- the guest's /proc/self/limits (and /proc/PID/limits of
 * itself): the host's text, with the limits ferry keeps apart from the
 * real ones shown as the guest set them -- address space and data size
 * (sys_rlimit_mem.c: the real soft limits are raised for ferry's own
 * memory), stack size (a host may not take the guest's: QEMU) and the open files' hard limit (sys_ferry_fd.c may keep the
 * real one a few numbers higher).  Made when the file is opened, like
 * the guest's maps (sys_maps.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sys_internal.h"

/* The kernel's columns (fs/proc/base.c, proc_pid_limits). */
static void sys_limits_value(FILE *out, uint64_t v)
{
    if (v == RLIM_INFINITY)
        fprintf(out, "%-20s ", "unlimited");
    else
        fprintf(out, "%-20llu ", (unsigned long long)v);
}

/* The guest's own values of the line's limit, false for the others. */
static bool sys_limits_guest(const char *line, struct rlimit64 *rl)
{
    struct rlimit real;
    if (!strncmp(line, "Max address space ", 18))
        return sys_rlimit_mem_get(RLIMIT_AS, rl) == 0;
    if (!strncmp(line, "Max data size ", 14))
        return sys_rlimit_mem_get(RLIMIT_DATA, rl) == 0;
    if (!strncmp(line, "Max stack size ", 15))
        return sys_rlimit_mem_get(RLIMIT_STACK, rl) == 0;
    if (strncmp(line, "Max open files ", 15) || getrlimit(RLIMIT_NOFILE, &real) != 0)
        return false;
    rl->rlim_cur = real.rlim_cur;
    rl->rlim_max = sys_ferry_fd_nofile_hard(real.rlim_max);
    return true;
}

/* One line of the host's file: as it is, or with the guest's values. */
static void sys_limits_line(FILE *out, const char *line)
{
    struct rlimit64 rl;
    if (strlen(line) < 68 || !sys_limits_guest(line, &rl)) {
        fputs(line, out);
        return;
    }
    fprintf(out, "%.25s ", line);
    sys_limits_value(out, rl.rlim_cur);
    sys_limits_value(out, rl.rlim_max);
    fputs(line + 68, out);              /* the units column and the newline */
}

static int sys_limits_fill(int fd)
{
    return sys_synth_filter(fd, "/proc/self/limits", sys_limits_line, NULL);
}

int64_t sys_limits_open(int host_flags)
{
    return sys_synth_open("limits", host_flags, sys_limits_fill);
}
