/* x64_start.c -- ferry's entry point on an x86-64 host: its writable
 * pages populated or moved onto a huge page (start_prefault.h), then the C library's _start with
 * the registers the kernel (or ld.so) gave: rsp, and rdx (rtld_fini). */
#include "start_prefault.h"

static long start_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* rsp is 16-aligned at entry, so the call leaves it as a callee expects. */
__asm__(".text\n"
        ".globl ferry_start\n"
        ".type ferry_start, @function\n"
        "ferry_start:\n"
        "    mov %rdx, %r12\n"
        "    call start_prefault\n"
        "    mov %r12, %rdx\n"
        "    jmp _start\n"
        ".size ferry_start, . - ferry_start\n");
