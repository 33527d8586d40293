/* sys_signalfd.c -- signalfd/signalfd4.  The descriptor is the host's:
 * each guest thread's host mask mirrors its guest mask for the signals
 * ferry forwards (sys_signal.c), and a forwarded signal the guest blocks
 * is kept pending by the host kernel -- also one the guest sent itself or
 * one ferry held when the guest blocked it (sys_requeue_blocked) -- so a
 * host signalfd reads exactly what the guest's would.  struct
 * signalfd_siginfo (128 bytes) and SFD_NONBLOCK/SFD_CLOEXEC (O_NONBLOCK/
 * O_CLOEXEC) are the same on x86-64 and arm64.  The signals ferry keeps
 * for itself (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, glibc's 32/33)
 * are never read from a signalfd. */
#define _GNU_SOURCE
#include <sys/signalfd.h>

#include "sys_handlers.h"
#include "sys_sigframe.h"

#define SYS_SFD_FLAGS 02004000      /* SFD_NONBLOCK | SFD_CLOEXEC, x86-64 */

static int64_t sys_signalfd_common(uint64_t gfd, uint64_t gmask, uint64_t size, uint64_t gflags)
{
    uint64_t set;
    sigset_t host;
    int fd = (int)gfd;
    if (size != 8 || (gflags & ~(uint64_t)SYS_SFD_FLAGS))
        return -EINVAL;
    if (sys_copy_in(&set, gmask, sizeof set))
        return -EFAULT;
    if (fd != -1 && sys_ferry_fd_is(fd))
        return -EBADF;
    sys_signal_host_set(set, &host);
    return sys_ret(signalfd(fd, &host, sys_open_flags_to_host(gflags)));
}

SYS_HANDLER(sys_signalfd) { return sys_signalfd_common(a[0], a[1], a[2], 0); }
SYS_HANDLER(sys_signalfd4) { return sys_signalfd_common(a[0], a[1], a[2], a[3]); }
