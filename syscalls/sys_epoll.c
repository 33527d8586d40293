/* sys_epoll.c -- epoll, eventfd and timerfd.  x86-64's struct
 * epoll_event is packed (12 bytes) while arm64's is 16, so events are
 * converted (sys_conv.c); EPOLL*, EFD_* and TFD_* flags and struct itimerspec are the
 * same on both hosts. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_conv.h"
#include "sys_block.h"
#include "sys_handlers.h"

#define SYS_EPOLL_MAX_EVENTS 1024

SYS_HANDLER(sys_epoll_create) { return (int)a[0] <= 0 ? -EINVAL : sys_ret(epoll_create1(0)); }
SYS_HANDLER(sys_epoll_create1) { return sys_ret(epoll_create1((int)a[0])); }

SYS_HANDLER(sys_epoll_ctl)
{
    struct x86_64_epoll_event g = { 0, 0 };
    if (a[3] && sys_copy_in(&g, a[3], sizeof g))
        return -EFAULT;
    struct epoll_event h;
    sys_epoll_event_to_host(&h, &g);
    return sys_ret(epoll_ctl((int)a[0], (int)a[1], (int)a[2], a[3] ? &h : NULL));
}

static int64_t sys_epoll_events_out(uint64_t g, const struct epoll_event *h, int n)
{
    for (int i = 0; i < n; i++) {
        struct x86_64_epoll_event e;
        sys_epoll_event_to_guest(&e, &h[i]);
        if (sys_copy_out(g + (uint64_t)i * sizeof e, &e, sizeof e))
            return -EFAULT;
    }
    return n;
}

/* Linux's bound on maxevents (EP_MAX_EVENTS, x86-64's 12-byte events). */
#define SYS_EPOLL_MAX_GUEST (INT_MAX / 12)
/* Past this many, a call returns at most this many (as it may natively). */
#define SYS_EPOLL_MAX_HEAP (1 << 20)

static int64_t sys_epoll_pwait_into(const uint64_t *a, struct epoll_event *h, int max,
                                    const void *sigmask, size_t sigsetsize)
{
    long n = sys_block(SYS_epoll_pwait, (int)a[0], h, max, (int)a[3], sigmask, sigsetsize);
    return n < 0 ? n : sys_epoll_events_out(a[1], h, (int)n);
}

/* Up to SYS_EPOLL_MAX_EVENTS on the stack; more (selectors' test of
 * 10,000 descriptors asks for all of them at once) on the heap. */
static int64_t sys_do_epoll_pwait(const uint64_t *a, const void *sigmask, size_t sigsetsize)
{
    int max = (int)a[2];
    if (max <= 0 || max > SYS_EPOLL_MAX_GUEST)
        return -EINVAL;
    if (max <= SYS_EPOLL_MAX_EVENTS) {
        struct epoll_event h[SYS_EPOLL_MAX_EVENTS];
        return sys_epoll_pwait_into(a, h, max, sigmask, sigsetsize);
    }
    max = max < SYS_EPOLL_MAX_HEAP ? max : SYS_EPOLL_MAX_HEAP;
    struct epoll_event *h = malloc((size_t)max * sizeof *h);
    if (!h)
        return -ENOMEM;
    int64_t r = sys_epoll_pwait_into(a, h, max, sigmask, sigsetsize);
    free(h);
    return r;
}

SYS_HANDLER(sys_epoll_wait) { return sys_do_epoll_pwait(a, NULL, 8); }
SYS_HANDLER(sys_epoll_pwait) { return sys_do_epoll_pwait(a, sys_ptr(a[4]), a[5]); }

SYS_HANDLER(sys_eventfd) { return sys_ret(syscall(SYS_eventfd2, (unsigned)a[0], 0)); }
SYS_HANDLER(sys_eventfd2) { return sys_ret(syscall(SYS_eventfd2, (unsigned)a[0], (int)a[1])); }

SYS_HANDLER(sys_timerfd_create)
{
    return sys_ret(syscall(SYS_timerfd_create, (int)a[0], (int)a[1]));
}

SYS_HANDLER(sys_timerfd_settime)
{
    return sys_ret(syscall(SYS_timerfd_settime, (int)a[0], (int)a[1], sys_ptr(a[2]),
                           sys_ptr(a[3])));
}

SYS_HANDLER(sys_timerfd_gettime)
{
    return sys_ret(syscall(SYS_timerfd_gettime, (int)a[0], sys_ptr(a[1])));
}
