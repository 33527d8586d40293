/* async_cases.h -- what the async-signal flag tests share (async_flags,
 * async_rep_flags): the arithmetic flags' mask, the flags the CPU gives
 * `cmp`, an SA_SIGINFO handler and a periodic SIGALRM timer.  A header,
 * not a test (tests.mk builds the .c files only). */
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#define ARITH 0x8d5ul              /* OF SF ZF AF PF CF */

/* The flags of `cmp b, a` (a - b). */
static inline unsigned long flags_cmp(unsigned long a, unsigned long b)
{
    unsigned long f;
    __asm__ volatile("cmp %2, %1\n\tpushfq\n\tpopq %0" : "=&r"(f) : "r"(a), "r"(b) : "cc");
    return f & ARITH;
}

static inline void on_signal(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(sig, &sa, NULL);
}

/* SIGALRM every usec microseconds (0: off). */
static inline void set_timer(long usec)
{
    struct itimerval it = { { 0, usec }, { 0, usec } };
    setitimer(ITIMER_REAL, &it, NULL);
}
