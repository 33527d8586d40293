/* signals.c -- signal delivery to guest handlers: raise/kill of SIGUSR1
 * and SIGUSR2 with sigaction (SA_SIGINFO fields), blocked signals pending
 * until unblocked, SIG_IGN. (Faults caught by handlers: fault_handler.c.) */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got[65];
static volatile int last_code;

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
    got[sig]++;
    last_code = info->si_signo == sig ? info->si_code : -1000;
}

static void install(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    install(SIGUSR1);
    install(SIGUSR2);
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

    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored SIGUSR1, still alive\n");
    return 0;
}
