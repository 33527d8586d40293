/* fd_exec_full.c -- an execve with every descriptor number under the
 * soft RLIMIT_NOFILE taken: natively the new program starts (the kernel
 * needs no number for it).  Cases, each in a forked child: the limit as
 * it came (tests/guest/fd_exec_full.sh runs this under several), the soft
 * limit lowered to 64, soft and hard set to 64 (`ulimit -n 64`); each
 * fills its space with /dev/null and, with no number close-on-exec or
 * with three (the first, one in the middle, the last), execs a missing
 * program (ENOENT), a non-executable file and a directory (EACCES), a
 * file of garbage (ENOEXEC), then itself -- directly (first also from a
 * child forked in the full space, as a shell runs a command), or through
 * a "#!" script naming it.  The new image prints its argv, its limits, which
 * descriptors it inherited, what open() gives, and open() after a close.
 *
 * Where its limits leave ferry no room above the soft limit (hard < soft
 * + 7 set outside the guest) ferry's own descriptors sit at the space's
 * top, by design (sys_ferry_fd.c), and the guest fills two numbers fewer:
 * those cases print facts relative to what the guest got ("relative"),
 * the others the numbers themselves.  The native run is the oracle. */
//@wrap: tests/guest/fd_exec_full.sh
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* How many numbers below `soft` are open. */
static int open_below(rlim_t soft)
{
    int n = 0;
    for (rlim_t fd = 0; fd < soft; fd++)
        n += fcntl((int)fd, F_GETFD) != -1;
    return n;
}

/* The new image: argv[.. "child"] then label, exact, the count the parent
 * left open, the three numbers it made close-on-exec (-1: none). */
static int child(int argc, char **argv, int at)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    bool exact = atoi(argv[at + 2]);
    printf("    new image: %s", base(argv[0]));
    for (int i = 1; i < argc; i++)      /* the counts differ where ferry's are in the space */
        printf(" %s", i >= at + 3 && !exact ? "N" : argv[i][0] == '/' ? base(argv[i]) : argv[i]);
    printf("\n    soft=%llu hard=%llu\n", (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max);
    int left = atoi(argv[at + 3]), ce[3], closed = 0, lowest = -1;
    for (int k = 0; k < 3; k++) {
        ce[k] = atoi(argv[at + 4 + k]);
        if (ce[k] >= 0 && fcntl(ce[k], F_GETFD) == -1 && errno == EBADF)
            closed++, lowest = lowest < 0 || ce[k] < lowest ? ce[k] : lowest;
    }
    int n = open_below(rl.rlim_cur);
    errno = 0;
    int fd = open("/dev/null", O_RDONLY), e = errno;
    if (exact)
        printf("    open=%d close-on-exec closed=%d open()=%d errno=%d\n", n, closed, fd, e);
    else
        printf("    open=parent's%+d close-on-exec closed=%d open()=%s errno=%d\n", n - left, closed,
               fd < 0 ? "-1" : fd == lowest ? "lowest closed" : "other", e);
    close(5);
    errno = 0;
    fd = open("/dev/null", O_RDONLY);
    printf("    after close(5): open()=%d errno=%d\n", fd, errno);
    return 0;
}

/* Opens /dev/null until it fails; every number below the soft limit the
 * guest can get is open then.  Returns the last number. */
static int fill(bool exact)
{
    int got = 0, last = -1, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        got++, last = fd;
    int e = errno;
    if (exact)
        printf("  filled: opened=%d last=%d errno=%d\n", got, last, e);
    else
        printf("  filled: errno=%d\n", e);
    return last;
}

static void try_exec(const char *what, const char *path)
{
    char *args[] = { (char *)path, NULL };
    errno = 0;
    execv(path, args);
    printf("  exec %s: errno=%d\n", what, errno);
}

/* A case: limits set, the space filled, three numbers close-on-exec or
 * none, the failing execs, then the self exec (by a script when asked). */
static void run_case(const char *self, const char *label, rlim_t soft, rlim_t hard,
                     rlim_t outer_hard, int marks, bool script)
{
    struct rlimit rl = { soft, hard };
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        printf("  setrlimit: errno=%d\n", errno);
        return;
    }
    /* room above the soft limit (or the guest lowered its hard limit,
     * where ferry keeps a few numbers over it) */
    bool exact = soft <= 65536 && (hard >= soft + 7 || outer_hard >= soft + 7);
    if (script) {           /* made before the space is full */
        FILE *f = fopen("fd_exec_full.script", "w");
        fprintf(f, "#!%s child\n", self);
        fclose(f);
        chmod("fd_exec_full.script", 0755);
    }
    int last = fill(exact);
    int ce[3] = { -1, -1, -1 };
    if (marks) {
        ce[0] = 3, ce[1] = (3 + last) / 2, ce[2] = last;
        for (int k = 0; k < 3; k++)
            fcntl(ce[k], F_SETFD, FD_CLOEXEC);
    }
    try_exec("missing", "./fd_exec_full.missing");
    try_exec("not executable", "/etc/passwd");
    try_exec("directory", "/etc");
    try_exec("garbage", "./fd_exec_full.garbage");
    char left[16], cs[3][16];
    snprintf(left, sizeof left, "%d", open_below(soft));
    for (int k = 0; k < 3; k++)
        snprintf(cs[k], sizeof cs[k], "%d", ce[k]);
    fflush(stdout);
    /* a script's interpreter gets "child" from its "#!" line */
    char *args[] = { (char *)self, (char *)"child", (char *)label, exact ? "1" : "0", left,
                     cs[0], cs[1], cs[2], NULL };
    if (!script && marks) {     /* as a shell runs a command: fork (in a full space), exec */
        pid_t p = fork();
        if (p == 0) {
            execv(self, args);
            _exit(126);
        }
        int st = -1;
        waitpid(p, &st, 0);
        printf("  forked child: status %d\n", st);
        fflush(stdout);
    }
    if (script)
        args[1] = (char *)"./fd_exec_full.script";
    execv(args[script], args + script);
    printf("  exec self: errno=%d\n", errno);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)      /* a script's argv: interpreter, "child", script, ... */
        if (!strcmp(argv[i], "child"))
            return child(argc, argv, i + (i + 1 < argc && strchr(argv[i + 1], '/') ? 1 : 0));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    syscall(SYS_close_range, 3, ~0u, 0);         /* what the harness left open */
    int g = open("fd_exec_full.garbage", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    write(g, "\x7f" "ELG garbage\n", 13);
    close(g);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    struct { const char *label; rlim_t soft, hard; } cases[] = {
        { "as started", rl.rlim_cur, rl.rlim_max },
        { "soft 64", 64, rl.rlim_max },
        { "soft=hard 64", 64, 64 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int mode = 0; mode < 3; mode++) {
            printf("%s, %s:\n", cases[c].label,
                   mode == 0 ? "all inherited" : mode == 1 ? "3 close-on-exec" : "3 close-on-exec, by script");
            if (cases[c].soft > 100000 || cases[c].hard > rl.rlim_max) {
                printf("  skipped\n");
                continue;
            }
            fflush(stdout);
            pid_t p = fork();
            if (p == 0) {
                run_case(self, cases[c].label, cases[c].soft, cases[c].hard, rl.rlim_max, mode > 0,
                         mode == 2);
                fflush(stdout);
                _exit(1);
            }
            int st;
            waitpid(p, &st, 0);
            printf("  status %d\n", st);
        }
    }
    return 0;
}
