/* threads.c -- guest threads as the translator sees them: the registry of
 * running threads (each with its own env, jump cache, unwind and fault
 * state), the translation lock, and exclusive sections.
 *
 * The translation lock serialises translation, insertion, chaining and
 * flushing; lookups and the inline jump caches are lock-free.  Flushing
 * the code cache needs more: no thread may be inside translated code.  An
 * exclusive section (as in QEMU) marks itself pending, sets exit_request
 * in every other thread's env -- each block starts by testing it, so even
 * a thread spinning in chained blocks leaves at its next block entry --
 * and waits until no other thread is in translated code.  Threads outside
 * (in the dispatcher, in a helper-free syscall, blocked in futex) count as
 * out; they wait at their next entry until the section ends.  The
 * in_code / pending handshake is Dekker-style on sequentially consistent
 * atomics; the mutex and condition variable only put waiters to sleep. */
#include <pthread.h>
#include <stdlib.h>

#include "tr_internal.h"

static pthread_mutex_t thr_lock = PTHREAD_MUTEX_INITIALIZER;   /* registry, exclusive */
static pthread_cond_t thr_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t tr_lock_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct tr_runtime *thr_list;     /* linked through rt->next_thread */
static int thr_exclusive;               /* an exclusive section is pending or running */

static __thread struct tr_runtime *thr_self;

void tr_lock(void) { pthread_mutex_lock(&tr_lock_mutex); }
void tr_unlock(void) { pthread_mutex_unlock(&tr_lock_mutex); }

struct tr_runtime *tr_thread_self(void) { return thr_self; }

void tr_thread_register(struct tr_runtime *rt)
{
    rt->jmp_cache = calloc(TR_JMP_SIZE, sizeof(*rt->jmp_cache));
    if (!rt->jmp_cache) {
        fputs("ferry: out of memory\n", stderr);
        exit(1);
    }
    tc_clear_jmp_cache(rt->jmp_cache);
    pthread_mutex_lock(&thr_lock);
    rt->next_thread = thr_list;
    thr_list = rt;
    pthread_mutex_unlock(&thr_lock);
    thr_self = rt;
}

/* The calling thread is about to end (outside translated code). */
void tr_thread_unregister(struct tr_runtime *rt)
{
    pthread_mutex_lock(&thr_lock);
    for (struct tr_runtime **p = &thr_list; *p; p = &(*p)->next_thread)
        if (*p == rt) {
            *p = rt->next_thread;
            break;
        }
    pthread_cond_broadcast(&thr_cond);
    pthread_mutex_unlock(&thr_lock);
    free(rt->jmp_cache);
    rt->jmp_cache = NULL;
    thr_self = NULL;
}

/* Runs fn on every registered thread (in exclusive sections; under the
 * registry lock, so no thread frees its state meanwhile). */
void tr_thread_each(void (*fn)(struct tr_runtime *rt))
{
    pthread_mutex_lock(&thr_lock);
    for (struct tr_runtime *rt = thr_list; rt; rt = rt->next_thread)
        fn(rt);
    pthread_mutex_unlock(&thr_lock);
}

static void wait_exclusive_end(void)
{
    pthread_mutex_lock(&thr_lock);
    while (__atomic_load_n(&thr_exclusive, __ATOMIC_SEQ_CST))
        pthread_cond_wait(&thr_cond, &thr_lock);
    pthread_mutex_unlock(&thr_lock);
}

/* Before entering translated code: false (nothing entered) when an
 * exclusive section ran or runs since the caller looked its block up in
 * generation `gen` -- the caller must look it up again. */
bool tr_thread_enter_code(struct tr_runtime *rt, uint64_t gen)
{
    __atomic_store_n(&rt->in_code, 1, __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&thr_exclusive, __ATOMIC_SEQ_CST) && tc_generation() == gen)
        return true;
    tr_thread_leave_code(rt);
    wait_exclusive_end();
    return false;
}

void tr_thread_leave_code(struct tr_runtime *rt)
{
    __atomic_store_n(&rt->in_code, 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&thr_exclusive, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&thr_lock);
        pthread_cond_broadcast(&thr_cond);
        pthread_mutex_unlock(&thr_lock);
    }
}

static bool others_in_code(void)
{
    for (struct tr_runtime *rt = thr_list; rt; rt = rt->next_thread)
        if (rt != thr_self && __atomic_load_n(&rt->in_code, __ATOMIC_SEQ_CST))
            return true;
    return false;
}

/* Called with the translation lock held, outside translated code. */
void tr_exclusive_start(void)
{
    pthread_mutex_lock(&thr_lock);
    __atomic_store_n(&thr_exclusive, 1, __ATOMIC_SEQ_CST);
    for (struct tr_runtime *rt = thr_list; rt; rt = rt->next_thread)
        if (rt != thr_self)
            __atomic_store_n(&rt->exit_request, 1, __ATOMIC_SEQ_CST);
    while (others_in_code())
        pthread_cond_wait(&thr_cond, &thr_lock);
    pthread_mutex_unlock(&thr_lock);
}

void tr_exclusive_end(void)
{
    pthread_mutex_lock(&thr_lock);
    __atomic_store_n(&thr_exclusive, 0, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&thr_cond);
    pthread_mutex_unlock(&thr_lock);
}

/* fork() from a threaded guest: the child keeps only the calling thread,
 * so no lock may be held by another thread across the fork. */
void tr_fork_prepare(void)
{
    tr_lock();
    pthread_mutex_lock(&thr_lock);
}

void tr_fork_parent(void)
{
    pthread_mutex_unlock(&thr_lock);
    tr_unlock();
}

void tr_fork_child(void)
{
    thr_list = thr_self;
    if (thr_self)
        thr_self->next_thread = NULL;
    pthread_mutex_unlock(&thr_lock);
    tr_unlock();
}
