/* proc_stat_other.c -- another process's /proc/PID/stat shows that
 * process's code and data bounds and its stack's start (start_code,
 * end_code, start_stack, start_data, end_data: what ps and gdb read), as
 * it sees them itself in /proc/self/stat.  A child execs this program
 * again, reads its own stat and sends the five fields through a pipe,
 * then waits while the parent reads /proc/CHILD/stat and says whether
 * each field is the child's (addresses differ between runs under ASLR).
 * Under ferry the child is a ferry whose kernel must be told the guest's
 * values (syscalls/sys_proc_mm.c).  Compared against a native run.  Not
 * on the AArch64 build here: qemu-user refuses PR_SET_MM (tests/tests.mk). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc_strings.h"

static const int fields[] = { 26, 27, 28, 45, 46 };
static const char *const names[] = { "start_code", "end_code", "start_stack", "start_data",
                                     "end_data" };
#define NFIELDS 5

/* stat's fields[] of the file at path into v; false if it does not read. */
static int stat_fields(const char *path, unsigned long long v[NFIELDS])
{
    static char text[4096];
    if (proc_slurp(AT_FDCWD, path, text, sizeof text) <= 0)
        return 0;
    char *p = strrchr(text, ')');
    if (!p)
        return 0;
    p += 2;                             /* the state: field 3 */
    for (int k = 3, i = 0; *p && i < NFIELDS; k++) {
        if (k == fields[i])
            v[i++] = strtoull(p, NULL, 10);
        p += strcspn(p, " ");
        p += *p == ' ';
    }
    (void)proc_print_strings;
    return 1;
}

int main(int argc, char **argv)
{
    unsigned long long own[NFIELDS] = { 0 }, seen[NFIELDS] = { 0 };
    if (argc > 1) {                     /* the exec'ed child: its view, then wait */
        stat_fields("/proc/self/stat", own);
        write(1, own, sizeof own);
        char c;
        read(0, &c, 1);
        return 0;
    }
    int go[2], ready[2];
    if (pipe(go) || pipe(ready))
        return 1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(go[0], 0), dup2(ready[1], 1);
        close(go[1]), close(ready[0]);
        execl("/proc/self/exe", argv[0], "child", (char *)0);
        _exit(127);
    }
    close(go[0]), close(ready[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read(ready[0], own, sizeof own) != sizeof own || !stat_fields(path, seen))
        printf("no stat from the child\n");
    else
        for (int i = 0; i < NFIELDS; i++)
            printf("%s (field %d): %s\n", names[i], fields[i],
                   own[i] == seen[i] ? "the child's own" : "another value");
    close(go[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("child status %d\n", st);
    return 0;
}
