/* tc_prog.c -- the persistent translation cache's guest (check-tcache.sh):
 * enough different code (formatting, sorting, parsing, floating point) for
 * a few hundred blocks, and magic(), whose constant the test rewrites in
 * the binary to prove a changed page is never served from the cache.
 * `tc_prog truncate FILE`: FILE (the cache file, under ferry) is truncated
 * half-way through, before code whose records are read only then.
 * `tc_prog handler X`: runs with an SA_SIGINFO SIGSEGV handler installed,
 * so ferry translates in its exact-fault-flags mode (X86_TB_PRECISE).
 * `tc_prog late X`: runs the work once without the handler and once with
 * it (as gnulib's c-stack does in grep, sed, diff...): the same pcs in
 * both modes. */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) int magic(void) { return 0x1234567; }

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)si, (void)ctx;
    _exit(8);
}

static void install_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
}

static int work(int argc, char **argv)
{
    int v[200];
    unsigned s = 12345;
    for (int k = 0; k < 200; k++) {
        s = s * 1103515245u + 12345u;
        v[k] = (int)(s >> 8) % 1000;
    }
    qsort(v, 200, sizeof v[0], cmp_int);
    if (argc > 2 && !strcmp(argv[1], "truncate") && truncate(argv[2], 0) != 0)
        return 9;
    double acc = 0;
    char buf[64];
    for (int k = 0; k < 200; k += 7) {
        snprintf(buf, sizeof buf, "%d.%03d", v[k], k);
        acc += strtod(buf, NULL) * sin(k / 10.0);
    }
    printf("args %d min %d max %d acc %.6f\n", argc, v[0], v[199], acc);
    printf("magic %#x\n", magic());
    printf("%s\n", strchr(argv[0], '/') ? "path" : "name");
    fprintf(stderr, "done\n");
    return 0;
}

int main(int argc, char **argv)
{
    bool late = argc > 2 && !strcmp(argv[1], "late");
    if (argc > 2 && !strcmp(argv[1], "handler"))
        install_handler();
    if (late) {
        if (work(argc, argv))
            return 9;
        install_handler();
    }
    return work(argc, argv) ? 9 : 3;
}
