/* a64_start.c -- ferry's entry point on an AArch64 host: its writable
 * pages populated or moved onto a huge page (start_prefault.h), then the C library's _start with
 * the registers the kernel (or ld.so) gave: sp, and x0 (rtld_fini). */
#include "start_prefault.h"

static long start_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
    register long x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
    register long x8 __asm__("x8") = nr;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8) : "memory");
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
