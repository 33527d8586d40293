/* proc_environ.c -- /proc/.../environ as natively: the process's own by
 * every name (self, thread-self, its pid, its task) shows the envp its
 * execve was given -- under ferry never the FERRY_EXEC_* variables the
 * ferry before passes across an exec (the harness's variables below
 * show that the rest is there) -- and the bytes the program wrote into
 * its envp strings since (the kernel reads that memory); a forked child's
 * file and, after the child's execve, the new image's, read by its parent;
 * an execve with an empty environment.  Compared against a native run
 * (entries sorted: qemu-user reverses a process's environment). */
//@env: PROC_ENVIRON_A=one PROC_ENVIRON_B=two=2 PROC_ENVIRON_EMPTY=
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_strings.h"

extern char **environ;

/* The file's size and its entries sorted (proc_strings.h). */
static void show(const char *path, const char *label)
{
    static char buf[1 << 16];
    long n = proc_slurp(AT_FDCWD, path, buf, sizeof buf);
    if (n < 0) {
        printf("%s: open fails\n", label);
        return;
    }
    printf("%s: %ld bytes, %s NUL:", label, n, n > 0 && buf[n - 1] ? "no" : "ends in");
    proc_print_strings(buf, n, 1);
}

static void show_own(const char *stage)
{
    char pid[64], task[64], label[128];
    const char *names[4] = { "/proc/self/environ", "/proc/thread-self/environ", pid, task };
    snprintf(pid, sizeof pid, "/proc/%d/environ", (int)getpid());
    snprintf(task, sizeof task, "/proc/self/task/%d/environ", (int)gettid());
    for (int k = 0; k < 4; k++) {
        snprintf(label, sizeof label, "%s %s", stage, k < 2 ? names[k] : k == 2 ? "/proc/PID/environ"
                                                                         : "/proc/self/task/TID/environ");
        show(names[k], label);
    }
}

/* A child that waits on a pipe, its environ read by the parent: as forked
 * (exec_argv NULL) or after it executed exec_argv with env. */
static void show_child(const char *label, char **exec_argv, char **env)
{
    int go[2], ready[2];
    char c, path[64];
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
        write(ready[1], "r", 1);
        read(go[0], &c, 1);
        _exit(0);
    }
    close(go[0]), close(ready[1]);
    if (read(ready[0], &c, 1) == 1) {
        snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
        show(path, label);
    }
    close(go[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("%s: child status %d\n", label, st);
}

int main(int argc, char **argv)
{
    char *env[] = { "AFTER_EXEC=1", "SPACES=a b  c", "EQ==", "EMPTY=", NULL }, *none[] = { NULL };
    if (argc > 1 && strcmp(argv[1], "wait") == 0) {     /* show_child's exec'ed image */
        char c;
        write(1, "r", 1);
        read(0, &c, 1);
        return 0;
    }
    if (argc > 1) {                                       /* an exec'ed image: "after" or "none" */
        show_own(argv[1]);
        return 0;
    }
    show_own("started");
    show_child("forked child", NULL, NULL);
    char *wait_argv[] = { argv[0], "wait", NULL };
    show_child("exec'ed child", wait_argv, env);
    show_child("exec'ed child, no environment", wait_argv, none);
    /* the program's own envp strings changed in place */
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "PROC_ENVIRON_A=", 15) == 0)
            memcpy(*e + 15, "ONE", 3);
    show_own("written");
    fflush(stdout);
    for (int k = 0; k < 2; k++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *stage_argv[] = { argv[0], k ? "none" : "after", NULL };
            execve("/proc/self/exe", stage_argv, k ? none : env);
            _exit(127);
        }
        int st;
        waitpid(pid, &st, 0);
        printf("exec %d: status %d\n", k, st);
    }
    return 0;
}
