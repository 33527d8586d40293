/* guest_regs_harness.h -- what the guest tests of registers and flags
 * across exits, helpers and signals share (pinned_rbp, pinned_r12_r13,
 * pinned_r14_r15, flags_after_indirect, flags_long_successor): a printed
 * value folded into one running hash, a PROT_NONE page to fault on, a
 * SIGSEGV handler installed, and SIGALRM every few microseconds.  A
 * header, not a test (tests.mk builds the .c files only); include it
 * first, as it defines _GNU_SOURCE. */
#ifndef GUEST_REGS_HARNESS_H
#define GUEST_REGS_HARNESS_H

#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

static uint64_t harness_mix;

/* Prints one value and folds it into the hash harness_done() prints. */
static inline void harness_note(const char *what, uint64_t v)
{
    harness_mix = (harness_mix ^ v) * 0x100000001b3ull;
    printf("%-10s %016llx\n", what, (unsigned long long)v);
}

static inline void harness_done(void)
{
    printf("mix %016llx\n", (unsigned long long)harness_mix);
}

/* A page every access to faults on. */
static inline volatile uint8_t *harness_fault_page(void)
{
    return mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static inline void harness_on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(sig, &sa, NULL);
}

/* SIGSEGV to fn, which sees and may change the registers in its ucontext. */
static inline void harness_on_segv(void (*fn)(int, siginfo_t *, void *))
{
    harness_on_signal(SIGSEGV, fn, 0);
}

/* SIGALRM to fn every usec microseconds (0: stop); interrupted system
 * calls restart. */
static inline void harness_alarm(void (*fn)(int, siginfo_t *, void *), long usec)
{
    if (usec)
        harness_on_signal(SIGALRM, fn, SA_RESTART);
    struct itimerval it = { { 0, usec }, { 0, usec } };
    setitimer(ITIMER_REAL, &it, NULL);
}

#endif
