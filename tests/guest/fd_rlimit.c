/* fd_rlimit.c -- the guest gets every descriptor number below its
 * RLIMIT_NOFILE, whatever it does with the limit: lowered (soft, or soft
 * and hard), raised again, after fork, after exec, after close_range of
 * everything; EMFILE exactly at the limit, F_DUPFD at the limit EINVAL,
 * dup2 onto it EBADF, getrlimit what was set, /proc/self/fd only the
 * guest's (valgrind's none/tests/rlimit_nofile). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int open_count(int limit)
{
    int n = 0;
    for (int fd = 0; fd < limit + 16; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n += fd < limit;
    return n;
}

static int proc_fd_entries(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;       /* the directory's own descriptor */
}

/* Opens /dev/null until it fails: how many, the first number that was not
 * the next one up, the errno; then every number below the limit is open. */
static void fill(const char *what)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int got = 0, skipped = -1, prev = -1, fd, e;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0) {
        if (skipped < 0 && prev >= 0 && fd != prev + 1)
            skipped = prev + 1;
        prev = fd;
        got++;
    }
    e = errno;
    int lim = (int)rl.rlim_cur;
    printf("%s: soft=%llu hard=%llu opened=%d skipped=%d errno=%d open_below=%d\n", what,
           (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max, got, skipped, e,
           open_count(lim));
    close(lim - 3);
    printf("  /proc/self/fd entries=%d\n", proc_fd_entries());
    errno = 0;
    long r1 = fcntl(0, F_DUPFD, lim);
    int e1 = errno;
    errno = 0;
    long r2 = dup2(0, lim);
    int e2 = errno;
    printf("  F_DUPFD(limit)=%ld errno=%d dup2(0, limit)=%ld errno=%d\n", r1, e1, r2, e2);
    close(lim - 1);
    errno = 0;
    r1 = fcntl(0, F_DUPFD, lim - 1);
    printf("  F_DUPFD(limit-1)=%ld (limit-1=%d) errno=%d\n", r1, lim - 1, errno);
    close(lim - 2);
    errno = 0;
    r2 = dup2(0, lim - 2);
    printf("  dup2(0, limit-2)=%ld (limit-2=%d) errno=%d\n", r2, lim - 2, errno);
    syscall(SYS_close_range, 3, ~0u, 0);
}

static void set(rlim_t soft, rlim_t hard)
{
    struct rlimit rl = { soft, hard };
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        printf("setrlimit(%llu, %llu): errno=%d\n", (unsigned long long)soft, (unsigned long long)hard,
               errno);
}

static void in_child(void (*fn)(rlim_t), rlim_t hard)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        fn(hard);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("child status %d\n", st);
}

/* the limit the test starts from (where ferry's descriptors sat under
 * min(limit, 1024) before) */
static void at_start(rlim_t hard)
{
    fill("start");
    set(2048, hard);
    fill("raised to 2048");
}

static void lower_soft(rlim_t hard)
{
    set(64, hard);
    fill("soft 64");
    set(40, hard);
    fill("soft 40");
    set(100, hard);
    fill("raised to 100");
}

static void lower_both(rlim_t hard)
{
    set(90, hard);
    set(70, 70);
    fill("soft=hard 70");
    set(80, 70);        /* EINVAL: soft over hard */
    set(70, 72);        /* EPERM (without CAP_SYS_RESOURCE) or ok */
    set(70, 80);
    fill("after raising attempts");
}

static void prlimit_self(rlim_t hard)
{
    struct rlimit64 want = { 50, hard }, old;
    if (syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, &want, &old) != 0)
        printf("prlimit64: errno=%d\n", errno);
    fill("prlimit64 50");
}

static void exec_lowered(rlim_t hard)
{
    set(60, hard);
    execl("/proc/self/exe", "fd_rlimit", "after exec, soft 60", (char *)NULL);
    printf("execl: errno=%d\n", errno);
}

/* as a shell's `ulimit -n 50` does before running a program */
static void exec_lowered_both(rlim_t hard)
{
    set(50, 50);
    execl("/proc/self/exe", "fd_rlimit", "after exec, soft=hard 50", (char *)NULL);
    printf("execl: errno=%d\n", errno);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        fill(argv[1]);
        return 0;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < 2100) {
        printf("hard limit too low for this test\n");
        return 0;
    }
    /* the limit stays above 200 for the children's limits to stay below */
    rlim_t hard = rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
    set(hard > 1024 ? 1024 : hard, hard);
    in_child(at_start, hard);
    in_child(lower_soft, hard);
    in_child(lower_both, hard);
    in_child(prlimit_self, hard);
    in_child(exec_lowered, hard);
    in_child(exec_lowered_both, hard);
    lower_soft(hard);
    return 0;
}
