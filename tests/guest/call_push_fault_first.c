/* call_push_fault_first.c -- an indirect call whose push faults and whose
 * target is not canonical: which fault wins.  On Intel the call writes
 * its return address before it tests the target, so the push's page fault
 * (trap 14, si_addr rsp - 8) comes first; ferry's x86-64 frontend orders
 * the call's store, its canonical test and rsp's update that way
 * (frontends/x86_64/x86_control.c, h_call).  rsp is put at the bottom
 * edge of a writable page above a PROT_NONE one; the handler prints what
 * the CPU reported, so the native run is the reference on any machine. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf back;
static char *at;
static uint64_t top;                    /* the rsp the call runs with */
static uint64_t slot[2];

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    uint64_t addr = (uint64_t)(uintptr_t)si->si_addr;
    printf("  sig %d code %d addr %s trapno %lld err %lld rip %s rsp-delta %lld\n", sig,
           si->si_code, addr == top - 8 ? "rsp-8" : addr ? "other" : "0",
           (long long)g[REG_TRAPNO], (long long)g[REG_ERR],
           (uint64_t)g[REG_RIP] == (uint64_t)(uintptr_t)at ? "at-call" : "other",
           (long long)((uint64_t)g[REG_RSP] - top));
    siglongjmp(back, 1);
}

static int start(const char *name, char *call)
{
    printf("%s\n", name);
    at = call;
    return 1;
}

/* rsp = top for the call (siglongjmp restores the real one). */
#define C(NAME, TARGET, INSN)                                                  \
    do {                                                                      \
        extern char NAME##_at[];                                              \
        if (start(#NAME, NAME##_at) && sigsetjmp(back, 1) == 0) {             \
            __asm__ volatile("mov %[t], %%rsp\n\t"                            \
                             ".globl " #NAME "_at\n" #NAME "_at:\n\t" INSN    \
                             : : "a"(TARGET), [t] "r"(top) : "memory");       \
            puts("  ok");                                                     \
        }                                                                     \
    } while (0)

static void calls(void)
{
    C(reg_noncanonical, 0x0000800000000000ull, "call *%%rax");
    C(reg_kernel_half, 0xffff800000001000ull, "call *%%rax");
    C(reg_unmapped, 0x00003fff00000000ull, "call *%%rax");
    slot[1] = 0xfff0000000000000ull;
    C(mem_noncanonical, (uint64_t)(uintptr_t)slot, "call *8(%%rax)");
    slot[1] = 0x0000800000000000ull;
    C(mem_user_end, (uint64_t)(uintptr_t)slot, "call *8(%%rax)");
}

int main(void)
{
    static char alt[65536];
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m, page, PROT_NONE) != 0)
        return 1;
    top = (uint64_t)(uintptr_t)(m + page);
    sigaltstack(&(stack_t){ .ss_sp = alt, .ss_size = sizeof alt }, 0);
    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    sigaction(SIGSEGV, &sa, 0);
    setvbuf(stdout, 0, _IONBF, 0);
    calls();
    return 0;
}
