/* fd_space.c -- the guest owns its whole descriptor space: dup2 onto high
 * numbers (900/901, where ferry once kept a pipe, and up to the limit),
 * close_range from 3 up, and syscalls given bad pointers fail with EFAULT
 * (checked against ferry's map of the guest's memory, not by probing). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void dup_high(int target)
{
    int p[2];
    char buf[32] = { 0 };
    if (pipe(p) != 0) {
        perror("pipe");
        return;
    }
    int r = dup2(p[1], target);
    ssize_t w = r == target ? write(target, "hello", 5) : -1;
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    printf("dup2 -> %d: r=%d w=%zd read=%zd '%s' fd_flags=%d\n", target, r == target, w, n, buf,
           fcntl(target, F_GETFD));
    close(p[0]);
    close(p[1]);
    int c1 = close(target), c2 = close(target), e = errno;
    printf("close(%d)=%d close again=%d errno=%d\n", target, c1, c2, e);
}

static void show(const char *what, long r)
{
    printf("%s=%ld errno=%d\n", what, r, r < 0 ? errno : 0);
}

static void bad_pointers(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, page);
    struct stat st;
    show("uname(ro)", syscall(SYS_uname, ro));
    show("clock_gettime(gone)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, gone));
    show("fstat(ro)", syscall(SYS_fstat, 0, ro));
    show("fstat(ok)", fstat(0, &st));
    show("write(gone)", write(1, gone, 10));
    show("open(gone)", syscall(SYS_open, gone, O_RDONLY));
    show("getrlimit(ro)", syscall(SYS_getrlimit, RLIMIT_NOFILE, ro));
    munmap(ro, page);
}

int main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int top = rl.rlim_cur > 1024 ? 1024 : (int)rl.rlim_cur;
    int targets[] = { 900, 901, 255, top - 1, top - 2, top - 3, top - 4, top - 5 };
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        dup_high(targets[i]);
    /* fds the kernel hands out from a high minimum, then close them all */
    int lo = fcntl(1, F_DUPFD, top - 8);
    printf("F_DUPFD from top-8: %d\n", lo - (top - 8));
    dup2(1, top - 1);
    printf("close_range(3, ~0)=%d\n", (int)syscall(SYS_close_range, 3, ~0u, 0));
    printf("after: fcntl(top-1)=%d fcntl(lo)=%d\n", fcntl(top - 1, F_GETFD), fcntl(lo, F_GETFD));
    bad_pointers();
    return 0;
}
