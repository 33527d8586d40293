/* execveat.c -- execveat (issue 9): fexecve (AT_EMPTY_PATH) of this x86-64
 * program through an O_RDONLY and an O_PATH descriptor, a name relative
 * to a directory descriptor, an absolute path, AT_SYMLINK_NOFOLLOW, a
 * script through a descriptor (close-on-exec: ENOENT, as Linux; else its
 * interpreter reads /dev/fd/N), bad arguments; and a script's process name
 * (/proc/self/comm: the script's, not its interpreter's).  The re-executed
 * program prints its argv, AT_EXECFN, comm and /proc/self/exe's name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int child_report(int argc, char **argv)
{
    char comm[32] = "", exe[4096] = "";
    int fd = open("/proc/self/comm", O_RDONLY);
    ssize_t n = read(fd, comm, sizeof comm - 1);
    comm[n > 0 ? n - 1 : 0] = 0;
    close(fd);
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("  child: argc=%d argv1=%s execfn=%s comm=%s exe=%s\n", argc, argv[1],
           execfn ? execfn : "(none)", comm, base(exe));
    return 3;
}

/* Runs the execveat in a child; prints its error or the child's status. */
static void run(const char *what, int dirfd, const char *path, int flags)
{
    char *av[] = { "execveat-child", "child", NULL };
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, dirfd, path, av, environ, flags);
        printf("%s: %s\n", what, strerror(errno));
        fflush(stdout);
        _exit(100);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WEXITSTATUS(st) != 100)
        printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

static void write_script(const char *name)
{
    FILE *f = fopen(name, "w");
    fprintf(f, "#!/bin/sh\nread c < /proc/$$/comm\necho \"  script: comm=$c arg0=$0 arg1=$1\"\n");
    fclose(f);
    chmod(name, 0755);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child"))
        return child_report(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", self);
    *strrchr(dir, '/') = 0;

    int fd = open(self, O_RDONLY | O_CLOEXEC);
    int pfd = open(self, O_PATH);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    printf("fds: %d %d %d\n", fd, pfd, dfd);
    run("fexecve", fd, "", AT_EMPTY_PATH);
    run("O_PATH", pfd, "", AT_EMPTY_PATH);
    run("relative to dirfd", dfd, base(self), 0);
    run("absolute, dirfd ignored", dfd, self, 0);
    run("AT_FDCWD", AT_FDCWD, self, AT_SYMLINK_NOFOLLOW);
    symlink(self, "link");
    run("nofollow link", AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW);
    int cwd = open(".", O_RDONLY | O_DIRECTORY);
    run("nofollow link at dirfd", cwd, "link", AT_SYMLINK_NOFOLLOW);
    run("link at dirfd", cwd, "link", 0);
    run("empty without AT_EMPTY_PATH", fd, "", 0);
    run("bad flags", fd, "", 0x2);
    run("bad fd", 77, "", AT_EMPTY_PATH);
    run("bad fd relative", 77, "x", 0);
    run("not a directory", fd, "x", 0);
    run("missing", cwd, "nope", 0);

    write_script("script.sh");
    int sfd = open("script.sh", O_RDONLY | O_CLOEXEC);
    run("script, close-on-exec fd", sfd, "", AT_EMPTY_PATH);
    int sfd2 = open("script.sh", O_RDONLY);
    run("script, inherited fd", sfd2, "", AT_EMPTY_PATH);
    run("script relative to inherited dirfd", cwd, "script.sh", 0);
    run("script by path", AT_FDCWD, "./script.sh", 0);
    write_script("a-script-with-a-long-name.sh");
    run("long script name", AT_FDCWD, "./a-script-with-a-long-name.sh", 0);
    fflush(stdout);
    if (fork() == 0) {
        execl("./script.sh", "script.sh", "via-execl", (char *)NULL);
        _exit(1);
    }
    wait(NULL);
    return 0;
}
