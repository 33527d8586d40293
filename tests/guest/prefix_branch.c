/* prefix_branch.c -- operand-size (66), address-size (67), REX and segment
 * prefixes on near branches and stack instructions in 64-bit mode (SDM vol. 2:
 * near branches' operand size is 64 bits on Intel 64, where 66 is ignored;
 * AMD64 honours 66 (16-bit IP, 2-byte pushes/pops); push/pop/pushf/popf/
 * enter/leave with 66 move 2 bytes; 67 makes jrcxz/loop use ecx).  Each case
 * runs on a stack of its own (a global array filled with 0xcc) and prints
 * any signal, the marker register (which path ran), rsp's change and the
 * bytes it wrote below the starting rsp (addresses of the case as s+N).
 * (Session 43 probe: ferry took 66 e8/e9/0f 8x as AMD's rel16 and 66 48 50
 * as a 2-byte push; Intel ignores 66 there and REX.W overrides it.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

unsigned char stk[4096] __attribute__((aligned(64)));
long sp0, sp1, mark, resume_to, qword_target;
static volatile int g_sig, g_code;
static volatile long g_rip;

static void on_sig(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    g_sig = sig; g_code = si->si_code; g_rip = uc->uc_mcontext.gregs[REG_RIP];
    sp1 = uc->uc_mcontext.gregs[REG_RSP];
    mark = uc->uc_mcontext.gregs[REG_RDX];
    uc->uc_mcontext.gregs[REG_RIP] = resume_to;
    uc->uc_mcontext.gregs[REG_RSP] = sp0;
}

static void show(const char *name, long s)
{
    long top = (long)(stk + 2048);
    char rip[40] = "";
    if (g_sig) {
        long r = g_rip - s;
        if (r > -4096 && r < 4096) sprintf(rip, " rip s%+ld", r); else sprintf(rip, " rip %#lx", g_rip);
    }
    printf("%-14s sig %2d code %d%s mark %ld rsp %+ld |", name, g_sig, g_sig ? g_code : 0, rip, mark, sp1 - top);
    long w; memcpy(&w, stk + 2040, 8);
    int near = w - s > -4096 && w - s < 4096;
    for (int i = 2048 - 16; i < 2048 + 8; i++) {
        if (i == 2048) printf(" ^");
        if (near && i >= 2040 && i < 2048) { if (i == 2040) printf(" [s%+ld]", w - s); continue; }
        printf(" %02x", stk[i]);
    }
    printf("\n");
}

#define CASE(NAME, BODY)                                                         \
    do {                                                                         \
        extern char NAME##_s[], NAME##_e[];                                      \
        memset(stk, 0xcc, sizeof stk);                                           \
        g_sig = 0; mark = -1; resume_to = (long)NAME##_e;                        \
        sp0 = (long)(stk + 2048);                                                \
        __asm__ volatile("push %%rbp\n\tmov %%rsp, %%rbp\n\tmov sp0(%%rip), %%rsp\n\t"  \
                         "xor %%edx, %%edx\n\tmov $0x2c7, %%eax\n\tpush %%rax\n\tpopfq\n\t" \
                         "mov $0x10001, %%ecx\n\t"                              \
                         ".globl " #NAME "_s\n" #NAME "_s:\n\t" BODY "\n"       \
                         "\tmov %%rsp, sp1(%%rip)\n\tmov %%rdx, mark(%%rip)\n"  \
                         ".globl " #NAME "_e\n" #NAME "_e:\n\t"                \
                         "mov %%rbp, %%rsp\n\tpop %%rbp"                        \
                         : : : "memory", "cc", "rax", "rcx", "rdx", "rbx", "rsi", "rdi", "r9"); \
        show(#NAME, (long)NAME##_s);                                             \
    } while (0)

int main(void)
{
    static char altstk[65536];
    setvbuf(stdout, 0, _IOLBF, 0);
    stack_t ss = { .ss_sp = altstk, .ss_size = sizeof altstk };
    sigaltstack(&ss, 0);
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGILL, &sa, 0); sigaction(SIGSEGV, &sa, 0); sigaction(SIGTRAP, &sa, 0);
    sigaction(SIGBUS, &sa, 0);

    /* near jumps and calls */
    CASE(jmp66_rel32, ".byte 0x66, 0xe9\n\t.long 1f - . - 4\n\tmov $1, %%edx\n\tjmp 2f\n1:\tmov $2, %%edx\n2:");
    CASE(jmp66_rel8, ".byte 0x66, 0xeb, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jcc66_rel32, ".byte 0x66, 0x0f, 0x85\n\t.long 1f - . - 4\n\tmov $1, %%edx\n\tjmp 2f\n1:\tmov $2, %%edx\n2:");
    CASE(jcc66_rel8, ".byte 0x66, 0x75, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(call66_rel32, ".byte 0x66, 0xe8\n\t.long 1f - . - 4\n\tmov $1, %%edx\n\tjmp 2f\n1:\tmov $2, %%edx\n2:");
    CASE(call66w_rel32, ".byte 0x66, 0x48, 0xe8\n\t.long 1f - . - 4\n\tmov $1, %%edx\n\tjmp 2f\n1:\tmov $2, %%edx\n2:");
    CASE(jmp66_reg, "lea 1f(%%rip), %%rax\n\t.byte 0x66, 0xff, 0xe0\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(call66_reg, "lea 1f(%%rip), %%rax\n\t.byte 0x66, 0xff, 0xd0\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jmp66_mem, "lea 1f(%%rip), %%rax\n\tmov %%rax, qword_target(%%rip)\n\tlea qword_target(%%rip), %%rax\n\t.byte 0x66, 0xff, 0x20\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(call66_mem, "lea 1f(%%rip), %%rax\n\tmov %%rax, qword_target(%%rip)\n\tlea qword_target(%%rip), %%rax\n\t.byte 0x66, 0xff, 0x10\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(ret66, "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t.byte 0x66, 0xc3\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(ret66_imm, "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t.byte 0x66, 0xc2, 0x10, 0x00\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(retw48_66, "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t.byte 0x66, 0x48, 0xc3\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(ret_rex, "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t.byte 0x41, 0xc3\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(ret_f3, "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t.byte 0xf3, 0xc3\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(ret_f2, "lea 1f(%%rip), %%rax\n\tpush %%rax\n\t.byte 0xf2, 0xc3\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jmp_seg, ".byte 0x2e, 0x3e, 0x64, 0xe9\n\t.long 1f - . - 4\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jmp_f2, ".byte 0xf2, 0xe9\n\t.long 1f - . - 4\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jmp_rexw, ".byte 0x48, 0xe9\n\t.long 1f - . - 4\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    /* jrcxz / loop with 66 and 67 (rcx = 0x10001) */
    CASE(jrcxz_67, "mov $0x100000000, %%rcx\n\t.byte 0x67, 0xe3, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jrcxz, "mov $0x100000000, %%rcx\n\t.byte 0xe3, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(jrcxz_66, "mov $0x100000000, %%rcx\n\t.byte 0x66, 0xe3, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx");
    CASE(loop_67, "mov $0x100000001, %%rcx\n\t.byte 0x67, 0xe2, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx\n\tmov %%rcx, %%rsi\n\tshr $16, %%rsi\n\tadd %%rsi, %%rdx");
    CASE(loop_66, "mov $0x100000001, %%rcx\n\t.byte 0x66, 0xe2, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx\n\tmov %%rcx, %%rsi\n\tshr $16, %%rsi\n\tadd %%rsi, %%rdx");
    CASE(loope_67, "mov $0x100000000, %%rcx\n\t.byte 0x67, 0xe1, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx\n\tadd %%rcx, %%rdx");
    CASE(loopne_67, "mov $0x100000000, %%rcx\n\t.byte 0x67, 0xe0, 1f - . - 1\n\tmov $1, %%edx\n1:\tadd $2, %%edx\n\tadd %%rcx, %%rdx");
    /* 16-bit and odd stack operations */
    CASE(push66_imm8, ".byte 0x66, 0x6a, 0xfe");
    CASE(push66_imm16, ".byte 0x66, 0x68, 0x34, 0x12");
    CASE(push_imm32, ".byte 0x68, 0x78, 0x56, 0x34, 0x82");
    CASE(push66_reg, "mov $0x11223344, %%eax\n\t.byte 0x66, 0x50");
    CASE(push66w_reg, "mov $0x11223344, %%eax\n\t.byte 0x66, 0x48, 0x50");
    CASE(push48_66_reg, "mov $0x11223344, %%eax\n\t.byte 0x48, 0x66, 0x50");
    CASE(push_r9_66, "mov $0x55667788, %%r9d\n\t.byte 0x66, 0x41, 0x51");
    CASE(pop66_reg, "pushq $-1\n\tmov $0x11223344, %%edx\n\t.byte 0x66, 0x5a");
    CASE(push66_mem, "lea qword_target(%%rip), %%rax\n\tmovabs $0x123456789, %%rcx\n\tmov %%rcx, (%%rax)\n\t.byte 0x66, 0xff, 0x30");
    CASE(pop66_mem, "pushq $0x5a5a\n\tlea qword_target(%%rip), %%rax\n\tmovq $-1, (%%rax)\n\t.byte 0x66, 0x8f, 0x00\n\tmov (%%rax), %%rdx");
    CASE(pushf66, ".byte 0x66, 0x9c");
    CASE(popf66, "pushq $0x8d5\n\t.byte 0x66, 0x9d\n\tpushfq\n\tpop %%rdx");
    CASE(popf66_hi, "pushq $0xfeff\n\t.byte 0x66, 0x9d\n\tpushfq\n\tpop %%rdx\n\tpushq $0x202\n\tpopfq");
    CASE(pushfs66, ".byte 0x66, 0x0f, 0xa0");
    CASE(pushfs, ".byte 0x0f, 0xa0");
    CASE(pushgs48, ".byte 0x48, 0x0f, 0xa8");
    CASE(enter66, "mov %%rbp, %%rbx\n\tmov %%rsp, %%rsi\n\tmov $0x1122334455667788, %%rbp\n\t.byte 0x66, 0xc8, 0x04, 0x00, 0x00\n\tlea -2(%%rsi), %%rax\n\tmov %%rbp, %%rdx\n\txor %%ax, %%dx\n\tmov %%rbx, %%rbp");
    CASE(leave66, "mov %%rbp, %%rbx\n\tlea -8(%%rsp), %%rbp\n\tmovw $0x1234, (%%rbp)\n\t.byte 0x66, 0xc9\n\tmovzwl %%bp, %%edx\n\tmov %%rbp, %%rax\n\txor %%rsp, %%rax\n\tshr $16, %%rax\n\tshl $32, %%rax\n\tor %%rax, %%rdx\n\tmov %%rbx, %%rbp");
    CASE(leave, "mov %%rbp, %%rbx\n\tlea -8(%%rsp), %%rbp\n\tmovq $0x77, (%%rbp)\n\t.byte 0xc9\n\tmov %%rbp, %%rdx\n\tmov %%rbx, %%rbp");
    CASE(xchg66_rsp, "mov %%rsp, %%rax\n\tmov $0x9999, %%edx\n\t.byte 0x66, 0x87, 0xd4\n\tmov %%rsp, %%rdx\n\txor %%rax, %%rdx\n\tshr $16, %%rdx\n\tshl $16, %%rdx\n\tmovzwl %%sp, %%ecx\n\tor %%rcx, %%rdx\n\tmov %%rax, %%rsp");
    CASE(mov32_rsp, "mov %%rsp, %%rax\n\tmov %%esp, %%esp\n\tmov %%rsp, %%rdx\n\tshr $32, %%rdx\n\tshl $1, %%rdx\n\tcmp %%esp, %%eax\n\tsete %%cl\n\tmovzbl %%cl, %%ecx\n\tor %%rcx, %%rdx\n\tmov %%rax, %%rsp");
    return 0;
}
