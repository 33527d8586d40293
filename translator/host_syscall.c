/* host_syscall.c -- the translator's face of the backend's interruptible
 * host system call (backend.h: be_safe_syscall), for the syscall layer,
 * and of the host's denormal flag (be_fp_denormal_flag), for the x86
 * frontend: both see backends only through the translator. */
#include "backend.h"
#include "translator.h"

_Static_assert(TR_SYSCALL_WOKEN == BE_SAFE_SYSCALL_WOKEN, "woken code");

long tr_safe_syscall(const volatile int *wake, long nr, long a0, long a1, long a2, long a3,
                     long a4, long a5)
{
    return be_safe_syscall(wake, nr, a0, a1, a2, a3, a4, a5);
}

void tr_safe_syscall_rewind(void *uc)
{
    be_safe_syscall_rewind(uc);
}

bool tr_fp_denormal_flag(bool clear)
{
    return be_fp_denormal_flag(clear);
}
