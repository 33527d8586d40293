/* fd_limit_fixed.c -- the descriptors a guest gets under an RLIMIT_NOFILE
 * set outside it that leaves ferry no room above the soft limit: soft =
 * hard (a container's 1M/1M, this VM's 20000/20000, `prlimit --nofile=
 * 1024:1024`), or a soft limit over 65,536; with and without
 * CAP_SYS_RESOURCE (a container has none).  tests/guest/fd_limit_fixed.sh
 * runs it under each.  Per run: getrlimit, the first numbers open() gives,
 * whether open() gives every number in order up to 1,100 (or all but the
 * top 16 of a smaller space: ferry's own are there, by design), dup2 and
 * F_DUPFD onto the space's two top numbers (ferry's file moves), then an
 * execve of itself, whose descriptors and next open() the new program
 * shows.  The native run is the oracle. */
//@wrap: tests/guest/fd_limit_fixed.sh
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Opens /dev/null (without O_CLOEXEC: they survive the exec) up to `most`
 * times or until it fails; prints how many, the first number that was not
 * the next one up (-1: none), and the errno of a failure. */
static void fill(int most)
{
    int got = 0, skipped = -1, prev = 2, fd, e = 0;
    while (got < most) {
        if ((fd = open("/dev/null", O_RDONLY)) < 0) {
            e = errno;
            break;
        }
        if (skipped < 0 && fd != prev + 1)
            skipped = prev + 1;
        prev = fd;
        got++;
    }
    printf("  opened=%d last=%d skipped=%d errno=%d\n", got, prev, skipped, e);
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (argc > 1) {             /* exec'ed: what it inherited, what it gets */
        int n = 0;
        for (int fd = 0; fd < 1200 && (rlim_t)fd < rl.rlim_cur; fd++)
            n += fcntl(fd, F_GETFD) != -1;
        errno = 0;
        int fd = open("/dev/null", O_RDONLY);
        printf("  exec'ed: soft=%llu hard=%llu open=%d open()=%d errno=%d\n",
               (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max, n, fd, errno);
        return 0;
    }
    syscall(SYS_close_range, 3, ~0u, 0);         /* what the harness left open */
    printf("  soft=%llu hard=%llu\n", (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max);
    /* all but the top few numbers of a small space (ferry's are there when
     * it has no room above: filling it all shows them, by design) */
    fill(rl.rlim_cur > 1100 + 16 ? 1100 : (int)rl.rlim_cur - 3 - 16);
    int top = (int)(rl.rlim_cur > 1 << 20 ? 1 << 20 : rl.rlim_cur) - 1;
    errno = 0;
    int r = dup2(0, top);
    printf("  dup2(0, limit-1)=%s errno=%d\n", r == top ? "limit-1" : "other", errno);
    errno = 0;
    r = fcntl(0, F_DUPFD, top - 1);
    printf("  F_DUPFD(limit-2)=%s errno=%d\n", r == top - 1 ? "limit-2" : "other", errno);
    close(top);
    close(top - 1);
    fflush(stdout);
    char *args[] = { argv[0], "child", NULL };
    execv(argv[0], args);
    printf("  execv: errno=%d\n", errno);
    return 0;
}
