/* proc_cmdline.c -- the process's own /proc/.../cmdline and exe by every
 * name (self, thread-self, its pid, its task): the program's argv and
 * the program, not ferry's command line and ferry (valgrind's
 * none/tests/procfs-linux); cmdline read again after the program wrote
 * into its argv strings (the kernel reads that memory).  Compared against
 * a native run. */
//@args: one "two words" three
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void show_cmdline(const char *path, const char *label)
{
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: open fails\n", label);
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    printf("%s: %zd bytes:", label, n);
    for (ssize_t i = 0; i < n; i++)
        printf(buf[i] ? "%c" : "\\0", buf[i]);
    printf("\n");
}

static void show_exe(const char *path, const char *label)
{
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    buf[n < 0 ? 0 : n] = 0;
    printf("%s -> %s\n", label, n < 0 ? "(fails)" : strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf);
}

int main(int argc, char **argv)
{
    char pid[64], task[64], *names[4] = { "/proc/self/%s", "/proc/thread-self/%s", pid, task };
    const char *labels[4] = { "self", "thread-self", "PID", "self/task/TID" };
    snprintf(pid, sizeof pid, "/proc/%d/%%s", (int)getpid());
    snprintf(task, sizeof task, "/proc/self/task/%d/%%s", (int)gettid());
    for (int k = 0; k < 4; k++) {
        char path[96];
        snprintf(path, sizeof path, names[k], "cmdline");
        show_cmdline(path, labels[k]);
        snprintf(path, sizeof path, names[k], "exe");
        show_exe(path, labels[k]);
    }
    if (argc > 1)
        memcpy(argv[1], "ONE", 3);      /* the kernel shows the bytes as they are now */
    show_cmdline("/proc/self/cmdline", "self, argv[1] written");
    return 0;
}
