/* sys_futex.c -- futex and the robust list, passed through to the host:
 * guest addresses are host addresses, and the futex operations, their
 * numbers and struct robust_list_head have the same layout on x86-64 and
 * arm64 (only the timeout is copied into a host struct timespec). */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sys_block.h"
#include "sys_handlers.h"

/* Ops whose fourth argument is a timeout (the others pass a count there). */
static bool sys_futex_has_timeout(int cmd)
{
    switch (cmd) {
    case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI: case FUTEX_LOCK_PI2:
    case FUTEX_WAIT_REQUEUE_PI:
        return true;
    default:
        return false;
    }
}

SYS_HANDLER(sys_futex)
{
    int op = (int)a[1], cmd = op & FUTEX_CMD_MASK;
    struct { int64_t sec, nsec; } gts;
    struct timespec ts;
    void *arg4 = sys_ptr(a[3]);
    if (sys_futex_has_timeout(cmd) && a[3]) {
        if (sys_copy_in(&gts, a[3], sizeof gts))
            return -EFAULT;
        ts = (struct timespec){ .tv_sec = (time_t)gts.sec, .tv_nsec = (long)gts.nsec };
        arg4 = &ts;
    }
    return sys_block(SYS_futex, sys_ptr(a[0]), op, (uint32_t)a[2], arg4, sys_ptr(a[4]), (uint32_t)a[5]);
}

/* Passed through: the kernel then wakes robust-mutex waiters when a guest
 * thread dies holding one, as natively (QEMU returns ENOSYS instead). */
SYS_HANDLER(sys_set_robust_list)
{
    return sys_ret(syscall(SYS_set_robust_list, sys_ptr(a[0]), (size_t)a[1]));
}

SYS_HANDLER(sys_get_robust_list)
{
    return sys_ret(syscall(SYS_get_robust_list, (int)a[0], sys_ptr(a[1]), sys_ptr(a[2])));
}
