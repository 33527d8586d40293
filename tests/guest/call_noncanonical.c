/* call_noncanonical.c -- indirect calls (register and memory forms) to
 * targets around both edges of the canonical halves: a non-canonical one
 * is #GP at the call (SIGSEGV, SI_KERNEL, trap 13, error 0, no address)
 * with the state from before it -- rsp unchanged, the word below rsp not
 * written, flags and a register the block computed right before the call
 * as they were; a canonical one (the kernel half too) pushes its return
 * address and faults at the target.  The x86-64 host tests the target
 * with one compare inline and the rest out of line behind the block
 * (backends/x86_64/x64_canon.c), where a host fault names the call's
 * fault point. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static char *at;
static uint64_t rsp0;
static const uint64_t MARK = 0x5a5a5a5a5a5a5a5aull;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    uint64_t below = *(uint64_t *)(uintptr_t)(rsp0 - 8);
    uint64_t rip = (uint64_t)g[REG_RIP];
    printf("  sig %d code %d addr %s trapno %lld err %lld", sig, si->si_code,
           si->si_addr ? "target" : "0", (long long)g[REG_TRAPNO], (long long)g[REG_ERR]);
    printf(" rip %s rsp-delta %lld eflags %03llx rdx %llx below %s", rip == (uint64_t)(uintptr_t)at ? "at-call" : "other",
           (long long)((uint64_t)g[REG_RSP] - rsp0), (unsigned long long)g[REG_EFL] & 0x8d5,
           (unsigned long long)g[REG_RDX], below == MARK ? "unwritten" : "written");
    if (below != MARK)
        printf(" (return address at-call+%lld)", (long long)(below - (uint64_t)(uintptr_t)at));
    printf("\n");
    siglongjmp(back, 1);
}

/* Names the case and its call's address (the handler's `at`). */
static int start(const char *name, char *call)
{
    printf("%s\n", name);
    at = call;
    return 1;
}

/* rax = target, rcx = 3, EFLAGS from `cmp $7, %ecx` (CF SF AF set), the
 * word below rsp marked, rdx = rcx + 0x40 (a value the block holds), then
 * the call; `ok` if it returns. */
#define C(NAME, TARGET, INSN)                                                  \
    do {                                                                      \
        extern char NAME##_at[];                                              \
        if (start(#NAME, NAME##_at) && sigsetjmp(back, 1) == 0) {             \
            __asm__ volatile("mov %%rsp, %[s]\n\tmovq %[m], %%rcx\n\t"        \
                             "mov %%rcx, -8(%%rsp)\n\tmov $3, %%ecx\n\t"     \
                             "lea 0x40(%%rcx), %%rdx\n\tcmp $7, %%ecx\n\t"   \
                             ".globl " #NAME "_at\n" #NAME "_at:\n\t" INSN    \
                             : [s] "=m"(rsp0) : "a"(TARGET), [m] "m"(MARK)    \
                             : "rcx", "rdx", "memory", "cc");                 \
            puts("  ok");                                                     \
        }                                                                     \
    } while (0)

static uint64_t slot[2];

static void calls(void)
{
    C(reg_user_end, 0x0000800000000000ull, "call *%%rax");
    C(reg_kernel_below, 0xffff7fffffffffffull, "call *%%rax");
    C(reg_high_bit, 0x8000000000000000ull, "call *%%rax");
    C(reg_low_max, 0x7fffffffffffffffull, "call *%%rax");
    C(reg_bit48, 0x0001000000000000ull, "call *%%rax");
    C(reg_kernel_start, 0xffff800000000000ull, "call *%%rax");
    C(reg_kernel_top, 0xfffffffffffff000ull, "call *%%rax");
    C(reg_unmapped, 0x00003fff00000000ull, "call *%%rax");
    slot[1] = 0x0000800000000000ull;
    C(mem_user_end, (uint64_t)(uintptr_t)slot, "call *8(%%rax)");
    slot[1] = 0xfff0000000000000ull;
    C(mem_high, (uint64_t)(uintptr_t)slot, "call *8(%%rax)");
    slot[1] = 0xffff800000001000ull;
    C(mem_kernel, (uint64_t)(uintptr_t)slot, "call *8(%%rax)");
}

/* The handler runs on its own stack: the word below the guest's rsp is
 * what the call left there. */
int main(void)
{
    static char alt[65536];
    sigaltstack(&(stack_t){ .ss_sp = alt, .ss_size = sizeof alt }, 0);
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigaction(SIGSEGV, &sa, 0);
    setvbuf(stdout, 0, _IONBF, 0);
    calls();
    return 0;
}
