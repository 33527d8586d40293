/* sigaction_switch.h -- what sigaction_race.c and sigaction_race_posted.c
 * share: the main thread switches a signal's disposition between a handler
 * and SIG_IGN while other threads send it, until `done` says enough; then
 * it leaves SIG_IGN in place and sets `stop` for the other threads. */
#include <signal.h>

static volatile int stop;

static int stopped(void) { return __atomic_load_n(&stop, __ATOMIC_ACQUIRE); }

static void switch_disposition(int sig, void (*handler)(int), int (*done)(int switches))
{
    for (int i = 0; !done(i); i++)
        signal(sig, i % 2 ? SIG_IGN : handler);
    signal(sig, SIG_IGN);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
}
