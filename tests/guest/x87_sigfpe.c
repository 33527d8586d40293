/* x87_sigfpe.c -- unmasked x87 exceptions: each of IE (and stack fault),
 * ZE, OE, UE, DE, PE unmasked in the control word, raised by an
 * operation, then delivered as SIGFPE (#MF) at the next waiting
 * instruction (fwait, or an ordinary x87 instruction): si_code, REG_TRAPNO,
 * REG_ERR, the opcode byte at si_addr (= RIP), the status/control/tag
 * words in the frame's FP state, and the registers where the unmasked
 * response leaves them unchanged.  Non-waiting instructions (fnstsw,
 * fnclex) do not fault; a handler that clears the exception flags in the
 * frame resumes the faulting instruction. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf back;
static volatile int resume_mode;
static volatile int show_regs;
static volatile int show_eflags;

static void on_fpe(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  SIGFPE code %d trapno %lld err %lld addr==rip %d opcode %02x swd %04x cwd %04x ftw %02x\n",
           si->si_code, (long long)g[REG_TRAPNO], (long long)g[REG_ERR],
           si->si_addr == (void *)g[REG_RIP], *(unsigned char *)si->si_addr, fp->swd, fp->cwd,
           fp->ftw);
    if (show_eflags)
        printf("    eflags %04llx\n", (unsigned long long)g[REG_EFL] & 0x8d5);
    if (show_regs)
        for (int i = 0; i < 2; i++)
            printf("    st%d %04x %04x%04x%04x%04x\n", i, fp->_st[i].exponent,
                   fp->_st[i].significand[3], fp->_st[i].significand[2],
                   fp->_st[i].significand[1], fp->_st[i].significand[0]);
    if (resume_mode) {
        fp->swd &= 0x7f00;              /* clear the flags, ES and B: resume */
        return;
    }
    siglongjmp(back, 1);
}

static const struct { uint64_t m; uint16_t se; } __attribute__((packed))
    max80 = { ~0ull, 0x7ffe }, min80 = { 1ull << 63, 1 }, den80 = { 0x1234, 0 },
    qnan80 = { 0xc000000000001234ull, 0x7fff }, snan80 = { 0x8000000000001234ull, 0x7fff };
static volatile uint32_t target = 0x12345678;
static volatile uint16_t target80[5] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555 };

static void status(const char *what)
{
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    printf("  %s: sw %04x\n", what, sw);
}

#define CASE(NAME, CW, REGS, TEXT, ...)                                        \
    do {                                                                      \
        uint16_t cw = (CW);                                                   \
        printf("%s\n", NAME);                                                 \
        show_regs = (REGS);                                                   \
        if (sigsetjmp(back, 1) == 0) {                                        \
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" TEXT                 \
                             : : [cw] "m"(cw), ##__VA_ARGS__ : "rax", "memory"); \
            status("no fault");                                               \
        }                                                                     \
        __asm__ volatile("fninit");                                           \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, 0);
    setvbuf(stdout, 0, _IONBF, 0);

    CASE("invalid: sqrt(-1), fwait", 0x037e, 1, "fld1\n\tfchs\n\tfsqrt\n\tfwait");
    CASE("stack underflow, fwait", 0x037e, 1, "fld1\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfwait");
    CASE("stack overflow, fld", 0x037e, 0,
         "fld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1\n\tfld1");
    CASE("zero divide: 1/0, fwait", 0x037b, 1, "fld1\n\tfldz\n\tfdivrp\n\tfwait");
    CASE("zero divide, next insn fld1", 0x037b, 1, "fld1\n\tfldz\n\tfdivr %%st(1), %%st\n\tfld1");
    CASE("overflow: max*max, fwait", 0x0377, 0, "fldt %[m]\n\tfmul %%st, %%st\n\tfwait",
         [m] "m"(max80));
    CASE("underflow: min*min, fwait", 0x036f, 0, "fldt %[m]\n\tfmul %%st, %%st\n\tfwait",
         [m] "m"(min80));
    CASE("denormal operand, fwait", 0x037d, 1, "fld1\n\tfldt %[m]\n\tfmul %%st(1), %%st\n\tfwait",
         [m] "m"(den80));
    CASE("precision: 1/3, fxam", 0x035f, 1,
         "fld1\n\tfld1\n\tfadd %%st, %%st\n\tfadd %%st(1), %%st\n\tfdivr %%st(1), %%st\n\tfxam");
    CASE("fistp of a NaN, IE unmasked: memory and stack kept", 0x037e, 1,
         "fld1\n\tfldt %[n]\n\tfistpl %[t]\n\tfwait", [n] "m"(qnan80), [t] "m"(target));
    printf("  memory %08x\n", target);
    CASE("fstps overflow, OE unmasked: memory and stack kept", 0x0377, 1,
         "fld1\n\tfldt %[n]\n\tfstps %[t]\n\tfwait", [n] "m"(max80), [t] "m"(target));
    printf("  memory %08x\n", target);
    CASE("fsts inexact, PE unmasked: stored", 0x035f, 0,
         "fld1\n\tfldt %[n]\n\tfsts %[t]\n\tfwait", [n] "m"(min80), [t] "m"(target));
    printf("  memory %08x\n", target);
    CASE("fstpt of an empty register, IE unmasked: memory and stack kept", 0x037e, 1,
         "fld1\n\tffree %%st(0)\n\tfstpt %[t]\n\tfwait", [t] "m"(target80));
    printf("  memory %04x %04x %04x %04x %04x\n", target80[0], target80[1], target80[2],
           target80[3], target80[4]);
    CASE("fbstp of a NaN, IE unmasked: memory and stack kept", 0x037e, 1,
         "fld1\n\tfldt %[n]\n\tfbstp %[t]\n\tfwait", [n] "m"(qnan80), [t] "m"(target80));
    printf("  memory %04x %04x %04x %04x %04x\n", target80[0], target80[1], target80[2],
           target80[3], target80[4]);
    show_eflags = 1;
    CASE("fcomi with a NaN, IE unmasked: EFLAGS kept", 0x037e, 1,
         "fldt %[n]\n\tfld1\n\tmov $0x8d5, %%eax\n\tpush %%rax\n\tpopf\n\t"
         "fcomi %%st(1), %%st\n\tfwait", [n] "m"(qnan80));
    CASE("fucomip with an SNaN, IE unmasked: EFLAGS kept", 0x037e, 1,
         "fldt %[n]\n\tfld1\n\tmov $0x8d5, %%eax\n\tpush %%rax\n\tpopf\n\t"
         "fucomip %%st(1), %%st\n\tfwait", [n] "m"(snan80));
    CASE("fcomi with a NaN, IE masked: unordered", 0x037f, 0,
         "fldt %[n]\n\tfld1\n\tfcomi %%st(1), %%st\n\tpushf\n\tpop %%rax\n\t"
         "mov %%eax, %[t]", [n] "m"(qnan80), [t] "m"(target));
    printf("  eflags %04x\n", target & 0x8d5);
    show_eflags = 0;
    CASE("MMX instruction with an exception pending: #MF", 0x037b, 0,
         "fld1\n\tfldz\n\tfdivrp\n\tmovq %%mm0, %%mm1\n\temms");
    CASE("emms with an exception pending: #MF", 0x037b, 0,
         "fld1\n\tfldz\n\tfdivrp\n\temms");
    CASE("fnop waits", 0x037b, 0, "fld1\n\tfldz\n\tfdivrp\n\tfnop");
    CASE("fnstsw and fnclex do not wait", 0x037b, 0,
         "fld1\n\tfldz\n\tfdivrp\n\tfnstsw %%ax\n\tfnclex\n\tfwait\n\tfld1");
    CASE("unmasking a pending exception with fldcw", 0x037f, 0,
         "fld1\n\tfldz\n\tfdivrp\n\tfldcw %[c2]\n\tfnstsw %%ax\n\tfwait",
         [c2] "m"(*(const uint16_t[]){ 0x037b }));

    resume_mode = 1;
    CASE("handler clears the flags and returns", 0x037b, 0,
         "fld1\n\tfldz\n\tfdivrp\n\tfwait\n\tfld1\n\tfaddp");
    status("after resume");
    return 0;
}
