/* sys_timer.c -- POSIX per-process timers (timer_create and friends).
 *
 * The kernel keeps the timers; the guest's struct sigevent is read and
 * given to the host as its own: SIGEV_SIGNAL (the signal reaches ferry's
 * host handler, which queues it for the guest with its siginfo: si_timerid,
 * si_overrun, si_value), SIGEV_NONE, and SIGEV_THREAD_ID naming a guest
 * thread (guest threads are host threads: the tid is the same).  glibc's
 * SIGEV_THREAD is built on SIGEV_THREAD_ID in the guest.  Signal numbers
 * are the same on x86-64 and arm64; timer ids are ints; struct itimerspec
 * is four 64-bit fields on both. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sys_handlers.h"

SYS_HANDLER(sys_timer_create)
{
    struct x86_64_sigevent g;
    struct sigevent h, *hp = NULL;
    if (a[1]) {
        if (sys_copy_in(&g, a[1], sizeof g)) return -EFAULT;
        int r = sys_sigevent_to_host(&h, &g);
        if (r) return r;
        hp = &h;
    }
    int id;
    if (syscall(SYS_timer_create, (clockid_t)a[0], hp, &id) != 0) return -errno;
    if (sys_copy_out(a[2], &id, sizeof id) == 0) return 0;
    syscall(SYS_timer_delete, id);          /* as the kernel: no id, no timer */
    return -EFAULT;
}

SYS_HANDLER(sys_timer_settime)
{
    return sys_ret(syscall(SYS_timer_settime, (int)a[0], (int)a[1], sys_ptr(a[2]), sys_ptr(a[3])));
}

SYS_HANDLER(sys_timer_gettime)
{
    return sys_ret(syscall(SYS_timer_gettime, (int)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_timer_getoverrun) { return sys_ret(syscall(SYS_timer_getoverrun, (int)a[0])); }
SYS_HANDLER(sys_timer_delete) { return sys_ret(syscall(SYS_timer_delete, (int)a[0])); }
