/* a64_safe_syscall.c -- be_safe_syscall() on an AArch64 host: a blocking
 * host system call that a guest signal cannot slip past (backend.h).
 *
 * The check of *wake and the svc form a window: a host signal arriving
 * inside it is rewound to the check (be_safe_syscall_rewind), which sees
 * the flag the handler set and returns -BE_SAFE_SYSCALL_WOKEN instead of
 * sleeping.  Once svc has run, the kernel returns EINTR itself (ferry's
 * handlers never ask for SA_RESTART). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "backend.h"

/* C call: x0 wake, x1 nr, x2-x7 a0-a5.  Kernel: x8 nr, x0-x5. */
__asm__(".text\n"
        ".globl be_safe_syscall\n"
        ".type be_safe_syscall, %function\n"
        "be_safe_syscall:\n"
        "    mov x9, x0\n"
        "    mov x8, x1\n"
        "    mov x0, x2\n"
        "    mov x1, x3\n"
        "    mov x2, x4\n"
        "    mov x3, x5\n"
        "    mov x4, x6\n"
        "    mov x5, x7\n"
        "a64_safe_syscall_start:\n"
        "    ldr w10, [x9]\n"
        "    cbnz w10, 1f\n"
        "    svc #0\n"
        "a64_safe_syscall_end:\n"
        "    ret\n"
        "1:  mov x0, #-513\n"
        "    ret\n"
        ".size be_safe_syscall, . - be_safe_syscall\n");

extern const char a64_safe_syscall_start[], a64_safe_syscall_end[];

void be_safe_syscall_rewind(void *uc)
{
    mcontext_t *m = &((ucontext_t *)uc)->uc_mcontext;
    if (m->pc >= (uintptr_t)a64_safe_syscall_start && m->pc < (uintptr_t)a64_safe_syscall_end)
        m->pc = (uintptr_t)a64_safe_syscall_start;
}
