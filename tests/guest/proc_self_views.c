/* proc_self_views.c -- the process's own /proc/self/auxv, stat, status,
 * smaps and smaps_rollup, which a translator's process would show as its
 * own (the host's auxv, its code and stack addresses, its signal
 * dispositions, its mappings).  Addresses differ from run to run (ASLR),
 * so what is printed is what must hold in any run: the auxv file equals
 * the auxv the process started with (on its stack) and its CPU values;
 * stat's code, data, stack, argument and environment addresses are the
 * program's own (its ELF headers, argv, envp), vsize is the sum of its
 * maps; status's signal masks are what the program set, its Vm sizes
 * agree with stat; smaps lists exactly maps' lines, each with its size,
 * and smaps_rollup spans them.  Reached by /proc/self, /proc/PID and
 * openat() from a /proc/self descriptor.  Compared against a native run. */
//@args: alpha beta
//@env: PROC_SELF_VIEWS=1
#define _GNU_SOURCE
#include <elf.h>
#include <cpuid.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_strings.h"

extern const ElfW(Ehdr) __ehdr_start;
extern void _start(void);

static char text[1 << 18], maps[1 << 16];
static unsigned long long auxv_file[128];

#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

/* The auxv the kernel put on the stack, after envp's NULL. */
static const unsigned long long *stack_auxv(char **envp)
{
    while (*envp)
        envp++;
    return (const unsigned long long *)(envp + 1);
}

static const char *auxv_name(unsigned long long k)
{
    switch (k) {
    case AT_HWCAP2: return "HWCAP2";
    case AT_PAGESZ: return "PAGESZ";
    case AT_CLKTCK: return "CLKTCK";
    case AT_PHENT: return "PHENT";
    case AT_PHNUM: return "PHNUM";
    case AT_FLAGS: return "FLAGS";
    case AT_SECURE: return "SECURE";
    default: return NULL;
    }
}

static void show_auxv(int dirfd, const char *path, char **envp)
{
    long n = proc_slurp(dirfd, path, (char *)auxv_file, sizeof auxv_file);
    const unsigned long long *st = stack_auxv(envp);
    long words = 0;
    while (st[words])
        words += 2;
    words += 2;                         /* AT_NULL's pair too, as the kernel shows it */
    bool same = n == words * 8 && !memcmp(auxv_file, st, (size_t)n);
    printf("auxv %s: %s the stack's (%s)\n", path, same ? "equals" : "differs from",
           n % 16 == 0 ? "whole pairs" : "not pairs");
    for (long i = 0; i + 1 < n / 8; i += 2) {
        unsigned long long k = auxv_file[i], v = auxv_file[i + 1];
        const char *nm = auxv_name(k);
        unsigned a, b, c, d;
        if (nm)
            printf("  AT_%s %#llx\n", nm, v);
        else if (k == AT_HWCAP && __get_cpuid(1, &a, &b, &c, &d))
            printf("  AT_HWCAP is CPUID.1:EDX: %d\n", v == d);
        else if (k == AT_PLATFORM)
            printf("  AT_PLATFORM \"%.16s\"\n", v == getauxval(AT_PLATFORM) ? (const char *)v : "?");
        else if (k == AT_ENTRY)
            printf("  AT_ENTRY is _start: %d\n", v == (uintptr_t)_start);
        else if (k == AT_PHDR)
            printf("  AT_PHDR is the program's headers: %d\n",
                   v == (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff);
        else if (k == AT_EXECFN)
            printf("  AT_EXECFN is the stack's: %d\n", v == getauxval(AT_EXECFN));
    }
}

/* stat's fields after the comm: f[3] is the state's letter, f[4..52]. */
static int stat_fields(int dirfd, const char *path, unsigned long long f[53], char *state)
{
    long n = proc_slurp(dirfd, path, text, sizeof text);
    char *p = n > 0 ? strrchr(text, ')') : NULL;
    if (!p)
        return 0;
    *state = p[2];
    int k = 4;
    for (p += 4; k <= 52 && *p && *p != '\n'; k++) {
        char *end;
        f[k] = strtoull(p, &end, 10);
        p = *end == ' ' ? end + 1 : end;
    }
    return k - 1;
}

/* The kernel's code and data bounds (load_elf_binary): from the program's
 * own PT_LOAD headers and its load bias. */
static void elf_bounds(unsigned long long b[4])
{
    const ElfW(Phdr) *ph = (const void *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
    unsigned long long lo = ~0ull, sc = ~0ull, ec = 0, sd = 0, ed = 0;
    for (int i = 0; i < __ehdr_start.e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < lo)
            lo = ph[i].p_vaddr;
    unsigned long long bias = (uintptr_t)&__ehdr_start - (lo & ~(PAGE - 1));
    for (int i = 0; i < __ehdr_start.e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        unsigned long long v = ph[i].p_vaddr, e = v + ph[i].p_filesz;
        if ((ph[i].p_flags & PF_X) && v < sc)
            sc = v;
        if ((ph[i].p_flags & PF_X) && e > ec)
            ec = e;
        sd = v > sd ? v : sd;
        ed = e > ed ? e : ed;
    }
    b[0] = sc + bias, b[1] = ec + bias, b[2] = sd + bias, b[3] = ed + bias;
}

/* Whether the line at l (up to its newline) holds s. */
static bool line_has(const char *l, const char *s)
{
    const char *hit = strstr(l, s);
    return hit && hit < l + strcspn(l, "\n");
}

/* Where maps' [heap] line starts, 0 without one. */
static unsigned long long heap_start(void)
{
    unsigned long long lo = 0;
    for (char *l = maps; *l; l = strchr(l, '\n') + 1) {
        if (line_has(l, "[heap]"))
            sscanf(l, "%llx", &lo);
        if (!strchr(l, '\n'))
            break;
    }
    return lo;
}

/* The sum of maps' sizes, without [vsyscall] (not the process's). */
static unsigned long long maps_total(void)
{
    unsigned long long sum = 0, lo, hi;
    for (char *l = maps; *l; l = strchr(l, '\n') + 1) {
        if (sscanf(l, "%llx-%llx", &lo, &hi) == 2 && !line_has(l, "[vsyscall]"))
            sum += hi - lo;
        if (!strchr(l, '\n'))
            break;
    }
    return sum;
}

static void show_stat(int dirfd, const char *path, int argc, char **argv, char **envp)
{
    unsigned long long f[53] = { 0 }, b[4];
    char state = '?';
    int got = stat_fields(dirfd, path, f, &state);
    proc_slurp(AT_FDCWD, "/proc/self/maps", maps, sizeof maps);
    elf_bounds(b);
    char **e = envp;
    while (e[1])
        e++;
    printf("stat %s: %d fields, state %c, threads %llu, exit_signal %llu, exit_code %llu\n", path,
           got, state, f[20], f[38], f[52]);
    printf("  start_code %d end_code %d start_data %d end_data %d\n", f[26] == b[0], f[27] == b[1],
           f[45] == b[2], f[46] == b[3]);
    printf("  start_stack is argc's address: %d\n", f[28] == (uintptr_t)(argv - 1));
    printf("  start_brk: the [heap] line's start %d, at or below the break %d\n",
           heap_start() == 0 || heap_start() == f[47], f[47] <= (uintptr_t)sbrk(0));
    printf("  arg_start %d arg_end %d env_start %d env_end %d\n", f[48] == (uintptr_t)argv[0],
           f[49] == (uintptr_t)argv[argc - 1] + strlen(argv[argc - 1]) + 1,
           f[50] == (uintptr_t)envp[0], f[51] == (uintptr_t)*e + strlen(*e) + 1);
    printf("  vsize is the maps' sum: %d\n", f[23] == maps_total());
    printf("  kstkesp %llu kstkeip %llu\n", f[29], f[30]);
    printf("  signal %llu blocked %llu sigignore %llu sigcatch %llu\n", f[31], f[32], f[33], f[34]);
}

/* status: the names of its lines, and the values that do not change. */
static void show_status(int dirfd, const char *path)
{
    static const char *const keep[] = { "Name", "State", "Threads", "SigPnd", "ShdPnd", "SigBlk",
                                        "SigIgn", "SigCgt", "FDSize", "NoNewPrivs", "Seccomp", NULL };
    unsigned long long f[53] = { 0 }, kb = 0;
    char state;
    proc_slurp(dirfd, path, text, sizeof text);
    printf("status %s:", path);
    for (char *l = text; *l; l = strchr(l, '\n') + 1)
        printf(" %.*s", (int)strcspn(l, ":"), l);
    printf("\n");
    for (char *l = text; *l; l = strchr(l, '\n') + 1) {
        for (int i = 0; keep[i]; i++)
            if (!strncmp(l, keep[i], strlen(keep[i])) && l[strlen(keep[i])] == ':')
                printf("  %.*s\n", (int)strcspn(l, "\n"), l);
        if (!strncmp(l, "Tgid:", 5))
            printf("  Tgid is getpid: %d\n", atoi(l + 5) == getpid());
        if (!strncmp(l, "PPid:", 5))
            printf("  PPid is getppid: %d\n", atoi(l + 5) == getppid());
        if (!strncmp(l, "VmExe:", 6))
            kb = strtoull(l + 6, NULL, 10);
    }
    stat_fields(AT_FDCWD, "/proc/self/stat", f, &state);
    printf("  VmExe is stat's code pages: %d\n", kb * 1024 == PAGE_UP(f[27]) - (f[26] & ~(PAGE - 1)));
}

/* smaps: its header lines are maps' lines; each block's Size is its
 * line's length, Rss within it; VmFlags' rd/wr/ex are the permissions. */
static void show_smaps(int dirfd, const char *path)
{
    char heads[1 << 16], *h = heads;
    int blocks = 0, sizes = 0, rss = 0, flags = 0;
    unsigned long long lo = 0, hi = 0, size = 0;
    char perms[8] = "";
    proc_slurp(AT_FDCWD, "/proc/self/maps", maps, sizeof maps);
    proc_slurp(dirfd, path, text, sizeof text);
    heads[0] = 0;
    for (char *l = text; *l; l = strchr(l, '\n') + 1) {
        size_t len = strcspn(l, "\n");
        unsigned long long a, b, v;
        char w[8];
        if (sscanf(l, "%llx-%llx %7s", &a, &b, w) == 3 && l[strcspn(l, " ") - 1] != ':') {
            memcpy(h, l, len + 1), h += len + 1, *h = 0;
            lo = a, hi = b, blocks++, memcpy(perms, w, sizeof w);
        } else if (sscanf(l, "Size: %llu kB", &v) == 1) {
            size = v;
            sizes += v * 1024 == hi - lo;
        } else if (sscanf(l, "Rss: %llu kB", &v) == 1) {
            rss += v <= size;
        } else if (!strncmp(l, "VmFlags:", 8)) {
            bool r = line_has(l, " rd"), wr = line_has(l, " wr"), x = line_has(l, " ex");
            flags += r == (perms[0] == 'r') && wr == (perms[1] == 'w') && x == (perms[2] == 'x');
        }
        if (!l[len])
            break;
    }
    printf("smaps %s: a block for each line, headers %s maps's, Size right %d, Rss within %d, VmFlags rd/wr/ex right %d\n",
           path, !strcmp(heads, maps) ? "equal" : "differ from",
           sizes == blocks, rss == blocks, flags == blocks);
}

static void show_rollup(void)
{
    unsigned long long a, b, lo = ~0ull, hi = 0;
    proc_slurp(AT_FDCWD, "/proc/self/maps", maps, sizeof maps);
    for (char *l = maps; *l; l = strchr(l, '\n') + 1) {
        if (sscanf(l, "%llx-%llx", &a, &b) == 2 && !line_has(l, "[vsyscall]"))
            lo = a < lo ? a : lo, hi = b > hi ? b : hi;
        if (!strchr(l, '\n'))
            break;
    }
    proc_slurp(AT_FDCWD, "/proc/self/smaps_rollup", text, sizeof text);
    bool span = sscanf(text, "%llx-%llx", &a, &b) == 2 && a == lo && b == hi;
    printf("smaps_rollup: spans the maps %d, [rollup] %d\n", span, strstr(text, "[rollup]") != NULL);
}

static void on_usr2(int sig) { (void)sig; }

/* status's "key:" line's value, into out. */
static void status_value(int dirfd, const char *path, const char *key, char *out, size_t cap)
{
    proc_slurp(dirfd, path, text, sizeof text);
    char *l = strstr(text, key);
    size_t n = l ? strcspn(l + strlen(key), "\n") : 0;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), l ? l + strlen(key) : "");
}

static int leader_tid, go[2];

/* A second thread, with SIGTERM blocked as well: its own files show its
 * mask, the process's its leader's, the leader's task file the same. */
static void *second_thread(void *arg)
{
    (void)arg;
    char own[64], proc[64], leader[64], threads[16], path[64];
    unsigned long long f[53] = { 0 };
    char state, c;
    sigset_t set;
    if (read(go[0], &c, 1) != 1)        /* the leader is out of pthread_create (all blocked there) */
        return NULL;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    status_value(AT_FDCWD, "/proc/thread-self/status", "SigBlk:", own, sizeof own);
    status_value(AT_FDCWD, "/proc/self/status", "SigBlk:", proc, sizeof proc);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", leader_tid);
    status_value(AT_FDCWD, path, "SigBlk:", leader, sizeof leader);
    status_value(AT_FDCWD, "/proc/self/status", "Threads:", threads, sizeof threads);
    stat_fields(AT_FDCWD, "/proc/thread-self/stat", f, &state);
    printf("thread: own SigBlk%s, process's%s, leader's%s, Threads%s, own stat blocked %llu threads %llu\n",
           own, proc, leader, threads, f[32], f[20]);
    return NULL;
}

int main(int argc, char **argv, char **envp)
{
    /* signals 32 and 33 as make leaves them (ignored) would differ under
     * qemu-user, which loses that (sig_inherit_internal tests it): set to
     * default with the raw call (glibc's sigaction refuses them) */
    uint64_t dfl[4] = { 0 };
    syscall(SYS_rt_sigaction, 32, dfl, NULL, 8);
    syscall(SYS_rt_sigaction, 33, dfl, NULL, 8);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, on_usr2);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &set, NULL);
    char pid_dir[32];
    snprintf(pid_dir, sizeof pid_dir, "/proc/%d", (int)getpid());
    int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
    int pid = open(pid_dir, O_RDONLY | O_DIRECTORY);

    show_auxv(AT_FDCWD, "/proc/self/auxv", envp);
    show_auxv(self, "auxv", envp);
    show_auxv(pid, "task/../auxv", envp);
    show_stat(AT_FDCWD, "/proc/self/stat", argc, argv, envp);
    show_stat(pid, "stat", argc, argv, envp);
    show_status(AT_FDCWD, "/proc/self/status");
    show_status(self, "status");
    show_smaps(AT_FDCWD, "/proc/self/smaps");
    show_smaps(pid, "smaps");
    show_rollup();
    pthread_t t;
    leader_tid = (int)gettid();
    if (pipe(go) != 0 || pthread_create(&t, NULL, second_thread, NULL) != 0)
        return 1;
    if (write(go[1], "g", 1) != 1)
        return 1;
    pthread_join(t, NULL);
    return 0;
}
