/* guest_regs_harness.h -- what the guest tests of registers and flags
 * across exits, helpers and signals share (pinned_rbp, pinned_r12_r13,
 * pinned_r14_r15, flags_after_indirect, flags_long_successor): a printed
 * value folded into one running hash, a PROT_NONE page to fault on, a
 * SIGSEGV handler installed, SIGALRM every few microseconds, the seeds
 * each test's rounds run with, and the indirect calls through a table of
 * three targets that change two registers (jump-cache misses, then
 * hits).  A
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

/* A few seeds (edge values of 64 bits) each test's rounds run with. */
static const uint64_t harness_seeds[] = { 0, 1, 0x7fffffffffffffffull, 0xfffffffffffffff0ull,
                                          0x123456789abcdefull, 0x8000000000000001ull };

/* Runs round(seed) for each of harness_seeds, printing the seed first. */
static inline void harness_rounds(void (*round)(uint64_t))
{
    for (unsigned k = 0; k < sizeof harness_seeds / sizeof harness_seeds[0]; k++) {
        printf("seed %016llx\n", (unsigned long long)harness_seeds[k]);
        round(harness_seeds[k]);
    }
}

/* Three targets for indirect calls, t_add, t_mul and t_rot, each
 * changing register A or B (names without %, e.g. HARNESS_TARGETS(r12, r13)). */
#define HARNESS_TARGETS(A, B) \
    __attribute__((noinline, naked)) static void t_add(void) \
    { \
        __asm__("add $0x111, %" #A "\n\tret"); \
    } \
    __attribute__((noinline, naked)) static void t_mul(void) \
    { \
        __asm__("imul $3, %" #B ", %" #B "\n\txor %" #B ", %" #A "\n\tret"); \
    } \
    __attribute__((noinline, naked)) static void t_rot(void) \
    { \
        __asm__("ror $5, %" #A "\n\tadd %" #A ", %" #B "\n\tret"); \
    }

/* Assembly text: calls the target (rcx + (rcx & 1)) % 3 of the table at
 * operand %[t]; rcx (the loop's counter) kept, rax and rdx clobbered. */
#define HARNESS_ASM_CALL3 \
    "mov %%rcx, %%rax\n\t" \
    "and $1, %%eax\n\t" \
    "add %%rcx, %%rax\n\t" \
    "xor %%edx, %%edx\n\t" \
    "push %%rcx\n\t" \
    "mov $3, %%ecx\n\t" \
    "div %%rcx\n\t" \
    "pop %%rcx\n\t" \
    "call *(%[t],%%rdx,8)\n\t"

#endif
