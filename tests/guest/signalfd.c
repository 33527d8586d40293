/* signalfd.c -- signalfd/signalfd4 (issue 9): signals the program sends
 * itself (raise, kill, sigqueue with a value), a child's exit (SIGCHLD with
 * its status), a signal from another process waking a blocking read, one
 * from another thread, one raised inside a handler whose sa_mask blocks it,
 * poll/epoll readiness, changing the mask of an existing descriptor, a
 * forked child reading its own signals, and bad arguments.  Prints only
 * what is the same on every run (no pids, uids or times as such). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *who(unsigned pid)
{
    return pid == (unsigned)getpid() ? "self" : pid == 0 ? "none" : "other";
}

/* One read; prints the signal, its code, the sender and the fields the
 * signal carries. */
static void read_one(int fd, const char *what)
{
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof si);
    if (n < 0) {
        printf("%s: read -> %s\n", what, strerror(errno));
        return;
    }
    printf("%s: %zd bytes sig=%u code=%d from=%s uid=%s", what, n, si.ssi_signo, si.ssi_code,
           who(si.ssi_pid), si.ssi_uid == getuid() ? "mine" : "other");
    if (si.ssi_code == SI_QUEUE)
        printf(" int=%d", si.ssi_int);
    if (si.ssi_signo == SIGCHLD)
        printf(" status=%d", si.ssi_status);
    printf("\n");
}

static sigset_t set_of(int a, int b, int c)
{
    sigset_t s;
    sigemptyset(&s);
    if (a) sigaddset(&s, a);
    if (b) sigaddset(&s, b);
    if (c) sigaddset(&s, c);
    return s;
}

static void pending_list(const char *what)
{
    sigset_t p;
    sigpending(&p);
    printf("%s pending:", what);
    for (int sig = 1; sig < 65; sig++)
        if (sigismember(&p, sig) == 1)
            printf(" %d", sig);
    printf("\n");
}

static void self_sent(int fd)
{
    read_one(fd, "empty");
    raise(SIGUSR1);
    pending_list("after raise");
    read_one(fd, "raise");
    kill(getpid(), SIGUSR2);
    read_one(fd, "kill");
    sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 });
    read_one(fd, "sigqueue");
    sigset_t rt = set_of(SIGRTMIN + 2, 0, 0);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2,
            &(siginfo_t){ .si_signo = SIGRTMIN + 2, .si_code = SI_QUEUE });
    read_one(fd, "not in mask");
    pending_list("rt");
    int sig = 0;
    sigwait(&rt, &sig);
    printf("sigwait got %s\n", sig == SIGRTMIN + 2 ? "SIGRTMIN+2" : "other");
}

static void child_exit(int fd)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, 10000);
    printf("poll: %d revents=%#x\n", r, p.revents);
    read_one(fd, "child exit");
    waitpid(pid, NULL, 0);
}

/* The child signals after the parent is blocked in read. */
static void from_other_process(void)
{
    sigset_t s = set_of(SIGUSR2, 0, 0);
    int fd = signalfd(-1, &s, SFD_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(20000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof si);
    printf("blocking read: %zd sig=%u from=%s\n", n, si.ssi_signo,
           si.ssi_pid == (unsigned)pid ? "child" : "other");
    waitpid(pid, NULL, 0);
    close(fd);
}

static pthread_t main_thread;
static void *thread_main(void *arg)
{
    pthread_kill(main_thread, SIGUSR1);
    return arg;
}

static void from_thread(int fd)
{
    pthread_t t;
    main_thread = pthread_self();
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    read_one(fd, "from thread");
}

static int handled, read_in_handler = -1;
static int handler_fd;
static void on_usr1(int sig)
{
    handled++;
    raise(SIGUSR2);                     /* blocked by sa_mask */
    struct signalfd_siginfo si;
    read_in_handler = read(handler_fd, &si, sizeof si) == sizeof si ? (int)si.ssi_signo : -errno;
}

/* SIGUSR1 unblocked with a handler: delivered, not readable; SIGUSR2
 * raised inside it (blocked there) is readable. */
static void through_handler(int fd)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    handler_fd = fd;
    sigset_t u1 = set_of(SIGUSR1, 0, 0), u2 = set_of(SIGUSR2, 0, 0);
    sigprocmask(SIG_UNBLOCK, &u1, NULL);
    sigprocmask(SIG_UNBLOCK, &u2, NULL);
    sigprocmask(SIG_BLOCK, &u2, NULL);
    raise(SIGUSR1);
    printf("handled=%d read in handler=%d\n", handled, read_in_handler);
    read_one(fd, "after handler");
    sigprocmask(SIG_BLOCK, &u1, NULL);
    signal(SIGUSR1, SIG_DFL);
}

static void with_epoll(int fd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 }, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    printf("epoll idle: %d\n", epoll_wait(ep, &out, 1, 0));
    raise(SIGUSR2);
    int n = epoll_wait(ep, &out, 1, 1000);
    printf("epoll: %d events=%#x data=%#llx\n", n, out.events, (unsigned long long)out.data.u64);
    read_one(fd, "epoll");
    close(ep);
}

/* A new mask on the same descriptor; an ignored signal still queues while
 * blocked. */
static void change_mask(int fd)
{
    sigset_t s = set_of(SIGWINCH, SIGUSR1, 0);
    sigprocmask(SIG_BLOCK, &s, NULL);
    signal(SIGWINCH, SIG_IGN);
    printf("same fd: %d\n", signalfd(fd, &s, 0) == fd);
    raise(SIGWINCH);
    raise(SIGUSR2);
    read_one(fd, "ignored but blocked");
    read_one(fd, "usr2 now outside");
    sigset_t u2 = set_of(SIGUSR2, 0, 0);
    int sig = 0;
    sigwait(&u2, &sig);
    printf("sigwait: %d\n", sig);
    s = set_of(SIGUSR1, SIGUSR2, SIGCHLD);
    signalfd(fd, &s, 0);
}

static void forked_reader(int fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGUSR1);
        read_one(fd, "child reads its own");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    read_one(fd, "parent after child");
}

static void show(const char *what, long r)
{
    printf("%s: %s\n", what, r >= 0 ? "fd" : strerror(errno));
    if (r >= 0)
        close((int)r);
}

static void bad_args(void)
{
    sigset_t s = set_of(SIGUSR1, 0, 0);
    show("bad size", syscall(SYS_signalfd4, -1, &s, 4, 0));
    show("bad flags", syscall(SYS_signalfd4, -1, &s, 8, 1));
    show("bad mask", syscall(SYS_signalfd4, -1, (void *)8, 8, 0));
    show("not a signalfd", signalfd(0, &s, 0));
    show("closed fd", signalfd(999, &s, 0));
    show("signalfd(2)", syscall(SYS_signalfd, -1, &s, 8));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t s = set_of(SIGUSR1, SIGUSR2, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("signalfd: %s\n", fd >= 0 ? "ok" : strerror(errno));
    self_sent(fd);
    child_exit(fd);
    from_other_process();
    from_thread(fd);
    through_handler(fd);
    with_epoll(fd);
    change_mask(fd);
    forked_reader(fd);
    bad_args();
    pending_list("end");
    return 0;
}
