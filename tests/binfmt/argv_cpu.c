/* argv_cpu.c -- prints its argv; with --cpu also the CPUID brand string,
 * which tells whether it ran under ferry; with --ids its real and
 * effective user and group ids and AT_SECURE (binfmt_misc's C flag); with
 * --exec PROGRAM ARGS... it then execs PROGRAM, with --exec-as NAME
 * PROGRAM ARGS... it execs PROGRAM with argv[0] NAME, which only
 * binfmt_misc's P flag keeps; with --limits it prints its RLIMIT_AS and
 * RLIMIT_DATA and whether 200 MiB more can be mapped under them, with --lim-exec KIB PROGRAM ARGS... it lowers its soft
 * RLIMIT_AS to KIB KiB and execs PROGRAM (check-binfmt.sh: the guest's
 * limits across an exec the kernel runs itself). */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static void print_brand(void)
{
    unsigned r[12];
    for (unsigned l = 0; l < 3; l++)
        __cpuid(0x80000002 + l, r[4 * l], r[4 * l + 1], r[4 * l + 2], r[4 * l + 3]);
    printf("cpu: %.48s\n", (char *)r);
}

static void print_limit(const char *name, int resource)
{
    struct rlimit r;
    if (getrlimit(resource, &r) != 0) {
        perror("getrlimit");
        return;
    }
    printf("%s soft %lld hard %lld\n", name, (long long)r.rlim_cur, (long long)r.rlim_max);
}

/* 200 MiB fit natively under the limits check-binfmt.sh sets (293 and
 * 390 MiB); under ferry only if its own memory is not counted. */
static void print_room(void)
{
    size_t size = (size_t)200 << 20;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap 200 MiB: %s\n", p == MAP_FAILED ? "failed" : "ok");
    if (p != MAP_FAILED)
        munmap(p, size);
}

/* Lowers the soft RLIMIT_AS to KIB KiB, then execs argv[0]. */
static int lim_exec(const char *kib, char **argv)
{
    struct rlimit r;
    getrlimit(RLIMIT_AS, &r);
    r.rlim_cur = strtoull(kib, NULL, 10) << 10;
    if (setrlimit(RLIMIT_AS, &r) != 0)
        perror("setrlimit");
    fflush(stdout);
    execv(argv[0], argv);
    perror("execv");
    return 126;
}

int main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    if (argc > 1 && strcmp(argv[1], "--cpu") == 0)
        print_brand();
    if (argc > 1 && strcmp(argv[1], "--ids") == 0)
        printf("uid %d euid %d gid %d egid %d secure %lu\n", (int)getuid(), (int)geteuid(),
               (int)getgid(), (int)getegid(), getauxval(AT_SECURE));
    if (argc > 1 && strcmp(argv[1], "--limits") == 0) {
        print_limit("RLIMIT_AS", RLIMIT_AS);
        print_limit("RLIMIT_DATA", RLIMIT_DATA);
        print_room();
    }
    if (argc > 3 && strcmp(argv[1], "--lim-exec") == 0)
        return lim_exec(argv[2], &argv[3]);
    if (argc > 2 && strcmp(argv[1], "--exec") == 0) {
        fflush(stdout);
        execv(argv[2], &argv[2]);
        perror("execv");
        return 126;
    }
    if (argc > 3 && strcmp(argv[1], "--exec-as") == 0) {
        fflush(stdout);
        char *prog = argv[3];
        argv[3] = argv[2];
        execv(prog, &argv[3]);
        perror("execv");
        return 126;
    }
    return argc;
}
