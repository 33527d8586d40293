/* noncanonical.c -- data accesses through non-canonical addresses (issue
 * 10, session 11 probes): #GP, i.e. SIGSEGV with SI_KERNEL, trap 13,
 * error 0 and no si_addr, for loads and stores, with a tag in the top byte
 * of a valid pointer, just above the user half, across the canonical
 * boundary, from C helpers (rep movs, fxsave); a canonical kernel-half
 * address stays a page fault.  Ferry died of SIGBUS on the x86-64 host
 * when its host code addressed the guest's operand from rbp or rsp (the
 * host CPU's #SS).  On the AArch64 build the accesses whose address is
 * not proven canonical are tested (translator/ir_access_check.c: the
 * host's top-byte-ignore would let a tagged pointer through), with
 * FERRY_CANONICAL_CHECK=1 (off by default: its cost, docs/status.md
 * "a64canon").  Accesses crossing the top of the user half and through
 * a tagged stack pointer are in noncanonical_edge.c.  (The CPU's #SS for
 * guest rsp/rbp bases, SIGBUS, is left out: ferry reports #GP there.) */
//@env: FERRY_CANONICAL_CHECK=1
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static uint64_t var = 0x1234;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint64_t a = (uint64_t)(uintptr_t)si->si_addr;
    printf("  signal %d code %d addr %s trapno %lld err %lld\n", sig, si->si_code,
           a == 0 ? "0" : a >= 0xffff800000000000ull ? "kernel half" : "other",
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(back, 1);
}

#define CASE(NAME, ...)                                                       \
    do {                                                                      \
        printf("%s\n", NAME);                                                 \
        fflush(stdout);                                                       \
        if (!sigsetjmp(back, 1)) {                                            \
            __VA_ARGS__;                                                      \
            printf("  ran\n");                                                \
        }                                                                     \
    } while (0)

static void load(uint64_t p)
{
    uint64_t v;
    __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(p) : "memory");
}

static void store(uint64_t p)
{
    __asm__ volatile("movl $7, (%0)" : : "r"(p) : "memory");
}

int main(void)
{
    static uint8_t fx[512] __attribute__((aligned(16)));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    uint64_t v = (uint64_t)(uintptr_t)&var;
    CASE("load 0x8000000000000000", load(0x8000000000000000ull));
    CASE("load tagged pointer (0xff << 56)", load(v | 0xff00000000000000ull));
    CASE("store tagged pointer (1 << 56)", store(v | 0x0100000000000000ull));
    CASE("store pointer ^ (1 << 63)", store(v ^ 0x8000000000000000ull));
    CASE("load 0x0000800000000010", load(0x0000800000000010ull));
    CASE("load kernel half 0xffff800000000000", load(0xffff800000000000ull));
    CASE("rep movsb from a tagged pointer", {
        uint64_t s = v | 0x4000000000000000ull, d = (uint64_t)(uintptr_t)fx, c = 4;
        __asm__ volatile("rep movsb" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
    });
    CASE("fxsave to a tagged pointer", {
        uint64_t p = (uint64_t)(uintptr_t)fx | 0x0200000000000000ull;
        __asm__ volatile("fxsave (%0)" : : "r"(p) : "memory");
    });
    CASE("access after the faults", load(v));
    return 0;
}
