/* sys_fd_private.c -- ferry's own opens while the guest holds every
 * descriptor number.
 *
 * With soft = hard RLIMIT_NOFILE ferry has no number above the guest's
 * space, and gives up its own descriptors to a guest that fills that space
 * (sys_ferry_fd_give_up); natively such a process still execs.  But a
 * full descriptor table admits no open at all, so the files ferry must
 * read over an exec -- the program's head and ELF check in the ferry
 * before, the program and its interpreter loaded by the new one -- are
 * opened by a short-lived thread of ferry's with a private copy of the
 * table (unshare(CLONE_FILES); qemu-user accepts that of a thread, not a
 * clone without CLONE_FILES): its copies of the guest's descriptors are
 * closed there (the guest's own table keeps them; POSIX locks belong to
 * the table that took them), its mappings land in the one address space.
 * The calling thread waits; the helper blocks every signal, so none meant
 * for the guest reaches it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys_internal.h"

struct sys_private_call {
    void (*fn)(void *);
    void *arg;
    int keep;                           /* a descriptor fn needs, or -1 */
    bool ran;
};

static void *sys_private_main(void *p)
{
    struct sys_private_call *c = p;
    if (unshare(CLONE_FILES) != 0)
        return NULL;
    if (c->keep > 3)
        syscall(SYS_close_range, 3u, (unsigned)c->keep - 1, 0u);
    syscall(SYS_close_range, c->keep >= 3 ? (unsigned)c->keep + 1 : 3u, ~0u, 0u);
    c->fn(c->arg);
    c->ran = true;
    return NULL;
}

bool sys_fd_private_run(void (*fn)(void *), void *arg, int keep)
{
    struct sys_private_call c = { fn, arg, keep, false };
    sigset_t all, old;
    pthread_t th;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    bool made = pthread_create(&th, NULL, sys_private_main, &c) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (made)
        pthread_join(th, NULL);
    return c.ran;
}
