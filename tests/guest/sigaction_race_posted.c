/* sigaction_race_posted.c -- sigaction_race.c for a signal ferry posts to
 * a thread itself (SIGTRAP: its host disposition is ferry's own and never
 * follows the guest's): a sender thread sends SIGTRAP to a spinning worker
 * while the main thread switches the disposition between a handler and
 * SIG_IGN.  The worker's delivery must see one disposition whole (ferry
 * reads it under the lock rt_sigaction takes).
 *
 * Why a second program: sigaction_race.c's SIGUSR1 goes through the host
 * kernel, so its host disposition flips between ferry's handler and
 * SIG_IGN; under qemu-user (the AArch64 build's tests) that flip races
 * with qemu's own delivery, which checks the handler once and then jumps
 * to the one it reads again (address 1 = SIG_IGN).  Here no host
 * disposition changes, so this one runs on both builds. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sigaction_switch.h"

/* Deliveries to wait for: the switching goes on until the worker has run
 * the handler this often (natively too, the sender may start late). */
#define HANDLED 1500

static volatile sig_atomic_t handled;
static volatile pid_t worker_tid;

static void on_trap(int sig) { handled = handled + 1; }

static int handled_enough(int switches) { return handled >= HANDLED; }

static void *worker(void *arg)
{
    __atomic_store_n(&worker_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    while (!stopped())
        ;
    return NULL;
}

static void *sender(void *arg)
{
    pid_t tid;
    while (!(tid = __atomic_load_n(&worker_tid, __ATOMIC_ACQUIRE)))
        sched_yield();
    while (!stopped())
        syscall(SYS_tgkill, getpid(), tid, SIGTRAP);
    return NULL;
}

int main(void)
{
    pthread_t w, s;
    signal(SIGTRAP, SIG_IGN);
    pthread_create(&w, NULL, worker, NULL);
    pthread_create(&s, NULL, sender, NULL);
    switch_disposition(SIGTRAP, on_trap, handled_enough);
    pthread_join(s, NULL);
    pthread_join(w, NULL);
    printf("%d handlers run while the disposition switched: alive\n", HANDLED);
    return 0;
}
