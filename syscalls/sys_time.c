/* sys_time.c -- clocks, sleeps and CPU-time accounting.  Clock ids,
 * struct timespec/timeval/timezone/timex/tms/rusage are the same on every
 * 64-bit Linux.  Setting a clock is the host's call (EPERM without
 * CAP_SYS_TIME, as natively). */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"

SYS_HANDLER(sys_clock_gettime)
{
    return sys_ret(syscall(SYS_clock_gettime, (clockid_t)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_clock_getres)
{
    return sys_ret(syscall(SYS_clock_getres, (clockid_t)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_clock_settime)
{
    return sys_ret(syscall(SYS_clock_settime, (clockid_t)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_settimeofday)
{
    return sys_ret(syscall(SYS_settimeofday, sys_ptr(a[0]), sys_ptr(a[1])));
}

SYS_HANDLER(sys_adjtimex) { return sys_ret(syscall(SYS_adjtimex, sys_ptr(a[0]))); }

SYS_HANDLER(sys_clock_adjtime)
{
    return sys_ret(syscall(SYS_clock_adjtime, (clockid_t)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_gettimeofday)
{
    return sys_ret(syscall(SYS_gettimeofday, sys_ptr(a[0]), sys_ptr(a[1])));
}

SYS_HANDLER(sys_time)
{
    int64_t now = (int64_t)time(NULL);
    if (a[0] && sys_copy_out(a[0], &now, sizeof now))
        return -EFAULT;
    return now;
}

SYS_HANDLER(sys_nanosleep)
{
    return sys_block(SYS_nanosleep, sys_ptr(a[0]), sys_ptr(a[1]));
}

SYS_HANDLER(sys_clock_nanosleep)
{
    return sys_block(SYS_clock_nanosleep, (clockid_t)a[0], (int)a[1], sys_ptr(a[2]), sys_ptr(a[3]));
}

SYS_HANDLER(sys_times)
{
    return sys_ret(syscall(SYS_times, sys_ptr(a[0])));
}

SYS_HANDLER(sys_getrusage)
{
    return sys_ret(getrusage((int)a[0], sys_ptr(a[1])));
}

/* struct itimerval is the same everywhere; SIGALRM and friends reach the
 * guest through sys_signal.c. */
SYS_HANDLER(sys_getitimer)
{
    return sys_ret(syscall(SYS_getitimer, (int)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_setitimer)
{
    return sys_ret(syscall(SYS_setitimer, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2])));
}
