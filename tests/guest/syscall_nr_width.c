/* syscall_nr_width.c -- which bits of rax name a system call.  Linux reads
 * the number from eax alone (bits 63:32 are ignored, whatever they hold);
 * numbers past the table, the x32 bit (1 << 30) on a kernel without x32,
 * and negative eax are ENOSYS.  Each call's result is printed as 0, ENOSYS
 * or "pid" (getpid's answer, compared here, never printed). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* The SYSCALL instruction with rax = nr and rdi = fd, other args 0. */
static long raw_syscall(uint64_t nr, long fd)
{
    long ret;
    register long r10 __asm__("r10") = 0, r8 __asm__("r8") = 0, r9 __asm__("r9") = 0;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(fd), "S"(0L), "d"(0L), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory", "cc");
    return ret;
}

static const char *describe(long r, long pid)
{
    static char buf[32];
    if (r == pid)
        return "pid";
    if (r == -ENOSYS)
        return "ENOSYS";
    snprintf(buf, sizeof buf, "%ld", r);
    return buf;
}

int main(void)
{
    static const uint64_t high[] = { 0, 1, 0xffffffffull, 0x3fffffffull, 0x40000000ull,
                                     0x7fffffffull, 0x80000000ull, 0x80000001ull };
    static const uint32_t low[] = { 0 /* read */, 1 /* write */, 19 /* readv */, 20 /* writev */,
                                    39 /* getpid */, 1000, 512, 547, 0x40000000u | 39,
                                    0x40000000u, 0x7fffffffu, 0x80000000u, 0xffffffffu };
    int fd = open("/dev/null", O_RDWR);
    long pid = getpid();
    if (fd < 0) {
        perror("open /dev/null");
        return 1;
    }
    for (size_t h = 0; h < sizeof high / sizeof high[0]; h++) {
        printf("rax 63:32 = %#llx:", (unsigned long long)high[h]);
        for (size_t l = 0; l < sizeof low / sizeof low[0]; l++)
            printf(" %s", describe(raw_syscall(high[h] << 32 | low[l], fd), pid));
        printf("\n");
    }
    return 0;
}
