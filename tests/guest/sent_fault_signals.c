/* sent_fault_signals.c -- SIGSEGV and SIGBUS sent by another process
 * (kill, sigqueue) are asynchronous signals like any other: a handler
 * runs (si_code SI_USER / SI_QUEUE, the sender's value), again and again,
 * whether the receiver spins in its own code or waits in pause(), and one
 * without a handler ends it with that signal.  ferry's fault handler once
 * took them for faults of its own and died of the second (valgrind's
 * none/tests/async-sigs).  Compared against a native run.
 *
 * Sent to the thread (tgkill, rt_tgsigqueueinfo: si_code SI_TKILL and
 * SI_QUEUE, the same "sent" path in ferry), not to the process: under
 * qemu-user (the AArch64 build's runs) a process-directed SIGSEGV may land
 * on one of qemu's own threads, which leave SIGSEGV unblocked, and qemu
 * itself dies there (SEGV_MAPERR at 0x220 in its second thread, seen in
 * its core) -- qemu's bug, not ferry's, and the reason this test failed
 * now and then under qemu only.  valgrind's async-sigs (make
 * valgrind-sweep) keeps kill(). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int report[2];       /* child -> parent: one line per handler run */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    char line[64];
    int n = snprintf(line, sizeof line, "%d %d %d\n", sig, si->si_code,
                     si->si_code == SI_QUEUE ? si->si_value.sival_int : 0);
    if (write(report[1], line, (size_t)n) != n)
        _exit(3);
}

static void child(int caught, int block)
{
    struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    sigaction(caught, &sa, NULL);
    alarm(20);               /* a lost signal ends the case */
    if (write(report[1], "ready\n", 6) != 6)
        _exit(3);
    for (volatile unsigned long spin = 0;; spin++)
        if (block)
            pause();
}

/* One line the child wrote, printed. */
static void relay(void)
{
    char c, line[64];
    size_t n = 0;
    while (n < sizeof line - 1 && read(report[0], &c, 1) == 1 && c != '\n')
        line[n++] = c;
    line[n] = 0;
    printf("  got: %s\n", line);
}

static void send(pid_t pid, int sig)
{
    syscall(SYS_tgkill, pid, pid, sig);
}

static void send_value(pid_t pid, int sig, int value)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = value;
    syscall(SYS_rt_tgsigqueueinfo, pid, pid, sig, &si);
}

static void run(int caught, int fatal, int block)
{
    printf("caught %d, fatal %d, %s\n", caught, fatal, block ? "in pause()" : "spinning");
    if (pipe(report) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0)
        child(caught, block);
    close(report[1]);           /* a child that died: EOF, not a hang */
    relay();
    for (int i = 0; i < 3; i++) {
        send(pid, caught);
        relay();
        send_value(pid, caught, 100 + i);
        relay();
    }
    send(pid, fatal);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("  ended by signal %d\n", WTERMSIG(status));
    else
        printf("  exited %d\n", WEXITSTATUS(status));
    close(report[0]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int block = 0; block < 2; block++) {
        run(SIGSEGV, SIGBUS, block);
        run(SIGBUS, SIGSEGV, block);
        run(SIGUSR1, SIGSEGV, block);
    }
    return 0;
}
