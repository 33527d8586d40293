/* tc_vdso.c -- a program that calls the vDSO's functions (check-tcache.sh,
 * "vDSO"): clock_gettime, gettimeofday, time and getcpu go through
 * [vdso], so a warm run finds their blocks in the cache only when the
 * vDSO is mapped at the same address in every run.  Prints only what does
 * not depend on the time. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void)
{
    struct timespec a, b;
    struct timeval tv;
    int ok = clock_gettime(CLOCK_MONOTONIC, &a) == 0 && clock_gettime(CLOCK_MONOTONIC, &b) == 0 &&
             (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    /* time() reads the coarse clock, a tick or so behind CLOCK_REALTIME
     * just after a second begins (natively too: 3 runs in 300 failed a
     * plain >=), hence the slack. */
    ok = ok && clock_gettime(CLOCK_REALTIME, &a) == 0 && gettimeofday(&tv, NULL) == 0 &&
         time(NULL) + 2 >= a.tv_sec && tv.tv_sec + 2 >= a.tv_sec && sched_getcpu() >= 0;
    printf("vdso calls %s\n", ok ? "ok" : "failed");
    return !ok;
}
