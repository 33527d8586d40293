/* fuzz_sigevent.c -- libFuzzer harness for the guest struct sigevent ->
 * host conversion of timer_create (syscalls/sys_flags.c): 64 bytes of
 * guest struct.  Accepted exactly for the notifications the kernel does
 * (SIGEV_SIGNAL, SIGEV_NONE, either with SIGEV_THREAD_ID), and then the
 * value, signal and thread id arrive unchanged. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "sys_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x86_64_sigevent g;
    memset(&g, 0, sizeof g);
    memcpy(&g, data, size < sizeof g ? size : sizeof g);
    struct sigevent h;
    int r = sys_sigevent_to_host(&h, &g);
    int base = g.notify & ~SYS_SIGEV_THREAD_ID;
    bool valid = base == SYS_SIGEV_SIGNAL || base == SYS_SIGEV_NONE;
    if (r != (valid ? 0 : -EINVAL))
        __builtin_trap();
    if (!valid)
        return 0;
    if ((uintptr_t)h.sigev_value.sival_ptr != g.value || h.sigev_signo != g.signo)
        __builtin_trap();
    if (g.notify & SYS_SIGEV_THREAD_ID) {
        if (h.sigev_notify != SIGEV_THREAD_ID || h._sigev_un._tid != g.u.tid)
            __builtin_trap();
    } else if (h.sigev_notify != (base == SYS_SIGEV_SIGNAL ? SIGEV_SIGNAL : SIGEV_NONE)) {
        __builtin_trap();
    }
    return 0;
}
