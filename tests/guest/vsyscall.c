/* vsyscall.c -- the legacy vsyscall page, called the way old static
 * binaries do: gettimeofday at 0xffffffffff600000, time at +0x400, getcpu
 * at +0x800.  Linux emulates the three calls (vsyscall=xonly or emulate):
 * each returns as the system call would and leaves every register but rax
 * alone.  Times are compared with the system calls' (never printed). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define VSYS(off) (0xffffffffff600000ull + (off))

/* Calls the entry with rdi, rsi, rdx; returns rax and whether rcx, r11
 * and the other argument registers survived. */
static long vcall(uint64_t fn, uint64_t a, uint64_t b, uint64_t c, int *kept)
{
    uint64_t rax, rcx = 0x1234567, r11 = 0x7654321, r8 = 8, r9 = 9, r10 = 10;
    uint64_t rdi = a, rsi = b, rdx = c;
    __asm__ volatile("call *%[fn]"
                     : "=a"(rax), "+c"(rcx), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r8),
                       "+r"(r9), "+r"(r10), "+r"(r11)
                     : [fn] "r"(fn), "a"(0xdead)
                     : "memory", "cc");
    (void)r8;
    *kept = rcx == 0x1234567 && r11 == 0x7654321 && rdi == a && rsi == b && rdx == c;
    return (long)rax;
}

int main(void)
{
    int kept;
    struct timeval tv = { 0, 0 }, now;
    long r = vcall(VSYS(0), (uint64_t)&tv, 0, 0, &kept);
    gettimeofday(&now, NULL);
    printf("gettimeofday: ret %ld kept %d close %d\n", r, kept,
           now.tv_sec - tv.tv_sec >= 0 && now.tv_sec - tv.tv_sec <= 2);
    time_t t = 0;
    long r2 = vcall(VSYS(0x400), (uint64_t)&t, 0, 0, &kept);
    time_t t2 = time(NULL);
    printf("time: ret-equals-arg %d kept %d close %d\n", r2 == (long)t, kept,
           t2 - t >= 0 && t2 - t <= 2);
    r2 = vcall(VSYS(0x400), 0, 0, 0, &kept);
    printf("time(NULL): close %d kept %d\n", time(NULL) - r2 <= 2, kept);
    unsigned cpu = 99, node = 99;
    r = vcall(VSYS(0x800), (uint64_t)&cpu, (uint64_t)&node, 0, &kept);
    printf("getcpu: ret %ld kept %d cpu-ok %d node %u\n", r, kept,
           cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF), node);
    r = vcall(VSYS(0x800), 0, 0, 0, &kept);
    printf("getcpu(NULL): ret %ld kept %d\n", r, kept);
    return 0;
}
