/* sigpending_exec.c -- a blocked signal pending across execve stays
 * blocked and pending in the new image until it decides: the program
 * blocks SIGINT and SIGTERM, sends both to itself (process- and
 * thread-directed), execs itself, and the new image reports them pending,
 * ignores them, unblocks them and lives.  Python's resource tracker is
 * started this way (multiprocessing's test_resource_tracker_sigint sends
 * its SIGINT while the tracker starts up); ferry's start-up once unblocked
 * every host signal before mirroring the guest's mask, and the pending
 * SIGINT killed it. */
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void block_int_term(int how)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(how, &set, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        block_int_term(SIG_BLOCK);
        kill(getpid(), SIGINT);
        syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGTERM);
        execl("/proc/self/exe", argv[0], "after-exec", (char *)0);
        perror("execl");
        return 1;
    }
    sigset_t pending;
    sigpending(&pending);
    printf("after exec: SIGINT %s, SIGTERM %s\n",
           sigismember(&pending, SIGINT) ? "pending" : "not pending",
           sigismember(&pending, SIGTERM) ? "pending" : "not pending");
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    block_int_term(SIG_UNBLOCK);
    sigpending(&pending);
    printf("ignored and unblocked: SIGINT %s; alive\n",
           sigismember(&pending, SIGINT) ? "pending" : "not pending");
    return 0;
}
