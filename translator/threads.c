/* threads.c -- the vCPUs of an engine as the engine sees them: the
 * registry of running vCPU threads (each with its own env, jump cache and
 * unwind point), the translation lock, and exclusive sections.
 *
 * The translation lock serialises translation, insertion, chaining,
 * invalidation and flushing; lookups and the inline jump caches are
 * lock-free.  Flushing the code cache, or dropping blocks from it, needs
 * more: no thread may be inside translated code.  An
 * exclusive section (as in QEMU) marks itself pending, sets exit_request
 * in every other thread's env -- each block that may loop starts by
 * testing it, so even a thread spinning in chained blocks leaves soon --
 * and waits until no other thread is in translated code.  Threads outside
 * (in the run loop, in a helper-free syscall, blocked in futex) count as
 * out; they wait at their next entry until the section ends.  The
 * in_code / pending handshake is Dekker-style on sequentially consistent
 * atomics; the mutex and condition variable only put waiters to sleep. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "tr_internal.h"

/* The env the calling host thread runs, whatever its engine. */
static __thread struct tr_runtime *thr_self;

void tr_threads_init(struct tr_threads *t)
{
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    pthread_mutex_init(&t->translate_lock, NULL);
    t->list = NULL;
    t->exclusive = 0;
}

void tr_lock(struct tr_engine *e) { pthread_mutex_lock(&e->thr.translate_lock); }
void tr_unlock(struct tr_engine *e) { pthread_mutex_unlock(&e->thr.translate_lock); }
void tr_lock_env(void *env) { tr_lock(((struct tr_runtime *)env)->engine); }
void tr_unlock_env(void *env) { tr_unlock(((struct tr_runtime *)env)->engine); }

struct tr_runtime *tr_thread_self(void) { return thr_self; }

void tr_threads_expect(struct tr_engine *e)
{
    __atomic_store_n(&e->tc.patch_by_write, false, __ATOMIC_SEQ_CST);
}

void tr_thread_register(struct tr_engine *e, struct tr_runtime *rt)
{
    struct tr_threads *t = &e->thr;
    pthread_mutex_lock(&t->lock);
    if (t->list)
        tr_threads_expect(e);
    rt->next_thread = t->list;
    t->list = rt;
    pthread_mutex_unlock(&t->lock);
    thr_self = rt;
    tr_kick_note_thread(rt);
}

/* The calling thread is about to end (outside translated code). */
void tr_thread_unregister(struct tr_engine *e, struct tr_runtime *rt)
{
    struct tr_threads *t = &e->thr;
    pthread_mutex_lock(&t->lock);
    for (struct tr_runtime **p = &t->list; *p; p = &(*p)->next_thread)
        if (*p == rt) {
            *p = rt->next_thread;
            break;
        }
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (thr_self == rt)
        thr_self = NULL;
}

/* Runs fn on every registered thread (in exclusive sections; under the
 * registry lock, so no thread frees its state meanwhile). */
void tr_thread_each(struct tr_engine *e, void (*fn)(struct tr_runtime *rt, void *arg), void *arg)
{
    pthread_mutex_lock(&e->thr.lock);
    for (struct tr_runtime *rt = e->thr.list; rt; rt = rt->next_thread)
        fn(rt, arg);
    pthread_mutex_unlock(&e->thr.lock);
}

static bool exclusive_pending(struct tr_threads *t)
{
    return __atomic_load_n(&t->exclusive, __ATOMIC_SEQ_CST);
}

static void wait_exclusive_end(struct tr_threads *t)
{
    pthread_mutex_lock(&t->lock);
    while (exclusive_pending(t))
        pthread_cond_wait(&t->cond, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

/* Before entering translated code: false (nothing entered) when an
 * exclusive section ran or runs since the caller looked its block up in
 * generation `gen` -- the caller must look it up again. */
bool tr_thread_enter_code(struct tr_engine *e, struct tr_runtime *rt, uint64_t gen)
{
    __atomic_store_n(&rt->in_code, 1, __ATOMIC_SEQ_CST);
    if (!exclusive_pending(&e->thr) && tc_generation(e) == gen)
        return true;
    tr_thread_leave_code(e, rt);
    wait_exclusive_end(&e->thr);
    return false;
}

void tr_thread_leave_code(struct tr_engine *e, struct tr_runtime *rt)
{
    struct tr_threads *t = &e->thr;
    __atomic_store_n(&rt->in_code, 0, __ATOMIC_SEQ_CST);
    if (exclusive_pending(t)) {
        pthread_mutex_lock(&t->lock);
        pthread_cond_broadcast(&t->cond);
        pthread_mutex_unlock(&t->lock);
    }
}

static bool others_in_code(struct tr_threads *t)
{
    for (struct tr_runtime *rt = t->list; rt; rt = rt->next_thread)
        if (rt != thr_self && __atomic_load_n(&rt->in_code, __ATOMIC_SEQ_CST))
            return true;
    return false;
}

static void request_others(struct tr_threads *t)
{
    for (struct tr_runtime *rt = t->list; rt; rt = rt->next_thread)
        if (rt != thr_self)
            tr_request_exit(rt);
}

/* A deadline REQUEST_AGAIN_NS from now (CLOCK_REALTIME: the condition
 * variable's clock). */
#define REQUEST_AGAIN_NS 20000000L

static struct timespec request_again_at(void)
{
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_nsec += REQUEST_AGAIN_NS;
    if (at.tv_nsec >= 1000000000L)
        at.tv_sec++, at.tv_nsec -= 1000000000L;
    return at;
}

/* Called with the translation lock held, outside translated code.  A
 * thread still inside after a while is asked again: a kick (exit_kick.c)
 * can be lost in the moment a new host thread's glibc holds SIGCANCEL. */
void tr_exclusive_start(struct tr_engine *e)
{
    struct tr_threads *t = &e->thr;
    pthread_mutex_lock(&t->lock);
    __atomic_store_n(&t->exclusive, 1, __ATOMIC_SEQ_CST);
    request_others(t);
    while (others_in_code(t)) {
        struct timespec at = request_again_at();
        if (pthread_cond_timedwait(&t->cond, &t->lock, &at) == ETIMEDOUT)
            request_others(t);
    }
    pthread_mutex_unlock(&t->lock);
}

void tr_exclusive_end(struct tr_engine *e)
{
    struct tr_threads *t = &e->thr;
    pthread_mutex_lock(&t->lock);
    __atomic_store_n(&t->exclusive, 0, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

/* fork() from a threaded guest: the child keeps only the calling thread,
 * so no lock may be held by another thread across the fork. */
void tr_fork_prepare(struct tr_engine *e)
{
    tr_lock(e);
    pthread_mutex_lock(&e->thr.lock);
    tc_views_fork_prepare(&e->tc);
}

void tr_fork_parent(struct tr_engine *e)
{
    tc_views_fork_parent(&e->tc);
    pthread_mutex_unlock(&e->thr.lock);
    tr_unlock(e);
}

void tr_fork_child(struct tr_engine *e)
{
    tc_views_fork_child(&e->tc);
    e->thr.list = thr_self;
    if (thr_self) {
        thr_self->next_thread = NULL;
        tr_kick_note_thread(thr_self);
    }
    pthread_mutex_unlock(&e->thr.lock);
    if (e->tc.remap_fd)     /* qemu-user: the child starts from an empty cache */
        tc_flush(e);
    tcache_fork_child(e);
    tr_unlock(e);
}
