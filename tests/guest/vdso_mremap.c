/* vdso_mremap.c -- the vDSO is Linux's special mapping: mremap moves it
 * whole and /proc/self/maps names it [vdso] where it went (Linux updates
 * mm->context.vdso); growing it is EFAULT, shrinking it or
 * MREMAP_DONTUNMAP EINVAL; a fork child sees it where it was moved; munmap ends it.  (Its
 * size depends on the kernel, so the test takes it from the maps line
 * and prints no size; vdso_vvar.c does the same for the data pages.)  After the move glibc's
 * pointers into the old place are stale, so only raw system calls run. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char line[256];

/* Raw write: stdio may not be used once the vDSO moved (it does not call
 * it, but keep the output order plain). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    __builtin_va_end(ap);
    syscall(SYS_write, 1, line, (size_t)n);
}

/* The [vdso] line's range, relative to base; how many there are. */
static int find_vdso(uint64_t base, uint64_t *start, uint64_t *end)
{
    static char buf[65536];
    int fd = (int)syscall(SYS_open, "/proc/self/maps", 0);
    long n = 0, r;
    while ((r = syscall(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    syscall(SYS_close, fd);
    buf[n] = 0;
    int count = 0;
    for (char *l = buf; *l; l = strchr(l, '\n') + 1) {
        char *nl = strchr(l, '\n');
        if (!nl)
            break;
        *nl = 0;
        if (strstr(l, "[vdso]")) {
            unsigned long long s, e;
            sscanf(l, "%llx-%llx", &s, &e);
            *start = s, *end = e;
            count++;
        }
        *nl = '\n';
    }
    (void)base;
    return count;
}

static void report(const char *what, uint64_t expect)
{
    uint64_t s = 0, e = 0;
    int n = find_vdso(0, &s, &e);
    say("%s: %d [vdso] line(s), at the expected place: %s, starts with ELF: %s\n", what, n,
        n && s == expect ? "yes" : "no",
        n && !memcmp((void *)s, "\177ELF", 4) ? "yes" : "no");
}

static long try_mremap(const char *what, uint64_t from, uint64_t len, uint64_t new_len, int flags,
                       uint64_t to)
{
    long r = syscall(SYS_mremap, from, len, new_len, flags, to);
    say("%s: %s\n", what, r == (long)to ? "moved" : r < 0 ? strerror(errno) : "elsewhere");
    return r;
}

int main(void)
{
    uint64_t vdso = getauxval(AT_SYSINFO_EHDR), s = 0, e = 0;
    if (!vdso || find_vdso(0, &s, &e) != 1 || s != vdso) {
        say("no vDSO\n");
        return 1;
    }
    uint64_t size = e - s;
    report("start", vdso);
    /* room twice the size: a page-aligned target the mremaps may land on */
    uint8_t *room = mmap(NULL, 4 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t to = (uint64_t)(uintptr_t)room + size;
    try_mremap("bigger", vdso, size, size + 4096, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    try_mremap("smaller", vdso, size, size - 4096 ? size - 4096 : 0, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    try_mremap("dontunmap", vdso, size, size, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, to);
    report("after the failures", vdso);
    try_mremap("whole", vdso, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    report("moved", to);
    say("old place readable: %s\n",
        syscall(SYS_mincore, vdso, 4096, line) == 0 ? "yes" : strerror(errno));

    pid_t pid = fork();
    if (pid == 0) {
        report("fork child", to);
        syscall(SYS_exit, 0);
    }
    int st;
    waitpid(pid, &st, 0);

    try_mremap("back", to, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, vdso);
    report("moved back", vdso);
    say("munmap: %ld\n", syscall(SYS_munmap, vdso, size));
    report("unmapped", vdso);
    syscall(SYS_exit_group, 0);
}
