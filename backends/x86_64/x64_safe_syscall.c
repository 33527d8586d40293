/* x64_safe_syscall.c -- be_safe_syscall() on an x86-64 host: a blocking
 * host system call that a guest signal cannot slip past (backend.h).
 *
 * The check of *wake and the syscall instruction form a window: a host
 * signal arriving inside it is rewound to the check (be_safe_syscall_rewind),
 * which sees the flag the handler set and returns -BE_SAFE_SYSCALL_WOKEN
 * instead of sleeping.  Once the syscall instruction has run, the kernel
 * returns EINTR itself (ferry's handlers never ask for SA_RESTART). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "backend.h"

/* C call: rdi wake, rsi nr, rdx rcx r8 r9 a0-a3, stack a4 a5.
 * Kernel: rax nr, rdi rsi rdx r10 r8 r9; it clobbers rcx and r11. */
__asm__(".text\n"
        ".globl be_safe_syscall\n"
        ".type be_safe_syscall, @function\n"
        ".globl x64_safe_syscall_start\n"
        ".hidden x64_safe_syscall_start\n"
        ".globl x64_safe_syscall_end\n"
        ".hidden x64_safe_syscall_end\n"
        "be_safe_syscall:\n"
        "    push %rbx\n"
        "    mov %rdi, %rbx\n"
        "    mov %rsi, %rax\n"
        "    mov %rdx, %rdi\n"
        "    mov %rcx, %rsi\n"
        "    mov %r8, %rdx\n"
        "    mov %r9, %r10\n"
        "    mov 16(%rsp), %r8\n"
        "    mov 24(%rsp), %r9\n"
        "x64_safe_syscall_start:\n"
        "    cmpl $0, (%rbx)\n"
        "    jne 1f\n"
        "    syscall\n"
        "x64_safe_syscall_end:\n"
        "    pop %rbx\n"
        "    ret\n"
        "1:  mov $-513, %rax\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size be_safe_syscall, . - be_safe_syscall\n");

/* Hidden globals, reached PC-relative whatever the compiler's PIE model:
 * a GOT slot for a local label can hold another address (the AArch64
 * build's held .text+0, an empty window: a64_safe_syscall.c). */
extern const char x64_safe_syscall_start[] __attribute__((visibility("hidden")));
extern const char x64_safe_syscall_end[] __attribute__((visibility("hidden")));

void be_safe_syscall_rewind(void *uc)
{
    greg_t *rip = &((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
    if (*rip >= (greg_t)x64_safe_syscall_start && *rip < (greg_t)x64_safe_syscall_end)
        *rip = (greg_t)x64_safe_syscall_start;
}
