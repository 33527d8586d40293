/* sse_fault.c -- SSE loads and stores (and arithmetic with a memory
 * operand) that fault: the SIGSEGV handler must see the faulting
 * instruction's rip, si_addr, a general register as it was just before
 * (incremented earlier in the same block; rax, which nothing overwrites
 * later in the block, as ferry drops writes a block overwrites anyway),
 * and the XMM destination still unchanged -- precise faults of the vector
 * moves. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf recover;
static volatile long seen_rip, seen_rax, seen_addr;
static volatile uint64_t seen_xmm[2];

static void on_segv(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    seen_rip = uc->uc_mcontext.gregs[REG_RIP];
    seen_rax = uc->uc_mcontext.gregs[REG_RAX];
    seen_addr = (long)info->si_addr;
    memcpy((void *)seen_xmm, &uc->uc_mcontext.fpregs->_xmm[3], 16);
    siglongjmp(recover, 1);
}

/* rax = 41 + 1, xmm3 = a pattern, then INSN on (%rcx) = ADDR. */
#define FAULT_CASE(NAME, INSN, ADDR)                                          \
    extern char NAME##_at[];                                                  \
    static __attribute__((noinline)) void NAME(void)                          \
    {                                                                         \
        uint64_t pat[2] = { 0x1122334455667788ull, 0x99aabbccddeeff00ull };   \
        __asm__ volatile("movdqu %[p], %%xmm3\n\tmov $41, %%rax\n\tinc %%rax\n\t" \
                         ".globl " #NAME "_at\n" #NAME "_at:\n\t" INSN "\n\t" \
                         : : [p] "m"(pat), "c"((long)(ADDR))                  \
                         : "rax", "xmm3", "memory");                          \
    }
FAULT_CASE(movdqu_load, "movdqu (%%rcx), %%xmm3", 0x10)
FAULT_CASE(movsd_load, "movsd (%%rcx), %%xmm3", 0x1018)
FAULT_CASE(movdqu_store, "movdqu %%xmm3, (%%rcx)", 0x2020)
FAULT_CASE(movss_store, "movss %%xmm3, (%%rcx)", 0x3028)
FAULT_CASE(addps_mem, "addps (%%rcx), %%xmm3", 0x4030)
FAULT_CASE(mulsd_mem, "mulsd (%%rcx), %%xmm3", 0x5038)
FAULT_CASE(cvtss2sd_mem, "cvtss2sd (%%rcx), %%xmm3", 0x6040)

static void run(const char *name, void (*fn)(void), const char *at)
{
    seen_rip = seen_rax = seen_addr = 0;
    if (sigsetjmp(recover, 1) == 0) {
        fn();
        printf("%s: no fault\n", name);
        return;
    }
    printf("%s: rip at+%ld rax %ld si_addr %#lx xmm3 %016llx%016llx\n", name,
           seen_rip - (long)at, seen_rax, seen_addr,
           (unsigned long long)seen_xmm[1], (unsigned long long)seen_xmm[0]);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    run("movdqu load", movdqu_load, movdqu_load_at);
    run("movsd load", movsd_load, movsd_load_at);
    run("movdqu store", movdqu_store, movdqu_store_at);
    run("movss store", movss_store, movss_store_at);
    run("addps mem", addps_mem, addps_mem_at);
    run("mulsd mem", mulsd_mem, mulsd_mem_at);
    run("cvtss2sd mem", cvtss2sd_mem, cvtss2sd_mem_at);
    return 0;
}
