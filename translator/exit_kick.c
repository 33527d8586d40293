/* exit_kick.c -- an exit request that must reach a register: a backend
 * that keeps its jump-cache table in a host register across blocks
 * (be_ucontext_jmp_base; the AArch64 host's x18, which spares its inline
 * probe the table's load) does not see exit_request.c's swap of
 * rt.jmp_cache in memory until it loads the register again -- at enter(),
 * and behind every C call it makes.  A thread looping through jump-cache
 * hits alone would never leave.  So a request to another thread in
 * translated code also sends it a signal (the kick), whose handler writes
 * rt.jmp_cache as it is then into the interrupted register when the
 * thread was in translated code; in C code the load behind the call sees
 * the swap.  A handler that returns into translated code for a request of
 * its own (a host signal for the guest) or after another signal may have
 * landed in it calls tr_request_reach the same way.
 *
 * The signal is the embedding's (user mode: glibc's SIGCANCEL, which
 * sys_signal.c holds with every other signal blocked; ferry-system: one of
 * its own, tr_kick_install).  A kick is a queued siginfo whose value is
 * this file's cookie, so a guest's own use of the number stays the
 * guest's. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tr_internal.h"

static int kick_signal;                 /* 0: no kicks */
static const int kick_cookie;           /* its address marks a kick */

static bool kicks_needed(void) { return be_ucontext_jmp_base && be_ucontext_pc && kick_signal; }

void tr_kick_use(int sig) { kick_signal = sig; }

static void kick_handler(int sig, siginfo_t *si, void *uc)
{
    tr_kick_landed(sig, si, uc);
}

void tr_kick_install(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = kick_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) == 0)
        tr_kick_use(sig);
}

/* The thread's host id, for kicks (tr_thread_register, and a fork's child). */
void tr_kick_note_thread(struct tr_runtime *rt)
{
    rt->host_tid = (int32_t)syscall(SYS_gettid);
}

/* After tr_request_exit's stores, for a thread in translated code other
 * than the caller (async-signal-safe: one system call). */
void tr_kick(struct tr_runtime *rt)
{
    if (!kicks_needed() || !rt->host_tid)
        return;
    tr_queue_cookie_signal(rt->host_tid, kick_signal, &kick_cookie);
}

void tr_queue_cookie_signal(int tid, int sig, const void *cookie)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_ptr = (void *)cookie;
    syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, sig, &si);
}

bool tr_kick_landed(int sig, const void *info, void *uc)
{
    const siginfo_t *si = info;
    if (!kick_signal || sig != kick_signal || si->si_code != SI_QUEUE || si->si_pid != getpid() ||
        si->si_value.sival_ptr != (void *)&kick_cookie)
        return false;
    tr_request_reach(uc);
    return true;
}

/* In a handler of the calling thread's signal that returns to the code it
 * interrupted: when that is translated code, the register takes the table
 * rt.jmp_cache holds now (the never-matching one while a request is
 * pending).  Anywhere in translated code is fine: between blocks the
 * register's index bits are free, and in a probe either table gives only
 * true hits or a miss.  The kick is blocked first: one landing in this
 * handler after the load below would find C code and do nothing, so it
 * waits for the handler's return (which restores the interrupted mask)
 * and lands in the translated code. */
void tr_request_reach(void *uc)
{
    struct tr_runtime *rt = tr_thread_self();
    if (!kicks_needed() || !rt || !rt->engine || !__atomic_load_n(&rt->in_code, __ATOMIC_SEQ_CST))
        return;
    const struct tr_code_cache *tc = &rt->engine->tc;
    uintptr_t pc = be_ucontext_pc(uc);
    if (pc - (uintptr_t)tc->base >= (uintptr_t)(tc->end - tc->base))
        return;
    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, kick_signal);
    pthread_sigmask(SIG_BLOCK, &kick, NULL);
    be_ucontext_jmp_base(uc, __atomic_load_n(&rt->jmp_cache, __ATOMIC_SEQ_CST));
}
