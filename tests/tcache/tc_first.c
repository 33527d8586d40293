/* tc_first.c -- the warm run's first translation away from the main
 * thread: in a guest thread, in a signal handler, in a forked child.
 *
 *   tc_first o|n thread|signal|fork
 *
 * 'o' and 'n' take the same path through main (a table picks the
 * function, no branch differs): 'o' calls seen(), 'n' calls fresh(),
 * code the 'o' run never ran.  After an 'o' run has filled the cache,
 * an 'n' run restores main's blocks and translates nothing until
 * fresh() runs in the thread, the handler or the child: there the
 * translator's lazily built state (the x86 dispatch index, the decoder's
 * slots carved from the tables region) is first used. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static long seen(long x)
{
    return x * 3 + 1;
}

/* A few dozen blocks: a loop with a division, shifts, a float sum. */
__attribute__((noinline)) static long fresh(long x)
{
    unsigned long h = 1469598103934665603ul;
    for (long i = 0; i < x * 100; i++) {
        h ^= (unsigned long)i * 0x9e3779b97f4a7c15ul;
        h = (h << 13 | h >> 51) + (i & 7 ? h / 3 : h % 1000003);
    }
    double d = 0;
    for (long i = 1; i <= x; i++)
        d += 1.0 / (double)i;
    return (long)(h & 0xffffffff) ^ (long)(d * 1e6);
}

static long (*const pick[2])(long) = { fresh, seen };
static long (*volatile use)(long);
static volatile long result;

static void *thread_main(void *arg)
{
    result = use((long)arg);
    return NULL;
}

static void on_usr1(int sig)
{
    (void)sig;
    result = use(9);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    use = pick[argv[1][0] & 1];     /* 'n' (0x6e): fresh, 'o' (0x6f): seen */
    if (!strcmp(argv[2], "thread")) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_main, (void *)7L) || pthread_join(t, NULL))
            return 3;
    } else if (!strcmp(argv[2], "signal")) {
        struct sigaction sa = { .sa_handler = on_usr1 };
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGUSR1, &sa, NULL) || raise(SIGUSR1))
            return 4;
    } else if (!strcmp(argv[2], "fork")) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            return 5;
        if (pid == 0) {
            result = use(11);
            printf("child %ld\n", (long)result);
            fflush(stdout);
            _exit(0);
        }
        int st = 0;
        if (waitpid(pid, &st, 0) != pid)
            return 6;
        printf("child status %d\n", st);
        return 0;
    } else {
        return 7;
    }
    printf("%s %ld\n", argv[2], (long)result);
    return 0;
}
