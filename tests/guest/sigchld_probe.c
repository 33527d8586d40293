/* sigchld_probe.c -- a guest with a SIGCHLD handler sees exactly the
 * SIGCHLDs of its own children.  ferry asks the host whether i386 code
 * runs by a native probe child (x86_machine_probe.c) the first time it
 * needs to know: once at the first sigreturn (before session 32), and at
 * `lar 0x23`, here while the guest's child waits to be reaped and its
 * SIGCHLD was already handled -- the probe's own SIGCHLD once reached the
 * guest then (valgrind's none/tests/coolo_sigaction, with popen).
 * Compared against a native run. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chld_count;

static void on_chld(int sig)
{
    (void)sig;
    chld_count++;
}

/* lar of __USER32_CS: ZF and the access rights, as the machine has them. */
static void lar_user32(void)
{
    uint64_t rights = 0;
    uint8_t zf;
    __asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(rights), "=q"(zf) : "r"((uint64_t)0x23) : "cc");
    printf("lar 0x23: zf=%u rights=%#llx\n", zf, (unsigned long long)(zf ? rights : 0));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { .sa_handler = on_chld, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    while (chld_count == 0)
        sigsuspend(&old);           /* the handler runs, then its sigreturn */
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("after the handler: %d SIGCHLD\n", (int)chld_count);
    lar_user32();                   /* the child is a zombie still */
    int status = 0;
    waitpid(pid, &status, 0);
    printf("child: exit %d; %d SIGCHLD\n", WEXITSTATUS(status), (int)chld_count);
    usleep(20000);                  /* a late stray SIGCHLD would land here */
    printf("at the end: %d SIGCHLD\n", (int)chld_count);
    return 0;
}
