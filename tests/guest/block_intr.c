/* block_intr.c -- a signal that comes just before or during a blocking
 * call other than read/poll/futex: open of a FIFO, splice and tee from an
 * empty pipe, sigtimedwait, semop, msgrcv.
 *
 * The storm: a waiter thread enters the call again and again; each time
 * it first arms a timer whose SIGUSR1 (with and without SA_RESTART) comes
 * 0-19 us later, so it lands before, at or after the kernel entry; the
 * main thread waits until the handler has run, and only then releases the
 * call (opens the FIFO's other end, writes the pipe, sends SIGUSR2).
 * Natively the handler always runs before the release.  ferry made these
 * as plain host calls: a signal that came after the guest's syscall
 * instruction but before the host call slept was only recorded, and the
 * handler waited for the release ("lost"; the x86-64 build before
 * syscalls/sys_block.h took them: open(fifo) 22 and 13 of 100, tee 1,
 * sigtimedwait 1 and 4).  With SA_RESTART the first three never return
 * EINTR.
 *
 * Then each call once more, signalled until it returns, never released:
 * which calls return EINTR and which restart (signal(7): sigtimedwait,
 * semop and msgrcv fail with EINTR even with SA_RESTART; ferry restarted
 * semop and msgrcv).  The signals are paced by a poll on the waiter's
 * answer, not counted on.
 *
 * The storm here runs open(fifo) and sigtimedwait (both builds);
 * block_intr_pipe.c includes this file for splice and tee, x86-64 only:
 * qemu-user makes those as plain host calls and loses a few signals per
 * thousand itself (tests/qemu/safe_read_a64.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid  /* glibc before 2.38 */
#endif

enum op { OP_OPEN, OP_SPLICE, OP_TEE, OP_SIGWAIT, OP_SEMOP, OP_MSGRCV, NOPS };
static const char *const op_name[NOPS] = { "open(fifo)", "splice", "tee", "sigtimedwait",
                                           "semop", "msgrcv" };
enum { ROUNDS = 100, QUIT = 0xff };
/* The calls the storm runs, and whether each call then runs once more. */
#ifndef BLOCK_INTR_STORM
#define BLOCK_INTR_STORM { OP_OPEN, OP_SIGWAIT }
#define BLOCK_INTR_ONCE 1
#endif
static const int storm_ops[] = BLOCK_INTR_STORM;

static char fifo[64];
static int src[2], dst[2], go[2], done[2], ack[2], sem, msq;
static int armed;                       /* the waiter took its command */
static long delay_ns;                   /* the timer's SIGUSR1 this long after arming */
static timer_t timer;
static pthread_t waiter;

static void on_usr1(int sig)
{
    char c = (char)sig;
    write(ack[1], &c, 1);
}

static void set_usr1(int flags)
{
    struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
    sigaction(SIGUSR1, &sa, NULL);
}

static int call(int op)
{
    char c;
    int fd;
    sigset_t usr2;
    struct sembuf p = { 0, -1, 0 };
    struct { long type; char text[8]; } m;
    switch (op) {
    case OP_OPEN:
        fd = open(fifo, O_RDONLY);
        return fd < 0 ? -1 : close(fd);
    case OP_SPLICE:
        if (splice(src[0], NULL, dst[1], NULL, 1, 0) != 1)
            return -1;
        return read(dst[0], &c, 1) == 1 ? 0 : -2;
    case OP_TEE:
        if (tee(src[0], dst[1], 1, 0) != 1)
            return -1;
        return read(dst[0], &c, 1) == 1 && read(src[0], &c, 1) == 1 ? 0 : -2;
    case OP_SIGWAIT:
        sigemptyset(&usr2);
        sigaddset(&usr2, SIGUSR2);
        return sigtimedwait(&usr2, NULL, NULL) == SIGUSR2 ? 0 : -1;
    case OP_SEMOP:
        return semop(sem, &p, 1);
    default:
        return msgrcv(msq, &m, sizeof m.text, 1, 0) < 0 ? -1 : 0;
    }
}

static void release(int op)
{
    struct sembuf v = { 0, 1, 0 };
    struct { long type; char text[8]; } m = { 1, "x" };
    if (op == OP_OPEN)
        close(open(fifo, O_WRONLY));
    else if (op == OP_SPLICE || op == OP_TEE)
        write(src[1], "x", 1);
    else if (op == OP_SIGWAIT)
        pthread_kill(waiter, SIGUSR2);
    else if (op == OP_SEMOP)
        semop(sem, &v, 1);
    else
        msgsnd(msq, &m, sizeof m.text, 0);
}

/* The next command byte; a SIGUSR1 that interrupt() sent just as the call
 * returned may land in this read (it has no SA_RESTART for the first
 * calls): read again rather than take it for the end. */
static int next_command(unsigned char *cmd)
{
    ssize_t n;
    while ((n = read(go[0], cmd, 1)) == -1 && errno == EINTR)
        ;
    return n == 1 && *cmd != QUIT;
}

/* The waiter: per command byte (op, bit 7: once, no retry), says it took
 * it, arms the timer (not once), calls (again after each EINTR unless
 * once), answers with the number of EINTRs, or the errno of the one call. */
static void *waiter_main(void *arg)
{
    unsigned char cmd;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };
    ev.sigev_notify_thread_id = gettid();       /* the timer's signal comes to this thread */
    if (timer_create(CLOCK_MONOTONIC, &ev, &timer))
        return arg;
    while (next_command(&cmd)) {
        int op = cmd & 0x7f, once = cmd & 0x80, r;
        unsigned char eintr = 0;
        __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
        if (!once) {
            struct itimerspec its = { .it_value = { 0, delay_ns ? delay_ns : 1 } };
            timer_settime(timer, 0, &its, NULL);
        }
        while ((r = call(op)) == -1 && errno == EINTR && !once)
            eintr++;
        unsigned char answer = once ? (unsigned char)(r ? errno : 0) : eintr;
        write(done[1], &answer, 1);
    }
    return arg;
}

static void command(int cmd)
{
    unsigned char c = (unsigned char)cmd;
    __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
    write(go[1], &c, 1);
    while (!__atomic_load_n(&armed, __ATOMIC_SEQ_CST))
        sched_yield();
}

static int handler_ran(void)
{
    struct pollfd p = { ack[0], POLLIN, 0 };
    char c;
    if (poll(&p, 1, 5000) != 1)         /* natively microseconds */
        return 0;
    return read(ack[0], &c, 1) == 1;
}

static void storm(int op, int flags)
{
    int lost = 0, eintr = 0;
    set_usr1(flags);
    for (int i = 0; i < ROUNDS; i++) {
        delay_ns = (i % 64) * 300;      /* 0-19 us: before, at and after the kernel entry */
        command(op);
        int ran = handler_ran();
        release(op);
        unsigned char n;
        read(done[0], &n, 1);
        eintr += n;
        if (!ran) {
            lost++;
            char c;
            read(ack[0], &c, 1);        /* it ran late: take its byte */
        }
    }
    printf("%s, %s: %d signals, lost %d", op_name[op], flags ? "SA_RESTART" : "no SA_RESTART",
           ROUNDS, lost);
    if (flags && op != OP_SIGWAIT)
        printf(", EINTR %d", eintr);
    putchar('\n');
}

/* Signals until the one call returns; the answer, then the release's
 * leftovers taken back so the next call starts clean. */
static void interrupt(int op, int flags)
{
    set_usr1(flags);
    command(op | 0x80);
    struct pollfd p = { done[0], POLLIN, 0 };
    int rounds = 0;
    while (poll(&p, 1, 1) == 0 && ++rounds < 20000)
        pthread_kill(waiter, SIGUSR1);
    if (rounds >= 20000)
        release(op);                    /* restarted for ever: let it end */
    unsigned char err;
    read(done[0], &err, 1);
    printf("%s once, %s, signalled until it returned: %s\n", op_name[op],
           flags ? "SA_RESTART" : "no SA_RESTART", rounds >= 20000 ? "only the release ended it"
                                                                   : strerror(err));
    char c;
    while (poll(&(struct pollfd){ ack[0], POLLIN, 0 }, 1, 0) == 1)
        read(ack[0], &c, 1);
}

int main(void)
{
    snprintf(fifo, sizeof fifo, "/tmp/block_intr.%d", (int)getpid());
    sem = semget(IPC_PRIVATE, 1, 0600);
    msq = msgget(IPC_PRIVATE, 0600);
    if (mkfifo(fifo, 0600) || pipe(src) || pipe(dst) || pipe(go) || pipe(done) ||
        pipe(ack) || sem < 0 || msq < 0)
        return 1;
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);    /* for sigtimedwait, in every thread */
    sigaddset(&usr2, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);    /* the waiter unblocks it */
    set_usr1(0);
    pthread_create(&waiter, NULL, waiter_main, NULL);
    for (size_t k = 0; k < sizeof storm_ops / sizeof storm_ops[0]; k++) {
        storm(storm_ops[k], 0);
        storm(storm_ops[k], SA_RESTART);
    }
    for (int op = 0; BLOCK_INTR_ONCE && op < NOPS; op++)
        interrupt(op, op < OP_SIGWAIT ? 0 : SA_RESTART);
    unsigned char quit = QUIT;
    write(go[1], &quit, 1);
    pthread_join(waiter, NULL);
    unlink(fifo);
    semctl(sem, 0, IPC_RMID);
    msgctl(msq, IPC_RMID, NULL);
    return 0;
}
