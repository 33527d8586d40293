/* fault_regs.c -- the general registers a signal handler finds in its
 * ucontext after a synchronous fault: set just before a faulting load in
 * the same block, set some blocks earlier (so they were carried from block
 * to block), changed after an SSE instruction a translator may run as a
 * helper call, and before a division by zero (SIGFPE). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

int fr_variant;                 /* read by the asm, RIP-relative */
static sigjmp_buf back;
static greg_t seen[NGREG];

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    memcpy(seen, ((ucontext_t *)ctx)->uc_mcontext.gregs, sizeof seen);
    siglongjmp(back, sig);
}

#define SET_ALL \
    "mov $0x1000, %rax\n\t"  "mov $0x1001, %rbx\n\t"  "mov $0x1002, %rcx\n\t" \
    "mov $0x1003, %rdx\n\t"  "mov $0x1004, %rbp\n\t"  "mov $0x40, %rsi\n\t"   \
    "mov $0x1006, %rdi\n\t"  "mov $0x1008, %r8\n\t"   "mov $0x1009, %r9\n\t"  \
    "mov $0x100a, %r10\n\t"  "mov $0x100b, %r11\n\t"  "mov $0x100c, %r12\n\t" \
    "mov $0x100d, %r13\n\t"  "mov $0x100e, %r14\n\t"  "mov $0x100f, %r15\n\t"

/* Never returns: the load from 0x40 (rsi) or the division faults. */
static void set_registers_and_fault(void)
{
    __asm__ volatile(
        "cmpl $0, fr_variant(%rip)\n\t"
        "jne 5f\n\t"
        SET_ALL
        "cmpq $0, (%rsi)\n\t"                  /* 0: all in one block */
        "jmp 9f\n"
        "5: " SET_ALL
        "cmpl $2, fr_variant(%rip)\n\t"
        "jl 1f\n\t"
        "je 2f\n\t"
        "cmpl $3, fr_variant(%rip)\n\t"
        "je 3f\n\t"
        "mov $0x2000, %rax\n\t"                /* 4: SIGFPE */
        "xor %edx, %edx\n\t"
        "xor %ecx, %ecx\n\t"
        "div %rcx\n"
        "1: add $0x100, %r12\n\t"               /* 1: changed in later blocks */
        "jmp 4f\n"
        "4: add $0x100, %r10\n\t"
        "add $0x100, %rbx\n\t"
        "jmp 9f\n"
        "2: pxor %xmm0, %xmm0\n\t"              /* 2: after a scalar SSE op */
        "sqrtsd %xmm0, %xmm0\n\t"
        "add $0x200, %r11\n\t"
        "add $0x200, %r13\n\t"
        "jmp 9f\n"
        "3: add $0x300, %r14\n\t"               /* 3: across a branch not taken */
        "cmp $5, %r15\n\t"
        "je 4b\n\t"
        "add $0x300, %r9\n"
        "9: mov (%rsi), %rcx\n\t"
        "ud2\n\t");
}

static void show(const char *what, int sig)
{
    static const struct { const char *name; int reg; } regs[] = {
        { "rax", REG_RAX }, { "rbx", REG_RBX }, { "rcx", REG_RCX }, { "rdx", REG_RDX },
        { "rsi", REG_RSI }, { "rdi", REG_RDI }, { "rbp", REG_RBP }, { "r8", REG_R8 },
        { "r9", REG_R9 }, { "r10", REG_R10 }, { "r11", REG_R11 }, { "r12", REG_R12 },
        { "r13", REG_R13 }, { "r14", REG_R14 }, { "r15", REG_R15 },
    };
    printf("%s: signal %d\n", what, sig);
    for (size_t k = 0; k < sizeof regs / sizeof regs[0]; k++)
        printf("  %s=%#llx\n", regs[k].name, (unsigned long long)seen[regs[k].reg]);
}

int main(void)
{
    static const char *const what[] = {
        "same block", "earlier blocks", "after sqrtsd", "branch not taken", "divide by zero",
    };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    for (fr_variant = 0; fr_variant < 5; fr_variant++) {
        int sig = sigsetjmp(back, 1);
        if (sig == 0)
            set_registers_and_fault();
        show(what[fr_variant], sig);
    }
    return 0;
}
