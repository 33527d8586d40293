/* sys_inotify.c -- inotify: the IN_* event bits, struct inotify_event
 * (read from the descriptor) and IN_NONBLOCK/IN_CLOEXEC (O_NONBLOCK/
 * O_CLOEXEC, the same on x86-64 and arm64) pass through.  Watched paths
 * are looked up like open's, under the -L sysroot first. */
#define _GNU_SOURCE
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

#define SYS_IN_FLAGS 02004000       /* IN_NONBLOCK | IN_CLOEXEC, x86-64 */

/* IN_NONBLOCK and IN_CLOEXEC are open flags: converted like them. */
static int sys_in_flags(uint64_t guest)
{
    if (guest & ~(uint64_t)SYS_IN_FLAGS) return -1;
    return sys_open_flags_to_host(guest);
}

SYS_HANDLER(sys_inotify_init) { return sys_ret(inotify_init1(0)); }

SYS_HANDLER(sys_inotify_init1)
{
    int flags = sys_in_flags(a[0]);
    return flags < 0 ? -EINVAL : sys_ret(inotify_init1(flags));
}

SYS_HANDLER(sys_inotify_add_watch)
{
    const char *path = sys_path_lookup(a[1], !(a[2] & IN_DONT_FOLLOW));
    return sys_ret(inotify_add_watch((int)a[0], path, (uint32_t)a[2]));
}

SYS_HANDLER(sys_inotify_rm_watch) { return sys_ret(inotify_rm_watch((int)a[0], (int)a[1])); }
