/* stack_grow.c -- the main stack grows down as Linux's does: at start
 * only the pages the arguments need and 128 KiB are there (its [stack]
 * line is small, and untouched pages do not count against RLIMIT_AS);
 * touching pages below grows it, and the growth is refused -- SIGSEGV --
 * past the RLIMIT_STACK or RLIMIT_AS in force when it happens (a limit
 * raised after exec lets it grow further).  RLIMIT_STACK reads back as
 * set, in /proc/self/limits and after exec too.  A system
 * call's buffer far below the touched pages works (the kernel grows the
 * stack for it).  Each case runs in a child; only outcomes are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stack_child.h"

#define KB (1ul << 10)
#define MB (1ul << 20)

/* The [stack] line's size and all mapped bytes, from /proc/self/maps. */
static void usage(unsigned long *stack, unsigned long *total)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    *stack = *total = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) != 2 || strstr(line, "[vsyscall]"))
            continue;
        *total += hi - lo;
        if (strstr(line, "[stack]"))
            *stack = hi - lo;
    }
    if (f)
        fclose(f);
}

/* A system call writing into a buffer far below the touched pages. */
static __attribute__((noinline)) long read_far(int fd)
{
    volatile char big[1536 * KB];
    long r = read(fd, (char *)big + 16, 5);
    return r == 5 && big[16] == 'h' ? r : -1;
}

static void set(int res, unsigned long cur)
{
    struct rlimit rl;
    getrlimit(res, &rl);
    rl.rlim_cur = cur;
    if (setrlimit(res, &rl) != 0)
        printf("setrlimit(%d): %s\n", res, strerror(errno));
}

static void run(const char *what, void (*fn)(void)) { run_child(what, 40, fn); }

static void grow_2mb(void)
{
    unsigned long s0, t0, s1, t1;
    usage(&s0, &t0);
    descend(600);
    usage(&s1, &t1);
    printf("after 2 MiB: [stack] grew by >= 2 MiB: %s, total too: %s\n",
           s1 - s0 >= 2 * MB ? "yes" : "no", t1 - t0 >= 2 * MB ? "yes" : "no");
}

static void as_room_4mb(void)
{
    unsigned long s, t;
    usage(&s, &t);
    set(RLIMIT_AS, t + 4 * MB);
    descend(512);
}

static void as_room_1mb(void)
{
    unsigned long s, t;
    usage(&s, &t);
    set(RLIMIT_AS, t + 1 * MB);
    descend(1024);
}

static void stack_limit_1mb(void)
{
    set(RLIMIT_STACK, 1 * MB);
    descend(768);
}

/* Linux leaves at least 128 MiB for the stack whatever RLIMIT_STACK was
 * at exec: raised later, the stack grows further. */
static void stack_limit_raised(void)
{
    set(RLIMIT_STACK, 64 * MB);
    descend(4096);
}

/* /proc/self/limits' soft value of "Max stack size". */
static unsigned long limits_stack(void)
{
    FILE *f = fopen("/proc/self/limits", "r");
    char line[256];
    unsigned long v = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Max stack size", 14))
            v = strtoul(line + 26, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

/* RLIMIT_STACK is the guest's: read back, in /proc/self/limits, and
 * inherited across exec (a host may not take it: QEMU's user mode). */
static void stack_limit_own(void)
{
    struct rlimit rl;
    set(RLIMIT_STACK, 6 * MB);
    getrlimit(RLIMIT_STACK, &rl);
    printf("RLIMIT_STACK 6 MiB: getrlimit %lu KiB, /proc/self/limits %lu KiB\n",
           (unsigned long)rl.rlim_cur / KB, limits_stack() / KB);
    fflush(stdout);
    execl("/proc/self/exe", "stack_grow", "exec", (char *)NULL);
    printf("execl: %s\n", strerror(errno));
}

static int after_exec(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    printf("after exec: getrlimit %lu KiB, /proc/self/limits %lu KiB\n",
           (unsigned long)rl.rlim_cur / KB, limits_stack() / KB);
    fflush(stdout);
    set(RLIMIT_STACK, 1 * MB);
    descend(768);                       /* past it: SIGSEGV */
    return 0;
}

static void syscall_far(void)
{
    int p[2];
    if (pipe(p) != 0 || write(p[1], "hello", 5) != 5)
        return;
    printf("read into a buffer 1.5 MiB down: %ld\n", read_far(p[0]));
}

int main(int argc, char **argv)
{
    unsigned long s, t;
    struct rlimit rl;
    if (argc > 1 && !strcmp(argv[1], "exec"))
        return after_exec();
    usage(&s, &t);
    getrlimit(RLIMIT_STACK, &rl);
    printf("[stack] at start under 1 MiB: %s\n", s && s < MB ? "yes" : "no");
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 8 * MB) {
        printf("RLIMIT_STACK under 8 MiB: growth cases skipped\n");
        return 0;
    }
    run("touch 2 MiB", grow_2mb);
    run("touch 2 MiB, RLIMIT_AS usage + 4 MiB", as_room_4mb);
    run("touch 4 MiB, RLIMIT_AS usage + 1 MiB", as_room_1mb);
    run("touch 3 MiB, RLIMIT_STACK 1 MiB", stack_limit_1mb);
    run("touch 16 MiB, RLIMIT_STACK raised to 64 MiB", stack_limit_raised);
    run("read(2) far below", syscall_far);
    run("RLIMIT_STACK the guest's, exec", stack_limit_own);
    return 0;
}
