/* sys_guest.c -- guest memory and guest path helpers for the handlers.
 * Guest addresses are host addresses, so copies are plain memcpy; the
 * checks only catch the obviously bad pointers (NULL page, wrap-around)
 * that a kernel would answer with EFAULT. */
#include <string.h>

#include "sys_internal.h"

static int sys_bad_range(uint64_t g, size_t len)
{
    return g < 4096 || g + len < g;
}

int64_t sys_copy_out(uint64_t g, const void *src, size_t len)
{
    if (sys_bad_range(g, len))
        return -EFAULT;
    memcpy(sys_ptr(g), src, len);
    return 0;
}

int64_t sys_copy_in(void *dst, uint64_t g, size_t len)
{
    if (sys_bad_range(g, len))
        return -EFAULT;
    memcpy(dst, sys_ptr(g), len);
    return 0;
}

/* /proc/self/exe is ferry itself on the host; the guest means its own
 * program. */
const char *sys_path(uint64_t g)
{
    const char *p = sys_ptr(g);
    if (p && sys_proc.exe_path && strcmp(p, "/proc/self/exe") == 0)
        return sys_proc.exe_path;
    return p;
}
