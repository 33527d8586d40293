/* noncanonical_edge.c -- non-canonical accesses at the edges of what the
 * AArch64 build proves without a test (translator/ir_access_check.c):
 * - an 8-byte load that starts in the last page of the user half and
 *   ends past 2^47: #GP (SIGSEGV, SI_KERNEL, trap 13, no si_addr), not a
 *   page fault;
 * - a base used once at the top of the user half (0x7fffffffe000, the
 *   last page x86 Linux maps), then with a displacement that crosses
 *   2^47 in the same block: the second access is not tested (its base is
 *   proven), the host faults in the guard above 2^47 and the handler
 *   finds #GP from the decoded address;
 * - a block entered with two bases, the second tagged in its top byte:
 *   its entry guard (one test of both) fails and the block runs again
 *   with every access tested -- #GP with the first load done, or the
 *   page fault of the first load when its base is canonical but not
 *   mapped (not the second's #GP);
 * - a push through a stack pointer tagged in its top byte: the CPU's #SS
 *   (SIGBUS) natively, #GP under ferry (a known difference), so only
 *   "a fault" is printed -- and that the untagged stack was not written,
 *   as the host's top-byte-ignore would have.
 * With FERRY_CANONICAL_CHECK=1 (off by default on the AArch64 build;
 * the x86-64 build ignores it). */
//@env: FERRY_CANONICAL_CHECK=1
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("  signal %d code %d addr %s trapno %lld err %lld\n", sig, si->si_code,
           si->si_addr ? "set" : "0", (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (long long)uc->uc_mcontext.gregs[REG_ERR]);
    siglongjmp(back, 1);
}

static void on_stack_fault(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si, (void)ucv;
    printf("  a fault\n");
    siglongjmp(back, 1);
}

static uint64_t stack_words[64] __attribute__((aligned(16)));
static uint64_t guard_word = 0x1234;

static void on_guard_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    printf("  signal %d code %d trapno %lld, first load done: %s\n", sig, si->si_code,
           (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           uc->uc_mcontext.gregs[REG_RAX] == 0x1234 ? "yes" : "no");
    siglongjmp(back, 1);
}

/* Two bases live at a block's entry (the jmp starts a block). */
static void two_bases(const uint64_t *first)
{
    uint64_t tagged = (uint64_t)(uintptr_t)&guard_word | 0x0300000000000000ull;
    __asm__ volatile("xor %%eax, %%eax\n\tjmp 1f\n1:\tmov (%0), %%rax\n\tmov (%1), %%rax"
                     : : "r"(first), "r"(tagged) : "rax", "memory");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    static uint8_t alt[65536];
    stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
    sigaltstack(&ss, NULL);

    printf("load across 2^47\n");
    if (!sigsetjmp(back, 1)) {
        uint64_t v, p = 0x00007ffffffffffcull;
        __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(p) : "memory");
        printf("  ran\n");
    }

    printf("base proven, then base + disp past 2^47\n");
    uint8_t *top = mmap((void *)0x7fffffffe000ull, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (top != (void *)0x7fffffffe000ull) {
        printf("  no page at the top\n");
    } else if (!sigsetjmp(back, 1)) {
        uint64_t a, b;
        __asm__ volatile("mov (%2), %0\n\tmov 0x2008(%2), %1"
                         : "=&r"(a), "=&r"(b) : "r"(top) : "memory");
        printf("  ran\n");
    }

    printf("entry guard: a tagged second base\n");
    sa.sa_sigaction = on_guard_fault;
    sigaction(SIGSEGV, &sa, NULL);
    uint64_t *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int k = 0; k < 4; k++)
        if (!sigsetjmp(back, 1)) {
            two_bases(k & 1 ? none : &guard_word);
            printf("  ran\n");
        }

    printf("push through a tagged stack pointer\n");
    sa.sa_sigaction = on_stack_fault;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    memset(stack_words, 0, sizeof stack_words);
    if (!sigsetjmp(back, 1)) {
        uint64_t tagged = (uint64_t)(uintptr_t)&stack_words[32] | 0x0200000000000000ull;
        __asm__ volatile("mov %%rsp, %%rbx\n\tmov %0, %%rsp\n\tpush %%rbx\n\tmov %%rbx, %%rsp"
                         : : "r"(tagged) : "rbx", "memory");
        printf("  ran\n");
    }
    int written = 0;
    for (int k = 0; k < 64; k++)
        written |= stack_words[k] != 0;
    printf("  untagged stack written: %s\n", written ? "yes" : "no");
    return 0;
}
