/* sys_thread.c -- guest threads.  A thread-creating clone (CLONE_VM without
 * CLONE_VFORK: pthread_create) runs the new guest thread on a new host
 * thread with its own guest CPU state (env), running sys_cpu_loop(); gettid
 * is the host tid.  exit ends one thread -- clearing and futex-waking its
 * clear_child_tid word as the kernel does, which is what pthread_join
 * waits for -- and the last one ends the process; exit_group ends all.
 * A registry maps tids to threads for signals posted to a thread.  An
 * ending thread releases everything it had: its env and jump cache, its
 * registry entry, and (by returning from its host thread) its host stack. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "options.h"
#include "sys_handlers.h"
#include "sys_sigframe.h"
#include "translator.h"

#define SYS_CLONE_SIGHAND        0x00000800
#define SYS_CLONE_SETTLS         0x00080000
#define SYS_CLONE_PARENT_SETTID  0x00100000
#define SYS_CLONE_CHILD_CLEARTID 0x00200000
#define SYS_CLONE_CHILD_SETTID   0x01000000
#define SYS_THREAD_STACK (1u << 20)     /* ferry's own stack per guest thread */

struct sys_thread {
    pid_t tid;
    pid_t tgid;                         /* its thread group: a CLONE_VM child's own */
    struct x86_cpu *cpu;
    struct sys_thread_signals *sig;     /* that thread's sys_tsig */
    struct sys_thread *next;
};

static pthread_mutex_t sys_threads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sys_thread *sys_threads;
static int sys_live_threads = 1;
static __thread struct sys_thread *sys_self;
/* The calling thread's group when it is not the process's: set in a
 * CLONE_VM child (sys_vm_child.c) and the threads it creates. */
static __thread pid_t sys_tgid_self;
static __thread uint64_t sys_clear_child_tid;
/* Where a thread ferry created leaves its run loop: back in
 * sys_thread_main, whose return lets the thread library free (or cache)
 * the host thread's stack and TLS, as a raw exit would not. */
static __thread jmp_buf *sys_thread_out;

/* Called by the thread itself (sys_tsig is its own). */
static void sys_thread_add(struct x86_cpu *cpu)
{
    struct sys_thread *t = calloc(1, sizeof(*t));
    if (!t)
        return;
    *t = (struct sys_thread){ .tid = gettid(), .tgid = sys_thread_tgid(), .cpu = cpu,
                              .sig = &sys_tsig };
    pthread_mutex_lock(&sys_threads_lock);
    t->next = sys_threads;
    sys_threads = t;
    pthread_mutex_unlock(&sys_threads_lock);
    sys_self = t;
}

static void sys_thread_remove_locked(struct sys_thread *self)
{
    for (struct sys_thread **p = &sys_threads; *p; p = &(*p)->next)
        if (*p == self) {
            *p = self->next;
            free(self);
            return;
        }
}

bool sys_thread_post_signal(pid_t tid, int sig, void (*post)(struct sys_thread_signals *, int))
{
    bool found = false;
    pthread_mutex_lock(&sys_threads_lock);
    for (struct sys_thread *t = sys_threads; t && !found; t = t->next)
        if (t->tid == tid) {
            post(t->sig, sig);
            tr_interrupt(t->cpu);
            found = true;
        }
    pthread_mutex_unlock(&sys_threads_lock);
    return found;
}

bool sys_thread_signals_of(pid_t tid, uint64_t *blocked, uint64_t *pending)
{
    bool found = false;
    pthread_mutex_lock(&sys_threads_lock);
    for (struct sys_thread *t = sys_threads; t && !found; t = t->next)
        if (t->tid == tid) {
            *blocked = __atomic_load_n(&t->sig->blocked, __ATOMIC_RELAXED);
            *pending = __atomic_load_n(&t->sig->pending, __ATOMIC_RELAXED);
            found = true;
        }
    pthread_mutex_unlock(&sys_threads_lock);
    return found;
}

void sys_thread_interrupt_others(void)
{
    pthread_mutex_lock(&sys_threads_lock);
    for (struct sys_thread *t = sys_threads; t; t = t->next)
        if (t != sys_self)
            tr_interrupt(t->cpu);
    pthread_mutex_unlock(&sys_threads_lock);
}

pid_t sys_thread_tgid(void) { return sys_tgid_self ? sys_tgid_self : getpid(); }

bool sys_thread_in_vm_child(void) { return sys_tgid_self != 0; }

/* The thread group of guest thread tid; 0 when tid is none. */
pid_t sys_thread_group(pid_t tid)
{
    pid_t g = 0;
    pthread_mutex_lock(&sys_threads_lock);
    for (struct sys_thread *t = sys_threads; t && !g; t = t->next)
        if (t->tid == tid)
            g = t->tgid;
    pthread_mutex_unlock(&sys_threads_lock);
    return g;
}

int sys_thread_count(void) { return __atomic_load_n(&sys_live_threads, __ATOMIC_SEQ_CST); }

void sys_thread_set_clear_tid(uint64_t addr) { sys_clear_child_tid = addr; }

struct sys_thread_start {
    struct x86_cpu *cpu;
    uint64_t flags, ptid, ctid, blocked;
    bool vm_child;                      /* not a thread: sys_vm_child.c */
    const struct sys_signals *actions;  /* the creator's dispositions (vm_child) */
    pid_t tgid;                         /* the creator's thread group */
    sem_t started;
    pid_t tid;
};

/* The kernel writes the tids before either side of clone returns. */
static void *sys_thread_main(void *arg)
{
    struct sys_thread_start *st = arg;
    struct x86_cpu *cpu = st->cpu;
    int32_t tid = (int32_t)gettid();
    if (st->flags & SYS_CLONE_PARENT_SETTID)
        sys_copy_out(st->ptid, &tid, 4);
    if (st->flags & SYS_CLONE_CHILD_SETTID)
        sys_copy_out(st->ctid, &tid, 4);
    if (st->flags & SYS_CLONE_CHILD_CLEARTID)
        sys_clear_child_tid = st->ctid;
    sys_signal_thread_start(st->blocked);
    if (st->vm_child)
        sys_vm_child_add(tid, st->tgid, (int)(st->flags & 0xff));
    if (st->vm_child && !(st->flags & SYS_CLONE_SIGHAND))
        sys_signal_own_actions(st->actions);    /* a copy, as Linux's */
    sys_tgid_self = st->vm_child ? tid : st->tgid == getpid() ? 0 : st->tgid;
    sys_thread_add(cpu);
    st->tid = tid;
    sem_post(&st->started);             /* st lives on the creator's stack */
    jmp_buf out;
    if (setjmp(out) == 0) {
        sys_thread_out = &out;
        tr_cpu_attach(sys_engine, cpu);
        sys_cpu_loop(cpu);
    }
    return NULL;
}

/* The child's CPU: the parent's, returning 0 from syscall on its new
 * stack with its new TLS (rcx/r11 as the syscall instruction leaves them). */
static struct x86_cpu *sys_thread_cpu(const struct x86_cpu *cpu, const uint64_t *a)
{
    struct x86_cpu *c = tr_env_alloc(sizeof(*cpu));
    memcpy(c, cpu, sizeof(*cpu));
    c->rt = (struct tr_runtime){ .pc = cpu->rt.pc, .tb_mode = cpu->rt.tb_mode };
    c->regs[X86_RAX] = 0;
    c->regs[X86_RCX] = cpu->rt.pc;
    c->regs[X86_R11] = x86_get_eflags(cpu);
    if (a[1])
        c->regs[X86_RSP] = a[1];
    if (a[0] & SYS_CLONE_SETTLS)
        c->fs_base = a[4], c->sel[4] = 0;           /* as arch_prctl(ARCH_SET_FS) */
    return c;
}

static int sys_thread_spawn(struct sys_thread_start *st)
{
    pthread_attr_t attr;
    pthread_t th;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, SYS_THREAD_STACK);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    tr_threads_expect(sys_engine);
    int err = pthread_create(&th, &attr, sys_thread_main, st);
    pthread_attr_destroy(&attr);
    sys_signal_hold_internal();
    return err;
}

/* x86-64 argument order: clone(flags, stack, parent_tid, child_tid, tls).
 * vm_child: a CLONE_VM child outside the creator's thread group. */
int64_t sys_clone_thread(struct x86_cpu *cpu, const uint64_t *a, bool vm_child)
{
    struct sys_thread_start st = { .flags = a[0], .ptid = a[2], .ctid = a[3],
                                   .blocked = sys_tsig.blocked, .vm_child = vm_child,
                                   .tgid = sys_thread_tgid(), .actions = sys_signal_actions() };
    if (!sys_self)
        sys_thread_add(cpu);            /* the main thread, at its first clone */
    if (!(st.cpu = sys_thread_cpu(cpu, a)))
        return -ENOMEM;
    sem_init(&st.started, 0, 0);
    __atomic_add_fetch(&sys_live_threads, 1, __ATOMIC_SEQ_CST);
    if (sys_thread_spawn(&st) != 0) {
        __atomic_sub_fetch(&sys_live_threads, 1, __ATOMIC_SEQ_CST);
        tr_env_free(st.cpu);
        return -EAGAIN;
    }
    while (sem_wait(&st.started) != 0)
        ;
    sem_destroy(&st.started);
    return st.tid;
}

/* exit: the last thread's status is the process's.  Another thread clears
 * and futex-wakes its clear_child_tid as the kernel would, and leaves with
 * a raw exit of its host thread (the kernel then walks the robust list the
 * guest set with set_robust_list). */
_Noreturn void sys_thread_exit(struct x86_cpu *cpu, int status)
{
    pid_t tid = gettid();
    sys_ptrace_thread_gone(tid);
    if (sys_tgid_self == tid)
        sys_vm_child_exited(tid, status);
    pthread_mutex_lock(&sys_threads_lock);
    if (__atomic_sub_fetch(&sys_live_threads, 1, __ATOMIC_SEQ_CST) == 0)
        sys_exit_process(status);
    if (sys_self)
        sys_thread_remove_locked(sys_self);
    pthread_mutex_unlock(&sys_threads_lock);
    if (sys_clear_child_tid && sys_guest_access_ok(sys_clear_child_tid, 4, 1)) {
        __atomic_store_n((int32_t *)sys_ptr(sys_clear_child_tid), 0, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, sys_ptr(sys_clear_child_tid), FUTEX_WAKE, 1, NULL, NULL, 0);
    }
    sys_signal_own_actions(NULL);
    tr_cpu_detach(cpu);
    tr_env_free(cpu);
    if (sys_thread_out)
        longjmp(*sys_thread_out, 1);
    for (;;)                            /* the process's first thread */
        syscall(SYS_exit, 0);
}

/* fork() keeps only the calling thread in the child. */
void sys_thread_fork_prepare(void)
{
    tr_fork_prepare(sys_engine);
    pthread_mutex_lock(&sys_threads_lock);
}

void sys_thread_fork_parent(void)
{
    pthread_mutex_unlock(&sys_threads_lock);
    tr_fork_parent(sys_engine);
}

void sys_thread_fork_child(void)
{
    struct sys_thread *self = sys_self;
    while (sys_threads)                 /* others' entries: leaked, not ours */
        sys_threads = sys_threads->next;
    if (self) {
        self->tid = gettid();
        self->next = NULL;
        sys_threads = self;
    }
    sys_live_threads = 1;
    pthread_mutex_unlock(&sys_threads_lock);
    tr_fork_child(sys_engine);
}
