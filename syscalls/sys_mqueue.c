/* sys_mqueue.c -- POSIX message queues (mq_open & co.; glibc strips the
 * name's leading '/').  A queue descriptor is a host descriptor.  struct
 * mq_attr (four longs and four reserved), struct timespec and the kernel's
 * struct sigevent (mq_notify; its SIGEV_* numbers too) have the same layout
 * on x86-64 and arm64; mq_open's flags are converted like open's, and
 * mq_attr's mq_flags holds only O_NONBLOCK (04000 on both).  glibc's
 * SIGEV_THREAD notification is the kernel's netlink form (sigev_signo is
 * the socket, sigev_value the cookie buffer): passed through unchanged. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"

/* The kernel's struct mq_attr. */
struct x86_64_mq_attr {
    int64_t mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
    int64_t reserved[4];
};
_Static_assert(sizeof(struct x86_64_mq_attr) == 64, "mq_attr");

#define SYS_O_CREAT 0100

static bool sys_mq_fd_bad(uint64_t fd)
{
    return sys_ferry_fd_is((int)fd);
}

SYS_HANDLER(sys_mq_open)
{
    struct x86_64_mq_attr attr;
    bool with_attr = (a[1] & SYS_O_CREAT) && a[3];
    if (with_attr && sys_copy_in(&attr, a[3], sizeof attr))
        return -EFAULT;
    return sys_ret(syscall(SYS_mq_open, sys_ptr(a[0]), sys_open_flags_to_host(a[1]),
                           (unsigned)a[2], with_attr ? &attr : NULL));
}

SYS_HANDLER(sys_mq_unlink) { return sys_ret(syscall(SYS_mq_unlink, sys_ptr(a[0]))); }

SYS_HANDLER(sys_mq_timedsend)
{
    if (sys_mq_fd_bad(a[0]))
        return -EBADF;
    return sys_block(SYS_mq_timedsend, (int)a[0], sys_ptr(a[1]), (size_t)a[2], (unsigned)a[3],
                     sys_ptr(a[4]));
}

SYS_HANDLER(sys_mq_timedreceive)
{
    if (sys_mq_fd_bad(a[0]))
        return -EBADF;
    return sys_block(SYS_mq_timedreceive, (int)a[0], sys_ptr(a[1]), (size_t)a[2], sys_ptr(a[3]),
                     sys_ptr(a[4]));
}

SYS_HANDLER(sys_mq_notify)
{
    struct x86_64_sigevent ev;
    if (sys_mq_fd_bad(a[0]))
        return -EBADF;
    if (a[1] && sys_copy_in(&ev, a[1], sizeof ev))
        return -EFAULT;
    return sys_ret(syscall(SYS_mq_notify, (int)a[0], a[1] ? &ev : NULL));
}

SYS_HANDLER(sys_mq_getsetattr)
{
    struct x86_64_mq_attr nattr;
    if (sys_mq_fd_bad(a[0]))
        return -EBADF;
    if (a[1] && sys_copy_in(&nattr, a[1], sizeof nattr))
        return -EFAULT;
    return sys_ret(syscall(SYS_mq_getsetattr, (int)a[0], a[1] ? &nattr : NULL, sys_ptr(a[2])));
}
