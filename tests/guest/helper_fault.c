/* helper_fault.c -- faults inside the instructions ferry runs as C helpers
 * touching memory (xsave/xrstor, fxsave/fxrstor, fnsave/frstor,
 * fnstenv/fldenv, fbld/fbstp, cmpxchg16b, maskmovdqu, maskmovq): on an
 * unmapped page, a PROT_NONE page, a read-only page (stores), and an
 * operand running from a writable page into an unmapped one.  The SIGSEGV
 * handler reports si_code, whether si_addr is in the faulting page and the
 * operand (which byte is the CPU's choice: this AMD reports the last one
 * for fxsave), REG_TRAPNO, REG_ERR,
 * whether REG_RIP is the instruction and the operand registers are kept;
 * the writable part of a straddling operand must be unchanged. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
uintptr_t insn_ip;
static uintptr_t page;
unsigned long long want_rax, want_rdx;
static unsigned long long want_rdi;
static volatile int faulted;
static unsigned op_size;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    const greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    uintptr_t a = (uintptr_t)si->si_addr;
    printf("  SIGSEGV code %d addr in the faulting page and the operand %d trapno %lld err %lld "
           "rip ok %d regs kept %d\n", si->si_code, a >= page && a < page + 4096 && a >= want_rdi &&
           a < want_rdi + op_size, (long long)g[REG_TRAPNO],
           (long long)g[REG_ERR], (uintptr_t)g[REG_RIP] == insn_ip,
           (unsigned long long)g[REG_RDI] == want_rdi && (unsigned long long)g[REG_RAX] == want_rax &&
           (unsigned long long)g[REG_RDX] == want_rdx);
    faulted = 1;
    siglongjmp(back, 1);
}

/* Each runs one instruction on [rdi]; rax/rdx hold recognisable values. */
#define INSN(name, text) INSN2(name, "", text)
#define INSN2(name, setup, text) \
    static void name(void *p) \
    { \
        __asm__ volatile("mov want_rax(%%rip), %%rax\n\tmov want_rdx(%%rip), %%rdx\n\t" \
                         setup "lea 1f(%%rip), %%r8\n\tmov %%r8, insn_ip(%%rip)\n\t" \
                         "1: " text : : "D"(p) : "rax", "rbx", "rcx", "rdx", "r8", "xmm1", "memory"); \
    }
INSN(do_xsave, "xsave (%%rdi)")
INSN(do_xrstor, "xrstor (%%rdi)")
INSN(do_fxsave, "fxsave (%%rdi)")
INSN(do_fxrstor, "fxrstor (%%rdi)")
INSN(do_fnsave, "fnsave (%%rdi)")
INSN(do_frstor, "frstor (%%rdi)")
INSN(do_fnstenv, "fnstenv (%%rdi)")
INSN(do_fldenv, "fldenv (%%rdi)")
INSN(do_fbld, "fbld (%%rdi)")
INSN(do_fbstp, "fbstp (%%rdi)")
INSN2(do_cx16, "mov %%rax, %%rbx\n\tmov %%rdx, %%rcx\n\t", "lock cmpxchg16b (%%rdi)")
INSN2(do_maskmovdqu, "pcmpeqb %%xmm1, %%xmm1\n\t", "maskmovdqu %%xmm1, %%xmm0")
INSN2(do_maskmovq, "pcmpeqb %%mm1, %%mm1\n\t", "maskmovq %%mm1, %%mm0\n\temms")

struct op { const char *name; void (*fn)(void *); unsigned size; int store; };
static const struct op ops[] = {
    { "xsave", do_xsave, 576, 1 }, { "xrstor", do_xrstor, 576, 0 },
    { "fxsave", do_fxsave, 512, 1 }, { "fxrstor", do_fxrstor, 512, 0 },
    { "fnsave", do_fnsave, 108, 1 }, { "frstor", do_frstor, 108, 0 },
    { "fnstenv", do_fnstenv, 28, 1 }, { "fldenv", do_fldenv, 28, 0 },
    { "fbld", do_fbld, 10, 0 }, { "fbstp", do_fbstp, 10, 1 },
    { "cmpxchg16b", do_cx16, 16, 1 }, { "maskmovdqu", do_maskmovdqu, 16, 1 },
    { "maskmovq", do_maskmovq, 8, 1 },
};

static void attempt(const struct op *o, unsigned char *p, const char *where)
{
    printf("%s on %s:\n", o->name, where);
    fflush(stdout);
    want_rdi = (uintptr_t)p;
    op_size = o->size;
    faulted = 0;
    if (sigsetjmp(back, 1) == 0) {
        if (o->fn == do_fbstp)
            __asm__ volatile("fld1");
        o->fn(p);
        printf("  no fault\n");
    }
    __asm__ volatile("emms\n\tfninit");
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    want_rax = 3, want_rdx = 0;             /* xsave/xrstor: x87|SSE, as under ferry */
    unsigned char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    munmap(m + 4096, 4096);                 /* m: writable, m+4096: hole, m+8192: varies */
    unsigned char *ro = m + 8192;
    memset(ro, 0x5a, 4096);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const struct op *o = &ops[i];
        page = (uintptr_t)(m + 4096);
        attempt(o, m + 4096, "an unmapped page");
        page = (uintptr_t)ro;
        mprotect(ro, 4096, PROT_NONE);
        attempt(o, ro, "a PROT_NONE page");
        mprotect(ro, 4096, PROT_READ);
        if (o->store) {
            attempt(o, ro, "a read-only page");
            int same = 1;
            for (int k = 0; k < 4096; k++)
                same &= ro[k] == 0x5a;
            printf("  read-only page unchanged %d\n", same);
            /* the operand's first 64 bytes writable, the rest in the hole */
            unsigned char *s = m + 4096 - 64;
            if (o->size > 64) {
                memset(s, 0xa5, 64);
                page = (uintptr_t)(m + 4096);
                attempt(o, s, "a writable page running into a hole");
                int kept = 1;
                for (int k = 0; k < 64; k++)
                    kept &= s[k] == 0xa5;
                printf("  writable part unchanged %d\n", kept);
            }
        }
        mprotect(ro, 4096, PROT_READ | PROT_WRITE);
    }
    return 0;
}
