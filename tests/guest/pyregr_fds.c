/* pyregr_fds.c -- what Python's regression suite (test_posix,
 * test_subprocess, test_selectors, test_fcntl, test_time) found different
 * under ferry, each as the suite does it:
 *  - posix_spawn with file actions that dup2 onto a low number (4): the
 *    vfork child's pipe to its parent sat there, and the parent's stack
 *    copy went into the guest's stdout;
 *  - fstat over every number up to the limit (fd_status.py): ferry's own
 *    descriptors must not answer;
 *  - epoll_wait returning more than 1024 events at once;
 *  - fcntl F_NOTIFY with DN_MULTISHOT (bit 31), F_GETOWN_EX;
 *  - clock_settime / settimeofday / adjtimex / clock_adjtime reach the
 *    kernel (only calls that change nothing: a clock that cannot be set,
 *    a time the kernel refuses, read-only adjtimex).
 * (/dev/vsock's ioctl: vsock_cid.c.) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NUM_EVENTFDS 1500

static const char *err(long r)
{
    return r < 0 ? strerror(errno) : "ok";
}

static void spawn_with_dup2_onto_4(void)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 3, "/", O_RDONLY | O_DIRECTORY, 0);
    posix_spawn_file_actions_addclose(&fa, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 4);
    char *argv[] = { "/bin/true", NULL };
    pid_t pid;
    int st = -1, r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    if (r == 0)
        waitpid(pid, &st, 0);
    fflush(stdout);
    printf("posix_spawn with dup2(1, 4): %d, status %d\n", r, st);
    posix_spawn_file_actions_destroy(&fa);
}

static void fstat_every_number(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int top = rl.rlim_cur < 4096 ? (int)rl.rlim_cur : 4096;
    struct stat st;
    printf("open below %d:", top);
    for (int fd = 0; fd < top; fd++)
        if (fstat(fd, &st) == 0 || fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 ||
            fcntl(fd, F_GETFD) != -1)
            printf(" %d", fd);
    printf("\nfstat(%d): %s\n", top - 1, err(fstat(top - 1, &st)));
}

static void epoll_many(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < NUM_EVENTFDS + 64) {
        printf("epoll: hard limit below %d\n", NUM_EVENTFDS + 64);
        return;
    }
    struct rlimit raised = { NUM_EVENTFDS + 64, rl.rlim_max };
    setrlimit(RLIMIT_NOFILE, &raised);
    int ep = epoll_create1(EPOLL_CLOEXEC), fds[NUM_EVENTFDS];
    for (int i = 0; i < NUM_EVENTFDS; i++) {
        fds[i] = eventfd(1, EFD_CLOEXEC);
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    static struct epoll_event out[NUM_EVENTFDS];
    int n = epoll_wait(ep, out, NUM_EVENTFDS, 1000);
    unsigned long sum = 0;
    for (int i = 0; i < n; i++)
        sum += out[i].data.u32;
    printf("epoll_wait of %d ready: %d (sum of data %lu)\n", NUM_EVENTFDS, n, sum);
    for (int i = 0; i < NUM_EVENTFDS; i++)
        close(fds[i]);
    close(ep);
    setrlimit(RLIMIT_NOFILE, &rl);
}

static void fcntl_commands(void)
{
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    long r = fcntl(dir, F_NOTIFY, DN_CREATE | DN_MULTISHOT);
    printf("F_NOTIFY DN_MULTISHOT: %s\n", err(r));
    struct f_owner_ex own = { 0, 0 };
    r = fcntl(dir, F_GETOWN_EX, &own);
    printf("F_GETOWN_EX: %s type %d, pid %s\n", err(r), own.type,
           own.pid == getpid() ? "ours" : own.pid ? "another" : "none");
    fcntl(dir, F_NOTIFY, 0);
    close(dir);
}

static void clocks(void)
{
    struct timespec ts = { 1, 0 };
    printf("clock_settime(MONOTONIC): %s\n", err(clock_settime(CLOCK_MONOTONIC, &ts)));
    printf("clock_settime(-1): %s\n", err(syscall(SYS_clock_settime, -1, &ts)));
    struct timeval bad = { 0, 2000000 };      /* EINVAL before any permission check */
    printf("settimeofday(bad usec): %s\n", err(syscall(SYS_settimeofday, &bad, NULL)));
    struct timex tx = { .modes = 0 };
    long r = adjtimex(&tx);
    printf("adjtimex(read): %s\n", r < 0 ? strerror(errno) : "a clock state");
    memset(&tx, 0, sizeof tx);
    r = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
    printf("clock_adjtime(REALTIME, read): %s\n", r < 0 ? strerror(errno) : "a clock state");
    r = syscall(SYS_clock_adjtime, CLOCK_MONOTONIC, &tx);
    printf("clock_adjtime(MONOTONIC): %s\n", err(r));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    spawn_with_dup2_onto_4();
    fstat_every_number();
    epoll_many();
    fcntl_commands();
    clocks();
    return 0;
}
