/* ptrace_stop.c -- LeakSanitizer's stop-the-world by hand: three worker
 * threads hold known values in their callee-saved registers and on their
 * stacks while one spins, one waits in futex and one sleeps in nanosleep;
 * a CLONE_VM child (not a thread) attaches to every task of its parent
 * listed in /proc/PPID/task, waits for each SIGSTOP stop, reads the
 * registers (GETREGS, GETREGSET, PEEKUSER), scans the stacks through the
 * shared memory, detaches, and tries the error cases.  The parent prints
 * what it found once the tracer ended; the workers then finish (their
 * interrupted futex and nanosleep must resume unseen). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

#define NWORKERS 3
#define MAGIC 0x5eed000000ull

static volatile int go;
static volatile int ready[NWORKERS];
static volatile uint64_t known_word = 0x1234567890abcdefull;

/* worker_loop(id, &go, kind, &ready[id]): rbx/r12-r15 hold id-derived
 * values and the stack a magic word while it spins (kind 0), waits in
 * futex (1) or sleeps 20 ms at a time (2) until go. */
void worker_loop(uint64_t id, volatile int *flag, int kind, volatile int *ready_flag);
extern char worker_begin[], worker_end[];
__asm__(".text\n.globl worker_loop, worker_begin, worker_end\n"
        "worker_loop:\nworker_begin:\n"
        "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
        "mov %rsi, %rbp\n"
        "lea 0xb000(%rdi), %rbx\nlea 0x1200(%rdi), %r12\nlea 0x1300(%rdi), %r13\n"
        "lea 0x1400(%rdi), %r14\nlea 0x1500(%rdi), %r15\n"
        "movabs $0x5eed000000, %rax\nadd %rdi, %rax\npush %rax\n"
        "sub $24, %rsp\nmovq $0, (%rsp)\nmovq $20000000, 8(%rsp)\n"
        "movl $1, (%rcx)\n"
        "cmp $1, %edx\nje 2f\ncmp $2, %edx\nje 3f\n"
        "1: cmpl $0, (%rbp)\nje 1b\njmp 9f\n"
        "2: cmpl $0, (%rbp)\njne 9f\n"
        "mov $202, %eax\nmov %rbp, %rdi\nmov $128, %esi\nxor %edx, %edx\nxor %r10d, %r10d\n"
        "syscall\njmp 2b\n"
        "3: cmpl $0, (%rbp)\njne 9f\n"
        "mov $35, %eax\nmov %rsp, %rdi\nxor %esi, %esi\nsyscall\njmp 3b\n"
        "9: add $32, %rsp\n"
        "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n"
        "worker_end:\n");

static void *worker(void *arg)
{
    uint64_t id = (uintptr_t)arg;
    worker_loop(id, &go, (int)id, &ready[id]);
    return NULL;
}

/* What the tracer found, printed by the parent. */
struct seen {
    pid_t tid;
    int attach_err, status;
    int regset_same;
    struct user_regs_struct regs;
    uint64_t peek_r12;
    int magic_found;
};
static struct seen seen[16];
static int nseen;
static int err_none, err_self, err_twice, err_detach, err_getregs, err_waitpid;
static uint64_t peeked;

static int raw_ptrace(long req, pid_t tid, void *addr, void *data)
{
    long r = syscall(SYS_ptrace, req, tid, addr, data);
    return r < 0 ? errno : 0;
}

static pid_t list_tasks(pid_t pid, pid_t *out, int max)
{
    static char buf[4096];
    char path[64];
    int n = 0;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return 0;
    long len;
    while ((len = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < len;) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type;
                     char name[]; } *d = (void *)(buf + off);
            if (d->name[0] != '.' && n < max)
                out[n++] = (pid_t)strtol(d->name, NULL, 10);
            off += d->reclen;
        }
    syscall(SYS_close, fd);
    return n;
}

static void attach_one(pid_t tid, struct seen *s)
{
    s->tid = tid;
    s->attach_err = raw_ptrace(PTRACE_ATTACH, tid, NULL, NULL);
    if (s->attach_err)
        return;
    for (;;) {
        int st = 0;
        if (syscall(SYS_wait4, tid, &st, __WALL, NULL) < 0) {
            s->status = -errno;
            return;
        }
        s->status = st;
        if (WIFSTOPPED(st) && WSTOPSIG(st) != SIGSTOP) {
            raw_ptrace(PTRACE_CONT, tid, NULL, (void *)(uintptr_t)WSTOPSIG(st));
            continue;
        }
        return;
    }
}

static void read_one(struct seen *s)
{
    struct user_regs_struct viaset;
    struct iovec io = { &viaset, sizeof viaset };
    raw_ptrace(PTRACE_GETREGS, s->tid, NULL, &s->regs);
    raw_ptrace(PTRACE_GETREGSET, s->tid, (void *)1 /* NT_PRSTATUS */, &io);
    s->regset_same = io.iov_len == sizeof viaset && !memcmp(&viaset, &s->regs, sizeof viaset);
    raw_ptrace(PTRACE_PEEKUSER, s->tid, (void *)offsetof(struct user_regs_struct, r12),
               &s->peek_r12);
    uint64_t id = s->regs.r12 - 0x1200;
    const uint64_t *sp = (const uint64_t *)(uintptr_t)s->regs.rsp;
    for (int k = 0; id < NWORKERS && k < 16; k++)      /* the memory scan */
        if (sp[k] == MAGIC + id)
            s->magic_found = 1;
}

static int tracer(void *arg)
{
    pid_t self = (pid_t)syscall(SYS_gettid), parent = (pid_t)syscall(SYS_getppid);
    pid_t tids[16];
    int n = list_tasks(parent, tids, 16);
    /* Under ferry the tracer is listed too; under qemu-user also qemu's
     * own thread, which ESRCH keeps out (as a task gone since the
     * listing: LSan skips both). */
    for (int k = 0; k < n; k++)
        if (tids[k] != self) {
            attach_one(tids[k], &seen[nseen]);
            nseen += seen[nseen].attach_err != ESRCH;
        }
    for (int k = 0; k < nseen; k++)
        if (!seen[k].attach_err)
            read_one(&seen[k]);
    err_none = raw_ptrace(PTRACE_ATTACH, 0x3fffffff, NULL, NULL);
    err_self = raw_ptrace(PTRACE_ATTACH, self, NULL, NULL);
    err_twice = raw_ptrace(PTRACE_ATTACH, parent, NULL, NULL);
    raw_ptrace(PTRACE_PEEKDATA, parent, (void *)&known_word, &peeked);
    for (int k = 0; k < nseen; k++)
        raw_ptrace(PTRACE_DETACH, seen[k].tid, NULL, NULL);
    err_detach = raw_ptrace(PTRACE_DETACH, parent, NULL, NULL);
    err_getregs = raw_ptrace(PTRACE_GETREGS, parent, NULL, &seen[15].regs);
    err_waitpid = syscall(SYS_wait4, parent, NULL, __WALL | WNOHANG, NULL) < 0 ? errno : 0;
    return 7;
}

static void print_seen(const struct seen *s, pid_t main_tid)
{
    if (s->tid == main_tid) {
        /* (it may stop at clone's return or in waitpid: no orig_rax) */
        printf("main: attach %d status %#x regset_same %d\n", s->attach_err, s->status,
               s->regset_same);
        return;
    }
    const struct user_regs_struct *r = &s->regs;
    uint64_t id = r->r12 - 0x1200;
    int in_loop = r->rip >= (uintptr_t)worker_begin && r->rip < (uintptr_t)worker_end;
    printf("worker %llu: attach %d status %#x regset_same %d rbx %#llx r12 %#llx r13 %#llx "
           "r14 %#llx r15 %#llx peekuser_r12 %#llx rip_in_loop %d magic_on_stack %d",
           (unsigned long long)id, s->attach_err, s->status, s->regset_same,
           (unsigned long long)r->rbx, (unsigned long long)r->r12, (unsigned long long)r->r13,
           (unsigned long long)r->r14, (unsigned long long)r->r15,
           (unsigned long long)s->peek_r12, in_loop, s->magic_found);
    if (id == 0 || id == 1)             /* spinning: -1; in futex: 202 */
        printf(" orig_rax %lld", (long long)r->orig_rax);
    printf("\n");
}

/* The main thread first, then the workers by id. */
static long long sort_key(const struct seen *s)
{
    return s->tid == getpid() ? -1 : (long long)(s->regs.r12 - 0x1200);
}

static int by_id(const void *a, const void *b)
{
    long long x = sort_key(a), y = sort_key(b);
    return (x > y) - (x < y);
}

int main(void)
{
    static char stack[1 << 16] __attribute__((aligned(16)));
    pthread_t th[NWORKERS];
    for (uintptr_t k = 0; k < NWORKERS; k++)
        pthread_create(&th[k], NULL, worker, (void *)k);
    for (int k = 0; k < NWORKERS; k++)
        while (!ready[k])
            sched_yield();
    usleep(30000);                      /* the waiter enters futex, the sleeper nanosleep */
    pid_t pid = clone(tracer, stack + sizeof stack, CLONE_VM | CLONE_FS | CLONE_FILES, NULL);
    int st = -1;
    pid_t w = waitpid(pid, &st, __WALL);
    printf("tracer: waited %d exit %d, %d tasks seen\n", pid > 0 && w == pid, WEXITSTATUS(st), nseen);
    qsort(seen, nseen, sizeof seen[0], by_id);
    for (int k = 0; k < nseen; k++)
        print_seen(&seen[k], getpid());
    printf("errors: attach none %d, self %d, twice %d; detach untraced %d; getregs untraced %d; "
           "waitpid untraced %d\n", err_none, err_self, err_twice, err_detach, err_getregs,
           err_waitpid);
    printf("peekdata %#llx\n", (unsigned long long)peeked);
    go = 1;
    syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, 16, NULL, NULL, 0);
    for (int k = 0; k < NWORKERS; k++) {
        pthread_join(th[k], NULL);
        printf("worker %d done\n", k);
    }
    return 0;
}
