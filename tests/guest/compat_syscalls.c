/* compat_syscalls.c -- the system calls real programs made ferry answer
 * ENOSYS/EINVAL to (issue 9): set*id/get*id and groups, fs ids,
 * capget/capset, prctl options of glibc and util-linux, POSIX timers
 * (SIGEV_SIGNAL with siginfo, SIGEV_THREAD_ID, SIGEV_NONE, glibc's SIGEV_THREAD,
 * real-time signals from the kernel and from another process), System V shared
 * memory (attached at chosen addresses, SHM_RND, SHM_RDONLY, code run from
 * a SHM_EXEC segment), semaphores and message queues, inotify, ioprio,
 * sched_* policies, sendmmsg/recvmmsg.  Prints only what is the same on
 * every run (no ids, times or addresses).  Credential changes happen in
 * forked children so the next section starts from the same identity. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#define R(expr) report(#expr, (long)(expr))
static void report(const char *what, long r)
{
    if (r == -1) printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else printf("%s = %ld\n", what, r);
}

static void in_child(void (*fn)(void))
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) { fn(); fflush(stdout); _exit(0); }
    int st;
    waitpid(p, &st, 0);
    printf("child status %d\n", st);
}

/* ---- credentials ---------------------------------------------------- */
static void print_ids(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs, groups[16];
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    int n = getgroups(16, groups);
    printf("  uid %u %u %u gid %u %u %u groups", r, e, s, gr, ge, gs);
    for (int i = 0; i < n; i++) printf(" %u", groups[i]);
    printf("\n");
}

static void print_caps(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    long r = syscall(SYS_capget, &h, d);
    printf("  capget %ld version %#x eff %#x/%#x perm %#x/%#x inh %#x/%#x\n", r, h.version,
           d[0].effective, d[1].effective, d[0].permitted, d[1].permitted,
           d[0].inheritable, d[1].inheritable);
}

static void ids_child(void)
{
    gid_t g[3] = { 5, 6, 7 };
    R(setgroups(3, g));
    R(setresgid(100, 200, 300));
    R(setregid(-1, 201));
    R(setfsgid(42));
    R(setfsgid(-1));
    R(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    R(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    R(setresuid(1000, 1001, 1002));
    print_ids();
    print_caps();
    R(setreuid(-1, 1000));
    R(setfsuid(1001));
    R(setfsuid(-1));
    R(setuid(1002));
    print_ids();
    R(setuid(0));
    R(setgroups(0, NULL));
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
    R(syscall(SYS_capset, &h, d));
    print_caps();
}

static void caps_child(void)
{
    print_caps();
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    syscall(SYS_capget, &h, d);
    d[0].effective &= ~(1u << CAP_CHOWN);
    d[0].inheritable |= 1u << CAP_KILL;
    R(syscall(SYS_capset, &h, d));
    print_caps();
    R(prctl(PR_CAPBSET_READ, CAP_SETUID, 0, 0, 0));
    R(prctl(PR_CAPBSET_DROP, CAP_SETUID, 0, 0, 0));
    R(prctl(PR_CAPBSET_READ, CAP_SETUID, 0, 0, 0));
    R(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
    R(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
    R(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
    R(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
    R(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    R(prctl(PR_SET_SECUREBITS, 1 << 4 /* SECBIT_KEEP_CAPS */, 0, 0, 0));
    R(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    R(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    R(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    /* a version the kernel does not know: it answers with its own */
    struct __user_cap_header_struct bad = { 0x12345678, 0 };
    R(syscall(SYS_capget, &bad, NULL));
    printf("  preferred version %#x\n", bad.version);
}

static void test_creds(void)
{
    printf("== credentials\n");
    print_ids();
    in_child(ids_child);
    in_child(caps_child);
}

/* ---- prctl ------------------------------------------------------------ */
static void prctl_child(void)
{
    char name[32] = "";
    R(prctl(PR_SET_NAME, "ferry-test-name", 0, 0, 0));
    R(prctl(PR_GET_NAME, name, 0, 0, 0));
    printf("  name %s\n", name);
    int sig = -1;
    R(prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0));
    R(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
    printf("  pdeathsig %d\n", sig);
    R(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    R(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
    R(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    /* PR_SET/GET_CHILD_SUBREAPER, PR_GET_THP_DISABLE and PR_GET_SECCOMP
     * pass through too, but qemu-user (which runs the AArch64 build here)
     * refuses them itself: not compared. */
    R(prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0));
    R(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    R(prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)m, 8192, (unsigned long)"ferry"));
    R(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    R(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    R(prctl(12345, 0, 0, 0, 0));
}

/* ---- POSIX timers ----------------------------------------------------- */
static volatile sig_atomic_t timer_hits, timer_code, timer_value;
static timer_t timer_current;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    timer_hits++;
    timer_code = si->si_code;
    timer_value = si->si_value.sival_int + sig;
}

static void arm(timer_t t, long first_ns, long interval_ns)
{
    struct itimerspec its = { { 0, interval_ns }, { 0, first_ns } };
    R(timer_settime(t, 0, &its, NULL));
}

/* Waits until *flag >= n; the signals stay blocked between the test and
 * sigsuspend, or one arriving in between would be waited for forever. */
static void wait_for(volatile sig_atomic_t *flag, int n)
{
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    while (*flag < n) sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void wait_hits(int n) { wait_for(&timer_hits, n); }

static pid_t worker_tid;
static volatile int worker_ready;
static int worker_got;

static void *worker(void *arg)
{
    (void)arg;
    sigset_t set;
    siginfo_t si;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    worker_tid = gettid();
    __atomic_store_n(&worker_ready, 1, __ATOMIC_SEQ_CST);
    int sig = sigwaitinfo(&set, &si);
    worker_got = sig == SIGUSR2 && si.si_code == SI_TIMER ? si.si_value.sival_int : -1;
    return NULL;
}

/* Real-time signals from the kernel: a SIGRTMIN+3 timer, SIGRTMIN+1 from
 * another process (with sigqueue's value), and glibc's SIGEV_THREAD,
 * whose helper thread waits for the kernel's SIGTIMER (32). */
static volatile sig_atomic_t rt_hits[4];
static volatile int rt_values[4];
static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    int i = sig - SIGRTMIN;
    if (i >= 0 && i < 4) { rt_hits[i]++; rt_values[i] = si->si_value.sival_int; }
}

static volatile int thread_notified;
static void notify_fn(union sigval v)
{
    __atomic_add_fetch(&thread_notified, v.sival_int, __ATOMIC_SEQ_CST);
}

static void test_rt_timers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigaction(SIGRTMIN + 3, &sa, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 3;
    ev.sigev_value.sival_int = 333;
    timer_t t;
    R(timer_create(CLOCK_MONOTONIC, &ev, &t));
    arm(t, 3000000, 0);
    wait_for(&rt_hits[3], 1);
    printf("  SIGRTMIN+3 timer: hits %d value %d\n", rt_hits[3], rt_values[3]);
    R(timer_delete(t));
    fflush(stdout);
    pid_t parent = getpid(), c = fork();
    if (c == 0) {
        sigqueue(parent, SIGRTMIN + 1, (union sigval){ .sival_int = 111 });
        _exit(0);
    }
    wait_for(&rt_hits[1], 1);
    waitpid(c, NULL, 0);
    printf("  SIGRTMIN+1 from a child: hits %d value %d\n", rt_hits[1], rt_values[1]);
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = notify_fn;
    ev.sigev_value.sival_int = 5;
    R(timer_create(CLOCK_MONOTONIC, &ev, &t));
    arm(t, 2000000, 0);
    while (__atomic_load_n(&thread_notified, __ATOMIC_SEQ_CST) < 5) sched_yield();
    arm(t, 1000000, 0);
    while (__atomic_load_n(&thread_notified, __ATOMIC_SEQ_CST) < 10) sched_yield();
    printf("  SIGEV_THREAD notified %d\n", thread_notified);
    R(timer_delete(t));
}

static void test_timers(void)
{
    printf("== timers\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 1000;
    R(timer_create(CLOCK_MONOTONIC, &ev, &timer_current));
    arm(timer_current, 5000000, 0);
    wait_hits(1);
    /* (si_timerid is not printed: qemu-user, under which the AArch64
     * build runs here, gives its own timer ids, not the kernel's.) */
    printf("  hits %d code_is_SI_TIMER %d value %d\n", timer_hits, timer_code == SI_TIMER,
           timer_value);
    arm(timer_current, 1000000, 2000000);
    wait_hits(4);
    struct itimerspec cur;
    R(timer_gettime(timer_current, &cur));
    printf("  periodic: interval %ld ns, armed %d\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);
    arm(timer_current, 0, 0);
    R(timer_gettime(timer_current, &cur));
    printf("  disarmed: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    R(timer_getoverrun(timer_current) >= 0);
    R(timer_delete(timer_current));
    R(timer_gettime(timer_current, &cur));

    ev.sigev_notify = SIGEV_NONE;
    timer_t quiet;
    R(timer_create(CLOCK_REALTIME, &ev, &quiet));
    struct itimerspec its = { { 0, 0 }, { 100, 0 } };
    R(timer_settime(quiet, 0, &its, NULL));
    R(timer_gettime(quiet, &cur));
    printf("  SIGEV_NONE armed %d\n", cur.it_value.tv_sec > 90);
    R(timer_delete(quiet));

    /* SIGEV_THREAD_ID: SIGUSR2 to one thread, which waits for it blocked. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    while (!__atomic_load_n(&worker_ready, __ATOMIC_SEQ_CST)) sched_yield();
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR2;
    ev.sigev_value.sival_int = 77;
    ev._sigev_un._tid = worker_tid;
    timer_t to_thread;
    R(timer_create(CLOCK_MONOTONIC, &ev, &to_thread));
    arm(to_thread, 2000000, 0);
    pthread_join(th, NULL);
    printf("  thread timer value %d\n", worker_got);
    R(timer_delete(to_thread));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ev._sigev_un._tid = 0x7ffffff0;           /* no such thread */
    R(timer_create(CLOCK_MONOTONIC, &ev, &to_thread));
    test_rt_timers();
}

/* ---- System V shared memory --------------------------------------------- */
static const unsigned char ret42[] = { 0xb8, 42, 0, 0, 0, 0xc3 };   /* mov eax,42; ret */

static void test_shm(void)
{
    printf("== shm\n");
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    printf("  shmget ok %d\n", id >= 0);
    char *p = shmat(id, NULL, 0);
    printf("  shmat ok %d\n", p != (void *)-1);
    strcpy(p, "hello shm");
    char *ro = shmat(id, NULL, SHM_RDONLY);
    printf("  read-only alias sees: %s\n", ro);
    /* a chosen, unaligned address: SHM_RND rounds it down to SHMLBA */
    char *hole = mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 1 << 20);
    char *want = hole + 3 * 4096 + 123;
    char *at = shmat(id, want, SHM_RND);
    printf("  SHM_RND rounded %d, sees: %s\n", at == hole + 3 * 4096, at);
    char *bad = shmat(id, want, 0);
    printf("  unaligned without SHM_RND: %s\n", bad == (void *)-1 ? strerrorname_np(errno) : "ok");
    struct shmid_ds ds;
    R(shmctl(id, IPC_STAT, &ds));
    printf("  segsz %zu nattch %lu mode %o\n", ds.shm_segsz, (unsigned long)ds.shm_nattch,
           ds.shm_perm.mode & 0777);
    fflush(stdout);
    if (fork() == 0) { strcpy(at + 6, "from child"); _exit(0); }
    wait(NULL);
    printf("  after child: %s\n", p);
    R(shmdt(ro));
    R(shmdt(at));
    R(shmdt(at));
    /* code in a SHM_EXEC segment, rewritten through a second mapping */
    char *x = shmat(id, NULL, SHM_EXEC);
    memcpy(p + 4096, ret42, sizeof ret42);
    int (*fn)(void) = (int (*)(void))(x + 4096);
    printf("  code in shm returns %d\n", fn());
    p[4096 + 1] = 43;
    printf("  rewritten through the alias: %d\n", fn());
    R(shmdt(x));
    R(shmdt(p));
    R(shmctl(id, IPC_RMID, NULL));
    R(shmctl(id, IPC_STAT, &ds));
    struct shminfo info;
    printf("  IPC_INFO ok %d\n", shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0);
}

/* ---- semaphores and message queues ---------------------------------------- */
union semun { int val; struct semid_ds *buf; unsigned short *array; };

static void test_sem(void)
{
    printf("== sem\n");
    int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0640);
    printf("  semget ok %d\n", id >= 0);
    unsigned short vals[3] = { 1, 2, 3 }, out[3];
    R(semctl(id, 0, SETALL, (union semun){ .array = vals }));
    struct sembuf ops[2] = { { 0, 5, 0 }, { 2, -3, 0 } };
    R(semop(id, ops, 2));
    R(semctl(id, 0, GETALL, (union semun){ .array = out }));
    printf("  values %u %u %u\n", out[0], out[1], out[2]);
    R(semctl(id, 1, GETVAL));
    R(semctl(id, 1, SETVAL, (union semun){ .val = 9 }));
    R(semctl(id, 1, GETVAL));
    struct semid_ds ds;
    memset(&ds, 0, sizeof ds);
    R(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    printf("  nsems %lu mode %o otime_set %d\n", (unsigned long)ds.sem_nsems,
           ds.sem_perm.mode & 0777, ds.sem_otime != 0);
    ds.sem_perm.mode = 0604;
    R(semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
    memset(&ds, 0, sizeof ds);
    R(semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    printf("  mode now %o nsems %lu\n", ds.sem_perm.mode & 0777, (unsigned long)ds.sem_nsems);
    struct sembuf take = { 2, -1, 0 };
    struct timespec ts = { 0, 1000000 };
    R(semtimedop(id, &take, 1, &ts));
    take.sem_flg = IPC_NOWAIT;
    R(semop(id, &take, 1));
    struct seminfo si;
    printf("  SEM_INFO ok %d\n", semctl(0, 0, SEM_INFO, (union semun){ .buf = (void *)&si }) >= 0);
    R(semctl(id, 0, IPC_RMID));
    R(semctl(id, 0, GETVAL));
}

struct msg { long type; char text[32]; };

static void test_msg(void)
{
    printf("== msg\n");
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    printf("  msgget ok %d\n", id >= 0);
    struct msg m1 = { 1, "first" }, m2 = { 2, "second" }, in;
    R(msgsnd(id, &m1, strlen(m1.text) + 1, 0));
    R(msgsnd(id, &m2, strlen(m2.text) + 1, 0));
    struct msqid_ds ds;
    R(msgctl(id, IPC_STAT, &ds));
    printf("  qnum %lu cbytes %lu\n", (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes);
    R(msgrcv(id, &in, sizeof in.text, 2, 0));
    printf("  got type %ld %s\n", in.type, in.text);
    R(msgrcv(id, &in, sizeof in.text, 0, 0));
    printf("  got type %ld %s\n", in.type, in.text);
    R(msgrcv(id, &in, sizeof in.text, 0, IPC_NOWAIT));
    R(msgsnd(id, &m1, 4, 0));
    R(msgrcv(id, &in, 2, 0, IPC_NOWAIT));
    R(msgrcv(id, &in, 2, 0, IPC_NOWAIT | MSG_NOERROR));
    R(msgctl(id, IPC_RMID, NULL));
    R(msgsnd(id, &m1, 4, 0));
}

/* ---- inotify ------------------------------------------------------------------ */
static void print_events(int fd)
{
    char buf[4096] __attribute__((aligned(8)));
    ssize_t n = read(fd, buf, sizeof buf);
    for (char *p = buf; n > 0 && p < buf + n;) {
        struct inotify_event *e = (struct inotify_event *)p;
        printf("  event mask %#x cookie_set %d name %s\n", e->mask, e->cookie != 0,
               e->len ? e->name : "-");
        p += sizeof *e + e->len;
    }
    if (n < 0) printf("  read: %s\n", strerrorname_np(errno));
}

static void test_inotify(void)
{
    printf("== inotify\n");
    mkdir("watched", 0755);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    printf("  init1 ok %d cloexec %d nonblock %d\n", fd >= 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
           (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    int wd = inotify_add_watch(fd, "watched", IN_ALL_EVENTS);
    printf("  add_watch ok %d\n", wd > 0);
    print_events(fd);
    int f = open("watched/a", O_CREAT | O_WRONLY, 0644);
    write(f, "x", 1);
    close(f);
    rename("watched/a", "watched/b");
    unlink("watched/b");
    print_events(fd);
    R(inotify_rm_watch(fd, wd));
    print_events(fd);
    R(inotify_rm_watch(fd, wd));
    R(inotify_add_watch(fd, "no/such/dir", IN_CREATE));
    R(inotify_init1(0x4242));
    int fd0 = inotify_init();
    printf("  init ok %d\n", fd0 >= 0);
    close(fd0);
    close(fd);
    rmdir("watched");
}

/* ---- scheduling, I/O priority ---------------------------------------------------- */
struct sched_attr_v1 {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
};

static void sched_child(void)
{
    struct sched_param sp = { 0 };
    R(sched_setscheduler(0, SCHED_BATCH, &sp));
    R(sched_getscheduler(0));
    R(sched_setscheduler(0, SCHED_IDLE, &sp));
    R(sched_getscheduler(0));
    sp.sched_priority = 5;
    R(sched_setscheduler(0, SCHED_FIFO, &sp));
    R(sched_getscheduler(0));
    sp.sched_priority = 0;
    R(sched_getparam(0, &sp));
    printf("  priority %d\n", sp.sched_priority);
    sp.sched_priority = 7;
    R(sched_setparam(0, &sp));
    R(sched_getparam(0, &sp));
    printf("  priority %d\n", sp.sched_priority);
    struct sched_attr_v1 at;
    memset(&at, 0, sizeof at);
    R(syscall(SYS_sched_getattr, 0, &at, sizeof at, 0));
    printf("  attr size %u policy %u prio %u\n", at.size, at.policy, at.priority);
    memset(&at, 0, sizeof at);
    at.size = sizeof at;
    at.policy = SCHED_OTHER;
    at.nice = 3;
    R(syscall(SYS_sched_setattr, 0, &at, 0));
    memset(&at, 0, sizeof at);
    R(syscall(SYS_sched_getattr, 0, &at, sizeof at, 0));
    printf("  attr policy %u nice %d\n", at.policy, at.nice);
    struct timespec ts;
    R(sched_rr_get_interval(0, &ts));
}

static void test_sched(void)
{
    printf("== sched\n");
    R(sched_getscheduler(0));
    int pols[] = { SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 42 };
    for (unsigned i = 0; i < 6; i++) {
        R(sched_get_priority_max(pols[i]));
        R(sched_get_priority_min(pols[i]));
    }
    struct sched_param sp;
    R(sched_getparam(0, &sp));
    in_child(sched_child);
    R(syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0));
    R(syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 5));      /* best effort, level 5 */
    R(syscall(SYS_ioprio_get, 1, 0));
    R(syscall(SYS_ioprio_set, 1, 0, (3 << 13)));          /* idle */
    R(syscall(SYS_ioprio_get, 1, 0));
    R(syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4));
    R(syscall(SYS_ioprio_set, 9, 0, 0));
}

/* ---- sendmmsg / recvmmsg --------------------------------------------------------- */
static void mmsg_pair(int s, int r)
{
    char a[] = "one", b[] = "second message", c[] = "3";
    struct iovec iov[3] = { { a, 3 }, { b, 14 }, { c, 1 } };
    struct mmsghdr out[3];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 3; i++) { out[i].msg_hdr.msg_iov = &iov[i]; out[i].msg_hdr.msg_iovlen = 1; }
    R(sendmmsg(s, out, 3, 0));
    printf("  sent lengths %u %u %u\n", out[0].msg_len, out[1].msg_len, out[2].msg_len);
    char buf[4][32];
    struct iovec riov[4];
    struct mmsghdr in[4];
    memset(in, 0, sizeof in);
    memset(buf, 0, sizeof buf);
    for (int i = 0; i < 4; i++) {
        riov[i] = (struct iovec){ buf[i], sizeof buf[i] };
        in[i].msg_hdr.msg_iov = &riov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec ts = { 0, 20000000 };
    R(recvmmsg(r, in, 4, MSG_WAITFORONE, &ts));
    for (int i = 0; i < 3; i++) printf("  got %u '%s'\n", in[i].msg_len, buf[i]);
    R(recvmmsg(r, in, 4, MSG_DONTWAIT, NULL));
}

static void test_mmsg(void)
{
    printf("== mmsg\n");
    int sv[2];
    R(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    mmsg_pair(sv[0], sv[1]);
    close(sv[0]);
    close(sv[1]);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sin;
    bind(u, (struct sockaddr *)&sin, sizeof sin);
    getsockname(u, (struct sockaddr *)&sin, &len);
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    R(connect(c, (struct sockaddr *)&sin, sizeof sin));
    mmsg_pair(c, u);
    close(c);
    close(u);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_creds();
    printf("== prctl\n");
    in_child(prctl_child);
    test_timers();
    test_shm();
    test_sem();
    test_msg();
    test_inotify();
    test_sched();
    test_mmsg();
    return 0;
}
