/* stack_syscall_buf.c -- a buffer in the main stack's room, below the
 * pages the program touched so far and below its stack pointer, that the
 * kernel reads or writes itself in a system call.  Linux grows the stack
 * for the kernel's own access there as for the program's (any address
 * between the stack and RLIMIT_STACK's limit, no check against rsp), so
 * read(2) fills it, write(2) of it sends zeros, and fstat, getdents64,
 * ioctl, recvmsg's iovec, readv and pread land there, and a signal
 * frame below a big frame never touched; a buffer past the limit is
 * EFAULT.  Each case runs in a child (its stack as the parent's
 * at the fork) and uses its own address, each lower than the last, so
 * no case finds pages an earlier one grew; only outcomes are printed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "stack_child.h"

#define KB (1ul << 10)
#define MB (1ul << 20)

static unsigned long top;               /* a page near the top of the stack */

static char *room(unsigned long below) { return (char *)(top - below); }

static void result(const char *what, long r)
{
    printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

/* bytes [0, n) of p summed with their positions, so order counts */
static unsigned long sum(const char *p, long n)
{
    unsigned long s = 0;
    for (long i = 0; i < n; i++)
        s = s * 31 + (unsigned char)p[i];
    return s;
}

static void pipe_with(const char *text, int fds[2])
{
    if (pipe(fds) != 0 || write(fds[1], text, strlen(text)) < 0)
        printf("pipe: %s\n", strerror(errno));
}

/* read(2) from a pipe 1 MiB below. */
static void read_below(void)
{
    int fds[2];
    pipe_with("read into the room", fds);
    char *p = room(1 * MB);
    long n = read(fds[0], p, 64);
    result("read", n);
    if (n > 0)
        printf("  got \"%.*s\"\n", (int)n, p);
}

/* write(2) of 8 KiB never touched, 1.5 MiB below: zeros. */
static void write_untouched(void)
{
    int fds[2];
    char back[8192];
    pipe_with("", fds);
    long n = write(fds[1], room(1536 * KB), sizeof back);
    result("write", n);
    if (n > 0) {
        long m = read(fds[0], back, sizeof back);
        printf("  read back %ld bytes, sum %lu\n", m, sum(back, m));
    }
}

/* pread of the program's first 4 KiB, 2 MiB below. */
static void pread_below(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    char *p = room(2 * MB);
    long n = pread(fd, p, 4096, 0);
    long m = pread(fd, (char[4096]){ 0 }, 4096, 0);
    result("pread", n);
    printf("  as many as into the heap: %s\n", n == m ? "yes" : "no");
}

/* readv into two iovecs, both in the room, the second lower. */
static void readv_below(void)
{
    int fds[2];
    pipe_with("0123456789abcdef", fds);
    char *a = room(2560 * KB), *b = room(3 * MB);
    struct iovec iov[2] = { { a, 6 }, { b, 10 } };
    long n = readv(fds[0], iov, 2);
    result("readv", n);
    if (n > 0)
        printf("  got \"%.6s\" \"%.10s\"\n", a, b);
}

/* recvmsg with its iovec's buffer in the room (the msghdr is not). */
static void recvmsg_below(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    send(sv[0], "a datagram", 10, 0);
    char *p = room(3584 * KB);
    struct iovec iov = { p, 32 };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    long n = recvmsg(sv[1], &mh, 0);
    result("recvmsg", n);
    if (n > 0)
        printf("  got \"%.*s\"\n", (int)n, p);
}

/* recv (recvfrom) straight into the room. */
static void recv_below(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    send(sv[0], "a stream", 8, 0);
    char *p = room(4 * MB);
    long n = recv(sv[1], p, 32, 0);
    result("recv", n);
    if (n > 0)
        printf("  got \"%.*s\"\n", (int)n, p);
}

/* fstat's struct stat in the room. */
static void fstat_below(void)
{
    int fds[2];
    pipe_with("", fds);
    struct stat *st = (struct stat *)room(4608 * KB);
    long r = fstat(fds[0], st);
    result("fstat", r);
    if (r == 0)
        printf("  a FIFO: %s\n", S_ISFIFO(st->st_mode) ? "yes" : "no");
}

/* getdents64 of / into the room. */
static void getdents_below(void)
{
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    char *p = room(5 * MB);
    long n = syscall(SYS_getdents64, fd, p, 4096);
    result("getdents64", n > 0 ? 1 : n);
    if (n > 0)
        printf("  first record's length plausible: %s\n",
               ((struct dirent64 *)p)->d_reclen > 0 && ((struct dirent64 *)p)->d_reclen <= n ? "yes" : "no");
}

/* ioctl FIONREAD's int in the room. */
static void ioctl_below(void)
{
    int fds[2];
    pipe_with("seven b", fds);
    int *p = (int *)room(5632 * KB);
    long r = ioctl(fds[0], FIONREAD, p);
    result("ioctl FIONREAD", r);
    if (r == 0)
        printf("  %d bytes ready\n", *p);
}

/* clock_gettime's timespec in the room (the system call, not the vDSO). */
static void clock_below(void)
{
    struct timespec *ts = (struct timespec *)room(6 * MB);
    long r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
    result("clock_gettime", r);
}

/* A big frame of a function without stack-clash probes, read into
 * first (rsp lies below the buffer). */
static __attribute__((noinline)) long big_frame_read(int fd)
{
    char buf[1536 * KB];
    long n = read(fd, buf, sizeof buf);
    if (n > 0)
        printf("  got \"%.*s\"\n", (int)n, buf);
    return n;
}

static void big_frame(void)
{
    int fds[2];
    pipe_with("a 1.5 MiB frame", fds);
    close(fds[1]);
    result("read into a 1.5 MiB frame", big_frame_read(fds[0]));
}

static volatile sig_atomic_t alarmed;
static volatile unsigned long alarm_frame;   /* where the handler ran */

static void on_alarm(int sig)
{
    volatile char here = (char)sig;
    alarm_frame = (unsigned long)&here;
    alarmed = 1;
}

/* A big frame never touched below its top, and a timer's signal while
 * the program spins there: the kernel writes the frame below rsp. */
static __attribute__((noinline)) void big_frame_spin(void)
{
    volatile char buf[1536 * KB];
    buf[sizeof buf - 1] = 1;
    struct itimerval it = { .it_value = { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    for (long i = 0; !alarmed && i < 4000000000l; i++)
        ;
    printf("  handler ran %s the buffer\n", alarm_frame < (unsigned long)buf ? "below" : "not below");
}

static void signal_frame(void)
{
    signal(SIGALRM, on_alarm);
    big_frame_spin();
    printf("signal: %s\n", alarmed ? "delivered" : "not delivered");
}

/* Past RLIMIT_STACK (8..64 MiB: 100 MiB below): EFAULT, nothing grown. */
static void past_limit(void)
{
    int fds[2];
    pipe_with("never read", fds);
    long n = read(fds[0], room(100 * MB), 16);
    result("read 100 MiB below", n);
    n = write(fds[1], room(100 * MB), 16);
    result("write 100 MiB below", n);
}

static void run(const char *what, void (*fn)(void)) { run_child(what, 28, fn); }

int main(void)
{
    volatile char here;
    top = ((unsigned long)&here & ~4095ul) - 64 * KB;
    if (!stack_limit_usual(0, 0))
        return 0;
    run("read", read_below);
    run("write", write_untouched);
    run("pread", pread_below);
    run("readv", readv_below);
    run("recvmsg", recvmsg_below);
    run("recv", recv_below);
    run("fstat", fstat_below);
    run("getdents64", getdents_below);
    run("ioctl", ioctl_below);
    run("clock_gettime", clock_below);
    run("a big frame", big_frame);
    run("a signal frame", signal_frame);
    run("past the limit", past_limit);
    return 0;
}
