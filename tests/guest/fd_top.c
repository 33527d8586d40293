/* fd_top.c -- the guest's whole descriptor space, to its top number,
 * when RLIMIT_NOFILE's soft limit equals the hard one (set outside the
 * guest: tests/guest/fd_top.sh runs this under 64:64 and 1024:1024, and
 * 64:4096).  Natively every number under the soft limit is the program's:
 * opens until EMFILE get all of them; dup2 and F_DUPFD onto the top
 * numbers succeed; a fork, a pipe and an exec of itself in the full space
 * behave as in any full space.  (ferry kept its own descriptors at the top
 * two or three numbers there until session 38.)  The native run is the
 * oracle. */
//@wrap: tests/guest/fd_top.sh
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* How many numbers below `soft` are open. */
static int open_below(int soft)
{
    int n = 0;
    for (int fd = 0; fd < soft; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

static int try_open(void)
{
    errno = 0;
    int fd = open("/dev/null", O_RDONLY);
    return fd < 0 ? -errno : fd;
}

/* The exec'ed image: what it inherited, and opens in its full space. */
static int image(int soft)
{
    printf("  new image: open below the limit %d of %d, open()=%d\n", open_below(soft), soft, try_open());
    close(soft - 1);
    printf("  new image: after close(top) open()=%d\n", try_open());
    return 0;
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int soft = (int)rl.rlim_cur, last = -1, n = 0, fd;
    if (argc > 1 && !strcmp(argv[1], "image"))
        return image(soft);
    while ((fd = try_open()) >= 0)
        n++, last = fd;
    printf("  opened %d, the last at %d, then %s; open below the limit %d of %d\n", n, last,
           strerror(-fd), open_below(soft), soft);
    close(last);
    printf("  after close(%d): open()=%d\n", last, try_open());
    for (int k = 1; k <= 3; k++) {
        int to = soft - k, r = dup2(0, to);
        printf("  dup2(0, limit-%d)=%s errno=%d\n", k, r == to ? "it" : "other", r < 0 ? errno : 0);
    }
    close(soft - 2);
    errno = 0;
    fd = fcntl(0, F_DUPFD, soft - 3);
    if (fd < 0)
        printf("  after close(limit-2): F_DUPFD(limit-3)=-1 errno=%d\n", errno);
    else
        printf("  after close(limit-2): F_DUPFD(limit-3)=limit%+d\n", fd - soft);
    int p[2], r;
    errno = 0;
    r = pipe(p);
    printf("  pipe()=%d errno=%d", r, errno);
    close(5), close(6);
    r = pipe(p);
    printf(", after two closes pipe()=%d: %d %d\n", r, p[0], p[1]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        r = try_open();
        close(7);
        printf("  child: open()=%d, after close(7) open()=%d\n", r, try_open());
        fflush(stdout);
        _exit(3);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("  fork: %s %d\n", WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    fflush(stdout);
    /* Named in the full space (no number free to look a path up), also
     * through thread-self, "..", "." and a doubled slash. */
    char self[4096], other[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len > 0 ? len : 0] = 0;
    len = readlink("/proc//thread-self/../../../self/./exe", other, sizeof other - 1);
    other[len > 0 ? len : 0] = 0;
    printf("  exe by two names: %s\n", strcmp(self, other) ? "differ" : "the same");
    fflush(stdout);
    execl(other, argv[0], "image", (char *)NULL);
    printf("  exec: %s\n", strerror(errno));
    return 1;
}
