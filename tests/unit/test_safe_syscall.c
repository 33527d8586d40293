/* test_safe_syscall.c -- the host's interruptible system call (backend.h,
 * be_safe_syscall): with the wake flag set it returns the woken code and
 * makes no call, and its rewind takes a pc on the syscall instruction back
 * to the flag's check while leaving one past it alone.  The AArch64 build's
 * window was once empty (its labels resolved to one address through the
 * GOT; docs/status.md, session 16 a64sig): block_intr.c pins that build
 * under qemu, this the x86-64 host's (unit tests run there only). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "backend.h"

Test(safe_syscall, the_flag_skips_the_call)
{
    volatile int wake = 1;
    cr_assert_eq(be_safe_syscall(&wake, SYS_getpid, 0, 0, 0, 0, 0, 0), -BE_SAFE_SYSCALL_WOKEN);
    wake = 0;
    cr_assert_eq(be_safe_syscall(&wake, SYS_getpid, 0, 0, 0, 0, 0, 0), getpid());
}

static greg_t rewound(greg_t rip)
{
    ucontext_t uc;
    memset(&uc, 0, sizeof uc);
    uc.uc_mcontext.gregs[REG_RIP] = rip;
    be_safe_syscall_rewind(&uc);
    return uc.uc_mcontext.gregs[REG_RIP];
}

Test(safe_syscall, the_window_holds_the_syscall_instruction)
{
    const uint8_t *code = (const uint8_t *)(uintptr_t)be_safe_syscall;
    size_t at = 0;
    while (at < 64 && !(code[at] == 0x0f && code[at + 1] == 0x05))   /* syscall */
        at++;
    cr_assert_lt(at, 64);
    greg_t entry = (greg_t)(uintptr_t)code, insn = entry + (greg_t)at;
    greg_t back = rewound(insn);
    cr_assert(back > entry && back < insn, "rewound to %+ld from the syscall at %+ld",
              (long)(back - entry), (long)(insn - entry));
    cr_assert_eq(rewound(back), back);
    cr_assert_eq(rewound(insn + 2), insn + 2);      /* the kernel ran it: EINTR, no rewind */
    cr_assert_eq(rewound(entry), entry);            /* before the window */
}
