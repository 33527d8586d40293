/* vfork.c -- vfork semantics ferry keeps although its child is a fork
 * (sys_vfork.c): the parent sleeps until the child execs or exits, and
 * sees what the child wrote into the parent's stack -- how glibc's
 * posix_spawn reports a failed exec (ENOENT, EACCES, ENOEXEC), and the
 * classic `vfork(); err = errno; _exit()` idiom. */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void spawn(const char *what, const char *path)
{
    char *av[] = { (char *)path, "-c", "exit 4", NULL };
    pid_t pid = 0;
    int st = -1, r = posix_spawn(&pid, path, NULL, NULL, av, environ);
    if (r == 0)
        waitpid(pid, &st, 0);
    printf("%s: %s", what, r ? strerror(r) : "spawned");
    if (r == 0)
        printf(" status %d", WEXITSTATUS(st));
    printf("\n");
}

static void classic(void)
{
    volatile int err = 0, order = 0;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execl("/nonexistent/x", "x", (char *)NULL);
        err = errno;
        order = 1;
        _exit(9);
    }
    int parent_saw = order;
    int st;
    waitpid(pid, &st, 0);
    printf("vfork: child's errno %s, ran first %d, status %d\n", strerror(err), parent_saw,
           WEXITSTATUS(st));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    spawn("shell", "/bin/sh");
    spawn("missing", "/nonexistent/prog");
    FILE *f = fopen("noexec", "w");
    fputs("data\n", f);
    fclose(f);
    spawn("not executable", "./noexec");
    chmod("noexec", 0755);
    spawn("no format", "./noexec");
    classic();
    return 0;
}
