/* monitor_mwait.c -- monitor and mwait in user mode raise SIGILL natively
 * (CPUID.MONITOR is clear, and they are not enabled at CPL 3); ferry does
 * not advertise MONITOR and must raise SIGILL at each of them too. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static sigjmp_buf back;

static void on_signal(int sig)
{
    printf("signal %d\n", sig);
    siglongjmp(back, 1);
}

int main(void)
{
    int word = 0;
    signal(SIGILL, on_signal);
    signal(SIGSEGV, on_signal);
    if (!sigsetjmp(back, 1)) {
        __asm__ volatile("monitor" : : "a"(&word), "c"(0), "d"(0));
        printf("monitor returned\n");
    }
    if (!sigsetjmp(back, 1)) {
        __asm__ volatile("mwait" : : "a"(0), "c"(0));
        printf("mwait returned\n");
    }
    printf("done\n");
    return 0;
}
