/* exec_verdict.c -- the kernel's verdict on a program file, for the fuzzed
 * ELF corpus (check-reliab.sh): runs PROGRAM natively and writes on fd 3
 * one word: "refused" (execve returned an error, named after it),
 * "killed" (the kernel failed after the point of no return and killed the
 * process before any instruction ran: no exec stop under ptrace) or "ran"
 * (the program was loaded; its own output, and its status as a shell
 * gives it, follow).  Run natively only (it is an x86-64 host program).
 *
 *   exec_verdict PROGRAM ARGS... 3> VERDICT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *verdict;

/* The program's end as its own: its exit status, or the same signal
 * raised here (a shell then reports it as it would the program's). */
static int end_like(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    signal(WTERMSIG(st), SIG_DFL);
    raise(WTERMSIG(st));
    return 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    fcntl(3, F_SETFD, FD_CLOEXEC);
    verdict = fdopen(3, "w");
    if (!verdict)
        verdict = stderr;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(argv[1], &argv[1]);
        fprintf(verdict, "refused %s\n", strerrorname_np(errno));
        fflush(verdict);
        _exit(126);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 2;
    if (WIFSTOPPED(st)) {
        /* the exec stop (SIGTRAP) comes before the first instruction; a
         * signal before it is the kernel's, at exec */
        int sig = WSTOPSIG(st);
        fprintf(verdict, "%s\n", sig == SIGTRAP ? "ran" : "killed");
        fflush(verdict);
        ptrace(PTRACE_DETACH, pid, 0, sig == SIGTRAP ? 0 : sig);
        if (waitpid(pid, &st, 0) != pid)
            return 2;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 126) {
        fprintf(verdict, "killed\n");
        fflush(verdict);
    }
    return end_like(st);
}
