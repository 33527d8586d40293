/* ferry_ptr.c -- syscalls given pointers into memory the program does not
 * have fail as for an unmapped address: EFAULT, or a short count where a
 * buffer runs into it.  argv[1] names a file: under ferry,
 * FERRY_DEBUG_CODE_CACHE made ferry write its code range ("START END")
 * and a page of its heap ("heap ADDR") there; natively there is no file
 * and both addresses are PROT_NONE pages of this program's.
 * Under ferry without the check, write() copies ferry's heap into a pipe,
 * read() overwrites it and open() takes its bytes as a path. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

/* Natively: a page no access reaches (PROT_NONE: syscalls fault on it
 * as on an unmapped one, and no later mmap takes its place). */
static char *unmapped_page(void)
{
    return mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void targets(const char *path, char **code, char **heap)
{
    unsigned long start = 0, end = 0, h = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    int n = f ? fscanf(f, "%lx %lx heap %lx", &start, &end, &h) : 0;
    if (f)
        fclose(f);
    *code = n == 3 ? (char *)start : unmapped_page();
    *heap = n == 3 ? (char *)h : unmapped_page();
}

static void show(const char *what, long r)
{
    printf("%-34s %ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : "");
}

static int fds[2];

/* What is left in the pipe: the calls above must not have added to it. */
static void drain(void)
{
    char buf[256];
    int n = 0;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    for (long r; (r = read(fds[0], buf, sizeof buf)) > 0;)
        n += (int)r;
    printf("%-34s %d bytes\n", "left in the pipe", n);
}

int main(int argc, char **argv)
{
    char *code, *heap, good[64] = "0123456789abcdef0123456789abcdef";
    targets(argc > 1 ? argv[1] : NULL, &code, &heap);
    pipe(fds);
    show("write from ferry's heap", write(fds[1], heap, 16));
    show("write from ferry's code", write(fds[1], code, 16));
    struct iovec v[2] = { { good, 8 }, { heap, 16 } };
    show("writev: a good iovec, then the heap", writev(fds[1], v, 2));
    drain();
    write(fds[1], good, 32);
    show("read into ferry's heap", read(fds[0], heap, 16));
    struct iovec r[2] = { { good, 4 }, { heap, 16 } };
    show("readv: a good iovec, then the heap", readv(fds[0], r, 2));
    show("read the rest", read(fds[0], good, 64));
    show("open a path in ferry's heap", open(heap, O_RDONLY));
    show("getcwd into ferry's heap", getcwd(heap, 64) ? 0 : -1);
    show("getrandom into ferry's heap", getrandom(heap, 16, 0));
    /* structures (raw calls: glibc's vDSO clock_gettime would fault natively) */
    /* (not nanosleep's request: qemu-user 7.2 ignores that it cannot read
     * it and sleeps for whatever its stack held, natively too) */
    show("prlimit, new limit in ferry's heap", prlimit(0, RLIMIT_NOFILE, (struct rlimit *)heap, NULL));
    struct timespec ts = { 0, 1000 };
    show("nanosleep, rem in ferry's heap", syscall(SYS_nanosleep, &ts, heap));
    show("clock_gettime into ferry's heap", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, heap));
    show("pipe2 into ferry's heap", syscall(SYS_pipe2, heap, 0));
    show("wait4, no child, status in heap", syscall(SYS_wait4, -1, heap, WNOHANG, NULL));
    /* (session 10: handlers that passed structures on unchecked) */
    show("sysinfo into ferry's heap", syscall(SYS_sysinfo, heap));
    show("fstatfs into ferry's heap", syscall(SYS_fstatfs, 0, heap));
    show("getitimer into ferry's heap", syscall(SYS_getitimer, ITIMER_REAL, heap));
    show("getresuid into ferry's heap", syscall(SYS_getresuid, heap, heap + 8, heap + 16));
    show("sched_getparam into ferry's heap", syscall(SYS_sched_getparam, 0, heap));
    show("getcpu into ferry's heap", syscall(SYS_getcpu, heap, NULL, NULL));
    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    show("timerfd_gettime into ferry's heap", syscall(SYS_timerfd_gettime, tfd, heap));
    close(tfd);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    show("bind to an address in ferry's heap", bind(s, (struct sockaddr *)heap, 16));
    close(s);
    int fd = open("ferry_ptr.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    show("pwrite from ferry's heap", pwrite(fd, heap, 16, 0));
    show("pwrite from the program", pwrite(fd, good, 16, 0));
    show("pread into ferry's heap", pread(fd, heap, 16, 0));
    /* A buffer that runs into a page nobody has: a short count. */
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    show("write running into a hole", write(fds[1], two + 4096 - 8, 16));
    drain();
    memset(two + 4096 - 8, '.', 8);
    show("pread running into a hole", pread(fd, two + 4096 - 8, 16, 0));
    printf("%-34s %.8s\n", "what it read", two + 4096 - 8);
    struct iovec w[2] = { { good, 4 }, { two + 4096 - 8, 16 } };
    show("pwritev: good, then into a hole", pwritev(fd, w, 2, 100));
    close(fd);
    unlink("ferry_ptr.tmp");
    return 0;
}
