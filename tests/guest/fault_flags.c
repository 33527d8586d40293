/* fault_flags.c -- the whole register state a signal handler finds when a
 * guest instruction faults, and the state after the handler repairs the
 * cause and returns (the instruction runs again).
 *
 * Every case is a flag producer (an ALU op, popf, sahf, std, a compare in
 * an earlier block ...) followed at once by a faulting instruction (a
 * load, store, read-modify-write, locked op, string op, stack op, SSE/AVX/
 * x87 access, div by zero, ud2, int3).  The handler records the signal,
 * si_code, si_addr, RIP, RFLAGS, every general register, REG_TRAPNO/ERR,
 * the x87 status/tag words and MXCSR; then either repairs (mprotect the
 * page read-write, set the divisor, step over ud2) and returns, so the
 * instruction completes and the case's final int3 shows the state after
 * it, or longjmps.  Flags a producer leaves undefined are masked (bt:
 * OF SF AF PF; imul: SF ZF AF PF; shl by cl: AF, and OF as the count is
 * not 1; rcl: OF as the count is not 1; div's after it ran).  The
 * faulters that overwrite every flag (FULL) show the flags from before
 * them in the fault view too (x86_fault_flags.c: the process handles
 * fault signals).  Addresses are printed relative to the test page, the faulting
 * instruction or the stack at entry. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "fault_signals.h"

uint64_t ff_rsp0;               /* rsp at a case's entry, stored by its asm */

/* Registers every case starts from (rsi: the test page; rdi arrives with it). */
#define SET_ALL                                                           \
    "mov %rsp, ff_rsp0(%rip)\n\t" "fninit\n\t" "vzeroall\n\t" "mov %rdi, %rsi\n\t" \
    "mov $0x1000, %rax\n\t" "mov $0x1001, %rbx\n\t" "mov $0x1002, %rcx\n\t"  \
    "mov $0x1003, %rdx\n\t" "mov $0x1004, %rbp\n\t" "mov $0x1006, %rdi\n\t"  \
    "mov $0x1008, %r8\n\t"  "mov $0x1009, %r9\n\t"  "mov $-7, %r10\n\t"     \
    "mov $0x100b, %r11\n\t" "mov $0x7fffffffffffffff, %r12\n\t"           \
    "mov $0x4000000000, %r13\n\t" "mov $0x100e, %r14\n\t" "mov $0x100f, %r15\n\t" \
    "push $0x8d5\n\t" "popfq\n\t"

/* Producers: name, text, flags they leave undefined. */
#define PRODUCERS(M, f, text, fix)                                                      \
    M(f, popf, "", 0, text, fix)                                                        \
    M(f, popf0, "push $0x202\n\tpopfq", 0, text, fix)                                    \
    M(f, add, "mov $0xffffffff, %r8d\n\tadd $1, %r8d", 0, text, fix)                    \
    M(f, sub, "mov $0x80000000, %r9d\n\tsub $1, %r9d", 0, text, fix)                    \
    M(f, test, "test %r10, %r10", 0, text, fix)                                         \
    M(f, inc, "inc %r12", 0, text, fix)                                                 \
    M(f, dec8, "clc\n\tdec %r11b", 0, text, fix)                                        \
    M(f, shl, "shl %cl, %r12", UNDEF_SHN, text, fix)                                    \
    M(f, imul, "imul %r13, %r13", UNDEF_IMUL, text, fix)                                \
    M(f, adc, "stc\n\tadc %r14, %r14", 0, text, fix)                                    \
    M(f, sbb, "sbb %r13, %r15", 0, text, fix)                                           \
    M(f, bt, "bt $3, %r15", UNDEF_BT, text, fix)                                        \
    M(f, neg, "neg %r8", 0, text, fix)                                                  \
    M(f, rcl, "rcl %cl, %r9", UNDEF_ROT, text, fix)                                     \
    M(f, cmpblk, "cmp %r10, %r11\n\tjmp 1f\n1:", 0, text, fix)                          \
    M(f, sahf, "mov $0xd5, %ah\n\tsahf", 0, text, fix)                                  \
    M(f, std, "std", 0, text, fix)                                                      \
    M(f, ucomi, "pcmpeqd %xmm5, %xmm5\n\tucomisd %xmm5, %xmm5", 0, text, fix)

/* How the handler repairs a fault before returning. */
enum fix { FIX_NONE, FIX_PROT, FIX_DIV, FIX_SKIP2 };
/* The faulting instruction overwrites every flag (the handler still sees
 * the ones from before it). */
#define FULL 0x10

/* Faulters: name, page protection, text, repair.  The page (rsi) starts
 * PROT_NONE (prot 0) or read-only (1); page - 4096 is read-write. */
#define FAULTERS(M)                                                                     \
    PRODUCERS(M, load, "mov 0x40(%rsi), %rax", 0)                                       \
    PRODUCERS(M, addload, "add 0x40(%rsi), %rax", 0 | FULL)                                    \
    PRODUCERS(M, cmpmem, "cmpq $5, 0x40(%rsi)", 0 | FULL)                                      \
    PRODUCERS(M, store, "mov %rbx, 0x40(%rsi)", 1)                                      \
    PRODUCERS(M, addstore, "add %rbx, 0x40(%rsi)", 1 | FULL)                                   \
    PRODUCERS(M, incmem, "incl 0x40(%rsi)", 1)                                          \
    PRODUCERS(M, shlmem, "shlq %cl, 0x40(%rsi)", 1)                                     \
    PRODUCERS(M, lockadd, "lock addq %rbx, 0x40(%rsi)", 1 | FULL)                              \
    PRODUCERS(M, xchg, "xchg %rbx, 0x40(%rsi)", 1)                                      \
    PRODUCERS(M, cmpxchg, "lock cmpxchg %rbx, 0x40(%rsi)", 1 | FULL)                           \
    PRODUCERS(M, xadd, "lock xadd %rbx, 0x40(%rsi)", 1 | FULL)                                 \
    PRODUCERS(M, cx16, "lock cmpxchg16b 0x40(%rsi)", 1)                                 \
    PRODUCERS(M, setc, "setc 0x40(%rsi)", 1)                                            \
    PRODUCERS(M, btsmem, "bts %rcx, 0x40(%rsi)", 1)                                     \
    PRODUCERS(M, movsb, "lea 0x40(%rsi), %rdi\n\tlea -0x800(%rsi), %rsi\n\tmovsb", 1)   \
    PRODUCERS(M, repmovsb,                                                              \
              "lea -5(%rsi), %rdi\n\tlea -0x800(%rsi), %rsi\n\tmov $16, %ecx\n\trep movsb", 1) \
    PRODUCERS(M, repmovsq,                                                              \
              "lea -16(%rsi), %rdi\n\tlea -0x800(%rsi), %rsi\n\tmov $5, %ecx\n\trep movsq", 1) \
    PRODUCERS(M, repstosd, "lea -8(%rsi), %rdi\n\tmov $9, %ecx\n\trep stosl", 1)        \
    PRODUCERS(M, repcmpsb,                                                              \
              "lea -3(%rsi), %rdi\n\tlea -0x803(%rsi), %rsi\n\tmov $9, %ecx\n\trepe cmpsb", 0) \
    PRODUCERS(M, repscasb, "lea -3(%rsi), %rdi\n\tmov $9, %ecx\n\trepne scasb", 0)      \
    PRODUCERS(M, lodsq, "lea 0x40(%rsi), %rsi\n\tlodsq", 0)                             \
    PRODUCERS(M, push, "lea 0x40(%rsi), %rsp\n\tpush %rbx", 1)                          \
    PRODUCERS(M, pop, "lea 0x40(%rsi), %rsp\n\tpop %rbx", 0)                            \
    PRODUCERS(M, popmem, "lea 0x40(%rsi), %rsp\n\tpopq -0x400(%rsi)", 0)                \
    PRODUCERS(M, popst, "lea -0x800(%rsi), %rsp\n\tpopq 0x40(%rsi)", 1)                 \
    PRODUCERS(M, poprsp, "lea -0x800(%rsi), %rsp\n\tpopq 0x838(%rsp)", 1)               \
    PRODUCERS(M, leave, "lea 0x40(%rsi), %rbp\n\tleave", 0)                             \
    PRODUCERS(M, pushf, "lea 0x40(%rsi), %rsp\n\tpushfq", 1)                            \
    PRODUCERS(M, calli, "call *0x40(%rsi)", 0)                                          \
    PRODUCERS(M, xlat, "lea 0x40(%rsi), %rbx\n\txlat", 0)                               \
    PRODUCERS(M, movdqu, "movdqu 0x40(%rsi), %xmm0", 0)                                 \
    PRODUCERS(M, addps, "addps 0x40(%rsi), %xmm1", 0)                                   \
    PRODUCERS(M, comisd, "comisd 0x40(%rsi), %xmm1", 0)                                 \
    PRODUCERS(M, movaps_st, "movaps %xmm2, 0x40(%rsi)", 1)                              \
    PRODUCERS(M, vaddps, "vaddps 0x40(%rsi), %ymm1, %ymm2", 0)                          \
    PRODUCERS(M, fldt, "fldt 0x40(%rsi)", 0)                                            \
    PRODUCERS(M, fstpt, "fld1\n\tfstpt 0x40(%rsi)", 1)                                  \
    PRODUCERS(M, fistp, "fldpi\n\tfistpl 0x40(%rsi)", 1)                                \
    PRODUCERS(M, div0, "mov $0, %edx\n\tmov $0, %ecx\n\tdiv %rcx", FIX_DIV)              \
    PRODUCERS(M, ud2, "ud2", FIX_SKIP2)                                                 \
    PRODUCERS(M, int3, "int3", FIX_NONE)

#define ASM_CASE(f, p, ptext, undef, text, prot)                                         \
    __asm__(".text\n.globl ff_fn_" #f "_" #p "\n.hidden ff_fn_" #f "_" #p "\n"             \
            "ff_fn_" #f "_" #p ":\n\t" SET_ALL ptext "\n"                                  \
            ".globl ff_site_" #f "_" #p "\n.hidden ff_site_" #f "_" #p "\n"                \
            "ff_site_" #f "_" #p ":\n\t" text "\n"                                       \
            ".globl ff_end_" #f "_" #p "\n.hidden ff_end_" #f "_" #p "\n"                  \
            "ff_end_" #f "_" #p ":\n\tint3\n\tud2\n");
FAULTERS(ASM_CASE)

#define DECL_CASE(f, p, ptext, undef, text, prot)                                         \
    extern char ff_fn_##f##_##p[], ff_site_##f##_##p[], ff_end_##f##_##p[];
FAULTERS(DECL_CASE)

struct ff_case {
    const char *faulter, *producer;
    char *fn, *site, *end;
    uint64_t undef;
    int prot;                   /* 0: PROT_NONE page, 1: read-only page, else a fix */
};

#define ROW_CASE(f, p, ptext, undef, text, prot)                                          \
    { #f, #p, ff_fn_##f##_##p, ff_site_##f##_##p, ff_end_##f##_##p, undef, prot },
static const struct ff_case cases[] = { FAULTERS(ROW_CASE) };

/* What a handler saw. */
struct view {
    int sig, code;
    uint64_t addr;
    greg_t g[NGREG];
    unsigned swd, ftw, mxcsr;
};

static sigjmp_buf back;
static const struct ff_case *cur;
static char *page;              /* the test page; page - 4096 is read-write */
static struct view views[3];
static int nviews;

static void record(int sig, const siginfo_t *si, const ucontext_t *uc)
{
    struct view *v = &views[nviews++];
    v->sig = sig;
    v->code = si->si_code;
    v->addr = (uint64_t)si->si_addr;
    memcpy(v->g, uc->uc_mcontext.gregs, sizeof v->g);
    v->swd = uc->uc_mcontext.fpregs->swd;
    v->ftw = uc->uc_mcontext.fpregs->ftw;
    v->mxcsr = uc->uc_mcontext.fpregs->mxcsr;
}

/* Repairs the first fault so the instruction can run again; 0 if it cannot. */
static int repair(int sig, ucontext_t *uc)
{
    int fix = cur->prot & ~FULL;
    if (sig == SIGSEGV && (fix == 0 || fix == 1) && views[0].addr - (uint64_t)page < 4096)
        return mprotect(page, 4096, PROT_READ | PROT_WRITE) == 0;
    if (sig == SIGFPE && fix == FIX_DIV) {
        uc->uc_mcontext.gregs[REG_RCX] = 7;
        return 1;
    }
    if (sig == SIGTRAP)
        return 1;                               /* a trap: rip is past the int3 */
    if (sig == SIGILL && fix == FIX_SKIP2) {
        uc->uc_mcontext.gregs[REG_RIP] += 2;
        return 1;
    }
    return 0;
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    int at_end = sig == SIGTRAP && (char *)uc->uc_mcontext.gregs[REG_RIP] == cur->end + 1;
    if (nviews < 3)
        record(sig, si, uc);
    if (nviews == 1 && !at_end && repair(sig, uc))
        return;
    siglongjmp(back, 1);
}

/* A value printed relative to the page, the case's code or the entry rsp. */
static void print_value(const char *name, uint64_t v)
{
    uint64_t p = (uint64_t)page, s = (uint64_t)cur->site, r = ff_rsp0;
    if (v - (p - 4096) < 8192)
        printf(" %s=page%+lld", name, (long long)(v - p));
    else if (v - (s - 256) < 512)
        printf(" %s=site%+lld", name, (long long)(v - s));
    else if (v - (r - 4096) < 8192)
        printf(" %s=sp%+lld", name, (long long)(v - r));
    else
        printf(" %s=%#llx", name, (unsigned long long)v);
}

/* undef: flags masked in this view (div leaves them undefined). */
static void print_view(const struct view *v, uint64_t undef)
{
    static const struct { const char *name; int reg; } regs[] = {
        { "rax", REG_RAX }, { "rbx", REG_RBX }, { "rcx", REG_RCX }, { "rdx", REG_RDX },
        { "rsi", REG_RSI }, { "rdi", REG_RDI }, { "rbp", REG_RBP }, { "rsp", REG_RSP },
        { "r8", REG_R8 }, { "r9", REG_R9 }, { "r10", REG_R10 }, { "r11", REG_R11 },
        { "r12", REG_R12 }, { "r13", REG_R13 }, { "r14", REG_R14 }, { "r15", REG_R15 },
    };
    printf("  sig %d code %d", v->sig, v->code);
    print_value("addr", v->addr);
    print_value("rip", (uint64_t)v->g[REG_RIP]);
    printf(" efl=%#llx trap %lld err %#llx\n   ",
           (unsigned long long)(v->g[REG_EFL] & ~cur->undef & ~undef), (long long)v->g[REG_TRAPNO],
           (unsigned long long)v->g[REG_ERR]);
    for (size_t k = 0; k < sizeof regs / sizeof regs[0]; k++)
        print_value(regs[k].name, (uint64_t)v->g[regs[k].reg]);
    printf("\n   swd=%#x ftw=%#x mxcsr=%#x\n", v->swd, v->ftw, v->mxcsr);
}

static void reset_pages(const struct ff_case *c)
{
    char *rw = page - 4096;
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
    for (int k = 0; k < 4096; k++)
        rw[k] = (char)(k * 7);
    memcpy(page, rw + 0x800, 4096 - 0x800);     /* cmpsb finds equal bytes */
    memset(page + 0x40, 0x11, 64);
    uint64_t end = (uint64_t)c->end;            /* calli's target, once readable */
    if (strcmp(c->faulter, "calli") == 0)
        memcpy(page + 0x40, &end, 8);
    mprotect(page, 4096, (c->prot & ~FULL) == 1 ? PROT_READ : PROT_NONE);
}

static void run_case(const struct ff_case *c)
{
    static const uint64_t words[] = { 0x38, 0x40, 0x48 };
    cur = c;
    nviews = 0;
    reset_pages(c);
    if (!sigsetjmp(back, 1))
        ((void (*)(char *))(void *)c->fn)(page);
    printf("%s/%s:\n", c->faulter, c->producer);
    for (int k = 0; k < nviews; k++)
        print_view(&views[k], k > 0 && c->prot == FIX_DIV ? 0x8d5 : 0);
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
    printf("   mem");
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        uint64_t w;
        memcpy(&w, page + words[k], 8);
        print_value("", w);
    }
    printf("\n");
}

int main(void)
{
    fault_signals_catch(on_signal);
    char *area = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    munmap(area + 2 * 4096, 4096);              /* a hole after the test page */
    page = area + 4096;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        run_case(&cases[k]);
    return 0;
}
