/* direct_spin.c -- loops chained through direct jumps stay interruptible
 * (on the AArch64 host their test is one load from a guard page that a
 * request makes unreadable): a SIGALRM handler leaves (siglongjmp) an
 * endless `jmp .` and an endless loop of three blocks (a backward
 * conditional jump, as in gzip's longest_match); then, with a second
 * thread spinning in a direct loop until told to stop, main unmaps code
 * it ran, which needs every thread out of translated code first (an
 * exclusive section in ferry) -- it must not wait forever. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

static sigjmp_buf out;
static volatile int started, stop;

static void on_alarm(int sig) { siglongjmp(out, sig); }

static void arm_alarm(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void jmp_self_forever(void)
{
    __asm__ volatile("1: jmp 1b" ::: "memory");
}

/* Three blocks: the loop head, a forward jcc's two sides, the back edge. */
static void three_blocks_forever(void)
{
    __asm__ volatile("xor %%eax, %%eax\n"
                     "1: add $1, %%eax\n"
                     "test $1, %%al\n"
                     "jne 2f\n"
                     "add $2, %%eax\n"
                     "jmp 3f\n"
                     "2: sub $1, %%eax\n"
                     "3: cmp $-1, %%eax\n"
                     "jne 1b" ::: "rax", "memory", "cc");
}

static void interrupt(const char *name, void (*loop)(void))
{
    int sig = sigsetjmp(out, 1);
    if (!sig) {
        arm_alarm();
        loop();
    }
    printf("%s: left by signal %d\n", name, sig);
}

/* Spins until `stop`, looping back through a direct `je`. */
static void *spin_until_stopped(void *arg)
{
    __asm__ volatile("1: movl $1, %0\n"
                     "cmpl $0, %1\n"
                     "je 1b" : "+m"(started) : "m"(stop) : "memory", "cc");
    return NULL;
}

/* A page of code (`mov eax, 7; ret`), called once so that it is translated. */
static void *make_code(void)
{
    static const unsigned char code[] = { 0xb8, 7, 0, 0, 0, 0xc3 };
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memcpy(p, code, sizeof code);
    printf("code returns %d\n", ((int (*)(void))p)());
    return p;
}

static void unmap_while_spinning(void)
{
    void *code = make_code();
    pthread_t t;
    pthread_create(&t, NULL, spin_until_stopped, NULL);
    while (!started)
        sched_yield();
    printf("munmap while another thread spins: %d\n", code ? munmap(code, 4096) : -1);
    stop = 1;
    pthread_join(t, NULL);
    printf("spinner stopped\n");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    interrupt("jmp . loop", jmp_self_forever);
    interrupt("three-block loop", three_blocks_forever);
    unmap_while_spinning();
    interrupt("jmp . loop again", jmp_self_forever);
    return 0;
}
