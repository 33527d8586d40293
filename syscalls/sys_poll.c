/* sys_poll.c -- poll and select.  arm64 has only ppoll and pselect6, so
 * the old calls are expressed through them (struct pollfd, fd_set and
 * the POLL* bits are the same everywhere). */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"

SYS_HANDLER(sys_poll)
{
    int ms = (int)a[2];
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    return sys_block(SYS_ppoll, sys_ptr(a[0]), a[1], ms < 0 ? NULL : &ts, NULL, 8);
}

SYS_HANDLER(sys_ppoll)
{
    return sys_block(SYS_ppoll, sys_ptr(a[0]), a[1], sys_ptr(a[2]), sys_ptr(a[3]), a[4]);
}

/* select updates the timeout with the time left, as Linux does. */
SYS_HANDLER(sys_select)
{
    struct timeval tv;
    struct timespec ts, *tsp = NULL;
    if (a[4]) {
        if (sys_copy_in(&tv, a[4], sizeof tv))
            return -EFAULT;
        ts = (struct timespec){ tv.tv_sec, tv.tv_usec * 1000 };
        tsp = &ts;
    }
    long r = sys_block(SYS_pselect6, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2]), sys_ptr(a[3]), tsp,
                       NULL);
    if (tsp) {
        tv = (struct timeval){ ts.tv_sec, ts.tv_nsec / 1000 };
        sys_copy_out(a[4], &tv, sizeof tv);
    }
    return r;
}

SYS_HANDLER(sys_pselect6)
{
    return sys_block(SYS_pselect6, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2]), sys_ptr(a[3]),
                     sys_ptr(a[4]), sys_ptr(a[5]));
}
