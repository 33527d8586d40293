/* threads.c -- LeakSanitizer with threads: a recoverable leak check while
 * two workers wait (one in a condition variable with its block on its
 * stack, one in futex with the only pointer to its block in r12: found
 * only if the stopped thread's registers are read right), then, with an
 * argument, a block leaked by a third thread, reported at exit.  ASan's
 * SIGSEGV handler must survive the check. */
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sanitizer/lsan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEY 0x5a5a5a5a5a5a5a5aull

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int go, ready;
static volatile uint64_t hidden;        /* the r12 block's pointer ^ KEY, then 0 */
static void *volatile sink;

static void *waiter(void *arg)
{
    char *p = malloc(64);
    strcpy(p, "waiter");
    pthread_mutex_lock(&m);
    ready++;
    while (!go)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    free(p);
    return NULL;
}

/* Unhides the pointer into r12, clears the hidden copy, waits in futex
 * until go, and hands the pointer back. */
static void *in_r12(void)
{
    void *out;
    __asm__ volatile("mov %[h], %%r12\n\t"
                     "xor %[key], %%r12\n\t"
                     "movq $0, %[h]\n\t"
                     "lock incl %[ready]\n\t"
                     "1: cmpl $0, %[go]\n\t"
                     "jne 2f\n\t"
                     "mov $202, %%eax\n\t"
                     "lea %[go], %%rdi\n\t"
                     "mov $128, %%esi\n\t"
                     "xor %%edx, %%edx\n\t"
                     "xor %%r10d, %%r10d\n\t"
                     "syscall\n\t"
                     "jmp 1b\n\t"
                     "2: mov %%r12, %[out]\n\t"
                     : [out] "=m"(out), [h] "+m"(hidden), [ready] "+m"(ready)
                     : [key] "r"(KEY), [go] "m"(go)
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r10", "r11", "r12", "memory", "cc");
    return out;
}

static void *register_holder(void *arg)
{
    hidden = (uintptr_t)malloc(48) ^ KEY;
    free(in_r12());
    return NULL;
}

static void *leaker(void *arg)
{
    sink = malloc(77);
    sink = NULL;
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[3];
    pthread_create(&t[0], NULL, waiter, NULL);
    pthread_create(&t[1], NULL, register_holder, NULL);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 2)
        usleep(1000);
    usleep(20000);                      /* both asleep in the kernel */
    struct sigaction before, after;
    sigaction(SIGSEGV, NULL, &before);
    printf("check: %d\n", __lsan_do_recoverable_leak_check());
    /* the tracer's own SIGSEGV handler must not outlive it (a CLONE_VM
     * child without CLONE_SIGHAND has a copy of the dispositions) */
    sigaction(SIGSEGV, NULL, &after);
    printf("SIGSEGV handler kept: %d\n", before.sa_sigaction == after.sa_sigaction);
    pthread_mutex_lock(&m);
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&m);
    syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, 16, NULL, NULL, 0);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    if (argc > 1) {
        pthread_create(&t[2], NULL, leaker, NULL);
        pthread_join(t[2], NULL);
    }
    printf("end\n");
    fflush(stdout);
    return 0;
}
