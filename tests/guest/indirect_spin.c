/* indirect_spin.c -- loops whose only way back is an indirect jump stay
 * interruptible: a SIGALRM handler leaves (siglongjmp) an endless
 * `jmp *%rax` loop and an endless push/ret loop; then, with a second
 * thread spinning in an indirect loop until told to stop, main unmaps
 * code it ran, which needs every thread out of translated code first
 * (an exclusive section in ferry) -- it must not wait forever. */
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

static void jmp_reg_forever(void)
{
    __asm__ volatile("lea 1f(%%rip), %%rax\n1: jmp *%%rax" ::: "rax", "memory");
}

static void ret_forever(void)
{
    __asm__ volatile("1: lea 1b(%%rip), %%rcx\n push %%rcx\n ret" ::: "rcx", "memory");
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

/* Spins until `stop`, looping back only through `jmp *%rax`. */
static void *spin_until_stopped(void *arg)
{
    __asm__ volatile("lea 1f(%%rip), %%rax\n"
                     "1: movl $1, %0\n"
                     "cmpl $0, %1\n"
                     "jne 2f\n"
                     "jmp *%%rax\n"
                     "2:" : "+m"(started) : "m"(stop) : "rax", "memory", "cc");
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
    interrupt("jmp *%rax loop", jmp_reg_forever);
    interrupt("push/ret loop", ret_forever);
    unmap_while_spinning();
    return 0;
}
