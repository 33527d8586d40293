/* spin_harness.h -- what direct_spin.c and indirect_spin.c share: leaving
 * an endless loop by a SIGALRM handler's siglongjmp (`spin_interrupt`),
 * and unmapping code the process ran while a second thread spins
 * (`spin_unmap_while_spinning`: ferry needs every thread out of translated
 * code for it).  The including file defines the spinner,
 * `spin_until_stopped`, which sets `started` and loops until `stop`. */
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

static void *spin_until_stopped(void *arg);

static void on_alarm(int sig) { siglongjmp(out, sig); }

static void spin_catch_alarm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
}

static void arm_alarm(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void spin_interrupt(const char *name, void (*loop)(void))
{
    int sig = sigsetjmp(out, 1);
    if (!sig) {
        arm_alarm();
        loop();
    }
    printf("%s: left by signal %d\n", name, sig);
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

static void spin_unmap_while_spinning(void)
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
