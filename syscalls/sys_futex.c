/* sys_futex.c -- futex.  Guest addresses are host addresses and the
 * futex word, operation codes and struct timespec are the same on every
 * 64-bit Linux, so the host kernel does the waiting and waking itself
 * (glibc's locks, once and condition variables use it even in
 * single-threaded dynamically linked programs). */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_handlers.h"

/* uaddr, op, val, timeout (or val2), uaddr2, val3. */
SYS_HANDLER(sys_futex)
{
    return sys_ret(syscall(SYS_futex, sys_ptr(a[0]), (int)a[1], (uint32_t)a[2], sys_ptr(a[3]),
                           sys_ptr(a[4]), (uint32_t)a[5]));
}
