/* fork.c -- fork, pipe and waitpid: the child writes through a pipe and
 * exits with a status; another child dies by a signal; the parent reports
 * both (wait status decoding). Output only from the parent, in order. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char msg[64];
        int n = snprintf(msg, sizeof msg, "child computed %d", 6 * 7);
        write(fds[1], msg, n);
        _exit(7);
    }
    close(fds[1]);
    char buf[128] = { 0 };
    int total = 0, n;
    while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    int status;
    waitpid(pid, &status, 0);
    printf("parent read \"%s\"\n", buf);
    printf("child exited %d with %d\n", WIFEXITED(status), WEXITSTATUS(status));

    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("second child signaled %d by %d\n", WIFSIGNALED(status), WTERMSIG(status));
    return 0;
}
