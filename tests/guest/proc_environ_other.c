/* proc_environ_other.c -- another process's /proc/PID/environ and cmdline
 * show the bytes that process wrote into its envp and argv strings (the
 * kernel reads its memory between mm->env_start..env_end, arg_start..
 * arg_end): a forked child's and an exec'ed child's, read by the parent
 * by /proc/PID/F and by openat() from a /proc/PID descriptor.  Under
 * ferry the other process is a ferry too, whose kernel must be told
 * where its guest's strings are (syscalls/sys_proc_mm.c).  Compared
 * against a native run (environ's entries sorted: qemu-user reverses a
 * process's environment).  Not on the AArch64 build here: qemu-user
 * refuses PR_SET_MM (tests/tests.mk). */
//@args: one two
//@env: PROC_OTHER_A=one PROC_OTHER_B=two
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_strings.h"

extern char **environ;

static void show(int dirfd, const char *path, const char *label, int sorted)
{
    static char buf[1 << 16];
    long n = proc_slurp(dirfd, path, buf, sizeof buf);
    if (n < 0) {
        printf("%s: open fails\n", label);
        return;
    }
    printf("%s: %ld bytes:", label, n);
    proc_print_strings(buf, n, sorted);
}

/* The process's own argv[1] and PROC_OTHER_A's value written in place. */
static void scribble(char **argv)
{
    if (argv[1])
        memcpy(argv[1], "ONE", 3);
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "PROC_OTHER_A=", 13))
            memcpy(*e + 13, "ONE", 3);
}

/* A child that writes its strings and waits on a pipe (forked, or after
 * it executed exec_argv with env); its files read by the parent. */
static void show_child(const char *stage, char **argv, char **exec_argv, char **env)
{
    int go[2], ready[2];
    char c, path[64], label[128];
    if (pipe(go) || pipe(ready))
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]), close(ready[0]);
        if (exec_argv) {
            dup2(go[0], 0), dup2(ready[1], 1);
            execve("/proc/self/exe", exec_argv, env);
            _exit(127);
        }
        scribble(argv);
        write(ready[1], "r", 1);
        read(go[0], &c, 1);
        _exit(0);
    }
    close(go[0]), close(ready[1]);
    if (read(ready[0], &c, 1) == 1) {
        snprintf(path, sizeof path, "/proc/%d", (int)pid);
        int dir = open(path, O_RDONLY | O_DIRECTORY);
        for (int k = 0; k < 2; k++) {
            const char *f = k ? "cmdline" : "environ";
            snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, f);
            snprintf(label, sizeof label, "%s: /proc/PID/%s", stage, f);
            show(AT_FDCWD, path, label, !k);
            snprintf(label, sizeof label, "%s: openat(/proc/PID, %s)", stage, f);
            show(dir, f, label, !k);
        }
        close(dir);
    }
    close(go[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("%s: child status %d\n", stage, st);
}

int main(int argc, char **argv)
{
    char *env[] = { "PROC_OTHER_A=one", "AFTER_EXEC=1", NULL };
    if (argc > 1 && strcmp(argv[1], "child") == 0) {    /* show_child's exec'ed image */
        char c;
        scribble(argv + 1);
        write(1, "r", 1);
        read(0, &c, 1);
        return 0;
    }
    show_child("forked child", argv, NULL, NULL);
    char *child_argv[] = { argv[0], "child", "one", NULL };
    show_child("exec'ed child", NULL, child_argv, env);
    return 0;
}
