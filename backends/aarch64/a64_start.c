/* a64_start.c -- ferry's entry point on an AArch64 host: its writable
 * pages populated (start_prefault.h), then the C library's _start with
 * the registers the kernel (or ld.so) gave: sp, and x0 (rtld_fini). */
#include "start_prefault.h"

static long start_madvise(uintptr_t addr, uintptr_t len, long advice)
{
    register long x0 __asm__("x0") = (long)addr;
    register long x1 __asm__("x1") = (long)len;
    register long x2 __asm__("x2") = advice;
    register long x8 __asm__("x8") = 233;       /* madvise */
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
    return x0;
}

__asm__(".text\n"
        ".globl ferry_start\n"
        ".type ferry_start, %function\n"
        "ferry_start:\n"
        "    mov x19, x0\n"
        "    bl start_prefault\n"
        "    mov x0, x19\n"
        "    b _start\n"
        ".size ferry_start, . - ferry_start\n");
