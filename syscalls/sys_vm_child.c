/* sys_vm_child.c -- a CLONE_VM child that is not a thread: a task of its
 * own thread group sharing the guest's memory, files and fs (clone with
 * CLONE_VM|CLONE_FS|CLONE_FILES and no CLONE_THREAD/CLONE_SIGHAND), as
 * LeakSanitizer's stop-the-world tracer is.  ferry runs it as one more
 * guest thread (sys_thread.c) and keeps here what makes it a process to
 * the guest: its pid (its tid), its parent (the creating thread group),
 * its exit status, and waitpid(pid, __WALL) in the parent, which must see
 * it end.  exit_group in it ends only it.  Without CLONE_SIGHAND it gets
 * a copy of its creator's signal dispositions (sys_signal_own_actions),
 * as Linux gives it: LSan's tracer sets SIGSEGV & co. for itself alone;
 * the host's dispositions stay the process's. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys_internal.h"
#include "sys_sigframe.h"
#include "translator.h"

struct sys_vm_child {
    pid_t pid, parent;          /* parent: the creator's thread group */
    int exit_signal;
    bool exited;
    int status;                 /* the exit code, 0..255 */
    struct sys_vm_child *next;
};

static pthread_mutex_t sys_vmc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sys_vmc_cond = PTHREAD_COND_INITIALIZER;
static struct sys_vm_child *sys_vmc_list;

/* One wait on cond (mutex held) that gives way to a host signal or a
 * tracer's stop request for the caller: false then, and the caller's
 * syscall returns -TR_SYSCALL_WOKEN to run again after it (sys_block.h).
 * The emulated waits (here, sys_ptrace.c) must not sleep through a stop
 * request: LSan's tracer stops every thread, its parent too. */
bool sys_wait_cond_or_wake(pthread_cond_t *cond, pthread_mutex_t *mutex)
{
    struct timespec until;
    if (__atomic_load_n(&sys_tsig.wake, __ATOMIC_SEQ_CST))
        return false;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 5000000;           /* the kick does not reach a condvar wait: poll */
    if (until.tv_nsec >= 1000000000)
        until.tv_sec++, until.tv_nsec -= 1000000000;
    pthread_cond_timedwait(cond, mutex, &until);
    return !__atomic_load_n(&sys_tsig.wake, __ATOMIC_SEQ_CST);
}

void sys_vm_child_add(pid_t pid, pid_t parent, int exit_signal)
{
    struct sys_vm_child *c = calloc(1, sizeof *c);
    if (!c)
        return;
    *c = (struct sys_vm_child){ .pid = pid, .parent = parent, .exit_signal = exit_signal };
    pthread_mutex_lock(&sys_vmc_lock);
    c->next = sys_vmc_list;
    sys_vmc_list = c;
    pthread_mutex_unlock(&sys_vmc_lock);
}

static struct sys_vm_child *sys_vmc_find_locked(pid_t pid)
{
    for (struct sys_vm_child *c = sys_vmc_list; c; c = c->next)
        if (c->pid == pid)
            return c;
    return NULL;
}

/* The child's parent, or 0 when pid is no such child. */
pid_t sys_vm_child_parent(pid_t pid)
{
    pthread_mutex_lock(&sys_vmc_lock);
    struct sys_vm_child *c = sys_vmc_find_locked(pid);
    pid_t parent = c ? c->parent : 0;
    pthread_mutex_unlock(&sys_vmc_lock);
    return parent;
}

/* Called by the child as it ends (its last guest instruction ran). */
void sys_vm_child_exited(pid_t pid, int status)
{
    int sig = 0;
    pthread_mutex_lock(&sys_vmc_lock);
    struct sys_vm_child *c = sys_vmc_find_locked(pid);
    if (c) {
        c->exited = true;
        c->status = status & 0xff;
        sig = c->exit_signal;
    }
    pthread_cond_broadcast(&sys_vmc_cond);
    pthread_mutex_unlock(&sys_vmc_lock);
    if (sig)                            /* the parent's exit signal (SIGCHLD...) */
        kill(getpid(), sig);
}

static void sys_vmc_remove_locked(struct sys_vm_child *gone)
{
    for (struct sys_vm_child **p = &sys_vmc_list; *p; p = &(*p)->next)
        if (*p == gone) {
            *p = gone->next;
            free(gone);
            return;
        }
}

/* wait4(pid, status, options) by the parent thread group `self` for the
 * child pid: the pid and its status (exited, code << 8) once it ended,
 * 0 with WNOHANG before; -ECHILD when pid is not self's child. */
int64_t sys_vm_child_wait(pid_t self, pid_t pid, int *status, int options)
{
    int64_t ret = -ECHILD;
    pthread_mutex_lock(&sys_vmc_lock);
    struct sys_vm_child *c = sys_vmc_find_locked(pid);
    while (c && c->parent == self && !c->exited && !(options & WNOHANG)) {
        if (!sys_wait_cond_or_wake(&sys_vmc_cond, &sys_vmc_lock)) {
            pthread_mutex_unlock(&sys_vmc_lock);
            return -TR_SYSCALL_WOKEN;
        }
        c = sys_vmc_find_locked(pid);
    }
    if (c && c->parent == self) {
        ret = c->exited ? pid : 0;
        if (c->exited) {
            if (status)
                *status = c->status << 8;
            sys_vmc_remove_locked(c);
        }
    }
    pthread_mutex_unlock(&sys_vmc_lock);
    return ret;
}
