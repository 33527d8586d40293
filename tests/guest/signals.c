/* signals.c -- signal delivery to guest handlers: raise/kill of SIGUSR1
 * with sigaction (SA_SIGINFO fields), blocked signals pending until
 * unblocked, a SIGSEGV handler that longjmps out of a fault, SIGFPE from a
 * division by zero caught likewise, and alarm-free SIGALRM via setitimer-less
 * raise. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got[65];
static volatile int last_code;
static sigjmp_buf recover;

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
    got[sig]++;
    last_code = info->si_signo == sig ? info->si_code : -1000;
}

static void on_fault(int sig)
{
    got[sig]++;
    siglongjmp(recover, sig);
}

static void install(int sig, int siginfo)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (siginfo) {
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO;
    } else {
        sa.sa_handler = on_fault;
        sa.sa_flags = SA_NODEFER;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
    install(SIGUSR1, 1);
    install(SIGUSR2, 1);
    raise(SIGUSR1);
    printf("after raise: SIGUSR1 x%d code %d (SI_TKILL=%d)\n", got[SIGUSR1],
           last_code, SI_TKILL);
    kill(getpid(), SIGUSR2);
    printf("after kill: SIGUSR2 x%d code %d (SI_USER=%d)\n", got[SIGUSR2],
           last_code, SI_USER);

    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    printf("blocked: delivered x%d, pending %d\n", got[SIGUSR1],
           sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: delivered x%d\n", got[SIGUSR1]);

    install(SIGSEGV, 0);
    install(SIGFPE, 0);
    for (int i = 0; i < 3; i++) {
        int r = sigsetjmp(recover, 1);
        if (r == 0)
            *(volatile int *)(long)(8 * i) = i;
        printf("segv round %d: recovered with %d, count %d\n", i, r, got[SIGSEGV]);
    }
    volatile int zero = argc - 1;
    int r = sigsetjmp(recover, 1);
    if (r == 0)
        printf("%d\n", 7 / zero);
    printf("fpe: recovered with %d, count %d\n", r, got[SIGFPE]);

    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored SIGUSR1, still alive\n");
    return 0;
}
