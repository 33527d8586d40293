/* rlimit_as.c -- the guest's RLIMIT_AS and RLIMIT_DATA are its own: set
 * relative to what the program has mapped (its /proc/self/maps), they
 * let it map exactly what they let it map natively -- mmap, MAP_FIXED
 * over its own pages, mremap, brk, mprotect to writable, PROT_NONE and
 * shared mappings that are not data -- and getrlimit/prlimit64 read back
 * what was set, in a forked child and after exec too.  (ferry's own
 * memory, hundreds of MB, must not count.)  Only outcomes and offsets
 * from the measured usage are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB (1ul << 20)

/* Bytes mapped (as RLIMIT_AS counts them) and private writable non-stack
 * bytes (RLIMIT_DATA's), from /proc/self/maps. */
static void usage(unsigned long *total, unsigned long *data)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    *total = *data = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || strstr(line, "[vsyscall]"))
            continue;
        *total += hi - lo;
        if (perms[1] == 'w' && perms[3] == 'p' && !strstr(line, "[stack]"))
            *data += hi - lo;
    }
    if (f)
        fclose(f);
}

static void *map(unsigned long len, int prot, int flags)
{
    return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static void show(const char *what, void *p)
{
    printf("%-44s %s\n", what, p == MAP_FAILED ? strerror(errno) : "ok");
}

static void set(int res, unsigned long cur, unsigned long max)
{
    struct rlimit rl = { cur, max };
    if (setrlimit(res, &rl) != 0)
        printf("setrlimit(%d): %s\n", res, strerror(errno));
}

/* /proc/self/limits' soft and hard value of a limit ("Max address
 * space"): whether they are getrlimit's. */
static void limits_file(const char *name, int res)
{
    FILE *f = fopen("/proc/self/limits", "r");
    char line[256], soft[32] = "", hard[32] = "";
    struct rlimit rl;
    getrlimit(res, &rl);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, name, strlen(name)))
            sscanf(line + 26, "%31s %31s", soft, hard);
    if (f)
        fclose(f);
    char want_soft[32], want_hard[32];
    snprintf(want_soft, sizeof want_soft, rl.rlim_cur == RLIM_INFINITY ? "unlimited" : "%lu",
             (unsigned long)rl.rlim_cur);
    snprintf(want_hard, sizeof want_hard, rl.rlim_max == RLIM_INFINITY ? "unlimited" : "%lu",
             (unsigned long)rl.rlim_max);
    printf("/proc/self/limits %s: soft %s, hard %s\n", name,
           strcmp(soft, want_soft) ? "differs" : "as getrlimit",
           strcmp(hard, want_hard) ? "differs" : "as getrlimit");
}

/* RLIMIT_AS 16 MB over what is mapped now. */
static void as_cases(void)
{
    unsigned long total, data;
    usage(&total, &data);
    set(RLIMIT_AS, total + 16 * MB, RLIM_INFINITY);
    struct rlimit rl;
    getrlimit(RLIMIT_AS, &rl);
    printf("RLIMIT_AS read back: usage + %lu MB, hard %s\n", (rl.rlim_cur - total) / MB,
           rl.rlim_max == RLIM_INFINITY ? "infinity" : "finite");
    /* 10 MB of which the top 2 go back: the MAP_FIXED of 10 MB below must
     * not land on another mapping (a library's) above the 8 */
    void *a = map(10 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    if (a != MAP_FAILED)
        munmap((char *)a + 8 * MB, 2 * MB);
    show("mmap 8 MB", a);
    show("mmap 9 MB more", map(9 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    show("mmap 9 MB PROT_NONE more", map(9 * MB, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE));
    void *b = map(7 * MB, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE);
    show("mmap 7 MB PROT_NONE more", b);
    show("mmap 2 MB more", map(2 * MB, PROT_READ, MAP_PRIVATE));
    if (a != MAP_FAILED)
        memset(a, 0x5a, 4096);
    /* MAP_FIXED over its own pages: only what is new counts */
    show("MAP_FIXED 8 MB over the 8 MB", mmap(a, 8 * MB, PROT_READ | PROT_WRITE,
                                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    if (a != MAP_FAILED)
        memset(a, 0x5a, 4096);
    show("MAP_FIXED 10 MB over the 8 MB", mmap(a, 10 * MB, PROT_READ | PROT_WRITE,
                                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    printf("old pages kept: %d\n", a != MAP_FAILED && *(unsigned char *)a == 0x5a);
    /* mremap: growing counts, shrinking does not */
    void *r = mremap(a, 8 * MB, 8 * MB + MB / 2, MREMAP_MAYMOVE);
    show("mremap 8 -> 8.5 MB", r);
    if (r != MAP_FAILED)
        a = r;
    show("mremap 8.5 -> 12 MB", mremap(a, 8 * MB + MB / 2, 12 * MB, MREMAP_MAYMOVE));
    r = mremap(a, 8 * MB + MB / 2, 2 * MB, 0);
    show("mremap 8.5 -> 2 MB", r);
    show("mmap 6 MB after shrinking", map(6 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    if (b != MAP_FAILED)
        munmap(b, 7 * MB);
    show("mmap 7 MB shared after munmap", map(7 * MB, PROT_READ | PROT_WRITE, MAP_SHARED));
    show("mmap 2 MB more", map(2 * MB, PROT_READ, MAP_PRIVATE));
}

/* RLIMIT_DATA 8 MB over the private writable pages there are now. */
static void data_cases(void)
{
    unsigned long total, data;
    usage(&total, &data);
    set(RLIMIT_DATA, data + 8 * MB, RLIM_INFINITY);
    limits_file("Max data size", RLIMIT_DATA);
    show("data: mmap 64 MB PROT_NONE", map(64 * MB, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE));
    show("data: mmap 64 MB shared rw", map(64 * MB, PROT_READ | PROT_WRITE, MAP_SHARED));
    void *ro = map(6 * MB, PROT_READ, MAP_PRIVATE);
    show("data: mmap 6 MB read-only", ro);
    show("data: mmap 9 MB rw", map(9 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE));
    void *rw = map(5 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    show("data: mmap 5 MB rw", rw);
    printf("%-44s %s\n", "data: mprotect 6 MB read-only to rw",
           mprotect(ro, 6 * MB, PROT_READ | PROT_WRITE) ? strerror(errno) : "ok");
    printf("%-44s %s\n", "data: mprotect 2 MB of it to rw",
           mprotect(ro, 2 * MB, PROT_READ | PROT_WRITE) ? strerror(errno) : "ok");
    munmap(rw, 5 * MB);
    munmap(ro, 6 * MB);
    /* brk counts as data */
    void *before = sbrk(0);
    void *g = sbrk(4 * MB);
    show("data: sbrk 4 MB", g == (void *)-1 ? MAP_FAILED : g);
    g = sbrk(8 * MB);
    show("data: sbrk 8 MB more", g == (void *)-1 ? MAP_FAILED : g);
    printf("data: break moved by %ld MB\n", (long)((char *)sbrk(0) - (char *)before) / (long)MB);
    sbrk((char *)before - (char *)sbrk(0));
}

static void errors(void)
{
    struct rlimit rl, low = { 1ul << 40, 1ul << 39 };
    getrlimit(RLIMIT_AS, &rl);
    printf("soft > hard: %s\n", setrlimit(RLIMIT_AS, &low) ? strerror(errno) : "ok");
    struct rlimit64 want = { 1ul << 41, 1ul << 42 }, old;
    long r = syscall(SYS_prlimit64, getpid(), RLIMIT_AS, &want, &old);
    printf("prlimit64(own pid): %s, old soft %s\n", r ? strerror(errno) : "ok",
           old.rlim_cur == rl.rlim_cur ? "as set" : "differs");
    r = syscall(SYS_prlimit64, 0, RLIMIT_AS, NULL, &old);
    printf("prlimit64(0) read: %s soft %lu GB hard %lu GB\n", r ? strerror(errno) : "ok",
           (unsigned long)(old.rlim_cur >> 30), (unsigned long)(old.rlim_max >> 30));
    /* raising the hard limit back: EPERM unless privileged */
    want.rlim_max = RLIM_INFINITY;
    r = syscall(SYS_prlimit64, 0, RLIMIT_AS, &want, NULL);
    printf("raise hard: %s (privileged %d)\n", r ? strerror(errno) : "ok", geteuid() == 0);
}

/* The exec'ed program: the limits it inherited, and they still hold. */
static int after_exec(const char *soft)
{
    struct rlimit rl;
    unsigned long total, data;
    getrlimit(RLIMIT_AS, &rl);
    printf("after exec: soft %s, hard %s\n", rl.rlim_cur == strtoul(soft, NULL, 10) ? "as set" : "differs",
           rl.rlim_max == rl.rlim_cur ? "= soft" : "other");
    limits_file("Max address space", RLIMIT_AS);
    limits_file("Max data size", RLIMIT_DATA);
    usage(&total, &data);
    unsigned long room = rl.rlim_cur - total;
    show("after exec: mmap the room less 1 MB", map(room - MB, PROT_READ, MAP_PRIVATE));
    show("after exec: mmap 2 MB more", map(2 * MB, PROT_READ, MAP_PRIVATE));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2)
        return after_exec(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("start\n");
    pid_t pid = fork();
    if (pid == 0) {
        as_cases();
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    if ((pid = fork()) == 0) {
        data_cases();
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    if ((pid = fork()) == 0) {
        errors();
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    /* inherited by a forked child; then exec after soft = hard, as a
     * shell's `ulimit -v` */
    unsigned long total, data;
    usage(&total, &data);
    set(RLIMIT_AS, total + 64 * MB, RLIM_INFINITY);
    if ((pid = fork()) == 0) {
        struct rlimit rl;
        getrlimit(RLIMIT_AS, &rl);
        usage(&total, &data);
        printf("forked child: usage + %lu MB\n", (rl.rlim_cur - total + MB / 2) / MB);
        show("forked child: mmap 70 MB", map(70 * MB, PROT_READ, MAP_PRIVATE));
        show("forked child: mmap 50 MB", map(50 * MB, PROT_READ, MAP_PRIVATE));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    if ((pid = fork()) == 0) {
        char soft[32];
        usage(&total, &data);
        snprintf(soft, sizeof soft, "%lu", total + 96 * MB);
        set(RLIMIT_AS, total + 96 * MB, total + 96 * MB);
        execl("/proc/self/exe", "rlimit_as", "exec", soft, (char *)NULL);
        printf("execl: %s\n", strerror(errno));
        _exit(1);
    }
    waitpid(pid, NULL, 0);
    printf("end\n");
    return 0;
}
