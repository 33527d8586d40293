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
        ".globl a64_safe_syscall_start\n"
        ".hidden a64_safe_syscall_start\n"
        ".globl a64_safe_syscall_end\n"
        ".hidden a64_safe_syscall_end\n"
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

/* Global and hidden, not plain local labels: gcc (PIE by default) reached
 * the extern through the GOT, gas made the GOT relocation one against
 * .text plus an offset, and ld gave both labels one GOT slot holding
 * .text+0, be_safe_syscall itself: start == end, an empty window, and no
 * thread was ever rewound -- a signal that came between the check and
 * svc slept until the call returned (block_intr: 9-18 of 800 lost under
 * qemu-aarch64, sessions 14-15).  Hidden, they are reached PC-relative. */
extern const char a64_safe_syscall_start[] __attribute__((visibility("hidden")));
extern const char a64_safe_syscall_end[] __attribute__((visibility("hidden")));

void be_safe_syscall_rewind(void *uc)
{
    mcontext_t *m = &((ucontext_t *)uc)->uc_mcontext;
    if (m->pc >= (uintptr_t)a64_safe_syscall_start && m->pc < (uintptr_t)a64_safe_syscall_end)
        m->pc = (uintptr_t)a64_safe_syscall_start;
}
