/* fault_handler.c -- synchronous faults delivered to guest handlers: a
 * SIGSEGV handler that siglongjmps out of null-page stores (three times,
 * SA_NODEFER), then a SIGFPE handler for an integer division by zero, then
 * a SIGSEGV handler with SA_SIGINFO that reads si_addr and si_code. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t got[65];
static volatile long fault_addr, fault_code;
static sigjmp_buf recover;

static void on_fault(int sig)
{
    got[sig]++;
    siglongjmp(recover, sig);
}

static void on_fault_info(int sig, siginfo_t *info, void *ctx)
{
    got[sig]++;
    fault_addr = (long)info->si_addr;
    fault_code = info->si_code;
    siglongjmp(recover, 100 + sig);
}

static void install(int sig, int siginfo)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (siginfo) {
        sa.sa_sigaction = on_fault_info;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    } else {
        sa.sa_handler = on_fault;
        sa.sa_flags = SA_NODEFER;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
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
    install(SIGSEGV, 1);
    r = sigsetjmp(recover, 1);
    if (r == 0)
        printf("%d\n", *(volatile int *)0x1238);
    printf("segv with siginfo: recovered with %d, si_addr %#lx, si_code %ld (SEGV_MAPERR=%d)\n",
           r, fault_addr, fault_code, SEGV_MAPERR);
    return 0;
}
