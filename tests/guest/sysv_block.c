/* sysv_block.c -- the waits of SysV IPC and record locks, woken by
 * another process and interrupted by a signal: msgrcv until a child's
 * msgsnd, semop until a child's V, fcntl F_SETLKW until a child's unlock,
 * and a semop that a SIGUSR1 handler without SA_RESTART interrupts
 * (EINTR).  The child repeats the signal until the parent says it got
 * EINTR, so the outcome does not depend on who runs first.  IPC objects
 * are IPC_PRIVATE: no names shared with other tests. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct msg { long type; char text[16]; };
static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { got_usr1 = sig; }

static int sem_add(int id, int n)
{
    struct sembuf op = { 0, (short)n, 0 };
    return semop(id, &op, 1);
}

static void child_serves(int msq, int sem, int lockfd, int go, int done)
{
    char c;
    struct msg m = { 7, "hello" };
    msgsnd(msq, &m, sizeof m.text, 0);
    sem_add(sem, 1);
    read(go, &c, 1);                    /* parent holds no lock yet: release ours */
    struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
    fcntl(lockfd, F_SETLK, &fl);
    for (;;) {                          /* until the parent's EINTR: SIGUSR1 again and again */
        kill(getppid(), SIGUSR1);
        struct timespec ts = { 0, 2000000 };
        nanosleep(&ts, NULL);
        fd_set r;
        FD_ZERO(&r);
        FD_SET(done, &r);
        struct timeval tv = { 0, 0 };
        if (select(done + 1, &r, NULL, NULL, &tv) > 0)
            break;
    }
    _exit(0);
}

int main(void)
{
    int msq = msgget(IPC_PRIVATE, 0600), sem = semget(IPC_PRIVATE, 1, 0600);
    char path[] = "/tmp/sysv_block.XXXXXX";
    int lockfd = mkstemp(path), go[2], done[2];
    if (msq < 0 || sem < 0 || lockfd < 0 || pipe(go) || pipe(done))
        return 1;
    unlink(path);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);      /* no SA_RESTART */
    pid_t pid = fork();
    if (pid == 0) {
        fcntl(lockfd, F_SETLK, &fl);    /* held before its msgsnd: the parent's F_SETLKW waits */
        child_serves(msq, sem, lockfd, go[0], done[0]);
    }
    struct msg m;
    ssize_t n = msgrcv(msq, &m, sizeof m.text, 7, 0);
    printf("msgrcv: %zd %s\n", n, n > 0 ? m.text : strerror(errno));
    printf("semop P after child's V: %d\n", sem_add(sem, -1));
    if (write(go[1], "g", 1) != 1)
        return 1;
    int r;
    while ((r = fcntl(lockfd, F_SETLKW, &fl)) != 0 && errno == EINTR)
        ;                               /* a SIGUSR1 may come early: only the lock counts */
    printf("F_SETLKW after child's unlock: %d\n", r);
    got_usr1 = 0;
    r = sem_add(sem, -1);               /* nobody posts: only a signal ends it */
    printf("semop interrupted: %d %s, handler ran: %d\n", r, r ? strerror(errno) : "", got_usr1 == SIGUSR1);
    if (write(done[1], "d", 1) != 1)
        return 1;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    msgctl(msq, IPC_RMID, NULL);
    semctl(sem, 0, IPC_RMID);
    printf("child: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
