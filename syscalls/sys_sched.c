/* sys_sched.c -- scheduling policy and I/O priority: sched_setscheduler/
 * getscheduler/setparam/getparam/get_priority_max/min/rr_get_interval/
 * setattr/getattr, ioprio_get/set.  Policies (SCHED_*), struct
 * sched_param (one int), struct sched_attr (sized by its first field),
 * struct timespec and the ioprio encoding are the same on x86-64 and
 * arm64: the calls pass through (the affinity calls live in sys_info.c). */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

/* struct sched_attr as of Linux 5.3 (SCHED_ATTR_SIZE_VER1), x86-64. */
struct x86_64_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};
_Static_assert(sizeof(struct x86_64_sched_attr) == 56, "sched_attr VER1");
_Static_assert(sizeof(struct sched_param) == 4, "sched_param is one int");

SYS_HANDLER(sys_sched_setscheduler)
{
    return sys_ret(syscall(SYS_sched_setscheduler, (pid_t)a[0], (int)a[1], sys_ptr(a[2])));
}

SYS_HANDLER(sys_sched_getscheduler)
{
    return sys_ret(syscall(SYS_sched_getscheduler, (pid_t)a[0]));
}

SYS_HANDLER(sys_sched_setparam)
{
    return sys_ret(syscall(SYS_sched_setparam, (pid_t)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_sched_getparam)
{
    return sys_ret(syscall(SYS_sched_getparam, (pid_t)a[0], sys_ptr(a[1])));
}

SYS_HANDLER(sys_sched_get_priority_max)
{
    return sys_ret(syscall(SYS_sched_get_priority_max, (int)a[0]));
}

SYS_HANDLER(sys_sched_get_priority_min)
{
    return sys_ret(syscall(SYS_sched_get_priority_min, (int)a[0]));
}

SYS_HANDLER(sys_sched_rr_get_interval)
{
    return sys_ret(syscall(SYS_sched_rr_get_interval, (pid_t)a[0], sys_ptr(a[1])));
}

/* The kernel reads attr->size and copes with older and newer layouts. */
SYS_HANDLER(sys_sched_setattr)
{
    return sys_ret(syscall(SYS_sched_setattr, (pid_t)a[0], sys_ptr(a[1]), (unsigned)a[2]));
}

SYS_HANDLER(sys_sched_getattr)
{
    return sys_ret(syscall(SYS_sched_getattr, (pid_t)a[0], sys_ptr(a[1]), (unsigned)a[2],
                           (unsigned)a[3]));
}

SYS_HANDLER(sys_ioprio_set)
{
    return sys_ret(syscall(SYS_ioprio_set, (int)a[0], (int)a[1], (int)a[2]));
}

SYS_HANDLER(sys_ioprio_get) { return sys_ret(syscall(SYS_ioprio_get, (int)a[0], (int)a[1])); }
