/* align_check_state.c -- the state an #AC leaves (EFLAGS.AC set, Linux's
 * CR0.AM): every general register, rsp, rip, the arithmetic flags, DF and
 * AC, and the x87 status and tag words in the SIGBUS frame, for faults
 * after flag-setting arithmetic, in a run of pushes, after `sub rsp` in
 * the same block, in string ops (rep counts unchanged), locked ops, calls,
 * rets, popf and x87 stores.  Compared with the native run. */
//@cflags: -mno-red-zone
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile uint64_t saved_sp, resume_at, insn_at;
static volatile int got_sig;
static greg_t regs[NGREG];
static unsigned fsw, ftw;
static unsigned long fl_mask = 0x40cd5;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    got_sig = sig;
    memcpy(regs, uc->uc_mcontext.gregs, sizeof regs);
    fsw = uc->uc_mcontext.fpregs->swd;
    ftw = uc->uc_mcontext.fpregs->ftw;
    uc->uc_mcontext.gregs[REG_EFL] &= ~0x40400ull;
    uc->uc_mcontext.gregs[REG_RIP] = (long)resume_at;
    uc->uc_mcontext.gregs[REG_RSP] = (long)saved_sp;
}

static unsigned char buf[4096] __attribute__((aligned(64)));

static void report(const char *name)
{
    static const struct { const char *n; int r; } rs[] = {
        { "rax", REG_RAX }, { "rbx", REG_RBX }, { "rcx", REG_RCX }, { "rdx", REG_RDX },
        { "rsi", REG_RSI }, { "rdi", REG_RDI }, { "r8", REG_R8 }, { "r9", REG_R9 },
        { "r10", REG_R10 }, { "r11", REG_R11 } };
    printf("%s: sig %d", name, got_sig);
    if (got_sig) {
        for (unsigned k = 0; k < sizeof rs / sizeof rs[0]; k++) {
            long v = regs[rs[k].r];
            long rel = v - (long)buf;   /* addresses as offsets: PIE moves them */
            long rel32 = v - ((long)buf & 0xffffffff), code = v - (long)insn_at;
            if (rel >= 0 && rel < (long)sizeof buf) printf(" %s=buf+%ld", rs[k].n, rel);
            else if (rel32 >= 0 && rel32 < (long)sizeof buf) printf(" %s=buf32+%ld", rs[k].n, rel32);
            else if (code > -4096 && code < 4096) printf(" %s=insn%+ld", rs[k].n, code);
            else printf(" %s=%lx", rs[k].n, v);
        }
        printf(" rsp=%+ld rip=%+ld fl=%llx fsw=%x ftw=%x", (long)(regs[REG_RSP] - (long)saved_sp),
               (long)(regs[REG_RIP] - (long)insn_at),
               (unsigned long long)(regs[REG_EFL] & fl_mask), fsw, ftw);
    }
    printf("\n");
}

/* setup runs with AC clear, insn (from label 0) with it set. */
#define RUN(name, setup, insn)                                                             \
    do {                                                                                   \
        got_sig = 0;                                                                       \
        __asm__ volatile("mov %%rsp, %[sp]\n\t"                                            \
                         "lea 1f(%%rip), %%rax\n\tmov %%rax, %[res]\n\t"                   \
                         "lea 0f(%%rip), %%rax\n\tmov %%rax, %[ins]\n\t"                   \
                         "mov %[p], %%rsi\n\tlea 512(%%rsi), %%rdi\n\t"                    \
                         "mov $3, %%ecx\n\tmov $0x1234, %%eax\n\tmov $77, %%edx\n\t"      \
                         "mov $-1, %%rbx\n\tmov $8, %%r8d\n\txor %%r9d, %%r9d\n\t"         \
                         "mov $0x55, %%r10d\n\tmov $0x66, %%r11d\n\t"                      \
                         setup "\n\t"                                                      \
                         "xor %%r9d, %%r9d\n\t" /* (flags not from rsp's address) */      \
                         "pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq\n"                      \
                         "0:\n\t" insn "\n"                                                \
                         "1:\n\tmov %[sp], %%rsp\n\tcld\n\t"                               \
                         "pushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq"                      \
                         : [sp] "+m"(saved_sp), [res] "+m"(resume_at), [ins] "+m"(insn_at) \
                         : [p] "r"(buf + 256)                                              \
                         : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",    \
                           "r11", "memory", "cc");                                         \
        __asm__ volatile("fninit");                                                        \
        report(name);                                                                      \
    } while (0)

int main(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0); sigaction(SIGSEGV, &sa, 0);
    memset(buf, 3, sizeof buf);

    RUN("cmp then load", "", "cmp $5, %%rax\n\tmovl 1(%%rsi), %%eax");
    RUN("add then store", "", "add %%rcx, %%rdx\n\tmovq %%rdx, 2(%%rsi)\n\tinc %%r9");
    RUN("sub then lock xadd", "", "sub $1, %%r8\n\tlock xaddq %%rax, 4(%%rsi)");
    RUN("inc then rmw", "", "inc %%r10\n\tshll $3, 3(%%rsi)");
    RUN("push run misaligned", "sub $4, %%rsp", "push %%rax\n\tpush %%rbx\n\tpush %%rcx");
    fl_mask = 0x40cd1;                  /* PF of rsp - 4: where the stack is */
    RUN("sub rsp then push", "", "sub $4, %%rsp\n\tpush %%rax\n\tpush %%rbx");
    fl_mask = 0x40cd5;
    RUN("pushes then pop odd", "", "push %%rax\n\tpush %%rbx\n\tlea -1(%%rsp), %%rsp\n\tpop %%rcx");
    RUN("movsq src+1", "add $1, %%rsi", "movsq");
    RUN("movs after movs", "", "movsq\n\tadd $2, %%rdi\n\tmovsl");
    RUN("rep movsq", "add $4, %%rsi", "rep movsq");
    RUN("rep stosq df", "std\n\tadd $2, %%rdi", "rep stosq");
    RUN("repne scasw", "add $1, %%rdi", "repne scasw");
    RUN("rep lodsl a32", "add $2, %%esi", "addr32 rep lodsl");
    RUN("call odd rsp", "sub $2, %%rsp", "add $1, %%rax\n\tcall 1f");
    RUN("ret odd rsp", "sub $12, %%rsp\n\tlea 1f(%%rip), %%rax\n\tmov %%rax, (%%rsp)", "xor %%ecx, %%ecx\n\tret");
    RUN("popf odd rsp", "xor %%r9d, %%r9d\n\tpushfq\n\tsub $4, %%rsp", "popfq");
    RUN("fstp m80 +4", "fld1\n\tfldpi", "fstpt 4(%%rsi)");
    RUN("fld m64 +4", "fld1", "fldl 4(%%rsi)");
    RUN("fistp m32 +2", "fld1", "fistpl 2(%%rsi)");
    RUN("fnstenv +2", "fld1", "fnstenv 2(%%rsi)");
    RUN("movq xmm +4 after cmp", "", "cmp %%rcx, %%rdx\n\tmovq 4(%%rsi), %%xmm0");
    RUN("no fault aligned", "", "movq 8(%%rsi), %%rax\n\tpush %%rax\n\tpop %%rbx\n\tmovsq\n\tmovl 3(%%rsi), %%eax");
    return 0;
}
