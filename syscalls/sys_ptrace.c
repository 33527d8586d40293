/* sys_ptrace.c -- ptrace of the guest's own threads by a task sharing
 * their memory: what LeakSanitizer's stop-the-world does (every
 * -fsanitize=address program at exit).  Its tracer, a CLONE_VM child
 * (sys_vm_child.c), attaches to each thread of its parent, waits for the
 * SIGSTOP stop, reads the registers, scans memory directly and detaches.
 *
 * A stop is a request the target serves itself: ATTACH records it and
 * kicks the thread out of translated code (tr_interrupt) and out of a
 * blocking host call (a SIGCANCEL that ferry's host handler recognises
 * and turns into no guest signal, only a wake); the thread parks at its
 * next stop point -- a block boundary or the end of a syscall, where its
 * guest CPU state is exact -- until CONT or DETACH.  An interrupted
 * syscall runs again afterwards, unseen by the guest, as after a real
 * ptrace stop (sys_signal_restart).
 *
 * Emulated: ATTACH, CONT, DETACH, KILL, GETREGS, GETFPREGS, GETREGSET
 * (NT_PRSTATUS, NT_PRFPREG), PEEKTEXT/PEEKDATA, PEEKUSER (the registers part); waitpid on a tracee
 * reports its stop as SIGSTOP (0x137f).  Refused: a thread of the
 * caller's own thread group, as Linux does (EPERM); another process
 * (EPERM: ferry cannot stop code it does not run); a tid that is not a
 * guest thread (ESRCH); requests on a task not traced by the caller or
 * not stopped (ESRCH, as Linux); TRACEME and the requests not listed
 * (ENOSYS, with a note in --strace). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "sys_handlers.h"
#include "sys_sigframe.h"
#include "translator.h"

#define SYS_PTRACE_TRACEME    0
#define SYS_PTRACE_PEEKTEXT   1
#define SYS_PTRACE_PEEKDATA   2
#define SYS_PTRACE_PEEKUSER   3
#define SYS_PTRACE_CONT       7
#define SYS_PTRACE_KILL       8
#define SYS_PTRACE_GETREGS    12
#define SYS_PTRACE_GETFPREGS  14
#define SYS_PTRACE_ATTACH     16
#define SYS_PTRACE_DETACH     17
#define SYS_PTRACE_GETREGSET  0x4204
#define SYS_NT_PRSTATUS       1
#define SYS_NT_PRFPREG        2         /* user_fpregs_struct: the fxsave image */
#define SYS_ERESTARTSYS       512
#define SYS_SIGCANCEL_HOST    32        /* the kick (sys_signal.c owns it) */
#define SYS_STOP_STATUS       ((SIGSTOP << 8) | 0x7f)

/* The guest's struct user_regs_struct (x86-64, 27 words), field order. */
struct x86_64_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint64_t orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;
};
_Static_assert(sizeof(struct x86_64_user_regs) == 216, "user_regs_struct");

enum sys_ptrace_state { SYS_PT_RUNNING, SYS_PT_STOP_ASKED, SYS_PT_STOPPED, SYS_PT_GONE };

struct sys_tracee {
    pid_t tid, tracer;                  /* tracer: the attaching thread */
    enum sys_ptrace_state state;
    bool reported;                      /* its stop went to a wait */
    struct x86_cpu *cpu;                /* while stopped (fxsave images need it writable) */
    int64_t nr;                         /* stopped after syscall nr (-1: none) */
    bool restarted;                     /* ... which will run again */
    struct sys_tracee *next;
};

static pthread_mutex_t sys_pt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sys_pt_cond = PTHREAD_COND_INITIALIZER;
static struct sys_tracee *sys_pt_list;
static int sys_pt_count;               /* tracees: the stop point's fast test */
static const int sys_pt_cookie;        /* its address marks a kick */

static struct sys_tracee *sys_pt_find_locked(pid_t tid)
{
    for (struct sys_tracee *t = sys_pt_list; t; t = t->next)
        if (t->tid == tid)
            return t;
    return NULL;
}

static void sys_pt_remove_locked(struct sys_tracee *gone)
{
    for (struct sys_tracee **p = &sys_pt_list; *p; p = &(*p)->next)
        if (*p == gone) {
            *p = gone->next;
            free(gone);
            __atomic_sub_fetch(&sys_pt_count, 1, __ATOMIC_SEQ_CST);
            return;
        }
}

bool sys_ptrace_is_kick(int sig, const void *info)
{
    const siginfo_t *si = info;
    return sig == SYS_SIGCANCEL_HOST && si->si_code == SI_QUEUE && si->si_pid == getpid() &&
           si->si_value.sival_ptr == (void *)&sys_pt_cookie;
}

bool sys_ptrace_woke(void) { return sys_tsig.ptrace_wake; }

/* Under the thread registry's lock (sys_thread_post_signal). */
static void sys_pt_wake_flags(struct sys_thread_signals *ts, int unused)
{
    ts->ptrace_wake = 1;
    ts->wake = 1;                       /* a safe syscall about to enter returns */
}

/* Out of translated code, and out of a host call it sleeps in. */
static void sys_pt_kick(pid_t tid)
{
    if (!sys_thread_post_signal(tid, 0, sys_pt_wake_flags))
        return;
    tr_queue_cookie_signal(tid, SYS_SIGCANCEL_HOST, &sys_pt_cookie);
}

/* The target's side: park here while a tracer holds it stopped. */
void sys_ptrace_stop_point(struct x86_cpu *cpu, int64_t nr, bool restarted)
{
    if (!__atomic_load_n(&sys_pt_count, __ATOMIC_SEQ_CST))
        return;
    pid_t self = gettid();
    pthread_mutex_lock(&sys_pt_lock);
    struct sys_tracee *t = sys_pt_find_locked(self);
    if (t && t->state == SYS_PT_STOP_ASKED) {
        *t = (struct sys_tracee){ .tid = t->tid, .tracer = t->tracer, .state = SYS_PT_STOPPED,
                                  .cpu = cpu, .nr = nr, .restarted = restarted, .next = t->next };
        pthread_cond_broadcast(&sys_pt_cond);
        while ((t = sys_pt_find_locked(self)) && t->state == SYS_PT_STOPPED)
            pthread_cond_wait(&sys_pt_cond, &sys_pt_lock);
    }
    sys_tsig.ptrace_wake = 0;
    pthread_mutex_unlock(&sys_pt_lock);
}

/* A thread ends: it stops being a tracee (its tracer's wait sees it
 * gone) and a tracer (its tracees run on, as Linux detaches them). */
void sys_ptrace_thread_gone(pid_t tid)
{
    if (!__atomic_load_n(&sys_pt_count, __ATOMIC_SEQ_CST))
        return;
    pthread_mutex_lock(&sys_pt_lock);
    for (struct sys_tracee *t = sys_pt_list, *next; t; t = next) {
        next = t->next;
        if (t->tid == tid)
            t->state = SYS_PT_GONE;
        else if (t->tracer == tid)
            sys_pt_remove_locked(t);
    }
    pthread_cond_broadcast(&sys_pt_cond);
    pthread_mutex_unlock(&sys_pt_lock);
}

/* Why tid cannot be attached (-errno), or 0. */
static int64_t sys_pt_attach_check(pid_t tid)
{
    pid_t group = tid > 0 ? sys_thread_group(tid) : 0;
    if (group == sys_thread_tgid())
        return -EPERM;                  /* own thread group, as Linux */
    if (group)
        return 0;
    if (tid > 0 && kill(tid, 0) == 0 && syscall(SYS_tgkill, getpid(), tid, 0) != 0)
        return -EPERM;                  /* another process: not ferry's to stop */
    return -ESRCH;                      /* none, or a thread of ferry's own */
}

static int64_t sys_pt_attach(pid_t tid)
{
    int64_t err = sys_pt_attach_check(tid);
    if (err)
        return err;
    struct sys_tracee *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    pthread_mutex_lock(&sys_pt_lock);
    if (sys_pt_find_locked(tid)) {
        pthread_mutex_unlock(&sys_pt_lock);
        free(t);
        return -EPERM;                  /* already traced */
    }
    *t = (struct sys_tracee){ .tid = tid, .tracer = gettid(), .state = SYS_PT_STOP_ASKED,
                              .nr = -1, .next = sys_pt_list };
    sys_pt_list = t;
    __atomic_add_fetch(&sys_pt_count, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&sys_pt_lock);
    sys_pt_kick(tid);
    return 0;
}

/* wait4 on a tracee of the caller: its stop (once), or its end. */
int64_t sys_ptrace_wait(pid_t pid, int *status, int options, bool *handled)
{
    int64_t ret = 0;
    pthread_mutex_lock(&sys_pt_lock);
    struct sys_tracee *t = sys_pt_find_locked(pid);
    *handled = t && t->tracer == gettid();
    while (*handled && !(options & WNOHANG) &&
           (t = sys_pt_find_locked(pid)) && t->state != SYS_PT_GONE &&
           (t->state != SYS_PT_STOPPED || t->reported))
        if (!sys_wait_cond_or_wake(&sys_pt_cond, &sys_pt_lock)) {
            pthread_mutex_unlock(&sys_pt_lock);
            return -TR_SYSCALL_WOKEN;
        }
    t = *handled ? sys_pt_find_locked(pid) : NULL;
    if (*handled && !t)
        ret = -ECHILD;                  /* detached meanwhile */
    else if (t && t->state == SYS_PT_GONE) {
        ret = pid;
        if (status)
            *status = 0;                /* ended (its code is not kept) */
        sys_pt_remove_locked(t);
    } else if (t && t->state == SYS_PT_STOPPED && !t->reported) {
        ret = pid;
        t->reported = true;
        if (status)
            *status = SYS_STOP_STATUS;
    }
    pthread_mutex_unlock(&sys_pt_lock);
    return ret;
}

/* The registers of a stopped tracee as Linux shows them: after a
 * syscall, orig_rax holds its number; one that will run again shows
 * rip past the syscall instruction and rax -ERESTARTSYS. */
static void sys_pt_regs(const struct sys_tracee *t, struct x86_64_user_regs *u)
{
    const struct x86_cpu *c = t->cpu;
    const uint64_t *r = c->regs;
    *u = (struct x86_64_user_regs){
        .r15 = r[15], .r14 = r[14], .r13 = r[13], .r12 = r[12], .rbp = r[X86_RBP],
        .rbx = r[X86_RBX], .r11 = r[X86_R11], .r10 = r[X86_R10], .r9 = r[9], .r8 = r[8],
        .rax = r[X86_RAX], .rcx = r[X86_RCX], .rdx = r[X86_RDX], .rsi = r[X86_RSI],
        .rdi = r[X86_RDI], .orig_rax = (uint64_t)t->nr, .rip = c->rt.pc, .cs = 0x33,
        .eflags = x86_get_eflags(c), .rsp = r[X86_RSP], .ss = c->sel[X86_SREG_SS],
        .fs_base = c->fs_base, .gs_base = c->gs_base, .ds = c->sel[3], .es = c->sel[0],
        .fs = c->sel[4], .gs = c->sel[5] };
    if (t->restarted)
        u->rip += 2, u->rax = (uint64_t)-SYS_ERESTARTSYS;
}

/* GETREGSET: the iovec {base, len} at g; len becomes what was written.
 * NT_PRSTATUS and NT_PRFPREG; the xstate set (NT_X86_XSTATE) is not
 * emulated (EINVAL, as for a set the machine lacks: LSan then takes the
 * fxsave one). */
static int64_t sys_pt_getregset(const struct sys_tracee *t, const struct x86_64_user_regs *u,
                                uint64_t type, uint64_t g)
{
    uint8_t fx[X86_FXSAVE_SIZE];
    uint64_t iov[2];
    const void *set = u;
    uint64_t size = sizeof *u;
    if (type == SYS_NT_PRFPREG)
        x86_fpstate_save(t->cpu, fx), set = fx, size = sizeof fx;
    else if (type != SYS_NT_PRSTATUS)
        return -EINVAL;
    if (sys_copy_in(iov, g, sizeof iov))
        return -EFAULT;
    iov[1] = iov[1] < size ? iov[1] : size;
    if (sys_copy_out(iov[0], set, iov[1]) || sys_copy_out(g + 8, &iov[1], 8))
        return -EFAULT;
    return 0;
}

static int64_t sys_pt_getfpregs(const struct sys_tracee *t, uint64_t data)
{
    uint8_t fx[X86_FXSAVE_SIZE];
    x86_fpstate_save(t->cpu, fx);
    return sys_copy_out(data, fx, sizeof fx) ? -EFAULT : 0;
}

/* PEEKUSER: a word of struct user; its registers part only. */
static int64_t sys_pt_peekuser(const struct x86_64_user_regs *u, uint64_t off, uint64_t data)
{
    if (off % 8 || off >= sizeof *u)
        return -EIO;
    return sys_copy_out(data, (const char *)u + off, 8) ? -EFAULT : 0;
}

static int64_t sys_pt_peek(uint64_t addr, uint64_t data)
{
    uint64_t word;
    if (sys_copy_in(&word, addr, 8))
        return -EIO;
    return sys_copy_out(data, &word, 8) ? -EFAULT : 0;
}

/* Lets a stopped tracee run (sig: a signal for it, as CONT/DETACH pass). */
static void sys_pt_resume_locked(struct sys_tracee *t, int sig, bool detach)
{
    if (sig > 0 && sig <= 64)
        syscall(SYS_tgkill, getpid(), t->tid, sig);
    if (detach)
        sys_pt_remove_locked(t);
    else
        t->state = SYS_PT_RUNNING, t->reported = false;
    pthread_cond_broadcast(&sys_pt_cond);
}

/* A request on a stopped tracee of the caller (ESRCH otherwise, as Linux;
 * DETACH also takes one not yet stopped). */
static int64_t sys_pt_request(int64_t req, pid_t tid, uint64_t addr, uint64_t data)
{
    struct x86_64_user_regs u;
    int64_t ret = 0;
    pthread_mutex_lock(&sys_pt_lock);
    struct sys_tracee *t = sys_pt_find_locked(tid);
    bool mine = t && t->tracer == gettid();
    if (!mine || (t->state != SYS_PT_STOPPED && req != SYS_PTRACE_DETACH)) {
        pthread_mutex_unlock(&sys_pt_lock);
        return -ESRCH;
    }
    if (t->state == SYS_PT_STOPPED)
        sys_pt_regs(t, &u);
    switch (req) {
    case SYS_PTRACE_CONT: sys_pt_resume_locked(t, (int)data, false); break;
    case SYS_PTRACE_DETACH: sys_pt_resume_locked(t, (int)data, true); break;
    case SYS_PTRACE_GETREGS: ret = sys_copy_out(data, &u, sizeof u) ? -EFAULT : 0; break;
    case SYS_PTRACE_GETREGSET: ret = sys_pt_getregset(t, &u, addr, data); break;
    case SYS_PTRACE_GETFPREGS: ret = sys_pt_getfpregs(t, data); break;
    case SYS_PTRACE_PEEKUSER: ret = sys_pt_peekuser(&u, addr, data); break;
    default: ret = sys_pt_peek(addr, data); break;
    }
    pthread_mutex_unlock(&sys_pt_lock);
    return ret;
}

/* Whether tid is a stopped tracee of the caller. */
static bool sys_pt_holds_stopped(pid_t tid)
{
    pthread_mutex_lock(&sys_pt_lock);
    struct sys_tracee *t = sys_pt_find_locked(tid);
    bool held = t && t->tracer == gettid() && t->state == SYS_PT_STOPPED;
    pthread_mutex_unlock(&sys_pt_lock);
    return held;
}

static bool sys_pt_emulated(int64_t req)
{
    switch (req) {
    case SYS_PTRACE_PEEKTEXT: case SYS_PTRACE_PEEKDATA: case SYS_PTRACE_PEEKUSER:
    case SYS_PTRACE_CONT: case SYS_PTRACE_DETACH: case SYS_PTRACE_GETREGS:
    case SYS_PTRACE_GETREGSET: case SYS_PTRACE_GETFPREGS:
        return true;
    default:
        return false;
    }
}

/* ptrace(request, pid, addr, data): the raw call (PEEK* store the word at
 * data, as the kernel does; glibc's wrapper returns it). */
SYS_HANDLER(sys_ptrace)
{
    int64_t req = (int64_t)a[0];
    pid_t tid = (pid_t)a[1];
    if (req == SYS_PTRACE_ATTACH)
        return sys_pt_attach(tid);
    if (req == SYS_PTRACE_KILL) {
        if (!sys_pt_holds_stopped(tid))
            return -ESRCH;
        sys_signal_die(SIGKILL);        /* the tracee's whole process dies */
    }
    if (sys_pt_emulated(req))
        return sys_pt_request(req, tid, a[2], a[3]);
    if (ferry_opts.strace)
        fprintf(ferry_log, "ferry: ptrace request %lld not emulated (only a CLONE_VM "
                "tracer of the guest's own threads)\n", (long long)req);
    return -ENOSYS;
}
