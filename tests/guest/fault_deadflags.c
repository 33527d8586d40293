/* fault_deadflags.c -- the arithmetic flags a SIGSEGV/SIGFPE handler finds
 * when they are dead at the fault: each flag-producing class (add, sub,
 * logic, shifts, rotates, inc/dec, imul, mul, neg, adc/sbb, bt, popf,
 * sahf, bsf/popcnt/lzcnt, BMI, ucomisd ...) sets them, then an instruction
 * faults before anything reads them, and a full flag writer (cmp) after
 * the faulter overwrites them -- so no later instruction needs them, and
 * only the handler's REG_EFL can show them.  Each case runs in one block
 * and, through a jmp or jcc, with the faulter at the start of the next
 * block.  The handler prints the flags (and the fault), makes the page
 * accessible or the divisor non-zero and returns: the faulter runs again,
 * and the case's closing int3 prints the state after it and the cmp.
 * Flags the producer leaves undefined are masked (listed per producer). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "fault_signals.h"

#define SET_ALL                                                                   \
    "mov %rdi, %rsi\n\t" "mov $0x1000, %rax\n\t" "mov $0x1001, %rbx\n\t"           \
    "mov $0, %rcx\n\t" "mov $0x1003, %rdx\n\t" "mov $0x80000000, %r8\n\t"          \
    "mov $0x7fffffffffffffff, %r9\n\t" "mov $-7, %r10\n\t" "mov $0x55, %r11\n\t"   \
    "mov $0x1234, %r12\n\t" "mov $0x4000000000, %r13\n\t" "mov $3, %r14\n\t"      \
    "mov $0xf0, %r15\n\t" "push $0x8d5\n\t" "popfq\n\t"

#define PRODUCERS(M, f, text, fix)                                                  \
    M(f, add, "add $1, %r9", 0, text, fix)                                          \
    M(f, add32, "add %r8d, %r8d", 0, text, fix)                                     \
    M(f, sub, "sub $1, %r8d", 0, text, fix)                                         \
    M(f, sub8, "sub %r11b, %r15b", 0, text, fix)                                    \
    M(f, cmp, "cmp %r10, %r11", 0, text, fix)                                       \
    M(f, cmp16, "cmp $0x7fff, %r12w", 0, text, fix)                                 \
    M(f, and, "and %r10, %r15", UNDEF_LOG, text, fix)                               \
    M(f, or, "or $0x80, %r11b", UNDEF_LOG, text, fix)                               \
    M(f, xor, "xor %r12, %r12", UNDEF_LOG, text, fix)                               \
    M(f, test, "test %r10, %r10", UNDEF_LOG, text, fix)                             \
    M(f, shl1, "shl $1, %r9", UNDEF_SH1, text, fix)                                 \
    M(f, shl, "shl $3, %r10", UNDEF_SHN, text, fix)                                 \
    M(f, shr, "shr $5, %r11d", UNDEF_SHN, text, fix)                                \
    M(f, sar, "sar $63, %r10", UNDEF_SHN, text, fix)                                \
    M(f, rol, "rol $3, %r9", UNDEF_ROT, text, fix)                                  \
    M(f, ror1, "ror $1, %r14", 0, text, fix)                                        \
    M(f, inc, "inc %r9", 0, text, fix)                                              \
    M(f, dec, "dec %r14b", 0, text, fix)                                            \
    M(f, imul, "imul %r13, %r13", UNDEF_IMUL, text, fix)                            \
    M(f, imul3, "imul $3, %r12d, %r12d", UNDEF_IMUL, text, fix)                     \
    M(f, mul, "push %rax\n\tpush %rdx\n\tmov %r9, %rax\n\tmul %r14\n\tpop %rdx\n\tpop %rax", \
      UNDEF_IMUL, text, fix)                                                            \
    M(f, neg, "neg %r8", 0, text, fix)                                              \
    M(f, adc, "stc\n\tadc %r9, %r14", 0, text, fix)                                 \
    M(f, sbb, "sbb %r13, %r15", 0, text, fix)                                       \
    M(f, bt, "bt $3, %r15", UNDEF_BT, text, fix)                                    \
    M(f, bts, "bts $62, %r9", UNDEF_BT, text, fix)                                  \
    M(f, popf, "push $0x4c4\n\tpopfq", 0, text, fix)                                \
    M(f, sahf, "push %rax\n\tmov $0x41, %ah\n\tsahf\n\tpop %rax", 0, text, fix)     \
    M(f, bsf, "bsf %r15, %r12", UNDEF_BSF, text, fix)                               \
    M(f, popcnt, "popcnt %r15, %r12", 0, text, fix)                                 \
    M(f, lzcnt, "lzcnt %r15, %r12", UNDEF_LZ, text, fix)                            \
    M(f, andn, "andn %r15, %r10, %r12", UNDEF_ANDN, text, fix)                      \
    M(f, blsr, "blsr %r15, %r12", UNDEF_ANDN, text, fix)                            \
    M(f, adcx, "stc\n\tadcx %r9, %r12", 0, text, fix)                               \
    M(f, ucomi, "pcmpeqd %xmm5, %xmm5\n\tucomisd %xmm5, %xmm5", 0, text, fix)       \
    M(f, cmpxchg, "cmpxchg %r12, %r13", 0, text, fix)

/* Faulters: the page (rsi) is PROT_NONE (prot 0) or read-only (1); after
 * each, a cmp overwrites every flag.  FIX_DIV: rcx is 0 until the handler
 * sets it. */
#define FIX_DIV 2
#define FAULTERS(M)                                                                     \
    PRODUCERS(M, load, "mov 0x40(%rsi), %rax", 0)                                       \
    PRODUCERS(M, store, "mov %rbx, 0x40(%rsi)", 1)                                      \
    PRODUCERS(M, addload, "add 0x40(%rsi), %rax", 0)                                    \
    PRODUCERS(M, incmem, "incl 0x40(%rsi)", 1)                                          \
    PRODUCERS(M, movdqu, "movdqu 0x40(%rsi), %xmm0", 0)                                 \
    PRODUCERS(M, div0, "push %rax\n\tpush %rdx\n\tmov $0, %edx\n\tdiv %rcx\n\tpop %rdx\n\tpop %rax", FIX_DIV)


#define ASM_CASE(f, p, ptext, undef, text, prot)                                        \
    __asm__(".text\n"                                                                   \
            "df_in_" #f "_" #p ":\n\t" SET_ALL ptext "\n\t" text "\n\t"                  \
            "cmp $0x1001, %rbx\n\tint3\n\tud2\n"                                        \
            "df_jmp_" #f "_" #p ":\n\t" SET_ALL ptext "\n\tjmp 1f\n1:\n\t" text "\n\t"   \
            "cmp $0x1001, %rbx\n\tint3\n\tud2\n"                                        \
            "df_jcc_" #f "_" #p ":\n\t" SET_ALL ptext "\n\tjnz 1f\n1:\n\t" text "\n\t"   \
            "cmp $0x1001, %rbx\n\tint3\n\tud2\n");
FAULTERS(ASM_CASE)

#define DECL_CASE(f, p, ptext, undef, text, prot)                                       \
    extern char df_in_##f##_##p[] __asm__("df_in_" #f "_" #p);                         \
    extern char df_jmp_##f##_##p[] __asm__("df_jmp_" #f "_" #p);                       \
    extern char df_jcc_##f##_##p[] __asm__("df_jcc_" #f "_" #p);
FAULTERS(DECL_CASE)

struct df_case {
    const char *faulter, *producer;
    char *fn[3];
    uint64_t undef;
    int prot;
};

#define ROW_CASE(f, p, ptext, undef, text, prot)                                        \
    { #f, #p, { df_in_##f##_##p, df_jmp_##f##_##p, df_jcc_##f##_##p }, undef, prot },
static const struct df_case cases[] = { FAULTERS(ROW_CASE) };

static sigjmp_buf back;
static const struct df_case *cur;
static char *page;
static int nviews;

static void print_view(int sig, const siginfo_t *si, const ucontext_t *uc)
{
    const greg_t *g = uc->uc_mcontext.gregs;
    uint64_t mask = 0xcd5 & ~(nviews == 0 ? cur->undef : 0);
    printf("  sig %d code %d efl=%#llx", sig, si->si_code,
           (unsigned long long)(g[REG_EFL] & mask));
    if (sig == SIGSEGV)
        printf(" addr=page%+lld", (long long)((char *)si->si_addr - page));
    if (nviews > 0)
        printf(" rax=%#llx rcx=%#llx r8=%#llx r9=%#llx r10=%#llx r11=%#llx r12=%#llx "
               "r13=%#llx r14=%#llx r15=%#llx",
               (unsigned long long)g[REG_RAX], (unsigned long long)g[REG_RCX],
               (unsigned long long)g[REG_R8], (unsigned long long)g[REG_R9],
               (unsigned long long)g[REG_R10], (unsigned long long)g[REG_R11],
               (unsigned long long)g[REG_R12], (unsigned long long)g[REG_R13],
               (unsigned long long)g[REG_R14], (unsigned long long)g[REG_R15]);
    printf("\n");
}

static int repair(int sig, ucontext_t *uc)
{
    if (sig == SIGSEGV && cur->prot != FIX_DIV)
        return mprotect(page, 4096, PROT_READ | PROT_WRITE) == 0;
    if (sig == SIGFPE && cur->prot == FIX_DIV) {
        uc->uc_mcontext.gregs[REG_RCX] = 7;
        return 1;
    }
    return 0;
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    print_view(sig, si, uc);
    if (nviews++ == 0 && sig != SIGTRAP && repair(sig, uc))
        return;
    siglongjmp(back, 1);
}

static void run(const struct df_case *c, int place)
{
    static const char *const names[] = { "in", "jmp", "jcc" };
    cur = c;
    nviews = 0;
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
    memset(page, 0x11, 4096);
    mprotect(page, 4096, c->prot == 1 ? PROT_READ : c->prot == 0 ? PROT_NONE
                                                                 : PROT_READ | PROT_WRITE);
    printf("%s/%s/%s:\n", c->faulter, c->producer, names[place]);
    if (!sigsetjmp(back, 1))
        ((void (*)(char *))(void *)c->fn[place])(page);
}

int main(void)
{
    fault_signals_catch(on_signal);
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int place = 0; place < 3; place++)
            run(&cases[k], place);
    return 0;
}
