/* proc_paths.c -- the process's own /proc files (environ, cmdline, maps,
 * limits, exe, and /proc/cpuinfo) reached by every kind of name the
 * kernel resolves: openat() from a descriptor of /proc, /proc/self,
 * /proc/PID/task/TID; a relative name after chdir("/proc/self"); its pid
 * as a number, and a thread's id as one; /proc/self/task/TID and
 * /proc/TID of another of its threads (one mm: the process's file);
 * /proc/self/fd/N/ of a /proc descriptor; "..", ".", repeated and
 * trailing slashes; readlinkat, fstatat, faccessat, statx of "exe" from a
 * descriptor.  The program first writes into its argv and envp strings
 * (the kernel shows those bytes: the host's file of a translator's
 * process would not).  maps, limits and cpuinfo are compared with the
 * same file read by its plain name just before.  Compared against a
 * native run (environ's entries sorted: qemu-user reverses a process's
 * environment). */
//@args: one two
//@env: PROC_PATHS_A=one PROC_PATHS_B=two
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_strings.h"

extern char **environ;

static char buf[1 << 17], ref[1 << 17];
static int other_tid;
static int stop[2];

/* environ's entries sorted, cmdline's bytes. */
static void show_strings(const char *label, long n, bool sorted)
{
    printf("%s: %ld bytes:", label, n);
    proc_print_strings(buf, n, sorted);
}

/* One line of text starting with key ("flags", "model name"), or "". */
static void line_of(const char *text, const char *key, char *out, size_t cap)
{
    const char *p = strstr(text, key);
    size_t n = p ? strcspn(p, "\n") : 0;
    n = n < cap - 1 ? n : cap - 1;
    memcpy(out, p ? p : "", n);
    out[n] = 0;
}

static void show_file(const char *label, const char *leaf, int dirfd, const char *path)
{
    char canon[64], a[4096], b[4096];
    snprintf(canon, sizeof canon, "/proc/self/%s", leaf);
    if (!strcmp(leaf, "exe")) {
        struct stat s1, s2;
        int fd = openat(dirfd, path, O_RDONLY);
        bool same = fd >= 0 && fstat(fd, &s1) == 0 && stat("/proc/self/exe", &s2) == 0 &&
                    s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev;
        ssize_t n = readlinkat(dirfd, path, a, sizeof a - 1);
        a[n < 0 ? 0 : n] = 0;
        printf("%s: open %s, the program: %s, link -> %s\n", label, fd < 0 ? strerror(errno) : "ok",
               same ? "yes" : "no", n < 0 ? "(fails)" : strrchr(a, '/') ? strrchr(a, '/') + 1 : a);
        if (fd >= 0)
            close(fd);
        return;
    }
    bool compare = !strcmp(leaf, "maps") || !strcmp(leaf, "limits");
    long r = compare ? proc_slurp(AT_FDCWD, canon, ref, sizeof ref) : 0;
    long n = proc_slurp(dirfd, path, buf, sizeof buf);
    if (n < 0) {
        printf("%s: %s\n", label, strerror((int)-n));
        return;
    }
    if (compare) {
        printf("%s: same as %s: %s\n", label, canon, r == n && !memcmp(ref, buf, (size_t)n) ? "yes" : "no");
        return;
    }
    if (!strcmp(leaf, "cpuinfo")) {
        proc_slurp(AT_FDCWD, "/proc/cpuinfo", ref, sizeof ref);
        line_of(ref, "flags", a, sizeof a), line_of(buf, "flags", b, sizeof b);
        bool flags = !strcmp(a, b);
        line_of(ref, "model name", a, sizeof a), line_of(buf, "model name", b, sizeof b);
        printf("%s: same flags and model name as /proc/cpuinfo: %s\n", label, flags && !strcmp(a, b) ? "yes" : "no");
        return;
    }
    show_strings(label, n, !strcmp(leaf, "environ"));
}

/* Each file by each name. */
static void show_all(void)
{
    static const char *const leaves[] = { "environ", "cmdline", "maps", "limits", "exe" };
    int proc = open("/proc", O_RDONLY | O_DIRECTORY), self = open("/proc/self", O_PATH | O_DIRECTORY);
    char task_dir[64], path[128], label[160];
    snprintf(task_dir, sizeof task_dir, "/proc/%d/task/%d", getpid(), other_tid);
    int task = open(task_dir, O_RDONLY | O_DIRECTORY);
    for (int k = 0; k < 5; k++) {
        const char *f = leaves[k];
#define SHOW(form, dirfd, ...)                                            \
        do {                                                              \
            snprintf(path, sizeof path, __VA_ARGS__);                     \
            snprintf(label, sizeof label, "%s by %s", f, form);           \
            show_file(label, f, dirfd, path);                             \
        } while (0)
        SHOW("/proc/self/F", AT_FDCWD, "/proc/self/%s", f);
        SHOW("openat(/proc, self/F)", proc, "self/%s", f);
        SHOW("openat(/proc/self, F)", self, "%s", f);
        SHOW("openat(/proc/self, ./F)", self, "./%s", f);
        SHOW("openat(/proc/self, ../self//F)", self, "../self//%s", f);
        SHOW("openat(/proc/PID/task/TID of a thread, F)", task, "%s", f);
        SHOW("/proc/PID/F", AT_FDCWD, "/proc/%d/%s", getpid(), f);
        SHOW("/proc/TID/F of a thread", AT_FDCWD, "/proc/%d/%s", other_tid, f);
        SHOW("/proc/self/task/TID/F of a thread", AT_FDCWD, "/proc/self/task/%d/%s", other_tid, f);
        SHOW("/proc/thread-self/F", AT_FDCWD, "/proc/thread-self/%s", f);
        SHOW("/proc/self/fd/N/F, N /proc/self", AT_FDCWD, "/proc/self/fd/%d/%s", self, f);
        SHOW("//proc/./self/../self/F", AT_FDCWD, "//proc/./self/../self/%s", f);
        SHOW("/proc/self/F/", AT_FDCWD, "/proc/self/%s/", f);
        if (chdir("/proc/self") == 0) {
            SHOW("F after chdir(/proc/self)", AT_FDCWD, "%s", f);
            SHOW("./F after chdir(/proc/self)", AT_FDCWD, "./%s", f);
        }
        if (chdir("/proc") == 0)
            SHOW("self/F after chdir(/proc)", AT_FDCWD, "self/%s", f);
        if (chdir("/") != 0)
            printf("chdir / fails\n");
    }
    const char *f = "cpuinfo";
    SHOW("/proc/cpuinfo", AT_FDCWD, "/proc/cpuinfo");
    SHOW("openat(/proc, cpuinfo)", proc, "cpuinfo");
    SHOW("openat(/proc/self, ../cpuinfo)", self, "../cpuinfo");
    close(proc), close(task);
    /* the link itself and what it names, from a /proc/self descriptor */
    struct stat st, prog;
    char link[4096];
    stat("/proc/self/exe", &prog);
    ssize_t n = readlinkat(self, "exe", link, sizeof link - 1);
    link[n < 0 ? 0 : n] = 0;
    printf("readlinkat(/proc/self, exe) -> %s\n", n < 0 ? "(fails)" : strrchr(link, '/') + 1);
    printf("fstatat(/proc/self, exe): the program: %s\n",
           fstatat(self, "exe", &st, 0) == 0 && st.st_ino == prog.st_ino ? "yes" : "no");
    printf("fstatat(/proc/self, exe, NOFOLLOW): a link: %s\n",
           fstatat(self, "exe", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) ? "yes" : "no");
    printf("faccessat(/proc/self, exe, X_OK): %d\n", faccessat(self, "exe", X_OK, 0));
    struct statx sx;
    printf("statx(/proc/self, exe): the program: %s\n",
           statx(self, "exe", 0, STATX_INO, &sx) == 0 && sx.stx_ino == prog.st_ino ? "yes" : "no");
    if (chdir("/proc/self") == 0) {
        n = readlink("exe", link, sizeof link - 1);
        link[n < 0 ? 0 : n] = 0;
        printf("readlink(exe) after chdir(/proc/self) -> %s\n", n < 0 ? "(fails)" : strrchr(link, '/') + 1);
        printf("stat(exe) after chdir(/proc/self): the program: %s\n",
               stat("exe", &st) == 0 && st.st_ino == prog.st_ino ? "yes" : "no");
        chdir("/");
    }
    close(self);
}

static void *thread_main(void *arg)
{
    char c;
    other_tid = (int)syscall(SYS_gettid);
    write(*(int *)arg, "r", 1);
    read(stop[0], &c, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    int ready[2];
    char c;
    pthread_t t;
    if (argc > 1)
        memcpy(argv[1], "ONE", 3);      /* the kernel shows the bytes as they are now */
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "PROC_PATHS_A=", 13))
            memcpy(*e + 13, "ONE", 3);
    if (pipe(ready) || pipe(stop) || pthread_create(&t, NULL, thread_main, &ready[1]) ||
        read(ready[0], &c, 1) != 1)
        return 1;
    show_all();
    write(stop[1], "s", 1);
    pthread_join(t, NULL);
    return 0;
}
