/* async_cases.h -- what the async-signal flag tests share (async_flags,
 * async_rep_flags, flags_jc_dead): dead_flag_loops.h (the arithmetic
 * flags' mask, the flags the CPU gives `cmp`), an SA_SIGINFO handler, a
 * periodic SIGALRM timer, the tally of where a loop's signals landed, and
 * (flags_jc_dead, flags_ras_lazy) the compare operands and a fault sweep.
 * A header, not a test (tests.mk builds the .c files only). */
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "dead_flag_loops.h"

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

/* Where a loop's SIGALRMs landed: in the loop (hits; bad, those whose
 * frame held other flags than want) or outside it. */
struct landings { unsigned long hits, bad, outside, want_hits; };

/* Counts one landing (in: the ip is in the loop); true when the loop has
 * had the hits it wants. */
static inline int landed(volatile struct landings *l, int in, unsigned long efl,
                         unsigned long want)
{
    if (!in) {
        l->outside++;
        return 0;
    }
    l->hits++;
    l->bad += efl != want;
    return l->hits >= l->want_hits;
}

/* A fresh tally wanting n hits, handler on SIGALRM every usec. */
static inline void landings_start(volatile struct landings *l, unsigned long n,
                                  void (*fn)(int, siginfo_t *, void *), long usec)
{
    l->hits = l->bad = l->outside = 0;
    l->want_hits = n;
    on_signal(SIGALRM, fn);
    set_timer(usec);
}

/* The operands every pair of the flag-cut tests compares: signed and
 * unsigned edges. */
static const uint64_t flag_vals[] = { 0, 1, 2, 5, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                      ~0ull };
#define FLAG_NV (sizeof(flag_vals) / sizeof(flag_vals[0]))

/* 300 rounds of fn over rotated operand pairs (fn faults under the
 * caller's SIGSEGV handler, which checks the flags): a checksum. */
static inline uint64_t fault_sweep(uint64_t (*fn)(uint64_t, uint64_t))
{
    uint64_t fs = 0;
    for (int round = 0; round < 300; round++)
        for (unsigned i = 0; i < FLAG_NV; i++)
            fs = fs * 3 + fn(flag_vals[i], flag_vals[(i + round) % FLAG_NV]);
    return fs;
}
