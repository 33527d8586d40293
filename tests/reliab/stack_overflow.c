/* stack_overflow.c -- the main stack as Linux makes it: RLIMIT_STACK deep,
 * then a guard gap.
 *   stack_overflow altstack   recurses forever; the SIGSEGV handler runs
 *                             on a sigaltstack and exits 42
 *   stack_overflow deep MIB   recursion using MIB MiB of stack, then returns
 *   stack_overflow die        recurses forever without a handler (SIGSEGV) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_segv(int sig)
{
    static const char msg[] = "caught SIGSEGV on the alternate stack\n";
    write(1, msg, sizeof msg - 1);
    _exit(42);
}

/* 1 KiB per frame, which the compiler cannot fold away. */
static long recurse(long n, long limit)
{
    volatile char frame[1024];
    memset((char *)frame, (int)n, sizeof frame);
    if (limit && n >= limit)
        return frame[n % 1024];
    return recurse(n + 1, limit) + frame[(n * 7) % 1024];
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "altstack";
    if (!strcmp(mode, "deep")) {
        long mib = argc > 2 ? atol(argv[2]) : 4;
        printf("deep %ld MiB: %ld\n", mib, recurse(0, mib * 1024 - 64));
        return 0;
    }
    if (!strcmp(mode, "altstack")) {
        stack_t ss = { .ss_sp = malloc(1 << 16), .ss_size = 1 << 16 };
        struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_ONSTACK };
        sigaltstack(&ss, NULL);
        sigaction(SIGSEGV, &sa, NULL);
    }
    fflush(stdout);
    return (int)recurse(0, 0);
}
